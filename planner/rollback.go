package planner

import (
	"fmt"
	"slices"
	"sort"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// Rollback plans the undoing of what a failed apply did, from its journal:
// created objects are deleted (the new halves of replacements too, their
// old objects becoming current again), updated fields are set back to
// their earlier values, adopted objects are released. The plan is run by
// the same executor as any other.
func Rollback(d *provider.Description, stack string, entries []state.Entry) *Plan {
	p := &Plan{FormatVersion: FormatVersion, Stack: stack, Rollback: true}
	outcomes := map[int]state.Entry{}
	for _, e := range entries {
		if e.Phase == "outcome" {
			outcomes[e.Intent] = e
		}
	}
	// Every update is undone, even one that failed or was cut short: it may
	// have done part of its work (a VM stopped and resized, then not
	// started), and setting the earlier values again is safe either way.
	// A create is undone when it made something.
	type step struct{ in, out state.Entry }
	var done []step
	for _, e := range entries {
		if e.Phase != "intent" {
			continue
		}
		out, ok := outcomes[e.Seq]
		if e.Op == "update" || (ok && out.OK) {
			done = append(done, step{e, out})
		}
	}
	deleted := map[string]*state.Resource{} // address → record of what gets deleted
	for i := len(done) - 1; i >= 0; i-- {
		in, out := done[i].in, done[i].out
		a := &Action{Address: in.Address, Kind: in.Kind, Location: in.Location, DependsOn: []string{}, Changes: []Change{}, Notes: []string{}}
		switch in.Op {
		case "create", "replace":
			a.Action, a.ID, a.Name = Delete, out.ID, in.Name
			a.Notes = append(a.Notes, "created by the failed apply")
			if in.Op == "replace" && in.Previous != nil {
				a.Restore = in.Previous
				a.Notes = append(a.Notes, fmt.Sprintf("the object it was to replace (%s) is kept", in.Previous.ID))
			}
			if in.Record != nil {
				deleted[in.Address] = in.Record
			}
		case "adopt":
			a.Action, a.ID, a.Forget = Delete, in.ID, true
			a.Notes = append(a.Notes, "adopted by the failed apply: only released from the state, left as it was")
		case "update":
			a.Action, a.ID = Update, in.ID
			a.Desired = map[string]Input{}
			a.Before = map[string]any{}
			for _, f := range sortedKeys(in.Before) {
				a.Changes = append(a.Changes, Change{Path: f, Before: in.After[f], After: in.Before[f]})
				a.Desired[f] = Input{Value: in.Before[f]}
				a.Before[f] = in.After[f]
			}
			if len(a.Changes) == 0 {
				continue // only secrets changed: nothing that can be put back
			}
			a.Restore = in.Previous
			a.WaitFor = in.WaitFor
			ks := d.Kind(provider.Kind(in.Kind))
			for _, f := range sortedKeys(in.Before) {
				if note := ks.Field(f).UndoNoteOrEmpty(); note != "" && !slices.Contains(a.Notes, note) {
					a.Notes = append(a.Notes, note) // what an undo cannot bring back
				}
			}
		default:
			continue
		}
		p.Actions = append(p.Actions, a)
	}
	// Deletions wait for the deletions of what referenced them.
	for _, a := range p.Actions {
		if a.Action != Delete {
			continue
		}
		for addr, r := range deleted {
			if addr != a.Address && slices.Contains(r.DependsOn, a.Address) {
				a.DeleteAfter = appendUnique(a.DeleteAfter, addr)
			}
		}
		sort.Strings(a.DeleteAfter)
		a.DependsOn = append(a.DependsOn, a.DeleteAfter...)
	}
	var first, second []*Action
	for _, a := range p.Actions {
		if a.Phase1() {
			first = append(first, a)
		} else {
			second = append(second, a)
		}
	}
	p.Actions = append(first, sortActions(second, func(a *Action) []string { return a.DeleteAfter })...)
	p.summarize()
	return p
}
