package s3state_test

import (
	"testing"

	"github.com/idstack/idstack/planner/state/statetest"
)

func TestS3OtherStates(t *testing.T) {
	t.Parallel()
	w := newS3World(t, "tfstate")
	for key, content := range map[string]string{
		"ci/a.state.json":                      statetest.StateJSON("a", "vms.web", "v-a"),
		"ci/b.state.json":                      statetest.StateJSON("b", "vms.web", "v-b"),
		"ci/c.state.json":                      `{"version": 1, "sta`,
		"ci/a.state.json.lock":                 `{}`,
		"ci/a.state.json.journal/0001-x.jsonl": ``,
		"ci/notes.txt":                         `hello`,
		"ci/sub/d.state.json":                  statetest.StateJSON("d", "vms.web", "v-d"),
		"other/e.state.json":                   statetest.StateJSON("e", "vms.web", "v-e"),
		"f.state.json":                         statetest.StateJSON("f", "vms.web", "v-f"),
	} {
		w.putRaw(t, "tfstate", key, []byte(content))
	}
	b := w.backend(t, "tfstate", "ci/a.state.json", "a")
	others, unreadable := b.OtherStates()
	statetest.CheckOthers(t, others, unreadable, "state s3://tfstate/ci/b.state.json", "state s3://tfstate/ci/c.state.json")

	// At the top of the bucket: the top's states only.
	top, bad := w.backend(t, "tfstate", "a.state.json", "a").OtherStates()
	if len(top) != 1 || top[0].State.Stack != "f" || len(bad) != 0 {
		t.Errorf("at the top of the bucket: %+v, %q", top, bad)
	}
}
