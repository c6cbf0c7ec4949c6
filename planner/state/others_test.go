package state_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/planner/state/statetest"
)

func TestLocalOtherStates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := state.NewLocal(dir, "a", nil)
	for name, content := range map[string]string{
		"a.state.json":              statetest.StateJSON("a", "vms.web", "v-a"),
		"b.state.json":              statetest.StateJSON("b", "vms.web", "v-b"),
		"c.state.json":              `{"version": 1, "sta`,
		"a.lock":                    `{}`,
		"b.state.json.tmp-123":      statetest.StateJSON("b", "vms.x", "v-x"),
		"sim-world.json":            `{}`,
		"a.journal.jsonl":           ``,
		"sub/d.state.json":          statetest.StateJSON("d", "vms.web", "v-d"),
		"../elsewhere/e.state.json": statetest.StateJSON("e", "vms.web", "v-e"),
	} {
		p := filepath.Join(l.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	others, unreadable := l.OtherStates()
	statetest.CheckOthers(t, others, unreadable, "state file "+filepath.Join(l.Dir, "b.state.json"), "state file "+filepath.Join(l.Dir, "c.state.json"))
}
