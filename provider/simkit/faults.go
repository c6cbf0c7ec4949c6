package simkit

import (
	"net/http"
	"net/url"
	"strings"
)

// Fault makes matching calls fail before they change anything, or (with
// LostResponse) succeed and lose their answer: for tests of retries,
// unknown outcomes and rollbacks. Each simulator documents what its Path
// is matched against and what a fired fault answers.
type Fault struct {
	// Method matches the HTTP method ("" = any).
	Method string
	// Path is matched against the call's path with the simulator's prefix
	// removed, with * as a wildcard for one segment and a trailing /** for
	// any rest (PathMatch).
	Path string
	// Status is the error status to answer (default 500).
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
	// Params, when set, matches only calls whose parameters hold these
	// values: one VM's stop, {"uuid": "…"}. Which parameters a call has
	// is the simulator's to say.
	Params map[string]string `json:",omitempty"`
}

// Installed is an installed fault with its counters.
type Installed struct {
	ID int `json:"id"`
	Fault
	// Matched counts the calls that matched, Fired those it failed.
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

// Faults is a list of installed faults. It is not safe for concurrent
// use: a simulator keeps it under its own mutex. The zero value is empty.
type Faults struct {
	list []*Installed
}

// Add installs a fault, with the defaults (status 500 unless it is a lost
// response, message "injected fault"), and returns its id.
func (l *Faults) Add(f Fault) int {
	if f.Status == 0 && !f.LostResponse {
		f.Status = http.StatusInternalServerError
	}
	if f.Message == "" {
		f.Message = "injected fault"
	}
	id := 1
	if n := len(l.list); n > 0 {
		id = l.list[n-1].ID + 1
	}
	l.list = append(l.list, &Installed{ID: id, Fault: f})
	return id
}

// Remove removes one fault by id.
func (l *Faults) Remove(id int) {
	for i, f := range l.list {
		if f.ID == id {
			l.list = append(l.list[:i], l.list[i+1:]...)
			return
		}
	}
}

// Clear removes every fault.
func (l *Faults) Clear() { l.list = nil }

// List returns copies of the installed faults, in the order installed.
func (l *Faults) List() []Installed {
	out := make([]Installed, len(l.list))
	for i, f := range l.list {
		out[i] = *f
	}
	return out
}

// Rand is the simulator's seeded generator (a *math/rand/v2.Rand).
type Rand interface{ Float64() float64 }

// Match returns the fault that fires for a call, if any: every matching
// fault counts the call, the first that fires wins. params gives the
// call's parameters for faults with Params; it is called at most once, and
// only when such a fault matches method and path; nil parameters match no
// Params. rng is drawn only for a fault with a Rate that could fire.
func (l *Faults) Match(method, path string, params func() url.Values, rng Rand) *Fault {
	var (
		fired *Fault
		vals  url.Values
		read  bool
	)
	for _, f := range l.list {
		if f.Method != "" && !strings.EqualFold(f.Method, method) || !PathMatch(f.Path, path) {
			continue
		}
		if len(f.Params) > 0 {
			if !read && params != nil {
				vals, read = params(), true
			}
			if !paramsMatch(f.Params, vals) {
				continue
			}
		}
		f.Matched++
		if fired != nil || f.Nth > 0 && f.Matched != f.Nth || f.Times > 0 && f.Fired >= f.Times ||
			f.Rate > 0 && rng.Float64() >= f.Rate {
			continue
		}
		f.Fired++
		cp := f.Fault
		fired = &cp
	}
	return fired
}

// paramsMatch reports whether a call's parameters hold the values.
func paramsMatch(want map[string]string, have url.Values) bool {
	for k, v := range want {
		if have == nil || have.Get(k) != v {
			return false
		}
	}
	return true
}

// PathMatch matches a path against a fault pattern ("" and "/**" match
// all; * is one segment, a trailing /** any rest).
func PathMatch(pattern, path string) bool {
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

// TransientFaults fail any API call with probability rate (seeded by the
// simulator's seed), before it changes anything: half of them 503, half
// 429 with Retry-After: retryAfter seconds (none when 0). Install them
// with AddFault; faults installed before them take precedence.
func TransientFaults(rate float64, retryAfter int) []Fault {
	if rate <= 0 {
		return nil
	}
	rate = min(rate, 1)
	// The second fault draws only when the first did not fire:
	// rate/2 + (1-rate/2)·q = rate.
	half := rate / 2
	return []Fault{
		{Path: "/**", Status: http.StatusServiceUnavailable, Message: "injected transient fault: service unavailable", Rate: half},
		{Path: "/**", Status: http.StatusTooManyRequests, Message: "injected transient fault: too many requests", RetryAfter: retryAfter, Rate: half / (1 - half)},
	}
}
