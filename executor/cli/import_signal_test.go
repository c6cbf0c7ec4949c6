package cli_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/provider/sim"
)

// TestImportSIGTERM: SIGTERM (a cancelled CI job) while `idstack import`
// refreshes under the lock cancels its calls: it exits 1, not killed by
// the signal, and leaves no lock behind and nothing recorded.
func TestImportSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	s := sim.New(sim.Options{Seed: 1, Latency: 30 * time.Second})
	calls := &countCalls{next: s}
	srv := httptest.NewServer(calls)
	t.Cleanup(srv.Close)
	e := &env{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
	f := e.write("imp.yaml", importStack)
	p := e.start([]string{"DEMO_PASSWORD=Secret-123"}, "import", "vms.web", "3f6c1a2e-0000-4000-8000-000000000001", "-f", f)
	waitUntil(t, 20*time.Second, "a call to the simulator", func() bool { return calls.n.Load() > 0 })
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != cli.ExitError || p.killed() {
		t.Fatalf("exit %d (killed by the signal: %v), want 1\n%s", code, p.killed(), p.out.String())
	}
	if _, err := os.Stat(filepath.Join(e.dir, ".idstack", "imp.lock")); !os.IsNotExist(err) {
		t.Errorf("the interrupted import left its lock (stat: %v)\n%s", err, p.out.String())
	}
	if st := readState(t, e.dir, "imp"); st.Get("vms.web") != nil {
		t.Errorf("the interrupted import recorded vms.web: %+v", st.Get("vms.web"))
	}
}
