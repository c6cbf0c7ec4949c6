package sim

import (
	"time"
)

// Call is one API call as the simulator answered it.
type Call struct {
	Method string
	Path   string // after /v1, e.g. "/instances/{id}/shutdown" with the id
	Query  string
	// Status is the HTTP status of the answer (sent or, when Lost, dropped);
	// Code the error_code of an error answer ("" on success).
	Status int
	Code   string
	// Lost is set when the answer was dropped (Fault.LostResponse).
	Lost bool
	// Pending is set while the asynchronous work the call began (a 202)
	// is still going on: an instance building, a volume attaching.
	Pending bool
}

type callRecord struct {
	Call
	doneAt time.Time
}

// record logs a call. Called with the lock held.
func (s *Server) record(c *call, status int, code string, lost bool, doneAt time.Time) {
	path := c.path
	if path == "" {
		path = c.r.URL.Path
	}
	s.calls = append(s.calls, &callRecord{Call: Call{Method: c.r.Method, Path: path, Query: c.r.URL.RawQuery,
		Status: status, Code: code, Lost: lost}, doneAt: doneAt})
}

// Calls returns the calls answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.Call
		out[i].Pending = now.Before(c.doneAt)
	}
	return out
}

// CallCount returns how many calls were answered.
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
