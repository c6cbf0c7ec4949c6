package planner

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// slowEqual is Equal without its fast path: normalized copies compared by
// reflect.DeepEqual.
func slowEqual(a, b any, asSet bool, keys ...string) bool {
	x, y := normalize(a), normalize(b)
	if asSet {
		x, y = sortedList(project(x, keys)), sortedList(project(y, keys))
	}
	if x == nil && y == nil {
		return true
	}
	return reflect.DeepEqual(x, y)
}

// Equal's fast path (jsonEqual) answers as the normalized comparison
// does, for every pair of a varied set of values, as lists and as sets.
func TestEqualFastPathAgrees(t *testing.T) {
	type named string
	values := []any{nil, true, false, "", "a", "1", 0, 1, int64(1), uint8(1), float32(1), 1.0, 1.5, math.Copysign(0, -1), math.NaN(),
		[]any(nil), []any{}, []any{1}, []any{1.0}, []any{"1"}, []any{1, 2}, []any{2, 1}, []any{nil}, []any{[]any{}},
		[]string{"1"}, []string{}, []int{1}, []int{2, 1},
		map[string]any(nil), map[string]any{}, map[string]any{"a": 1}, map[string]any{"a": 1.0}, map[string]any{"a": nil},
		map[string]any{"b": 1}, map[string]any{"a": 1, "b": 2}, map[string]any{"a": []any{1}}, map[string]any{"a": []string{"x"}},
		map[string]any{"a": []any{"x"}}, map[string]string{"a": "x"}, map[string]any{"a": "x"}, named("a"),
		[]any{map[string]any{"id": 1, "x": 2}}, []any{map[string]any{"id": 1, "x": 3}}, []any{map[string]any{"id": 1.0}},
		struct{ A int }{1}, map[string]any{"A": 1},
	}
	for _, a := range values {
		for _, b := range values {
			for _, asSet := range []bool{false, true} {
				for _, keys := range [][]string{nil, {"id"}} {
					if got, want := Equal(a, b, asSet, keys...), slowEqual(a, b, asSet, keys...); got != want {
						t.Errorf("Equal(%s, %s, asSet %v, keys %v) = %v, want %v", show(a), show(b), asSet, keys, got, want)
					}
				}
			}
		}
	}
}

func show(v any) string { return fmt.Sprintf("%T %#v", v, v) }

// slowShow is Show without its fast paths for strings, bools and whole
// numbers.
func slowShow(v any) string {
	if s, ok := v.(string); ok {
		if s == Sensitive || s == KnownAfter {
			return s
		}
		return fmt.Sprintf("%q", s)
	}
	if v == nil {
		return "(none)"
	}
	n := normalize(v)
	if f, ok := n.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestShowFastPathAgrees(t *testing.T) {
	for _, v := range []any{nil, "", "a\"b\n\x00é\xff", Sensitive, KnownAfter, true, false, 0, -1, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64,
		0.0, math.Copysign(0, -1), 1.0, 1.5, 1e300, -1e19, 9.3e18, math.NaN(), math.Inf(1), int64(7), uint(3), float32(2.5), []any{1, "x"}, map[string]any{"a": 1.5}} {
		if got, want := Show(v), slowShow(v); got != want {
			t.Errorf("Show(%s) = %q, want %q", show(v), got, want)
		}
	}
}
