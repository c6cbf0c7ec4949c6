package cli_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// iwinvCrashEdits turn the applied iwinv example into an update-and-
// replace plan: a resize (restart), a rebuild, a bigger disk (the API
// cannot resize a volume: a new one, then the old one deleted), a changed
// rule, a renamed firewall and a detach.
var iwinvCrashEdits = [][2]string{
	{"web_flavor: STD-1C1G", "web_flavor: STD-2C4G"},
	{"image: Ubuntu 22.04\n    ssh_key: deploy\n\ndisks", "image: Debian 12\n    ssh_key: deploy\n\ndisks"},
	{"size: 50", "size: 60"},
	{`port: "80", source: 0.0.0.0/0, description: http}`, `port: "8080", source: 0.0.0.0/0, description: http alt}`},
	{"name: blog-${var.env}-web\n    description: web traffic", "name: blog-${var.env}-front\n    description: web traffic"},
	{"attach_to: [web, db]", "attach_to: [web]"},
}

// iwinvAsyncPaths are the calls whose work goes on after their 202: a kill
// then leaves the simulator working.
var iwinvAsyncPaths = []string{"/instances", "/instances/*/resize", "/instances/*/rebuild", "/block-storages", "/block-storages/*"}

// assertIwinvOnce checks that the world holds exactly the stack's objects
// (two instances of distinct names, one volume, one firewall): nothing
// made twice, nothing left over.
func assertIwinvOnce(t *testing.T, w iwinvsim.World) {
	t.Helper()
	names := map[string]int{}
	for _, in := range w.Instances {
		names[in.Name]++
	}
	for _, name := range iwinvExampleVMs {
		if names[name] != 1 {
			t.Errorf("%d instances named %s, want 1", names[name], name)
		}
	}
	if len(w.Instances) != 2 || len(w.BlockStorages) != 1 || len(w.SecurityGroups) != 1 {
		t.Errorf("%d instances (%v), %d volumes, %d firewalls; want 2, 1, 1", len(w.Instances), names, len(w.BlockStorages), len(w.SecurityGroups))
	}
}

// TestKilledApplyRecoversIwinv is TestKilledApplyRecovers on iwinv: the
// built binary applies the iwinv example (or, every other trial, an
// update-and-replace plan of it) against the iwinv simulator and is
// killed with SIGKILL at a random point, every third trial while an
// asynchronous call (an instance create, resize or rebuild, a volume
// create or delete) is still being worked on. After each kill: the state
// parses, plan works (or reports the lock), and after unlock the next
// apply ends with exit 0 within the create deadline and a margin, with no
// duplicate and no live object unknown to the state, and the plan after
// it has no changes. IDSTACK_CRASH_TRIALS sets the number of trials
// (default 4; CI runs 50); six run at once.
func TestKilledApplyRecoversIwinv(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	t.Parallel()
	trials := 4
	if n, err := strconv.Atoi(os.Getenv("IDSTACK_CRASH_TRIALS")); err == nil && n > 0 {
		trials = n
	}
	// Asynchronous operations take 100 ms; a create whose outcome the kill
	// cut is waited for until this deadline.
	const deadline = time.Second
	const bound = deadline + 15*time.Second
	dl := "--create-deadline=" + deadline.String()
	buildBinary(t)
	rng := rand.New(rand.NewPCG(13, uint64(time.Now().UnixNano())))
	var (
		rngMu                                     sync.Mutex
		statsMu                                   sync.Mutex
		done, killed, inFlight, recovered, waited int
		slowest                                   time.Duration
	)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= trials || t.Failed() {
					return
				}
				update := i%2 == 1
				variant := "create"
				if update {
					variant = "update"
				}
				atAsync := i%3 == 2
				// A kill at any point of the apply: a create-everything
				// apply takes about 0.4 s here, an update-and-replace one
				// (resize, rebuild, a disk made and one deleted) about 1 s.
				window := 450
				if update {
					window = 1200
				}
				rngMu.Lock()
				delay := time.Duration(rng.IntN(window)) * time.Millisecond
				rngMu.Unlock()
				when := "@" + delay.String()
				if atAsync {
					when = "-during-an-async-call"
				}
				t.Run(fmt.Sprintf("%02d-%s-kill%s", i, variant, when), func(t *testing.T) {
					e := newIwinvEnv(t, iwinvsim.Options{Latency: time.Millisecond, ReadyAfter: 100 * time.Millisecond})
					f := iwinvExample(t, e)
					before := e.iw.World()
					if update {
						e.mustRun(0, "apply", "-f", f, "--auto-approve")
						for _, ed := range iwinvCrashEdits {
							e.editFile(f, ed[0], ed[1])
						}
					}
					calls := e.iw.CallCount()
					p := e.start([]string{"IDSTACK_CREATE_DEADLINE=" + deadline.String()}, "apply", "-f", f, "--auto-approve")
					if atAsync {
						waitUntil(t, 20*time.Second, "an asynchronous call in progress", func() bool {
							return iwinvCallPending(e, iwinvAsyncPaths...) && e.iw.CallCount() > calls
						})
					} else {
						select {
						case <-p.done:
						case <-time.After(delay):
						}
					}
					wasKilled := p.kill()
					async := iwinvCallPending(e, iwinvAsyncPaths...)
					if !wasKilled && exitCodeOf(p) != 0 {
						t.Fatalf("apply failed before it was killed: exit %d\n%s", exitCodeOf(p), p.out.String())
					}
					readState(t, e.dir, iwinvStack) // must parse
					code, _, errs := e.run("plan", "-f", f, dl)
					if code != 0 && !strings.Contains(errs, "locked") {
						t.Fatalf("plan after the kill: exit %d\n%s", code, errs)
					}
					e.mustRun(0, "unlock", "-f", f)
					code, out, errs, took := e.runWithin(bound, "apply", "-f", f, "--auto-approve", dl)
					if code != 0 {
						t.Fatalf("the apply after the kill: exit %d\n%s%s\nthe killed run's output:\n%s", code, out, errs, p.out.String())
					}
					w := e.iw.World()
					assertIwinvOnce(t, w)
					assertIwinvStateAgrees(t, e, before, w)
					e.mustRun(0, "plan", "-f", f, "--detailed-exitcode", dl)
					statsMu.Lock()
					defer statsMu.Unlock()
					done++
					if wasKilled {
						killed++
						if async {
							inFlight++
						}
					}
					if strings.Contains(errs, "Recovered from an interrupted apply") {
						recovered++
					}
					if strings.Contains(errs, "waiting for it to appear") {
						waited++
					}
					slowest = max(slowest, took)
				})
			}
		}()
	}
	wg.Wait()
	t.Logf("%d trials in %s: %d killed mid-apply (%d while an asynchronous call was being worked on), %d recovered a create from the journal, %d of them waited for it to appear; the slowest apply after a kill took %s",
		done, time.Since(start).Round(time.Millisecond), killed, inFlight, recovered, waited, slowest.Round(time.Millisecond))
	if !t.Failed() && killed < trials/4 {
		t.Errorf("only %d of %d trials were killed mid-apply: the kill window is too late", killed, trials)
	}
}
