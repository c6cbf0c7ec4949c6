package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/planner"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
	"github.com/idstack/idstack/provider/sim"
)

// env is one test's simulator (over real HTTP) and stack directory.
type env struct {
	t   *testing.T
	sim *sim.Server
	// iw is the iwinv simulator of newIwinvEnv (sim is nil then).
	iw  *iwinvsim.Server
	url string
	dir string
	// conn are the credential flags of every run (nil: idcloudhost's API
	// key), vars the environment variables it sees besides DEMO_PASSWORD.
	conn []string
	vars map[string]string
}

func newEnv(t *testing.T, opts sim.Options) *env {
	t.Helper()
	if opts.ReadyAfter == 0 {
		opts.ReadyAfter = 30 * time.Millisecond
	}
	opts.Seed = 1
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
}

// write puts a stack file in the test directory.
func (e *env) write(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// run runs idstack against the simulator; it returns the exit code and
// what was printed.
func (e *env) run(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	conn := e.conn
	if conn == nil {
		conn = []string{"--api-key", "test-key"}
	}
	full := append(append([]string{"--endpoint", e.url}, conn...), args...)
	code := cli.Main(full, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: func(k string) (string, bool) {
		if k == "DEMO_PASSWORD" {
			return "Sup3r-secret", true
		}
		v, ok := e.vars[k]
		return v, ok
	}})
	return code, out.String(), errb.String()
}

