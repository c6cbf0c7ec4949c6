package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// wanted is one field's desired value at plan time.
type wanted struct {
	input     Input
	value     any  // resolved value when ok
	ok        bool // known before apply
	sensitive bool
	rng       *spec.Range
}

func (w wanted) known() (any, bool) { return w.value, w.ok }

// shown is the value as a plan displays it.
func (w wanted) shown() any {
	switch {
	case w.sensitive:
		return Sensitive
	case !w.ok:
		return KnownAfter
	}
	return w.value
}

func inputs(want map[string]wanted) map[string]Input {
	out := make(map[string]Input, len(want))
	for k, w := range want {
		if w.input.Value == nil && len(w.input.Refs) == 0 {
			continue // implicit (e.g. the default network): nothing to send
		}
		out[k] = w.input
	}
	return out
}

// desired computes every managed field of a declared resource: the file's
// values, the kind's defaults, references resolved where already known,
// and the catalogue's names turned into ids. ok is false after a problem.
func (b *builder) desired(r *spec.Resource) (map[string]wanted, bool) {
	addr := r.Addr.String()
	want := map[string]wanted{}
	okAll := true
	for field, rule := range Rules[r.Addr.Kind] {
		v, set := r.Fields[field]
		rng := rangePtr(v.Range)
		switch {
		case field == "billing_account":
			if r.BillingAccount != 0 {
				want[field] = plain(r.BillingAccount, false, rangePtr(b.stack.Ranges["/"+string(r.Addr.Kind)+"/"+r.Addr.Name+"/billing_account"]))
			}
			continue
		case !set && rule.Default == nil:
			if special, ok := b.implicit(r, field); ok {
				want[field] = special
			}
			continue
		case !set && rule.Default == DefaultName:
			want[field] = plain(r.Addr.Name, false, &r.Range)
			continue
		case !set:
			want[field] = plain(rule.Default, false, &r.Range)
			continue
		}
		w, ok := b.resolveField(r, field, rule, v, rng)
		if !ok {
			okAll = false
			continue
		}
		want[field] = w
	}
	if r.Addr.Kind == spec.VMs && okAll {
		okAll = b.checkCatalog(addr, r, want)
	}
	return want, okAll
}

func plain(v any, sensitive bool, rng *spec.Range) wanted {
	return wanted{input: Input{Value: v, Sensitive: sensitive}, value: v, ok: true, sensitive: sensitive, rng: rng}
}

// resolveField turns a declared value into a wanted one.
func (b *builder) resolveField(r *spec.Resource, field string, rule Rule, v spec.Value, rng *spec.Range) (wanted, bool) {
	sensitive := v.Sensitive || rule.Secret
	if rule.Ref != "" {
		var refs []string
		for _, ref := range v.Refs {
			if ref.Attr == "" && ref.Addr.Kind == rule.Ref {
				refs = append(refs, ref.Addr.String())
			}
		}
		return b.resolved(r, field, wanted{input: Input{Refs: refs, List: rule.List}, rng: rng})
	}
	if m, ok := v.V.(map[string]any); ok && len(v.Refs) > 0 && v.Refs[0].Attr == "" {
		// A nested reference: a disk's source.ref goes in as source.uuid,
		// a VM's clone_from.vm is replaced by the VM's uuid.
		key := "uuid"
		if m["ref"] == nil {
			key = "vm"
		}
		w := wanted{input: Input{Value: v.V, Refs: []string{v.Refs[0].Addr.String()}, RefKey: key}, rng: rng}
		w.value, w.ok, _ = w.input.Resolve(b.lookup)
		if key == "vm" && !w.ok && b.st.Get(r.Addr.String()) == nil {
			// A VM that this plan creates has no snapshot or backup yet:
			// the create would fail half-way through the apply.
			b.problem(r.Addr.String(), rng, fmt.Sprintf("%s: clone_from: %s is created by this plan, so it has no snapshot or backup to clone from yet", r.Addr, v.Refs[0].Addr),
				"apply without "+r.Addr.String()+" first, take a snapshot (or wait for a backup) of "+v.Refs[0].Addr.String()+", then add it")
			return w, false
		}
		return w, true
	}
	var attrs []string
	for _, ref := range v.Refs {
		if ref.Attr != "" {
			attrs = append(attrs, ref.Addr.String()+"."+ref.Attr)
		}
	}
	if len(attrs) == 0 {
		return plain(v.V, sensitive, rng), true
	}
	return b.resolved(r, field, wanted{input: Input{Value: v.V, Template: true, Attrs: attrs, Sensitive: sensitive}, sensitive: sensitive, rng: rng})
}

