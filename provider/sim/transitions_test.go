package sim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider/api"
)

// frozen is a clock that never moves: a transition then ends only when its
// blocking call does (or never, with AsyncVMs).
func frozen() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

var modes = []struct{ name, quirks string }{{"document", ""}, {"live", QuirksLive}}

// TestVMCallsAnswerWhenDone: by default VM create, start and stop take
// ReadyAfter, show the transitional status meanwhile (a VM being created
// is not even there in live mode), and answer the final status when done.
func TestVMCallsAnswerWhenDone(t *testing.T) {
	t.Parallel()
	const ready = time.Hour // held: never slept for real
	calls := []struct {
		name          string
		path          string
		stopFirst     bool
		during, final string
	}{
		{name: "create", path: "/user-resource/vm", during: "creating", final: "running"},
		{name: "stop", path: "/user-resource/vm/stop", during: "stopping", final: "stopped"},
		{name: "start", path: "/user-resource/vm/start", stopFirst: true, during: "starting", final: "running"},
	}
	for _, m := range modes {
		for _, tc := range calls {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, Options{Quirks: m.quirks, Now: frozen})
				var uuid string
				body := vmCreate()
				if tc.name != "create" {
					vm := e.createVM("")
					uuid, body = vm.UUID, form("uuid", vm.UUID)
					if tc.stopFirst {
						e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", uuid))
					}
				}
				e.sim.SetReadyAfter(ready)
				asked, release := e.hold()
				ans := e.goSend(context.Background(), "POST", "/v1"+tc.path, body)
				e.waitCall("POST", tc.path, pending)
				if d := <-asked; d != ready {
					t.Errorf("the call takes %v, want ReadyAfter (%v)", d, ready)
				}
				if uuid == "" {
					uuid = e.sim.World().VMs[0].API.UUID
				}

				// Meanwhile.
				hidden := m.quirks == QuirksLive && tc.name == "create"
				if hidden {
					e.must(400, "GET", "/v1/user-resource/vm?uuid="+uuid, nil)
					if n := len(e.list("")); n != 0 {
						t.Errorf("the VM being created is listed (%d VMs)", n)
					}
					if ns := e.networks(""); len(ns[0].VMUUIDs) != 0 || ns[0].ResourcesCount != 0 {
						t.Errorf("the network shows the VM being created: %+v", ns[0])
					}
				} else {
					if got := e.getVM(uuid).Status; got != tc.during {
						t.Errorf("status while in progress %q, want %q", got, tc.during)
					}
					if l := e.list(""); len(l) != 1 || l[0].Status != tc.during {
						t.Errorf("list while in progress: %+v", l)
					}
					r := e.must(409, "PATCH", "/v1/user-resource/vm", form("uuid", uuid, "name", "renamed"))
					if !strings.Contains(r.errMsg(), "try again") {
						t.Errorf("busy message %q", r.errMsg())
					}
				}
				select {
				case a := <-ans:
					t.Fatalf("answered before the work was done: %d %s %v", a.Status, a.Body, a.err)
				default:
				}

				release()
				a := <-ans
				if a.err != nil || a.Status != 200 {
					t.Fatalf("answer %d %s %v", a.Status, a.Body, a.err)
				}
				var vm api.VM
				a.decode(t, &vm)
				if vm.UUID != uuid || vm.Status != tc.final {
					t.Fatalf("answered %s %q, want %s %q", vm.UUID, vm.Status, uuid, tc.final)
				}
				if got := e.getVM(uuid).Status; got != tc.final {
					t.Fatalf("status after %q, want %q", got, tc.final)
				}
				if l := e.list(""); len(l) != 1 || l[0].UUID != uuid {
					t.Fatalf("list after: %+v", l)
				}
				c := e.waitCall("POST", tc.path, done)
				if c.Status != 200 || c.Outcome != 200 || c.Lost || c.GatewayTimeout {
					t.Fatalf("call log %+v", c)
				}
			})
		}
	}
}

