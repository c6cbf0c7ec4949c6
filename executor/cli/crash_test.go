package cli_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider/sim"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds the idstack command once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "idstack-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "idstack")
		if out, err := exec.Command("go", "build", "-o", binPath, "github.com/idstack/idstack").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestKilledApplyRecovers kills `idstack apply` with SIGKILL at random
// points, many times: after each, the state file parses, and the next
// apply converges with no duplicate and no live object unknown to the
// state. IDSTACK_CRASH_TRIALS sets the number of trials (default 50).
func TestKilledApplyRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	trials := 50
	if n, err := strconv.Atoi(os.Getenv("IDSTACK_CRASH_TRIALS")); err == nil && n > 0 {
		trials = n
	}
	bin := buildBinary(t)
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	killedMidway, recovered := 0, 0
	for i := 0; i < trials; i++ {
		e := newEnv(t, sim.Options{Latency: time.Millisecond})
		f := shopExample(t, e)
		before := e.sim.World()
		if i%2 == 1 {
			// Odd trials kill an update-and-replace apply of a live stack.
			e.mustRun(0, "apply", "-f", f, "--auto-approve")
			b, _ := os.ReadFile(f)
			edited := strings.NewReplacer("target_port: 8443", "target_port: 9443", "assign_to: db", "assign_to: web-2",
				`os_version: "12"`, `os_version: "11"`, "size: 50", "size: 60", "name: shop-${var.env}-net", "name: shop-${var.env}-network").Replace(string(b))
			edited = strings.Replace(edited, "vcpu: 2\n", "vcpu: 3\n", 1)
			f = e.write("shop.yaml", strings.Replace(edited, "name: shop-${var.env}-assets-7f3a", "name: shop-${var.env}-assets-9b2c", 1))
		}
		cmd := exec.Command(bin, "--endpoint", e.url, "--api-key", "k", "apply", "-f", f, "--auto-approve")
		cmd.Dir = e.dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(450)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killedMidway++
		} else if err != nil {
			t.Fatalf("trial %d: apply failed before it was killed: %v", i, err)
		}
		readState(t, e.dir, "shop-staging") // must parse
		// The dead run's lock is stale: the way out the error names.
		code, _, errs := e.run("plan", "-f", f)
		if code != 0 && !strings.Contains(errs, "locked") {
			t.Fatalf("trial %d: plan after the kill: exit %d\n%s", i, code, errs)
		}
		if strings.Contains(errs, "Recovered from an interrupted apply") {
			recovered++
		}
		e.run("unlock", "-f", f)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		w := e.sim.World()
		assertNoDuplicates(t, w)
		assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
		if t.Failed() {
			t.Fatalf("trial %d failed", i)
		}
	}
	t.Logf("%d trials, %d killed mid-apply, %d left a create to recover from the journal", trials, killedMidway, recovered)
	if killedMidway < trials/4 {
		t.Errorf("only %d of %d trials were killed mid-apply: the kill window is too late", killedMidway, trials)
	}
}

// startApply starts the real command on a stack against the simulator.
func startApply(t *testing.T, e *env, f string, out *strings.Builder) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(buildBinary(t), "--endpoint", e.url, "--api-key", "k", "apply", "-f", f, "--auto-approve")
	cmd.Dir = e.dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func exitCode(cmd *exec.Cmd) int {
	if cmd.ProcessState == nil {
		return -1
	}
	return cmd.ProcessState.ExitCode()
}

// TestCtrlCRollsBack: the first Ctrl-C stops scheduling, lets running
// steps finish and rolls everything back (exit 1, the world as before).
func TestCtrlCRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	e := newEnv(t, sim.Options{Latency: 2 * time.Millisecond, ReadyAfter: 300 * time.Millisecond})
	f := shopExample(t, e)
	before := e.sim.World()
	var out strings.Builder
	cmd := startApply(t, e, f, &out)
	waitForCall(t, e, "POST", "/user-resource/vm") // the network is made, the VMs are booting
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := exitCode(cmd); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out.String())
	}
	for _, want := range []string{"Interrupted", "roll back", "Rolled back"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	after := e.sim.World()
	if d := cmp.Diff(before, after, sameWorld); d != "" {
		t.Errorf("the world differs from before (-before +after):\n%s", d)
	}
	assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, after)
}

// TestSecondCtrlCStopsAtOnce: a second Ctrl-C aborts running calls; the
// state stays right, and the next apply finishes the job.
func TestSecondCtrlCStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	// Asynchronous VMs: the creates are answered, the VMs boot for 2 s.
	e := newEnv(t, sim.Options{Latency: 2 * time.Millisecond, ReadyAfter: 2 * time.Second, AsyncVMs: true})
	f := shopExample(t, e)
	before := e.sim.World()
	var out strings.Builder
	cmd := startApply(t, e, f, &out)
	waitForCall(t, e, "POST", "/user-resource/vm") // VMs are booting for 2 s
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("the second Ctrl-C took %s to stop the run", waited)
	}
	if code := exitCode(cmd); code != 4 {
		t.Fatalf("exit %d, want 4\n%s", code, out.String())
	}
	w := e.sim.World()
	assertStateAgrees(t, readState(t, e.dir, "shop-staging"), before, w)
	e.run("unlock", "-f", f)
	e.sim.SetReadyAfter(30 * time.Millisecond)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	assertNoDuplicates(t, e.sim.World())
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}

// waitForCall waits until the simulator has served a call (at most 20 s).
func waitForCall(t *testing.T, e *env, method, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range e.sim.Calls() {
			if c.Method == method && c.Path == path {
				time.Sleep(50 * time.Millisecond)
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s %s within 20 s", method, path)
}
