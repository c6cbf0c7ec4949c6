package main

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/idstack/idstack/provider/sim"
)

// simServer is one simulator served on a loopback port, with a wrapper
// that notes when the first write of an apply arrived.
type simServer struct {
	sim  *sim.Server
	url  string
	srv  *http.Server
	ln   net.Listener
	base time.Time

	armed      atomic.Bool
	firstWrite atomic.Int64 // ns since base, 0 = none yet
}

func startSim(opts sim.Options) (*simServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only
	if err != nil {
		return nil, err
	}
	s := &simServer{sim: sim.New(opts), ln: ln, url: "http://" + ln.Addr().String(), base: time.Now()}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *simServer) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && s.armed.Load() {
		s.firstWrite.CompareAndSwap(0, int64(time.Since(s.base)))
	}
	s.sim.ServeHTTP(rw, r)
}

// arm starts watching for the first write.
func (s *simServer) arm() {
	s.firstWrite.Store(0)
	s.armed.Store(true)
}

// firstWriteAt is when the first write arrived since arm, if any.
func (s *simServer) firstWriteAt() (time.Time, bool) {
	ns := s.firstWrite.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return s.base.Add(time.Duration(ns)), true
}

// callsSince counts the calls served after the first n, by method and path.
func (s *simServer) callsSince(n int) (total int, byPath map[string]int) {
	calls := s.sim.Calls()
	byPath = map[string]int{}
	if n > len(calls) {
		n = len(calls)
	}
	for _, c := range calls[n:] {
		byPath[c.Method+" "+c.Path]++
	}
	return len(calls) - n, byPath
}

func (s *simServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close() // connections still open after 5 s: drop them
	}
}
