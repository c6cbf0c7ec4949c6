package sim

import (
	"net/http"
	"strings"

	"github.com/idstack/idstack/provider/simkit"
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
const ControlPrefix = simkit.ControlPrefix

// ParseFault reads a fault from its one-line spec, as `idstack sim --fail`
// and POST /_sim/faults take it:
//
//	[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [param.NAME=VALUE] [lost]
//
// METHOD is an HTTP method, or * or absent for any. PATH is a Fault.Path
// pattern (no /v1, no location slug; * one segment, a trailing /** any
// rest). STATUS defaults to 500. "lost" makes it a lost response: the call
// is committed and the answer dropped (no STATUS then).
//
//	POST /user-resource/vm=503 nth=2
//	GET /network/load_balancers/*=429 retry-after=3 times=1
//	PATCH /user-resource/vm lost
func ParseFault(spec string) (Fault, error) { return dialect.ParseFault(spec) }

// dialect is how idcloudhost's fault specs word their errors.
var dialect = simkit.Dialect{
	Methods:      []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"},
	Example:      "/user-resource/vm",
	Without:      "/v1 and the location",
	ParamExample: "a parameter of the query or form, as param.uuid=ID",
}

// TransientFaults fail any API call with probability rate (seeded by
// Options.Seed), before it changes anything: half of them 503, half 429
// with Retry-After: retryAfter seconds (none when 0). Install them with
// AddFault; faults installed before them take precedence.
func TransientFaults(rate float64, retryAfter int) []Fault {
	return simkit.TransientFaults(rate, retryAfter)
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
	simkit.Control{
		Sim:        s,
		Calls:      func() any { return simkit.CallLog(s.Calls(), func(c Call) callJSON { return callJSON(c) }) },
		Faults:     func() any { return s.faultList() },
		ParseFault: ParseFault,
		JSON:       writeJSON,
		Error:      controlErr,
	}.Serve(rw, r)
	return true
}

func (s *Server) faultList() []faultJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []faultJSON{}
	for _, f := range s.faults.List() {
		out = append(out, faultJSON{ID: f.ID, Method: f.Method, Path: f.Path, Status: f.Status, Message: f.Message,
			RetryAfter: f.RetryAfter, Nth: f.Nth, Rate: f.Rate, Times: f.Times, LostResponse: f.LostResponse,
			Matched: f.Matched, Fired: f.Fired})
	}
	return out
}

func controlErr(rw http.ResponseWriter, code int, msg string) {
	writeJSON(rw, code, map[string]any{"errors": map[string]string{"Error": msg}})
}
