package idcloudhost

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
)

// One transient failure of the start that ends a restart is retried from
// a fresh read: the VM ends running with the new size (it was left stopped
// and the apply hung before).
func TestRestartRetriesATransientStartFailure(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 503, 429} {
		forBothQuirks(t, func(t *testing.T, quirks string) {
			e := newSim(t, sim.Options{Quirks: quirks, ReadyAfter: 5 * time.Millisecond})
			ctx := context.Background()
			vm := e.must(e.c.Create(ctx, VMs, "jkt01", vmAttrs("web-1")))
			e.sim.AddFault(sim.Fault{Method: "POST", Path: "/user-resource/vm/start", Nth: 1, Status: status, Message: "injected"})
			got, err := e.c.Update(ctx, VMs, "jkt01", vm.ID, []provider.FieldChange{{Field: "vcpu", Before: 1, After: 2}})
			if err != nil {
				t.Fatalf("%d: %v", status, err)
			}
			if got.Status != "running" || got.Attrs["vcpu"] != 2 {
				t.Errorf("%d: the VM ends %s with vcpu %v", status, got.Status, got.Attrs["vcpu"])
			}
		})
	}
}

// A VM that is busy (stopping after someone else's stop) refuses changes
// with 409: a change waits until it is settled, then goes through.
func TestBusyVMIsWaitedFor(t *testing.T) {
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks})
		ctx := context.Background()
		for _, change := range []string{"rename", "delete"} {
			vm := e.must(e.c.Create(ctx, VMs, "jkt01", vmAttrs(change+"-1")))
			e.sim.SetReadyAfter(time.Second)
			e.sim.ResetCalls()
			// Someone else stops it: the call blocks for 1 s, the VM is
			// "stopping" meanwhile.
			stopped := make(chan error, 1)
			go func() { _, err := e.c.StopVM(ctx, "jkt01", vm.ID); stopped <- err }()
			waitPending(t, e.sim, "/user-resource/vm/stop")
			var err error
			if change == "rename" { // reads first: waits, never meets the 409
				var got provider.Object
				got, err = e.c.Update(ctx, VMs, "jkt01", vm.ID, []provider.FieldChange{{Field: "name", Before: vm.Name, After: "renamed-1"}})
				if err == nil && got.Name != "renamed-1" {
					t.Errorf("name %q", got.Name)
				}
			} else { // calls at once: meets the 409, waits, calls again
				err = e.c.Delete(ctx, VMs, "jkt01", vm.ID)
				if !slices.ContainsFunc(e.sim.Calls(), func(c sim.Call) bool { return c.Method == "DELETE" && c.Status == 409 }) {
					t.Error("the delete never met the busy VM: the test did not test anything")
				}
				if _, gerr := e.c.GetVM(ctx, "jkt01", vm.ID); !isNotFound(gerr) {
					t.Errorf("the VM is still there: %v", gerr)
				}
			}
			if err != nil {
				t.Fatalf("%s: %v", change, err)
			}
			// The other party's stop may find the VM deleted when it ends.
			if err := <-stopped; err != nil && change == "rename" {
				t.Fatal(err)
			}
			e.sim.SetReadyAfter(0)
		}
	})
}

func waitPending(t *testing.T, s *sim.Server, path string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range s.Calls() {
			if c.Path == path && c.Pending {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no pending %s within 5 s", path)
}

// The client says which failures had no effect (never sent) and which it
// already retried to the end, so that callers neither wait for a create
// that never left nor multiply its retries.
func TestErrorsSayWhatIsKnown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connections are refused
	c := New("http://"+addr, "k", WithRetry(3, time.Millisecond, time.Millisecond))
	_, err = c.CreateVM(context.Background(), "jkt01", nil)
	if !errors.Is(err, provider.ErrNotSent) || provider.OutcomeUnknown(err) {
		t.Errorf("refused connection: %v (not sent %v, unknown %v)", err, errors.Is(err, provider.ErrNotSent), provider.OutcomeUnknown(err))
	}

	e := newSim(t, sim.Options{})
	e.sim.AddFault(sim.Fault{Method: "DELETE", Path: "/user-resource/vm", Status: 500, Message: "permanent"})
	err = e.c.DeleteVM(context.Background(), "jkt01", "x")
	if !errors.Is(err, provider.ErrGaveUp) {
		t.Errorf("a permanent 500 after every attempt: %v, want ErrGaveUp", err)
	}
	n := 0
	for _, call := range e.sim.Calls() {
		if call.Method == "DELETE" {
			n++
		}
	}
	if n != 4 { // WithRetry(4, …) in newSim
		t.Errorf("%d DELETE calls, want 4", n)
	}
	e.sim.AddFault(sim.Fault{Method: "POST", Path: "/user-resource/vm", Status: 504, Message: "gateway"})
	_, err = e.c.CreateVM(context.Background(), "jkt01", nil)
	if !provider.OutcomeUnknown(err) || errors.Is(err, provider.ErrGaveUp) {
		t.Errorf("a 504 on a create: %v, want unknown and not retried", err)
	}
}

// A VM on its way somewhere is planned by where it goes: power is the
// settled state, status the raw one.
func TestPowerOfATransition(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]string{"creating": "running", "starting": "running", "stopping": "stopped", "running": "running", "stopped": "stopped", "migrating": "migrating"} {
		if got := powerOf(status); got != want {
			t.Errorf("powerOf(%q) = %q, want %q", status, got, want)
		}
	}
}

func vmAttrs(name string) provider.Attrs {
	return provider.Attrs{"name": name, "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
		"username": "deploy", "password": "Secret123"}
}
