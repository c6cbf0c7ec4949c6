package spec

import (
	"regexp"
	"strconv"
	"strings"
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
func refSites(r *Resource, ranges map[string]Range, ptr string) []refSite {
	var out []refSite
	for _, rf := range refFields {
		if rf.Kind != r.Addr.Kind {
			continue
		}
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
			s, ok := v.(string)
			if !ok {
				return
			}
			site := refSite{field: rf.Path[0], ptr: p, raw: s, rf: rf}
			site.addr = parseRefName(s, rf.Target)
			site.ok = s != "" && !strings.Contains(s, "${") && !(rf.UUIDOK && IsUUID(s))
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
func parseRefName(s string, implied Kind) Address {
	if kind, name, ok := strings.Cut(s, "."); ok && isKind(kind) {
		return Address{Kind: Kind(kind), Name: name}
	}
	return Address{Kind: implied, Name: s}
}
