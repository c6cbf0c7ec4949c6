package planner

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/idstack/idstack/provider"
)

// placeholder matches ${KIND.NAME.ATTR} in a template string.
var placeholder = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}`)
})

// Lookup returns the live object at an address, if it is known.
type Lookup func(addr string) (provider.Object, bool)

// attrOf reads an attribute of an object; "id" and "name" are always there.
func attrOf(o provider.Object, attr string) (any, bool) {
	switch attr {
	case "id":
		return o.ID, true
	case "name":
		if o.Name != "" {
			return o.Name, true
		}
	}
	v, ok := o.Attrs[attr]
	return v, ok
}

// fillTemplate replaces each ${KIND.NAME.ATTR} of s that is a real
// reference (in refs: text written as $${…} in the file is literal). ok is
// false when a referenced object is not known yet.
func fillTemplate(s string, refs map[string]bool, lookup Lookup) (out string, ok bool, err error) {
	ok = true
	out = placeholder().ReplaceAllStringFunc(s, func(m string) string {
		p := placeholder().FindStringSubmatch(m)
		if !refs[p[1]+"."+p[2]+"."+p[3]] {
			return m
		}
		o, found := lookup(p[1] + "." + p[2])
		if !found {
			ok = false
			return m
		}
		v, has := attrOf(o, p[3])
		if !has {
			err = fmt.Errorf("%s.%s has no attribute %q", p[1], p[2], p[3])
			return m
		}
		return fmt.Sprint(v)
	})
	return out, ok, err
}

// fillValue fills templates anywhere inside a JSON-like value.
func fillValue(v any, refs map[string]bool, lookup Lookup) (any, bool, error) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "${") {
			return x, true, nil
		}
		return fillTemplate(x, refs, lookup)
	case []any:
		out := make([]any, len(x))
		allOK := true
		for i, e := range x {
			f, ok, err := fillValue(e, refs, lookup)
			if err != nil {
				return nil, false, err
			}
			out[i], allOK = f, allOK && ok
		}
		return out, allOK, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		allOK := true
		for k, e := range x {
			f, ok, err := fillValue(e, refs, lookup)
			if err != nil {
				return nil, false, err
			}
			out[k], allOK = f, allOK && ok
		}
		return out, allOK, nil
	}
	return v, true, nil
}

// Resolve turns an input into the value to send: references become ids,
// templates are filled. ok is false when something is not known yet.
func (in Input) Resolve(lookup Lookup) (any, bool, error) {
	if in.RefKey != "" {
		m, _ := in.Value.(map[string]any)
		out := make(map[string]any, len(m))
		for k, v := range m {
			if k != in.RefFrom {
				out[k] = v
			}
		}
		o, found := lookup(in.Refs[0])
		if !found {
			return out, false, nil
		}
		out[in.RefKey] = o.ID
		return out, true, nil
	}
	if len(in.Refs) > 0 {
		ids := make([]any, 0, len(in.Refs))
		for _, addr := range in.Refs {
			o, found := lookup(addr)
			if !found {
				return nil, false, nil
			}
			ids = append(ids, o.ID)
		}
		if in.List {
			return ids, true, nil
		}
		return ids[0], true, nil
	}
	if in.Template {
		refs := map[string]bool{}
		for _, r := range in.Attrs {
			refs[r] = true
		}
		return fillValue(in.Value, refs, lookup)
	}
	return in.Value, true, nil
}

// ResolveAll resolves every input of an action into provider attributes.
func ResolveAll(inputs map[string]Input, lookup Lookup) (provider.Attrs, error) {
	attrs := provider.Attrs{}
	for _, k := range sortedKeys(inputs) {
		v, ok, err := inputs[k].Resolve(lookup)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if !ok {
			return nil, fmt.Errorf("%s: a referenced resource is not known yet", k)
		}
		attrs[k] = v
	}
	return attrs, nil
}
