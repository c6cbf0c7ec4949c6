package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/sim"
)

// threeVMs are three VMs with no reference between them: an apply starts
// all three creates at once.
const threeVMs = `stack: trio
location: jkt01
vms:
  a: {name: trio-a, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, username: deploy, password: Trio-Passw0rd}
  b: {name: trio-b, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, username: deploy, password: Trio-Passw0rd}
  c: {name: trio-c, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, username: deploy, password: Trio-Passw0rd}
`

// firstInterruptSeen is what idstack prints when it has taken the first
// interrupt (a second one then stops it at once).
const firstInterruptSeen = "Interrupt again to stop at once"

// assertRolledBack checks the end of an apply that an interrupt stopped
// in its first phase: exit 1, "Rolled back" said, the world as before,
// and a state that agrees (owning nothing new).
func assertRolledBack(t *testing.T, e *env, p *proc, code int, stack string, before sim.World) {
	t.Helper()
	out := p.out.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"Interrupted", "roll back", "Rolled back: the cloud is as it was before this apply"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Apply complete") {
		t.Errorf("an interrupted apply says it completed:\n%s", out)
	}
	after := e.sim.World()
	if d := cmp.Diff(before, after, sameWorld); d != "" {
		t.Errorf("the world differs from before (-before +after):\n%s\n%s", d, out)
	}
	assertStateAgrees(t, readState(t, e.dir, stack), before, after)
}

// interruptRollsBack: the first Ctrl-C (SIGINT) or SIGTERM, sent while a
// VM create is in progress, stops scheduling, lets the running create
// finish and rolls everything back.
func interruptRollsBack(t *testing.T, sig syscall.Signal) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	eachMode(t, sim.Options{Latency: 2 * time.Millisecond, ReadyAfter: 300 * time.Millisecond}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := shopExample(t, e)
		before := e.sim.World()
		p := e.start(nil, "apply", "-f", f, "--auto-approve")
		waitPending(t, e, 1, "POST", "/user-resource/vm", 20*time.Second) // the network is made, the db VM is being created
		p.signal(sig)
		assertRolledBack(t, e, p, p.wait(20*time.Second), "shop-staging", before)
	})
}

// TestCtrlCRollsBack: the first Ctrl-C stops scheduling, lets running
// steps finish and rolls everything back (exit 1, the world as before).
func TestCtrlCRollsBack(t *testing.T) { interruptRollsBack(t, syscall.SIGINT) }

// TestSIGTERMRollsBack: SIGTERM (what CI sends to a cancelled job) is a
// Ctrl-C: the apply rolls back (exit 1, the world as before).
func TestSIGTERMRollsBack(t *testing.T) { interruptRollsBack(t, syscall.SIGTERM) }

// TestInterruptWhenEveryStepHasStartedRollsBack (issue 11, item 4): a
// Ctrl-C that comes when every step of the apply has already started
// (three independent VM creates in progress) still rolls back: exit 1,
// never "Apply complete".
func TestInterruptWhenEveryStepHasStartedRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	eachMode(t, sim.Options{ReadyAfter: time.Second}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := e.write("idstack.yaml", threeVMs)
		before := e.sim.World()
		p := e.start(nil, "apply", "-f", f, "--auto-approve")
		waitPending(t, e, 3, "POST", "/user-resource/vm", 20*time.Second) // every step has started
		p.signal(syscall.SIGINT)
		assertRolledBack(t, e, p, p.wait(20*time.Second), "trio", before)
	})
}

