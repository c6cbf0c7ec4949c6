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
)

// Options configure a Server. The zero value serves the document's
// behaviour with no latency and VMs that are running at once.
type Options struct {
	// Quirks is "" for the document's behaviour or "live" for the live
	// service's observed one (API-NOTES.md): {"message": …} errors on
	// network, disk, floating IP and auth calls; 400 for GET of a missing VM
	// or network; synchronous VM create/stop/start.
	Quirks string
	// Latency is added to every call.
	Latency time.Duration
	// ReadyAfter is how long a new VM stays "creating" before "running".
	ReadyAfter time.Duration
	// LiveVMDelay is how long VM create/stop/start block with Quirks "live"
	// (default 50ms).
	LiveVMDelay time.Duration
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

// Server is the simulator. It is safe for concurrent use.
type Server struct {
	mu         sync.Mutex
	quirks     string
	apiKey     string
	seed       int64
	latency    time.Duration
	readyAfter time.Duration
	liveDelay  time.Duration
	now        func() time.Time
	w          World
	faults     []*faultState
	calls      []Call
	rng        *rand.Rand
}

// New returns a simulator with the initial world.
func New(opts Options) *Server {
	s := &Server{
		quirks:     opts.Quirks,
		apiKey:     opts.APIKey,
		seed:       opts.Seed,
		latency:    opts.Latency,
		readyAfter: opts.ReadyAfter,
		liveDelay:  opts.LiveVMDelay,
		now:        opts.Now,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x1d57ac)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.liveDelay == 0 {
		s.liveDelay = 50 * time.Millisecond
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

// SetReadyAfter changes how long VMs created from now on stay "creating".
func (s *Server) SetReadyAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readyAfter = d
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
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		return err
	}
}

// settle moves VMs whose creation time has passed from creating to running.
func (s *Server) settle() {
	now := s.now()
	for i := range s.w.VMs {
		v := &s.w.VMs[i]
		if v.API.Status == statusCreating && !now.Before(v.ReadyAt) {
			v.API.Status = statusRunning
		}
	}
}

// roots are the first path segments of location-less URLs.
var roots = map[string]bool{"user-resource": true, "network": true, "storage": true, "config": true, "api": true, "payment": true}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if s.serveControl(rw, r) { // /_sim/… (control.go)
		return
	}
	if s.serveS3(rw, r) { // /s3/… (s3.go)
		return
	}
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if !sleep(r.Context(), latency) {
		return
	}
	c := &call{s: s, r: r}
	rt, status, msg := s.resolve(c)
	var bodyErr error
	if rt != nil { // read the body before taking the lock: clients may be slow
		bodyErr = c.readBody()
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
		if st, m := s.auth(r); st != 0 {
			s.finish(rw, c, errResult(st, m), famAuth)
			return
		}
		s.finish(rw, c, errResult(status, msg), famOther)
		return
	}
	c.rt = rt
	if st, m := s.auth(r); st != 0 {
		s.finish(rw, c, errResult(st, m), famAuth)
		return
	}
	if bodyErr != nil {
		s.finish(rw, c, errResult(http.StatusBadRequest, bodyErr.Error()), rt.fam)
		return
	}
	s.settle()
	f := s.matchFault(c)
	if f != nil && !f.LostResponse {
		res := errResult(f.Status, f.Message)
		res.retryAfter = f.RetryAfter
		s.finish(rw, c, res, rt.fam)
		return
	}
	res, aerr := rt.h(c)
	for aerr == nil && res.then != nil {
		wait, then := res.wait, res.then
		s.mu.Unlock()
		locked = false
		gone := !sleep(r.Context(), wait)
		s.mu.Lock()
		locked = true
		c.now = s.now()
		s.settle()
		res, aerr = then(c) // the work completes even if the client left
		if gone {
			if aerr != nil {
				res = s.errorResult(c, aerr)
			}
			c.status = res.code
			s.record(c, true)
			return
		}
	}
	if aerr != nil {
		res = s.errorResult(c, aerr)
	}
	if f != nil { // LostResponse: the change is committed, the answer is not
		c.status = res.code
		s.record(c, true)
		s.mu.Unlock()
		locked = false
		panic(http.ErrAbortHandler)
	}
	s.finish(rw, c, res, rt.fam)
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

// finish writes a result and records the call. Called with the lock held.
func (s *Server) finish(rw http.ResponseWriter, c *call, res result, fam family) {
	c.status = res.code
	s.record(c, false)
	h := rw.Header()
	if res.retryAfter > 0 {
		h.Set("Retry-After", itoa(res.retryAfter))
	}
	if res.isErr {
		msg := res.body.(string)
		var body any = map[string]any{"errors": map[string]string{"Error": msg}}
		if s.live() && (fam == famNetwork || fam == famDisk || fam == famFIP || fam == famAuth) {
			body = map[string]string{"message": msg}
		}
		writeJSON(rw, res.code, body)
		return
	}
	if res.empty {
		rw.WriteHeader(res.code)
		return
	}
	writeJSON(rw, res.code, res.body)
}

func writeJSON(rw http.ResponseWriter, code int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"errors":{"Error":"sim: cannot encode the answer"}}`)
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_, _ = rw.Write(append(b, '\n'))
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
