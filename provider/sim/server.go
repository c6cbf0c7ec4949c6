package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idstack/idstack/provider/simkit"
)

// Options configure a Server. The zero value serves the document's
// behaviour with no latency and VMs that are running at once.
type Options struct {
	// Quirks is "" for the document's behaviour or "live" for the live
	// service's observed one (API-NOTES.md): {"message": …} errors on
	// network, disk, floating IP and auth calls; 400 for GET of a missing VM
	// or network; a VM whose synchronous create has not finished is neither
	// listed nor found.
	Quirks string
	// Latency is added to every call.
	Latency time.Duration
	// ReadyAfter is how long a VM create (or clone), start and stop take.
	// Meanwhile the VM is "creating", "starting" or "stopping" and refuses
	// calls that change it (409). By default the call answers when done,
	// with the final status ("running", "stopped"), as the document shows;
	// 0 makes these calls take no time at all.
	ReadyAfter time.Duration
	// AsyncVMs makes VM create, clone, start and stop answer at once with
	// the transitional status; the VM takes its final status ReadyAfter
	// later (computed from the clock).
	AsyncVMs bool
	// GatewayTimeout, when set, answers 504 to a call still being served
	// after it, as the gateway in front of the API does; the work carries
	// on and completes at its normal time (Calls shows both).
	GatewayTimeout time.Duration
	// APIKey, when set, is the only key accepted in the apikey header.
	APIKey string
	// Now is the clock (nil = time.Now).
	Now func() time.Time
	// Seed makes ids, uuids and addresses deterministic.
	Seed int64
	// NoDefaultNetworks starts every location without a network.
	NoDefaultNetworks bool
}

// QuirksLive selects the live service's observed behaviour.
const QuirksLive = "live"

// GatewayTimeoutMessage is the message of the gateway's 504 answer, in
// the gateway's own error shape ({"message": …}, as its 401 and 403).
const GatewayTimeoutMessage = "The upstream server is timing out"

// Server is the simulator. It is safe for concurrent use.
type Server struct {
	mu         sync.Mutex
	quirks     string
	apiKey     string
	seed       int64
	latency    time.Duration
	readyAfter time.Duration
	async      bool
	gateway    time.Duration
	now        func() time.Time
	w          World
	faults     simkit.Faults
	calls      []*Call
	rng        *rand.Rand
	// wait, when set, replaces the sleep of a blocking call (tests hold
	// a call in progress with it).
	wait func(time.Duration)
}

// New returns a simulator with the initial world.
func New(opts Options) *Server {
	s := &Server{
		quirks:     opts.Quirks,
		apiKey:     opts.APIKey,
		seed:       opts.Seed,
		latency:    opts.Latency,
		readyAfter: opts.ReadyAfter,
		async:      opts.AsyncVMs,
		gateway:    opts.GatewayTimeout,
		now:        opts.Now,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x1d57ac)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.w = initialWorld(s, opts.NoDefaultNetworks)
	return s
}

func (s *Server) live() bool { return s.quirks == QuirksLive }

// SetLatency changes the latency added to every call.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetReadyAfter changes how long VM creates, starts and stops that begin
// from now on take.
func (s *Server) SetReadyAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readyAfter = d
}

// SetGatewayTimeout changes the gateway timeout of calls that begin from
// now on (0: none).
func (s *Server) SetGatewayTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gateway = d
}

// World returns a deep copy of the whole state.
func (s *Server) World() World {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
	return s.w.clone()
}

