package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// shopExample is examples/shop.yaml: all six kinds.
func shopExample(t *testing.T, e *env) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return e.write("shop.yaml", string(b))
}

// comparable drops what changes by itself (the sequence, timestamps).
var worldOpts = cmp.Options{
	cmpopts.IgnoreFields(sim.World{}, "Seq", "PublicIPSeq"),
	cmpopts.EquateEmpty(),
}

func TestSixKindsApplyReplanDestroy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := shopExample(t, e)
	before := e.sim.World()

	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	w := e.sim.World()
	if len(w.VMs) != 3 || len(w.Disks) != 1 || len(w.FloatingIPs) != 1 || len(w.LoadBalancers) != 1 || len(w.Buckets) != 1 {
		t.Fatalf("after apply: %d VMs, %d disks, %d floating IPs, %d load balancers, %d buckets", len(w.VMs), len(w.Disks), len(w.FloatingIPs), len(w.LoadBalancers), len(w.Buckets))
	}
	db := vmByName(w, "shop-staging-db")
	if w.Disks[0].AttachedTo != db.API.UUID || w.FloatingIPs[0].API.AssignedTo == nil || *w.FloatingIPs[0].API.AssignedTo != db.API.UUID {
		t.Errorf("disk attached to %q, floating IP assigned to %v; want the db VM %s", w.Disks[0].AttachedTo, w.FloatingIPs[0].API.AssignedTo, db.API.UUID)
	}
	if lb := w.LoadBalancers[0].API; len(lb.Targets) != 2 || len(lb.ForwardingRules) != 2 {
		t.Errorf("load balancer: %d targets, %d rules; want 2 and 2", len(lb.Targets), len(lb.ForwardingRules))
	}
	web := vmByName(w, "shop-staging-web-1")
	if !strings.Contains(web.CloudInit, db.API.PrivateIPv4) {
		t.Errorf("web-1's cloud-init should hold the db's private address %s: %s", db.API.PrivateIPv4, web.CloudInit)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

	e.sim.ResetCalls()
	e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	for _, c := range e.sim.Calls() {
		if c.Status >= 400 {
			t.Errorf("destroy made a call the simulator refused: %+v", c)
		}
	}
	if d := cmp.Diff(before, e.sim.World(), worldOpts); d != "" {
		t.Errorf("destroy did not bring the world back (-before +after):\n%s", d)
	}
}

// A rule whose target port changes is one modified rule in the plan (the
// API removes one rule and adds one; the others keep their uuids).
func TestOneChangedRuleIsOneModifiedRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := shopExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	b, _ := os.ReadFile(f)
	e.write("shop.yaml", strings.Replace(string(b), "target_port: 8443", "target_port: 9443", 1))

	p := e.plan(f)
	if len(p.Actions) != 1 || p.Actions[0].Address != "load_balancers.front" || p.Actions[0].Action != planner.Update {
		t.Fatalf("want one update of the load balancer, got %+v", p.Actions)
	}
	want := []planner.Change{{Path: "rules", Before: map[string]any{"source_port": 443.0, "target_port": 8443.0},
		After: map[string]any{"source_port": 443.0, "target_port": 9443.0}, Mode: "in-place"}}
	if d := cmp.Diff(want, p.Actions[0].Changes); d != "" {
		t.Fatalf("want one modified rule (-want +got):\n%s", d)
	}
	out := e.mustRun(0, "plan", "-f", f)
	if !strings.Contains(out, `rules: {"source_port":443,"target_port":8443} → {"source_port":443,"target_port":9443}`) || strings.Contains(out, "(none)") {
		t.Errorf("the text plan:\n%s", out)
	}
	lbBefore := e.sim.World().LoadBalancers[0].API
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	lb := e.sim.World().LoadBalancers[0].API
	if lb.UUID != lbBefore.UUID {
		t.Fatal("the load balancer was rebuilt")
	}
	kept := 0
	for _, r := range lb.ForwardingRules {
		if r.SourcePort == 80 && r.UUID == lbBefore.ForwardingRules[0].UUID {
			kept++
		}
		if r.SourcePort == 443 && r.TargetPort != 9443 {
			t.Errorf("rule 443 → %d, want 9443", r.TargetPort)
		}
	}
	if kept != 1 || len(lb.ForwardingRules) != 2 {
		t.Errorf("the untouched rule should stay as it was: %+v", lb.ForwardingRules)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}
