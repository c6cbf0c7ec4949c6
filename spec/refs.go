package spec

import (
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
)

// refSite is one place where a reference field names a resource.
type refSite struct {
	field string // the top-level field holding it ("source" for source.ref)
	res   string // JSON pointer of the resource in Stack.Doc
	item  int    // the index in a list of names (rf.List), else -1
	raw   string // the name as written
	addr  Address
	ok    bool // raw is a reference (not a uuid, not empty)
	rf    refField
}

// ptr is the JSON pointer of the name in Stack.Doc, made when a
// diagnostic needs it.
func (site refSite) ptr() string {
	p := site.res
	for _, key := range site.rf.Path {
		p += "/" + escapePointer(key)
	}
	if site.item >= 0 {
		p += "/" + strconv.Itoa(site.item)
	}
	return p
}

// IsUUID reports whether s looks like a live id rather than a logical name:
// 8-4-4-4-12 hexadecimal digits (either case). It reads the bytes itself:
// the regular expression it was (its counted repetitions compile into 36
// copies) cost every start of the program 0.2 ms to compile.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// eachRefSite calls yield with each place, in order, where a reference
// field of r holds a string (ptr: r's pointer). Values of the wrong type
// are the schema's to report.
func (s *Stack) eachRefSite(r *Resource, ptr string, yield func(refSite)) {
	for _, rf := range s.kindRefFields(r.Addr.Kind) {
		f, ok := r.Fields[rf.Path[0]]
		if !ok {
			continue
		}
		v := f.V
		for _, key := range rf.Path[1:] {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[key]
		}
		add := func(v any, item int) {
			str, ok := v.(string)
			if !ok {
				return
			}
			site := refSite{field: rf.Path[0], res: ptr, item: item, raw: str, rf: rf}
			site.addr = parseRefName(str, rf.Target, s.Provider)
			site.ok = str != "" && !strings.Contains(str, "${") && !(rf.UUIDOK && IsUUID(str))
			yield(site)
		}
		if rf.List {
			l, _ := v.([]any)
			for i, it := range l {
				add(it, i)
			}
		} else {
			add(v, -1)
		}
	}
}

// parseRefName reads a bare logical name ("app") as a resource of the
// implied kind, and a full address ("networks.app") as written.
func parseRefName(s string, implied Kind, d *provider.Description) Address {
	if kind, name, ok := strings.Cut(s, "."); ok && d.Kind(Kind(kind)) != nil {
		return Address{Kind: Kind(kind), Name: name}
	}
	return Address{Kind: implied, Name: s}
}
