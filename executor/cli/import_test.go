package cli_test

// `idstack import ADDR ID` end to end: the real command in process,
// against each cloud's simulator over real HTTP.

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/planner"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
	"github.com/idstack/idstack/provider/sim"
)

// importStack: a VM with a disk, on one of two networks.
const importStack = `stack: imp
location: jkt01
networks:
  app: {name: imp-app}
  other: {name: imp-other}
vms:
  web:
    name: imp-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
disks:
  data:
    size: 20
    attach_to: web
`

// actionOf returns a plan's action for an address (nil when none).
func actionOf(p *planner.Plan, addr string) *planner.Action {
	for _, a := range p.Actions {
		if a.Address == addr {
			return a
		}
	}
	return nil
}

// An object whose live name differs from the file's, and a disk (which
// has no name), are taken by their ids: the next plan updates the VM's
// name in place and creates nothing; apply converges.
func TestImportByID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("imp.yaml", importStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	ids := stateIDs(e, f)
	for _, a := range []string{"vms.web", "disks.data"} {
		e.mustRun(0, "state", "rm", a, "-f", f)
	}
	e.editFile(f, "name: imp-web", "name: imp-frontend")
	world := e.sim.World()

	// The control: by name, nothing is found; the plan creates them.
	p := e.plan(f)
	for _, a := range []string{"vms.web", "disks.data"} {
		if act := actionOf(p, a); act == nil || act.Action != planner.Create {
			t.Fatalf("before import the plan should create %s, got %+v", a, act)
		}
	}
	e.mustRun(0, "state", "rm", "networks.other", "-f", f) // a free address of the network's kind
	stPath := filepath.Join(e.dir, ".idstack", "imp.state.json")
	before := readFile(t, stPath)

	var bootDisk string
	for _, vm := range world.VMs {
		if vm.API.UUID == ids["vms.web"] && len(vm.API.Storage) > 0 {
			bootDisk = vm.API.Storage[0].UUID
		}
	}
	if bootDisk == "" {
		t.Fatal("no boot disk in the simulator's VM")
	}
	for _, tc := range []struct {
		why  string
		args []string
		want []string
	}{
		{"unknown id", []string{"disks.data", "7d2c9a1e-0000-4000-8000-000000000000"},
			[]string{`no live disk has the id "7d2c9a1e-0000-4000-8000-000000000000" in jkt01`, "idstack export --location jkt01 --kinds disks"}},
		{"an id of another kind", []string{"vms.web", ids["networks.app"]}, []string{`no live VM has the id "` + ids["networks.app"] + `" in jkt01`}},
		{"address not in the file", []string{"disks.dat", ids["disks.data"]}, []string{"disks.dat is not declared in " + f, "did you mean disks.data?"}},
		{"address of no kind", []string{"disk.data", ids["disks.data"]}, []string{`unknown kind "disk"`}},
		{"address already in the state", []string{"networks.app", ids["networks.other"]}, []string{`networks.app is in the state of stack "imp" already (id ` + ids["networks.app"] + ")", "idstack state rm networks.app"}},
		{"id owned by another entry", []string{"networks.other", ids["networks.app"]}, []string{`the live network "imp-app" (id ` + ids["networks.app"] + `) is in the state already, as networks.app`, "idstack state mv networks.app networks.other"}},
		{"a VM's boot disk", []string{"disks.data", bootDisk}, []string{"no live disk has the id \"" + bootDisk + "\" in jkt01"}}, // the API lists no boot disk among the disks
		{"no id", []string{"vms.web"}, []string{"`idstack import` takes ADDR ID"}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			calls := e.sim.CallCount()
			code, out, errs := e.run(append(append([]string{"import"}, tc.args...), "-f", f)...)
			if code != cli.ExitError {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr:\n%s\nwant %q", errs, w)
				}
			}
			if !bytes.Equal(before, readFile(t, stPath)) {
				t.Fatal("the state changed")
			}
			if strings.HasPrefix(tc.why, "address") && e.sim.CallCount() != calls {
				t.Errorf("an address the stack file lacks was refused after %d API calls, want none", e.sim.CallCount()-calls)
			}
		})
	}
	if t.Failed() {
		return
	}

	// Flags after the positionals, the global ones too.
	out := e.mustRun(0, "import", "vms.web", ids["vms.web"], "-f", f, "--api-key", "test-key")
	for _, w := range []string{`Imported vms.web: the live VM "imp-web" (id ` + ids["vms.web"] + ") in jkt01", "Nothing in the cloud was changed", "The next plan will update vms.web (name)"} {
		if !strings.Contains(out, w) {
			t.Errorf("import said:\n%s\nwant %q", out, w)
		}
	}
	e.mustRun(0, "import", "disks.data", ids["disks.data"], "-f", f)
	// Every flag after the positionals, --endpoint included.
	if code, out, errs := e.runRaw("import", "networks.other", ids["networks.other"], "-f", f, "--endpoint", e.url, "--api-key", "test-key"); code != 0 || !strings.Contains(out, "Imported networks.other") {
		t.Fatalf("import with --endpoint after the id: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs := e.run("import", "vms.web", ids["vms.web"], "-f", f)
	if code != cli.ExitError || !strings.Contains(errs, "vms.web is in the state of stack \"imp\" already") {
		t.Fatalf("importing vms.web twice: exit %d\n%s", code, errs)
	}
	if got := stateIDs(e, f); got["vms.web"] != ids["vms.web"] || got["disks.data"] != ids["disks.data"] {
		t.Fatalf("state after import: %v, want the ids of %v", got, ids)
	}
	if r := shownRecord(e, f, "vms.web"); strings.Join(r.DependsOn, ",") != "networks.app" || !strings.HasPrefix(r.Inputs["password"].(string), "sha256:") {
		t.Errorf("the imported record: depends_on %v, inputs %v", r.DependsOn, r.Inputs)
	}
	if len(e.sim.World().VMs) != len(world.VMs) {
		t.Fatal("import changed the cloud")
	}

	p = e.plan(f)
	if len(p.Actions) != 1 || p.Actions[0].Address != "vms.web" || p.Actions[0].Action != planner.Update ||
		len(p.Actions[0].Changes) != 1 || p.Actions[0].Changes[0].Path != "name" {
		t.Fatalf("after import the plan should only rename vms.web in place, got %+v", p.Actions)
	}
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if acts := actionsOf(e, f); len(acts) != 0 {
		t.Fatalf("apply did not converge: %v", acts)
	}
	w := e.sim.World()
	if vm := vmByName(w, "imp-frontend"); vm == nil || vm.API.UUID != ids["vms.web"] || len(w.VMs) != 1 || len(w.Disks) != 1 {
		t.Fatalf("after apply: VM %+v, %d VMs, %d disks", vm, len(w.VMs), len(w.Disks))
	}
}

// Another stack's object is never imported: it is that stack's.
func TestImportRefusesAnotherStacksObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("imp.yaml", importStack)
	other := e.write("other.yaml", strings.Replace(importStack, "stack: imp", "stack: theirs", 1))
	e.editFile(other, "imp-app", "theirs-app")
	e.editFile(other, "imp-other", "theirs-other")
	e.editFile(other, "imp-web", "theirs-web")
	e.mustRun(0, "apply", "-f", other, "--auto-approve")
	theirs := stateIDs(e, other)
	code, _, errs := e.run("import", "networks.app", theirs["networks.app"], "-f", f)
	if code != cli.ExitError || !strings.Contains(errs, `belongs to stack "theirs"`) || !strings.Contains(errs, "idstack state rm -f FILE networks.app") {
		t.Fatalf("import of another stack's network: exit %d\n%s", code, errs)
	}
	if got := stateIDs(e, f); len(got) != 0 {
		t.Fatalf("the state of imp: %v, want empty", got)
	}
}

