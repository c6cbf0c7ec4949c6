package planner

import (
	"context"
	"math"
	"sort"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// HoursPerMonth is the month of every monthly figure: 730 hours
// (365 × 24 / 12).
const HoursPerMonth = 730

// Cost is a plan's estimate from the cloud's price list, in the account's
// billing currency: what the objects the stack owns (and those it adopts)
// cost now, and what they will cost once the plan is applied. Objects the
// price list does not price are left out of both totals and listed.
type Cost struct {
	HoursPerMonth int     `json:"hours_per_month,omitempty"`
	Before        *Amount `json:"before,omitempty"`
	After         *Amount `json:"after,omitempty"`
	// MonthlyChange is After's monthly figure less Before's.
	MonthlyChange *float64 `json:"monthly_change,omitempty"`
	// NotPriced are the addresses left out of the totals (their actions'
	// cost says why); UsageBased those whose figure follows use.
	NotPriced  []string `json:"not_priced,omitempty"`
	UsageBased []string `json:"usage_based,omitempty"`
	// Error says why there is no estimate: the price list could not be
	// read. Nothing else is set then.
	Error string `json:"error,omitempty"`
}

// Amount is a price, an hour's and a month's (HoursPerMonth hours).
type Amount struct {
	Hourly  float64 `json:"hourly"`
	Monthly float64 `json:"monthly"`
	// Note says what a person should know about the figure ("stopped:
	// storage only"); UsageBased that it follows use.
	Note       string `json:"note,omitempty"`
	UsageBased bool   `json:"usage_based,omitempty"`
}

// ResourceCost is one action's object before and after the plan. A side
// is absent when the object does not exist there (before a create, after
// a delete) or when it is not priced (NotPriced says why).
type ResourceCost struct {
	Before *Amount `json:"before,omitempty"`
	After  *Amount `json:"after,omitempty"`
	// MonthlyChange is the change of its monthly figure, absent when a
	// side is not priced.
	MonthlyChange *float64 `json:"monthly_change,omitempty"`
	NotPriced     string   `json:"not_priced,omitempty"`
}

// ReadPrices reads the provider's price list when it has one and prices
// some of its kinds (nil, nil otherwise). A plan reads it once: it is
// global.
func ReadPrices(ctx context.Context, p provider.Provider) (any, error) {
	pricer, ok := p.(provider.Pricer)
	if !ok || !p.Describe().Priced() {
		return nil, nil
	}
	return pricer.Prices(ctx)
}

// Bill is what the objects a stack owns cost now, as they are live: a
// stopped object is priced as stopped. Objects gone from the cloud and
// kinds without prices are not in it.
type Bill struct {
	Stack         string     `json:"stack"`
	HoursPerMonth int        `json:"hours_per_month"`
	Total         Amount     `json:"total"`
	Resources     []BillLine `json:"resources"`
	NotPriced     []string   `json:"not_priced,omitempty"`
	UsageBased    []string   `json:"usage_based,omitempty"`
}

// BillLine is one owned object's figure, or why it has none.
type BillLine struct {
	Address   string  `json:"address"`
	Kind      string  `json:"kind"`
	Location  string  `json:"location,omitempty"`
	ID        string  `json:"id"`
	Amount    *Amount `json:"amount,omitempty"`
	NotPriced string  `json:"not_priced,omitempty"`
}

// NewBill prices what the state owns (deposed old halves included) from
// the live objects and live.Prices; nil when there are no prices.
func NewBill(st *state.State, live *Live) *Bill {
	if live == nil || live.Prices == nil || !live.Provider.Priced() {
		return nil
	}
	bill := &Bill{Stack: st.Stack, HoursPerMonth: HoursPerMonth, Resources: []BillLine{}}
	var total tally
	records := append(sortedRecords(st), st.Deposed...)
	for _, r := range records {
		ks := live.Kind(provider.Kind(r.Kind))
		obj := live.Find(provider.Kind(r.Kind), r.Location, r.ID)
		if ks == nil || ks.Price == nil || obj == nil {
			continue
		}
		e := ks.Price(liveValues(ks, obj), obj, live.Prices)
		line := BillLine{Address: r.Address, Kind: r.Kind, Location: obj.Location, ID: r.ID, Amount: amountOf(e), NotPriced: e.Unpriced}
		total.add(r.Address, e)
		bill.Resources = append(bill.Resources, line)
	}
	bill.Total = total.amount()
	bill.NotPriced, bill.UsageBased = total.notPriced(), total.usageBased()
	return bill
}

// tally adds up estimates, keeping what was left out.
type tally struct {
	hourly   float64
	unpriced map[string]bool
	usage    map[string]bool
}

func (t *tally) add(addr string, e provider.Estimate) {
	if !e.Priced() {
		if t.unpriced == nil {
			t.unpriced = map[string]bool{}
		}
		t.unpriced[addr] = true
		return
	}
	t.hourly += e.Hourly
	if e.UsageBased {
		if t.usage == nil {
			t.usage = map[string]bool{}
		}
		t.usage[addr] = true
	}
}

func (t *tally) amount() Amount {
	return Amount{Hourly: roundTo(t.hourly, 1e8), Monthly: roundTo(t.hourly*HoursPerMonth, 1e4)}
}

func (t *tally) notPriced() []string  { return sortedKeys(t.unpriced) }
func (t *tally) usageBased() []string { return sortedKeys(t.usage) }

// estimate sets the plan's cost and each priced action's, when the
// refresh read a price list (or failed to: the plan says so and goes on).
func (b *builder) estimate() {
	live := b.live
	if live.PricesErr != nil && live.Provider.Priced() {
		b.plan.Cost = &Cost{Error: "the price list could not be read: " + live.PricesErr.Error()}
		return
	}
	if live.Prices == nil || !live.Provider.Priced() {
		return
	}
	resources := map[string]*spec.Resource{}
	if b.stack != nil {
		for _, r := range b.stack.Resources {
			resources[r.Addr.String()] = r
		}
	}
	acted := map[string]bool{}
	for _, a := range b.plan.Actions {
		if !a.Deposed {
			acted[a.Address] = true
		}
	}
	var before, after tally
	// What the state owns, as it is live: everything's "before", and the
	// "after" of what the plan leaves alone.
	records := sortedRecords(b.st)
	for i, r := range append(records, b.st.Deposed...) {
		ks := live.Kind(provider.Kind(r.Kind))
		obj := live.Find(provider.Kind(r.Kind), r.Location, r.ID)
		if ks == nil || ks.Price == nil || obj == nil {
			continue
		}
		e := ks.Price(liveValues(ks, obj), obj, live.Prices)
		before.add(r.Address, e)
		deposed := i >= len(records) // always deleted by the plan
		if !deposed && !acted[r.Address] {
			after.add(r.Address, e)
		}
	}
	for _, a := range b.plan.Actions {
		ks := live.Kind(provider.Kind(a.Kind))
		if ks == nil || ks.Price == nil {
			continue
		}
		rc := &ResourceCost{}
		var was, will *provider.Estimate
		if obj := b.actedOn(a); obj != nil {
			e := ks.Price(liveValues(ks, obj), obj, live.Prices)
			was = &e
			if a.Action == Adopt { // not the state's yet, already billed
				before.add(a.Address, e)
			}
		}
		if a.Action != Delete {
			e := ks.Price(b.afterValues(ks, a, resources[a.Address]), b.keptObject(a), live.Prices)
			will = &e
			after.add(a.Address, e)
		}
		rc.Before, rc.After = sideOf(was, &rc.NotPriced), sideOf(will, &rc.NotPriced)
		if rc.NotPriced == "" {
			change := roundTo(monthly(will)-monthly(was), 1e4)
			rc.MonthlyChange = &change
		}
		a.Cost = rc
	}
	c := &Cost{HoursPerMonth: HoursPerMonth}
	bt, at := before.amount(), after.amount()
	c.Before, c.After = &bt, &at
	change := roundTo((after.hourly-before.hourly)*HoursPerMonth, 1e4)
	c.MonthlyChange = &change
	c.NotPriced = mergeSorted(before.notPriced(), after.notPriced())
	c.UsageBased = mergeSorted(before.usageBased(), after.usageBased())
	b.plan.Cost = c
}

// actedOn is the live object an action starts from (nil for a create, or
// an object already gone): the state's record of it, where it was.
func (b *builder) actedOn(a *Action) *provider.Object {
	if a.ID == "" {
		return nil
	}
	kind, loc := provider.Kind(a.Kind), a.Location
	if sr := b.st.Get(a.Address); sr != nil && sr.ID == a.ID && !a.Deposed {
		loc = sr.Location
	}
	for _, d := range b.st.Deposed {
		if a.Deposed && d.ID == a.ID {
			loc = d.Location
		}
	}
	return b.live.Find(kind, loc, a.ID)
}

// keptObject is the live object that carries on after the action (nil
// when a new one is made: a create, the new half of a replacement).
func (b *builder) keptObject(a *Action) *provider.Object {
	if a.Action == Create || a.Action == Replace {
		return nil
	}
	return b.actedOn(a)
}

// afterValues are the field values an object has once the action is
// done: the declared values known at plan time, over the live ones for
// an object that is kept (where lifecycle.ignore_changes keeps the live
// value).
func (b *builder) afterValues(ks *provider.KindSpec, a *Action, r *spec.Resource) map[string]any {
	kept := b.keptObject(a)
	var values map[string]any
	if kept != nil {
		values = liveValues(ks, kept)
	} else {
		values = make(map[string]any, len(a.Desired))
	}
	var ignored, changed map[string]bool // nil: none
	if r != nil && kept != nil && len(r.Lifecycle.IgnoreChanges) > 0 {
		ignored = make(map[string]bool, len(r.Lifecycle.IgnoreChanges))
		for _, f := range r.Lifecycle.IgnoreChanges {
			ignored[f] = true
		}
	}
	power := kept != nil && (a.Action == Start || a.Action == Stop)
	if power {
		changed = make(map[string]bool, len(a.Changes))
		for _, c := range a.Changes {
			changed[c.Path] = true
		}
	}
	for f, in := range a.Desired {
		if ignored[f] || len(in.Refs) > 0 || in.Template {
			continue
		}
		if power && !changed[f] {
			continue // a power switch changes nothing else of the object
		}
		values[f] = in.Value
	}
	return values
}

// liveValues are a live object's field values by field name.
func liveValues(ks *provider.KindSpec, obj *provider.Object) map[string]any {
	values := make(map[string]any, len(ks.Fields))
	for _, f := range ks.Fields {
		if f.Live == "" {
			continue
		}
		if v, ok := obj.Attrs[f.Live]; ok {
			values[f.Name] = v
		}
	}
	return values
}

// sideOf is one side of a resource's cost; an unpriced side is absent and
// says why in notPriced.
func sideOf(e *provider.Estimate, notPriced *string) *Amount {
	if e == nil {
		return nil
	}
	if !e.Priced() {
		if *notPriced == "" {
			*notPriced = e.Unpriced
		}
		return nil
	}
	return amountOf(*e)
}

// amountOf is an estimate's figures (nil when it has none).
func amountOf(e provider.Estimate) *Amount {
	if !e.Priced() {
		return nil
	}
	return &Amount{Hourly: roundTo(e.Hourly, 1e8), Monthly: roundTo(e.Hourly*HoursPerMonth, 1e4), Note: e.Note, UsageBased: e.UsageBased}
}

// monthly is an estimate's month (0 for none: the object is not there).
func monthly(e *provider.Estimate) float64 {
	if e == nil {
		return 0
	}
	return e.Hourly * HoursPerMonth
}

// roundTo rounds to 1/scale: no float noise (0.010499999999999999) in
// plans.
func roundTo(x, scale float64) float64 {
	r := math.Round(x*scale) / scale
	if r == 0 {
		return 0 // never -0
	}
	return r
}

func mergeSorted(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range append(a, b...) {
		set[s] = true
	}
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
