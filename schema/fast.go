package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/idstack/idstack/provider"
)

// The fast path of Validate. The JSON schema library answers a valid
// document as slowly as an invalid one: it allocates a map for every
// object and a location string for every value (12 ms for a stack of
// 1,000 resources), and compiling the schema takes it ~20 ms a process.
// Most stack files are valid; for those, a check compiled from the same
// generated schema into plain Go functions says so with no allocation,
// and the library is compiled and run only to explain a document that
// fails it.
//
// The fast check knows the keywords the generator emits, with draft-07's
// meaning. It may only ever be wrong towards "invalid" (then the library
// decides): a keyword it does not know makes the whole check decline, and
// so does a value of a type it does not expect. fast_test.go holds it to
// the library's verdict on every stack of testdata and on thousands of
// mutations of them.

// check reports whether v is valid; false also means "not sure".
type check func(v any) bool

var fastCache sync.Map // *provider.Description → func() check (nil: declined)

// fastCheck is the fast check of a description's schema, compiled once
// per process; nil when the schema uses a keyword it does not know.
func fastCheck(d *provider.Description) check {
	f, _ := fastCache.LoadOrStore(d, sync.OnceValue(func() check {
		var doc map[string]any
		if err := json.Unmarshal(Generate(d), &doc); err != nil {
			return nil
		}
		c, err := newFastCompiler(doc).compile(doc)
		if err != nil {
			return nil
		}
		return c
	}))
	return f.(func() check)()
}

// annotations are keywords that do not constrain a value.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"markdownDescription": true, "examples": true, "default": true, "deprecationMessage": true,
	"$defs": true, "definitions": true,
}

type fastCompiler struct {
	root map[string]any
	refs map[string]*check // by pointer, compiled once (and usable before, for cycles)
}

func newFastCompiler(root map[string]any) *fastCompiler {
	return &fastCompiler{root: root, refs: map[string]*check{}}
}

// compile turns a schema into a check: every keyword's check must hold.
func (fc *fastCompiler) compile(s any) (check, error) {
	switch s := s.(type) {
	case bool:
		return func(any) bool { return s }, nil
	case map[string]any:
	default:
		return nil, fmt.Errorf("a schema that is a %T", s)
	}
	obj := s.(map[string]any)
	var checks []check
	if ref, ok := obj["$ref"]; ok {
		// Draft 7: every other keyword beside a $ref is ignored.
		err := fc.ref(ref, func(c check) { checks = append(checks, c) })
		if err != nil {
			return nil, err
		}
		return checks[0], nil
	}
	add := func(c check) { checks = append(checks, c) }
	props := map[string]check{}
	for k, v := range obj {
		if annotations[k] {
			continue
		}
		var err error
		switch k {
		case "type":
			err = typeCheck(v, add)
		case "enum", "const":
			vals, ok := v.([]any)
			if k == "const" {
				vals, ok = []any{v}, true
			}
			if !ok {
				return nil, fmt.Errorf("%s is not a list", k)
			}
			add(func(x any) bool {
				for _, e := range vals {
					if equal(x, e) {
						return true
					}
				}
				return false
			})
		case "minimum", "maximum":
			lim, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s is not a number", k)
			}
			minimum := k == "minimum"
			add(func(x any) bool {
				f, isNum := numeric(x)
				if !isNum {
					return isNumberless(x)
				}
				if minimum {
					return f >= lim
				}
				return f <= lim
			})
		case "minLength", "maxLength":
			n, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s is not a number", k)
			}
			minimum := k == "minLength"
			add(func(x any) bool {
				s, isStr := x.(string)
				if !isStr {
					return true
				}
				l := float64(utf8.RuneCountInString(s))
				return (minimum && l >= n) || (!minimum && l <= n)
			})
		case "pattern":
			p, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("pattern is not a string")
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			add(func(x any) bool {
				s, isStr := x.(string)
				return !isStr || re.MatchString(s)
			})
		case "required":
			names, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("required is not a list")
			}
			add(func(x any) bool {
				m, isObj := x.(map[string]any)
				if !isObj {
					return true
				}
				for _, n := range names {
					if _, ok := m[n.(string)]; !ok {
						return false
					}
				}
				return true
			})
		case "properties":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("properties is not an object")
			}
			for name, sub := range m {
				c, err := fc.compile(sub)
				if err != nil {
					return nil, err
				}
				props[name] = c
			}
			add(func(x any) bool {
				m, isObj := x.(map[string]any)
				if !isObj {
					return true
				}
				if len(m) < len(props) { // the fewer names: an object sets some of its properties
					for name, pv := range m {
						if c, ok := props[name]; ok && !c(pv) {
							return false
						}
					}
					return true
				}
				for name, c := range props {
					if pv, ok := m[name]; ok && !c(pv) {
						return false
					}
				}
				return true
			})
		case "additionalProperties":
			extra, err := fc.compile(v) // false: a schema nothing passes
			if err != nil {
				return nil, err
			}
			add(func(x any) bool {
				m, isObj := x.(map[string]any)
				if !isObj {
					return true
				}
				for name, pv := range m {
					if _, declared := props[name]; !declared && !extra(pv) {
						return false
					}
				}
				return true
			})
		case "propertyNames":
			c, err := fc.compile(v)
			if err != nil {
				return nil, err
			}
			add(func(x any) bool {
				m, isObj := x.(map[string]any)
				if !isObj {
					return true
				}
				for name := range m {
					if !c(name) {
						return false
					}
				}
				return true
			})
		case "items":
			c, err := fc.compile(v) // a list of schemas (tuples) is not known: an error
			if err != nil {
				return nil, err
			}
			add(func(x any) bool {
				l, isArr := x.([]any)
				if !isArr {
					return true
				}
				for _, it := range l {
					if !c(it) {
						return false
					}
				}
				return true
			})
		case "uniqueItems":
			if b, _ := v.(bool); b {
				add(func(x any) bool {
					l, isArr := x.([]any)
					for i := 1; isArr && i < len(l); i++ {
						for j := 0; j < i; j++ {
							if equal(l[i], l[j]) {
								return false
							}
						}
					}
					return true
				})
			}
		case "allOf", "anyOf", "oneOf":
			subs, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not a list", k)
			}
			var cs []check
			for _, sub := range subs {
				c, err := fc.compile(sub)
				if err != nil {
					return nil, err
				}
				cs = append(cs, c)
			}
			add(combine(k, cs))
		case "if":
			err = fc.ifThenElse(obj, add)
		case "then", "else":
			// read with "if"
		default:
			return nil, fmt.Errorf("keyword %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return func(x any) bool {
		for _, c := range checks {
			if !c(x) {
				return false
			}
		}
		return true
	}, nil
}

// ref compiles a local reference ("#/$defs/vm") once, lazily resolved so
// that a schema may refer to itself.
func (fc *fastCompiler) ref(v any, add func(check)) error {
	ptr, ok := v.(string)
	if !ok || !strings.HasPrefix(ptr, "#") {
		return fmt.Errorf("$ref %v is not local", v)
	}
	slot, seen := fc.refs[ptr]
	if !seen {
		slot = new(check)
		fc.refs[ptr] = slot
		target, err := resolvePointer(fc.root, strings.TrimPrefix(ptr, "#"))
		if err != nil {
			return err
		}
		c, err := fc.compile(target)
		if err != nil {
			return err
		}
		*slot = c
	}
	add(func(x any) bool { return (*slot)(x) })
	return nil
}

func (fc *fastCompiler) ifThenElse(obj map[string]any, add func(check)) error {
	cond, err := fc.compile(obj["if"])
	if err != nil {
		return err
	}
	branch := func(k string) (check, error) {
		if s, ok := obj[k]; ok {
			return fc.compile(s)
		}
		return func(any) bool { return true }, nil
	}
	then, err := branch("then")
	if err != nil {
		return err
	}
	els, err := branch("else")
	if err != nil {
		return err
	}
	add(func(x any) bool {
		if cond(x) {
			return then(x)
		}
		return els(x)
	})
	return nil
}

func combine(k string, cs []check) check {
	return func(x any) bool {
		n := 0
		for _, c := range cs {
			if c(x) {
				n++
				if k == "anyOf" {
					return true
				}
			} else if k == "allOf" {
				return false
			}
		}
		switch k {
		case "allOf":
			return true
		case "oneOf":
			return n == 1
		}
		return false
	}
}

// typeCheck compiles "type": one name or a list.
func typeCheck(v any, add func(check)) error {
	var names []string
	switch t := v.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, n := range t {
			s, ok := n.(string)
			if !ok {
				return fmt.Errorf("type %v", v)
			}
			names = append(names, s)
		}
	default:
		return fmt.Errorf("type %v", v)
	}
	for _, n := range names {
		switch n {
		case "null", "boolean", "object", "array", "number", "integer", "string":
		default:
			return fmt.Errorf("type %q", n)
		}
	}
	add(func(x any) bool {
		got, ok := jsonType(x)
		if !ok {
			return false // a value the library would not know either: let it say
		}
		for _, n := range names {
			if n == got || (n == "number" && got == "integer") {
				return true
			}
			if n == "integer" && got == "number" {
				f, _ := numeric(x)
				if f == math.Trunc(f) && !math.IsInf(f, 0) {
					return true
				}
			}
		}
		return false
	})
	return nil
}

// jsonType names the JSON type of a loaded value; "integer" for Go
// integers (a number whose type alone proves it integral).
func jsonType(x any) (string, bool) {
	switch x.(type) {
	case nil:
		return "null", true
	case bool:
		return "boolean", true
	case string:
		return "string", true
	case int, int64, int32, uint64:
		return "integer", true
	case float64:
		return "number", true
	case []any:
		return "array", true
	case map[string]any:
		return "object", true
	}
	return "", false
}

// numeric is a numeric value as a float64.
func numeric(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	}
	return 0, false
}

// isNumberless reports whether a bound does not apply to x (it is not a
// number): a NaN is a number no bound holds.
func isNumberless(x any) bool {
	f, ok := x.(float64)
	return !ok || !math.IsNaN(f)
}

// equal is JSON equality: numbers by value.
func equal(a, b any) bool {
	if fa, ok := numeric(a); ok {
		fb, ok := numeric(b)
		return ok && fa == fb
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool, string:
		return a == b
	case []any:
		l, ok := b.([]any)
		if !ok || len(l) != len(a) {
			return false
		}
		for i := range a {
			if !equal(a[i], l[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(m) != len(a) {
			return false
		}
		for k, v := range a {
			w, ok := m[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// resolvePointer finds the value at a JSON pointer in a document.
func resolvePointer(doc any, ptr string) (any, error) {
	if ptr == "" {
		return doc, nil
	}
	v := doc
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("pointer %s", ptr)
		}
		if v, ok = m[seg]; !ok {
			return nil, fmt.Errorf("pointer %s", ptr)
		}
	}
	return v, nil
}