// Mutate changes the world behind the API's back (for tests: drift,
// objects in buckets, resources made by someone else).
func (s *Server) Mutate(f func(*World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
	f(&s.w)
}

// Save writes the world as JSON.
func (s *Server) Save(w io.Writer) error {
	s.mu.Lock()
	s.settle()
	c := s.w.clone()
	s.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// Load replaces the world with one written by Save.
func (s *Server) Load(r io.Reader) error {
	var w World
	dec := json.NewDecoder(r)
	if err := dec.Decode(&w); err != nil {
		return err
	}
	if len(w.Locations) == 0 {
		return errors.New("sim: world has no locations")
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

// settle ends the VM transitions whose time has come.
func (s *Server) settle() {
	now := s.now()
	for i := range s.w.VMs {
		v := &s.w.VMs[i]
		if busyStatus(v.API.Status) && !now.Before(v.ReadyAt) {
			endTransition(v)
		}
	}
}

// roots are the first path segments of location-less URLs.
var roots = map[string]bool{"user-resource": true, "network": true, "storage": true, "config": true, "api": true, "payment": true, "pricing": true}

// ServeHTTP serves the API. The API serves each call in a goroutine of its
// own, so that its work goes on when the client leaves or the gateway
// answers first (Options.GatewayTimeout).
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if s.serveControl(rw, r) { // /_sim/… (control.go)
		return
	}
	if s.serveS3(rw, r) { // /s3/… (s3.go)
		return
	}
	start := time.Now()
	s.mu.Lock()
	latency, gateway := s.latency, s.gateway
	s.mu.Unlock()
	c := &call{s: s, r: r}
	rt, status, msg := s.resolve(c)
	var bodyErr error
	if rt != nil { // read the body here: a handler may not read it after returning
		bodyErr = c.readBody()
	}
	// ctx ends the call only when the client leaves before any answer.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	done := make(chan reply, 1)
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				done <- reply{panicked: p}
			}
		}()
		done <- s.serve(ctx, c, rt, status, msg, bodyErr, latency)
	}()
	var timeout <-chan time.Time
	if gateway > 0 {
		t := time.NewTimer(gateway - time.Since(start))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case rep := <-done:
		rep.write(rw)
	case <-r.Context().Done():
		s.clientLeft(c)
		cancel()
	case <-timeout:
		if s.gatewayTimesOut(c) {
			writeJSON(rw, http.StatusGatewayTimeout, map[string]string{"message": GatewayTimeoutMessage})
			return
		}
		(<-done).write(rw) // the API was done first
	}
}

// serve serves one API call: latency, auth, faults, the handler and, for
// a blocking call, its wait (which nothing interrupts). It records the
// call and returns the answer to write.
func (s *Server) serve(ctx context.Context, c *call, rt *route, status int, msg string, bodyErr error, latency time.Duration) reply {
	if !simkit.Sleep(ctx, latency) {
		return reply{none: true} // the client left before the API saw the call
	}
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	c.w = &s.w
	c.now = s.now()
	if rt == nil {
		// Auth before routing, as the gateway in front of the API does.
		if st, m := s.auth(c.r); st != 0 {
			return s.finish(c, errResult(st, m), famAuth)
		}
		return s.finish(c, errResult(status, msg), famOther)
	}
	c.rt = rt
	if st, m := s.auth(c.r); st != 0 {
		return s.finish(c, errResult(st, m), famAuth)
	}
	if bodyErr != nil {
		return s.finish(c, errResult(http.StatusBadRequest, bodyErr.Error()), rt.fam)
	}
	s.settle()
	f := s.matchFault(c)
	if f != nil && !f.LostResponse {
		res := errResult(f.Status, f.Message)
		res.retryAfter = f.RetryAfter
		return s.finish(c, res, rt.fam)
	}
	res, aerr := rt.h(c)
	for aerr == nil && res.then != nil {
		wait, then := res.wait, res.then
		s.record(c, 0, true) // the call log shows the work in progress
		hold := s.wait
		s.mu.Unlock()
		locked = false
		if hold != nil {
			hold(wait)
		} else {
			simkit.Sleep(context.Background(), wait) // the work goes on whatever the client does
		}
		s.mu.Lock()
		locked = true
		c.now = s.now()
		s.settle()
		res, aerr = then(c)
	}
	if aerr != nil {
		res = s.errorResult(c, aerr)
	}
	if f != nil { // LostResponse: the change is committed, the answer is not
		c.lost = true
		s.record(c, res.code, false)
		return reply{abort: true}
	}
	return s.finish(c, res, rt.fam)
}

// clientLeft notes that the client of c went away before an answer.
func (s *Server) clientLeft(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.lost = true
	if c.rec != nil {
		c.rec.Lost = true
	}
}

// gatewayTimesOut marks c as answered 504 by the gateway and reports true,
// or reports false when the API has already answered it.
func (s *Server) gatewayTimesOut(c *call) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.rec != nil && !c.rec.Pending {
		return false
	}
	c.gateway = true
	if c.rec == nil { // still in its latency: the API has not seen it yet
		s.record(c, 0, true)
	}
	c.rec.Status = http.StatusGatewayTimeout
	c.rec.GatewayTimeout = true
	return true
}

// resolve finds the location and the route of a request. Without a route it
// returns the status and message of the error to answer.
func (s *Server) resolve(c *call) (*route, int, string) {
	p := c.r.URL.Path
	if !strings.HasPrefix(p, "/v1/") {
		c.path = p
		return nil, http.StatusNotFound, "Not found: " + p
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(p, "/v1/"), "/"), "/")
	s.mu.Lock()
	locs := map[string]bool{}
	for _, l := range s.w.Locations {
		locs[l.Slug] = true
	}
	def := s.w.defaultLocation()
	s.mu.Unlock()
	loc := def
	switch {
	case len(segs) > 0 && locs[segs[0]]:
		loc, segs = segs[0], segs[1:]
	case len(segs) > 0 && roots[segs[0]]:
	default:
		c.path = "/" + strings.Join(segs, "/")
		c.loc = segs[0]
		return nil, http.StatusNotFound, "Unknown location: " + segs[0]
	}
	c.path = "/" + strings.Join(segs, "/")
	methodSeen := false
	for i := range routes {
		rt := &routes[i]
		params, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method != c.r.Method {
			methodSeen = true
			continue
		}
		c.params = params
		if !rt.global {
			c.loc = loc
		}
		return rt, 0, ""
	}
	if methodSeen {
		return nil, http.StatusMethodNotAllowed, "Method " + c.r.Method + " not allowed on " + c.path
	}
	return nil, http.StatusNotFound, "Not found: " + c.path
}

// auth checks the apikey header (its name is case-insensitive in HTTP).
func (s *Server) auth(r *http.Request) (int, string) {
	key := r.Header.Get("apikey")
	if key == "" {
		return http.StatusUnauthorized, "No API key found in request"
	}
	if s.apiKey != "" && key != s.apiKey {
		return http.StatusForbidden, "Invalid authentication credentials"
	}
	return 0, ""
}

// errorResult turns an API error into the answer of the configured flavour.
func (s *Server) errorResult(c *call, e *apiErr) result {
	code := e.code
	if s.live() && e.notFound && c.rt != nil && c.rt.live400 {
		code = http.StatusBadRequest
	}
	return errResult(code, e.msg)
}

// reply is an answer of the API, ready to write.
type reply struct {
	code       int
	retryAfter int
	body       []byte // nil: no body
	abort      bool   // drop the connection (Fault.LostResponse)
	none       bool   // no answer: the client left first
	panicked   any    // the handler's panic, raised again by write
}

func (rep reply) write(rw http.ResponseWriter) {
	switch {
	case rep.panicked != nil:
		panic(rep.panicked)
	case rep.abort:
		panic(http.ErrAbortHandler)
	case rep.none:
		return
	}
	h := rw.Header()
	if rep.retryAfter > 0 {
		h.Set("Retry-After", itoa(rep.retryAfter))
	}
	if rep.body != nil {
		h.Set("Content-Type", "application/json")
	}
	rw.WriteHeader(rep.code)
	if rep.body != nil {
		_, _ = rw.Write(rep.body)
	}
}

// finish records a call's answer and encodes it. Called with the lock held.
func (s *Server) finish(c *call, res result, fam family) reply {
	s.record(c, res.code, false)
	rep := reply{code: res.code, retryAfter: res.retryAfter}
	var body any
	switch {
	case res.isErr:
		msg := res.body.(string)
		body = map[string]any{"errors": map[string]string{"Error": msg}}
		if s.live() && (fam == famNetwork || fam == famDisk || fam == famFIP || fam == famAuth) {
			body = map[string]string{"message": msg}
		}
	case res.empty:
		return rep
	default:
		body = res.body
	}
	rep.code, rep.body = encodeJSON(res.code, body)
	return rep
}

func encodeJSON(code int, body any) (int, []byte) {
	b, err := json.Marshal(body)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"errors":{"Error":"sim: cannot encode the answer"}}` + "\n")
	}
	return code, append(b, '\n')
}

func writeJSON(rw http.ResponseWriter, code int, body any) {
	code, b := encodeJSON(code, body)
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_, _ = rw.Write(b)
}
