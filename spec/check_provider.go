package spec

import (
	"fmt"
	"strings"

	"github.com/idstack/idstack/provider"
)

// provided applies the rules the provider's description gives for a
// resource: no location on a global kind, required fields that a stack
// default may fill, and the kind's own rules (KindSpec.Check), reported
// where the value stands.
func (c *checker) provided(r *Resource, ptr string, body map[string]any) {
	ks := c.kind(r.Addr.Kind)
	if ks == nil {
		return
	}
	if ks.Global {
		if _, ok := body["location"]; ok {
			p := ptr + "/location"
			c.errorf(c.at(KeyPointer(p), r.Range), p, fmt.Sprintf("remove location: from %s; %s are global, in no location", r.Addr, r.Addr.Kind),
				"location is not allowed on a %s (%s)", ks.Singular, r.Addr)
		}
	}
	for _, f := range ks.Fields {
		if f.Ignored != "" {
			if _, own := body[f.Name]; own {
				p := ptr + "/" + escapePointer(f.Name)
				c.warnf(c.at(KeyPointer(p), r.Range), p, f.Ignored, "%s: %s is ignored", r.Addr, f.Name)
			}
		}
		if !f.Required || f.RequiredWhy == "" {
			continue
		}
		if v, set := r.Fields[f.Name]; set && v.V != nil {
			continue
		}
		rng := r.Range
		detail := fmt.Sprintf("%s: set %s:", f.RequiredWhy, f.Name)
		if c.s.Provider.StackDefault(f.Name) != nil {
			detail = fmt.Sprintf("%s: set %s: on it, or a %s: at the top level of the stack, the default that fills it for every resource", f.RequiredWhy, f.Name, f.Name)
		}
		c.errorf(&rng, ptr, detail, "%s: %s is required", r.Addr, f.Name)
	}
	if ks.Check == nil {
		return
	}
	for _, p := range ks.Check(c.written(r)) {
		at := ptr
		if p.Field != "" {
			at += "/" + strings.Join(escapeAll(strings.Split(p.Field, ".")), "/")
		}
		rng := c.at(at, r.Range)
		if p.Key {
			rng = c.at(KeyPointer(at), r.Range)
		}
		c.errorf(rng, at, p.Allowed+DidYouMean(p.Value, p.Choices), "%s", p.Summary)
	}
}

// written is a resource as a provider's Check sees it: the values known
// now (a string that still holds ${…} is a reference or an unresolved
// variable, judged later or reported elsewhere).
func (c *checker) written(r *Resource) provider.Written {
	if c.values == nil {
		c.values, c.set = make(map[string]any, len(r.Fields)), make(map[string]bool, len(r.Fields))
	}
	clear(c.values)
	clear(c.set)
	w := provider.Written{Address: r.Addr.String(), Name: r.Addr.Name, Values: c.values, Set: c.set}
	for f, v := range r.Fields {
		w.Set[f] = true
		if s, ok := v.V.(string); ok && strings.Contains(s, "${") {
			continue
		}
		w.Values[f] = v.V
	}
	return w
}

func escapeAll(segs []string) []string {
	for i, s := range segs {
		segs[i] = escapePointer(s)
	}
	return segs
}