// resolved fills in what of a wanted value is known before apply.
func (b *builder) resolved(r *spec.Resource, field string, w wanted) (wanted, bool) {
	val, ok, err := w.input.Resolve(b.lookup)
	if err != nil {
		b.problem(r.Addr.String(), w.rng, fmt.Sprintf("%s: %s: %v", r.Addr, field, err), "")
		return w, false
	}
	w.value, w.ok = val, ok
	return w, true
}

// implicit fills fields whose default depends on the live account: a VM's
// or load balancer's network defaults to the location's default network,
// a VM's pool to the location's default pool.
func (b *builder) implicit(r *spec.Resource, field string) (wanted, bool) {
	switch {
	case field == "network" && (r.Addr.Kind == spec.VMs || r.Addr.Kind == spec.LoadBalancers):
		if n := b.live.DefaultNetwork(r.Location); n != nil {
			// Value only: nothing to send at create, the API picks the default.
			return wanted{value: n.ID, ok: true, rng: &r.Range}, true
		}
	case field == "pool" && r.Addr.Kind == spec.VMs:
		if c := b.live.Catalogs[r.Location]; c != nil {
			for _, p := range c.Pools {
				if p.Default {
					return plain(p.UUID, false, &r.Range), true
				}
			}
		}
	}
	return wanted{}, false
}

// checkCatalog checks OS and pool against the location's catalogue and
// turns a pool name into its uuid.
func (b *builder) checkCatalog(addr string, r *spec.Resource, want map[string]wanted) bool {
	c := b.live.Catalogs[r.Location]
	if c == nil {
		return true
	}
	ok := true
	osName, _ := want["os_name"].value.(string)
	osVersion, _ := want["os_version"].value.(string)
	var names []string
	var image *provider.Image
	for i := range c.Images {
		names = append(names, c.Images[i].OSName)
		if c.Images[i].OSName == osName {
			image = &c.Images[i]
		}
	}
	switch {
	case want["os_name"].ok && image == nil:
		b.problem(addr, want["os_name"].rng, fmt.Sprintf("%s: os_name %q is not offered in %s", addr, osName, r.Location),
			"allowed: "+strings.Join(names, ", "))
		ok = false
	case want["os_version"].ok && image != nil && !slices.Contains(image.Versions, osVersion):
		b.problem(addr, want["os_version"].rng, fmt.Sprintf("%s: %s %q is not offered in %s", addr, osName, osVersion, r.Location),
			fmt.Sprintf("allowed versions of %s: %s", osName, strings.Join(image.Versions, ", ")))
		ok = false
	}
	if w, set := want["pool"]; set && w.ok {
		p, _ := w.value.(string)
		var pools []string
		found := ""
		for _, pool := range c.Pools {
			pools = append(pools, pool.Name)
			if pool.UUID == p || strings.EqualFold(pool.Name, p) {
				found = pool.UUID
			}
		}
		if found == "" {
			b.problem(addr, w.rng, fmt.Sprintf("%s: host pool %q does not exist in %s", addr, p, r.Location), "allowed: "+strings.Join(pools, ", ")+" (a name or its uuid)")
			ok = false
		} else {
			want["pool"] = plain(found, false, w.rng)
		}
	}
	return ok
}
