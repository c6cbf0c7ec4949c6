package planner

import (
	"fmt"
	"sort"
	"strings"

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
	matches := b.unowned(b.adoptableDisks(r, want))
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
