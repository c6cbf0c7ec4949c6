package iwinv

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
)

// Attribute values arrive as plain JSON-like values whose numbers may be
// int, int64 or float64 and booleans strings. These read them strictly: a
// value of the wrong type is an error naming the field, never a zero.

func asString(field string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", fmt.Errorf("%s: want a string, got %T", field, v)
}

func asInt(field string, v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("%s: want a whole number, got %v", field, x)
		}
		return int(x), nil
	case json.Number:
		return asInt(field, string(x))
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("%s: want a whole number, got %q", field, x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s: want a whole number, got %T", field, v)
}

func asBool(field string, v any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			return false, fmt.Errorf("%s: want true or false, got %q", field, x)
		}
		return b, nil
	}
	return false, fmt.Errorf("%s: want true or false, got %T", field, v)
}

// asStrings reads a list of strings.
func asStrings(field string, v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d]: want a string, got %T", field, i, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: want a list of strings, got %T", field, v)
}

// reader collects the first error of a sequence of typed reads of Attrs.
type reader struct {
	a   provider.Attrs
	err error
}

func (r *reader) has(k string) bool {
	v, ok := r.a[k]
	return ok && v != nil
}

func (r *reader) str(k string) string {
	if r.err != nil || !r.has(k) {
		return ""
	}
	s, err := asString(k, r.a[k])
	r.err = err
	return s
}

func (r *reader) int(k string) int {
	if r.err != nil || !r.has(k) {
		return 0
	}
	n, err := asInt(k, r.a[k])
	r.err = err
	return n
}

func (r *reader) bool(k string) bool {
	if r.err != nil || !r.has(k) {
		return false
	}
	b, err := asBool(k, r.a[k])
	r.err = err
	return b
}

func (r *reader) strs(k string) []string {
	if r.err != nil || !r.has(k) {
		return nil
	}
	s, err := asStrings(k, r.a[k])
	r.err = err
	return s
}

// changeSet indexes changes by field; the last change of a field wins.
type changeSet map[string]provider.FieldChange

func indexChanges(changes []provider.FieldChange) changeSet {
	m := changeSet{}
	for _, ch := range changes {
		m[ch.Field] = ch
	}
	return m
}

// only refuses changes of fields that cannot change in place.
func (cs changeSet) only(allowed ...string) error {
	var bad []string
	for f := range cs {
		if !slices.Contains(allowed, f) {
			bad = append(bad, f)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("cannot change %s in place (allowed: %s)", strings.Join(bad, ", "), strings.Join(allowed, ", "))
}

// after reads a change's new value with a typed reader.
func (cs changeSet) after(field string) (any, bool) {
	ch, ok := cs[field]
	return ch.After, ok
}

// text compares attribute values whatever their JSON number type (nil is
// "").
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
