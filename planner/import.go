package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// `idstack import ADDR ID` takes one live object, found by its id, under a
// declared address that the state does not record: the way to own an
// object whose name differs from the file's (adoption finds objects by
// name), or one of a kind that has no name at all (disks). Nothing is
// changed in the cloud: the state records the object, and the next plan
// shows how it differs from the file, as updates or replacements by the
// kind's rules, never as a create.
//
// It is engine code: every provider's kinds are imported the same way,
// from the refresh (which lists each kind in the locations in use, the
// declared resource's among them).

// ImportError says why an object cannot be imported, and what to do.
type ImportError struct {
	Address string
	Summary string
	Detail  string
	// Problems are the stack file's own problems with the resource
	// (its values cannot be planned).
	Problems []Problem
}

func (e *ImportError) Error() string {
	if e.Detail == "" {
		return e.Summary
	}
	return e.Summary + ": " + e.Detail
}

// ImportAddress checks the address of an import against the stack file
// alone (before anything is read from the cloud): KIND.NAME of the
// provider's kinds, declared in the file.
func ImportAddress(stack *spec.Stack, addr string) (*spec.Resource, error) {
	a, err := spec.ParseAddress(addr, stack.Provider)
	if err != nil {
		return nil, &ImportError{Address: addr, Summary: err.Error()}
	}
	var declared []string
	for _, r := range stack.Resources {
		if r.Addr == a {
			return r, nil
		}
		declared = append(declared, r.Addr.String())
	}
	sort.Strings(declared)
	detail := fmt.Sprintf("import takes an address the stack file declares: declare %s in it first", addr)
	if s := SuggestAddress(addr, declared); s != "" {
		detail = fmt.Sprintf("did you mean %s? (%s)", s, detail)
	}
	return nil, &ImportError{Address: addr, Summary: fmt.Sprintf("%s is not declared in %s", addr, stack.Filename), Detail: detail}
}

// ImportUnrecorded checks that the state does not record the address of
// an import.
func ImportUnrecorded(st *state.State, addr string) error {
	if sr := st.Get(addr); sr != nil {
		return &ImportError{Address: addr, Summary: fmt.Sprintf("%s is in the state of stack %q already (id %s)", addr, st.Stack, sr.ID),
			Detail: fmt.Sprintf("import takes an address the state does not record; to put another object under it, forget this one first (idstack state rm %s)", addr)}
	}
	return nil
}

