package state_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
)

func stateJSON(stack, addr, id string) string {
	return `{"version": 1, "serial": 1, "stack": "` + stack + `", "resources": {"` + addr + `": {"address": "` + addr + `", "kind": "vms", "id": "` + id + `", "location": "jkt01"}}}`
}

// otherStatesWant is what both backends find beside the state of stack
// "a": b's state, and c's unreadable one; never a's own, nor anything
// that is not a *.state.json beside it.
func checkOthers(t *testing.T, others []*state.Other, unreadable []string, wantWhere, badWhere string) {
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

func TestLocalOtherStates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := state.NewLocal(dir, "a")
	for name, content := range map[string]string{
		"a.state.json":              stateJSON("a", "vms.web", "v-a"),
		"b.state.json":              stateJSON("b", "vms.web", "v-b"),
		"c.state.json":              `{"version": 1, "sta`,
		"a.lock":                    `{}`,
		"b.state.json.tmp-123":      stateJSON("b", "vms.x", "v-x"),
		"sim-world.json":            `{}`,
		"a.journal.jsonl":           ``,
		"sub/d.state.json":          stateJSON("d", "vms.web", "v-d"),
		"../elsewhere/e.state.json": stateJSON("e", "vms.web", "v-e"),
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
	checkOthers(t, others, unreadable, "state file "+filepath.Join(l.Dir, "b.state.json"), "state file "+filepath.Join(l.Dir, "c.state.json"))
}

func TestS3OtherStates(t *testing.T) {
	t.Parallel()
	w := newS3World(t, "tfstate")
	for key, content := range map[string]string{
		"ci/a.state.json":                      stateJSON("a", "vms.web", "v-a"),
		"ci/b.state.json":                      stateJSON("b", "vms.web", "v-b"),
		"ci/c.state.json":                      `{"version": 1, "sta`,
		"ci/a.state.json.lock":                 `{}`,
		"ci/a.state.json.journal/0001-x.jsonl": ``,
		"ci/notes.txt":                         `hello`,
		"ci/sub/d.state.json":                  stateJSON("d", "vms.web", "v-d"),
		"other/e.state.json":                   stateJSON("e", "vms.web", "v-e"),
		"f.state.json":                         stateJSON("f", "vms.web", "v-f"),
	} {
		w.putRaw(t, "tfstate", key, []byte(content))
	}
	b := w.backend(t, "tfstate", "ci/a.state.json", "a")
	others, unreadable := b.OtherStates()
	checkOthers(t, others, unreadable, "state s3://tfstate/ci/b.state.json", "state s3://tfstate/ci/c.state.json")

	// At the top of the bucket: the top's states only.
	top, bad := w.backend(t, "tfstate", "a.state.json", "a").OtherStates()
	if len(top) != 1 || top[0].State.Stack != "f" || len(bad) != 0 {
		t.Errorf("at the top of the bucket: %+v, %q", top, bad)
	}
}
