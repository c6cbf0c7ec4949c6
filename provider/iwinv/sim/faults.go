package sim

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/simkit"
)

// Fault makes matching calls fail before they change anything, or (with
// LostResponse) succeed and lose their answer: for tests of retries,
// unknown outcomes and rollbacks. Its Path is matched against the path
// after /v1: "/instances", "/instances/*/shutdown"; its Params against the
// call's query, form body and a JSON body's top-level strings (doc.go). A
// fired fault answers Status (default 500) in the envelope: the envelope
// names DEV_CHECK_RETURN for a 5xx, LIMIT_EXCEEDED for a 429 and
// CHECK_PARAM for another 4xx.
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

// matchFault returns the fault that fires for c, if any: every matching
// fault counts the call, the first that fires wins.
func (s *Server) matchFault(c *call) *Fault {
	return s.faults.Match(c.r.Method, c.path, c.faultParams, s.rng)
}

// faultParams are the parameters a Fault's Params match: the query, then
// a form body's fields, then a JSON object body's top-level strings.
func (c *call) faultParams() url.Values {
	vals := url.Values{}
	for k, v := range c.query {
		vals[k] = append(vals[k], v...)
	}
	for k, v := range c.form {
		vals[k] = append(vals[k], v...)
	}
	if c.isJSON {
		var obj map[string]any
		if json.Unmarshal(c.body, &obj) == nil {
			for k, v := range obj {
				if s, ok := v.(string); ok {
					vals.Add(k, s)
				}
			}
		}
	}
	return vals
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

// TransientFaults fail any API call with probability rate (seeded by
// Options.Seed), before it changes anything: half of them 503, half 429
// with Retry-After: retryAfter seconds (none when 0). Install them with
// AddFault; faults installed before them take precedence.
func TransientFaults(rate float64, retryAfter int) []Fault {
	return simkit.TransientFaults(rate, retryAfter)
}
