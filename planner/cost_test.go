package planner_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

func buildWith(t *testing.T, src string, live *planner.Live, opts planner.Options) *planner.Plan {
	t.Helper()
	_, st := world()
	stack, diags := spec.LoadBytes("stack.yaml", []byte(src), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
	if diags.HasErrors() {
		t.Fatalf("stack: %v", diags)
	}
	for _, r := range stack.Resources {
		r.Location = "jkt01"
	}
	return planner.Build(stack, st, live, opts)
}

// TestCostKeepsIgnoredFields: a field under lifecycle.ignore_changes keeps
// its live value, so it keeps its live price. The base VM (2 vCPU, 2048
// MiB, 20 GiB) goes to 4 vCPU: 4 × 0.00521 + 2048 × 0.00329/1024 + 20 ×
// 0.0001 = 0.02084 + 0.00658 + 0.002 = 0.02942 an hour; the declared
// backup (20 × 0.0000342 = 0.000684 more) is ignored and not live.
func TestCostKeepsIgnoredFields(t *testing.T) {
	live, _ := world()
	src := strings.Replace(strings.Replace(baseStack, "vcpu: 2", "vcpu: 4", 1), "disk: 20", "disk: 20\n    backup: true\n    lifecycle: {ignore_changes: [backup]}", 1)
	p := buildWith(t, src, live, planner.Options{})
	c := p.Action("vms.web").Cost
	if c == nil || c.After == nil || math.Abs(c.After.Hourly-0.02942) > 1e-9 {
		t.Fatalf("vms.web after: %+v", c)
	}
	// Without ignore_changes the backup is priced: 0.02942 + 0.000684.
	src = strings.Replace(strings.Replace(baseStack, "vcpu: 2", "vcpu: 4", 1), "disk: 20", "disk: 20\n    backup: true", 1)
	c = buildWith(t, src, live, planner.Options{}).Action("vms.web").Cost
	if math.Abs(c.After.Hourly-0.030104) > 1e-9 {
		t.Fatalf("vms.web after, backup on: %+v", c.After)
	}
}

// TestCostWithoutAPriceList: no prices, no cost; prices that could not be
// read: one line that says so, no figure anywhere.
func TestCostWithoutAPriceList(t *testing.T) {
	live, _ := world()
	live.Prices = nil
	p := buildWith(t, baseStack, live, planner.Options{Destroy: true})
	if p.Cost != nil || p.Actions[0].Cost != nil {
		t.Errorf("a cost without prices: %+v", p.Cost)
	}
	live.PricesErr = errors.New("GET /pricing/policy: 503 Service Unavailable")
	p = buildWith(t, baseStack, live, planner.Options{Destroy: true})
	if p.Cost == nil || p.Cost.Error != "the price list could not be read: GET /pricing/policy: 503 Service Unavailable" || p.Cost.Before != nil {
		t.Errorf("cost: %+v", p.Cost)
	}
	for _, a := range p.Actions {
		if a.Cost != nil {
			t.Errorf("%s: %+v", a.Address, a.Cost)
		}
	}
}

// TestBillPricesWhatIsLive: the bill of what the state owns prices a
// stopped VM as stopped (20 GiB × 0.0001 = 0.002 an hour, 1.46 a month).
func TestBillPricesWhatIsLive(t *testing.T) {
	live, st := world()
	vmAttrs(live)["power"] = "stopped"
	b := planner.NewBill(st, live)
	if b == nil || len(b.Resources) != 1 || b.Resources[0].Address != "vms.web" {
		t.Fatalf("bill: %+v", b)
	}
	if a := b.Resources[0].Amount; a.Hourly != 0.002 || a.Monthly != 1.46 || a.Note != "stopped: storage only" || b.Total.Monthly != 1.46 {
		t.Errorf("vms.web: %+v, total %+v", a, b.Total)
	}
}

// TestCostOfADeposedObject: the old half of an earlier replacement is in
// "before" and, deleted by the plan, not in "after", even when its
// address is otherwise unchanged: the base VM (0.019 an hour, 13.87 a
// month) and a deposed old one of 1 vCPU, 1024 MiB, 20 GiB (0.0105, 7.665).
func TestCostOfADeposedObject(t *testing.T) {
	live, st := world()
	sc := planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"}
	old := live.Objects[sc][0]
	old.ID, old.Attrs = "v0", provider.Attrs{"name": "vm-web", "vcpu": 1, "ram": 1024, "disk": 20, "power": "running", "os_name": "ubuntu", "backup": false}
	live.Set(idcloudhost.VMs, "jkt01", append(live.Objects[sc], old))
	st.Deposed = append(st.Deposed, &state.Resource{Address: "vms.web", Kind: "vms", ID: "v0", Location: "jkt01", Name: "vm-web"})
	stack, diags := spec.LoadBytes("stack.yaml", []byte(baseStack), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, r := range stack.Resources {
		r.Location = "jkt01"
	}
	p := planner.Build(stack, st, live, planner.Options{})
	if len(p.Actions) != 1 || !p.Actions[0].Deposed {
		t.Fatalf("want the deposed VM's deletion only: %+v", p.Actions)
	}
	c := p.Cost
	if c.Before.Monthly != 21.535 || c.After.Monthly != 13.87 || *c.MonthlyChange != -7.665 {
		t.Errorf("cost: %+v → %+v (%v)", c.Before, c.After, *c.MonthlyChange)
	}
	if rc := p.Actions[0].Cost; rc.Before.Monthly != 7.665 || rc.After != nil {
		t.Errorf("the deposed VM: %+v", rc)
	}
}
