package cli_test

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/sim"
)

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
	bin := filepath.Join(t.TempDir(), "idstack")
	build := exec.Command("go", "build", "-o", bin, "github.com/idstack/idstack")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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
	if killedMidway < trials/2 {
		t.Errorf("only %d of %d trials were killed mid-apply: the kill window is too late", killedMidway, trials)
	}
}
