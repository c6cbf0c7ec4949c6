package sim

import (
	"net/http"
	"strings"
)

// Fault makes matching calls fail, for tests of retries and rollbacks.
type Fault struct {
	// Method matches the HTTP method ("" = any).
	Method string
	// Path is matched against the path without /v1 and the location slug,
	// with * as a wildcard for one segment and a trailing /** for any rest:
	// "/user-resource/vm", "/network/load_balancers/*".
	Path string
	// Status is the error status to answer (e.g. 500, 503, 429).
	Status int
	// Message is the error message (default "injected fault").
	Message string
	// RetryAfter is sent as the Retry-After header, in seconds.
	RetryAfter int
	// Nth fails only the Nth matching call (1-based); 0 = every one.
	Nth int
	// Rate fails a matching call with this probability (seeded); 0 = always.
	Rate float64
	// Times limits how many calls fail; 0 = unlimited.
	Times int
	// LostResponse serves the call (the change is committed), then drops
	// the connection without an answer.
	LostResponse bool
	// Params, when set, matches only calls whose parameters (the query
	// and a form body) hold these values: one VM's stop, {"uuid": "…"}.
	Params map[string]string
}

type faultState struct {
	Fault
	id      int
	matched int
	fired   int
}

// AddFault installs a fault and returns its id.
func (s *Server) AddFault(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Status == 0 && !f.LostResponse {
		f.Status = http.StatusInternalServerError
	}
	if f.Message == "" {
		f.Message = "injected fault"
	}
	id := len(s.faults) + 1
	if n := len(s.faults); n > 0 {
		id = s.faults[n-1].id + 1
	}
	s.faults = append(s.faults, &faultState{Fault: f, id: id})
	return id
}

// RemoveFault removes one fault by id.
func (s *Server) RemoveFault(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.id == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return
		}
	}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault returns the fault that fires for this call, if any. Every
// matching fault counts the call; the first that fires wins.
func (s *Server) matchFault(c *call) *Fault {
	var fired *Fault
	for _, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, c.r.Method) {
			continue
		}
		if !pathMatch(f.Path, c.path) || !paramsMatch(f.Params, c) {
			continue
		}
		f.matched++
		if fired != nil {
			continue
		}
		if f.Nth > 0 && f.matched != f.Nth {
			continue
		}
		if f.Times > 0 && f.fired >= f.Times {
			continue
		}
		if f.Rate > 0 && s.rng.Float64() >= f.Rate {
			continue
		}
		f.fired++
		cp := f.Fault
		fired = &cp
	}
	return fired
}

// paramsMatch reports whether a call's parameters hold the values.
func paramsMatch(want map[string]string, c *call) bool {
	for k, v := range want {
		if c.form == nil || c.form.Get(k) != v {
			return false
		}
	}
	return true
}

// pathMatch matches a path against a fault pattern ("" matches all).
func pathMatch(pattern, path string) bool {
	if pattern == "" || pattern == "/**" {
		return true
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "**" && i == len(ps)-1 {
			return true
		}
		if i >= len(xs) {
			return false
		}
		if p != "*" && p != xs[i] {
			return false
		}
	}
	return len(ps) == len(xs)
}

// Call is one recorded call.
type Call struct {
	Method   string
	Path     string // without /v1 and the location slug
	Query    string
	Location string // "" for global endpoints
	// Status is the status the call was answered with: the API's, or 504
	// when the gateway answered first (GatewayTimeout). When Lost, it is
	// the API's answer that did not arrive; 0 while Pending and unanswered.
	Status int
	// Lost is set when the answer was dropped (Fault.LostResponse) or the
	// client left before it.
	Lost bool
	// Pending is set while the API is still working on the call (a VM
	// create, start or stop that takes Options.ReadyAfter).
	Pending bool
	// GatewayTimeout is set when the gateway answered 504 before the API
	// was done (Options.GatewayTimeout).
	GatewayTimeout bool
	// Outcome is the status of the API's own answer once its work is done
	// (0 while Pending): Status, unless the gateway answered first.
	Outcome int
}

// record logs the call, or updates its entry: pending when its work has
// begun, with its outcome when done. Called with the lock held.
func (s *Server) record(c *call, code int, pending bool) {
	if c.rec == nil {
		c.rec = &Call{Method: c.r.Method, Path: c.path, Query: c.r.URL.RawQuery, Location: c.loc}
		s.calls = append(s.calls, c.rec)
	}
	c.rec.Pending = pending
	c.rec.Lost = c.lost
	if !pending {
		c.rec.Outcome = code
		if !c.gateway {
			c.rec.Status = code
		}
	}
}

// Calls returns the calls served so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = *c
	}
	return out
}

// CallCount returns how many calls were served.
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// ResetCalls forgets the recorded calls.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}