// TestVMCreateTakesReadyAfter measures the real thing, in both modes.
func TestVMCreateTakesReadyAfter(t *testing.T) {
	t.Parallel()
	const ready = 60 * time.Millisecond
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{Quirks: m.quirks, ReadyAfter: ready})
			start := time.Now()
			vm := e.createVM("")
			if took := time.Since(start); vm.Status != "running" || took < ready {
				t.Fatalf("create answered %q after %v, want running after at least %v", vm.Status, took, ready)
			}
			start = time.Now()
			var stopped api.VM
			e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID)).decode(t, &stopped)
			if took := time.Since(start); stopped.Status != "stopped" || took < ready {
				t.Fatalf("stop answered %q after %v", stopped.Status, took)
			}
			// A no-op does not wait: it answers while waits are held.
			_, release := e.hold()
			defer release()
			select {
			case a := <-e.goSend(context.Background(), "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID)):
				if a.err != nil || a.Status != 200 {
					t.Fatalf("no-op stop: %d %s %v", a.Status, a.Body, a.err)
				}
				a.decode(t, &stopped)
				if stopped.Status != "stopped" {
					t.Fatalf("no-op stop answered %q", stopped.Status)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("a no-op stop waited")
			}
		})
	}
}

// TestAsyncVMs: the asynchronous variant answers at once with the
// transitional status, which the clock ends after ReadyAfter.
func TestAsyncVMs(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			e := newEnv(t, Options{Quirks: m.quirks, AsyncVMs: true, ReadyAfter: 30 * time.Second, Now: clk.Now})
			vm := e.createVM("")
			if vm.Status != "creating" {
				t.Fatalf("create answered %q, want creating", vm.Status)
			}
			// Answered, so known to its client: listed even in live mode.
			if l := e.list(""); len(l) != 1 || l[0].Status != "creating" {
				t.Fatalf("list %+v", l)
			}
			if c := e.waitCall("POST", "/user-resource/vm", done); c.Status != 200 || c.Pending {
				t.Fatalf("call log %+v", c)
			}
			e.must(409, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
			clk.Advance(29 * time.Second)
			if got := e.getVM(vm.UUID).Status; got != "creating" {
				t.Fatalf("after 29s %q, want creating", got)
			}
			clk.Advance(time.Second)
			if got := e.getVM(vm.UUID).Status; got != "running" {
				t.Fatalf("after 30s %q, want running", got)
			}
			for _, step := range []struct{ path, during, final string }{
				{"/user-resource/vm/stop", "stopping", "stopped"},
				{"/user-resource/vm/start", "starting", "running"},
			} {
				var got api.VM
				e.must(200, "POST", "/v1"+step.path, form("uuid", vm.UUID)).decode(t, &got)
				if got.Status != step.during {
					t.Fatalf("%s answered %q, want %q", step.path, got.Status, step.during)
				}
				clk.Advance(30 * time.Second)
				if got := e.getVM(vm.UUID).Status; got != step.final {
					t.Fatalf("%s: after 30s %q, want %q", step.path, got, step.final)
				}
			}
		})
	}
}

// TestBusyVMRefusesChanges: while a VM is creating, starting or stopping,
// every call that changes it answers 409 saying what it waits for, and
// changes nothing; reads still work.
func TestBusyVMRefusesChanges(t *testing.T) {
	t.Parallel()
	states := []struct {
		status, message string
		setup           func(e *env, uuid string)
	}{
		{"creating", "is being created; try again when it is running", nil},
		{"stopping", "is stopping; try again when it is stopped", func(e *env, uuid string) {
			e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", uuid))
		}},
		{"starting", "is starting; try again when it is running", func(e *env, uuid string) {
			e.sim.SetReadyAfter(0)
			e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", uuid))
			e.sim.SetReadyAfter(time.Hour)
			e.must(200, "POST", "/v1/user-resource/vm/start", form("uuid", uuid))
		}},
	}
	calls := func(uuid string) []struct {
		method, path string
		body         url.Values
	} {
		return []struct {
			method, path string
			body         url.Values
		}{
			{"POST", "/user-resource/vm/start", form("uuid", uuid)},
			{"POST", "/user-resource/vm/stop", form("uuid", uuid)},
			{"PATCH", "/user-resource/vm", form("uuid", uuid, "name", "renamed")},
			{"PATCH", "/user-resource/vm", form("uuid", uuid, "vcpu", "4")},
			{"DELETE", "/user-resource/vm", form("uuid", uuid)},
			{"PATCH", "/user-resource/vm/user", form("uuid", uuid, "username", "deploy", "password", "Newpass123")},
			{"POST", "/user-resource/vm/backup", form("uuid", uuid)},
			{"POST", "/user-resource/vm/reinstall", form("uuid", uuid, "os_name", "debian", "os_version", "12")},
			{"POST", "/user-resource/vm/rebuild", form("uuid", uuid, "replica_uuid", "x")},
			{"POST", "/user-resource/vm/replica", form("uuid", uuid)},
			{"POST", "/user-resource/vm/clone", form("uuid", uuid, "name", "web-clone")},
			{"POST", "/user-resource/vm/storage", form("uuid", uuid, "size_gb", "30")},
			{"PATCH", "/user-resource/vm/storage", form("uuid", uuid, "disk_uuid", "x", "size_gb", "30")},
			{"DELETE", "/user-resource/vm/storage", form("uuid", uuid, "storage_uuid", "x")},
			{"POST", "/user-resource/vm/storage/attach", form("uuid", uuid, "storage_uuid", "x")},
			{"POST", "/user-resource/vm/storage/detach", form("uuid", uuid, "storage_uuid", "x")},
		}
	}
	for _, st := range states {
		t.Run(st.status, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{AsyncVMs: true, ReadyAfter: time.Hour, Now: frozen})
			if st.setup != nil {
				e.sim.SetReadyAfter(0)
			}
			vm := e.createVM("")
			if st.setup != nil {
				e.sim.SetReadyAfter(time.Hour)
				st.setup(e, vm.UUID)
			}
			if got := e.getVM(vm.UUID).Status; got != st.status {
				t.Fatalf("status %q, want %q", got, st.status)
			}
			before := e.sim.World()
			for _, c := range calls(vm.UUID) {
				r := e.do(c.method, "/v1"+c.path, c.body)
				if r.Status != http.StatusConflict || !strings.Contains(r.errMsg(), vm.UUID+" "+st.message) {
					t.Errorf("%s %s %v: %d %q; want 409 saying %q", c.method, c.path, c.body, r.Status, r.errMsg(), st.message)
				}
			}
			if d := cmp.Diff(before, e.sim.World()); d != "" {
				t.Errorf("refused calls changed the world (-before +after):\n%s", d)
			}
			e.must(200, "GET", "/v1/user-resource/vm/replica?uuid="+vm.UUID, nil)
		})
	}
}

// TestBusyInSyncMode: the same 409 while a blocking stop is in progress
// (the stop of another client, say).
func TestBusyInSyncMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Quirks: QuirksLive, Now: frozen})
	vm := e.createVM("")
	e.sim.SetReadyAfter(time.Minute)
	_, release := e.hold()
	ans := e.goSend(context.Background(), "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
	e.waitCall("POST", "/user-resource/vm/stop", pending)
	r := e.must(409, "POST", "/v1/user-resource/vm/start", form("uuid", vm.UUID))
	if want := "Virtual machine " + vm.UUID + " is stopping; try again when it is stopped"; r.errMsg() != want {
		t.Fatalf("message %q, want %q", r.errMsg(), want)
	}
	release()
	if a := <-ans; a.err != nil || a.Status != 200 {
		t.Fatalf("stop: %d %v", a.Status, a.err)
	}
	var started api.VM
	e.must(200, "POST", "/v1/user-resource/vm/start", form("uuid", vm.UUID)).decode(t, &started)
}

