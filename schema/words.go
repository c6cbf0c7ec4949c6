package schema

// The words of the messages: how a value, a type and a place are named.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/idstack/idstack/spec"
)

// label names a value relative to its resource: "vcpu", "rules[0].source_port".
func (v *validator) label(inst string) string {
	segs := splitPointer(inst)
	if len(segs) >= 2 && v.isKind(segs[0]) {
		if len(segs) == 2 {
			return segs[0] + "." + segs[1]
		}
		segs = segs[2:]
	}
	return dotted(segs)
}

// where names the object holding a field: "vms.web", "vms.web.cloud_init".
func (v *validator) where(inst string) string {
	segs := splitPointer(inst)
	if len(segs) == 0 {
		return "the stack file"
	}
	return dotted(segs)
}

func dotted(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if _, err := strconv.Atoi(s); err == nil && i > 0 {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func enumList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = fmt.Sprint(x)
	}
	return out
}

func num(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func isInt(v any) bool { _, ok := v.(int); return ok }

// secret reports whether the value at inst must not be echoed: a field
// the provider describes as sensitive.
func (v *validator) secret(inst string) bool {
	segs := splitPointer(inst)
	if len(segs) < 3 {
		return false
	}
	f := v.s.Provider.Kind(spec.Kind(segs[0])).Field(segs[2])
	return f != nil && f.Sensitive
}

func (v *validator) show(inst string, val any) string {
	if v.secret(inst) {
		return "(sensitive)"
	}
	switch x := val.(type) {
	case string:
		if len(x) > 60 {
			x = x[:57] + "..."
		}
		return strconv.Quote(x)
	case float64:
		return num(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(val)
}

func typePhrase(t string) string {
	switch t {
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "string":
		return "a string"
	case "boolean":
		return "true or false"
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "null":
		return "nothing (null)"
	}
	return t
}

func (v *validator) gotPhrase(inst string, val any) string {
	switch val.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "nothing (null)"
	case string:
		return "the string " + v.show(inst, val)
	}
	return v.show(inst, val)
}

func fragment(abs string) string {
	_, frag, _ := strings.Cut(abs, "#")
	return frag
}

func lastSegment(ptr string) string {
	if i := strings.LastIndexByte(ptr, '/'); i >= 0 {
		return ptr[i+1:]
	}
	return ptr
}

func parentPointer(ptr string) string {
	if i := strings.LastIndexByte(ptr, '/'); i >= 0 {
		return ptr[:i]
	}
	return ""
}

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }
