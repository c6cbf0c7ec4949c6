package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/sim"
)

// slowStack's VM takes the simulator's ReadyAfter to become running, so
// an apply of it holds the lock that long.
const slowStack = `stack: locked
location: jkt01
%s
vms:
  web:
    name: locked-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    username: deploy
    password: Locked-Passw0rd
`

// startIdstack starts idstack in a process of its own (the test binary,
// which TestMain puts on $PATH as idstack): two runs in one process would
// share urfave/cli's global help flag, and a lock is between processes.
func (r *simRun) startIdstack(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	r.t.Helper()
	bin, err := exec.LookPath("idstack")
	if err != nil {
		r.t.Skipf("no idstack command on $PATH (TestMain puts it there): %v", err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, append([]string{"--endpoint", r.url, "--api-key", "test-key"}, args...)...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = &out, &errb, r.dir
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return cmd, &out, &errb
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestConcurrentAppliesNeverBothRun: while one apply of a stack runs, a
// second fails at once naming the holder, or with --lock-timeout waits for
// the first to finish and then finds nothing left to do; never do both
// apply. For the local backend and for the S3 one.
func TestConcurrentAppliesNeverBothRun(t *testing.T) {
	t.Parallel()
	backends := []struct {
		name, backend string
		held          func(r *simRun) bool
	}{
		{"local", "", func(r *simRun) bool {
			_, err := os.Stat(filepath.Join(r.dir, ".idstack", "locked.lock"))
			return err == nil
		}},
		{"s3", "backend: {s3: {bucket: lock-state, key: locked.json}}", func(r *simRun) bool {
			for _, o := range r.sim.World().Objects {
				if o.Bucket == "lock-state" && o.Key == "locked.json.lock" {
					return true
				}
			}
			return false
		}},
	}
	for _, be := range backends {
		for _, wait := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/wait=%v", be.name, wait), func(t *testing.T) {
				t.Parallel()
				// Without --lock-timeout the second apply must find the
				// lock held: the first's VM create is held back until the
				// second has ended (at a fixed 1.5 s, a loaded machine
				// sometimes started the second only after the first had
				// ended). With it, the first holds the lock 1.5 s (the
				// VM's create) and the second waits for it, or, started
				// late, finds nothing left to do: either passes.
				release := make(chan struct{})
				var once sync.Once
				s := sim.New(sim.Options{Seed: 1, ReadyAfter: 1500 * time.Millisecond})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if !wait && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/user-resource/vm") {
						select {
						case <-release:
						case <-req.Context().Done():
							return
						}
					}
					s.ServeHTTP(w, req)
				}))
				t.Cleanup(srv.Close)
				t.Cleanup(func() { once.Do(func() { close(release) }) }) // before srv.Close
				r := &simRun{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
				if be.backend != "" {
					r.makeStateBucket("lock-state")
				}
				f := r.write("idstack.yaml", fmt.Sprintf(slowStack, be.backend))

				first, firstOut, firstErr := r.startIdstack("apply", "-f", f, "--auto-approve")
				deadline := time.Now().Add(10 * time.Second)
				for !be.held(r) {
					if time.Now().After(deadline) {
						t.Fatal("the first apply never took the lock")
					}
					time.Sleep(10 * time.Millisecond)
				}

				args := []string{"apply", "-f", f, "--auto-approve"}
				if wait {
					args = append(args, "--lock-timeout", "60s")
				}
				second, secondOut, secondErr := r.startIdstack(args...)
				code := exitCode(second.Wait())
				once.Do(func() { close(release) })
				out, errs := secondOut.String(), secondErr.String()
				if c := exitCode(first.Wait()); c != 0 {
					t.Fatalf("first apply: exit %d\n%s%s", c, firstOut, firstErr)
				}
				if !wait {
					if code != ExitError || !strings.Contains(errs, `state is locked by "idstack apply" (pid `+fmt.Sprint(first.Process.Pid)) {
						t.Fatalf("second apply without --lock-timeout: exit %d, want 1 naming the holder\n%s%s", code, out, errs)
					}
				} else if code != 0 || !strings.Contains(out, "No changes") {
					t.Fatalf("second apply with --lock-timeout: exit %d, want 0 and no changes left\n%s%s", code, out, errs)
				}
				n := 0
				for _, v := range r.sim.World().VMs {
					if v.API.Name == "locked-web" {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("%d VMs named locked-web, want 1: both applies ran", n)
				}
				if be.held(r) {
					t.Errorf("the lock is still held after both runs ended")
				}
			})
		}
	}
}
