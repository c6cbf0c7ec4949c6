package run_test

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
	"github.com/idstack/idstack/spec"
)

// pricedCloud is the fake cloud with a price list: a server costs its
// size × the list's price of a unit an hour, a tenth of that when stopped;
// addresses are billed but not priced. Nothing of a real cloud: the engine
// knows pricing only through the description.
type pricedCloud struct {
	*fake.Cloud
	desc  *provider.Description
	fail  error
	reads atomic.Int32
}

func newPricedCloud() *pricedCloud {
	d := *fake.Description
	d.Kinds = nil
	for _, ks := range fake.Description.Kinds {
		c := *ks
		switch c.Kind {
		case fake.Servers:
			c.Price = func(values map[string]any, _ *provider.Object, prices any) provider.Estimate {
				size, ok := values["size"].(int)
				if !ok {
					return provider.Estimate{Unpriced: "size unknown"}
				}
				e := provider.Estimate{Hourly: float64(size) * prices.(float64)}
				if values["power"] == "stopped" {
					e.Hourly, e.Note = e.Hourly/10, "stopped"
				}
				return e
			}
		case fake.Addresses:
			c.Price = func(map[string]any, *provider.Object, any) provider.Estimate {
				return provider.Estimate{Unpriced: "not in the price list"}
			}
		}
		d.Kinds = append(d.Kinds, &c)
	}
	return &pricedCloud{Cloud: fake.New(), desc: &d}
}

func (p *pricedCloud) Describe() *provider.Description { return p.desc }

func (p *pricedCloud) Prices(context.Context) (any, error) {
	p.reads.Add(1)
	if p.fail != nil {
		return nil, p.fail
	}
	return 0.01, nil // a unit of size, an hour
}

func (w *world) pricedConfig(cloud *pricedCloud, src string) run.Config {
	w.t.Helper()
	s, diags := spec.LoadBytes(w.dir+"/t.yaml", []byte(src), spec.Options{
		Providers: map[string]*provider.Description{"fake": cloud.desc}, DefaultProvider: "fake",
		LookupEnv: func(string) (string, bool) { return "", false },
	})
	if diags = append(diags, spec.Check(s)...); diags.HasErrors() {
		w.t.Fatal(diags)
	}
	return run.Config{Stack: s, Provider: cloud, Backend: w.backend(s), Parallelism: 4,
		CreateDeadline: func(provider.Kind) time.Duration { return 200 * time.Millisecond }}
}

func (w *world) pricedPlan(cloud *pricedCloud, src string) *planner.Plan {
	w.t.Helper()
	p, err := run.Plan(context.Background(), w.pricedConfig(cloud, src))
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return p.Plan
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestPlanCost: the plan's estimate is what the description's prices say,
// read once per plan; totals before and after, per action before and
// after, unpriced objects left out and listed, never 0.
func TestPlanCost(t *testing.T) {
	w := newWorld(t)
	cloud := newPricedCloud()
	p := w.pricedPlan(cloud, twoServers)
	if n := cloud.reads.Load(); n != 1 {
		t.Errorf("the price list was read %d times, want once", n)
	}
	c := p.Cost
	// web 1 + db 2 units × 0.01 = 0.03 an hour; × 730 = 21.9 a month.
	if c == nil || c.Before.Monthly != 0 || !near(c.After.Hourly, 0.03) || !near(c.After.Monthly, 21.9) || !near(*c.MonthlyChange, 21.9) || c.HoursPerMonth != 730 {
		t.Fatalf("cost: %+v", c)
	}
	if d := cmp.Diff([]string{"addresses.ip"}, c.NotPriced); d != "" {
		t.Errorf("not priced (-want +got):\n%s", d)
	}
	db := p.Action("servers.db").Cost
	if db.Before != nil || !near(db.After.Monthly, 14.6) || !near(*db.MonthlyChange, 14.6) {
		t.Errorf("servers.db: %+v", db)
	}
	if ip := p.Action("addresses.ip").Cost; ip.NotPriced != "not in the price list" || ip.After != nil || ip.MonthlyChange != nil {
		t.Errorf("addresses.ip: %+v", ip)
	}

	// Applied, then db grows to 3 and web stops: db 0.02 → 0.03, web
	// 0.01 → 0.001 (stopped); before 0.03, after 0.031; + 0.001 × 730.
	if out := run.Apply(context.Background(), w.pricedConfig(cloud, twoServers)); out.Status != run.Applied {
		t.Fatalf("apply: %v", out.Err)
	}
	p = w.pricedPlan(cloud, `provider: fake
stack: t
location: l1
servers:
  web: {size: 1, image: base, power: stopped}
  db: {size: 3, image: base}
addresses:
  ip: {server: web}
`)
	c = p.Cost
	if !near(c.Before.Monthly, 21.9) || !near(c.After.Monthly, 22.63) || !near(*c.MonthlyChange, 0.73) {
		t.Fatalf("cost after a change: %+v %+v %v", c.Before, c.After, *c.MonthlyChange)
	}
	web := p.Action("servers.web").Cost
	if !near(web.Before.Monthly, 7.3) || !near(web.After.Monthly, 0.73) || web.After.Note != "stopped" {
		t.Errorf("servers.web: %+v → %+v", web.Before, web.After)
	}
	bill := planner.NewBill(w.state(twoServers), livePricesOf(t, w, cloud))
	if !near(bill.Total.Monthly, 21.9) || len(bill.Resources) != 3 || bill.Resources[0].NotPriced != "not in the price list" {
		t.Errorf("bill: %+v", bill)
	}
}

func livePricesOf(t *testing.T, w *world, cloud *pricedCloud) *planner.Live {
	t.Helper()
	p, err := run.Plan(context.Background(), w.pricedConfig(cloud, twoServers))
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return p.Live
}

// TestPlanCostWhenThePriceListFails: the plan says so and goes on.
func TestPlanCostWhenThePriceListFails(t *testing.T) {
	w := newWorld(t)
	cloud := newPricedCloud()
	cloud.fail = errors.New("GET /prices: 503 try later")
	p := w.pricedPlan(cloud, twoServers)
	if !p.HasChanges() || len(p.Errors) > 0 {
		t.Fatalf("the plan should go on: %+v", p)
	}
	if p.Cost == nil || p.Cost.Error != "the price list could not be read: GET /prices: 503 try later" || p.Cost.After != nil {
		t.Errorf("cost: %+v", p.Cost)
	}
	for _, a := range p.Actions {
		if a.Cost != nil {
			t.Errorf("%s has a cost without a price list: %+v", a.Address, a.Cost)
		}
	}
}

// TestPlanWithoutPrices: a provider with no price list has no cost at all.
func TestPlanWithoutPrices(t *testing.T) {
	w := newWorld(t)
	p, err := run.Plan(context.Background(), w.config(twoServers))
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if p.Plan.Cost != nil {
		t.Errorf("cost %+v from a provider without prices", p.Plan.Cost)
	}
	for _, a := range p.Plan.Actions {
		if a.Cost != nil {
			t.Errorf("%s has a cost: %+v", a.Address, a.Cost)
		}
	}
}
