package sim

import (
	"net/url"

	"github.com/idstack/idstack/provider/simkit"
)

// Fault makes matching calls fail, for tests of retries and rollbacks.
// Its Path is matched against the path without /v1 and the location slug:
// "/user-resource/vm", "/network/load_balancers/*". Its Params match the
// call's query and form body: one VM's stop, {"uuid": "…"}. A fired fault
// answers Status with Message in the API's error shape.
type Fault = simkit.Fault

// AddFault installs a fault and returns its id.
func (s *Server) AddFault(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(f)
}

// RemoveFault removes one fault by id.
func (s *Server) RemoveFault(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Remove(id)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Clear()
}

// matchFault returns the fault that fires for this call, if any. Every
// matching fault counts the call; the first that fires wins.
func (s *Server) matchFault(c *call) *Fault {
	return s.faults.Match(c.r.Method, c.path, func() url.Values { return c.form }, s.rng)
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
