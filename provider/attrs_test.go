package provider

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAttrReads: attribute values are read whatever JSON number type they
// came as, and a value of the wrong type is an error naming the field,
// never a silent zero.
func TestAttrReads(t *testing.T) {
	t.Parallel()
	ints := []struct {
		v       any
		want    int
		wantErr string
	}{
		{v: 2, want: 2}, {v: int64(3), want: 3}, {v: int32(4), want: 4}, {v: uint64(5), want: 5},
		{v: 6.0, want: 6}, {v: json.Number("7"), want: 7}, {v: " 8 ", want: 8},
		{v: 1.5, wantErr: "vcpu: want a whole number, got 1.5"},
		{v: "two", wantErr: `vcpu: want a whole number, got "two"`},
		{v: true, wantErr: "vcpu: want a whole number, got bool"},
	}
	for _, tt := range ints {
		got, err := AsInt("vcpu", tt.v)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("AsInt(%#v) = %d, %v; want error %q", tt.v, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AsInt(%#v) = %d, %v; want %d", tt.v, got, err, tt.want)
		}
	}
	if s, err := AsString("id", 42); s != "42" || err != nil {
		t.Errorf("AsString(42) = %q, %v", s, err)
	}
	if _, err := AsString("id", []any{}); err == nil || !strings.Contains(err.Error(), "id: want a string") {
		t.Errorf("AsString of a list: %v", err)
	}
	if b, err := AsBool("backup", "true"); !b || err != nil {
		t.Errorf(`AsBool("true") = %v, %v`, b, err)
	}
	if _, err := AsBool("backup", "yes please"); err == nil {
		t.Error(`AsBool("yes please") is no error`)
	}
	if l, err := AsStrings("attach_to", []any{"a", "b"}); len(l) != 2 || err != nil {
		t.Errorf("AsStrings = %v, %v", l, err)
	}
	if _, err := AsStrings("attach_to", []any{"a", 1}); err == nil || !strings.Contains(err.Error(), "attach_to[1]") {
		t.Errorf("AsStrings with a number: %v", err)
	}

	// The reader keeps the first error and reads nothing after it.
	r := &AttrReader{Attrs: Attrs{"name": "web", "vcpu": "many", "ram": 1024, "gone": nil}}
	if r.Str("name") != "web" || r.Has("gone") || r.Str("missing") != "" {
		t.Fatal("reads before the error")
	}
	if r.Int("vcpu") != 0 || r.Int("ram") != 0 || r.Err == nil || !strings.Contains(r.Err.Error(), "vcpu") {
		t.Errorf("after a bad value: ram read, or the error %v does not name vcpu", r.Err)
	}
}

// TestChangeSetOnly: an update names the fields it cannot make in place.
func TestChangeSetOnly(t *testing.T) {
	t.Parallel()
	cs := IndexChanges([]FieldChange{{Field: "name", After: "a"}, {Field: "size", After: 10}, {Field: "name", After: "b"}, {Field: "type", After: "SSD"}})
	if v, ok := cs.After("name"); !ok || v != "b" {
		t.Errorf("the last change of a field wins: %v", v)
	}
	if err := cs.Only("name", "size", "type"); err != nil {
		t.Error(err)
	}
	err := cs.Only("name")
	if err == nil || err.Error() != "cannot change size, type in place (allowed: name)" {
		t.Errorf("Only: %v", err)
	}
	if Text(nil) != "" || Text(12) != "12" || Text(12.0) != "12" {
		t.Errorf("Text: %q %q %q", Text(nil), Text(12), Text(12.0))
	}
}
