package idcloudhost

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
)

// Attribute values arrive as plain JSON-like values, but numbers may be int,
// int64 or float64 (YAML, JSON, state files) and booleans may be strings.
// These helpers read them strictly: a value of the wrong type is an error
// naming the field, never a silent zero.

func asString(field string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case fmt.Stringer:
		return x.String(), nil
	case int, int64, int32, float64: // json.Number is a Stringer, above
		n, err := asInt(field, x)
		return strconv.Itoa(n), err
	}
	return "", fmt.Errorf("%s: want a string, got %T", field, v)
}

func asInt(field string, v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case int32:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("%s: want a whole number, got %v", field, x)
		}
		return int(x), nil
	case json.Number:
		n, err := strconv.Atoi(string(x))
		if err != nil {
			return 0, fmt.Errorf("%s: want a whole number, got %q", field, x)
		}
		return n, nil
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

// changeSet indexes a list of FieldChange by field; the last change of a
// field wins.
type changeSet map[string]provider.FieldChange

func indexChanges(changes []provider.FieldChange) changeSet {
	m := changeSet{}
	for _, ch := range changes {
		m[ch.Field] = ch
	}
	return m
}

func (cs changeSet) unknown(allowed ...string) error {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var bad []string
	for f := range cs {
		if !ok[f] {
			bad = append(bad, f)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("cannot change %s in place (allowed: %s)", strings.Join(slices.Sorted(slices.Values(bad)), ", "), strings.Join(allowed, ", "))
}

func boolForm(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
