package cli_test

import (
	"os"
	"path/filepath"
	"testing"

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
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e, calls := slowEnv(t, opts)
		f := e.write("imp.yaml", importStack)
		p := e.start([]string{"DEMO_PASSWORD=Secret-123"}, "import", "vms.web", "3f6c1a2e-0000-4000-8000-000000000001", "-f", f)
		sigtermDuringCall(t, p, calls)
		if _, err := os.Stat(filepath.Join(e.dir, ".idstack", "imp.lock")); !os.IsNotExist(err) {
			t.Errorf("the interrupted import left its lock (stat: %v)\n%s", err, p.out.String())
		}
		if st := readState(t, e.dir, "imp"); st.Get("vms.web") != nil {
			t.Errorf("the interrupted import recorded vms.web: %+v", st.Get("vms.web"))
		}
	})
}
