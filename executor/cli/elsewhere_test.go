package cli_test

import (
	"bytes"
	"context"
	"github.com/idstack/idstack/provider/idcloudhost"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
)

// TestExportPrefixLeavesOtherStacksAlone (issue 11, item 11): in an
// account that also holds another stack's network and VMs, export
// --prefix writes only what starts with the prefix; a prefixed VM in the
// other stack's network keeps no reference to it (left out, ignored, with
// a comment); adopting the file takes over nothing of the other stack,
// which still plans no changes.
func TestExportPrefixLeavesOtherStacksAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	skel := e.write("skel.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", skel, "--auto-approve")
	handMade(t, e, false)
	// A hand-made VM of staging in the other stack's network.
	c := e.client()
	lab := mustCreate(t, c, idcloudhost.VMs, "jkt01", provider.Attrs{"name": "shop-staging-lab", "os_name": "ubuntu", "os_version": "22.04",
		"vcpu": 1, "ram": 1024, "disk": 20, "username": "deploy", "password": "Hand-Made-1", "network": networkByName(e.sim.World(), "skel-app").API.UUID})
	if _, err := c.WaitVM(context.Background(), "jkt01", lab.ID, "running"); err != nil {
		t.Fatal(err)
	}
	skelState, err := os.ReadFile(filepath.Join(e.dir, ".idstack", "skel.state.json"))
	if err != nil {
		t.Fatal(err)
	}

	f := filepath.Join(e.dir, "staging.yaml")
	out := e.mustRunWith(nil, 0, "export", "--location", "jkt01", "--prefix", "shop-staging-", "-o", f)
	if !strings.Contains(out, "Wrote "+f+": 1 network, 3 VMs, 1 floating IP, 1 load balancer, 1 bucket.") {
		t.Errorf("export says:\n%s", out)
	}
	got, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	// The other stack's ids depend on the order of its parallel creates.
	skelApp := networkByName(e.sim.World(), "skel-app").API.UUID
	golden(t, filepath.Join("..", "..", "testdata", "export", "prefix_other_stack.yaml"), bytes.ReplaceAll(got, []byte(skelApp), []byte("SKEL-APP-UUID")))
	if names := regexp.MustCompile(`(?m)^\s+name: (\S+)`).FindAllSubmatch(got, -1); len(names) != 7 {
		t.Errorf("want 7 named resources, got %d", len(names))
	} else {
		for _, n := range names {
			if !bytes.HasPrefix(n[1], []byte("${var.prefix}")) {
				t.Errorf("exported a resource whose name does not start with the prefix: %s", n[1])
			}
		}
	}
	for _, want := range []string{
		`network: network ` + skelApp + ` ("skel-app"), but its name does not start with the prefix "shop-staging-": left out and ignored`,
		"--prefix shop-staging-: left out 4 objects whose names do not start with it",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the export lacks %q", want)
		}
	}

	env := map[string]string{"WEB_PASSWORD": "Web-Passw0rd", "DB_PASSWORD": "Db-Passw0rd", "LAB_PASSWORD": "Lab-Passw0rd"}
	world := e.sim.World()
	p := e.planWith(env, f, "--adopt")
	if len(p.Actions) != 7 {
		t.Errorf("want 7 adoptions, got %d actions", len(p.Actions))
	}
	for _, a := range p.Actions {
		if a.Action != planner.Adopt || len(a.Changes) != 0 || !strings.HasPrefix(a.Name, "shop-staging-") {
			t.Errorf("%s: %s of %q with changes %+v; want only adoptions of shop-staging-*, unchanged", a.Address, a.Action, a.Name, a.Changes)
		}
	}
	e.mustRunWith(env, 0, "apply", "-f", f, "--adopt", "--auto-approve")
	e.mustRunWith(env, 0, "plan", "-f", f, "--detailed-exitcode")
	if d := cmp.Diff(world, e.sim.World(), worldOpts); d != "" {
		t.Errorf("adopting changed the world (-before +after):\n%s", d)
	}
	if now, _ := os.ReadFile(filepath.Join(e.dir, ".idstack", "skel.state.json")); !bytes.Equal(now, skelState) {
		t.Error("the other stack's state changed")
	}
	e.mustRun(0, "plan", "-f", skel, "--detailed-exitcode")
}

// thief declares the live names of stack skel (twoVMs) under its own
// stack name.
const thief = `stack: thief
location: jkt01
%s
networks:
  app: {name: skel-app}
vms:
  web:
    name: skel-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
`

// TestAdoptRefusesAnotherStacksObject (issue 11, item 11): --adopt (or
// adopt: true) never takes over what another stack's state beside this
// one owns: the plan fails naming that stack, its state file and the way
// out, and nothing changes; once the other stack forgets the objects,
// they are adopted.
func TestAdoptRefusesAnotherStacksObject(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"--adopt", "adopt: true"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			skel := e.write("skel.yaml", twoVMs)
			e.mustRun(0, "apply", "-f", skel, "--auto-approve")
			skelPath := filepath.Join(e.dir, ".idstack", "skel.state.json")
			skelState, _ := os.ReadFile(skelPath)
			var flags []string
			f := e.write("thief.yaml", strings.Replace(thief, "%s", "", 1))
			if how == "--adopt" {
				flags = []string{"--adopt"}
			} else {
				f = e.write("thief.yaml", strings.Replace(thief, "%s", "adopt: true", 1))
			}
			world := e.sim.World()
			web := vmByName(world, "skel-web").API.UUID
			for _, cmd := range [][]string{{"plan", "-f", f}, {"apply", "-f", f, "--auto-approve"}} {
				code, out, errs := e.run(append(cmd, flags...)...)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\n%s%s", cmd[0], code, out, errs)
				}
				for _, want := range []string{
					`vms.web: the live VM "skel-web" (id ` + web + `) belongs to stack "skel" (state file ` + skelPath + `, as vms.web); --adopt never takes over another stack's resource`,
					`networks.app: the live network "skel-app"`,
					"idstack state rm -f FILE vms.web",
				} {
					if !strings.Contains(errs, want) {
						t.Errorf("%s: stderr lacks %q:\n%s", cmd[0], want, errs)
					}
				}
			}
			if d := cmp.Diff(world, e.sim.World(), worldOpts); d != "" {
				t.Errorf("the world changed (-before +after):\n%s", d)
			}
			if now, _ := os.ReadFile(skelPath); !bytes.Equal(now, skelState) {
				t.Error("the other stack's state changed")
			}
			if _, err := os.Stat(filepath.Join(e.dir, ".idstack", "thief.state.json")); err == nil {
				t.Error("the refused stack wrote a state")
			}

			// Another stack's unreadable state is a warning, not a failure.
			e.write(".idstack/broken.state.json", `{"version": 1, "stack": "bro`)
			e.mustRun(0, "state", "rm", "-f", skel, "vms.web")
			e.mustRun(0, "state", "rm", "-f", skel, "networks.app")
			out := e.mustRun(0, append([]string{"plan", "-f", f}, flags...)...)
			for _, want := range []string{"Plan: 2 to adopt.", "Warning: another stack's state file " + filepath.Join(e.dir, ".idstack", "broken.state.json") + " is invalid"} {
				if !strings.Contains(out, want) {
					t.Errorf("plan once skel forgot them lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
