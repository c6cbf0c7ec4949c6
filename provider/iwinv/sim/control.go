package sim

import (
	"net/http"
	"strings"

	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/simkit"
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
const ControlPrefix = simkit.ControlPrefix

// ParseFault reads a fault from its one-line spec:
//
//	[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [param.NAME=VALUE] [lost]
//
// PATH is a Fault.Path pattern (after /v1; * one segment, a trailing /**
// any rest). STATUS defaults to 500; "lost" makes it a lost response (no
// STATUS then). param.NAME=VALUE fills Fault.Params.
//
//	POST /instances=503 nth=2
//	GET /block-storages=429 retry-after=1 times=1
//	POST /security-groups lost
func ParseFault(spec string) (Fault, error) { return dialect.ParseFault(spec) }

// dialect is how iwinv's fault specs word their errors.
var dialect = simkit.Dialect{
	Methods:      []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
	Example:      "/instances",
	Without:      "/v1",
	ParamExample: "a parameter of the query or body, as param.instance_id=ID",
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

// faultJSON is an installed fault as GET /_sim/faults shows it.
type faultJSON = simkit.Installed

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
	return s.faults.List()
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
