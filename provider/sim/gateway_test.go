package sim

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/api"
)

// TestGatewayTimeout: a call still being served after GatewayTimeout is
// answered 504 by the gateway; the work carries on and completes at its
// normal time, and the call log shows both.
func TestGatewayTimeout(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name+"/vm create", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{Quirks: m.quirks, ReadyAfter: time.Minute, GatewayTimeout: 20 * time.Millisecond, Now: frozen})
			_, release := e.hold()
			r := e.do("POST", "/v1/user-resource/vm", vmCreate())
			if r.Status != 504 {
				t.Fatalf("status %d %s, want 504", r.Status, r.Body)
			}
			var body map[string]string
			if err := json.Unmarshal(r.Body, &body); err != nil || body["message"] != GatewayTimeoutMessage {
				t.Fatalf("body %s, want {\"message\": %q}", r.Body, GatewayTimeoutMessage)
			}
			c := e.waitCall("POST", "/user-resource/vm", func(Call) bool { return true })
			if c.Status != 504 || !c.GatewayTimeout || !c.Pending || c.Outcome != 0 {
				t.Fatalf("call log while in progress: %+v", c)
			}
			// The create goes on: in live mode nothing shows yet.
			if l := e.list(""); (m.quirks == QuirksLive) != (len(l) == 0) {
				t.Fatalf("list while in progress: %+v", l)
			}
			release()
			c = e.waitCall("POST", "/user-resource/vm", done)
			if c.Status != 504 || !c.GatewayTimeout || c.Outcome != 200 || c.Lost {
				t.Fatalf("call log when done: %+v", c)
			}
			if l := e.list(""); len(l) != 1 || l[0].Status != "running" {
				t.Fatalf("list when done: %+v", l)
			}
		})
		t.Run(m.name+"/slow network create", func(t *testing.T) {
			t.Parallel()
			// The gateway is no part of the API: any slow call times out.
			e := newEnv(t, Options{Quirks: m.quirks, Latency: time.Second, GatewayTimeout: 20 * time.Millisecond})
			e.must(504, "POST", "/v1/network/network?name=app", nil)
			c := e.waitCall("POST", "/network/network", done)
			if c.Status != 504 || !c.GatewayTimeout || c.Outcome != 200 {
				t.Fatalf("call log when done: %+v", c)
			}
			e.sim.SetLatency(0)
			if ns := e.networks(""); len(ns) != 2 || ns[1].Name != "app" {
				t.Fatalf("networks %+v", ns)
			}
		})
	}
}

// TestGatewayTimeoutNotReached: quick calls are the API's own answers.
func TestGatewayTimeoutNotReached(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Quirks: QuirksLive, ReadyAfter: 5 * time.Millisecond, GatewayTimeout: 10 * time.Second})
	vm := e.createVM("")
	e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
	for _, c := range e.sim.Calls() {
		if c.GatewayTimeout || c.Status != 200 || c.Outcome != 200 || c.Pending {
			t.Fatalf("call %+v", c)
		}
	}
	// SetGatewayTimeout applies to the calls that follow.
	e.sim.SetGatewayTimeout(time.Millisecond)
	e.sim.SetReadyAfter(time.Minute)
	_, release := e.hold()
	ctx := context.Background()
	if r := e.do("POST", "/v1/user-resource/vm/start", form("uuid", vm.UUID)); r.Status != 504 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	release()
	e.waitCall("POST", "/user-resource/vm/start", done)
	e.sim.SetGatewayTimeout(0)
	if r, err := e.send(ctx, "GET", "/v1/user-resource/vm?uuid="+vm.UUID, nil); err != nil || r.Status != 200 {
		t.Fatalf("get: %v", err)
	} else {
		var got api.VM
		r.decode(t, &got)
		if got.Status != "running" {
			t.Fatalf("status %q after the timed-out start", got.Status)
		}
	}
}
