package cli_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/iwinv/api"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// newIwinvEnv is newEnv for iwinv: its simulator over real HTTP, every
// run signed with the simulator's key pair, the client not pacing itself
// (the simulator has no rate limit) and polling asynchronous calls every
// 10 ms or more.
func newIwinvEnv(t *testing.T, opts iwinvsim.Options) *env {
	t.Helper()
	if opts.ReadyAfter == 0 {
		opts.ReadyAfter = 30 * time.Millisecond
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	s := iwinvsim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, iw: s, url: srv.URL, dir: t.TempDir(),
		conn: []string{"--iwinv-access-key", iwinvsim.DefaultAccessKey, "--iwinv-secret-key", iwinvsim.DefaultSecretKey},
		vars: map[string]string{"IDSTACK_IWINV_RATE_LIMIT": "0", "IDSTACK_IWINV_POLL": "10ms"}}
}

// iwinvStack is the stack name of examples/iwinv/stack.yaml.
const iwinvStack = "blog-dev"

// iwinvExample copies examples/iwinv/stack.yaml into the test's
// directory and returns its path there.
func iwinvExample(t *testing.T, e *env) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "iwinv", "stack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return e.write("stack.yaml", string(b))
}

// editFile replaces old by new, once, in a file of the test's directory.
func (e *env) editFile(file, old, new string) {
	e.t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		e.t.Fatalf("edit %q does not apply to %s", old, file)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// sameIwinvWorld compares iwinv worlds, ignoring what changes by itself:
// the id counter, when a transition ended, and the ids and order of
// firewall rules and attachments put back by a rollback.
var sameIwinvWorld = cmp.Options{
	cmpopts.IgnoreFields(iwinvsim.World{}, "Seq"),
	cmpopts.IgnoreFields(iwinvsim.Instance{}, "ReadyAt"),
	cmpopts.IgnoreFields(iwinvsim.BlockStorage{}, "ReadyAt"),
	cmpopts.IgnoreFields(api.Rule{}, "RuleID"),
	cmpopts.SortSlices(func(a, b api.Rule) bool {
		return a.Bound+a.Protocol+a.Port+a.IP < b.Bound+b.Protocol+b.Port+b.IP
	}),
	cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	cmpopts.EquateEmpty(),
}

// The example's live objects.
var (
	iwinvExampleVMs      = []string{"blog-dev-web", "blog-dev-db"}
	iwinvExampleFirewall = "blog-dev-web"
)

func instanceNamed(w iwinvsim.World, name string) *iwinvsim.Instance {
	for i := range w.Instances {
		if w.Instances[i].Name == name {
			return &w.Instances[i]
		}
	}
	return nil
}

func groupNamed(w iwinvsim.World, title string) *iwinvsim.SecurityGroup {
	for i := range w.SecurityGroups {
		if w.SecurityGroups[i].Title == title {
			return &w.SecurityGroups[i]
		}
	}
	return nil
}

// rulePorts lists a group's rules as "IN TCP 22 203.0.113.0/24", sorted.
func rulePorts(g *iwinvsim.SecurityGroup) []string {
	var out []string
	for _, r := range g.Rules {
		out = append(out, strings.Join([]string{r.Bound, r.Protocol, r.Port, r.IP}, " "))
	}
	slices.Sort(out)
	return out
}

// assertIwinvExample checks that the world holds the example's objects
// exactly once each, as the example declares them, and nothing else of
// theirs: two active instances, one SSD volume of 50 GB on the database,
// one firewall with three rules on both instances.
func assertIwinvExample(t *testing.T, w iwinvsim.World) {
	t.Helper()
	ids := map[string]string{}
	for _, name := range iwinvExampleVMs {
		n := 0
		for _, in := range w.Instances {
			if in.Name == name {
				n++
				ids[name] = in.ID
				if in.Status != api.StatusActive || in.Zone != iwinvsim.DefaultZone {
					t.Errorf("instance %s: %s in %s, want active in %s", name, in.Status, in.Zone, iwinvsim.DefaultZone)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d instances named %s, want 1", n, name)
		}
	}
	if len(w.Instances) != len(iwinvExampleVMs) {
		t.Errorf("%d instances, want the example's %d", len(w.Instances), len(iwinvExampleVMs))
	}
	if len(w.BlockStorages) != 1 {
		t.Errorf("%d block storages, want the example's 1", len(w.BlockStorages))
	} else if v := w.BlockStorages[0]; v.Size != 50 || v.Type != "SSD" || v.Instance != ids["blog-dev-db"] || v.Status != api.StorageInUse {
		t.Errorf("the volume: %d GB %s on %q (%s), want 50 GB SSD in use on blog-dev-db (%s)", v.Size, v.Type, v.Instance, v.Status, ids["blog-dev-db"])
	}
	if len(w.SecurityGroups) != 1 {
		t.Errorf("%d firewalls, want the example's 1", len(w.SecurityGroups))
		return
	}
	g := w.SecurityGroups[0]
	if g.Title != iwinvExampleFirewall || g.ICMP != api.ICMPYes || len(g.Rules) != 3 {
		t.Errorf("the firewall: %s icmp %s with %d rules, want %s icmp Y with 3", g.Title, g.ICMP, len(g.Rules), iwinvExampleFirewall)
	}
	if want := []string{ids["blog-dev-db"], ids["blog-dev-web"]}; !cmp.Equal(want, g.Instances, cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
		t.Errorf("the firewall guards %v, want both instances %v", g.Instances, want)
	}
}

// iwinvLiveIDs are the ids of a world's instances, volumes and firewalls.
func iwinvLiveIDs(w iwinvsim.World) map[string]bool {
	ids := map[string]bool{}
	for _, in := range w.Instances {
		ids[in.ID] = true
	}
	for _, v := range w.BlockStorages {
		ids[v.ID] = true
	}
	for _, g := range w.SecurityGroups {
		ids[g.ID] = true
	}
	return ids
}

// assertIwinvStateAgrees checks that the state and the world agree:
// every owned id is live, and every live object that was not there
// before is owned.
func assertIwinvStateAgrees(t *testing.T, e *env, before, w iwinvsim.World) {
	t.Helper()
	st := readState(t, e.dir, iwinvStack)
	live, old := iwinvLiveIDs(w), iwinvLiveIDs(before)
	owned := map[string]bool{}
	for _, r := range st.Resources {
		owned[r.ID] = true
		if !live[r.ID] {
			t.Errorf("the state owns %s (%s) which is not live", r.Address, r.ID)
		}
	}
	for _, r := range st.Deposed {
		owned[r.ID] = true
	}
	for id := range live {
		if !old[id] && !owned[id] {
			t.Errorf("live object %s is unknown to the state (leaked)", id)
		}
	}
}

// TestIwinvExampleEndToEnd (issue 13, must show): the iwinv example
// applied through the command line against the iwinv simulator; an
// immediate plan has nothing to do (exit 0); a flavor change is an update
// in place with a restart (exit 2); an image change is a destructive
// rebuild (exit 3); a changed firewall rule is one rule removed and one
// added; destroy leaves nothing of the stack in the world.
func TestIwinvExampleEndToEnd(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	empty := e.iw.World()

	out := e.mustRun(0, "apply", "-f", f, "--auto-approve")
	for _, want := range []string{"vms.web: created", "vms.db: created", "disks.data: created", "firewalls.web: created", "Apply complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	w := e.iw.World()
	assertIwinvExample(t, w)
	assertIwinvStateAgrees(t, e, empty, w)
	web := instanceNamed(w, "blog-dev-web")
	e.iw.ResetCalls()
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	// The refresh's calls (README, iwinv): one list per kind in the zone,
	// the firewalls once for the account and 2 calls per firewall (its
	// rules and instances: documented only per firewall), the zone's
	// catalogue, and the zones.
	var calls []string
	for _, c := range e.iw.Calls() {
		calls = append(calls, c.Method+" "+iwinvPattern(c.Path))
	}
	slices.Sort(calls)
	if d := cmp.Diff([]string{"GET /auth/ssh_key", "GET /block-storages", "GET /block-storages/types", "GET /flavors", "GET /images", "GET /instance/script",
		"GET /instances", "GET /security-groups", "GET /security-groups/*/instances", "GET /security-groups/*/rules", "GET /zones"}, calls); d != "" {
		t.Errorf("the plan's calls (-want +got):\n%s", d)
	}

	t.Run("flavor: an update in place, with a restart", func(t *testing.T) {
		e.editFile(f, "web_flavor: STD-1C1G", "web_flavor: STD-2C4G")
		p := e.plan(f)
		if len(p.Actions) != 1 {
			t.Fatalf("want one action, got %+v", p.Actions)
		}
		a := p.Actions[0]
		if a.Address != "vms.web" || a.Action != planner.Update || len(a.Changes) != 1 || a.Changes[0].Path != "flavor" {
			t.Fatalf("want one flavor update of vms.web, got %+v", a)
		}
		if !strings.Contains(strings.Join(a.Notes, " "), "restart") {
			t.Errorf("no restart note: %v", a.Notes)
		}
		// The plan reads like the stack file: flavors by their names.
		if text := e.mustRun(2, "plan", "-f", f, "--detailed-exitcode"); !strings.Contains(text, "flavor: STD-1C1G → STD-2C4G") {
			t.Errorf("the plan does not name the flavors as the file does:\n%s", text)
		}
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		in := instanceNamed(e.iw.World(), "blog-dev-web")
		if in == nil || in.ID != web.ID || in.Flavor != "fl-std-2c4g" || in.Status != api.StatusActive {
			t.Fatalf("after the resize: %+v, want instance %s active with fl-std-2c4g", in, web.ID)
		}
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	})

	t.Run("image: a destructive rebuild", func(t *testing.T) {
		e.editFile(f, "image: Ubuntu 22.04         # by name or id", "image: Ubuntu 24.04")
		p := e.plan(f)
		if len(p.Actions) != 1 {
			t.Fatalf("want one action, got %+v", p.Actions)
		}
		a := p.Actions[0]
		if a.Address != "vms.web" || a.Action != planner.Reinstall || len(a.Changes) != 1 || a.Changes[0].Path != "image" {
			t.Fatalf("want one image reinstall of vms.web, got %+v", a)
		}
		if notes := strings.Join(a.Notes, " "); !strings.Contains(notes, "data") {
			t.Errorf("the rebuild does not say the boot disk's data is lost: %v", a.Notes)
		}
		text := e.mustRun(3, "plan", "-f", f, "--detailed-exitcode")
		if !strings.Contains(text, "!~ vms.web") || !strings.Contains(text, "1 to reinstall") {
			t.Errorf("the text plan does not show a reinstall:\n%s", text)
		}
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		in := instanceNamed(e.iw.World(), "blog-dev-web")
		if in == nil || in.ID != web.ID || in.Image != "img-ubuntu-2404" || in.Status != api.StatusActive {
			t.Fatalf("after the rebuild: %+v, want instance %s active from img-ubuntu-2404", in, web.ID)
		}
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	})

	t.Run("firewall rule: one removed, one added", func(t *testing.T) {
		e.editFile(f, `port: "80", source: 0.0.0.0/0, description: http}`, `port: "8080", source: 0.0.0.0/0}`)
		p := e.plan(f)
		if len(p.Actions) != 1 || p.Actions[0].Address != "firewalls.web" || p.Actions[0].Action != planner.Update {
			t.Fatalf("want one update of firewalls.web, got %+v", p.Actions)
		}
		rule := func(port, desc string) map[string]any {
			m := map[string]any{"direction": "in", "protocol": "tcp", "port": port, "source": "0.0.0.0/0"}
			if desc != "" {
				m["description"] = desc
			}
			return m
		}
		want := []planner.Change{{Path: "rules", Before: rule("80", "http")}, {Path: "rules", After: rule("8080", "")}}
		var got []planner.Change
		for _, c := range p.Actions[0].Changes {
			got = append(got, planner.Change{Path: c.Path, Before: c.Before, After: c.After})
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("rule changes (-want +got):\n%s", d)
		}
		e.mustRun(2, "plan", "-f", f, "--detailed-exitcode")
		before := groupNamed(e.iw.World(), iwinvExampleFirewall)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		g := groupNamed(e.iw.World(), iwinvExampleFirewall)
		if g == nil || g.ID != before.ID {
			t.Fatalf("the firewall was not kept: %+v", g)
		}
		if d := cmp.Diff([]string{"IN TCP 22 203.0.113.0/24", "IN TCP 443 0.0.0.0/0", "IN TCP 8080 0.0.0.0/0"}, rulePorts(g)); d != "" {
			t.Errorf("rules (-want +got):\n%s", d)
		}
		kept := map[int64]bool{}
		for _, r := range before.Rules {
			kept[r.RuleID] = true
		}
		for _, r := range g.Rules {
			if r.Port != "8080" && !kept[r.RuleID] {
				t.Errorf("rule %s %s was remade (id %d): the others must stay as they were", r.Port, r.IP, r.RuleID)
			}
		}
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	})

	t.Run("destroy leaves nothing", func(t *testing.T) {
		e.mustRun(0, "destroy", "-f", f, "--auto-approve")
		after := e.iw.World()
		if d := cmp.Diff(empty, after, sameIwinvWorld); d != "" {
			t.Errorf("the world differs from before the apply (-before +after):\n%s", d)
		}
		if st := readState(t, e.dir, iwinvStack); len(st.Resources) != 0 {
			t.Errorf("the state still owns %v", st.Addresses())
		}
	})
}

// TestPlanWithErrorsClaimsNoChanges: a plan whose refresh found errors (a
// flavor the zone's catalogue does not have) exits 1 and never says "No
// changes"; the actions it would otherwise take are shown under a header
// that says it cannot be applied.
func TestPlanWithErrorsClaimsNoChanges(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edits [][2]string
		want  []string
	}{
		{"errors only", [][2]string{{"web_flavor: STD-1C1G", "web_flavor: STD-1C1X"}},
			[]string{`The plan of stack "blog-dev" has 1 error (below): it cannot be applied.`}},
		{"errors and changes", [][2]string{{"web_flavor: STD-1C1G", "web_flavor: STD-1C1X"}, {"description: web traffic", "description: web"}},
			[]string{`The plan of stack "blog-dev" has 1 error (below) and cannot be applied. Its actions:`, "~ firewalls.web"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := string(b)
			for _, ed := range tc.edits {
				s = strings.Replace(s, ed[0], ed[1], 1)
			}
			g := e.write(strings.ReplaceAll(tc.name, " ", "-")+".yaml", s)
			code, out, errs := e.run("plan", "-f", g, "--detailed-exitcode")
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
			}
			if strings.Contains(out, "No changes") || strings.Contains(out, "idstack will apply") {
				t.Errorf("a plan with errors claims what it would do:\n%s", out)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errs, `"STD-1C1X"`) || !strings.Contains(errs, "STD-1C1G") {
				t.Errorf("stderr does not name the flavor and what it may mean:\n%s", errs)
			}
		})
	}
}

// TestIwinvPlanReadsEveryPage (issue 13, must show): a zone with 35
// instances, made in the simulator's world, is refreshed completely by a
// plan through the command line: every one is found by name (35
// adoptions with --adopt), and the calls the simulator logged during the
// plan grow with pages, not instances: the instance list is 4 calls at
// the API's 10 a page (10, 10, 10, 5) where 5 instances take 1, and the
// whole plan makes exactly 3 calls more for 35 instances than for 5.
func TestIwinvPlanReadsEveryPage(t *testing.T) {
	t.Parallel()
	type result struct {
		adopted, listCalls, calls int
		pages, paths              []string
	}
	plan := func(t *testing.T, n int) result {
		e := newIwinvEnv(t, iwinvsim.Options{})
		var stack strings.Builder
		stack.WriteString("provider: iwinv\nstack: crowd\nlocation: KR1-Z01\nvms:\n")
		e.iw.Mutate(func(w *iwinvsim.World) {
			for i := range n {
				name := fmt.Sprintf("crowd-%02d", i)
				w.Instances = append(w.Instances, iwinvsim.Instance{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: name,
					Status: api.StatusActive, Zone: iwinvsim.DefaultZone, Flavor: "fl-std-1c1g", Image: "img-ubuntu-2204", IP: []string{}})
				fmt.Fprintf(&stack, "  c%02d: {name: %s, flavor: STD-1C1G, image: Ubuntu 22.04}\n", i, name)
			}
		})
		f := e.write("crowd.yaml", stack.String())
		e.iw.ResetCalls()
		p := e.plan(f, "--adopt")
		var r result
		for _, a := range p.Actions {
			if a.Action == planner.Adopt {
				r.adopted++
			} else {
				t.Errorf("%s: %s, want adopt", a.Address, a.Action)
			}
		}
		for _, c := range e.iw.Calls() {
			r.calls++
			r.paths = append(r.paths, c.Method+" "+c.Path)
			if c.Method == "GET" && c.Path == "/instances" {
				r.listCalls++
				r.pages = append(r.pages, c.Query)
			}
		}
		return r
	}
	crowd, few := plan(t, 35), plan(t, 5)
	if crowd.adopted != 35 || few.adopted != 5 {
		t.Errorf("adopted %d of 35 and %d of 5: the refresh did not read every page", crowd.adopted, few.adopted)
	}
	if crowd.listCalls != 4 || few.listCalls != 1 {
		t.Errorf("instance list calls: %d for 35 instances (%v), %d for 5; want 4 and 1", crowd.listCalls, crowd.pages, few.listCalls)
	}
	for i, q := range crowd.pages {
		if want := fmt.Sprintf("page_no=%d&page_size=10", i+1); !strings.Contains(q, want) {
			t.Errorf("list call %d: ?%s, want %s", i+1, q, want)
		}
	}
	if crowd.calls-few.calls != 3 {
		t.Errorf("the plan made %d calls for 35 instances and %d for 5: want 3 more (the 3 pages), whatever the count", crowd.calls, few.calls)
	}
	t.Logf("plan of 35 instances: %d calls (%s); of 5 instances: %d calls", crowd.calls, strings.Join(crowd.paths, ", "), few.calls)
}

// TestIwinvExport: `idstack export --provider iwinv` writes a stack file
// that names its cloud (provider: iwinv) and validates; taken over from
// another directory with --adopt, the plan has only adoptions, and after
// the apply nothing to change.
func TestIwinvExport(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if err := os.Mkdir(filepath.Join(e.dir, "taken"), 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "taken", "blog.yaml")
	msg := e.mustRun(0, "export", "--provider", "iwinv", "--location", iwinvsim.DefaultZone, "-o", out)
	if !strings.Contains(msg, "Wrote "+out+": 2 VMs, 1 disk, 1 firewall.") {
		t.Errorf("export said:\n%s", msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# Exported by `idstack export --provider iwinv --location KR1-Z01`") || !strings.Contains(string(b), "\nprovider: iwinv\n") {
		t.Errorf("the file does not name its cloud:\n%s", b)
	}
	e.mustRun(0, "validate", "-f", out)
	p := e.plan(out, "--adopt")
	if len(p.Actions) != 4 {
		t.Errorf("want 4 adoptions, got %d actions", len(p.Actions))
	}
	for _, a := range p.Actions {
		if a.Action != planner.Adopt || len(a.Changes) != 0 {
			t.Errorf("%s: %s with changes %+v, want a plain adoption\n%s", a.Address, a.Action, a.Changes, b)
		}
	}
	e.mustRun(0, "apply", "--adopt", "-f", out, "--auto-approve")
	e.mustRun(0, "plan", "-f", out, "--detailed-exitcode")

	// Without --provider, export reads idcloudhost: a wrong flag value is
	// refused before any call.
	if code, _, errs := e.run("export", "--provider", "aws", "--location", "x"); code != 1 || !strings.Contains(errs, `--provider "aws": allowed: idcloudhost, iwinv`) {
		t.Errorf("--provider aws: exit %d\n%s", code, errs)
	}
}

// TestIwinvRefusesTheS3Backend: the S3 state backend is idcloudhost's
// object storage; an iwinv stack that asks for it (in the file or with
// --backend-bucket) is refused before any call, saying why and what to do.
func TestIwinvRefusesTheS3Backend(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	withBackend := e.write("remote.yaml", strings.Replace(mustRead(t, f), "vars:", "backend:\n  s3: {bucket: states, key: blog.state.json}\nvars:", 1))
	for _, args := range [][]string{
		{"plan", "-f", withBackend},
		{"apply", "-f", f, "--backend-bucket", "states", "--auto-approve"},
	} {
		e.iw.ResetCalls()
		code, out, errs := e.run(args...)
		if code != 1 || !strings.Contains(errs, "keeps the state in idcloudhost's object storage") || !strings.Contains(errs, "a stack on iwinv keeps its state in .idstack/") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		if n := e.iw.CallCount(); n != 0 {
			t.Errorf("%v: %d calls to the API, want none", args, n)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIwinvClientVariables: IDSTACK_IWINV_RATE_LIMIT and IDSTACK_IWINV_POLL
// are read for an endpoint other than the embedded simulator; a bad value
// is an error naming the variable, before any call.
func TestIwinvClientVariables(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value, want string
	}{
		{"IDSTACK_IWINV_RATE_LIMIT", "-1", `IDSTACK_IWINV_RATE_LIMIT="-1": want calls a minute, 0 or more (the API allows 60; 0: no pacing)`},
		{"IDSTACK_IWINV_RATE_LIMIT", "lots", `IDSTACK_IWINV_RATE_LIMIT="lots"`},
		{"IDSTACK_IWINV_POLL", "0s", `IDSTACK_IWINV_POLL="0s": want a duration such as 500ms`},
		{"IDSTACK_IWINV_POLL", "soon", `IDSTACK_IWINV_POLL="soon"`},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			e := newIwinvEnv(t, iwinvsim.Options{})
			f := iwinvExample(t, e)
			e.vars[tc.name] = tc.value
			code, out, errs := e.run("plan", "-f", f)
			if code != 1 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want 1 and %q\n%s%s", code, tc.want, out, errs)
			}
			if n := e.iw.CallCount(); n != 0 {
				t.Errorf("%d calls before the error, want none", n)
			}
		})
	}
}
