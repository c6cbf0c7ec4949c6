package planner_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// loadBase is baseStack with edits, loaded for idcloudhost.
func loadBase(t *testing.T, edits ...[2]string) *spec.Stack {
	t.Helper()
	src := baseStack
	for _, e := range edits {
		if !strings.Contains(src, e[0]) {
			t.Fatalf("edit %q does not apply", e[0])
		}
		src = strings.Replace(src, e[0], e[1], 1)
	}
	stack, diags := spec.LoadBytes("stack.yaml", []byte(src), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
	if diags.HasErrors() {
		t.Fatalf("stack: %v", diags)
	}
	for _, r := range stack.Resources {
		if r.Location == "" {
			r.Location = "jkt01"
		}
	}
	return stack
}

// stopVM makes the live VM of world() stopped (or stopping).
func stopVM(status string) func(*planner.Live, *state.State) {
	return func(l *planner.Live, _ *state.State) {
		vmAttrs(l)["power"] = "stopped"
		l.Objects[planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"}][0].Status = status
	}
}

// TestPowerBatch: what a stop or start batch plans for the base stack's
// VM, by what is live, what the file says and the targets.
func TestPowerBatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		stop    bool
		edits   [][2]string
		live    func(*planner.Live, *state.State)
		targets []string
		action  planner.ActionType // "": none
		before  any
		skipped string // why it is left alone ("" none)
		errs    string // in the plan's errors
	}{
		{name: "stop a running VM", stop: true, action: planner.Stop, before: "running"},
		{name: "stop a stopped VM", stop: true, live: stopVM("stopped"), skipped: "already stopped"},
		{name: "stop a stopping VM: waited for", stop: true, live: stopVM("stopping"), action: planner.Stop, before: "stopping"},
		{name: "start a stopped VM", live: stopVM("stopped"), action: planner.Start, before: "stopped"},
		{name: "start a running VM", skipped: "already running"},
		{name: "start leaves a VM declared stopped", edits: [][2]string{{"disk: 20", "disk: 20\n    power: stopped"}}, live: stopVM("stopped"), skipped: "power: stopped in the stack file"},
		{name: "not created yet", stop: true, live: func(_ *planner.Live, st *state.State) { st.Remove("vms.web") }, skipped: "not created yet"},
		{name: "deleted outside idstack", stop: true, live: func(l *planner.Live, _ *state.State) {
			delete(l.Objects, planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"})
		}, skipped: "was deleted outside idstack"},
		{name: "target the VM", stop: true, targets: []string{"vms.web"}, action: planner.Stop, before: "running"},
		{name: "target a network", stop: true, targets: []string{"networks.app"}, errs: "--target networks.app: it has no power switch: stop and start act on vms"},
		{name: "target a typo", stop: true, targets: []string{"vms.wbe"}, errs: "--target vms.wbe: no such resource in the stack file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			live, st := world()
			if tc.live != nil {
				tc.live(live, st)
			}
			inputs := st.Get("vms.web").Clone()
			pb := planner.Power(loadBase(t, tc.edits...), st, live, planner.PowerOptions{Stop: tc.stop, Targets: tc.targets})
			var errs []string
			for _, p := range pb.Plan.Errors {
				errs = append(errs, p.Summary)
			}
			if got := strings.Join(errs, "; "); (tc.errs == "") != (got == "") || !strings.Contains(got, tc.errs) {
				t.Fatalf("errors %q, want %q", got, tc.errs)
			}
			if tc.errs != "" {
				return
			}
			var skipped []string
			for _, s := range pb.Skipped {
				skipped = append(skipped, s.Address+": "+s.Why)
			}
			if got := strings.Join(skipped, "; "); (tc.skipped == "") != (got == "") || !strings.Contains(got, tc.skipped) {
				t.Errorf("skipped %q, want %q", got, tc.skipped)
			}
			if tc.action == "" {
				if len(pb.Plan.Actions) != 0 {
					t.Errorf("actions %+v, want none", pb.Plan.Actions)
				}
				return
			}
			if len(pb.Plan.Actions) != 1 {
				t.Fatalf("actions %+v, want one", pb.Plan.Actions)
			}
			a := pb.Plan.Actions[0]
			want := "stopped"
			if !tc.stop {
				want = "running"
			}
			if a.Action != tc.action || a.ID != "v1" || a.WaitFor != want || len(a.DependsOn) != 0 {
				t.Errorf("action %s of %s waiting for %q, depends on %v; want %s of v1 waiting for %q, independent", a.Action, a.ID, a.WaitFor, a.DependsOn, tc.action, want)
			}
			if d := cmp.Diff([]planner.Change{{Path: "power", Before: tc.before, After: want, Mode: "in-place"}}, a.Changes); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			// The state's other inputs are kept as last applied (the
			// password's hash among them), only the power changes.
			for k, v := range inputs.Inputs {
				if !cmp.Equal(a.Desired[k].Value, v) || a.Desired[k].Sensitive {
					t.Errorf("input %s: %+v, want the state's %v", k, a.Desired[k], v)
				}
			}
			if a.Desired["power"].Value != want {
				t.Errorf("desired power %v, want %s", a.Desired["power"].Value, want)
			}
			// A stopping VM is billed as stopped already: no change.
			if c := pb.Plan.Cost; c == nil || c.MonthlyChange == nil || (tc.before == "running" && *c.MonthlyChange >= 0) ||
				(tc.before == "stopped" && *c.MonthlyChange <= 0) || (tc.before == "stopping" && *c.MonthlyChange != 0) {
				t.Errorf("cost %+v: a stop saves, a start costs", c)
			}
		})
	}
}

