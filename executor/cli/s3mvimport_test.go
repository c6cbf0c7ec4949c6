package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// state mv and import write through the S3 backend as they do through
// the local one: the state object in the bucket changes, nothing is
// written beside the stack file, and no lock is left.
func TestStateMvAndImportWithRemoteState(t *testing.T) {
	t.Parallel()
	r := newSimRun(t)
	r.makeStateBucket("idstack-state")
	f := r.write("idstack.yaml", remoteStack)
	r.mustRun(0, "apply", "-f", f, "--auto-approve")
	ids := map[string]string{}
	for _, line := range strings.Split(r.mustRun(0, "state", "list", "-f", f), "\n") {
		if fs := strings.Split(line, "\t"); len(fs) >= 2 {
			ids[fs[0]] = fs[1]
		}
	}
	stateObject := func() string {
		for _, o := range r.sim.World().Objects {
			if o.Bucket == "idstack-state" && o.Key == "remote/dev.state.json" {
				return string(o.Data)
			}
		}
		t.Fatal("no state object")
		return ""
	}

	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	r.write("idstack.yaml", strings.Replace(string(b), "  web:\n    name: remote-web", "  front:\n    name: remote-web", 1))
	out := r.mustRun(0, "state", "mv", "vms.web", "vms.front", "-f", f)
	if !strings.Contains(out, "Moved vms.web to vms.front (id "+ids["vms.web"]+")") {
		t.Errorf("state mv said:\n%s", out)
	}
	if s := stateObject(); !strings.Contains(s, `"vms.front"`) || strings.Contains(s, `"vms.web"`) {
		t.Fatalf("the state object after state mv:\n%s", s)
	}
	if p := r.jsonPlan("-f", f); len(p.Actions) != 0 {
		t.Fatalf("after state mv the plan has %d actions, want none", len(p.Actions))
	}

	r.mustRun(0, "state", "rm", "vms.front", "-f", f)
	out = r.mustRun(0, "import", "vms.front", ids["vms.web"], "-f", f)
	if !strings.Contains(out, "Imported vms.front") || !strings.Contains(out, "no changes for it") {
		t.Errorf("import said:\n%s", out)
	}
	if s := stateObject(); !strings.Contains(s, ids["vms.web"]) {
		t.Fatalf("the state object after import holds no %s:\n%s", ids["vms.web"], s)
	}
	if p := r.jsonPlan("-f", f); len(p.Actions) != 0 {
		t.Fatalf("after import the plan has %d actions, want none", len(p.Actions))
	}
	for _, o := range r.sim.World().Objects {
		if strings.HasSuffix(o.Key, ".lock") {
			t.Errorf("lock %s left behind", o.Key)
		}
	}
	if _, err := os.Stat(filepath.Join(r.dir, ".idstack")); err == nil {
		t.Error("a local .idstack directory was written")
	}
}
