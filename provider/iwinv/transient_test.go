package iwinv

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// TestReadsThroughTransientFaults: with 30% of all calls failing (503, or
// 429 with Retry-After: 1, as `idstack sim --transient-rate 0.3` would),
// every List reads what a healthy simulator shows, through retries that
// honour Retry-After; and deletes of every kind still finish.
func TestReadsThroughTransientFaults(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex // firewall lists read groups concurrently
	var slept []time.Duration
	e := newSim(t, sim.Options{Seed: 5}, WithRetry(12, time.Millisecond, 2*time.Millisecond),
		WithSleep(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			return ctx.Err()
		}))
	ctx := context.Background()
	a, b := e.vm(sim.DefaultZone, "a"), e.vm(sim.SecondZone, "b")
	disk := e.must(e.c.Create(ctx, Disks, sim.DefaultZone, provider.Attrs{"size": 20, "type": "SSD", "attach_to": a.ID}))
	fw := e.must(e.c.Create(ctx, Firewalls, "", provider.Attrs{"name": "web", "icmp": true,
		"rules": []any{rule("in", "tcp", "22", "0.0.0.0/0", "ssh")}, "attach_to": []any{a.ID, b.ID}}))

	read := func() map[string][]provider.Object {
		out := map[string][]provider.Object{}
		for _, ks := range Description().Kinds {
			locs := []string{sim.DefaultZone, sim.SecondZone}
			if ks.Global {
				locs = []string{""}
			}
			for _, loc := range locs {
				objs, err := e.c.List(ctx, ks.Kind, loc)
				if err != nil {
					t.Fatalf("List(%s, %q): %v", ks.Kind, loc, err)
				}
				out[string(ks.Kind)+"@"+loc] = objs
			}
		}
		return out
	}
	healthy := read()
	e.sim.ResetCalls()
	for _, f := range sim.TransientFaults(0.3, 1) {
		e.sim.AddFault(f)
	}
	for i := range 3 {
		if d := cmp.Diff(healthy, read()); d != "" {
			t.Fatalf("round %d: a faulty simulator shows something else (-healthy +faulty):\n%s", i, d)
		}
	}
	for _, del := range []struct {
		kind provider.Kind
		loc  string
		id   string
	}{{Firewalls, "", fw.ID}, {Disks, sim.DefaultZone, disk.ID}, {VMs, sim.DefaultZone, a.ID}, {VMs, sim.SecondZone, b.ID}} {
		if err := e.c.Delete(ctx, del.kind, del.loc, del.id); err != nil {
			t.Fatalf("Delete(%s %s) through faults: %v", del.kind, del.id, err)
		}
	}
	failed := map[int]int{}
	for _, c := range e.sim.Calls() {
		if c.Status >= 300 {
			failed[c.Status]++
		}
	}
	if failed[http.StatusServiceUnavailable] == 0 || failed[http.StatusTooManyRequests] == 0 {
		t.Fatalf("failures seen: %v; want 503s and 429s", failed)
	}
	e.sim.ClearFaults()
	if w := e.sim.World(); len(w.Instances)+len(w.BlockStorages)+len(w.SecurityGroups) != 0 {
		t.Errorf("left behind: %+v", w)
	}
	mu.Lock()
	defer mu.Unlock()
	honoured := 0
	for _, d := range slept {
		if d == time.Second {
			honoured++
		}
	}
	if honoured == 0 {
		t.Errorf("no wait of Retry-After's 1 s among %d waits", len(slept))
	}
}