// assertNothingLost is assertStateAgrees for a run stopped at once: every
// owned id is live, and a new live object the state does not own is one
// whose create's outcome the stop cut: an open create intent of the
// journal names it, so the next run waits for it and adopts it.
func assertNothingLost(t *testing.T, dir, stack string, before, w sim.World) {
	t.Helper()
	st := readState(t, dir, stack)
	entries, err := state.ReadJournalFile(filepath.Join(dir, ".idstack", stack+".journal.jsonl"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("the journal: %v", err)
	}
	journaled := map[string]bool{}
	deleting := map[string]bool{} // objects of open deletes (a rollback cut by the stop)
	for _, in := range state.Open(entries) {
		switch in.Op {
		case "create", "replace":
			journaled[in.Kind+"/"+in.Name] = true
		case "delete":
			deleting[in.ID] = true
		}
	}
	live, old := liveObjects(w), liveIDs(before)
	owned := map[string]bool{}
	for _, r := range st.Resources {
		owned[r.ID] = true
		// A delete the stop cut may have gone through: the journal keeps
		// it open, and the next run finds the object gone.
		if _, ok := live[r.ID]; !ok && !deleting[r.ID] {
			t.Errorf("the state owns %s (%s) which is not live (and no delete of it is open in the journal)", r.Address, r.ID)
		}
	}
	for _, r := range st.Deposed {
		owned[r.ID] = true
	}
	for id, what := range live {
		if !old[id] && !owned[id] && !journaled[what] {
			t.Errorf("live object %s (%s) is unknown to the state and to the journal's open creates (leaked)", id, what)
		}
	}
}

// liveObjects maps the id of each live object to its kind and name.
func liveObjects(w sim.World) map[string]string {
	m := map[string]string{}
	for _, v := range w.VMs {
		m[v.API.UUID] = "vms/" + v.API.Name
	}
	for _, n := range w.Networks {
		m[n.API.UUID] = "networks/" + n.API.Name
	}
	for _, d := range w.Disks {
		if !d.VMOwned {
			m[d.API.UUID] = "disks/"
		}
	}
	for _, f := range w.FloatingIPs {
		m[f.API.Address] = "floating_ips/" + f.API.Name
	}
	for _, l := range w.LoadBalancers {
		m[l.API.UUID] = "load_balancers/" + l.API.DisplayName
	}
	for _, b := range w.Buckets {
		m[b.Name] = "buckets/" + b.Name
	}
	return m
}

// secondSignalStopsAtOnce sends two interrupts while the db VM is being
// created (for killedCreate: long enough for the next apply to find it
// still going on), the second once idstack has taken the first: the run
// ends at once with exit 4, nothing is lost (the state, and the journal
// for a create the stop cut), and the next apply, after unlock, finishes
// the job with no duplicate. With synchronous VM creates, the second
// signal cuts the db VM's create: the next apply waits for the VM and
// adopts it, never creating it again.
func secondSignalStopsAtOnce(t *testing.T, opts sim.Options, first, second syscall.Signal) {
	t.Helper()
	opts.Latency, opts.ReadyAfter = 2*time.Millisecond, killedCreate
	e := newEnv(t, opts)
	f := shopExample(t, e)
	before := e.sim.World()
	p := e.start(nil, "apply", "-f", f, "--auto-approve")
	waitForCall(t, e, "POST", "/user-resource/vm") // the db VM's create
	p.signal(first)
	waitUntil(t, 10*time.Second, "idstack takes the first interrupt", func() bool { return strings.Contains(p.out.String(), firstInterruptSeen) })
	sent := time.Now()
	p.signal(second)
	code := p.wait(20 * time.Second)
	took := time.Since(sent)
	t.Logf("the second signal stopped the run in %s", took.Round(time.Millisecond))
	if took > time.Second {
		t.Errorf("the second signal took %s to stop the run", took)
	}
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s", code, p.out.String())
	}
	if strings.Contains(p.out.String(), "Rolled back") {
		t.Errorf("a run stopped at once says it rolled back:\n%s", p.out.String())
	}
	assertNothingLost(t, e.dir, "shop-staging", before, e.sim.World())
	e.mustRun(0, "unlock", "-f", f)
	e.sim.SetReadyAfter(30 * time.Millisecond)
	out := e.mustRunWithin(20*time.Second, 0, "apply", "-f", f, "--auto-approve", "--create-deadline", waitDeadline)
	w := e.sim.World()
	assertNoDuplicates(t, w)
	assertShopVMs(t, w)
	assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	if opts.AsyncVMs {
		return
	}
	if !strings.Contains(out, "Recovered from an interrupted apply: vms.db") {
		t.Errorf("the next apply does not say it recovered the db VM whose create the stop cut:\n%s", out)
	}
	if live(opts) && !strings.Contains(out, `An interrupted apply was creating vms.db "shop-staging-db"`) {
		t.Errorf("the next apply does not say it waits for the db VM (not listed until its create ends):\n%s", out)
	}
	if n := len(callsTo(e, "POST", "/user-resource/vm")); n != 3 {
		t.Errorf("%d VM creates, want 3 (the db VM's, cut by the stop, then the two web VMs')", n)
	}
}

// TestSecondCtrlCStopsAtOnce: a second Ctrl-C aborts the run at once;
// the state stays right, and the next apply finishes the job. With VMs
// created asynchronously (the create answered at once, the VM booting)
// and synchronously (the create answered when the VM runs).
func TestSecondCtrlCStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	names := []string{"document/async", "document/sync", "live/async", "live/sync"}
	concurrently(t, names, func(t *testing.T, i int) {
		opts := sim.Options{Quirks: simModes[i/2].quirks, AsyncVMs: i%2 == 0}
		secondSignalStopsAtOnce(t, opts, syscall.SIGINT, syscall.SIGINT)
	})
}

// TestSecondSignalStopsAtOnce: SIGTERM then SIGTERM, or Ctrl-C then
// SIGTERM, while a synchronous VM create is in progress: the second stops
// the run at once (exit 4), cutting the create's answer; the journal
// keeps the create open, so the next apply waits for the VM and adopts
// it: no duplicate.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	pairs := [][2]syscall.Signal{{syscall.SIGTERM, syscall.SIGTERM}, {syscall.SIGINT, syscall.SIGTERM}}
	var names []string
	for _, m := range simModes {
		for _, pair := range pairs {
			names = append(names, fmt.Sprintf("%s/%s-then-%s", m.name, sigName(pair[0]), sigName(pair[1])))
		}
	}
	concurrently(t, names, func(t *testing.T, i int) {
		pair := pairs[i%len(pairs)]
		secondSignalStopsAtOnce(t, sim.Options{Quirks: simModes[i/len(pairs)].quirks}, pair[0], pair[1])
	})
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// waitForCall waits until the simulator has seen a call (at most 20 s).
func waitForCall(t *testing.T, e *env, method, path string) {
	t.Helper()
	waitUntil(t, 20*time.Second, method+" "+path, func() bool { return len(callsTo(e, method, path)) > 0 })
}
