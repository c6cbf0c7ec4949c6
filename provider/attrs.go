package provider

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Attribute values arrive as plain JSON-like values whose numbers may be
// int, int64 or float64 (YAML, JSON, state files) and whose booleans may
// be strings. Every provider reads them with these, strictly: a value of
// the wrong type is an error naming the field, never a silent zero.

// AsString reads a string; a number is read as its decimal text (ids that
// one side writes as numbers and the other as strings).
func AsString(field string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case fmt.Stringer:
		return x.String(), nil
	case int, int64, int32, float64: // json.Number is a Stringer, above
		n, err := AsInt(field, x)
		return strconv.Itoa(n), err
	}
	return "", fmt.Errorf("%s: want a string, got %T", field, v)
}

// AsInt reads a whole number.
func AsInt(field string, v any) (int, error) {
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
		return AsInt(field, string(x))
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("%s: want a whole number, got %q", field, x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s: want a whole number, got %T", field, v)
}

// AsBool reads true or false.
func AsBool(field string, v any) (bool, error) {
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

// AsStrings reads a list of strings.
func AsStrings(field string, v any) ([]string, error) {
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

// AttrReader reads typed values of Attrs one after another and keeps the
// first error (Err): a client reads every field it needs, then checks
// once. A missing or nil value reads as the zero value.
type AttrReader struct {
	Attrs Attrs
	Err   error
}

// Has says whether the attribute is set (and not nil).
func (r *AttrReader) Has(k string) bool {
	v, ok := r.Attrs[k]
	return ok && v != nil
}

// Str reads a string (AsString).
func (r *AttrReader) Str(k string) string {
	if r.Err != nil || !r.Has(k) {
		return ""
	}
	s, err := AsString(k, r.Attrs[k])
	r.Err = err
	return s
}

// Int reads a whole number (AsInt).
func (r *AttrReader) Int(k string) int {
	if r.Err != nil || !r.Has(k) {
		return 0
	}
	n, err := AsInt(k, r.Attrs[k])
	r.Err = err
	return n
}

// Bool reads true or false (AsBool).
func (r *AttrReader) Bool(k string) bool {
	if r.Err != nil || !r.Has(k) {
		return false
	}
	b, err := AsBool(k, r.Attrs[k])
	r.Err = err
	return b
}

// Strs reads a list of strings (AsStrings).
func (r *AttrReader) Strs(k string) []string {
	if r.Err != nil || !r.Has(k) {
		return nil
	}
	s, err := AsStrings(k, r.Attrs[k])
	r.Err = err
	return s
}

// ChangeSet indexes an update's changes by field; the last change of a
// field wins.
type ChangeSet map[string]FieldChange

// IndexChanges makes the ChangeSet of changes.
func IndexChanges(changes []FieldChange) ChangeSet {
	m := ChangeSet{}
	for _, ch := range changes {
		m[ch.Field] = ch
	}
	return m
}

// Only refuses changes of fields outside allowed: the fields a kind
// cannot change in place.
func (cs ChangeSet) Only(allowed ...string) error {
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

// After is the new value of a changed field.
func (cs ChangeSet) After(field string) (any, bool) {
	ch, ok := cs[field]
	return ch.After, ok
}

// Text compares attribute values whatever their JSON number type (nil is
// "").
func Text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
