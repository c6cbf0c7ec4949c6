package cli_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// envsTemplate copies examples/envs into the test directory and returns
// the path of its stack.yaml.
func envsTemplate(t *testing.T, e *env) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "envs")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		b, err := os.ReadFile(filepath.Join(src, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		e.write(ent.Name(), string(b))
	}
	return filepath.Join(e.dir, "stack.yaml")
}

const shopPassword = "Shop-Passw0rd-9"

var shopEnv = map[string]string{"SHOP_VM_PASSWORD": shopPassword}

// unchanged fails unless every object of before is in after as it was
// (but for the default networks, which every stack's VMs may join).
func unchanged(t *testing.T, what string, before, after sim.World) {
	t.Helper()
	byUUID := func(w sim.World) map[string]any {
		m := map[string]any{}
		for _, v := range w.VMs {
			m["vm "+v.API.UUID] = v
		}
		for _, n := range w.Networks {
			if !n.API.IsDefault {
				m["network "+n.API.UUID] = n
			}
		}
		for _, d := range w.Disks {
			m["disk "+d.API.UUID] = d
		}
		for _, ip := range w.FloatingIPs {
			m["ip "+ip.API.Address] = ip
		}
		for _, lb := range w.LoadBalancers {
			m["lb "+lb.API.UUID] = lb
		}
		for _, b := range w.Buckets {
			m["bucket "+b.Name] = b
		}
		return m
	}
	a := byUUID(after)
	for k, v := range byUUID(before) {
		if d := cmp.Diff(v, a[k]); d != "" {
			t.Errorf("%s changed %s (-before +after):\n%s", what, k, d)
		}
	}
}

// TestEnvironmentsSideBySide: prod, staging and a pull request's preview
// from one template live side by side, each with its own state; applying
// or destroying one never touches another.
func TestEnvironmentsSideBySide(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := envsTemplate(t, e)
	prod := []string{"-f", f, "--var-file", filepath.Join(e.dir, "prod.yaml")}
	staging := []string{"-f", f, "--var-file", filepath.Join(e.dir, "staging.yaml")}
	preview := []string{"-f", f, "--var", "env=pr-123"}
	run := func(want int, cmd string, envArgs []string, extra ...string) string {
		return e.mustRunWith(shopEnv, want, append(append([]string{cmd}, envArgs...), extra...)...)
	}

	run(0, "apply", prod, "--auto-approve")
	withProd := e.sim.World()
	if vm := vmByName(withProd, "shop-prod-web"); vm == nil || vm.API.VCPU != 2 || vm.API.Memory != 4096 {
		t.Fatalf("prod's web VM should have prod.yaml's 2 vCPU and 4096 MiB: %+v", vm)
	}

	out := run(0, "apply", staging, "--auto-approve")
	if !strings.Contains(out, "Plan: 6 to create.") {
		t.Errorf("staging should be 6 creations, nothing about prod:\n%s", out)
	}
	withStaging := e.sim.World()
	run(0, "apply", preview, "--auto-approve")
	withAll := e.sim.World()
	unchanged(t, "applying staging and the preview", withProd, withAll)
	if vm := vmByName(withAll, "shop-pr-123-web"); vm == nil || vm.API.VCPU != 1 || vm.API.Memory != 1024 {
		t.Fatalf("the preview's web VM should have the template's defaults: %+v", vm)
	}
	if len(withAll.VMs) != 6 || len(withAll.Disks) != 3 || len(withAll.LoadBalancers) != 3 || len(withAll.Buckets) != 3 {
		t.Fatalf("three environments: %d VMs, %d disks, %d load balancers, %d buckets; want 6, 3, 3, 3", len(withAll.VMs), len(withAll.Disks), len(withAll.LoadBalancers), len(withAll.Buckets))
	}
	for _, env := range [][]string{prod, staging, preview} {
		run(0, "plan", env, "--detailed-exitcode")
	}

	// One state file per environment, named after the stack, no secret in it.
	for _, name := range []string{"shop-prod", "shop-staging", "shop-pr-123"} {
		b, err := os.ReadFile(filepath.Join(e.dir, ".idstack", name+".state.json"))
		if err != nil {
			t.Fatalf("state of %s: %v", name, err)
		}
		if bytes.Contains(b, []byte(shopPassword)) {
			t.Fatalf("the password is in the state of %s in clear", name)
		}
		if n := bytes.Count(b, []byte(`"address"`)); n != 6 {
			t.Errorf("state of %s owns %d resources, want 6", name, n)
		}
	}

	// Destroying the preview, then staging, brings the world back to prod only.
	out = run(0, "destroy", preview, "--auto-approve")
	if !strings.Contains(out, "Plan: 6 to delete.") || strings.Contains(out, "shop-prod") || strings.Contains(out, "shop-staging") {
		t.Errorf("destroying the preview should delete its 6 resources and name no other environment:\n%s", out)
	}
	if d := cmp.Diff(withStaging, e.sim.World(), worldOpts); d != "" {
		t.Errorf("destroying the preview did not bring back the world of prod and staging (-want +got):\n%s", d)
	}
	run(0, "destroy", staging, "--auto-approve")
	if d := cmp.Diff(withProd, e.sim.World(), worldOpts); d != "" {
		t.Errorf("destroying staging did not bring back the world of prod alone (-want +got):\n%s", d)
	}
	run(0, "plan", prod, "--detailed-exitcode")
	run(2, "plan", staging, "--detailed-exitcode") // staging would be created again
}

