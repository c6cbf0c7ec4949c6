package cli

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/sim"
)

// TestUnlockSaysWhatItDid (issue 11, item 10): `idstack unlock` says what
// it found and what it did: no lock, a lock it removed naming its holder,
// or an unreadable lock it removed saying why it was unreadable; for the
// local backend and the S3 one. Afterwards an apply takes the lock.
func TestUnlockSaysWhatItDid(t *testing.T) {
	t.Parallel()
	const stack = `stack: unl
location: jkt01
%s
networks:
  app: {name: unl-app}
`
	type backend struct {
		name, yaml, lock string
		put              func(r *simRun, data []byte)
		exists           func(r *simRun) bool
	}
	local := backend{name: "local", lock: ".idstack/unl.lock"}
	local.put = func(r *simRun, data []byte) {
		p := filepath.Join(r.dir, ".idstack", "unl.lock")
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
	local.exists = func(r *simRun) bool {
		_, err := os.Stat(filepath.Join(r.dir, ".idstack", "unl.lock"))
		return err == nil
	}
	s3 := backend{name: "s3", yaml: "backend: {s3: {bucket: unl-state, key: ci/unl.state.json}}", lock: "s3://unl-state/ci/unl.state.json.lock"}
	s3.put = func(r *simRun, data []byte) {
		sum := md5.Sum(data)
		r.sim.Mutate(func(w *sim.World) {
			w.Objects = append(w.Objects, sim.Object{Bucket: "unl-state", Key: "ci/unl.state.json.lock", Data: data, MD5: hex.EncodeToString(sum[:]), Modified: time.Now()})
		})
	}
	s3.exists = func(r *simRun) bool {
		for _, o := range r.sim.World().Objects {
			if o.Bucket == "unl-state" && o.Key == "ci/unl.state.json.lock" {
				return true
			}
		}
		return false
	}
	for _, be := range []backend{local, s3} {
		for _, tc := range []struct {
			name string
			lock *string
			want string
		}{
			{"no lock", nil, "No lock held on %[2]s (there is no %[1]s): nothing to remove."},
			{"a stale lock", ptr(`{"holder": "idstack apply", "host": "ci-runner-7", "pid": 999999, "created_at": "2026-11-20T10:00:00Z"}`),
				`Removed the lock of "idstack apply" (pid 999999 on ci-runner-7 since 2026-11-20T10:00:00Z) on %[2]s.`},
			{"a torn lock", ptr(`{"holder": "idstack ap`),
				"The lock %[1]s was unreadable (not a lock: unexpected end of JSON input); removed it."},
			{"an empty lock", ptr(``),
				"The lock %[1]s was unreadable (it is empty); removed it."},
			{"not a lock", ptr(`<<<<<<< HEAD`),
				"The lock %[1]s was unreadable (not a lock: invalid character '<' looking for beginning of value); removed it."},
			{"a JSON value that is no lock", ptr(`{}`),
				"The lock %[1]s was unreadable (it names no holder, host or pid); removed it."},
		} {
			t.Run(be.name+"/"+tc.name, func(t *testing.T) {
				r := newSimRun(t)
				where := filepath.Join(r.dir, ".idstack", "unl.state.json")
				lockPath := filepath.Join(r.dir, be.lock)
				if be.yaml != "" {
					r.makeStateBucket("unl-state")
					where, lockPath = "s3://unl-state/ci/unl.state.json", be.lock
				}
				f := r.write("idstack.yaml", fmt.Sprintf(stack, be.yaml))
				if tc.lock != nil {
					be.put(r, []byte(*tc.lock))
					// A run that finds it says what it is and how to clear it.
					code, _, errs := r.run("apply", "-f", f, "--auto-approve")
					if code != ExitError || !strings.Contains(errs, lockPath) || !strings.Contains(errs, "idstack unlock") {
						t.Errorf("apply with a lock: exit %d, want 1 naming %s and idstack unlock\n%s", code, lockPath, errs)
					}
				}
				out := r.mustRun(0, "unlock", "-f", f)
				if want := fmt.Sprintf(tc.want, lockPath, where); !strings.Contains(out, want) {
					t.Errorf("unlock says:\n%s\nwant:\n%s", out, want)
				}
				if be.exists(r) {
					t.Fatal("the lock is still there")
				}
				r.mustRun(0, "apply", "-f", f, "--auto-approve")
				if be.exists(r) {
					t.Error("the apply left its lock behind")
				}
			})
		}
	}
}

func ptr(s string) *string { return &s }
