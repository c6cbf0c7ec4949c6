package cli_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// iwinvIDSegment is a path segment of iwinv that names an object: an
// instance's or a volume's UUID, a firewall's FIREWALL-…, a rule's number.
var iwinvIDSegment = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f-]+$|^FIREWALL-[0-9A-F]+$|^[0-9]+$`)

// iwinvPattern turns a call's path into a fault pattern: ids become *.
func iwinvPattern(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if iwinvIDSegment.MatchString(s) {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// iwinvMutations lists the mutating calls an iwinv simulator has seen, in
// order, as faults can name them.
func iwinvMutations(calls []iwinvsim.Call) []mutation {
	var out []mutation
	seen := map[string]int{}
	for _, c := range calls {
		if c.Method == "GET" {
			continue
		}
		p := iwinvPattern(c.Path)
		seen[c.Method+p]++
		out = append(out, mutation{c.Method, p, seen[c.Method+p]})
	}
	return out
}

// iwinvUpdateEdits turn the applied example into an update-only plan: a
// resize (restart), a rename, a rebuild, a changed rule, the firewall's
// description and ICMP flag, and a detach of the firewall from one VM.
var iwinvUpdateEdits = [][2]string{
	{"web_flavor: STD-1C1G", "web_flavor: STD-2C4G"},
	{"name: blog-${var.env}-db", "name: blog-${var.env}-database"},
	{"image: Ubuntu 22.04\n    ssh_key: deploy\n\ndisks", "image: Debian 12\n    ssh_key: deploy\n\ndisks"},
	{`port: "80", source: 0.0.0.0/0, description: http}`, `port: "8080", source: 0.0.0.0/0, description: http alt}`},
	{"description: web traffic", "description: web and ssh"},
	{"icmp: true", "icmp: false"},
	{"attach_to: [web, db]", "attach_to: [web]"},
}

// editIwinvExample applies iwinvUpdateEdits to the example in e's
// directory.
func editIwinvExample(e *env, f string) {
	e.t.Helper()
	for _, ed := range iwinvUpdateEdits {
		e.editFile(f, ed[0], ed[1])
	}
}

// iwinvFirstPhaseMutations applies in a scratch simulator and returns the
// mutating calls of the apply, in order (parallelism 1 makes the order
// the same every time).
func iwinvFirstPhaseMutations(t *testing.T, setup func(*env) string) []mutation {
	t.Helper()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := setup(e)
	e.iw.ResetCalls()
	e.mustRun(0, "apply", "-f", f, "--auto-approve", "--parallelism", "1")
	return iwinvMutations(e.iw.Calls())
}

// TestIwinvFailureAtEachStepRollsBack injects a permanent failure at each
// mutating call of the iwinv example's apply in turn (a create of every
// kind, each rule, each attachment), and of an update-only plan's apply
// (resize, rename, rebuild, rules, firewall edit, detach): the apply exits
// 1, the world is the world from before, and the state agrees with it.
func TestIwinvFailureAtEachStepRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("many applies")
	}
	t.Parallel()
	for _, variant := range []struct {
		name  string
		setup func(*env) string // returns the file to apply; the world before is the one to restore
		min   int
	}{
		{"create", func(e *env) string { return iwinvExample(e.t, e) }, 8},
		{"update", func(e *env) string {
			f := iwinvExample(e.t, e)
			e.mustRun(0, "apply", "-f", f, "--auto-approve")
			editIwinvExample(e, f)
			return f
		}, 7},
	} {
		t.Run(variant.name, func(t *testing.T) {
			t.Parallel()
			muts := iwinvFirstPhaseMutations(t, variant.setup)
			if len(muts) < variant.min {
				t.Fatalf("only %d mutating calls: %v", len(muts), muts)
			}
			t.Logf("%d mutating calls: %v", len(muts), muts)
			for _, m := range muts {
				t.Run(m.String(), func(t *testing.T) {
					t.Parallel()
					e := newIwinvEnv(t, iwinvsim.Options{})
					f := variant.setup(e)
					before := e.iw.World()
					stBefore := readState(t, e.dir, iwinvStack)
					e.iw.AddFault(iwinvsim.Fault{Method: m.Method, Path: m.Path, Nth: m.Nth, Status: 422, Message: "injected permanent failure"})
					code, out, errs := e.run("apply", "-f", f, "--auto-approve", "--parallelism", "1")
					if code != 1 {
						t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
					}
					if !strings.Contains(out, "Rolled back") && !strings.Contains(errs, "Nothing had been changed") {
						t.Errorf("no rollback reported:\n%s%s", out, errs)
					}
					after := e.iw.World()
					if d := cmp.Diff(before, after, sameIwinvWorld); d != "" {
						t.Errorf("the world differs from before the apply (-before +after):\n%s\n%s", d, out)
					}
					assertIwinvStateAgrees(t, e, before, after)
					if d := cmp.Diff(stBefore.Resources, readState(t, e.dir, iwinvStack).Resources, cmpopts.EquateEmpty()); d != "" {
						t.Errorf("the state differs from before the apply (-before +after):\n%s", d)
					}
				})
			}
		})
	}
}

// TestIwinvTransientFailuresConverge: 20% of all calls fail, half 503,
// half 429, before they change anything; the apply still ends with the
// example's objects, each once, and the state agrees.
func TestIwinvTransientFailuresConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: retries back off, unknown creates are waited for")
	}
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{Seed: 5})
	f := iwinvExample(t, e)
	before := e.iw.World()
	for _, fault := range iwinvsim.TransientFaults(0.2, 1) {
		e.iw.AddFault(fault)
	}
	e.mustRunWithin(time.Minute, 0, "apply", "-f", f, "--auto-approve")
	failed := 0
	for _, c := range e.iw.Calls() {
		if c.Status == 503 || c.Status == 429 {
			failed++
		}
	}
	if failed < 3 {
		t.Errorf("only %d calls failed: the faults did not bite", failed)
	}
	w := e.iw.World()
	assertIwinvExample(t, w)
	assertIwinvStateAgrees(t, e, before, w)
	e.iw.ClearFaults()
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}

// TestIwinvLostCreateAnswersAreAdopted: the answers of the first create
// of each kind are lost (the create is made); the apply adopts what was
// made — an instance and a firewall by name, the volume, which has no
// name, by its size, type and instance, made after the intent — and
// creates nothing twice.
func TestIwinvLostCreateAnswersAreAdopted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		paths []string
	}{
		{"every kind", []string{"/instances", "/block-storages", "/security-groups"}},
		{"a rule and an attachment", []string{"/security-groups/*/rules", "/security-groups/*/attach"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newIwinvEnv(t, iwinvsim.Options{})
			f := iwinvExample(t, e)
			before := e.iw.World()
			for _, p := range tc.paths {
				e.iw.AddFault(iwinvsim.Fault{Method: "POST", Path: p, Nth: 1, LostResponse: true})
			}
			out := e.mustRunWithin(time.Minute, 0, "apply", "-f", f, "--auto-approve")
			lost := 0
			for _, c := range e.iw.Calls() {
				if c.Lost {
					lost++
				}
			}
			if lost != len(tc.paths) {
				t.Fatalf("%d answers were lost, want %d", lost, len(tc.paths))
			}
			w := e.iw.World()
			assertIwinvExample(t, w)
			assertIwinvStateAgrees(t, e, before, w)
			e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
			if t.Failed() {
				t.Log(out)
			}
		})
	}
}

// iwinvCallPending reports whether the iwinv simulator is working on an
// asynchronous call to one of the paths (fault patterns).
func iwinvCallPending(e *env, paths ...string) bool {
	for _, c := range e.iw.Calls() {
		if c.Pending && (len(paths) == 0 || containsString(paths, iwinvPattern(c.Path))) {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
