package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// pwStack takes its stack name and a VM password from variables whose
// defaults read the environment (issue 11, item 7: the VM was created
// with the password "${env.DB_PW2}", as text). vms.direct reads the
// environment itself and vms.literal has the text, escaped: the three
// hashes the simulator keeps tell which password each VM got.
const pwStack = `stack: pw-${var.stage}
location: jkt01
vars:
  stage: {type: string, default: "${env.STAGE}"}
  pw: {type: string, default: "${env.DB_PW2}"}
  admin_pw: "${var.pw}"
networks:
  app: {name: pw-app}
vms:
  viavar:
    name: pw-viavar
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${var.admin_pw}
    description: "token ${var.pw}"
  direct:
    name: pw-direct
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DB_PW2}
  literal:
    name: pw-literal
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: "$${env.DB_PW2}"
`

func TestVariableDefaultReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", pwStack)
	const secret = "Env-Passw0rd-7"
	environ := map[string]string{"DB_PW2": secret, "STAGE": "dev"}

	// The plan masks a field made from the variable, in every format.
	p := e.planWith(environ, f)
	a := p.Action("vms.viavar")
	if a == nil {
		t.Fatalf("no action for vms.viavar: %+v", p.Actions)
	}
	for _, c := range a.Changes {
		if (c.Path == "description" || c.Path == "password") && c.After != planner.Sensitive {
			t.Errorf("%s after = %v, want it masked", c.Path, c.After)
		}
	}
	for _, format := range []string{"text", "json", "markdown"} {
		if out := e.mustRunWith(environ, 0, "plan", "-f", f, "--format", format); strings.Contains(out, secret) {
			t.Errorf("plan --format %s shows the secret:\n%s", format, out)
		}
	}

	e.mustRunWith(environ, 0, "apply", "-f", f, "--auto-approve")
	w := e.sim.World()
	viaVar, direct, literal := vmByName(w, "pw-viavar"), vmByName(w, "pw-direct"), vmByName(w, "pw-literal")
	if viaVar == nil || direct == nil || literal == nil {
		t.Fatal("the VMs were not created")
	}
	if viaVar.PasswordHash != direct.PasswordHash {
		t.Error("the VM's password is not the environment's value")
	}
	if viaVar.PasswordHash == literal.PasswordHash {
		t.Error("the VM's password is the text ${env.DB_PW2}")
	}
	if viaVar.API.Description == "token ${env.DB_PW2}" || viaVar.API.Description != "token "+secret {
		t.Errorf("description %q", viaVar.API.Description)
	}

	// The stack name came from the environment; the state holds hashes only.
	state, err := os.ReadFile(filepath.Join(e.dir, ".idstack", "pw-dev.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), secret) {
		t.Error("the secret is in the state in clear")
	}
	e.mustRunWith(environ, 0, "plan", "-f", f, "--detailed-exitcode")

	// A stack name made from a default is checked like any other.
	code, out, errs := e.runWith(map[string]string{"DB_PW2": secret, "STAGE": "pr/7"}, "validate", "-f", f)
	if code != 1 || !strings.Contains(errs, `invalid stack name "pw-pr/7"`) {
		t.Errorf("validate with STAGE=pr/7: exit %d\n%s%s", code, out, errs)
	}
}
