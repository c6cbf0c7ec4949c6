package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/idstack/idstack/provider"
)

// Check applies the rules the JSON schema cannot say: references, cycles,
// the API's naming and sizing rules, and the known traps. Values of the
// wrong type are skipped here; the schema reports them.
func Check(s *Stack) Diagnostics {
	if s == nil {
		return nil
	}
	c := &checker{s: s, kinds: map[Kind]*provider.KindSpec{}}
	for _, r := range s.Resources {
		c.logicalName(r)
		body := c.body(r)
		if body == nil {
			continue // the schema says what a resource is
		}
		ptr := resPtr(r)
		c.references(r, ptr)
		c.ignoreChanges(r, ptr, body)
		c.provided(r, ptr, body)
	}
	c.cycles()
	c.duplicateNames()
	c.stackName()
	return c.diags
}

type checker struct {
	s     *Stack
	diags Diagnostics
	kinds map[Kind]*provider.KindSpec // the descriptions looked up, by kind
	// written's maps, cleared for each resource (a provider's Check
	// reads them during the call only: provider.Written).
	values map[string]any
	set    map[string]bool
}

// kind is the description of k (nil for a kind the provider does not
// have), looked up once per kind rather than once per resource.
func (c *checker) kind(k Kind) *provider.KindSpec {
	ks, ok := c.kinds[k]
	if !ok {
		ks = c.s.Provider.Kind(k)
		c.kinds[k] = ks
	}
	return ks
}

// body is the mapping of r in Doc (at resPtr(r)); nil when it is not a
// mapping.
func (c *checker) body(r *Resource) map[string]any {
	if byName, ok := c.s.Doc[string(r.Addr.Kind)].(map[string]any); ok {
		body, _ := byName[r.Addr.Name].(map[string]any)
		return body
	}
	v, _ := c.s.At(resPtr(r)) // not a mapping of names: as the pointer reads it
	body, _ := v.(map[string]any)
	return body
}

// at is the range of the value at ptr, else fallback.
func (c *checker) at(ptr string, fallback Range) *Range {
	if r, ok := c.s.Ranges.Get(ptr); ok {
		return &r
	}
	return &fallback
}

func (c *checker) errorf(r *Range, ptr, detail, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Severity: Error, Summary: fmt.Sprintf(format, args...), Detail: detail, Range: r, Path: ptr})
}

func (c *checker) warnf(r *Range, ptr, detail, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Severity: Warning, Summary: fmt.Sprintf(format, args...), Detail: detail, Range: r, Path: ptr})
}

func resPtr(r *Resource) string { return Pointer(string(r.Addr.Kind), r.Addr.Name) }

// declared lists the addresses of a kind, for "did you mean" details.
func (c *checker) declared(k Kind) (names []string, detail string) {
	for _, r := range c.s.Resources {
		if r.Addr.Kind == k {
			names = append(names, r.Addr.String())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Sprintf("no %s are declared", k)
	}
	return names, "declared: " + strings.Join(names, ", ")
}

func isLogicalName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s[0] != '-'
}

// logicalName: the name is half of an address, so it cannot hold a dot.
func (c *checker) logicalName(r *Resource) {
	if !isLogicalName(r.Addr.Name) {
		rng := r.Range
		c.errorf(&rng, resPtr(r), "a logical name is letters, digits, _ and - (not starting with -); set the live name with name:",
			"invalid logical name %q in %s", r.Addr.Name, r.Addr.Kind)
	}
}

// references: reference fields must name a declared resource of the
// implied kind in the same location; ${KIND.NAME.ATTR} must name a
// declared resource.
func (c *checker) references(r *Resource, ptr string) {
	c.s.eachRefSite(r, ptr, func(site refSite) {
		if !site.ok {
			return
		}
		where := func() *Range { return c.at(site.ptr(), r.Range) } // for errors only: it walks the tree
		field := strings.Join(site.rf.Path, ".")
		if site.addr.Kind != site.rf.Target {
			names, detail := c.declared(site.rf.Target)
			c.errorf(where(), site.ptr(), detail+DidYouMean(site.addr.Name, bare(names)),
				"%s.%s must name one of the %s, not %s", r.Addr, field, site.rf.Target, site.addr)
			return
		}
		t := c.s.Lookup(site.addr)
		if t == nil {
			names, detail := c.declared(site.rf.Target)
			c.errorf(where(), site.ptr(), detail+DidYouMean(site.addr.Name, bare(names)),
				"%s.%s: %s does not exist", r.Addr, field, site.addr)
			return
		}
		if !c.global(t.Addr.Kind) && !c.global(r.Addr.Kind) && t.Location != r.Location {
			c.errorf(where(), site.ptr(), "a resource can only use resources of its own location; set the same location: on both",
				"%s (in %s) cannot use %s (in %s)", r.Addr, locName(r.Location), t.Addr, locName(t.Location))
		}
	})
	if !c.missingInterpolated(r) {
		return
	}
	for _, f := range sortedFields(r) {
		v := r.Fields[f]
		for _, ref := range v.Refs {
			if ref.Attr == "" || c.s.Lookup(ref.Addr) != nil {
				continue
			}
			names, detail := c.declared(ref.Addr.Kind)
			rng := v.Range
			c.errorf(&rng, resPtr(r)+"/"+escapePointer(f), detail+DidYouMean(ref.Addr.Name, bare(names)),
				"${%s.%s}: %s does not exist", ref.Addr, ref.Attr, ref.Addr)
		}
	}
}

// missingInterpolated reports whether an ${KIND.NAME.ATTR} of r names a
// resource that does not exist: the fields are sorted, for the order of
// the errors, only then.
func (c *checker) missingInterpolated(r *Resource) bool {
	for _, v := range r.Fields {
		for _, ref := range v.Refs {
			if ref.Attr != "" && c.s.Lookup(ref.Addr) == nil {
				return true
			}
		}
	}
	return false
}

func locName(l string) string {
	if l == "" {
		return "the default location"
	}
	return l
}

// bare strips the kind from addresses, for suggestions.
func bare(addrs []string) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		_, out[i], _ = strings.Cut(a, ".")
	}
	return out
}

func sortedFields(r *Resource) []string {
	fs := make([]string, 0, len(r.Fields))
	for f := range r.Fields {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

// ignoreChanges may only name fields the kind has.
func (c *checker) ignoreChanges(r *Resource, ptr string, body map[string]any) {
	lifecycle, _ := body["lifecycle"].(map[string]any)
	items, _ := lifecycle["ignore_changes"].([]any)
	if len(items) == 0 {
		return
	}
	ptr += "/lifecycle/ignore_changes"
	fields := Fields(c.s.Provider, r.Addr.Kind)
	allowed := make([]string, 0, len(fields))
	for _, f := range fields {
		if f != "lifecycle" {
			allowed = append(allowed, f)
		}
	}
	for i, it := range items {
		f, ok := it.(string)
		if !ok || slices.Contains(fields, f) && f != "lifecycle" {
			continue
		}
		p := fmt.Sprintf("%s/%d", ptr, i)
		c.errorf(c.at(p, r.Range), p, "allowed: "+strings.Join(allowed, ", ")+DidYouMean(f, allowed),
			"lifecycle.ignore_changes of %s names %q, which %s do not have", r.Addr, f, r.Addr.Kind)
	}
}

// global reports whether a kind ignores locations.
func (c *checker) global(k Kind) bool {
	ks := c.kind(k)
	return ks != nil && ks.Global
}
