package simkit

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPathMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything", true},
		{"/**", "/a/b", true},
		{"/network/load_balancers/*", "/network/load_balancers/abc", true},
		{"/network/load_balancers/*", "/network/load_balancers/abc/targets", false},
		{"/network/**", "/network/load_balancers/abc/targets", true},
		{"/instances", "/instances/x", false},
		{"/instances/*/start", "/instances/x/start", true},
	} {
		if got := PathMatch(tc.pattern, tc.path); got != tc.want {
			t.Errorf("PathMatch(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

type fixed float64

func (f fixed) Float64() float64 { return float64(f) }

// TestFaults: defaults and ids, Nth and Times, the first fault to fire
// wins while every match counts, Params against the call's parameters.
func TestFaults(t *testing.T) {
	var l Faults
	if id := l.Add(Fault{Method: "post", Path: "/vm", Nth: 2}); id != 1 {
		t.Fatalf("first id %d", id)
	}
	l.Add(Fault{Path: "/vm", LostResponse: true, Times: 1})
	id3 := l.Add(Fault{Path: "/vm/stop", Status: 400, Params: map[string]string{"uuid": "a"}})
	got := l.List()
	if got[0].Status != 500 || got[0].Message != "injected fault" || got[1].Status != 0 || got[2].ID != 3 {
		t.Fatalf("defaults: %+v", got)
	}
	rng := fixed(0)
	none := func() url.Values { return nil }
	if f := l.Match("POST", "/vm", none, rng); f == nil || !f.LostResponse {
		t.Fatalf("call 1: %+v, want the lost response", f)
	}
	if f := l.Match("POST", "/vm", none, rng); f == nil || f.Status != 500 {
		t.Fatalf("call 2: %+v, want the 2nd-call fault", f)
	}
	if f := l.Match("POST", "/vm", none, rng); f != nil {
		t.Fatalf("call 3: %+v, want none", f)
	}
	if f := l.Match("GET", "/vm/stop", none, rng); f != nil {
		t.Fatalf("no parameters: %+v", f)
	}
	if f := l.Match("GET", "/vm/stop", func() url.Values { return url.Values{"uuid": {"b"}} }, rng); f != nil {
		t.Fatalf("another uuid: %+v", f)
	}
	if f := l.Match("GET", "/vm/stop", func() url.Values { return url.Values{"uuid": {"a"}} }, rng); f == nil || f.Status != 400 {
		t.Fatalf("its uuid: %+v", f)
	}
	want := []int{3, 3, 1}
	for i, f := range l.List() {
		if f.Matched != want[i] {
			t.Errorf("fault %d matched %d, want %d", f.ID, f.Matched, want[i])
		}
	}
	l.Remove(id3)
	if id := l.Add(Fault{}); id != 3 {
		t.Errorf("id after removing the last: %d", id)
	}
	l.Clear()
	if len(l.List()) != 0 {
		t.Error("Clear left faults")
	}
	if f := (&Faults{}).Match("GET", "/", nil, fixed(0.9)); f != nil {
		t.Error("an empty list fired")
	}
	l.Add(Fault{Rate: 0.5})
	if l.Match("GET", "/", nil, fixed(0.9)) != nil || l.Match("GET", "/", nil, fixed(0.1)) == nil {
		t.Error("Rate")
	}
}

func TestDialectParseFault(t *testing.T) {
	d := Dialect{Methods: []string{"GET", "POST"}, Example: "/things", Without: "/v1", ParamExample: "as param.id=ID"}
	f, err := d.ParseFault("post /things/*=429 retry-after=2 times=1 param.id=x param.zone=z")
	if err != nil {
		t.Fatal(err)
	}
	want := Fault{Method: "POST", Path: "/things/*", Status: 429, RetryAfter: 2, Times: 1, Params: map[string]string{"id": "x", "zone": "z"}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	for spec, msg := range map[string]string{
		"PUT /things":         `"PUT" is not an HTTP method`,
		"GET things":          "as /things",
		"GET /v1/things":      "without /v1: /things",
		"GET /things param.x": "unknown word",
		"GET /things param.=": "(as param.id=ID)",
	} {
		if _, err := d.ParseFault(spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseFault(%q): %v, want an error with %q", spec, err, msg)
		}
	}
}

// TestTransport: the in-process transport serves the handler, leaves the
// request's body readable, and turns an aborted handler into
// ErrLostResponse.
func TestTransport(t *testing.T) {
	h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lost" {
			panic(http.ErrAbortHandler)
		}
		rw.WriteHeader(http.StatusTeapot)
	})
	c := &http.Client{Transport: Transport(h)}
	res, err := c.Post("http://ignored/x", "text/plain", strings.NewReader("body"))
	if err != nil || res.StatusCode != http.StatusTeapot {
		t.Fatalf("%v %v", res, err)
	}
	res.Body.Close()
	if _, err := c.Get("http://ignored/lost"); !errors.Is(err, ErrLostResponse) {
		t.Fatalf("lost: %v", err)
	}
}
