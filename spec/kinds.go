package spec

import (
	"slices"

	"github.com/idstack/idstack/provider"
)

// What the stack file model takes from the provider's description: the
// kinds, their fields, the reference and secret fields. The engine's own
// fields of every resource are location (not on global kinds) and
// lifecycle.

// engineTopKeys are the keys the engine reads at the top of a stack file;
// the provider adds its stack defaults (Description.StackDefaults).
var engineTopKeys = []string{"$schema", "provider", "stack", "location", "adopt", "vars", "backend"}

// TopLevelKeys are the keys allowed at the top of a stack file of a
// provider, besides its kinds, in schema order: the provider's stack
// defaults follow location.
func TopLevelKeys(d *provider.Description) []string {
	var keys []string
	for _, k := range engineTopKeys {
		keys = append(keys, k)
		if k == "location" {
			for _, f := range d.StackDefaults {
				keys = append(keys, f.Name)
			}
		}
	}
	return keys
}

// Fields returns the fields a resource of the kind may set, the engine's
// included (nil for an unknown kind), in schema order: the kind's own
// fields, location (not on global kinds), the fields the stack may give
// defaults for, lifecycle.
func Fields(d *provider.Description, k Kind) []string {
	ks := d.Kind(k)
	if ks == nil {
		return nil
	}
	var out, defaults []string
	for _, f := range ks.Fields {
		if d.StackDefault(f.Name) != nil {
			defaults = append(defaults, f.Name)
		} else {
			out = append(out, f.Name)
		}
	}
	if !ks.Global {
		out = append(out, "location")
	}
	return append(append(out, defaults...), "lifecycle")
}

// HasField reports whether the kind has the field (the engine's included).
func HasField(d *provider.Description, k Kind, field string) bool {
	return slices.Contains(Fields(d, k), field)
}

// isKind reports whether a stack file key names a kind of the provider.
func (s *Stack) isKind(key string) bool {
	return s.Provider != nil && s.Provider.Kind(Kind(key)) != nil
}

// kindNames lists the provider's kinds.
func (s *Stack) kindNames() []string {
	if s.Provider == nil {
		return nil
	}
	return s.Provider.KindNames()
}

// kindRefFields is refFields of a kind, as listed by the load.
func (s *Stack) kindRefFields(k Kind) []refField {
	if rfs, ok := s.refFields[k]; ok {
		return rfs
	}
	return refFields(s.Provider.Kind(k))
}

// listRefFields lists every kind's reference fields once, for the load
// and the checks (both ask for each resource).
func (s *Stack) listRefFields() {
	s.refFields = map[Kind][]refField{}
	for _, name := range s.kindNames() {
		s.refFields[Kind(name)] = refFields(s.Provider.Kind(Kind(name)))
	}
}

// refField is a field (or a path inside one) that names another resource.
type refField struct {
	Path   []string // field, then keys inside it ("source", "ref")
	Target Kind     // the kind it must name
	List   bool     // the value is a list of names
	UUIDOK bool     // a UUID is a live id, not a reference
}

// refFields lists the reference fields of a kind: fields (and properties
// of object fields) whose description names a kind.
func refFields(ks *provider.KindSpec) []refField {
	if ks == nil {
		return nil
	}
	var out []refField
	var walk func(path []string, f *provider.Field)
	walk = func(path []string, f *provider.Field) {
		path = append(slices.Clone(path), f.Name)
		if f.Ref != "" {
			out = append(out, refField{Path: path, Target: f.Ref, List: f.IsList(), UUIDOK: f.RefUUIDOK})
			return
		}
		for _, sub := range f.Fields {
			walk(path, sub)
		}
	}
	for _, f := range ks.Fields {
		walk(nil, f)
	}
	return out
}

// isSecretField reports whether a kind's field is always sensitive.
func isSecretField(ks *provider.KindSpec, field string) bool {
	if ks == nil {
		return false
	}
	f := ks.Field(field)
	return f != nil && f.Sensitive
}