// TestTemplateVariables checks SPEC §1's variables through the real command.
func TestTemplateVariables(t *testing.T) {
	t.Parallel()
	const tmpl = `stack: app-${var.env}
location: jkt01
vars:
  env: {type: string}
  vcpu: {type: number, default: 1}
  owner: platform
networks:
  net:
    name: app-${var.env}-${var.owner}
vms:
  web:
    name: app-${var.env}-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: ${var.vcpu}
    ram: 1024
    disk: 20
    network: net
    username: deploy
    password: ${env.APP_PASSWORD}
    public_key: ${file.keys/deploy.pub}
`
	withPw := map[string]string{"APP_PASSWORD": "App-Passw0rd"}
	for _, tc := range []struct {
		name    string
		args    []string
		environ map[string]string
		code    int
		want    []string // in the output
		not     []string // never in the output
	}{
		{name: "unset variable without default is an error naming it", environ: withPw, code: 1,
			want: []string{`variable "env" has no value`, "--var env=", "stack.yaml:1:"}},
		{name: "--var sets it and names the stack", args: []string{"--var", "env=dev"}, environ: withPw,
			want: []string{`stack "app-dev"`}},
		{name: "--var-file sets it", args: []string{"--var-file", "staging.yaml"}, environ: withPw,
			want: []string{`stack "app-staging"`}},
		{name: "--var wins over --var-file", args: []string{"--var-file", "staging.yaml", "--var", "env=pr-7"}, environ: withPw,
			want: []string{`stack "app-pr-7"`}},
		{name: "later var files win", args: []string{"--var-file", "staging.yaml", "--var-file", "prod.yaml"}, environ: withPw,
			want: []string{`stack "app-prod"`}},
		{name: "a number variable refuses a word", args: []string{"--var", "env=dev", "--var", "vcpu=two"}, environ: withPw, code: 1,
			want: []string{"--var vcpu=two: variable vcpu is a number"}},
		{name: "an undeclared --var is an error", args: []string{"--var", "env=dev", "--var", "evn=x"}, environ: withPw, code: 1,
			want: []string{`no variable "evn" is declared`}},
		{name: "an undeclared var-file key is a warning", args: []string{"--var-file", "typo.yaml"}, environ: withPw,
			want: []string{`variable "enviro" is not declared`, `stack "app-dev"`}},
		{name: "an unset environment variable is an error naming it", args: []string{"--var", "env=dev"}, code: 1,
			want: []string{"environment variable APP_PASSWORD is not set"}},
		{name: "a stack name that is no file name", args: []string{"--var", "env=pr/7"}, environ: withPw, code: 1,
			want: []string{`invalid stack name "app-pr/7"`, "stack.yaml:1:8"}},
		{name: "a wrong type in a var file", args: []string{"--var-file", "bad.yaml"}, environ: withPw, code: 1,
			want: []string{"variable vcpu is a number: many is not", "bad.yaml:2:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			f := e.write("stack.yaml", tmpl)
			e.write("staging.yaml", "env: staging\nvcpu: 2\n")
			e.write("prod.yaml", "env: prod\n")
			e.write("typo.yaml", "env: dev\nenviro: x\n")
			e.write("bad.yaml", "env: dev\nvcpu: many\n")
			if err := os.MkdirAll(filepath.Join(e.dir, "keys"), 0o755); err != nil {
				t.Fatal(err)
			}
			e.write("keys/deploy.pub", "ssh-ed25519 AAAAC3Nza deploy@test\n")
			args := []string{"validate", "-f", f}
			for i, a := range tc.args {
				if i > 0 && tc.args[i-1] == "--var-file" {
					a = filepath.Join(e.dir, a)
				}
				args = append(args, a)
			}
			code, out, errs := e.runWith(tc.environ, args...)
			all := out + errs
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "App-Passw0rd") {
				t.Errorf("the password was printed:\n%s", all)
			}
		})
	}
}

