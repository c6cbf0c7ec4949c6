package sim

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// ControlPrefix is where a running simulator answers about itself. API
// paths all start with /v1/, so these cannot collide:
//
//	GET    /_sim/calls        {"count": N, "calls": [{method, path, query, status, code, lost, pending}…]}
//	DELETE /_sim/calls        forget the recorded calls
//	GET    /_sim/world        the world as JSON (the format of Save and --world)
//	GET    /_sim/faults       the installed faults
//	POST   /_sim/faults       install a fault: the body is a spec (ParseFault); answers its id
//	DELETE /_sim/faults       remove every fault
//	DELETE /_sim/faults/{id}  remove one fault
//
// Control calls are not API calls: no signature, latency, rate limit or
// faults, and they are not recorded. They need the access key in the
// X-iwinv-Credential header.
const ControlPrefix = "/_sim/"

// ParseFault reads a fault from its one-line spec:
//
//	[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [lost]
//
// PATH is a Fault.Path pattern (after /v1; * one segment, a trailing /**
// any rest). STATUS defaults to 500; "lost" makes it a lost response (no
// STATUS then).
//
//	POST /instances=503 nth=2
//	GET /block-storages=429 retry-after=1 times=1
//	POST /security-groups lost
func ParseFault(spec string) (Fault, error) {
	words := strings.Fields(spec)
	if len(words) == 0 {
		return Fault{}, fmt.Errorf("empty fault spec: want \"METHOD PATH[=STATUS]\"")
	}
	var f Fault
	if !strings.HasPrefix(words[0], "/") {
		if m := strings.ToUpper(words[0]); m != "*" && m != "ANY" {
			switch m {
			case "GET", "POST", "PUT", "PATCH", "DELETE":
				f.Method = m
			default:
				return Fault{}, fmt.Errorf("fault %q: %q is not an HTTP method", spec, words[0])
			}
		}
		words = words[1:]
	}
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return Fault{}, fmt.Errorf("fault %q: want a path that starts with /, as /instances", spec)
	}
	path, status, hasStatus := strings.Cut(words[0], "=")
	if path == "/v1" || strings.HasPrefix(path, "/v1/") {
		return Fault{}, fmt.Errorf("fault %q: the path is matched without /v1: %s", spec, strings.TrimPrefix(path, "/v1"))
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
			return Fault{}, fmt.Errorf("fault %q: unknown word %q: allowed: nth=N, times=N, rate=R, retry-after=S, lost", spec, w)
		}
		var err error
		switch k {
		case "nth":
			f.Nth, err = positiveInt(v)
		case "times":
			f.Times, err = positiveInt(v)
		case "retry-after":
			f.RetryAfter, err = positiveInt(v)
		case "rate":
			f.Rate, err = strconv.ParseFloat(v, 64)
			if err == nil && (f.Rate <= 0 || f.Rate > 1) {
				err = fmt.Errorf("want a rate in (0, 1]")
			}
		default:
			err = fmt.Errorf("allowed: nth, times, rate, retry-after, lost")
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

func positiveInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a whole number ≥ 1")
	}
	return n, nil
}

type callJSON struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Query   string `json:"query,omitempty"`
	Status  int    `json:"status"`
	Code    string `json:"code,omitempty"`
	Lost    bool   `json:"lost,omitempty"`
	Pending bool   `json:"pending,omitempty"`
}

type faultJSON struct {
	ID int `json:"id"`
	Fault
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

// serveControl answers a request under ControlPrefix; it reports false
// for any other path.
func (s *Server) serveControl(rw http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, ControlPrefix) {
		return false
	}
	s.mu.Lock()
	key := s.accessKey
	s.mu.Unlock()
	if r.Header.Get(api.HeaderCredential) != key {
		controlErr(rw, http.StatusForbidden, "the control endpoints need the simulator's access key in "+api.HeaderCredential)
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
		out = append(out, faultJSON{ID: f.id, Fault: f.Fault, Matched: f.matched, Fired: f.fired})
	}
	return out
}

func controlErr(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, api.Envelope{Code: api.CheckParam.Code, ErrorCode: api.CheckParam.Name, Message: msg, Result: []byte("null")})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	b, _ := jsonMarshal(v)
	_, _ = rw.Write(b)
}
