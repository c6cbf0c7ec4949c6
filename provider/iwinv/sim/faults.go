package sim

import (
	"net/http"
	"strings"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// Fault makes matching calls fail before they change anything, or (with
// LostResponse) succeed and lose their answer: for tests of retries,
// unknown outcomes and rollbacks.
type Fault struct {
	// Method matches the HTTP method ("" = any).
	Method string
	// Path is matched against the path after /v1, with * for one segment
	// and a trailing /** for any rest: "/instances", "/instances/*/shutdown".
	Path string
	// Status is the error status to answer (default 500). The envelope
	// names DEV_CHECK_RETURN for a 5xx, LIMIT_EXCEEDED for a 429 and
	// CHECK_PARAM for another 4xx.
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
	// LostResponse serves the call (its change is made), then drops the
	// connection without an answer.
	LostResponse bool
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
	id := 1
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

// matchFault returns the fault that fires for c, if any: every matching
// fault counts the call, the first that fires wins.
func (s *Server) matchFault(c *call) *Fault {
	var fired *Fault
	for _, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, c.r.Method) || !pathMatch(f.Path, c.path) {
			continue
		}
		f.matched++
		if fired != nil || f.Nth > 0 && f.matched != f.Nth || f.Times > 0 && f.fired >= f.Times ||
			f.Rate > 0 && s.rng.Float64() >= f.Rate {
			continue
		}
		f.fired++
		cp := f.Fault
		fired = &cp
	}
	return fired
}

// faultResult is the answer of a fault that fires.
func faultResult(f *Fault) result {
	code := api.CheckParam
	switch {
	case f.Status >= 500:
		code = api.DevCheckReturn
	case f.Status == http.StatusTooManyRequests:
		code = api.LimitExceeded
	}
	return result{status: f.Status, err: &apiErr{status: f.Status, code: code, msg: f.Message}, retryAfter: f.RetryAfter}
}

// pathMatch matches a path against a fault pattern ("" and "/**" match all).
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
		if i >= len(xs) || p != "*" && p != xs[i] {
			return false
		}
	}
	return len(ps) == len(xs)
}

// TransientFaults fail any API call with probability rate (seeded by
// Options.Seed), before it changes anything: half of them 503, half 429
// with Retry-After: retryAfter seconds (none when 0). Install them with
// AddFault; faults installed before them take precedence.
func TransientFaults(rate float64, retryAfter int) []Fault {
	if rate <= 0 {
		return nil
	}
	rate = min(rate, 1)
	// The second draws only when the first did not fire: h + (1-h)·q = rate.
	half := rate / 2
	return []Fault{
		{Path: "/**", Status: http.StatusServiceUnavailable, Message: "injected transient fault: service unavailable", Rate: half},
		{Path: "/**", Status: http.StatusTooManyRequests, Message: "injected transient fault: too many requests", RetryAfter: retryAfter, Rate: half / (1 - half)},
	}
}