// TestVariablesReachTheCloud: a variable, an environment variable and a
// file end up in the VM the simulator made, and the plan shows no secret.
func TestVariablesReachTheCloud(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("stack.yaml", `stack: app-${var.env}
location: jkt01
vars:
  env: {type: string}
  vcpu: {type: number, default: 1}
vms:
  web:
    name: app-${var.env}-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: ${var.vcpu}
    ram: 1024
    disk: 20
    username: deploy
    password: ${env.APP_PASSWORD}
    public_key: ${file.deploy.pub}
`)
	e.write("deploy.pub", "ssh-ed25519 AAAAC3Nza deploy@test\n")
	environ := map[string]string{"APP_PASSWORD": "App-Passw0rd"}
	p := e.planWith(environ, f, "--var", "env=qa", "--var", "vcpu=2")
	if p.Stack != "app-qa" {
		t.Errorf("stack %q, want app-qa", p.Stack)
	}
	out := e.mustRunWith(environ, 0, "apply", "-f", f, "--var", "env=qa", "--var", "vcpu=2", "--auto-approve")
	if strings.Contains(out, "App-Passw0rd") {
		t.Fatal("the password was printed")
	}
	vm := vmByName(e.sim.World(), "app-qa-web")
	if vm == nil || vm.API.VCPU != 2 || vm.PublicKey != "ssh-ed25519 AAAAC3Nza deploy@test" || vm.PasswordHash == "" {
		t.Fatalf("VM app-qa-web: %+v", vm)
	}
	if _, err := os.Stat(filepath.Join(e.dir, ".idstack", "app-qa.state.json")); err != nil {
		t.Fatalf("the state is named after the stack: %v", err)
	}
	e.mustRunWith(environ, 0, "plan", "-f", f, "--var", "env=qa", "--var", "vcpu=2", "--detailed-exitcode")
}

// snapshot takes a snapshot of a VM's boot disk through the API (POST
// /v1/{location}/user-resource/vm/replica), as an operator would.
func snapshot(t *testing.T, e *env, location, vm string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/"+location+"/user-resource/vm/replica", strings.NewReader(url.Values{"uuid": {vm}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("apikey", "test-key")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("snapshot of %s: %s", vm, resp.Status)
	}
}

// TestCloneFromAnotherEnvironment: staging's database is created from the
// latest snapshot of prod's database VM (another stack: named by uuid).
func TestCloneFromAnotherEnvironment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := envsTemplate(t, e)
	e.mustRunWith(shopEnv, 0, "apply", "-f", f, "--var-file", filepath.Join(e.dir, "prod.yaml"), "--auto-approve")
	prodDB := vmByName(e.sim.World(), "shop-prod-db")
	snapshot(t, e, "jkt01", prodDB.API.UUID)
	snapshot(t, e, "jkt01", prodDB.API.UUID) // the clone takes the latest
	w := e.sim.World()
	var latest sim.StoredReplica
	for _, r := range w.Replicas {
		if r.VMUUID == prodDB.API.UUID && r.API.CreatedAt >= latest.API.CreatedAt {
			latest = r
		}
	}
	if latest.API.UUID == "" {
		t.Fatal("no snapshot of prod's db")
	}

	clone := e.write("staging-from-prod.yaml", `stack: shop-staging
location: jkt01
vars:
  prod_db: {type: string, description: "uuid of prod's db VM"}
vms:
  db:
    name: shop-staging-db
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 20
    username: deploy
    password: ${env.SHOP_VM_PASSWORD}
    clone_from: {vm: "${var.prod_db}", replica: latest}
`)
	args := []string{"-f", clone, "--var", "prod_db=" + prodDB.API.UUID}
	p := e.planWith(shopEnv, clone, args[2:]...)
	if a := p.Action("vms.db"); a == nil || a.Action != planner.Create {
		t.Fatalf("want the creation of vms.db, got %+v", p.Actions)
	}
	e.mustRunWith(shopEnv, 0, append([]string{"apply"}, append(args, "--auto-approve")...)...)
	after := e.sim.World()
	db := vmByName(after, "shop-staging-db")
	if db == nil {
		t.Fatal("staging's db was not created")
	}
	if db.ClonedFrom != latest.API.UUID || db.ClonedFromVM != prodDB.API.UUID {
		t.Errorf("staging's db cloned from replica %q of %q; want the latest snapshot %q of prod's db %q", db.ClonedFrom, db.ClonedFromVM, latest.API.UUID, prodDB.API.UUID)
	}
	if db.API.UUID == prodDB.API.UUID || db.API.Storage[0].Size != latest.API.Size {
		t.Errorf("the clone should be a new VM with a boot disk of the snapshot's size %d: %+v", latest.API.Size, db.API.Storage)
	}
	unchanged(t, "cloning", w, after)
	e.mustRunWith(shopEnv, 0, append([]string{"plan", "--detailed-exitcode"}, args...)...)
}

