package spec

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
)

// refSite is one place where a reference field names a resource.
type refSite struct {
	field string // the top-level field holding it ("source" for source.ref)
	ptr   string // JSON pointer of the name in Stack.Doc
	raw   string // the name as written
	addr  Address
	ok    bool // raw is a reference (not a uuid, not empty)
	rf    refField
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s looks like a live id rather than a logical name.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }

// refSites lists the reference fields of r that hold strings. Values of the
// wrong type are the schema's to report.
func (s *Stack) refSites(r *Resource, ptr string) []refSite {
	var out []refSite
	for _, rf := range s.kindRefFields(r.Addr.Kind) {
		f, ok := r.Fields[rf.Path[0]]
		if !ok {
			continue
		}
		v, p := f.V, ptr+"/"+escapePointer(rf.Path[0])
		for _, key := range rf.Path[1:] {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v, p = m[key], p+"/"+escapePointer(key)
		}
		add := func(v any, p string) {
			str, ok := v.(string)
			if !ok {
				return
			}
			site := refSite{field: rf.Path[0], ptr: p, raw: str, rf: rf}
			site.addr = parseRefName(str, rf.Target, s.Provider)
			site.ok = str != "" && !strings.Contains(str, "${") && !(rf.UUIDOK && IsUUID(str))
			out = append(out, site)
		}
		if rf.List {
			l, _ := v.([]any)
			for i, it := range l {
				add(it, p+"/"+strconv.Itoa(i))
			}
		} else {
			add(v, p)
		}
	}
	return out
}

// parseRefName reads a bare logical name ("app") as a resource of the
// implied kind, and a full address ("networks.app") as written.
func parseRefName(s string, implied Kind, d *provider.Description) Address {
	if kind, name, ok := strings.Cut(s, "."); ok && d.Kind(Kind(kind)) != nil {
		return Address{Kind: Kind(kind), Name: name}
	}
	return Address{Kind: implied, Name: s}
}
