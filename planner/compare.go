package planner

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/r3labs/diff/v3"

	"github.com/idstack/idstack/provider"
)

// normalize makes JSON-like values comparable: every number becomes a
// float64, typed slices and maps become []any and map[string]any.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, string, float64:
		return x
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32:
		f, _ := toFloat(x)
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	// Anything else (typed slices, structs): through JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Equal compares two field values; asSet compares lists ignoring order,
// items of objects by keys only (when given).
func Equal(a, b any, asSet bool, keys ...string) bool {
	// Most values are JSON-like and most compare equal: the walk below
	// decides without normalize's copies and reflect.DeepEqual. Lists
	// equal item by item are equal as sets too.
	if eq, ok := jsonEqual(a, b); ok && (eq || !asSet) {
		return eq
	}
	x, y := normalize(a), normalize(b)
	if asSet {
		x, y = sortedList(project(x, keys)), sortedList(project(y, keys))
	}
	if x == nil && y == nil {
		return true
	}
	return reflect.DeepEqual(x, y)
}

// jsonEqual is reflect.DeepEqual(normalize(a), normalize(b)) for
// JSON-like values (nil, bool, string, numbers, []any, map[string]any),
// without building the normalized copies. ok is false when it cannot
// tell: a value of another type (a typed slice, a struct) is in the way.
func jsonEqual(a, b any) (equal, ok bool) {
	switch x := a.(type) {
	case []any:
		y, isList := b.([]any)
		if !isList {
			return false, isJSON(b)
		}
		if len(x) != len(y) {
			return false, true
		}
		for i := range x {
			if eq, ok := jsonEqual(x[i], y[i]); !eq || !ok {
				return eq, ok
			}
		}
		return true, true
	case map[string]any:
		y, isMap := b.(map[string]any)
		if !isMap {
			return false, isJSON(b)
		}
		if len(x) != len(y) {
			return false, true
		}
		for k, xv := range x {
			yv, has := y[k]
			if !has {
				return false, true
			}
			if eq, ok := jsonEqual(xv, yv); !eq || !ok {
				return eq, ok
			}
		}
		return true, true
	}
	switch b.(type) {
	case []any, map[string]any:
		return false, isJSON(a)
	}
	return scalarsEqual(a, b)
}

// isJSON says whether v is a JSON-like value at its top: a scalar, []any
// or map[string]any.
func isJSON(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return scalarKind(v) != notScalar
}

// scalarsEqual is Equal of two scalars (nil, bool, string, numbers),
// without normalize's allocations and reflect.DeepEqual: most fields of a
// plan are scalars. ok is false when either is not a scalar.
func scalarsEqual(a, b any) (equal, ok bool) {
	ka, kb := scalarKind(a), scalarKind(b)
	switch {
	case ka == notScalar || kb == notScalar:
		return false, false
	case ka != kb:
		return false, true
	case ka == numberScalar:
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		return x == y, true
	}
	return a == b, true // nil, bool or string: comparable
}

type scalar int

const (
	notScalar scalar = iota
	nilScalar
	boolScalar
	stringScalar
	numberScalar
)

func scalarKind(v any) scalar {
	switch v.(type) {
	case nil:
		return nilScalar
	case bool:
		return boolScalar
	case string:
		return stringScalar
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return numberScalar
	}
	return notScalar
}

// sortedList orders a list by each item's JSON so sets compare equal.
func sortedList(v any) any {
	l, ok := v.([]any)
	if !ok {
		if v == nil {
			return []any{}
		}
		return v
	}
	keys := make([]string, len(l))
	idx := make([]int, len(l))
	for i, e := range l {
		b, _ := json.Marshal(e)
		keys[i], idx[i] = string(b), i
	}
	sort.Slice(idx, func(i, j int) bool { return keys[idx[i]] < keys[idx[j]] })
	out := make([]any, len(l))
	for i, j := range idx {
		out[i] = l[j]
	}
	return out
}