// TestHibernatedPlans: while the state records a hibernation, the plan
// keeps the VMs it covers stopped (no start; a VM stopped by hand while
// awake is drift), creates a new VM stopped when the whole stack sleeps,
// and says so.
func TestHibernatedPlans(t *testing.T) {
	t.Parallel()
	since := time.Date(2025, 1, 6, 20, 0, 0, 0, time.UTC)
	whole := &state.Hibernation{Since: since, By: "ci@runner", All: true, VMs: []string{"vms.web"}}
	other := &state.Hibernation{Since: since, By: "ci@runner", VMs: []string{"vms.other"}}
	for _, tc := range []struct {
		name   string
		h      *state.Hibernation
		live   func(*planner.Live, *state.State)
		action planner.ActionType // of vms.web; "" none
		note   string
		vms    []string // the plan's hibernation's VMs; nil: no hibernation
	}{
		{name: "awake, stopped by hand: drift", live: stopVM("stopped"), action: planner.Start},
		{name: "hibernated, stopped: nothing", h: whole, live: stopVM("stopped"), vms: []string{"vms.web"}},
		{name: "hibernated, started by hand: stopped again", h: whole, action: planner.Stop, note: "kept stopped: the stack is hibernated (since 2025-01-06 20:00 UTC)", vms: []string{"vms.web"}},
		{name: "hibernated, created stopped", h: whole, live: func(l *planner.Live, st *state.State) {
			st.Remove("vms.web")
			delete(l.Objects, planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"})
		}, action: planner.Create,
			note: "created and then stopped: the stack is hibernated (since 2025-01-06 20:00 UTC); `idstack start` wakes it", vms: []string{"vms.web"}},
		{name: "other VMs hibernated: drift", h: other, live: stopVM("stopped"), action: planner.Start, vms: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			live, st := world()
			if tc.live != nil {
				tc.live(live, st)
			}
			st.Hibernation = tc.h
			plan := planner.Build(loadBase(t), st, live, planner.Options{})
			a := plan.Action("vms.web")
			switch {
			case tc.action == "" && a != nil:
				t.Fatalf("action %+v, want none", a)
			case tc.action != "" && (a == nil || a.Action != tc.action):
				t.Fatalf("action %+v, want %s", a, tc.action)
			}
			if a != nil && a.Action != planner.Start && a.WaitFor != "stopped" {
				t.Errorf("waits for %q, want stopped", a.WaitFor)
			}
			if tc.note != "" && !strings.Contains(strings.Join(a.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", a.Notes, tc.note)
			}
			switch {
			case tc.vms == nil && plan.Hibernation != nil:
				t.Errorf("hibernation %+v, want none", plan.Hibernation)
			case tc.vms != nil && (plan.Hibernation == nil || !cmp.Equal(plan.Hibernation.VMs, tc.vms) || !plan.Hibernation.Since.Equal(since)):
				t.Errorf("hibernation %+v, want VMs %v since %s", plan.Hibernation, tc.vms, since)
			}
		})
	}
	// A destroy of a hibernated stack is a destroy.
	live, st := world()
	st.Hibernation = whole
	if plan := planner.Build(loadBase(t), st, live, planner.Options{Destroy: true}); plan.Hibernation != nil {
		t.Errorf("a destroy plan carries the hibernation")
	}
}
