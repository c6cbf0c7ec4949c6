package spec

import (
	"strconv"
	"strings"
)

// escapePointer escapes one JSON pointer segment.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

// pointerEscaper is built once: a Replacer builds its tables on first use.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// Pointer builds a JSON pointer from segments: Pointer("vms", "web") is "/vms/web".
func Pointer(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(escapePointer(s))
	}
	return b.String()
}

// KeyPointer is the key of Stack.Ranges that holds the place of the mapping
// key whose value is at ptr ("/vms/web" → "/vms/web#key"), so an unknown
// field can be shown at its name.
func KeyPointer(ptr string) string { return ptr + "#key" }

// plain turns a node into a JSON value, recording ranges by pointer.
func plain(n *node, ptr string, ranges map[string]Range) any {
	ranges[ptr] = n.rng
	switch n.kind {
	case mapNode:
		m := make(map[string]any, len(n.keys))
		for _, e := range n.keys {
			p := ptr + "/" + escapePointer(e.key)
			ranges[KeyPointer(p)] = e.keyRng
			m[e.key] = plain(e.val, p, ranges)
		}
		return m
	case seqNode:
		l := make([]any, len(n.items))
		for i, it := range n.items {
			l[i] = plain(it, ptr+"/"+strconv.Itoa(i), ranges)
		}
		return l
	}
	return n.val
}

// At returns the value of Doc at a JSON pointer ("/vms/web/vcpu").
func (s *Stack) At(ptr string) (any, bool) {
	var v any = s.Doc
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	unesc := strings.NewReplacer("~1", "/", "~0", "~")
	for _, seg := range strings.Split(ptr[1:], "/") {
		seg = unesc.Replace(seg)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
