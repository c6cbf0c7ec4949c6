// Package spec is the stack model: kinds, addresses, fields and references,
// loaded from YAML with the position of every value, variables and
// interpolation applied. It knows nothing of HTTP or plans.
package spec

import (
	"fmt"
	"strings"

	"github.com/idstack/idstack/provider"
)

// Kind is a resource kind, named as in the stack file: the provider's
// (provider.Kind, the one kind type of the engine).
type Kind = provider.Kind

// Address names a resource: KIND.LOGICALNAME, e.g. vms.web.
type Address struct {
	Kind Kind
	Name string
}

func (a Address) String() string { return string(a.Kind) + "." + a.Name }

// ParseAddress parses "vms.web" for a provider's kinds (d nil: any kind).
func ParseAddress(s string, d *provider.Description) (Address, error) {
	kind, name, ok := strings.Cut(s, ".")
	if !ok || name == "" || kind == "" {
		return Address{}, fmt.Errorf("address %q: want KIND.NAME, e.g. vms.web", s)
	}
	if d != nil && d.Kind(Kind(kind)) == nil {
		return Address{}, fmt.Errorf("address %q: unknown kind %q (allowed: %s)", s, kind, strings.Join(d.KindNames(), ", "))
	}
	return Address{Kind: Kind(kind), Name: name}, nil
}

// Pos is a 1-based line and column in a file.
type Pos struct{ Line, Col int }

// Range is a span of a source file.
type Range struct {
	Filename   string
	Start, End Pos
}

// Stack is a loaded, interpolated stack file.
type Stack struct {
	Name     string // the stack name (names the state)
	Filename string // path of the stack file as given
	Dir      string // directory of the stack file (base for .idstack/)
	Location string // default location slug ("" = the account's default)
	Adopt    bool   // adopt: true at the top level
	// Provider describes the cloud the stack file names (provider:).
	Provider *provider.Description
	// SensitiveVars names the variables declared sensitive: their values
	// are never saved (a saved plan asks for them again).
	SensitiveVars []string
	Resources     []*Resource
	// Doc is the interpolated document as plain JSON values (what the JSON
	// schema validates); Ranges finds where a value of Doc stands in the
	// file by its JSON pointer ("/vms/web/vcpu").
	Doc    map[string]any
	Ranges Ranges
	// Sources holds the text of every file read (stack and var files) so
	// diagnostics can show the offending line.
	Sources map[string][]byte

	// nameUnresolved: the stack name holds a ${…} that could not be
	// resolved (and was reported), so it is not judged.
	nameUnresolved bool
	// byAddr indexes the loaded resources for Lookup (the checks look
	// up every reference: a scan each would be quadratic).
	byAddr map[Address]*Resource
	// refFields are the reference fields of each kind, listed once per
	// load (see kindRefFields).
	refFields map[Kind][]refField
}

// Resource is one declared resource.
type Resource struct {
	Addr     Address
	Location string // resolved: own location, else the stack's ("" for global kinds)
	// Fields are the desired values of the kind's fields, after
	// interpolation, without location and lifecycle. A field the file
	// leaves out is absent (defaults are the planner's), but for the
	// provider's stack defaults (Description.StackDefaults), filled from
	// the top of the stack when set there.
	Fields    map[string]Value
	Lifecycle Lifecycle
	Range     Range // the logical name's key
}

// Value is one field's desired value.
type Value struct {
	// V is a JSON-like value: string, int, float64, bool, []any or
	// map[string]any. Strings with ${KIND.NAME.ATTR} keep the placeholder
	// text; Refs says which.
	V         any
	Range     Range
	Sensitive bool  // a secret: from ${env.X}, a sensitive var, or a secret field
	Refs      []Ref // resources this value depends on
}

// Ref is a dependency of a value on another resource: a reference field
// (Attr == "", the value names the resource) or an ${KIND.NAME.ATTR}
// interpolation (Attr set).
type Ref struct {
	Addr Address
	Attr string
}

// Lifecycle is a resource's lifecycle block.
type Lifecycle struct {
	PreventDestroy bool
	IgnoreChanges  []string
}

// Lookup returns the resource with the address, or nil.
func (s *Stack) Lookup(a Address) *Resource {
	if r, ok := s.byAddr[a]; ok {
		return r
	}
	for _, r := range s.Resources { // a resource added after loading
		if r.Addr == a {
			return r
		}
	}
	return nil
}