// nestedChanges lists the changed paths inside a nested value (maps,
// lists) with r3labs/diff, so a plan shows `cloud_init.runcmd.0` rather
// than two whole documents. Scalars give one change.
func nestedChanges(field string, before, after any, mode provider.Change) []Change {
	b, a := normalize(before), normalize(after)
	_, bm := b.(map[string]any)
	_, am := a.(map[string]any)
	if !bm || !am {
		return []Change{{Path: field, Before: before, After: after, Mode: mode.String()}}
	}
	cl, err := diff.Diff(b, a)
	if err != nil || len(cl) == 0 {
		return []Change{{Path: field, Before: before, After: after, Mode: mode.String()}}
	}
	out := make([]Change, 0, len(cl))
	for _, c := range cl {
		out = append(out, Change{Path: field + "." + strings.Join(c.Path, "."), Before: c.From, After: c.To, Mode: mode.String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Show formats a value for a plan line.
func Show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if x == Sensitive || x == KnownAfter {
			return x
		}
		return strconv.Quote(x) // fmt's %q
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
	case int:
		if f := float64(x); f == float64(int64(f)) {
			return strconv.FormatInt(int64(f), 10)
		}
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

// project keeps only the identifying keys of each object in a list.
func project(v any, keys []string) any {
	l, ok := v.([]any)
	if !ok || len(keys) == 0 {
		return v
	}
	out := make([]any, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			out[i] = e
			continue
		}
		p := make(map[string]any, len(keys))
		for _, k := range keys {
			p[k] = m[k]
		}
		out[i] = p
	}
	return out
}

// listChanges lists a set's removed items (after = nil) and added items
// (before = nil): one changed rule is one removal and one addition, not a
// rewrite of the list.
func listChanges(field string, before, after any, keys []string, mode provider.Change) []Change {
	b, _ := sortedList(project(normalize(before), keys)).([]any)
	a, _ := sortedList(project(normalize(after), keys)).([]any)
	var gone, added []any
	for _, item := range b {
		if !containsValue(a, item) {
			gone = append(gone, item)
		}
	}
	for _, item := range a {
		if !containsValue(b, item) {
			added = append(added, item)
		}
	}
	// An item that loses one value and gains another in a single key (a
	// rule's target port 8080 → 8081) reads as one modified item, not a
	// removal and an addition; the provider gets the whole list either way.
	var out []Change
	paired := map[int]bool{}
	for _, g := range gone {
		after := any(nil)
		for j, n := range added {
			if !paired[j] && oneKeyApart(g, n, keys) {
				paired[j], after = true, present(n)
				break
			}
		}
		out = append(out, Change{Path: field, Before: present(g), After: after, Mode: mode.String()})
	}
	for j, n := range added {
		if !paired[j] {
			out = append(out, Change{Path: field, Before: nil, After: present(n), Mode: mode.String()})
		}
	}
	return out
}

// present drops the keys a projected item does not have (project gives
// every key, null when missing, so that items compare alike): a plan
// shows a rule as it is written, not with "description": null.
func present(item any) any {
	m, ok := item.(map[string]any)
	if !ok {
		return item
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// oneKeyApart reports whether two items (objects) differ in exactly one of
// the keys that identify them.
func oneKeyApart(x, y any, keys []string) bool {
	a, ok1 := x.(map[string]any)
	b, ok2 := y.(map[string]any)
	if !ok1 || !ok2 || len(keys) < 2 {
		return false
	}
	differ := 0
	for _, k := range keys {
		if !reflect.DeepEqual(a[k], b[k]) {
			differ++
		}
	}
	return differ == 1
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}

// Converge lists the in-place changes that would bring a live object to
// the desired attributes: used when a create's answer was lost and the
// object was found by name, its follow-up steps (attach, assign, power)
// perhaps never done.
func Converge(ks *provider.KindSpec, attrs map[string]any, obj map[string]any) []provider.FieldChange {
	var out []provider.FieldChange
	for _, f := range sortedKeys(attrs) {
		rule := ks.Field(f)
		if !observed(rule) {
			continue
		}
		live, has := obj[rule.Live]
		if !has || Equal(live, attrs[f], rule.IsList(), rule.Keys...) {
			continue
		}
		out = append(out, provider.FieldChange{Field: f, Before: live, After: attrs[f]})
	}
	return out
}

// Remaining is what an update tried again after a failure still has to
// do, from a fresh read of the object: of the planned changes and of the
// fields kept for an undo (a VM's power, which a restart cut short leaves
// wrong), those the live object shows still differing; a planned change
// the API does not report (a secret) or that the provider confirms itself
// (an OS reinstall) is sent again as planned.
func Remaining(ks *provider.KindSpec, attrs map[string]any, obj map[string]any, planned []provider.FieldChange, kept []string) []provider.FieldChange {
	want := map[string]bool{}
	for _, f := range kept {
		want[f] = true
	}
	var out []provider.FieldChange
	for _, c := range planned {
		if !observed(ks.Field(c.Field)) {
			out = append(out, c)
			continue
		}
		want[c.Field] = true
	}
	for _, c := range Converge(ks, attrs, obj) {
		if want[c.Field] {
			out = append(out, c)
		}
	}
	return out
}
