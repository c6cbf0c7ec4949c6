package sim

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ControlPrefix is where a running simulator answers about itself, on its
// own listener. API paths all start with /v1/, so these cannot collide:
//
//	GET    /_sim/calls        {"count": N, "calls": [{method, path, query, location, status, lost, pending, gateway_timeout, outcome}…]}
//	DELETE /_sim/calls        forget the recorded calls (the counter restarts at 0)
//	GET    /_sim/world        the world as JSON (the format of Save and --world)
//	GET    /_sim/faults       the installed faults
//	POST   /_sim/faults       install a fault: the body is a spec (ParseFault); answers its id
//	DELETE /_sim/faults       remove every fault
//	DELETE /_sim/faults/{id}  remove one fault
//
// Control calls are not API calls: no latency, no faults, not recorded.
// Without Options.APIKey they need no key; with it, the same apikey header.
const ControlPrefix = "/_sim/"

// ParseFault reads a fault from its one-line spec, as `idstack sim --fail`
// and POST /_sim/faults take it:
//
//	[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [lost]
//
// METHOD is an HTTP method, or * or absent for any. PATH is a Fault.Path
// pattern (no /v1, no location slug; * one segment, a trailing /** any
// rest). STATUS defaults to 500. "lost" makes it a lost response: the call
// is committed and the answer dropped (no STATUS then).
//
//	POST /user-resource/vm=503 nth=2
//	GET /network/load_balancers/*=429 retry-after=3 times=1
//	PATCH /user-resource/vm lost
func ParseFault(spec string) (Fault, error) {
	words := strings.Fields(spec)
	if len(words) == 0 {
		return Fault{}, fmt.Errorf("empty fault spec: want \"METHOD PATH[=STATUS]\"")
	}
	var f Fault
	if !strings.HasPrefix(words[0], "/") {
		if m := strings.ToUpper(words[0]); m != "*" && m != "ANY" {
			if !validMethod(m) {
				return Fault{}, fmt.Errorf("fault %q: %q is not an HTTP method", spec, words[0])
			}
			f.Method = m
		}
		words = words[1:]
	}
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return Fault{}, fmt.Errorf("fault %q: want a path that starts with /, as /user-resource/vm", spec)
	}
	path, status, hasStatus := strings.Cut(words[0], "=")
	if strings.HasPrefix(path, "/v1/") || path == "/v1" {
		return Fault{}, fmt.Errorf("fault %q: the path is matched without /v1 and the location: %s", spec, strings.TrimPrefix(path, "/v1"))
	}
	f.Path = path
	if hasStatus {
		n, err := strconv.Atoi(status)
		if err != nil || n < 400 || n > 599 {
			return Fault{}, fmt.Errorf("fault %q: status %q: want 400–599", spec, status)
		}
		f.Status = n
	}
	for _, w := range words[1:] {
		if w == "lost" {
			f.LostResponse = true
			continue
		}
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %q: unknown word %q: allowed: nth=N, times=N, rate=R, retry-after=S, param.NAME=VALUE, lost", spec, w)
		}
		if name, isParam := strings.CutPrefix(k, "param."); isParam {
			if name == "" || v == "" {
				return Fault{}, fmt.Errorf("fault %q: %s: want param.NAME=VALUE (a parameter of the query or form, as param.uuid=ID)", spec, w)
			}
			if f.Params == nil {
				f.Params = map[string]string{}
			}
			f.Params[name] = v
			continue
		}
		var err error
		switch k {
		case "nth":
			f.Nth, err = positive(v)
		case "times":
			f.Times, err = positive(v)
		case "retry-after":
			f.RetryAfter, err = positive(v)
		case "rate":
			f.Rate, err = strconv.ParseFloat(v, 64)
			if err == nil && (f.Rate <= 0 || f.Rate > 1) {
				err = fmt.Errorf("want a rate in (0, 1]")
			}
		default:
			err = fmt.Errorf("allowed: nth, times, rate, retry-after, param.NAME, lost")
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %v", spec, w, err)
		}
	}
	if f.LostResponse && hasStatus {
		return Fault{}, fmt.Errorf("fault %q: a lost response has no status", spec)
	}
	return f, nil
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a whole number ≥ 1")
	}
	return n, nil
}

