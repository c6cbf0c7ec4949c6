package sim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider/iwinv/api"
)

func TestParseFault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec string
		want Fault
		err  string
	}{
		{spec: "POST /instances=503 nth=2", want: Fault{Method: "POST", Path: "/instances", Status: 503, Nth: 2}},
		{spec: "GET /block-storages=429 retry-after=1 times=1", want: Fault{Method: "GET", Path: "/block-storages", Status: 429, RetryAfter: 1, Times: 1}},
		{spec: "post /security-groups lost", want: Fault{Method: "POST", Path: "/security-groups", LostResponse: true}},
		{spec: "* /** rate=0.5", want: Fault{Path: "/**", Rate: 0.5}},
		{spec: "", err: "empty"},
		{spec: "FETCH /x", err: "not an HTTP method"},
		{spec: "GET /v1/zones", err: "without /v1"},
		{spec: "GET /zones=200", err: "400–599"},
		{spec: "GET /zones=500 lost", err: "no status"},
		{spec: "GET /zones often", err: "unknown word"},
		{spec: "GET /zones rate=2", err: "rate"},
	} {
		got, err := ParseFault(tc.spec)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseFault(%q) = %v, want an error with %q", tc.spec, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("ParseFault(%q): %v", tc.spec, err)
		case tc.err == "" && !cmp.Equal(got, tc.want):
			t.Errorf("ParseFault(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
	}
}

// TestFaults: a fault fails the Nth matching call before it changes
// anything, with the documented envelope; Times bounds it.
func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	create := form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-std-1c1g", "name", "x"}
	e.sim.AddFault(Fault{Method: "POST", Path: "/instances", Status: 503, Nth: 2})
	e.sim.AddFault(Fault{Method: "GET", Path: "/instances/*", Status: 429, RetryAfter: 3, Times: 1})
	e.must(202, "POST", "/v1/instances", create)
	e.fails(503, api.DevCheckReturn, "POST", "/v1/instances", create)
	e.must(202, "POST", "/v1/instances", create)
	if n := len(e.sim.World().Instances); n != 2 {
		t.Errorf("%d instances, want 2: the failed create changed something", n)
	}
	id := e.sim.World().Instances[0].ID
	a := e.fails(429, api.LimitExceeded, "GET", "/v1/instances/"+id, nil)
	if a.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	e.must(200, "GET", "/v1/instances/"+id, nil)
	e.sim.ClearFaults()
	calls := e.sim.Calls()
	want := []int{202, 503, 202, 429, 200}
	for i, c := range calls {
		if c.Status != want[i] {
			t.Errorf("call %d: %+v, want status %d", i, c, want[i])
		}
	}
}

// TestLostResponse: the change is made, the answer never arrives (over
// HTTP and in process), and the call log says so.
func TestLostResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Method: "POST", Path: "/security-groups", LostResponse: true, Times: 1})
	_, err := e.srv.Client().Do(e.request("POST", "/v1/security-groups", api.SecurityGroupInput{Title: "lost"}))
	if err == nil {
		t.Fatal("a lost response arrived")
	}
	if w := e.sim.World(); len(w.SecurityGroups) != 1 || w.SecurityGroups[0].Title != "lost" {
		t.Errorf("the lost create did not happen: %+v", w.SecurityGroups)
	}
	e.sim.AddFault(Fault{Method: "POST", Path: "/instances", LostResponse: true, Times: 1})
	req := e.request("POST", "/v1/instances", form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-std-1c1g", "name", "x"})
	_, err = e.sim.Client().Do(req)
	if !errors.Is(err, ErrLostResponse) {
		t.Fatalf("in process: %v, want ErrLostResponse", err)
	}
	calls := e.sim.Calls()
	if len(calls) != 2 || !calls[0].Lost || calls[0].Status != 200 || !calls[1].Lost || calls[1].Status != 202 || !calls[1].Pending {
		t.Errorf("call log %+v", calls)
	}
}