// mustRun fails the test unless idstack exits with want.
func (e *env) mustRun(want int, args ...string) string {
	e.t.Helper()
	code, out, errs := e.run(args...)
	if code != want {
		e.t.Fatalf("idstack %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	return out + errs
}

// plan returns the JSON plan.
func (e *env) plan(file string, extra ...string) *planner.Plan {
	e.t.Helper()
	code, out, errs := e.run(append([]string{"plan", "-f", file, "--format", "json"}, extra...)...)
	if code != 0 {
		e.t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		e.t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	return &p
}

const twoVMs = `stack: skel
location: jkt01
vars:
  vcpu: {type: number, default: 1}
  net: {type: string, default: app}
networks:
  app: {name: skel-app}
  other: {name: skel-other}
vms:
  web:
    name: skel-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: ${var.vcpu}
    ram: 1024
    disk: 20
    network: ${var.net}
    username: deploy
    password: ${env.DEMO_PASSWORD}
  db:
    name: skel-db
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 30
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
`

func vmByName(w sim.World, name string) *sim.VM {
	for i := range w.VMs {
		if w.VMs[i].API.Name == name {
			return &w.VMs[i]
		}
	}
	return nil
}

func networkByName(w sim.World, name string) *sim.Network {
	for i := range w.Networks {
		if w.Networks[i].API.Name == name {
			return &w.Networks[i]
		}
	}
	return nil
}

func TestApplyThenNoChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	out := e.mustRun(0, "apply", "-f", f, "--auto-approve")
	for _, want := range []string{"networks.app: created", "vms.web: created", "vms.db: created", "Apply complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Sup3r-secret") {
		t.Fatal("the password was printed")
	}
	w := e.sim.World()
	app := networkByName(w, "skel-app")
	if app == nil {
		t.Fatal("network skel-app was not created")
	}
	for _, name := range []string{"skel-web", "skel-db"} {
		vm := vmByName(w, name)
		if vm == nil {
			t.Fatalf("VM %s was not created", name)
		}
		if vm.NetworkUUID != app.API.UUID || vm.API.Status != "running" {
			t.Errorf("VM %s: network %s status %s, want %s running", name, vm.NetworkUUID, vm.API.Status, app.API.UUID)
		}
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

	state, err := os.ReadFile(filepath.Join(e.dir, ".idstack", "skel.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(state, []byte("Sup3r-secret")) {
		t.Fatal("the password is in the state in clear")
	}
	if fi, _ := os.Stat(filepath.Join(e.dir, ".idstack", "skel.state.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("state mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestVCPUChangeRestartsAndEndsRunning(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")

	p := e.plan(f, "--var", "vcpu=2")
	if len(p.Actions) != 1 {
		t.Fatalf("want one action, got %+v", p.Actions)
	}
	a := p.Actions[0]
	if a.Address != "vms.web" || a.Action != planner.Update || len(a.Changes) != 1 || a.Changes[0].Path != "vcpu" {
		t.Fatalf("want one vcpu update of vms.web, got %+v", a)
	}
	if !strings.Contains(strings.Join(a.Notes, " "), "restart") {
		t.Errorf("no restart note: %v", a.Notes)
	}
	e.mustRun(2, "plan", "-f", f, "--var", "vcpu=2", "--detailed-exitcode")
	e.mustRun(0, "apply", "-f", f, "--var", "vcpu=2", "--auto-approve")
	vm := vmByName(e.sim.World(), "skel-web")
	if vm.API.VCPU != 2 || vm.API.Status != "running" {
		t.Fatalf("VM after apply: vcpu %d status %s, want 2 running", vm.API.VCPU, vm.API.Status)
	}
	e.mustRun(0, "plan", "-f", f, "--var", "vcpu=2", "--detailed-exitcode")
}

func TestNetworkChangeReplacesTheVM(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	oldUUID := vmByName(e.sim.World(), "skel-web").API.UUID

	p := e.plan(f, "--var", "net=other")
	a := p.Action("vms.web")
	if a == nil || a.Action != planner.Replace || !strings.Contains(a.Reason, "network") {
		t.Fatalf("want a replacement of vms.web because of its network, got %+v", p.Actions)
	}
	if p.Summary.Replace != 1 || len(p.Actions) != 1 {
		t.Fatalf("want exactly one replacement, got %+v", p.Summary)
	}
	e.mustRun(3, "plan", "-f", f, "--var", "net=other", "--detailed-exitcode")
	e.mustRun(0, "apply", "-f", f, "--var", "net=other", "--auto-approve")
	w := e.sim.World()
	vm := vmByName(w, "skel-web")
	if vm == nil || vm.API.UUID == oldUUID || vm.NetworkUUID != networkByName(w, "skel-other").API.UUID {
		t.Fatalf("VM not replaced into skel-other: %+v", vm)
	}
	n := 0
	for _, v := range w.VMs {
		if v.API.Name == "skel-web" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d VMs named skel-web after the replacement, want 1", n)
	}
	e.mustRun(0, "plan", "-f", f, "--var", "net=other", "--detailed-exitcode")
}

func TestDestroyLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	before := e.sim.World()
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	after := e.sim.World()
	if len(after.VMs) != 0 || len(after.Networks) != len(before.Networks) {
		t.Fatalf("after destroy: %d VMs, %d networks; want 0 and %d (the pre-existing defaults)", len(after.VMs), len(after.Networks), len(before.Networks))
	}
	e.mustRun(2, "plan", "-f", f, "--detailed-exitcode") // everything to create again
}

func TestDestroyReportsTheDefaultNetworkPlainly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{NoDefaultNetworks: true})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	// The stack's two networks are created at once: either becomes default.
	var def, other string
	for _, n := range e.sim.World().Networks {
		if n.API.IsDefault {
			def = n.API.Name
		} else {
			other = n.API.Name
		}
	}
	if def == "" || other == "" {
		t.Fatal("the first network of the location should have become its default")
	}
	out := e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	if !strings.Contains(out, "default network of jkt01") {
		t.Errorf("destroy does not explain the default network:\n%s", out)
	}
	w := e.sim.World()
	if len(w.VMs) != 0 || networkByName(w, other) != nil || networkByName(w, def) == nil {
		t.Fatalf("destroy should leave only the default network %s: %+v", def, w.Networks)
	}
	// The default network stays, and the stack no longer claims it.
	e.mustRun(2, "plan", "-f", f, "--detailed-exitcode", "--adopt")
}

func TestDriftShowsInThePlan(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	e.sim.Mutate(func(w *sim.World) {
		for i := range w.VMs {
			if w.VMs[i].API.Name == "skel-db" {
				w.VMs[i].API.Name = "renamed-by-hand"
				w.VMs[i].API.VCPU = 4
			}
		}
	})
	p := e.plan(f)
	a := p.Action("vms.db")
	if a == nil || a.Action != planner.Update {
		t.Fatalf("want an update of vms.db, got %+v", p.Actions)
	}
	got := map[string]planner.Change{}
	for _, c := range a.Changes {
		got[c.Path] = c
	}
	if got["name"].Before != "renamed-by-hand" || got["name"].After != "skel-db" {
		t.Errorf("name drift: %+v", got["name"])
	}
	if got["vcpu"].Before != float64(4) || got["vcpu"].After != float64(1) {
		t.Errorf("vcpu drift: %+v", got["vcpu"])
	}
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}

func TestSameNamedVMIsAConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	// Someone made skel-db by hand (another stack file, same names).
	other := e.write("other.yaml", strings.Replace(twoVMs, "stack: skel", "stack: hand", 1))
	e.mustRun(0, "apply", "-f", other, "--auto-approve")
	before := e.sim.World()

	code, out, errs := e.run("plan", "-f", f)
	if code != 1 || !strings.Contains(errs, "already exists") || !strings.Contains(errs, "--adopt") {
		t.Fatalf("want a conflict (exit 1) naming --adopt; got %d\n%s%s", code, out, errs)
	}
	code, _, errs = e.run("apply", "-f", f, "--auto-approve")
	if code != 1 {
		t.Fatalf("apply of a conflicting plan: exit %d\n%s", code, errs)
	}
	after := e.sim.World()
	if len(after.VMs) != len(before.VMs) || len(after.Networks) != len(before.Networks) {
		t.Fatal("a conflicting apply touched the world")
	}
}

func TestApplyWithoutTerminalRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	code, _, errs := e.run("apply", "-f", f)
	if code != 1 || !strings.Contains(errs, "--auto-approve") {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	if len(e.sim.World().VMs) != 0 {
		t.Fatal("apply without approval changed the world")
	}
}

func TestOSChangeIsAReinstall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	uuid := vmByName(e.sim.World(), "skel-db").API.UUID
	b, _ := os.ReadFile(f)
	e.write("idstack.yaml", strings.Replace(string(b), `os_version: "12"`, `os_version: "11"`, 1))
	p := e.plan(f)
	a := p.Action("vms.db")
	if a == nil || a.Action != planner.Reinstall || !strings.Contains(strings.Join(a.Notes, " "), "data on it is lost") {
		t.Fatalf("want a reinstall of vms.db that warns of data loss, got %+v", p.Actions)
	}
	e.mustRun(3, "plan", "-f", f, "--detailed-exitcode")
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	vm := vmByName(e.sim.World(), "skel-db")
	if vm.API.UUID != uuid || vm.API.OSVersion != "11" || vm.API.Status != "running" {
		t.Fatalf("after reinstall: uuid %s os %s status %s; want the same VM on debian 11, running", vm.API.UUID, vm.API.OSVersion, vm.API.Status)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}

func TestSavedPlanAppliesUnlessItsObjectsChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	planFile := filepath.Join(e.dir, "vcpu.plan")

	// Unrelated changes do not make a plan stale: another VM of the stack
	// drifts, an object outside the stack appears.
	e.mustRun(2, "plan", "-f", f, "--var", "vcpu=2", "--out", planFile, "--detailed-exitcode")
	if b, _ := os.ReadFile(planFile); bytes.Contains(b, []byte("Sup3r-secret")) {
		t.Fatal("the saved plan holds the password")
	}
	out := e.mustRun(0, "show", planFile)
	if !strings.Contains(out, "vcpu: 1 → 2") {
		t.Fatalf("show:\n%s", out)
	}
	e.sim.Mutate(func(w *sim.World) {
		for i := range w.VMs {
			if w.VMs[i].API.Name == "skel-db" {
				w.VMs[i].API.Name = "skel-db-renamed"
			}
		}
	})
	e.mustRun(0, "apply", planFile)
	w := e.sim.World()
	if vmByName(w, "skel-web").API.VCPU != 2 {
		t.Fatal("the saved plan was not applied")
	}
	if vmByName(w, "skel-db-renamed") == nil {
		t.Fatal("applying a saved plan did more than the plan said")
	}

	// A change to an object the plan changes makes it stale.
	e.mustRun(2, "plan", "-f", f, "--var", "vcpu=3", "--out", planFile, "--detailed-exitcode")
	e.sim.Mutate(func(w *sim.World) {
		for i := range w.VMs {
			if w.VMs[i].API.Name == "skel-web" {
				w.VMs[i].API.Memory = 4096
			}
		}
	})
	code, _, errs := e.run("apply", planFile)
	if code != 1 || !strings.Contains(errs, "stale") || !strings.Contains(errs, "changed since the plan was made") {
		t.Fatalf("a stale plan: exit %d\n%s", code, errs)
	}
	if vmByName(e.sim.World(), "skel-web").API.VCPU != 2 {
		t.Fatal("a stale plan was applied")
	}

	// Another apply since the plan (the state's serial moved) makes it stale too.
	e.mustRun(2, "plan", "-f", f, "--var", "vcpu=3", "--out", planFile, "--detailed-exitcode")
	e.mustRun(0, "apply", "-f", f, "--var", "vcpu=3", "--auto-approve")
	code, _, errs = e.run("apply", planFile)
	if code != 1 || !strings.Contains(errs, "another run changed it") {
		t.Fatalf("a plan older than the state: exit %d\n%s", code, errs)
	}
}

func TestTargetLimitsThePlanToAnAddressAndItsDependencies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	p := e.plan(f, "--target", "vms.web")
	var got []string
	for _, a := range p.Actions {
		got = append(got, a.Address)
	}
	if strings.Join(got, " ") != "networks.app vms.web" {
		t.Fatalf("--target vms.web plans %v, want networks.app and vms.web", got)
	}
	e.mustRun(0, "apply", "-f", f, "--target", "vms.web", "--auto-approve")
	w := e.sim.World()
	if vmByName(w, "skel-web") == nil || vmByName(w, "skel-db") != nil || networkByName(w, "skel-other") != nil {
		t.Fatal("a targeted apply did more or less than its target")
	}
	code, _, errs := e.run("plan", "-f", f, "--target", "vms.nope")
	if code != 1 || !strings.Contains(errs, "no such resource") {
		t.Fatalf("an unknown target: exit %d\n%s", code, errs)
	}
	e.mustRun(2, "plan", "-f", f, "--detailed-exitcode") // the rest is still to do
}

// TestInPlaceVMChanges: password, backup, billing account and power are
// changed in place, the VM kept; the next plan has nothing to do.
func TestInPlaceVMChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	before := vmByName(e.sim.World(), "skel-db")
	b, _ := os.ReadFile(f)
	edited := strings.Replace(string(b), "    ram: 2048\n", "    ram: 2048\n    backup: true\n    billing_account: 129188\n    power: stopped\n", 1)
	edited = strings.Replace(edited, "  db:\n    name: skel-db", "  db:\n    name: skel-db-2", 1)
	e.write("idstack.yaml", edited)
	p := e.plan(f)
	a := p.Action("vms.db")
	if a == nil || a.Action != planner.Update || len(p.Actions) != 1 {
		t.Fatalf("want one in-place update of vms.db, got %+v", p.Actions)
	}
	e.mustRun(2, "plan", "-f", f, "--detailed-exitcode")
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	vm := vmByName(e.sim.World(), "skel-db-2")
	if vm == nil || vm.API.UUID != before.API.UUID {
		t.Fatal("the VM was not renamed in place")
	}
	if !vm.API.Backup || vm.API.BillingAccount != 129188 || vm.API.Status != "stopped" {
		t.Fatalf("backup %v billing %d status %s; want true 129188 stopped", vm.API.Backup, vm.API.BillingAccount, vm.API.Status)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

	// A new password is set in place (the VM is started for it and
	// stopped again); only its hash is kept.
	e.write("idstack.yaml", strings.Replace(edited, "password: ${env.DEMO_PASSWORD}\n", "password: Another-Passw0rd\n", 1))
	p = e.plan(f)
	if a := p.Action("vms.web"); a == nil || len(a.Changes) != 1 || a.Changes[0].Path != "password" || a.Changes[0].After != planner.Sensitive {
		t.Fatalf("want a masked password change of vms.web, got %+v", p.Actions)
	}
	hash := vmByName(e.sim.World(), "skel-web").PasswordHash
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if vmByName(e.sim.World(), "skel-web").PasswordHash == hash {
		t.Fatal("the password was not changed")
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}
