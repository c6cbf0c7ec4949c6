package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/api"
	"github.com/idstack/idstack/provider/sim"
)

// idSegment is a path segment that names an object (uuid, IP address).
var idSegment = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f-]+$|^\d+\.\d+\.\d+\.\d+$`)

// pattern turns a call's path into a fault pattern: ids become *.
func pattern(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// mutation is one mutating call of an apply, as a fault can name it.
type mutation struct {
	Method, Path string
	Nth          int // which matching call
}

func (m mutation) String() string { return fmt.Sprintf("%s %s #%d", m.Method, m.Path, m.Nth) }

// mutations lists the mutating calls a simulator has seen, in order.
func mutations(calls []sim.Call) []mutation {
	var out []mutation
	seen := map[string]int{}
	for _, c := range calls {
		if c.Method == "GET" {
			continue
		}
		p := pattern(c.Path)
		seen[c.Method+p]++
		out = append(out, mutation{c.Method, p, seen[c.Method+p]})
	}
	return out
}

// sameWorld compares worlds, ignoring what changes by itself: counters,
// timestamps, and the uuids of load balancer rules put back by a rollback.
var sameWorld = cmp.Options{
	cmpopts.IgnoreFields(sim.World{}, "Seq", "PublicIPSeq"),
	cmpopts.IgnoreFields(sim.VM{}, "ReadyAt"),       // when its last create, start or stop ended
	cmpopts.IgnoreFields(sim.Network{}, "NextHost"), // a counter: the next private address handed out
	cmpopts.IgnoreFields(api.VM{}, "UpdatedAt"),
	cmpopts.IgnoreFields(api.Network{}, "UpdatedAt"),
	cmpopts.IgnoreFields(api.FloatingIP{}, "UpdatedAt", "UnassignedAt", "AssignedToPrivateIP", "AssignedToResourceType"),
	cmpopts.IgnoreFields(api.LoadBalancer{}, "UpdatedAt"),
	cmpopts.IgnoreFields(api.ForwardingRule{}, "UUID", "CreatedAt"),
	cmpopts.IgnoreFields(api.LBTarget{}, "CreatedAt"),
	cmpopts.IgnoreFields(api.Disk{}, "UpdatedAt"),
	cmpopts.IgnoreFields(api.Bucket{}, "ModifiedAt"),
	cmpopts.SortSlices(func(a, b api.ForwardingRule) bool { return a.SourcePort < b.SourcePort }),
	cmpopts.SortSlices(func(a, b api.LBTarget) bool { return a.TargetUUID < b.TargetUUID }),
	cmpopts.EquateEmpty(),
}

// simModes are the behaviours every fault and crash test runs against:
// the reference document's, and the live service's (quirks: synchronous
// VM calls, a VM not listed while it is created, the other error shapes).
var simModes = []struct {
	name   string
	quirks string
}{{"document", ""}, {"live", sim.QuirksLive}}

// inModes runs a test once per simulator mode, with opts in that mode,
// the modes in parallel (each has its own simulator and directory).
func inModes(t *testing.T, opts sim.Options, test func(t *testing.T, opts sim.Options)) {
	t.Helper()
	for _, m := range simModes {
		o := opts
		o.Quirks = m.quirks
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			test(t, o)
		})
	}
}

// readState reads a stack's state file; it must always parse.
func readState(t *testing.T, dir, stack string) *state.State {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".idstack", stack+".state.json"))
	if os.IsNotExist(err) {
		return state.New(stack)
	}
	if err != nil {
		t.Fatal(err)
	}
	var st state.State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("the state does not parse: %v", err)
	}
	return &st
}

// assertStateAgrees checks that the state and the world agree: every
// owned id is live, and every live object that was not there before is
// owned.
func assertStateAgrees(t *testing.T, st *state.State, before, w sim.World) {
	t.Helper()
	live := liveIDs(w)
	old := liveIDs(before)
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

func liveIDs(w sim.World) map[string]bool {
	ids := map[string]bool{}
	for _, v := range w.VMs {
		ids[v.API.UUID] = true
	}
	for _, n := range w.Networks {
		ids[n.API.UUID] = true
	}
	for _, d := range w.Disks {
		if !d.VMOwned {
			ids[d.API.UUID] = true
		}
	}
	for _, f := range w.FloatingIPs {
		ids[f.API.Address] = true
	}
	for _, l := range w.LoadBalancers {
		ids[l.API.UUID] = true
	}
	for _, b := range w.Buckets {
		ids[b.Name] = true
	}
	return ids
}

// assertNoDuplicates checks that no two live objects of a kind share a name.
func assertNoDuplicates(t *testing.T, w sim.World) {
	t.Helper()
	seen := map[string]int{}
	for _, v := range w.VMs {
		seen["vm "+v.Location+"/"+v.API.Name]++
	}
	for _, n := range w.Networks {
		seen["network "+n.Location+"/"+n.API.Name]++
	}
	for _, f := range w.FloatingIPs {
		seen["floating IP "+f.Location+"/"+f.API.Name]++
	}
	for _, l := range w.LoadBalancers {
		seen["load balancer "+l.Location+"/"+l.API.DisplayName]++
	}
	for what, n := range seen {
		if n > 1 {
			t.Errorf("%d live objects: %s", n, what)
		}
	}
	if len(w.Disks) > 1 {
		t.Errorf("%d disks, want at most 1", len(w.Disks))
	}
}

// firstPhaseMutations applies a stack once in a scratch simulator and
// returns the mutating calls of the apply, in order (parallelism 1 makes
// the order the same every time).
func firstPhaseMutations(t *testing.T, opts sim.Options, setup func(*env) string, args ...string) []mutation {
	t.Helper()
	e := newEnv(t, opts)
	f := setup(e)
	e.sim.ResetCalls()
	e.mustRun(0, append([]string{"apply", "-f", f, "--auto-approve", "--parallelism", "1"}, args...)...)
	return mutations(e.sim.Calls())
}

// TestFailureAtEachCreateRollsBack injects a permanent failure at each
// mutating call of the six-kind apply in turn: the apply exits 1, the
// world is the world from before, and the state agrees with it.
func TestFailureAtEachCreateRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("many applies")
	}
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		muts := firstPhaseMutations(t, opts, func(e *env) string { return shopExample(t, e) })
		if len(muts) < 8 {
			t.Fatalf("only %d mutating calls: %v", len(muts), muts)
		}
		for _, m := range muts {
			t.Run(m.String(), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, opts)
				f := shopExample(t, e)
				before := e.sim.World()
				e.sim.AddFault(sim.Fault{Method: m.Method, Path: m.Path, Nth: m.Nth, Status: 422, Message: "injected permanent failure"})
				code, out, errs := e.run("apply", "-f", f, "--auto-approve", "--parallelism", "1")
				if code != 1 {
					t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
				}
				if !strings.Contains(out, "Rolled back") && !strings.Contains(errs, "Nothing had been changed") {
					t.Errorf("no rollback reported:\n%s%s", out, errs)
				}
				after := e.sim.World()
				if d := cmp.Diff(before, after, sameWorld); d != "" {
					t.Errorf("the world differs from before the apply (-before +after):\n%s\n%s", d, out)
				}
				assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, after)
				if st := readState(t, e.dir, "shop-staging"); len(st.Resources) != 0 {
					t.Errorf("the state still owns %v", st.Addresses())
				}
			})
		}
	})
}

// updateEdits turns the shop into an update-only plan: a rename, a
// resize (restart), a rule change, a target removal and a floating IP
// move.
var updateEdits = [][2]string{
	{"name: shop-${var.env}-web-1", "name: shop-${var.env}-web-one"},
	{"vcpu: 2\n    ram: 4096", "vcpu: 4\n    ram: 4096"},
	{"target_port: 8443", "target_port: 9443"},
	{"targets: [web-1, web-2]", "targets: [web-1]"},
	{"assign_to: db", "assign_to: web-2"},
}

func editedShop(t *testing.T, e *env) string {
	b, err := os.ReadFile(filepath.Join(e.dir, "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, ed := range updateEdits {
		if !strings.Contains(s, ed[0]) {
			t.Fatalf("edit %q does not apply", ed[0])
		}
		s = strings.Replace(s, ed[0], ed[1], 1)
	}
	return e.write("shop.yaml", s)
}

// TestFailureDuringUpdatesRestoresEarlierValues: the same for an
// update-only plan: the world is restored to its earlier values.
func TestFailureDuringUpdatesRestoresEarlierValues(t *testing.T) {
	if testing.Short() {
		t.Skip("many applies")
	}
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		muts := firstPhaseMutations(t, opts, func(e *env) string {
			f := shopExample(t, e)
			e.mustRun(0, "apply", "-f", f, "--auto-approve")
			e.sim.ResetCalls()
			return editedShop(t, e)
		})
		if len(muts) < 5 {
			t.Fatalf("only %d mutating calls: %v", len(muts), muts)
		}
		for _, m := range muts {
			t.Run(m.String(), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, opts)
				f := shopExample(t, e)
				e.mustRun(0, "apply", "-f", f, "--auto-approve")
				before := e.sim.World()
				stBefore := readState(t, e.dir, "shop-staging")
				editedShop(t, e)
				e.sim.AddFault(sim.Fault{Method: m.Method, Path: m.Path, Nth: m.Nth, Status: 422, Message: "injected permanent failure"})
				code, out, errs := e.run("apply", "-f", f, "--auto-approve", "--parallelism", "1")
				if code != 1 {
					t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
				}
				after := e.sim.World()
				if d := cmp.Diff(before, after, sameWorld); d != "" {
					t.Errorf("the world differs from before the apply (-before +after):\n%s\n%s", d, out)
				}
				st := readState(t, e.dir, "shop-staging")
				assertStateAgrees(t, st, before, after)
				if d := cmp.Diff(stBefore.Resources, st.Resources, cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "password" })); d != "" {
					t.Errorf("the state differs from before the apply (-before +after):\n%s", d)
				}
			})
		}
	})
}

func TestTransientFailuresConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: retries back off")
	}
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := shopExample(t, e)
		before := e.sim.World()
		e.sim.AddFault(sim.Fault{Path: "/**", Rate: 0.2, Status: 503, Message: "injected transient failure"})
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		w := e.sim.World()
		assertNoDuplicates(t, w)
		assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
		e.sim.ClearFaults()
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	})
}

func TestLostCreateAnswersAreAdoptedNotDuplicated(t *testing.T) {
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := shopExample(t, e)
		before := e.sim.World()
		for _, p := range []struct{ method, path string }{
			{"POST", "/user-resource/vm"}, {"POST", "/network/network"}, {"POST", "/storage/disks"},
			{"POST", "/network/ip_addresses"}, {"POST", "/network/load_balancers"}, {"PUT", "/storage/bucket"},
		} {
			e.sim.AddFault(sim.Fault{Method: p.method, Path: p.path, Nth: 1, LostResponse: true})
		}
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		lost := 0
		for _, c := range e.sim.Calls() {
			if c.Lost {
				lost++
			}
		}
		if lost < 5 {
			t.Fatalf("only %d answers were lost", lost)
		}
		w := e.sim.World()
		assertNoDuplicates(t, w)
		if len(w.VMs) != 3 || len(w.LoadBalancers) != 1 || len(w.Buckets) != 1 || len(w.FloatingIPs) != 1 || len(w.Disks) != 1 {
			t.Fatalf("want exactly the stack's objects: %d VMs, %d LBs, %d buckets, %d FIPs, %d disks", len(w.VMs), len(w.LoadBalancers), len(w.Buckets), len(w.FloatingIPs), len(w.Disks))
		}
		assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	})
}

func TestRollbackThatCannotDeleteExitsFourAndIsPickedUpLater(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := shopExample(t, e)
	before := e.sim.World()
	e.sim.AddFault(sim.Fault{Method: "POST", Path: "/network/load_balancers", Status: 422, Message: "injected permanent failure"})
	e.sim.AddFault(sim.Fault{Method: "DELETE", Path: "/user-resource/vm", Status: 409, Message: "injected: VM is locked"})
	code, out, errs := e.run("apply", "-f", f, "--auto-approve")
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errs)
	}
	for _, want := range []string{"could not undo everything", "delete vms.web-1", "delete vms.db", "VM is locked"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the message does not say %q:\n%s", want, errs)
		}
	}
	w := e.sim.World()
	assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
	assertNoSecretOnDisk(t, e.dir, "Shop-Passw0rd")
	if len(w.VMs) != 3 {
		t.Fatalf("%d VMs left, want the 3 that could not be deleted", len(w.VMs))
	}
	e.sim.ClearFaults()
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	w = e.sim.World()
	assertNoDuplicates(t, w)
	if len(w.VMs) != 3 || len(w.LoadBalancers) != 1 {
		t.Fatalf("the next apply should reuse the VMs and add the load balancer: %d VMs, %d LBs", len(w.VMs), len(w.LoadBalancers))
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}

// assertNoSecretOnDisk checks every file idstack wrote (state, journal,
// lock) for a secret in clear.
func assertNoSecretOnDisk(t *testing.T, dir, secret string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, ".idstack"))
	if err != nil {
		t.Fatal(err)
	}
	journal := false
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join(dir, ".idstack", en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the password in clear", en.Name())
		}
		journal = journal || strings.HasSuffix(en.Name(), ".journal.jsonl")
	}
	if !journal {
		t.Error("a failed rollback should leave its journal behind")
	}
}