// TestCloneFromAVMOfTheSameStack: clone_from.vm names a VM of the stack;
// the planner resolves it to the VM's uuid.
func TestCloneFromAVMOfTheSameStack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	base := `stack: clones
location: jkt01
vms:
  db:
    name: clones-db
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 20
    username: deploy
    password: ${env.SHOP_VM_PASSWORD}
`
	f := e.write("stack.yaml", base)
	e.mustRunWith(shopEnv, 0, "apply", "-f", f, "--auto-approve")
	src := vmByName(e.sim.World(), "clones-db")
	snapshot(t, e, "jkt01", src.API.UUID)
	e.write("stack.yaml", base+`  db-copy:
    name: clones-db-copy
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 20
    username: deploy
    password: ${env.SHOP_VM_PASSWORD}
    clone_from: {vm: db}
`)
	p := e.planWith(shopEnv, f)
	if len(p.Actions) != 1 || p.Actions[0].Address != "vms.db-copy" || p.Actions[0].Action != planner.Create {
		t.Fatalf("want one creation, of vms.db-copy: %+v", p.Actions)
	}
	e.mustRunWith(shopEnv, 0, "apply", "-f", f, "--auto-approve")
	w := e.sim.World()
	cp := vmByName(w, "clones-db-copy")
	if cp == nil || cp.ClonedFromVM != src.API.UUID || cp.ClonedFrom == "" || len(w.Replicas) == 0 || cp.ClonedFrom != w.Replicas[0].API.UUID {
		t.Fatalf("clones-db-copy should be cloned from the snapshot of clones-db %s: %+v", src.API.UUID, cp)
	}
	e.mustRunWith(shopEnv, 0, "plan", "-f", f, "--detailed-exitcode")
}

// TestEnvsScriptHoldsTheExample: testdata/script/envs.txtar runs a copy of
// examples/envs (the scripts' work directory gets only the top of
// examples/); the copy must be the example, byte for byte.
func TestEnvsScriptHoldsTheExample(t *testing.T) {
	t.Parallel()
	ar, err := txtar.ParseFile(filepath.Join("..", "..", "testdata", "script", "envs.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	inScript := map[string]string{}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "envs/"); ok {
			inScript[name] = string(f.Data)
		}
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "examples", "envs"))
	if err != nil {
		t.Fatal(err)
	}
	example := map[string]string{}
	for _, ent := range entries {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "envs", ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		example[ent.Name()] = string(b)
	}
	if d := cmp.Diff(example, inScript); d != "" {
		t.Errorf("testdata/script/envs.txtar's envs/ differs from examples/envs (-example +script); copy the files into the script:\n%s", d)
	}
}

// TestCloneFromAVMTheSamePlanCreates is refused at plan time: a new VM has
// no replica yet, and the create would fail half-way through the apply.
func TestCloneFromAVMTheSamePlanCreates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("stack.yaml", `stack: clones
location: jkt01
vms:
  db:
    name: clones-db
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 20
    username: deploy
    password: ${env.SHOP_VM_PASSWORD}
  db-copy:
    name: clones-db-copy
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 2048
    disk: 20
    username: deploy
    password: ${env.SHOP_VM_PASSWORD}
    clone_from: {vm: db, replica: latest}
`)
	code, out, errs := e.runWith(shopEnv, "apply", "-f", f, "--auto-approve")
	if code != 1 || !strings.Contains(errs, "vms.db-copy: clone_from: vms.db is created by this plan") || !strings.Contains(errs, "stack.yaml:22:") {
		t.Fatalf("want a plan-time refusal at clone_from; exit %d\n%s%s", code, out, errs)
	}
	if w := e.sim.World(); len(w.VMs) != 0 {
		t.Fatalf("a refused plan created %d VMs", len(w.VMs))
	}
}
