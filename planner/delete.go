package planner

import (
	"fmt"
	"sort"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// planDeletions deletes what the state owns and the stack no longer
// declares (everything, for destroy), and deposed old halves.
func (b *builder) planDeletions() {
	declared := map[string]*spec.Resource{}
	if b.stack != nil {
		for _, r := range b.stack.Resources {
			declared[r.Addr.String()] = r
		}
	}
	for _, addr := range b.st.Addresses() {
		r := declared[addr]
		if r != nil && !b.opts.Destroy {
			continue
		}
		if r != nil && r.Lifecycle.PreventDestroy {
			b.problem(addr, &r.Range, fmt.Sprintf("%s has lifecycle.prevent_destroy set and this plan would delete it", addr),
				"remove prevent_destroy from the stack file first if it really must go")
			continue
		}
		b.deletion(b.st.Get(addr), false)
	}
	for _, sr := range b.st.Deposed {
		b.deletion(sr, true)
	}
}

func (b *builder) deletion(sr *state.Resource, deposed bool) {
	kind := provider.Kind(sr.Kind)
	ks := b.live.Kind(kind)
	a := &Action{Address: sr.Address, Kind: sr.Kind, Action: Delete, Location: sr.Location, ID: sr.ID, Name: sr.Name, Deposed: deposed}
	if deposed {
		a.Notes = append(a.Notes, fmt.Sprintf("old %s %s left from an earlier replacement", b.singular(kind), sr.ID))
	}
	obj := b.live.Find(kind, sr.Location, sr.ID)
	switch {
	case obj == nil:
		a.Forget = true
		a.Notes = append(a.Notes, "already gone from the cloud: only removed from the state")
	case ks != nil && ks.Protected != nil && ks.Protected(*obj) != "":
		// The API never deletes it (a location's default network): the
		// stack stops managing it and leaves it in place.
		a.Forget = true
		a.Notes = append(a.Notes, ks.Protected(*obj))
	}
	b.add(a)
}

// wire fills every action's dependencies: first-phase actions wait for the
// first-phase actions of what they reference; deletions wait for the
// deletions of what referenced them. Then it orders the actions.
func (b *builder) wire() {
	deleting := map[string]bool{}
	for _, a := range b.plan.Actions {
		if a.DeletesOld() {
			deleting[a.Address] = true
		}
	}
	// dependents: address → addresses whose deleted record references it.
	dependents := map[string][]string{}
	for _, r := range b.recordsBeingDeleted() {
		for _, d := range r.DependsOn {
			dependents[d] = append(dependents[d], r.Address)
		}
	}
	for _, a := range b.plan.Actions {
		if a.Phase1() {
			a.References = b.refs[a.Address]
			for _, ref := range a.References {
				if b.actions[ref] != nil {
					a.DependsOn = appendUnique(a.DependsOn, ref)
				}
			}
		}
		if a.DeletesOld() {
			for _, other := range dependents[a.Address] {
				if other != a.Address && deleting[other] {
					a.DeleteAfter = appendUnique(a.DeleteAfter, other)
				}
			}
			sort.Strings(a.DeleteAfter)
			if a.Action == Delete {
				a.DependsOn = append(a.DependsOn, a.DeleteAfter...)
			}
		}
	}
	b.order()
}

// recordsBeingDeleted are the state records of objects with a deletion half.
func (b *builder) recordsBeingDeleted() []*state.Resource {
	var out []*state.Resource
	for _, a := range b.plan.Actions {
		if !a.DeletesOld() {
			continue
		}
		if a.Deposed {
			for _, d := range b.st.Deposed {
				if d.ID == a.ID {
					out = append(out, d)
				}
			}
		} else if sr := b.st.Get(a.Address); sr != nil {
			out = append(out, sr)
		}
	}
	return out
}

// order puts first-phase actions in dependency order, then deletions in
// the order they will run.
func (b *builder) order() {
	var first, second []*Action
	for _, a := range b.plan.Actions {
		if a.Phase1() {
			first = append(first, a)
		} else {
			second = append(second, a)
		}
	}
	b.plan.Actions = append(sortActions(first, func(a *Action) []string { return a.DependsOn }),
		sortActions(second, func(a *Action) []string { return a.DeleteAfter })...)
}

func sortActions(actions []*Action, deps func(*Action) []string) []*Action {
	keys := make([]string, len(actions))
	byKey := map[string][]*Action{}
	for i, a := range actions {
		keys[i] = a.Address
		byKey[a.Address] = append(byKey[a.Address], a)
	}
	g := NewGraph(keys)
	for _, a := range actions {
		for _, d := range deps(a) {
			g.Edge(a.Address, d)
		}
	}
	order, err := g.Order()
	if err != nil {
		return actions
	}
	out := make([]*Action, 0, len(actions))
	for _, k := range order {
		out = append(out, byKey[k]...)
		byKey[k] = nil
	}
	return out
}