// TestLiveCreateIsNotThereUntilDone: in live mode a concurrent list
// during a create does not show the VM, and after the create it does.
func TestLiveCreateIsNotThereUntilDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Quirks: QuirksLive, ReadyAfter: time.Minute, Now: frozen})
	_, release := e.hold()
	ans := e.goSend(context.Background(), "POST", "/v1/user-resource/vm", vmCreate("name", "web-1"))
	e.waitCall("POST", "/user-resource/vm", pending)
	uuid := e.sim.World().VMs[0].API.UUID
	for _, l := range []string{"", "/jkt01"} {
		if got := e.list(l); len(got) != 0 {
			t.Fatalf("listed during its create: %+v", got)
		}
	}
	e.must(400, "GET", "/v1/user-resource/vm?uuid="+uuid, nil)
	e.must(404, "DELETE", "/v1/user-resource/vm", form("uuid", uuid))
	var bill []api.VM
	e.must(200, "GET", "/v1/user-resource/billing_resources?id=129072", nil).decode(t, &bill)
	if len(bill) != 0 {
		t.Fatalf("billing resources show it: %+v", bill)
	}
	release()
	var vm api.VM
	if a := <-ans; a.err != nil || a.Status != 200 {
		t.Fatalf("create: %d %s %v", a.Status, a.Body, a.err)
	} else {
		a.decode(t, &vm)
	}
	if got := e.list(""); len(got) != 1 || got[0].UUID != uuid || got[0].Status != "running" || vm.UUID != uuid {
		t.Fatalf("after the create: answered %s, listed %+v", vm.UUID, got)
	}
}

// TestClientLeavesMidCreate: a client that goes away (a killed process,
// a cancelled context) loses the answer, not the VM.
func TestClientLeavesMidCreate(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		for _, transport := range []string{"http", "in-process"} {
			t.Run(m.name+"/"+transport, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, Options{Quirks: m.quirks, ReadyAfter: time.Minute, Now: frozen})
				if transport == "in-process" {
					e.client = e.sim.Client()
				}
				_, release := e.hold()
				ctx, cancel := context.WithCancel(context.Background())
				ans := e.goSend(ctx, "POST", "/v1/user-resource/vm", vmCreate())
				e.waitCall("POST", "/user-resource/vm", pending)
				cancel()
				if a := <-ans; a.err == nil {
					t.Fatalf("the cancelled client got an answer: %d %s", a.Status, a.Body)
				}
				e.waitCall("POST", "/user-resource/vm", func(c Call) bool { return c.Pending && c.Lost })
				release()
				c := e.waitCall("POST", "/user-resource/vm", done)
				if c.Status != 200 || c.Outcome != 200 || !c.Lost {
					t.Fatalf("call log %+v", c)
				}
				if l := e.list(""); len(l) != 1 || l[0].Status != "running" {
					t.Fatalf("after the create: %+v", l)
				}
			})
		}
	}
}

func (e *env) list(prefix string) []api.VM {
	e.t.Helper()
	var vms []api.VM
	e.must(200, "GET", "/v1"+prefix+"/user-resource/vm/list", nil).decode(e.t, &vms)
	return vms
}

// TestSavedTransitionEndsByTheClock: a world saved while a synchronous
// create is in progress (a simulator stopped meanwhile) ends it by the
// clock once loaded, unlisted VM included.
func TestSavedTransitionEndsByTheClock(t *testing.T) {
	t.Parallel()
	clk := newClock()
	e := newEnv(t, Options{Quirks: QuirksLive, ReadyAfter: time.Minute, Now: clk.Now})
	_, release := e.hold()
	ans := e.goSend(context.Background(), "POST", "/v1/user-resource/vm", vmCreate())
	e.waitCall("POST", "/user-resource/vm", pending)
	var saved strings.Builder
	if err := e.sim.Save(&saved); err != nil {
		t.Fatal(err)
	}
	release()
	<-ans

	later := newClock()
	f := newEnv(t, Options{Quirks: QuirksLive, Now: later.Now})
	if err := f.sim.Load(strings.NewReader(saved.String())); err != nil {
		t.Fatal(err)
	}
	if l := f.list(""); len(l) != 0 {
		t.Fatalf("listed before its create ends: %+v", l)
	}
	later.Advance(time.Minute)
	if l := f.list(""); len(l) != 1 || l[0].Status != "running" {
		t.Fatalf("after its create ends: %+v", l)
	}
}