// TransientFaults fail any API call with probability rate (seeded by
// Options.Seed), before it changes anything: half of them 503, half 429
// with Retry-After: retryAfter seconds (none when 0). Install them with
// AddFault; faults installed before them take precedence.
func TransientFaults(rate float64, retryAfter int) []Fault {
	if rate <= 0 {
		return nil
	}
	if rate > 1 {
		rate = 1
	}
	// The second fault draws only when the first did not fire:
	// rate/2 + (1-rate/2)·q = rate.
	half := rate / 2
	return []Fault{
		{Path: "/**", Status: http.StatusServiceUnavailable, Message: "injected transient fault: service unavailable", Rate: half},
		{Path: "/**", Status: http.StatusTooManyRequests, Message: "injected transient fault: too many requests", RetryAfter: retryAfter, Rate: half / (1 - half)},
	}
}

// callJSON is a recorded call as GET /_sim/calls shows it.
type callJSON struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query,omitempty"`
	Location string `json:"location,omitempty"`
	Status   int    `json:"status"`
	Lost     bool   `json:"lost,omitempty"`
	// Pending, GatewayTimeout and Outcome: see Call.
	Pending        bool `json:"pending,omitempty"`
	GatewayTimeout bool `json:"gateway_timeout,omitempty"`
	Outcome        int  `json:"outcome,omitempty"`
}

// faultJSON is an installed fault as GET /_sim/faults shows it.
type faultJSON struct {
	ID           int     `json:"id"`
	Method       string  `json:"method,omitempty"`
	Path         string  `json:"path"`
	Status       int     `json:"status,omitempty"`
	Message      string  `json:"message,omitempty"`
	RetryAfter   int     `json:"retry_after,omitempty"`
	Nth          int     `json:"nth,omitempty"`
	Rate         float64 `json:"rate,omitempty"`
	Times        int     `json:"times,omitempty"`
	LostResponse bool    `json:"lost_response,omitempty"`
	Matched      int     `json:"matched"`
	Fired        int     `json:"fired"`
}

// serveControl answers a request under ControlPrefix; it reports false
// for any other path.
func (s *Server) serveControl(rw http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, ControlPrefix) {
		return false
	}
	if s.apiKey != "" && r.Header.Get("apikey") != s.apiKey {
		controlErr(rw, http.StatusForbidden, "the control endpoints need the simulator's API key")
		return true
	}
	what := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	switch {
	case what == "calls" && r.Method == http.MethodGet:
		calls := s.Calls()
		out := struct {
			Count int        `json:"count"`
			Calls []callJSON `json:"calls"`
		}{Count: len(calls), Calls: make([]callJSON, len(calls))}
		for i, c := range calls {
			out.Calls[i] = callJSON(c)
		}
		writeJSON(rw, http.StatusOK, out)
	case what == "calls" && r.Method == http.MethodDelete:
		s.ResetCalls()
		rw.WriteHeader(http.StatusNoContent)
	case what == "world" && r.Method == http.MethodGet:
		rw.Header().Set("Content-Type", "application/json")
		_ = s.Save(rw)
	case what == "faults" && r.Method == http.MethodGet:
		writeJSON(rw, http.StatusOK, s.faultList())
	case what == "faults" && r.Method == http.MethodPost:
		b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			controlErr(rw, http.StatusBadRequest, err.Error())
			return true
		}
		f, err := ParseFault(string(b))
		if err != nil {
			controlErr(rw, http.StatusBadRequest, err.Error())
			return true
		}
		writeJSON(rw, http.StatusOK, map[string]int{"id": s.AddFault(f)})
	case what == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		rw.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(what, "faults/") && r.Method == http.MethodDelete:
		id, err := strconv.Atoi(strings.TrimPrefix(what, "faults/"))
		if err != nil {
			controlErr(rw, http.StatusBadRequest, "fault id: want a number")
			return true
		}
		s.RemoveFault(id)
		rw.WriteHeader(http.StatusNoContent)
	default:
		controlErr(rw, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path+
			": allowed: GET|DELETE /_sim/calls, GET /_sim/world, GET|POST|DELETE /_sim/faults, DELETE /_sim/faults/{id}")
	}
	return true
}

func (s *Server) faultList() []faultJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []faultJSON{}
	for _, f := range s.faults {
		out = append(out, faultJSON{ID: f.id, Method: f.Method, Path: f.Path, Status: f.Status, Message: f.Message,
			RetryAfter: f.RetryAfter, Nth: f.Nth, Rate: f.Rate, Times: f.Times, LostResponse: f.LostResponse,
			Matched: f.matched, Fired: f.fired})
	}
	return out
}

func controlErr(rw http.ResponseWriter, code int, msg string) {
	writeJSON(rw, code, map[string]any{"errors": map[string]string{"Error": msg}})
}
