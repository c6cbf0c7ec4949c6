package cli_test

import (
	"bytes"
	"context"
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
	lab := mustCreate(t, c, provider.VMs, "jkt01", provider.Attrs{"name": "shop-staging-lab", "os_name": "ubuntu", "os_version": "22.04",
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
	if !strings.Contains(out, "Wrote "+f+": 1 networks, 3 vms, 1 floating_ips, 1 load_balancers, 1 buckets.") {
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
