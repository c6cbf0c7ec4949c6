package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/idstack/idstack/provider/simkit"
)

// Options configure a Server. The zero value serves the documented
// behaviour with the default keys, no latency, no rate limit and
// transitions that end at the next read.
type Options struct {
	// AccessKey and SecretKey are the account's API key (default
	// DefaultAccessKey, DefaultSecretKey): a request must name the access
	// key and be signed with the secret.
	AccessKey, SecretKey string
	// Latency is added to every API call.
	Latency time.Duration
	// ReadyAfter is how long an asynchronous operation takes (instance
	// create, start, shutdown, reboot, rebuild, resize, delete; block
	// storage create, attach, detach, delete). Meanwhile the object shows a
	// transitional status and refuses calls that change it.
	ReadyAfter time.Duration
	// RateLimit is how many calls one access key may make in any 60
	// seconds (the API's is 60); 0 turns the limit off.
	RateLimit int
	// Now is the clock (nil = time.Now): it ends transitions and judges
	// request timestamps.
	Now func() time.Time
	// Seed makes ids deterministic.
	Seed int64
}

// The default API key of a simulator.
const (
	DefaultAccessKey = "sim-access-key"
	DefaultSecretKey = "sim-secret-key"
)

// APIRateLimit is the API's documented limit, per minute and key.
const APIRateLimit = 60

// Server is the simulator: an http.Handler on iwinv's routes. It is safe
// for concurrent use.
type Server struct {
	mu         sync.Mutex
	accessKey  string
	secretKey  string
	seed       int64
	latency    time.Duration
	readyAfter time.Duration
	rateLimit  int
	now        func() time.Time
	w          World
	faults     simkit.Faults
	calls      []*callRecord
	hits       []time.Time // the rate limit's window
	rng        *rand.Rand
}

// New returns a simulator with the initial world.
func New(opts Options) *Server {
	s := &Server{
		accessKey:  opts.AccessKey,
		secretKey:  opts.SecretKey,
		seed:       opts.Seed,
		latency:    opts.Latency,
		readyAfter: opts.ReadyAfter,
		rateLimit:  opts.RateLimit,
		now:        opts.Now,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x1a71)),
	}
	if s.accessKey == "" {
		s.accessKey = DefaultAccessKey
	}
	if s.secretKey == "" {
		s.secretKey = DefaultSecretKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.w = initialWorld()
	return s
}

// SetLatency changes the latency added to every call.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetReadyAfter changes how long the asynchronous operations that begin
// from now on take.
func (s *Server) SetReadyAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readyAfter = d
}

// SetRateLimit changes the calls allowed per minute (0: no limit).
func (s *Server) SetRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit, s.hits = n, nil
}

// World returns a deep copy of the whole state, its transitions settled
// by the clock.
func (s *Server) World() World {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.settle(s.now())
	return s.w.clone()
}

// Mutate changes the world behind the API's back (tests: drift, objects
// made by someone else, a crowded zone).
func (s *Server) Mutate(f func(*World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.settle(s.now())
	f(&s.w)
}

// Save writes the world as JSON (the format of Load and `idstack sim
// --world`).
func (s *Server) Save(w io.Writer) error {
	c := s.World()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// Load replaces the world with one written by Save. A transition saved
// unfinished ends by the clock.
func (s *Server) Load(r io.Reader) error {
	var w World
	if err := json.NewDecoder(r).Decode(&w); err != nil {
		return err
	}
	if len(w.Zones) == 0 {
		return errors.New("sim: the world has no zones")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = w
	return nil
}

// Serve serves s on ln until ctx is done, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	return simkit.Serve(ctx, ln, s)
}

// ServeHTTP serves the API (and the control endpoints under
// ControlPrefix). A call is served once its latency has passed; a client
// that leaves during it withdraws the call (not recorded).
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if s.serveControl(rw, r) {
		return
	}
	c := newCall(r)
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if !simkit.Sleep(r.Context(), latency) {
		return
	}
	rep := s.serve(c)
	rep.write(rw)
}

// serve authenticates, limits, routes and answers one call, and records it.
func (s *Server) serve(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.s, c.w, c.now = s, &s.w, s.now()
	if e := s.authenticate(c); e != nil {
		return s.finish(c, errorResult(e), false)
	}
	if e := s.limit(c); e != nil {
		return s.finish(c, errorResult(e), false)
	}
	rt, e := resolve(c)
	if e != nil {
		return s.finish(c, errorResult(e), false)
	}
	if c.bodyErr != nil {
		return s.finish(c, errorResult(checkParam("cannot read the request body: %v", c.bodyErr)), false)
	}
	s.w.settle(c.now)
	f := s.matchFault(c)
	if f != nil && !f.LostResponse {
		return s.finish(c, faultResult(f), false)
	}
	res, aerr := rt.h(c)
	if aerr != nil {
		res = errorResult(aerr)
	}
	return s.finish(c, res, f != nil)
}
