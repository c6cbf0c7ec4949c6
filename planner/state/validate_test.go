package state_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/planner/state/statetest"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// TestGoodStateLoads: the base of the table is itself valid.
func TestGoodStateLoads(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(statetest.GoodState())
	st, err := state.Decode("state file x", b, state.Expect{Stack: "shop", Provider: idcloudhost.Description()})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 4 || len(st.Deposed) != 1 {
		t.Fatalf("decoded %+v", st)
	}
	// An empty state written by an earlier idstack, resources null.
	if _, err := state.Decode("state file x", []byte(`{"version": 1, "serial": 0, "lineage": "x", "stack": "shop", "resources": null}`), state.Expect{Stack: "shop", Provider: idcloudhost.Description()}); err != nil {
		t.Fatal(err)
	}
}

// TestBadLocalStateIsRefused: each fault is an error naming the file and
// the entry; the file is left as it was.
func TestBadLocalStateIsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range statetest.BadStates() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			l := state.NewLocal(t.TempDir(), "shop", idcloudhost.Description())
			data := tc.Data(t)
			if err := os.MkdirAll(l.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(l.Path(), data, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := l.Load()
			statetest.CheckRefused(t, st, err, "state file "+l.Path(), tc.Want)
			if got, _ := os.ReadFile(l.Path()); !bytes.Equal(got, data) {
				t.Errorf("the state file changed")
			}
			if entries, _ := os.ReadDir(l.Dir); len(entries) != 1 {
				t.Errorf("%d files in %s, want the state only", len(entries), l.Dir)
			}
		})
	}
}

// TestWithoutRepairsOnlyWhatItRemoves: `state rm ADDR` on an invalid
// state saves it only when forgetting ADDR is all it takes; never when
// a deposed record is at fault (forgetting the current one would leave
// the deposed one, which the next apply deletes).
func TestWithoutRepairsOnlyWhatItRemoves(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(map[string]any)
		rm    string
		ok    bool
	}{
		{"null record", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.db", true},
		{"one id under two addresses", func(m map[string]any) { statetest.Record(m, "vms.db")["id"] = "v-1" }, "vms.db", true},
		{"another address than the bad one", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.web", false},
		{"an address not in the state", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.nope", false},
		{"a fault elsewhere too", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil; m["stack"] = "other" }, "vms.db", false},
		{"a deposed duplicate", func(m map[string]any) {
			m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.web", "kind": "vms", "id": "v-1", "location": "jkt01"})
		}, "vms.web", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := statetest.GoodState()
			tc.spoil(m)
			b, _ := json.Marshal(m)
			_, err := state.Decode("state file x", b, state.Expect{Stack: "shop", Provider: idcloudhost.Description()})
			var inv *state.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("not invalid: %v", err)
			}
			st, err := inv.Without(tc.rm)
			if ok := err == nil; ok != tc.ok {
				t.Fatalf("Without(%s): %v, want ok=%v", tc.rm, err, tc.ok)
			}
			if tc.ok && (st.Get(tc.rm) != nil || st.Serial != 3 || st.Stack != "shop" || len(st.Resources) != 3) {
				t.Errorf("repaired state: %+v", st)
			}
		})
	}
}
