package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Options change what a plan does.
type Options struct {
	Adopt   bool // take over same-named live objects the state does not own
	Destroy bool // delete everything the state owns
	// Targets limits the plan to these addresses and what they depend on
	// (their references, transitively). Empty: everything.
	Targets []string
	// Elsewhere is what other stacks' states own (state.OwnedElsewhere),
	// read when adopting: their objects are never adopted (export_adopt.go).
	Elsewhere *state.Elsewhere
}

// builder holds one plan's work in progress.
type builder struct {
	stack *spec.Stack
	st    *state.State
	live  *Live
	opts  Options
	plan  *Plan
	// outcome of each planned address: the live object it stands for now
	// (nil when none yet) and the action planned (nil when unchanged).
	objs    map[string]*provider.Object
	actions map[string]*Action
	refs    map[string][]string // address → addresses it references
	owned   map[string]bool     // ids the state owns (built on first use)
	asleep  map[string]bool     // VMs a hibernation keeps stopped (hibernate.go)
	// fieldOrders are each kind's field names in fieldOrder's order.
	fieldOrders map[*provider.KindSpec][]string
}

// newBuilder starts a plan of the stack (nil: a destroy from the state
// alone).
func newBuilder(stack *spec.Stack, st *state.State, live *Live, opts Options) *builder {
	name := st.Stack
	if stack != nil {
		name = stack.Name
	}
	return &builder{
		stack: stack, st: st, live: live, opts: opts,
		plan:    &Plan{FormatVersion: FormatVersion, Stack: name, Destroy: opts.Destroy},
		objs:    map[string]*provider.Object{},
		actions: map[string]*Action{},
		refs:    map[string][]string{},
	}
}

// Build makes the plan. It never calls the API: live is the refresh.
func Build(stack *spec.Stack, st *state.State, live *Live, opts Options) *Plan {
	b := newBuilder(stack, st, live, opts)
	if !opts.Destroy && stack != nil {
		for _, r := range b.declaredInOrder() {
			b.planResource(r)
		}
	}
	b.elsewhereWarnings()
	b.planDeletions()
	b.target()
	b.hibernated()
	b.wire()
	b.names()
	b.plan.summarize()
	b.estimate()
	return b.plan
}

// declaredInOrder returns the declared resources so that each comes after
// those it references (file order otherwise).
func (b *builder) declaredInOrder() []*spec.Resource {
	byAddr := make(map[string]*spec.Resource, len(b.stack.Resources))
	nodes := make([]string, 0, len(b.stack.Resources))
	var withRefs []string
	for _, r := range b.stack.Resources {
		a := r.Addr.String()
		byAddr[a] = r
		nodes = append(nodes, a)
		// The fields with references, in name order.
		withRefs = withRefs[:0]
		for f, v := range r.Fields {
			if len(v.Refs) > 0 {
				withRefs = append(withRefs, f)
			}
		}
		slices.Sort(withRefs)
		for _, f := range withRefs {
			for _, ref := range r.Fields[f].Refs {
				b.refs[a] = appendUnique(b.refs[a], ref.Addr.String())
			}
		}
	}
	g := NewGraph(nodes)
	for a, deps := range b.refs {
		for _, d := range deps {
			if byAddr[d] != nil {
				g.Edge(a, d)
			}
		}
	}
	order, err := g.Order()
	if err != nil { // spec.Check reports cycles with places; keep file order here
		order = nodes
	}
	out := make([]*spec.Resource, 0, len(order))
	for _, a := range order {
		out = append(out, byAddr[a])
	}
	return out
}

func (b *builder) problem(addr string, rng *spec.Range, summary, detail string) {
	p := Problem{Address: addr, Summary: summary, Detail: detail}
	if rng != nil {
		p.File, p.Line, p.Column = rng.Filename, rng.Start.Line, rng.Start.Col
	}
	b.plan.Errors = append(b.plan.Errors, p)
}

