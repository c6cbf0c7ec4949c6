package planner

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"

	"github.com/goccy/go-yaml"

	"github.com/idstack/idstack/provider"
)

// The values of an exported stack file, from the live objects' attributes
// and the fields' descriptions.

// exportValue is a value as a stack file writes it, nil when there is
// nothing to write (no value, an empty one, or one the field's type,
// Enum, Min or Max does not allow): integers as ints, strings with "${"
// escaped, a list of objects with Keys as those keys of each item, an
// object's keys in the order of its fields.
func exportValue(f *provider.Field, v any) any {
	if f == nil {
		return plainValue(v)
	}
	var out any
	switch f.Type {
	case provider.IntegerType:
		if n, ok := toFloat(v); ok {
			out = int(n)
		}
	case provider.StringType:
		switch v.(type) {
		case string, bool, int, int64, float64:
			if s := str(v); s != "" {
				out = escapeTemplate(s)
			}
		}
	case provider.BooleanType:
		if b, ok := v.(bool); ok {
			out = b
		}
	case provider.ListType:
		var items []any
		for _, it := range list(v) {
			if e := itemValue(f, it); e != nil {
				items = append(items, e)
			}
		}
		if len(items) > 0 {
			out = items
		}
	case provider.ObjectType:
		if m, ok := v.(map[string]any); ok {
			out = objectValue(f.Fields, m)
		}
	default:
		out = plainValue(v)
	}
	if out == nil || !allowed(f, out) {
		return nil
	}
	return out
}

// itemValue is an item of a list field as the stack file writes it.
func itemValue(f *provider.Field, it any) any {
	m, isObj := it.(map[string]any)
	if len(f.Keys) == 0 || !isObj {
		return exportValue(f.Items, it)
	}
	var out yaml.MapSlice
	for _, k := range f.Keys {
		var sub *provider.Field
		if f.Items != nil {
			sub = f.Items.Sub(k)
		}
		if v := exportValue(sub, m[k]); v != nil {
			out = append(out, yaml.MapItem{Key: k, Value: v})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// objectValue is an object with its described keys first, in order, then
// any other in alphabetical order.
func objectValue(fields []*provider.Field, m map[string]any) any {
	var out yaml.MapSlice
	done := map[string]bool{}
	for _, sub := range fields {
		done[sub.Name] = true
		if v := exportValue(sub, m[sub.Name]); v != nil {
			out = append(out, yaml.MapItem{Key: sub.Name, Value: v})
		}
	}
	var rest []string
	for k := range m {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		if v := plainValue(m[k]); v != nil {
			out = append(out, yaml.MapItem{Key: k, Value: v})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// plainValue is a value of no described type as the stack file writes it.
func plainValue(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return escapeTemplate(x)
	case bool:
		return x
	case []any:
		var out []any
		for _, it := range x {
			if e := plainValue(it); e != nil {
				out = append(out, e)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case map[string]any:
		return objectValue(nil, x)
	}
	if n, ok := toFloat(v); ok {
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n)
		}
		return n
	}
	return nil
}

// allowed reports whether the field's Enum, Min and Max allow a value.
func allowed(f *provider.Field, v any) bool {
	if len(f.Enum) > 0 && !slices.ContainsFunc(f.Enum, func(e any) bool { return reflect.DeepEqual(normalize(e), normalize(v)) }) {
		return false
	}
	if n, ok := toFloat(v); ok {
		if f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
			return false
		}
	}
	return true
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
