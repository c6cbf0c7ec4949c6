package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec    string
		want    Fault
		wantErr string
	}{
		{spec: "POST /user-resource/vm", want: Fault{Method: "POST", Path: "/user-resource/vm"}},
		{spec: "post /user-resource/vm=503", want: Fault{Method: "POST", Path: "/user-resource/vm", Status: 503}},
		{spec: "/network/**=429 retry-after=3 times=2", want: Fault{Path: "/network/**", Status: 429, RetryAfter: 3, Times: 2}},
		{spec: "* /storage/disks/*=500 nth=2", want: Fault{Path: "/storage/disks/*", Status: 500, Nth: 2}},
		{spec: "  GET   /config/locations=502 rate=0.25 ", want: Fault{Method: "GET", Path: "/config/locations", Status: 502, Rate: 0.25}},
		{spec: "PATCH /user-resource/vm lost", want: Fault{Method: "PATCH", Path: "/user-resource/vm", LostResponse: true}},
		{spec: "POST /user-resource/vm/stop=400 param.uuid=abc-1", want: Fault{Method: "POST", Path: "/user-resource/vm/stop", Status: 400, Params: map[string]string{"uuid": "abc-1"}}},
		{spec: "POST /user-resource/vm/stop param.uuid=", wantErr: "want param.NAME=VALUE"},
		{spec: "", wantErr: "empty fault spec"},
		{spec: "FETCH /x", wantErr: "not an HTTP method"},
		{spec: "POST", wantErr: "want a path"},
		{spec: "POST user-resource/vm", wantErr: "want a path"},
		{spec: "POST /v1/user-resource/vm", wantErr: "without /v1"},
		{spec: "POST /user-resource/vm=200", wantErr: "want 400–599"},
		{spec: "POST /user-resource/vm=oops", wantErr: "want 400–599"},
		{spec: "POST /user-resource/vm nth=0", wantErr: "≥ 1"},
		{spec: "POST /user-resource/vm rate=1.5", wantErr: "(0, 1]"},
		{spec: "POST /user-resource/vm often", wantErr: "unknown word"},
		{spec: "POST /user-resource/vm colour=red", wantErr: "allowed: nth"},
		{spec: "POST /user-resource/vm=500 lost", wantErr: "no status"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFault(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransientFaults: the rate holds over every endpoint, both kinds of
// failure come, 429 carries Retry-After, a failed write changes nothing,
// and the same seed fails the same calls.
func TestTransientFaults(t *testing.T) {
	run := func() ([]int, *env) {
		e := newEnv(t, Options{Seed: 7})
		for _, f := range TransientFaults(0.3, 2) {
			e.sim.AddFault(f)
		}
		var out []int
		for i := 0; i < 600; i++ {
			path := []string{"/v1/network/networks", "/v1/config/locations", "/v1/jkt02/user-resource/vm/list"}[i%3]
			r := e.do("GET", path, nil)
			if r.Status == 429 && r.Header.Get("Retry-After") != "2" {
				t.Fatalf("429 with Retry-After %q", r.Header.Get("Retry-After"))
			}
			out = append(out, r.Status)
		}
		return out, e
	}
	a, e := run()
	b, _ := run()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different failures:\n%s", diff)
	}
	count := map[int]int{}
	for _, s := range a {
		count[s]++
	}
	failed := count[503] + count[429]
	if failed+count[200] != len(a) {
		t.Fatalf("statuses %v", count)
	}
	if failed < 140 || failed > 220 { // 180 expected
		t.Fatalf("%d of %d failed at rate 0.3 (%v)", failed, len(a), count)
	}
	if count[503] < 50 || count[429] < 50 {
		t.Fatalf("one kind of failure is rare: %v", count)
	}
	// Writes that fail change nothing; the ones that pass do.
	before := len(e.sim.World().Networks)
	made := 0
	for i := 0; i < 40; i++ {
		if r := e.do("POST", "/v1/network/network?name=n"+itoa(i), nil); r.Status == 200 {
			made++
		}
	}
	if got := len(e.sim.World().Networks) - before; got != made || made == 40 || made == 0 {
		t.Fatalf("%d networks made, %d creates answered 200", got, made)
	}
	if TransientFaults(0, 1) != nil {
		t.Fatal("rate 0 installs faults")
	}
}

// TestControlEndpoints drives /_sim/ over real HTTP, as a test against a
// running `idstack sim` does.
func TestControlEndpoints(t *testing.T) {
	e := newEnv(t, Options{})
	e.must(200, "GET", "/v1/config/locations", nil)
	e.must(200, "POST", "/v1/jkt02/network/network?name=app", nil)
	e.must(404, "GET", "/v1/storage/disks/"+missingUUID, nil)

	var calls struct {
		Count int        `json:"count"`
		Calls []callJSON `json:"calls"`
	}
	e.must(200, "GET", "/_sim/calls", nil).decode(t, &calls)
	want := []callJSON{
		{Method: "GET", Path: "/config/locations", Status: 200, Outcome: 200},
		{Method: "POST", Path: "/network/network", Query: "name=app", Location: "jkt02", Status: 200, Outcome: 200},
		{Method: "GET", Path: "/storage/disks/" + missingUUID, Location: "jkt01", Status: 404, Outcome: 404},
	}
	if calls.Count != 3 || e.sim.CallCount() != 3 {
		t.Fatalf("count %d, CallCount %d, want 3 (control calls are not counted)", calls.Count, e.sim.CallCount())
	}
	if diff := cmp.Diff(want, calls.Calls); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}

	// The world dump is the world.
	var w World
	e.must(200, "GET", "/_sim/world", nil).decode(t, &w)
	if diff := cmp.Diff(e.sim.World(), w); diff != "" {
		t.Fatalf("world dump (-World() +dump):\n%s", diff)
	}

	// Faults installed at run time.
	var id struct{ ID int }
	e.must(200, "POST", "/_sim/faults", "POST /network/network=503 times=1").decode(t, &id)
	e.must(503, "POST", "/v1/network/network?name=b", nil)
	e.must(200, "POST", "/v1/network/network?name=b", nil)
	var faults []faultJSON
	e.must(200, "GET", "/_sim/faults", nil).decode(t, &faults)
	if diff := cmp.Diff([]faultJSON{{ID: id.ID, Method: "POST", Path: "/network/network", Status: 503, Message: "injected fault", Times: 1, Matched: 2, Fired: 1}}, faults); diff != "" {
		t.Fatalf("faults (-want +got):\n%s", diff)
	}
	r := e.must(400, "POST", "/_sim/faults", "POST /v1/network/network")
	if !strings.Contains(r.errMsg(), "without /v1") {
		t.Fatalf("bad spec answered %s", r.Body)
	}
	e.must(200, "POST", "/_sim/faults", "GET /config/**=500")
	e.must(500, "GET", "/v1/config/vm_images", nil)
	e.must(204, "DELETE", "/_sim/faults/"+itoa(id.ID), nil)
	e.must(200, "GET", "/_sim/faults", nil).decode(t, &faults)
	if len(faults) != 1 || faults[0].Path != "/config/**" {
		t.Fatalf("after removing %d: %+v", id.ID, faults)
	}
	e.must(204, "DELETE", "/_sim/faults", nil)
	e.must(200, "GET", "/v1/config/vm_images", nil)

	e.must(204, "DELETE", "/_sim/calls", nil)
	e.must(200, "GET", "/_sim/calls", nil).decode(t, &calls)
	if calls.Count != 0 || len(calls.Calls) != 0 {
		t.Fatalf("after reset: %+v", calls)
	}
	r = e.must(404, "GET", "/_sim/nothing", nil)
	if !strings.Contains(r.errMsg(), "allowed: GET|DELETE /_sim/calls") {
		t.Fatalf("unknown control path answered %s", r.Body)
	}
	e.must(404, "PUT", "/_sim/world", nil)
}

func TestControlNeedsTheKeyWhenOneIsRequired(t *testing.T) {
	e := newEnv(t, Options{APIKey: "secret"})
	e.must(200, "GET", "/_sim/calls", nil)
	e.key = "wrong"
	e.must(403, "GET", "/_sim/calls", nil)
	e.must(403, "GET", "/_sim/world", nil)
	e.key = "-"
	e.must(403, "DELETE", "/_sim/faults", nil)
}

// TestControlSkipsLatencyAndFaults: asking a slow, failing simulator how
// it is doing is neither slow nor failing.
func TestControlSkipsLatencyAndFaults(t *testing.T) {
	e := newEnv(t, Options{Latency: 5 * time.Second})
	e.sim.AddFault(Fault{Path: "/**", Status: 500})
	e.sim.AddFault(Fault{Path: "/_sim/**", Status: 500})
	start := time.Now()
	var calls struct{ Count int }
	r := e.must(200, "GET", "/_sim/calls", nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("control call took %v", d)
	}
	if err := json.Unmarshal(r.Body, &calls); err != nil || calls.Count != 0 {
		t.Fatalf("calls %s (%v)", r.Body, err)
	}
	e.sim.SetLatency(0)
	if r := e.do("GET", "/v1/config/locations", nil); r.Status != http.StatusInternalServerError {
		t.Fatalf("API call %d, want the fault's 500", r.Status)
	}
}
