// Package statetest holds the fixtures and checks that the tests of every
// state backend share: the local backend's (planner/state) and the S3
// backend's (executor/cli/s3state) are held to the same bad states, the
// same messages and the same listing of other stacks' states.
package statetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
)

// GoodState is a valid state of stack "shop", as a JSON value to spoil.
func GoodState() map[string]any {
	rec := func(addr, kind, id, loc string) map[string]any {
		r := map[string]any{"address": addr, "kind": kind, "id": id}
		if loc != "" {
			r["location"] = loc
		}
		return r
	}
	return map[string]any{
		"version": 1, "serial": 3, "lineage": "0123456789abcdef", "stack": "shop",
		"resources": map[string]any{
			"networks.app":   rec("networks.app", "networks", "n-1", "jkt01"),
			"vms.web":        rec("vms.web", "vms", "v-1", "jkt01"),
			"vms.db":         rec("vms.db", "vms", "v-2", "jkt01"),
			"buckets.assets": rec("buckets.assets", "buckets", "shop-assets", ""),
		},
		"deposed": []any{rec("vms.old", "vms", "v-9", "jkt01")},
	}
}

// Resources is a state's resources, Record one of them, to spoil.
func Resources(m map[string]any) map[string]any { return m["resources"].(map[string]any) }

// Record is the record of addr in a state's resources.
func Record(m map[string]any, addr string) map[string]any {
	return Resources(m)[addr].(map[string]any)
}

// BadState is a state a hand edit, a bad merge or a torn copy leave
// behind; it must be refused when read, naming the entry and the fault.
type BadState struct {
	Name  string
	Raw   string               // the file as it is, or
	Spoil func(map[string]any) // a change to GoodState
	Want  []string             // what the error says (besides where)
}

// BadStates are the states every backend refuses to load.
func BadStates() []BadState {
	return []BadState{
		{Name: "null record", Spoil: func(m map[string]any) { Resources(m)["vms.db"] = nil },
			Want: []string{`resources["vms.db"]: the record is null`}},
		{Name: "empty id", Spoil: func(m map[string]any) { Record(m, "vms.web")["id"] = "" },
			Want: []string{`resources["vms.web"]: the id is empty`}},
		{Name: "blank id", Spoil: func(m map[string]any) { Record(m, "vms.web")["id"] = "  " },
			Want: []string{`resources["vms.web"]: the id is empty`}},
		{Name: "missing id", Spoil: func(m map[string]any) { delete(Record(m, "vms.web"), "id") },
			Want: []string{`resources["vms.web"]: the id is empty`}},
		{Name: "blank address", Spoil: func(m map[string]any) {
			r := Record(m, "vms.db")
			delete(Resources(m), "vms.db")
			r["address"] = ""
			Resources(m)[""] = r
		}, Want: []string{`resources[""]: the address is blank`}},
		{Name: "key disagrees with the record", Spoil: func(m map[string]any) { Record(m, "vms.db")["address"] = "vms.database" },
			Want: []string{`resources["vms.db"]: the record's address is "vms.database"`}},
		{Name: "record without an address", Spoil: func(m map[string]any) { delete(Record(m, "vms.db"), "address") },
			Want: []string{`resources["vms.db"]: the record's address is ""`}},
		{Name: "not KIND.NAME", Spoil: func(m map[string]any) {
			r := Record(m, "vms.db")
			delete(Resources(m), "vms.db")
			r["address"] = "db"
			Resources(m)["db"] = r
		}, Want: []string{`resources["db"]: address "db": want KIND.NAME`}},
		{Name: "unknown kind", Spoil: func(m map[string]any) {
			r := Record(m, "vms.db")
			delete(Resources(m), "vms.db")
			r["address"], r["kind"] = "servers.db", "servers"
			Resources(m)["servers.db"] = r
		}, Want: []string{`resources["servers.db"]: address "servers.db": unknown kind "servers"`}},
		{Name: "kind disagrees with the address", Spoil: func(m map[string]any) { Record(m, "vms.db")["kind"] = "disks" },
			Want: []string{`resources["vms.db"]: the record's kind is "disks", not vms`}},
		{Name: "no location", Spoil: func(m map[string]any) { delete(Record(m, "vms.db"), "location") },
			Want: []string{`resources["vms.db"]: no location`}},
		{Name: "one id under two addresses", Spoil: func(m map[string]any) { Record(m, "vms.db")["id"] = "v-1" },
			Want: []string{`resources["vms.db"] and resources["vms.web"] both hold VM "v-1"`, "idstack state rm"}},
		{Name: "one id under three addresses", Spoil: func(m map[string]any) {
			Record(m, "vms.db")["id"] = "v-1"
			Resources(m)["vms.cache"] = map[string]any{"address": "vms.cache", "kind": "vms", "id": "v-1", "location": "jkt01"}
		}, Want: []string{`resources["vms.cache"], resources["vms.db"] and resources["vms.web"] all hold VM "v-1"`}},
		{Name: "deposed duplicates a current record", Spoil: func(m map[string]any) {
			m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.web", "kind": "vms", "id": "v-1", "location": "jkt01"})
		}, Want: []string{`deposed[1] (vms.web): holds VM "v-1", which resources["vms.web"] holds too`}},
		{Name: "deposed twice", Spoil: func(m map[string]any) {
			m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.old", "kind": "vms", "id": "v-9", "location": "jkt01"})
		}, Want: []string{`deposed[1] (vms.old): holds VM "v-9", which deposed[0] holds too`}},
		{Name: "null deposed record", Spoil: func(m map[string]any) { m["deposed"] = append(m["deposed"].([]any), nil) },
			Want: []string{`deposed[1]: the record is null`}},
		{Name: "deposed with no id", Spoil: func(m map[string]any) { delete(m["deposed"].([]any)[0].(map[string]any), "id") },
			Want: []string{`deposed[0]: the id is empty`}},
		{Name: "another stack's state", Spoil: func(m map[string]any) { m["stack"] = "shop-prod" },
			Want: []string{`belongs to stack "shop-prod", not "shop"`}},
		{Name: "no stack", Spoil: func(m map[string]any) { delete(m, "stack") },
			Want: []string{`stack: missing`}},
		{Name: "negative serial", Spoil: func(m map[string]any) { m["serial"] = -4 },
			Want: []string{`serial: -4 is negative`}},
		{Name: "serial not a number", Spoil: func(m map[string]any) { m["serial"] = "7" },
			Want: []string{`serial: a string where a number belongs`}},
		{Name: "newer format", Spoil: func(m map[string]any) { m["version"] = state.FormatVersion + 1 },
			Want: []string{fmt.Sprintf("version: format version %d; this idstack reads versions 1 to %d (a newer idstack wrote it)", state.FormatVersion+1, state.FormatVersion)}},
		{Name: "no format version", Spoil: func(m map[string]any) { delete(m, "version") },
			Want: []string{`version: missing`}},
		{Name: "no resources", Spoil: func(m map[string]any) { delete(m, "resources") },
			Want: []string{`resources: missing`}},
		{Name: "resources a list", Spoil: func(m map[string]any) { m["resources"] = []any{} },
			Want: []string{`resources: an array where an object belongs`}},
		{Name: "record a string", Spoil: func(m map[string]any) { Resources(m)["vms.db"] = "v-2" },
			Want: []string{`resources["vms.db"]: a string where an object belongs`}},
		{Name: "truncated", Raw: `{"version": 1, "serial": 3, "stack": "shop", "resources": {"vms.web": {"address": "vms.w`,
			Want: []string{"not valid JSON: it ends at byte 88, in the middle (a truncated copy?)"}},
		{Name: "empty file", Raw: "",
			Want: []string{"empty (0 bytes)"}},
		{Name: "not JSON", Raw: "<<<<<<< HEAD\n{}\n",
			Want: []string{"not valid JSON at byte 1: invalid character '<'"}},
		{Name: "JSON null", Raw: "null",
			Want: []string{"not a JSON object"}},
		{Name: "every fault at once", Spoil: func(m map[string]any) {
			m["stack"], m["serial"] = "other", -1
			Resources(m)["vms.db"] = nil
			Record(m, "networks.app")["id"] = ""
			Record(m, "buckets.assets")["address"] = "buckets.logs"
		}, Want: []string{`belongs to stack "other", not "shop"`, "serial: -1 is negative", `resources["vms.db"]: the record is null`,
			`resources["networks.app"]: the id is empty`, `resources["buckets.assets"]: the record's address is "buckets.logs"`, "5 problems"}},
	}
}

