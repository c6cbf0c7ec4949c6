package spec

import (
	"fmt"
	"strings"
)

// liveName is the name a resource has in the API: its kind's name field,
// else the logical name ("" for a nameless kind).
func (c *checker) liveName(r *Resource) (string, Range) {
	ks := c.kind(r.Addr.Kind)
	if ks == nil || ks.NameField == "" {
		return "", Range{}
	}
	if v, ok := r.Fields[ks.NameField]; ok {
		if s, ok := v.V.(string); ok {
			return s, v.Range
		}
	}
	return r.Addr.Name, r.Range
}

// duplicateNames: the planner finds live resources by name, so two of one
// kind with one name in one location would be confused (a warning), and a
// name that exists once in the whole cloud (buckets) can be declared once
// (an error).
func (c *checker) duplicateNames() {
	type key struct {
		kind      Kind
		loc, name string
	}
	first := make(map[key]*Resource, len(c.s.Resources))
	for _, r := range c.s.Resources {
		name, rng := c.liveName(r)
		if name == "" || strings.Contains(name, "${") {
			continue
		}
		ks := c.kind(r.Addr.Kind)
		k := key{r.Addr.Kind, r.Location, name}
		prev, dup := first[k]
		if !dup {
			first[k] = r
			continue
		}
		ptr := resPtr(r) + "/" + escapePointer(ks.NameField)
		at := rng // on the heap only for a duplicate
		if ks.UniqueNames {
			c.errorf(&at, ptr, fmt.Sprintf("%s names are global: give each %s its own name:", ks.Singular, ks.Singular),
				"%s has the same name %q as %s", r.Addr, name, prev.Addr)
			continue
		}
		c.warnf(&at, ptr, "idstack finds live resources by name: give each its own name:",
			"%s has the same name %q as %s in %s", r.Addr, name, prev.Addr, locName(r.Location))
	}
}