// On iwinv: the VM, renamed in the file, and its volume are imported by
// id; the next plan renames the VM in place and creates nothing.
func TestImportIwinv(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	ids := stateIDs(e, f)
	e.mustRun(0, "state", "rm", "vms.db", "-f", f)
	e.mustRun(0, "state", "rm", "disks.data", "-f", f)
	e.editFile(f, "name: blog-${var.env}-db", "name: blog-${var.env}-database")
	if act := actionOf(e.plan(f), "vms.db"); act == nil || act.Action != planner.Create {
		t.Fatalf("before import the plan should create vms.db, got %+v", act)
	}
	e.mustRun(0, "state", "rm", "firewalls.web", "-f", f) // a free address of a global kind
	stPath := filepath.Join(e.dir, ".idstack", iwinvStack+".state.json")
	before := readFile(t, stPath)
	for _, tc := range []struct {
		why  string
		args []string
		want string
	}{
		{"unknown id", []string{"vms.db", "no-such-instance"}, `no live VM has the id "no-such-instance" in KR1-Z01`},
		{"address not in the file", []string{"vms.dbb", ids["vms.db"]}, "did you mean vms.db?"},
		{"address already in the state", []string{"vms.web", ids["vms.db"]}, `vms.web is in the state of stack "blog-dev" already`},
		{"id owned by another entry", []string{"vms.db", ids["vms.web"]}, "is in the state already, as vms.web"},
		{"a global kind's unknown id", []string{"firewalls.web", "FIREWALL-0"}, `no live firewall has the id "FIREWALL-0" in the account`},
	} {
		code, _, errs := e.run("import", "-f", f, tc.args[0], tc.args[1])
		if code != cli.ExitError || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, want 1 with %q\n%s", tc.why, code, tc.want, errs)
		}
	}
	if !bytes.Equal(before, readFile(t, stPath)) {
		t.Fatal("a refused import changed the state")
	}
	out := e.mustRun(0, "import", "vms.db", ids["vms.db"], "-f", f)
	if !strings.Contains(out, "The next plan will update vms.db (name)") {
		t.Errorf("import said:\n%s", out)
	}
	e.mustRun(0, "import", "disks.data", ids["disks.data"], "-f", f)
	e.mustRun(0, "import", "firewalls.web", ids["firewalls.web"], "-f", f)
	if r := shownRecord(e, f, "vms.db"); r.Inputs["ssh_key"] == nil {
		t.Errorf("the imported VM's ssh_key (not reported by iwinv) is not recorded as declared: %v", r.Inputs)
	}
	p := e.plan(f)
	if len(p.Actions) != 1 || p.Actions[0].Address != "vms.db" || p.Actions[0].Action != planner.Update || p.Actions[0].Changes[0].Path != "name" {
		t.Fatalf("after import the plan should only rename vms.db in place, got %+v", p.Actions)
	}
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if acts := actionsOf(e, f); len(acts) != 0 {
		t.Fatalf("apply did not converge: %v", acts)
	}
	w := e.iw.World()
	if in := instanceNamed(w, "blog-dev-database"); in == nil || in.ID != ids["vms.db"] || len(w.Instances) != 2 {
		t.Fatalf("after apply: %+v, %d instances", in, len(w.Instances))
	}
}