// Import returns the state record that takes the live object id under the
// declared address addr. The object must exist in the resource's location
// (global kinds: anywhere), be free (no record of this state, deposed
// ones included, and no other stack's state, in elsewhere, holds it) and
// be a resource of its own (not part of another object, such as a VM's
// boot disk).
//
// The record holds the object's id, location and live name, the
// resource's references (which order deletions, as an applied record's
// do), and as its last applied inputs the declared values of the fields
// the API does not report (secrets hashed): those are taken as declared,
// as adoption takes them, so that a later change of them in the file is
// planned. The fields the API reports are compared with the live object
// by the next plan.
func Import(stack *spec.Stack, st *state.State, live *Live, addr, id string, elsewhere *state.Elsewhere) (*state.Resource, error) {
	r, err := ImportAddress(stack, addr)
	if err != nil {
		return nil, err
	}
	fail := func(summary, detail string, args ...any) error {
		return &ImportError{Address: addr, Summary: summary, Detail: fmt.Sprintf(detail, args...)}
	}
	if err := ImportUnrecorded(st, addr); err != nil {
		return nil, err
	}
	kind := r.Addr.Kind
	ks := live.Kind(kind)
	if ks == nil {
		return nil, fail(fmt.Sprintf("%s: provider %s has no kind %s", addr, live.Provider.Name, kind), "")
	}
	where := "in " + r.Location
	if ks.Global {
		where = "in the account"
	}
	obj := live.Find(kind, r.Location, id)
	if obj == nil {
		return nil, fail(fmt.Sprintf("no live %s has the id %q %s", ks.Singular, id, where), "%s", notFoundDetail(live, ks, r, id))
	}
	for _, a := range st.Addresses() {
		if o := st.Get(a); o.Kind == string(kind) && o.ID == id {
			return nil, fail(fmt.Sprintf("the live %s %s is in the state already, as %s", ks.Singular, describeObj(obj), a),
				"one object cannot be two resources; to give it the address %s instead, rename it: idstack state mv %s %s", addr, a, addr)
		}
	}
	for _, o := range st.Deposed {
		if o.Kind == string(kind) && o.ID == id {
			return nil, fail(fmt.Sprintf("the live %s %s is in the state already: the old half of %s's replacement", ks.Singular, describeObj(obj), o.Address),
				"the next apply deletes it; import another object")
		}
	}
	if owner, ok := elsewhere.Owner(string(kind), id); ok {
		return nil, fail(fmt.Sprintf("the live %s %s belongs to stack %q (%s, as %s)", ks.Singular, describeObj(obj), owner.Stack, owner.Where, owner.Address),
			"import never takes another stack's resource; to move it to this stack, forget it there first: idstack state rm -f FILE %s, FILE being that stack's file (with its variables)", owner.Address)
	}
	if ks.ExportSkip != nil && ks.ExportSkip(*obj, view{live}) {
		return nil, fail(fmt.Sprintf("the live %s %s is part of another object, not a resource of its own", ks.Singular, describeObj(obj)),
			"it is managed with the object it belongs to (a VM's boot disk is the VM's disk: field); idstack export leaves it out for the same reason")
	}

	b := newBuilder(stack, st, live, Options{})
	// The resources it references are planned first (the order puts
	// them before it): their live objects resolve its references.
	var want map[string]wanted
	for _, dr := range b.declaredInOrder() {
		if dr != r {
			b.planResource(dr)
			continue
		}
		var ok bool
		if want, ok = b.desired(r); !ok {
			var mine []Problem
			for _, p := range b.plan.Errors {
				if p.Address == addr {
					mine = append(mine, p)
				}
			}
			return nil, &ImportError{Address: addr, Summary: fmt.Sprintf("%s cannot be planned as the stack file declares it", addr),
				Detail: "fix the stack file, then import again", Problems: mine}
		}
		break
	}
	inputs := map[string]any{}
	for _, f := range ks.Fields {
		w, ok := want[f.Name]
		if !ok || f.Live != "" {
			continue // reported by the API: the plan compares the live value
		}
		v, known := w.known()
		if !known {
			continue
		}
		if w.sensitive {
			s, ok := v.(string)
			if !ok {
				continue
			}
			v = state.Hash(s)
		}
		inputs[f.Name] = v
	}
	rec := &state.Resource{Address: addr, Kind: string(kind), ID: obj.ID, Location: r.Location, Name: obj.Name, Inputs: inputs, DependsOn: b.refs[addr]}
	if len(rec.Inputs) == 0 {
		rec.Inputs = nil
	}
	return rec, nil
}

// notFoundDetail helps with an id that is not where the resource is: the
// same id in another location of the refresh, or how to list them.
func notFoundDetail(live *Live, ks *provider.KindSpec, r *spec.Resource, id string) string {
	addr := r.Addr.String()
	var elsewhere []string
	for sc, objs := range live.Objects {
		if sc.Kind != ks.Kind || sc.Location == r.Location {
			continue
		}
		for _, o := range objs {
			if o.ID == id {
				elsewhere = append(elsewhere, sc.Location)
			}
		}
	}
	if len(elsewhere) > 0 {
		sort.Strings(elsewhere)
		return fmt.Sprintf("it is in %s: an import looks where the stack file puts %s (its location, %s); set location: %s on it to import that one",
			strings.Join(elsewhere, ", "), addr, r.Location, elsewhere[0])
	}
	if ks.Global {
		return fmt.Sprintf("check the id (idstack export --location %s --kinds %s lists them with their ids)", r.Location, ks.Kind)
	}
	return fmt.Sprintf("an import looks where the stack file puts %s (its location, %s); check the id, or the location (idstack export --location %s --kinds %s lists them with their ids)",
		addr, r.Location, r.Location, ks.Kind)
}

func describeObj(o *provider.Object) string {
	if o.Name != "" && o.Name != o.ID {
		return fmt.Sprintf("%q (id %s)", o.Name, o.ID)
	}
	return o.ID
}
