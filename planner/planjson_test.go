package planner_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
)

// encodingJSON is what Plan.WriteJSON must write: encoding/json's.
func encodingJSON(p *planner.Plan) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	err := enc.Encode(p)
	return b.Bytes(), err
}

// sameJSON fails unless WriteJSON writes what encoding/json writes.
func sameJSON(t *testing.T, p *planner.Plan) {
	t.Helper()
	want, werr := encodingJSON(p)
	var got bytes.Buffer
	gerr := p.WriteJSON(&got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("WriteJSON error %v, encoding/json's %v", gerr, werr)
	}
	if werr != nil {
		if got.Len() > 0 {
			t.Errorf("WriteJSON wrote %d bytes before its error %v", got.Len(), gerr)
		}
		return
	}
	if d := cmp.Diff(string(want), got.String()); d != "" {
		t.Fatalf("WriteJSON differs from encoding/json (-want +got):\n%s", d)
	}
}

// Strings and numbers written as encoding/json writes them: escapes,
// invalid UTF-8, the float format's cutoffs.
func TestWriteJSONValues(t *testing.T) {
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	strs := []string{"", "plain", all.String(), "<a href=\"x\">&amp;</a>", "tab\tnew\nline\r\b\f\x00\x1f\x7f",
		"\u2028\u2029", "héllo wörld ✓ 日本", "\xff\xfe bad \xc3", "\xe2\x80", "emoji 😀 \U0010FFFF", `back\slash "quoted"`}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.0105, 7.665, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 123456789.125,
		-1e21, math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 53, 0.1 + 0.2}
	var values []any
	for _, s := range strs {
		values = append(values, s)
	}
	for _, f := range floats {
		values = append(values, f)
	}
	values = append(values, nil, true, false, 0, -7, int64(math.MinInt64), int32(5), uint8(7), uint64(math.MaxUint64), float32(0.1),
		[]any{}, []any(nil), map[string]any{}, map[string]any(nil), []string{}, []string(nil), map[string]string{"b": "1", "a": "<2>"},
		[]any{1, "x", []any{}, map[string]any{"z": nil, "a": []any{2.5, map[string]any{}}}},
		map[string]any{"é": 1, "<k>": "v", "": 0, "a\nb": []any{nil}},
		json.Number("12.50"), json.RawMessage(`{"b": [1, 2],"a":{}}`), time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		struct {
			A int    `json:"a"`
			B string `json:"b,omitempty"`
		}{A: 1}, []int{1, 2}, map[string]int{"x": 1}, planner.Create, &planner.Amount{Hourly: 1})
	deep := any("bottom")
	for range 40 {
		deep = []any{map[string]any{"k": deep}}
	}
	values = append(values, deep)
	for i, v := range values {
		p := &planner.Plan{FormatVersion: "1", Stack: "s", Actions: []*planner.Action{{Address: "vms.a", Changes: []planner.Change{{Path: "p", Before: v, After: []any{v, map[string]any{"k": v}}}}}}}
		t.Run("", func(t *testing.T) {
			t.Logf("value %d: %#v", i, v)
			sameJSON(t, p)
		})
	}
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, func() {}} {
		sameJSON(t, &planner.Plan{Actions: []*planner.Action{{Changes: []planner.Change{{After: v}}}}})
	}
	sameJSON(t, &planner.Plan{Cost: &planner.Cost{After: &planner.Amount{Monthly: math.NaN()}}})
}

// Every field of a plan, set or not at random: WriteJSON knows each field
// of the plan's types (a field added to them fails here until it does).
func TestWriteJSONEveryField(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var p planner.Plan
		fill(r, reflect.ValueOf(&p).Elem(), 0)
		sameJSON(t, &p)
	}
}

// fill sets a value at random: zero or not, nil or empty or not, and
// JSON-like values in interfaces.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if r.IntN(3) == 0 || depth > 6 {
		return // zero
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString([]string{"", "a", "vms.web", "<&>", "ü\n", "(known after apply)"}[r.IntN(6)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(r.IntN(2000)) - 1000)
	case reflect.Float64:
		v.SetFloat([]float64{0, 0.0105, 7.665, -3, 1e-9, 1e22, 123.456}[r.IntN(7)])
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Slice:
		n := r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(r, v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range r.IntN(3) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(r, k, depth+1)
			fill(r, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
		choices := []any{nil, "x", 12.5, 3, true, []any{"a", 1.0}, map[string]any{"b": 1.0, "a": []any{}}, planner.KnownAfter}
		if c := choices[r.IntN(len(choices))]; c != nil {
			v.Set(reflect.ValueOf(c))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}
