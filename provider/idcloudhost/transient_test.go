package idcloudhost

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
)

// TestSimReadsThroughTransientFaults: with 30% of all calls failing (503,
// or 429 with Retry-After: 1, as `idstack sim --transient-rate 0.3` does)
// every List of every kind and location still reads the same objects as a
// healthy simulator, through retries.
func TestSimReadsThroughTransientFaults(t *testing.T) {
	var mu sync.Mutex // List reads VMs and networks at once: the sleeps come from two goroutines
	var slept []time.Duration
	e := newSim(t, sim.Options{Seed: 5}, WithRetry(10, time.Millisecond, 2*time.Millisecond),
		WithSleep(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			slept = append(slept, d)
			return nil
		}))
	ctx := context.Background()
	// Something of every kind, made while the simulator is healthy.
	net := e.must(e.c.Create(ctx, Networks, "jkt01", provider.Attrs{"name": "app"}))
	e.must(e.c.Create(ctx, VMs, "jkt01", provider.Attrs{"name": "web-1", "os_name": "ubuntu", "os_version": "22.04",
		"vcpu": 1, "ram": 1024, "disk": 20, "username": "deploy", "password": "Secret123", "network": net.ID}))
	e.must(e.c.Create(ctx, Disks, "jkt01", provider.Attrs{"size": 10}))
	e.must(e.c.Create(ctx, FloatingIPs, "jkt02", provider.Attrs{"name": "ip", "billing_account": sim.DefaultBillingAccount}))
	e.must(e.c.Create(ctx, Buckets, "", provider.Attrs{"name": "assets"}))

	read := func() map[string][]provider.Object {
		out := map[string][]provider.Object{}
		for _, ks := range Description().Kinds {
			k := ks.Kind
			locs := []string{"jkt01", "jkt02"}
			if ks.Global {
				locs = []string{""}
			}
			for _, loc := range locs {
				objs, err := e.c.List(ctx, k, loc)
				if err != nil {
					t.Fatalf("List(%s, %q): %v", k, loc, err)
				}
				out[string(k)+"@"+loc] = objs
			}
		}
		return out
	}
	healthy := read()
	e.sim.ResetCalls()
	for _, f := range sim.TransientFaults(0.3, 1) {
		e.sim.AddFault(f)
	}
	var faulty map[string][]provider.Object
	for i := 0; i < 5; i++ {
		faulty = read()
		if diff := cmp.Diff(healthy, faulty); diff != "" {
			t.Fatalf("round %d: what a faulty simulator shows differs (-healthy +faulty):\n%s", i, diff)
		}
	}
	failed := map[int]int{}
	for _, c := range e.sim.Calls() {
		if c.Status != http.StatusOK {
			failed[c.Status]++
		}
	}
	if failed[503] == 0 || failed[429] == 0 || len(failed) != 2 {
		t.Fatalf("failures seen by the simulator: %v; want some 503 and some 429 only", failed)
	}
	honoured := 0
	for _, d := range slept {
		if d == time.Second {
			honoured++
		}
	}
	if honoured == 0 {
		t.Fatalf("no wait of Retry-After's 1s among %v", slept)
	}
}
