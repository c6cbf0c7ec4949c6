package simkit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Dialect is what a simulator's fault specs say in its own words.
type Dialect struct {
	// Methods are the HTTP methods a spec may name (upper case).
	Methods []string
	// Example is a path for the error about a missing path ("/instances").
	Example string
	// Without says what the path is matched without, for the error about
	// a path that starts with /v1 ("/v1", "/v1 and the location").
	Without string
	// ParamExample explains param.NAME=VALUE in its error ("a parameter
	// of the query or form, as param.uuid=ID").
	ParamExample string
}

// ParseFault reads a fault from its one-line spec:
//
//	[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [param.NAME=VALUE] [lost]
//
// METHOD is one of d.Methods, or * or ANY or absent for any. PATH is a
// Fault.Path pattern; a path that starts with /v1 is refused, as paths are
// matched without it. STATUS (400–599) defaults to 500. param.NAME=VALUE
// (repeatable) fills Fault.Params. "lost" makes it a lost response: the
// call is committed and the answer dropped (no STATUS then).
func (d Dialect) ParseFault(spec string) (Fault, error) {
	words := strings.Fields(spec)
	if len(words) == 0 {
		return Fault{}, fmt.Errorf("empty fault spec: want \"METHOD PATH[=STATUS]\"")
	}
	var f Fault
	if !strings.HasPrefix(words[0], "/") {
		if m := strings.ToUpper(words[0]); m != "*" && m != "ANY" {
			if !slices.Contains(d.Methods, m) {
				return Fault{}, fmt.Errorf("fault %q: %q is not an HTTP method", spec, words[0])
			}
			f.Method = m
		}
		words = words[1:]
	}
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return Fault{}, fmt.Errorf("fault %q: want a path that starts with /, as %s", spec, d.Example)
	}
	path, status, hasStatus := strings.Cut(words[0], "=")
	if path == "/v1" || strings.HasPrefix(path, "/v1/") {
		return Fault{}, fmt.Errorf("fault %q: the path is matched without %s: %s", spec, d.Without, strings.TrimPrefix(path, "/v1"))
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
				return Fault{}, fmt.Errorf("fault %q: %s: want param.NAME=VALUE (%s)", spec, w, d.ParamExample)
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

func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a whole number ≥ 1")
	}
	return n, nil
}
