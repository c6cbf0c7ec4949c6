package sim

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider/api"
)

func TestFaultNthCallFails(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Method: "GET", Path: "/user-resource/vm/list", Status: 500, Nth: 2})
	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, e.do("GET", "/v1/user-resource/vm/list", nil).Status)
	}
	want := []int{200, 500, 200, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
	// The slug is not part of the pattern: jkt02's list matches too.
	e.sim.ClearFaults()
	e.sim.AddFault(Fault{Path: "/user-resource/vm/*", Status: 503, Times: 2})
	for i, want := range []int{503, 503, 200} {
		if got := e.do("GET", "/v1/jkt02/user-resource/vm/list", nil).Status; got != want {
			t.Fatalf("call %d: %d, want %d", i, got, want)
		}
	}
	// A failed call changes nothing.
	e.sim.ClearFaults()
	e.sim.AddFault(Fault{Method: "POST", Path: "/user-resource/vm", Status: 500, Message: "boom"})
	before := e.sim.World()
	r := e.must(500, "POST", "/v1/user-resource/vm", vmCreate())
	if r.errMsg() != "boom" {
		t.Fatalf("message %q", r.errMsg())
	}
	if diff := cmp.Diff(before, e.sim.World()); diff != "" {
		t.Fatalf("a failed create changed the world (-before +after):\n%s", diff)
	}
	calls := e.sim.Calls()
	if last := calls[len(calls)-1]; last.Status != 500 || last.Method != "POST" {
		t.Fatalf("recorded %+v", last)
	}
}

func TestFaultRateIsSeeded(t *testing.T) {
	run := func() []int {
		e := newEnv(t, Options{Seed: 99})
		e.sim.AddFault(Fault{Path: "/network/networks", Status: 503, Rate: 0.5})
		var out []int
		for i := 0; i < 40; i++ {
			out = append(out, e.do("GET", "/v1/network/networks", nil).Status)
		}
		return out
	}
	a, b := run(), run()
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different outcomes:\n%v\n%v", a, b)
		}
		if a[i] == 503 {
			fails++
		}
	}
	if fails < 8 || fails > 32 {
		t.Fatalf("%d of 40 failed at rate 0.5", fails)
	}
}

func TestFault429RetryAfter(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Path: "/config/locations", Status: http.StatusTooManyRequests, RetryAfter: 7, Times: 1})
	r := e.must(429, "GET", "/v1/config/locations", nil)
	if got := r.Header.Get("Retry-After"); got != "7" {
		t.Fatalf("Retry-After %q", got)
	}
	e.must(200, "GET", "/v1/config/locations", nil)
	id := e.sim.AddFault(Fault{Path: "/config/**", Status: 503})
	e.must(503, "GET", "/v1/config/vm_images", nil)
	e.sim.RemoveFault(id)
	e.must(200, "GET", "/v1/config/vm_images", nil)
}

func TestFaultLostResponseCommits(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Method: "POST", Path: "/network/network", LostResponse: true, Times: 1})
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/network/network?name=lost", nil)
	req.Header.Set("apikey", "k")
	res, err := e.srv.Client().Do(req)
	if err == nil {
		res.Body.Close()
		t.Fatalf("got an answer (%d), want a transport error", res.StatusCode)
	}
	// The network exists although the client never heard of it.
	found := false
	for _, n := range e.sim.World().Networks {
		found = found || n.API.Name == "lost"
	}
	if !found {
		t.Fatal("the lost create was not committed")
	}
	calls := e.sim.Calls()
	if last := calls[len(calls)-1]; !last.Lost || last.Status != 200 {
		t.Fatalf("recorded %+v", last)
	}
	// The next call is answered normally.
	var ns []api.Network
	e.must(200, "GET", "/v1/network/networks", nil).decode(t, &ns)
	if len(ns) != 2 {
		t.Fatalf("networks %d", len(ns))
	}
}

func TestLatencyAndCallCount(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.SetLatency(30 * time.Millisecond)
	start := time.Now()
	e.must(200, "GET", "/v1/config/locations", nil)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("answered in %v", d)
	}
	e.sim.SetLatency(0)
	if n := e.sim.CallCount(); n != 1 {
		t.Fatalf("CallCount %d", n)
	}
	e.sim.ResetCalls()
	if n := e.sim.CallCount(); n != 0 {
		t.Fatalf("CallCount after reset %d", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Options{ReadyAfter: time.Millisecond})
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			e.do("POST", "/v1/user-resource/vm", vmCreate("name", "web-"+string(rune('a'+i))+"x"))
			e.do("GET", "/v1/network/networks", nil)
			_ = e.sim.World()
		}(i)
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	if n := len(e.sim.World().VMs); n != 8 {
		t.Fatalf("%d VMs", n)
	}
}
