package planner

import (
	"fmt"
	"time"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// Candidates are the live objects a create may have made although its
// outcome is unknown: owned by no address, and of the journaled name (a
// nameless disk: matching the journaled inputs, made since the intent).
func Candidates(ks *provider.KindSpec, objs []provider.Object, owned map[string]bool, name string, match map[string]any, since time.Time) []provider.Object {
	var found []provider.Object
	for _, o := range objs {
		if owned[o.ID] {
			continue
		}
		if (name != "" && o.Name == name) || (name == "" && ks != nil && ks.Made != nil && ks.Made(o, match, since)) {
			found = append(found, o)
		}
	}
	return found
}

// Recovery is what Recover did with the open intents of a journal.
type Recovery struct {
	Adopted  []string  // "vms.web (uuid)": created by an interrupted run, now in the state
	Problems []Problem // intents that cannot be resolved safely
	// Unseen are the create intents whose object is not (yet) live: made
	// never, or still being made (see executor.AwaitCreates).
	Unseen []state.Entry
}

// Recover resolves the open intents of an interrupted apply: an object
// created under a journaled name (or, for disks, matching the journaled
// size and source, made since) and owned by no address is put in the
// state, so it is never duplicated and never leaked. It changes st.
func Recover(open []state.Entry, st *state.State, live *Live) Recovery {
	var rec Recovery
	owned := st.Owned()
	for _, in := range open {
		if (in.Op != "create" && in.Op != "replace") || in.Record == nil {
			continue // updates and deletes: the refresh shows where they got
		}
		kind := provider.Kind(in.Kind)
		found := Candidates(live.Kind(kind), live.ObjectsOf(kind, in.Location), owned, in.Name, in.Match, in.Time)
		switch len(found) {
		case 0:
			rec.Unseen = append(rec.Unseen, in) // not made, or not yet
		case 1:
			o := found[0]
			if in.Op == "replace" {
				st.Depose(in.Address)
			}
			r := in.Record.Clone()
			r.ID = o.ID
			if r.Name == "" {
				r.Name = o.Name
			}
			st.Put(r)
			owned[o.ID] = true
			rec.Adopted = append(rec.Adopted, fmt.Sprintf("%s (%s)", in.Address, o.ID))
		default:
			ids := ""
			for i, o := range found {
				if i > 0 {
					ids += ", "
				}
				ids += o.ID
			}
			rec.Problems = append(rec.Problems, Problem{Address: in.Address,
				Summary: fmt.Sprintf("%s: an interrupted apply was creating it and %d unowned %s now match: %s", in.Address, len(found), kind, ids),
				Detail:  "idstack adopts none of them: delete the extra ones (or adopt the right one with --adopt) and plan again"})
		}
	}
	return rec
}