func (b *builder) add(a *Action) {
	if a.DependsOn == nil {
		a.DependsOn = []string{}
	}
	if a.Changes == nil {
		a.Changes = []Change{}
	}
	if a.Notes == nil {
		a.Notes = []string{}
	}
	b.plan.Actions = append(b.plan.Actions, a)
	if !a.Deposed && a.Action != Delete {
		b.actions[a.Address] = a
	}
}

// lookup finds the object an address stands for, known before apply: an
// object that is neither created nor replaced by this plan.
func (b *builder) lookup(addr string) (provider.Object, bool) {
	o := b.objs[addr]
	if o == nil {
		return provider.Object{}, false
	}
	if a := b.actions[addr]; a != nil && (a.Action == Create || a.Action == Replace) {
		return provider.Object{}, false
	}
	return *o, true
}

// planResource plans one declared resource.
func (b *builder) planResource(r *spec.Resource) {
	addr := r.Addr.String()
	kind := r.Addr.Kind
	ks := b.live.Kind(kind)
	if ks == nil {
		b.problem(addr, &r.Range, fmt.Sprintf("%s: provider %s has no kind %s", addr, b.live.Provider.Name, kind), "")
		return
	}
	want, ok := b.desired(r)
	if ok {
		b.keepAsleep(r, ks, want)
	}
	if !ok {
		// Its values are wrong (reported), not its identity: what refers
		// to it still sees the live object the state owns, so a mistake
		// in one resource does not show as changes in its dependents.
		if sr := b.st.Get(addr); sr != nil {
			if obj := b.live.Find(kind, sr.Location, sr.ID); obj != nil {
				b.objs[addr] = obj
			}
		}
		return
	}
	name, _ := want["name"].known()
	nameStr, _ := name.(string)

	var obj *provider.Object
	var notes []string
	sr := b.st.Get(addr)
	switch {
	case sr != nil:
		obj = b.live.Find(kind, sr.Location, sr.ID)
		if obj == nil {
			notes = append(notes, fmt.Sprintf("%s %s was deleted outside idstack: it will be created again", ks.Singular, sr.ID))
		} else if sr.Location != r.Location && !ks.Global {
			b.replace(r, want, obj, nameStr, "location can only be set at creation", []Change{{Path: "location", Before: sr.Location, After: r.Location, Mode: provider.Replace.String()}})
			return
		}
	case !named(ks) && ks.Adoptable != nil && (b.opts.Adopt || b.stack.Adopt):
		// A nameless kind (disks): an unowned object that matches what
		// is declared (the provider says how) is taken over.
		if b.adoptNameless(r, ks, want) {
			return
		}
	case named(ks):
		matches := b.unowned(b.live.FindByName(kind, r.Location, nameStr))
		if b.opts.Adopt || b.stack.Adopt {
			var refused bool
			if matches, refused = b.notElsewhere(r, matches); refused {
				return // another stack's: never adopted (export_adopt.go)
			}
		}
		switch {
		case len(matches) > 1:
			b.problem(addr, &r.Range, fmt.Sprintf("%s: %d live %s named %q in %s; idstack cannot tell which is meant", addr, len(matches), kind, nameStr, r.Location),
				"rename or delete the extra ones, or give this resource another name")
			return
		case len(matches) == 1 && (b.opts.Adopt || b.stack.Adopt):
			obj = &matches[0]
			b.objs[addr] = obj
			b.diffExisting(r, want, obj, nil, Adopt)
			return
		case len(matches) == 1:
			b.problem(addr, &r.Range,
				fmt.Sprintf("%s: a %s named %q already exists in %s (id %s) and this stack does not own it", addr, ks.Singular, nameStr, r.Location, matches[0].ID),
				"idstack leaves it untouched. Give this resource another name, or take the existing one over with --adopt (or `adopt: true`)")
			return
		}
	}
	if obj == nil {
		b.create(r, want, nameStr, notes)
		return
	}
	b.objs[addr] = obj
	b.diffExisting(r, want, obj, sr, Update)
}

