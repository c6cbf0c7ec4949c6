package simkit

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ControlPrefix is where a running simulator answers about itself, on its
// own listener. API paths all start with /v1/, so these cannot collide.
const ControlPrefix = "/_sim/"

// Simulator is what the control endpoints act on.
type Simulator interface {
	AddFault(Fault) int
	RemoveFault(id int)
	ClearFaults()
	ResetCalls()
	Save(io.Writer) error
}

// Control routes the control endpoints both simulators have:
//
//	GET    /_sim/calls        Calls()
//	DELETE /_sim/calls        forget the recorded calls
//	GET    /_sim/world        the world as JSON (Save)
//	GET    /_sim/faults       Faults()
//	POST   /_sim/faults       install a fault: the body is a spec (ParseFault); answers its id
//	DELETE /_sim/faults       remove every fault
//	DELETE /_sim/faults/{id}  remove one fault
//
// The simulator checks the caller first; JSON and Error write its answers
// in its own shapes.
type Control struct {
	Sim Simulator
	// Calls and Faults are the call log and the installed faults as the
	// simulator shows them.
	Calls, Faults func() any
	ParseFault    func(string) (Fault, error)
	JSON          func(rw http.ResponseWriter, status int, v any)
	Error         func(rw http.ResponseWriter, status int, msg string)
}

// CallLog is GET /_sim/calls' answer, {"count": N, "calls": […]}: the
// call log with each call shown as show makes it.
func CallLog[C, J any](calls []C, show func(C) J) any {
	out := struct {
		Count int `json:"count"`
		Calls []J `json:"calls"`
	}{Count: len(calls), Calls: make([]J, len(calls))}
	for i, c := range calls {
		out.Calls[i] = show(c)
	}
	return out
}

// Serve answers r, whose path is under ControlPrefix.
func (c Control) Serve(rw http.ResponseWriter, r *http.Request) {
	what := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	switch {
	case what == "calls" && r.Method == http.MethodGet:
		c.JSON(rw, http.StatusOK, c.Calls())
	case what == "calls" && r.Method == http.MethodDelete:
		c.Sim.ResetCalls()
		rw.WriteHeader(http.StatusNoContent)
	case what == "world" && r.Method == http.MethodGet:
		rw.Header().Set("Content-Type", "application/json")
		_ = c.Sim.Save(rw)
	case what == "faults" && r.Method == http.MethodGet:
		c.JSON(rw, http.StatusOK, c.Faults())
	case what == "faults" && r.Method == http.MethodPost:
		b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			c.Error(rw, http.StatusBadRequest, err.Error())
			return
		}
		f, err := c.ParseFault(string(b))
		if err != nil {
			c.Error(rw, http.StatusBadRequest, err.Error())
			return
		}
		c.JSON(rw, http.StatusOK, map[string]int{"id": c.Sim.AddFault(f)})
	case what == "faults" && r.Method == http.MethodDelete:
		c.Sim.ClearFaults()
		rw.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(what, "faults/") && r.Method == http.MethodDelete:
		id, err := strconv.Atoi(strings.TrimPrefix(what, "faults/"))
		if err != nil {
			c.Error(rw, http.StatusBadRequest, "fault id: want a number")
			return
		}
		c.Sim.RemoveFault(id)
		rw.WriteHeader(http.StatusNoContent)
	default:
		c.Error(rw, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path+
			": allowed: GET|DELETE /_sim/calls, GET /_sim/world, GET|POST|DELETE /_sim/faults, DELETE /_sim/faults/{id}")
	}
}
