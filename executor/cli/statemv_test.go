package cli_test

// `idstack state mv OLD NEW` end to end: the real command in process,
// against each cloud's simulator over real HTTP.

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/planner/state"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
	"github.com/idstack/idstack/provider/sim"
)

// mvStack: a VM with a disk attached to it, and two networks (so that a
// free and a taken address of one kind exist).
const mvStack = `stack: mv
location: jkt01
networks:
  app: {name: mv-app}
  other: {name: mv-other}
vms:
  web:
    name: mv-web
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

// stateIDs reads `idstack state list`: address → live id.
func stateIDs(e *env, file string) map[string]string {
	e.t.Helper()
	out := e.mustRun(0, "state", "list", "-f", file)
	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 2 {
			ids[f[0]] = f[1]
		}
	}
	return ids
}

// shownRecord reads `idstack state show ADDR`.
func shownRecord(e *env, file, addr string) state.Resource {
	e.t.Helper()
	out := e.mustRun(0, "state", "show", addr, "-f", file)
	var r state.Resource
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		e.t.Fatalf("state show %s: %v\n%s", addr, err, out)
	}
	return r
}

// actionsOf lists a plan's actions as "ACTION ADDR".
func actionsOf(e *env, file string) []string {
	e.t.Helper()
	var out []string
	for _, a := range e.plan(file).Actions {
		out = append(out, string(a.Action)+" "+a.Address)
	}
	return out
}

// renameVM renames vms.web to vms.front in the stack file, references
// included.
func renameVM(e *env, file string) {
	e.editFile(file, "  web:\n    name: mv-web", "  front:\n    name: mv-web")
	e.editFile(file, "attach_to: web", "attach_to: front")
}

// A renamed address keeps its object: the plan that wanted to replace
// it (create the new address, delete the old) has nothing to do once the
// state is moved, and the disk's recorded reference follows.
func TestStateMvKeepsTheObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("mv.yaml", mvStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	ids := stateIDs(e, f)
	renameVM(e, f)

	// The control: without the move, the rename is a new VM and the
	// old one's deletion.
	got := strings.Join(actionsOf(e, f), ", ")
	if !strings.Contains(got, "create vms.front") || !strings.Contains(got, "delete vms.web") {
		t.Fatalf("before state mv the plan should create vms.front and delete vms.web, got: %s", got)
	}

	// Flags after the positionals (-f picks the stack and its state).
	out := e.mustRun(0, "state", "mv", "vms.web", "vms.front", "-f", f)
	for _, want := range []string{"Moved vms.web to vms.front (id " + ids["vms.web"] + ")", "disks.data now name vms.front"} {
		if !strings.Contains(out, want) {
			t.Errorf("state mv says:\n%s\nwant %q", out, want)
		}
	}
	if strings.Contains(out, "Note:") {
		t.Errorf("the file declares vms.front and not vms.web, yet state mv notes:\n%s", out)
	}
	after := stateIDs(e, f)
	if after["vms.front"] != ids["vms.web"] || after["vms.web"] != "" || len(after) != len(ids) {
		t.Fatalf("state after mv: %v (before: %v)", after, ids)
	}
	if d := shownRecord(e, f, "disks.data").DependsOn; strings.Join(d, ",") != "vms.front" {
		t.Errorf("disks.data's recorded references: %v, want [vms.front]", d)
	}
	if acts := actionsOf(e, f); len(acts) != 0 {
		t.Fatalf("after state mv the plan should have no changes, got %v", acts)
	}
	if vm := vmByName(e.sim.World(), "mv-web"); vm == nil || vm.API.UUID != ids["vms.web"] {
		t.Fatalf("the VM is not the one it was: %+v", vm)
	}
	// Destroy orders by the moved reference: the disk before its VM.
	e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	if w := e.sim.World(); vmByName(w, "mv-web") != nil || len(w.Disks) != 0 {
		t.Fatalf("destroy left %d VMs, %d disks", len(w.VMs), len(w.Disks))
	}
}

// What state mv refuses, each with what is allowed; the state is left as
// it was.
func TestStateMvRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("mv.yaml", mvStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	stPath := filepath.Join(e.dir, ".idstack", "mv.state.json")
	before := readFile(t, stPath)
	for _, tc := range []struct {
		why  string
		args []string
		want []string
	}{
		{"unknown OLD: did you mean", []string{"vms.wbe", "vms.front"}, []string{`vms.wbe is not in the state of stack "mv": did you mean vms.web?`}},
		{"misspelt kind of OLD", []string{"vm.web", "vms.front"}, []string{`vm.web is not in the state of stack "mv": did you mean vms.web?`}},
		{"unknown kind of NEW", []string{"vms.web", "vm.front"}, []string{`unknown kind "vm" (allowed: networks, vms, disks, floating_ips, load_balancers, buckets)`}},
		{"NEW taken", []string{"networks.app", "networks.other"}, []string{`networks.other is in the state of stack "mv" already`, "idstack state rm networks.other"}},
		{"kind mismatch", []string{"vms.web", "disks.web"}, []string{"a resource keeps its kind", "vms.web is one of vms", "disks.web would be one of disks"}},
		{"NEW not an address", []string{"vms.web", "front"}, []string{`address "front": want KIND.NAME`}},
		{"same address", []string{"vms.web", "vms.web"}, []string{"the old and the new address are the same"}},
		{"one argument", []string{"vms.web"}, []string{"`idstack state mv` takes OLD NEW"}},
		{"three arguments", []string{"vms.web", "vms.front", "vms.x"}, []string{"unexpected argument \"vms.x\""}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			args := append(append([]string{"state", "mv"}, tc.args...), "-f", f)
			code, out, errs := e.run(args...)
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
		})
	}

	// Another run holds the lock: refused, naming the way out.
	b := state.NewLocal(e.dir, "mv", nil)
	unlock, err := b.Lock("a test", 0)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := e.run("state", "mv", "vms.web", "vms.front", "-f", f)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if code != cli.ExitError || !strings.Contains(errs, "idstack unlock -f "+f) {
		t.Fatalf("state mv under another run's lock: exit %d\n%s", code, errs)
	}

	// An interrupted apply's open intent names the address: the move
	// waits for the recovery (which puts what it made at that address).
	j, err := b.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	rec := shownRecord(e, f, "vms.web")
	if _, err := j.Append(state.Entry{Phase: state.PhaseIntent, Op: "replace", Address: "vms.web", Kind: "vms", Location: "jkt01", Name: "mv-web", Record: &rec}); err != nil {
		t.Fatal(err)
	}
	code, _, errs = e.run("state", "mv", "vms.web", "vms.front", "-f", f)
	if code != cli.ExitError || !strings.Contains(errs, "an interrupted apply was making vms.web (a replace whose outcome is unknown") {
		t.Fatalf("state mv with an open intent: exit %d\n%s", code, errs)
	}
	if !bytes.Equal(before, readFile(t, stPath)) {
		t.Fatal("the state changed")
	}
	// Moved where the file does not say so: done, with notes.
	out := e.mustRun(0, "state", "mv", "networks.other", "networks.spare", "-f", f)
	if !strings.Contains(out, "does not declare networks.spare: the next plan deletes it") {
		t.Errorf("state mv to an undeclared address:\n%s", out)
	}
	if !strings.Contains(out, "still declares networks.other: the next plan creates a new one") {
		t.Errorf("state mv away from a declared address:\n%s", out)
	}
}

// The same on iwinv: the firewall's recorded references follow the
// moved VM, and the plan has nothing to replace.
func TestStateMvIwinv(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	ids := stateIDs(e, f)
	e.editFile(f, "  web:\n    name: blog-${var.env}-web\n    flavor", "  front:\n    name: blog-${var.env}-web\n    flavor")
	e.editFile(f, "attach_to: [web, db]", "attach_to: [front, db]")
	if got := strings.Join(actionsOf(e, f), ", "); !strings.Contains(got, "create vms.front") {
		t.Fatalf("before state mv the plan should create vms.front, got: %s", got)
	}
	for _, tc := range []struct {
		why  string
		args []string
		want string
	}{
		{"unknown OLD", []string{"vms.webb", "vms.front"}, "did you mean vms.web?"},
		{"NEW taken", []string{"vms.web", "vms.db"}, `vms.db is in the state of stack "blog-dev" already`},
		{"kind mismatch", []string{"vms.web", "firewalls.front"}, "a resource keeps its kind"},
		{"a kind of the other cloud", []string{"vms.web", "networks.front"}, `unknown kind "networks" (allowed: vms, disks, firewalls)`},
	} {
		code, _, errs := e.run(append([]string{"state", "mv", "-f", f}, tc.args...)...)
		if code != cli.ExitError || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, want 1 with %q\n%s", tc.why, code, tc.want, errs)
		}
	}
	e.mustRun(0, "state", "mv", "vms.web", "vms.front", "-f", f)
	if got := stateIDs(e, f)["vms.front"]; got != ids["vms.web"] {
		t.Fatalf("vms.front is %q, want the old vms.web %q", got, ids["vms.web"])
	}
	if d := shownRecord(e, f, "firewalls.web").DependsOn; !strings.Contains(strings.Join(d, ","), "vms.front") || strings.Contains(strings.Join(d, ","), "vms.web") {
		t.Errorf("firewalls.web's recorded references: %v", d)
	}
	if acts := actionsOf(e, f); len(acts) != 0 {
		t.Fatalf("after state mv the plan should have no changes, got %v", acts)
	}
	if in := instanceNamed(e.iw.World(), "blog-dev-web"); in == nil || in.ID != ids["vms.web"] {
		t.Fatalf("the instance is not the one it was: %+v", in)
	}
}
