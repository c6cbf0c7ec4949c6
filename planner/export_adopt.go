package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Disks have no name in the API, so adopting an exported stack file cannot
// find them by name. With --adopt (or adopt: true), a declared disk that
// the state does not record is matched instead by what it declares: an
// unowned live disk of its location with the same size, the same
// attachment (attach_to resolved to the VM's id, or none), the same source
// type and image where declared, and the same billing account where
// declared. A VM's boot disk never matches. One match is adopted; more
// than one is a problem naming them all, and none is adopted.
//
// adoptDisk is meant to be called by planResource (build.go) for a disk
// with no state record when adopting; it reports whether it planned the
// resource (an adoption or a problem), false when nothing matches and the
// disk is to be created.
func (b *builder) adoptDisk(r *spec.Resource, want map[string]wanted) bool {
	addr := r.Addr.String()
	matches, refused := b.notElsewhere(r, b.unowned(b.adoptableDisks(r, want)))
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
	b.problem(addr, &r.Range, fmt.Sprintf("%s: %d unowned live disks in %s match it (%s); idstack cannot tell which to adopt", addr, len(matches), r.Location, strings.Join(ids, ", ")),
		"disks have no name in the API: make the declaration tell them apart (size, attach_to, source), or delete the extra ones")
	return true
}

// adoptableDisks lists the live disks a declared disk could be, sorted by id.
func (b *builder) adoptableDisks(r *spec.Resource, want map[string]wanted) []provider.Object {
	size, ok := want["size"].known()
	if !ok {
		return nil
	}
	attach, ok := want["attach_to"].known()
	if !ok {
		return nil // the VM is created by this plan: a new VM has no disk yet
	}
	boot := map[string]bool{}
	for _, vm := range b.live.Objects[scopeOf(provider.VMs, r.Location)] {
		if id, _ := vm.Attrs["disk_uuid"].(string); id != "" {
			boot[id] = true
		}
	}
	var srcType, srcImage string
	if src, ok := want["source"].known(); ok {
		if m, ok := src.(map[string]any); ok {
			srcType, _ = m["type"].(string)
			srcImage, _ = m["image"].(string)
		}
	}
	var out []provider.Object
	for _, d := range b.live.Objects[scopeOf(provider.Disks, r.Location)] {
		switch {
		case boot[d.ID]:
		case !Equal(d.Attrs["size"], size, false):
		case str(d.Attrs["attached_to"]) != str(attach):
		case srcType != "" && !strings.EqualFold(str(d.Attrs["source_type"]), srcType):
		case srcImage != "" && str(d.Attrs["source_image"]) != srcImage:
		case r.BillingAccount != 0 && intOf(d.Attrs["billing_account"]) != r.BillingAccount:
		default:
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
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
		what := provider.Kind(r.Addr.Kind).Singular()
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
