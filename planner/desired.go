package planner

import (
	"fmt"

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
	ks := b.live.Kind(r.Addr.Kind)
	want := make(map[string]wanted, len(ks.Fields))
	okAll := true
	for _, rule := range ks.Fields {
		field := rule.Name
		if rule.Ignored != "" {
			continue // accepted in the file, nothing to manage (spec warns)
		}
		v, set := r.Fields[field]
		rng := rangePtr(v.Range)
		switch {
		case set && v.V == nil && len(v.Refs) == 0:
			continue // null: not managed
		case !set && rule.Default == nil:
			if special, ok := b.implicit(ks, r, field); ok {
				want[field] = special
			}
			continue
		case !set && rule.Default == provider.DefaultName:
			want[field] = plain(r.Addr.Name, false, &r.Range)
			continue
		case !set:
			want[field] = plain(rule.Default, false, &r.Range)
			continue
		}
		w, ok := b.resolveField(r, rule, v, rng)
		if !ok {
			okAll = false
			continue
		}
		want[field] = w
	}
	if ks.Catalog != nil && okAll {
		okAll = b.checkCatalog(addr, ks, r, want)
	}
	return want, okAll
}

func plain(v any, sensitive bool, rng *spec.Range) wanted {
	return wanted{input: Input{Value: v, Sensitive: sensitive}, value: v, ok: true, sensitive: sensitive, rng: rng}
}

// resolveField turns a declared value into a wanted one.
func (b *builder) resolveField(r *spec.Resource, rule *provider.Field, v spec.Value, rng *spec.Range) (wanted, bool) {
	field := rule.Name
	sensitive := v.Sensitive || rule.Sensitive
	if rule.Ref != "" {
		var refs []string
		for _, ref := range v.Refs {
			if ref.Attr == "" && ref.Addr.Kind == rule.Ref {
				refs = append(refs, ref.Addr.String())
			}
		}
		return b.resolved(r, field, wanted{input: Input{Refs: refs, List: rule.IsList()}, rng: rng})
	}
	if m, ok := v.V.(map[string]any); ok && len(v.Refs) > 0 && v.Refs[0].Attr == "" {
		// A nested reference: the named resource's id goes in at the
		// property the description says (a disk's source.ref as
		// source.uuid; a VM's clone_from.vm in place of the name).
		sub := nestedRef(rule, m)
		key := sub.Name
		if sub.RefTo != "" {
			key = sub.RefTo
		}
		w := wanted{input: Input{Value: v.V, Refs: []string{v.Refs[0].Addr.String()}, RefKey: key, RefFrom: sub.Name}, rng: rng}
		w.value, w.ok, _ = w.input.Resolve(b.lookup)
		if sub.NotYet != "" && !w.ok && b.st.Get(r.Addr.String()) == nil {
			// What this plan creates cannot be used at create yet (a VM
			// has no snapshot or backup to clone from): the create would
			// fail half-way through the apply.
			b.problem(r.Addr.String(), rng, fmt.Sprintf("%s: %s: %s is created by this plan", r.Addr, field, v.Refs[0].Addr), sub.NotYet)
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

// nestedRef is the property of an object field that names a resource in
// this value (the first reference property that is set).
func nestedRef(f *provider.Field, m map[string]any) *provider.Field {
	var first *provider.Field
	for _, sub := range f.Fields {
		if sub.Ref == "" {
			continue
		}
		if first == nil {
			first = sub
		}
		if _, set := m[sub.Name]; set {
			return sub
		}
	}
	return first
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

// implicit fills a field whose default depends on the live account (a
// VM's network: the location's default network), from the provider.
func (b *builder) implicit(ks *provider.KindSpec, r *spec.Resource, field string) (wanted, bool) {
	if ks.Implicit == nil {
		return wanted{}, false
	}
	v, send, ok := ks.Implicit(field, r.Location, view{b.live})
	switch {
	case !ok:
		return wanted{}, false
	case !send:
		// Value only: nothing to send at create, the API picks the same.
		return wanted{value: v, ok: true, rng: &r.Range}, true
	}
	return plain(v, false, &r.Range), true
}

// checkCatalog checks the known values against the location's catalogue
// (the provider's KindSpec.Catalog), which may also turn names into ids.
func (b *builder) checkCatalog(addr string, ks *provider.KindSpec, r *spec.Resource, want map[string]wanted) bool {
	cat := b.live.Catalog(r.Location)
	if cat == nil {
		return true
	}
	values := map[string]any{}
	for f, w := range want {
		if v, ok := w.known(); ok {
			values[f] = v
		}
	}
	problems, replace := ks.Catalog(values, cat)
	for _, p := range problems {
		b.problem(addr, want[p.Field].rng, addr+": "+p.Summary, p.Allowed+didYouMean(p.Value, p.Choices))
	}
	for f, v := range replace {
		want[f] = plain(v, false, want[f].rng)
	}
	return len(problems) == 0
}

// didYouMean suggests the choice nearest to a value not among them.
func didYouMean(value string, choices []string) string {
	if s := spec.Suggest(value, choices); s != "" && value != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}