// Data is the bad state's content.
func (tc BadState) Data(t testing.TB) []byte {
	t.Helper()
	if tc.Spoil == nil {
		return []byte(tc.Raw)
	}
	m := GoodState()
	tc.Spoil(m)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckRefused checks that a bad state was refused with an
// *state.InvalidError naming where it was read, saying that nothing was
// changed, and saying each of want.
func CheckRefused(t testing.TB, st *state.State, err error, where string, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("a bad state loaded: %+v", st)
	}
	var inv *state.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("want an *InvalidError, got %T: %v", err, err)
	}
	msg := err.Error()
	for _, s := range append([]string{where, "nothing was changed"}, want...) {
		if !strings.Contains(msg, s) {
			t.Errorf("the error lacks %q:\n%s", s, msg)
		}
	}
}

// StateJSON is a valid state of a stack holding one VM, addr with id.
func StateJSON(stack, addr, id string) string {
	return `{"version": 1, "serial": 1, "stack": "` + stack + `", "resources": {"` + addr + `": {"address": "` + addr + `", "kind": "vms", "id": "` + id + `", "location": "jkt01"}}}`
}

// CheckOthers checks what a backend found beside the state of stack "a"
// (OtherStates): b's state (StateJSON("b", "vms.web", "v-b")) at
// wantWhere, and c's invalid one at badWhere; never a's own, nor anything
// that is not a *.state.json beside it.
func CheckOthers(t testing.TB, others []*state.Other, unreadable []string, wantWhere, badWhere string) {
	t.Helper()
	var got []string
	for _, o := range others {
		got = append(got, o.Where+" "+o.State.Stack)
	}
	if d := cmp.Diff([]string{wantWhere + " b"}, got); d != "" {
		t.Errorf("other states (-want +got):\n%s", d)
	}
	if len(unreadable) != 1 || !strings.Contains(unreadable[0], "another stack's "+badWhere+" is invalid (not valid JSON") {
		t.Errorf("unreadable: %q, want one naming %s", unreadable, badWhere)
	}
	e := state.ElsewhereOf(others, unreadable)
	if o, ok := e.Owner("vms", "v-b"); !ok || o.Stack != "b" || o.Address != "vms.web" || o.Where != wantWhere {
		t.Errorf("owner of v-b: %+v, %v", o, ok)
	}
	if _, ok := e.Owner("vms", "v-a"); ok {
		t.Error("the stack's own objects are not elsewhere")
	}
	if _, ok := e.Owner("networks", "v-b"); ok {
		t.Error("ids are per kind")
	}
	if len(e.Warnings) != 1 {
		t.Errorf("warnings: %q", e.Warnings)
	}
}
