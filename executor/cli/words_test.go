package cli_test

import (
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/sim"
)

// The words say what happens: plan says what idstack would do, apply what
// it will do, destroy ends with "Destroy complete", counts read as nouns,
// a --target that names nothing suggests the one meant, and a target that
// pulls in a destructive change to a dependency says so above the plan.
func TestWordsSayWhatHappens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	withDisk := twoVMs + "disks:\n  data:\n    size: 20\n    source: {type: EMPTY}\n    attach_to: web\n"
	f := e.write("idstack.yaml", withDisk)

	out := e.mustRun(0, "validate", "-f", f)
	if !strings.Contains(out, `stack "skel", 5 resources (2 networks, 2 VMs, 1 disk).`) {
		t.Errorf("validate:\n%s", out)
	}
	out = e.mustRun(0, "plan", "-f", f)
	if !strings.Contains(out, `idstack would make these changes to stack "skel":`) || strings.Contains(out, "will") {
		t.Errorf("plan:\n%s", out)
	}
	// The default host pool, which the file does not name, by its name.
	if !strings.Contains(out, "pool: General (default)") {
		t.Errorf("the pool is not shown by name:\n%s", out)
	}
	out = e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if !strings.Contains(out, `idstack will make these changes to stack "skel":`) || !strings.Contains(out, "Apply complete in ") {
		t.Errorf("apply:\n%s", out)
	}

	// A typo and a kind in the singular: did you mean.
	for target, want := range map[string]string{"vms.wbe": "did you mean vms.web?", "vm.db": "did you mean vms.db?", "disk.data": "did you mean disks.data?"} {
		code, _, errs := e.run("plan", "-f", f, "--target", target)
		if code != 1 || !strings.Contains(errs, "--target "+target+": no such resource") || !strings.Contains(errs, want) {
			t.Errorf("--target %s: exit %d\n%s", target, code, errs)
		}
	}

	// The disk's VM moves to the other network, which replaces it: a plan
	// for the disk alone says so first.
	out = e.mustRun(0, "plan", "-f", f, "--target", "disks.data", "--var", "net=other")
	caution := "Caution: vms.web would be replaced: --target disks.data depends on it, so it is planned too"
	if i := strings.Index(out, caution); i < 0 || i > strings.Index(out, "idstack would") {
		t.Errorf("no caution above the plan:\n%s", out)
	}
	md := e.mustRun(0, "plan", "-f", f, "--target", "disks.data", "--var", "net=other", "--format", "markdown")
	if !strings.Contains(md, "> vms.web would be replaced: --target disks.data depends on it") {
		t.Errorf("markdown lacks the caution:\n%s", md)
	}
	p := e.plan(f, "--target", "disks.data", "--var", "net=other")
	if len(p.Cautions) != 1 || p.Cautions[0].Address != "vms.web" {
		t.Errorf("plan JSON cautions: %+v", p.Cautions)
	}
	if out := e.mustRun(0, "plan", "-f", f, "--target", "vms.web", "--var", "net=other"); strings.Contains(out, "Caution:") {
		t.Errorf("a caution for the target itself:\n%s", out)
	}

	out = e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	if !strings.Contains(out, `idstack will destroy stack "skel":`) || !strings.Contains(out, "Destroy complete in ") || strings.Contains(out, "Apply complete") {
		t.Errorf("destroy:\n%s", out)
	}
}