// TestTransientFaults: about the rate asked for, half 503 half 429, none
// of them changing anything.
func TestTransientFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Seed: 7})
	for _, f := range TransientFaults(0.2, 1) {
		e.sim.AddFault(f)
	}
	failed := map[int]int{}
	for range 400 {
		a := e.do("GET", "/v1/zones", nil)
		if a.status != 200 {
			failed[a.status]++
			if a.status == 429 && a.header.Get("Retry-After") != "1" {
				t.Fatalf("a transient 429 without Retry-After: %v", a.header)
			}
		}
	}
	n := failed[503] + failed[429]
	if n < 50 || n > 110 || failed[503] < 20 || failed[429] < 20 || len(failed) != 2 {
		t.Errorf("failures %v of 400 calls at rate 0.2", failed)
	}
}

// TestLatency: a client that leaves while its call waits out the latency
// withdraws it: the API never saw it.
func TestLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	req := e.request("POST", "/v1/security-groups", api.SecurityGroupInput{Title: "never"}).WithContext(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := e.sim.Client().Do(req) // in process: returns once the handler has
		errc <- err
	}()
	cancel()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("the call went through")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not end with its context")
	}
	if n := e.sim.CallCount(); n != 0 || len(e.sim.World().SecurityGroups) != 0 {
		t.Errorf("a withdrawn call was served: %d calls", n)
	}
	e.sim.SetLatency(0)
	e.must(200, "GET", "/v1/zones", nil)
}

// TestSaveLoad: the world survives Save and Load, and a transition saved
// unfinished ends by the clock.
func TestSaveLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	newFixture(e)
	id := e.createInstance(SecondZone, "half-built")
	var buf bytes.Buffer
	if err := e.sim.Save(&buf); err != nil {
		t.Fatal(err)
	}
	s2 := New(Options{Now: e.clock.Now, ReadyAfter: testReady})
	if err := s2.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e.sim.World(), s2.World()); d != "" {
		t.Errorf("world after Load (-saved +loaded):\n%s", d)
	}
	e.clock.Advance(testReady)
	if in := s2.World().Instances; in[len(in)-1].ID != id || in[len(in)-1].Status != api.StatusActive {
		t.Errorf("the loaded instance did not finish building: %+v", in[len(in)-1])
	}
	if err := s2.Load(strings.NewReader(`{"zones": []}`)); err == nil {
		t.Error("a world without zones loaded")
	}
}

// TestControl: the control endpoints need the access key and show the
// call log, the world and the faults.
func TestControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.must(200, "GET", "/v1/zones", nil)
	get := func(method, path, body string, key string) (int, string) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set(api.HeaderCredential, key)
		}
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, _ := get("GET", "/_sim/calls", "", ""); st != 403 {
		t.Errorf("calls without the key: %d", st)
	}
	if st, b := get("GET", "/_sim/calls", "", DefaultAccessKey); st != 200 || !strings.Contains(b, `"path":"/zones"`) {
		t.Errorf("calls: %d %s", st, b)
	}
	if st, b := get("POST", "/_sim/faults", "GET /zones=502 times=1", DefaultAccessKey); st != 200 || !strings.Contains(b, `"id":1`) {
		t.Errorf("add fault: %d %s", st, b)
	}
	e.fails(502, api.DevCheckReturn, "GET", "/v1/zones", nil)
	if st, b := get("GET", "/_sim/world", "", DefaultAccessKey); st != 200 || !strings.Contains(b, `"zone_id": "KR1-Z01"`) {
		t.Errorf("world: %d %.80s", st, b)
	}
	if st, _ := get("DELETE", "/_sim/faults", "", DefaultAccessKey); st != 204 {
		t.Errorf("clear faults: %d", st)
	}
	if st, _ := get("GET", "/_sim/nothing", "", DefaultAccessKey); st != 404 {
		t.Errorf("unknown control endpoint: %d", st)
	}
}
