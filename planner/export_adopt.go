package planner

import (
	"fmt"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Some kinds have no name in the API (disks), so adopting an exported
// stack file cannot find them by name. With --adopt (or adopt: true), a
// declared resource of such a kind that the state does not record is
// matched instead by what it declares: the provider lists the unowned live
// objects it could be (KindSpec.Adoptable). One match is adopted; more than
// one is a problem naming them all, and none is adopted.
//
// adoptNameless reports whether it planned the resource (an adoption or a
// problem), false when nothing matches and it is to be created.
func (b *builder) adoptNameless(r *spec.Resource, ks *provider.KindSpec, want map[string]wanted) bool {
	addr := r.Addr.String()
	values := map[string]any{}
	for f, w := range want {
		if v, ok := w.known(); ok {
			values[f] = v
		}
	}
	matches, refused := b.notElsewhere(r, b.unowned(ks.Adoptable(values, r.Location, view{b.live})))
	if refused {
		return true
	}
	switch len(matches) {
	case 0:
		return false
	case 1:
		obj := &matches[0]
		b.objs[addr] = obj
		b.diffExisting(r, want, obj, nil, Adopt)
		return true
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.ID
	}
	b.problem(addr, &r.Range, fmt.Sprintf("%s: %d unowned live %s in %s match it (%s); idstack cannot tell which to adopt", addr, len(matches), r.Addr.Kind, r.Location, strings.Join(ids, ", ")),
		fmt.Sprintf("%s have no name in the API: make the declaration tell them apart, or delete the extra ones", r.Addr.Kind))
	return true
}

// Adopting never takes over an object that another stack's state owns
// (Options.Elsewhere: the other states beside this one, read once per
// plan). notElsewhere drops such objects from the candidates of an
// adoption; when that leaves none, the adoption is refused with a plan
// error naming the other stack, its state and the way out, so nothing is
// taken over. When another candidate is left, the plan warns that the
// other stack's object was left alone.
func (b *builder) notElsewhere(r *spec.Resource, matches []provider.Object) (free []provider.Object, refused bool) {
	type theirs struct {
		obj   provider.Object
		owner state.Owner
	}
	var taken []theirs
	for _, o := range matches {
		if owner, ok := b.opts.Elsewhere.Owner(string(o.Kind), o.ID); ok {
			taken = append(taken, theirs{o, owner})
		} else {
			free = append(free, o)
		}
	}
	if len(taken) == 0 {
		return matches, false
	}
	addr := r.Addr.String()
	describe := func(t theirs) string {
		what := b.live.Kind(r.Addr.Kind).Singular
		if t.obj.Name != "" {
			what += fmt.Sprintf(" %q", t.obj.Name)
		}
		return fmt.Sprintf("the live %s (id %s) belongs to stack %q (%s, as %s)", what, t.obj.ID, t.owner.Stack, t.owner.Where, t.owner.Address)
	}
	if len(free) > 0 {
		for _, t := range taken {
			b.plan.Warnings = append(b.plan.Warnings, Problem{Address: addr,
				Summary: fmt.Sprintf("%s: %s; it is left alone", addr, describe(t))})
		}
		return free, false
	}
	t := taken[0]
	b.problem(addr, &r.Range, fmt.Sprintf("%s: %s; --adopt never takes over another stack's resource", addr, describe(t)),
		fmt.Sprintf("Nothing is adopted. To move it to this stack, forget it in stack %q first: `idstack state rm -f FILE %s`, FILE being that stack's file (with its variables), then plan again. Otherwise give this resource another name.", t.owner.Stack, t.owner.Address))
	return nil, true
}

// elsewhereWarnings passes on the other states that could not be read.
func (b *builder) elsewhereWarnings() {
	if b.opts.Elsewhere == nil {
		return
	}
	for _, w := range b.opts.Elsewhere.Warnings {
		b.plan.Warnings = append(b.plan.Warnings, Problem{Summary: w})
	}
}
