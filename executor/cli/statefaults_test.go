package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider/sim"
)

// TestBadStateChangesNothing (issue 11, item 9): a state file spoiled by
// hand is refused by every command that reads it, with an error naming the
// file and the entry; the file stays as it was byte for byte, and the
// cloud is not called at all. (Not parallel: commands run in-process
// share urfave/cli's global help flag, a data race under -race.)
func TestBadStateChangesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, st map[string]any)
		want  []string
	}{
		// A null record panicked the plan.
		{"null record", func(t *testing.T, st map[string]any) { stateRecords(st)["vms.db"] = nil },
			[]string{`resources["vms.db"]: the record is null`}},
		// One live id under two addresses planned a delete of a declared VM,
		// and apply deleted it.
		{"one id under two addresses", func(t *testing.T, st map[string]any) {
			stateRecord(t, st, "vms.db")["id"] = stateRecord(t, st, "vms.web")["id"]
		}, []string{`resources["vms.db"] and resources["vms.web"] both hold VM "`, "idstack state rm"}},
		{"empty id", func(t *testing.T, st map[string]any) { stateRecord(t, st, "vms.web")["id"] = "" },
			[]string{`resources["vms.web"]: the id is empty`}},
		{"blank address", func(t *testing.T, st map[string]any) {
			r := stateRecord(t, st, "vms.db")
			delete(stateRecords(st), "vms.db")
			r["address"] = " "
			stateRecords(st)[" "] = r
		}, []string{`resources[" "]: the address is blank`}},
		{"another stack's state", func(t *testing.T, st map[string]any) { st["stack"] = "skel-prod" },
			[]string{`belongs to stack "skel-prod", not "skel"`}},
		{"deposed duplicates a current record", func(t *testing.T, st map[string]any) {
			st["deposed"] = []any{stateRecord(t, st, "vms.web")}
		}, []string{`deposed[0] (vms.web): holds VM "`, `which resources["vms.web"] holds too`}},
		{"truncated", func(t *testing.T, st map[string]any) { st["truncate"] = true },
			[]string{"not valid JSON", "a truncated copy?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			f := e.write("idstack.yaml", twoVMs)
			e.mustRun(0, "apply", "-f", f, "--auto-approve")
			path := filepath.Join(e.dir, ".idstack", "skel.state.json")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var st map[string]any
			if err := json.Unmarshal(raw, &st); err != nil {
				t.Fatal(err)
			}
			tc.spoil(t, st)
			bad, _ := json.MarshalIndent(st, "", "  ")
			if st["truncate"] == true {
				bad = raw[:len(raw)/2]
			}
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			world := e.sim.World()
			e.sim.ResetCalls()
			for _, args := range [][]string{
				{"plan", "-f", f},
				{"plan", "-f", f, "--adopt"},
				{"apply", "-f", f, "--auto-approve"},
				{"destroy", "-f", f, "--auto-approve"},
				{"state", "list", "-f", f},
				{"state", "show", "-f", f, "vms.web"},
				{"graph", "-f", f},
			} {
				code, out, errs := e.run(args...)
				if code != 1 {
					t.Errorf("idstack %s: exit %d, want 1\n%s%s", strings.Join(args, " "), code, out, errs)
				}
				for _, s := range append([]string{"state file " + path, "nothing was changed"}, tc.want...) {
					if !strings.Contains(errs, s) {
						t.Errorf("idstack %s: stderr lacks %q:\n%s", strings.Join(args, " "), s, errs)
					}
				}
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, bad) {
				t.Errorf("the state file changed")
			}
			if calls := e.sim.Calls(); len(calls) != 0 {
				t.Errorf("%d calls to the cloud with a bad state, want none: %+v", len(calls), calls)
			}
			if d := cmp.Diff(world, e.sim.World(), worldOpts); d != "" {
				t.Errorf("the world changed (-before +after):\n%s", d)
			}
			if _, err := os.Stat(filepath.Join(e.dir, ".idstack", "skel.lock")); err == nil {
				t.Errorf("a lock was left behind")
			}
		})
	}
}

func stateRecords(st map[string]any) map[string]any { return st["resources"].(map[string]any) }

func stateRecord(t *testing.T, st map[string]any, addr string) map[string]any {
	t.Helper()
	r, ok := stateRecords(st)[addr].(map[string]any)
	if !ok {
		t.Fatalf("no record %s in the state", addr)
	}
	return r
}

// TestStateRmRepairsABadRecord: `state rm ADDR` forgets a record that
// alone makes the state invalid; the stack then adopts the VM back. A
// fault it does not remove leaves the file as it was.
func TestStateRmRepairsABadRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	path := filepath.Join(e.dir, ".idstack", "skel.state.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	webID := stateRecord(t, st, "vms.web")["id"]
	stateRecord(t, st, "vms.db")["id"] = webID // a bad merge: db points at web's VM
	st["stack"] = "skel-prod"
	bad, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	// Two faults: forgetting vms.db does not make it valid.
	code, _, errs := e.run("state", "rm", "-f", f, "vms.db")
	if code != 1 || !strings.Contains(errs, `belongs to stack "skel-prod", not "skel"`) || strings.Contains(errs, "both hold") {
		t.Fatalf("state rm with a fault it does not remove: exit %d\n%s", code, errs)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, bad) {
		t.Fatal("the state file changed")
	}
	st["stack"] = "skel"
	bad, _ = json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.mustRun(0, "state", "rm", "-f", f, "vms.db")
	if !strings.Contains(out, "Forgot vms.db, which made the state invalid") {
		t.Errorf("state rm says:\n%s", out)
	}
	world := e.sim.World()
	p := e.plan(f, "--adopt")
	if a := p.Action("vms.db"); len(p.Actions) != 1 || a == nil || a.Action != "adopt" || len(a.Changes) != 0 {
		t.Fatalf("after state rm, want only the adoption of vms.db, got %+v", p.Actions)
	}
	e.mustRun(0, "apply", "-f", f, "--adopt", "--auto-approve")
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	if d := cmp.Diff(world, e.sim.World(), worldOpts); d != "" {
		t.Errorf("the world changed (-before +after):\n%s", d)
	}
}