// unowned drops objects that some address of the state already owns.
func (b *builder) unowned(objs []provider.Object) []provider.Object {
	if b.owned == nil {
		b.owned = b.st.Owned()
	}
	var out []provider.Object
	for _, o := range objs {
		if !b.owned[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

func (b *builder) create(r *spec.Resource, want map[string]wanted, name string, notes []string) {
	addr := r.Addr.String()
	a := &Action{Address: addr, Kind: string(r.Addr.Kind), Action: Create, Location: r.Location, Name: name, Notes: notes}
	a.Desired = inputs(want)
	ks := b.live.Kind(r.Addr.Kind)
	order := b.fieldOrder(ks, want)
	a.Changes = make([]Change, 0, len(order))
	for _, f := range order {
		a.Changes = append(a.Changes, Change{Path: f, Before: nil, After: want[f].shown()})
	}
	a.WaitFor = waitFor(ks, want)
	for _, f := range ks.Fields {
		if v, ok := want[f.Name].known(); ok && f.CreateNote != nil {
			if note := f.CreateNote(v); note != "" {
				a.Notes = append(a.Notes, note)
			}
		}
	}
	b.add(a)
}

func (b *builder) replace(r *spec.Resource, want map[string]wanted, old *provider.Object, name, reason string, changes []Change) {
	addr := r.Addr.String()
	if r.Lifecycle.PreventDestroy {
		b.problem(addr, &r.Range, fmt.Sprintf("%s has lifecycle.prevent_destroy set and this plan would replace it (%s)", addr, reason),
			"change the stack file back, or remove prevent_destroy first if it really must be replaced")
		return
	}
	a := &Action{Address: addr, Kind: string(r.Addr.Kind), Action: Replace, Location: r.Location, ID: old.ID, Name: name, Reason: reason, Changes: changes}
	a.Desired = inputs(want)
	ks := b.live.Kind(r.Addr.Kind)
	a.WaitFor = waitFor(ks, want)
	a.Notes = append(a.Notes, fmt.Sprintf("the new %s is created first; the old one (%s) is deleted after every other change succeeded", ks.Singular, old.ID))
	if ks.ReplaceNote != "" {
		a.Notes = append(a.Notes, ks.ReplaceNote)
	}
	b.objs[addr] = old
	b.add(a)
}

// diffExisting compares a live object with the desired values and plans
// an update, restart, reinstall, replacement, adoption or nothing.
func (b *builder) diffExisting(r *spec.Resource, want map[string]wanted, obj *provider.Object, sr *state.Resource, base ActionType) {
	addr := r.Addr.String()
	kind := r.Addr.Kind
	ks := b.live.Kind(kind)
	var changes []Change
	strongest := provider.InPlace
	var reasons []string
	var reinstall *provider.Field
	var inputsBefore map[string]any
	if sr != nil {
		inputsBefore = sr.Inputs
	}
	liveBefore := map[string]any{}
	ignored := map[string]bool{}
	for _, f := range r.Lifecycle.IgnoreChanges {
		ignored[f] = true
	}
	for _, f := range b.fieldOrder(ks, want) {
		rule, w := ks.Field(f), want[f]
		if ignored[f] || rule == nil {
			continue
		}
		before, observed := current(rule, obj, inputsBefore)
		if !observed {
			continue // not reported by the API and never applied by us: taken as declared
		}
		after, known := w.known()
		if rule.Sensitive {
			if s, ok := after.(string); ok && state.HashMatches(before, s) {
				continue
			}
			changes = append(changes, Change{Path: f, Before: Sensitive, After: Sensitive, Mode: rule.Change.String()})
			continue
		}
		if known && Equal(before, after, rule.IsList(), rule.Keys...) {
			continue
		}
		if known && rule.NoShrink && less(after, before) {
			why := rule.ShrinkWhy
			if why == "" {
				why = "the API never shrinks it: keep %s at %v or more"
			}
			b.problem(addr, w.rng, fmt.Sprintf("%s: %s cannot shrink from %v to %v", addr, f, before, after), fmt.Sprintf(why, f, before))
			return
		}
		mode := rule.Change
		if mode > strongest {
			strongest = mode
		}
		if mode == provider.Replace || mode == provider.Reinstall {
			reasons = appendUnique(reasons, f)
		}
		if mode == provider.Reinstall && reinstall == nil {
			reinstall = rule
		}
		changes = append(changes, describe(f, before, w, rule)...)
		liveBefore[f] = before
	}
	if len(changes) == 0 && base != Adopt {
		return // unchanged
	}
	a := &Action{Address: addr, Kind: string(kind), Action: base, Location: r.Location, ID: obj.ID, Name: obj.Name, Changes: changes}
	a.Desired = inputs(want)
	a.WaitFor = waitFor(ks, want)
	a.Before = liveBefore
	if ready := ks.Field(ks.ReadyField); ready != nil {
		if p, ok := obj.Attrs[ready.Live]; ok {
			liveBefore[ks.ReadyField] = p // what a rollback restores if a restart fails half-way
		}
	}
	if ks.NameField != "" {
		if n, ok := want[ks.NameField].known(); ok {
			a.Name, _ = n.(string)
		}
	}
	switch strongest {
	case provider.Replace:
		if base == Adopt {
			b.problem(addr, &r.Range, fmt.Sprintf("%s: the live %s %s differs in %s, which can only be set at creation", addr, ks.Singular, obj.ID, strings.Join(reasons, ", ")),
				"adopting it would replace it at once; change the stack file to match the live object, or delete the live object first")
			return
		}
		b.replace(r, want, obj, a.Name, strings.Join(reasons, ", ")+" can only be set at creation", changes)
		return
	case provider.Reinstall:
		if base != Adopt {
			a.Action = Reinstall
		}
		a.Reason = strings.Join(reasons, ", ") + " " + reinstall.ChangeReason
		if reinstall.Destructive != "" {
			a.Notes = append(a.Notes, reinstall.Destructive)
		}
	case provider.Restart:
		if ready := ks.Field(ks.ReadyField); ready != nil && ks.RestartNote != "" && obj.Attrs[ready.Live] == ks.ReadyDefault {
			a.Notes = append(a.Notes, ks.RestartNote)
		}
	}
	for _, f := range ks.Fields {
		if f.ChangeNote == nil {
			continue
		}
		if before, changed := liveBefore[f.Name]; changed {
			if after, ok := want[f.Name].known(); ok && !Equal(before, after, false) {
				if note := f.ChangeNote(before, after); note != "" {
					a.Notes = append(a.Notes, note)
				}
			}
		}
	}
	if base == Adopt {
		a.Notes = append(a.Notes, fmt.Sprintf("takes over the existing %s %s; fields the API does not report are taken as declared", ks.Singular, obj.ID))
	} else if a.Action == Update && len(changes) == 1 && ks.ReadyField != "" && changes[0].Path == ks.ReadyField {
		if changes[0].After == ks.ReadyDefault {
			a.Action = Start
		} else {
			a.Action = Stop
		}
	}
	b.add(a)
}

// current returns the "before" of a field: the live attribute when the API
// reports it, else the last applied input. observed is false when neither.
func current(rule *provider.Field, obj *provider.Object, inputs map[string]any) (any, bool) {
	if rule.Live != "" {
		v, ok := obj.Attrs[rule.Live]
		return v, ok
	}
	v, ok := inputs[rule.Name]
	return v, ok
}

// describe turns one field's change into plan changes; nested values
// (cloud_init, rules) show each changed path.
func describe(field string, before any, w wanted, rule *provider.Field) []Change {
	after, known := w.known()
	mode := rule.Change
	switch {
	case !known || w.sensitive:
		return []Change{{Path: field, Before: before, After: w.shown(), Mode: mode.String()}}
	case rule.IsList():
		return listChanges(field, before, after, rule.Keys, mode)
	}
	return nestedChanges(field, before, after, mode)
}

func less(a, b any) bool {
	x, ok1 := toFloat(a)
	y, ok2 := toFloat(b)
	return ok1 && ok2 && x < y
}

// waitFor is the status an object must reach after its action: the
// desired value of its kind's ready field, else the kind's default ("":
// ready when the call returns).
func waitFor(ks *provider.KindSpec, want map[string]wanted) string {
	if ks.ReadyField == "" {
		return ""
	}
	if p, ok := want[ks.ReadyField].known(); ok {
		if s, _ := p.(string); s != "" {
			return s
		}
	}
	return ks.ReadyDefault
}

// fieldOrder lists the wanted fields, the name field first, then
// alphabetically.
func fieldOrder(ks *provider.KindSpec, want map[string]wanted) []string {
	keys := sortedKeys(want)
	if i := slices.Index(keys, ks.NameField); i > 0 {
		copy(keys[1:i+1], keys[:i])
		keys[0] = ks.NameField
	}
	return keys
}

// fieldOrder is the package's fieldOrder, from the kind's fields put in
// that order once per plan rather than sorting each resource's.
func (b *builder) fieldOrder(ks *provider.KindSpec, want map[string]wanted) []string {
	all, ok := b.fieldOrders[ks]
	if !ok {
		names := make(map[string]wanted, len(ks.Fields))
		for _, f := range ks.Fields {
			names[f.Name] = wanted{}
		}
		all = fieldOrder(ks, names)
		if b.fieldOrders == nil {
			b.fieldOrders = map[*provider.KindSpec][]string{}
		}
		b.fieldOrders[ks] = all
	}
	keys := make([]string, 0, len(want))
	for _, f := range all {
		if _, set := want[f]; set {
			keys = append(keys, f)
		}
	}
	if len(keys) != len(want) { // a key that is no field of the kind
		return fieldOrder(ks, want)
	}
	return keys
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// names records by id the addresses of the state's objects of the kinds
// that fields name (a VM's network, a disk's VM), for plans to show
// references by name.
func (b *builder) names() {
	referenced := map[string]bool{}
	for _, ks := range b.live.Provider.Kinds {
		for _, f := range ks.Fields {
			if f.Ref != "" {
				referenced[string(f.Ref)] = true
			}
		}
	}
	for _, r := range append(b.st.Deposed, sortedRecords(b.st)...) {
		if referenced[r.Kind] {
			if b.plan.Names == nil {
				b.plan.Names = map[string]string{}
			}
			b.plan.Names[r.ID] = r.Address
		}
	}
	b.labels()
}

// labels records the provider's labels of the catalogue ids that the
// plan's changes show (KindSpec.Labels).
func (b *builder) labels() {
	type at struct{ kind, location string }
	cache := map[at]map[string]string{}
	for _, a := range b.plan.Actions {
		ks := b.live.Provider.Kind(provider.Kind(a.Kind))
		if ks == nil || ks.Labels == nil {
			continue
		}
		k := at{a.Kind, a.Location}
		labels, ok := cache[k]
		if !ok {
			labels = ks.Labels(a.Location, view{b.live})
			cache[k] = labels
		}
		for _, ch := range a.Changes {
			for _, v := range []any{ch.Before, ch.After} {
				if s, ok := v.(string); ok && labels[s] != "" {
					if b.plan.Labels == nil {
						b.plan.Labels = map[string]string{}
					}
					b.plan.Labels[s] = labels[s]
				}
			}
		}
	}
}

func sortedRecords(st *state.State) []*state.Resource {
	out := make([]*state.Resource, 0, len(st.Resources))
	for _, a := range st.Addresses() {
		out = append(out, st.Resources[a])
	}
	return out
}
