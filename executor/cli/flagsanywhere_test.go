package cli_test

// Flags anywhere after the command name (SPEC §5; args.go), end to end:
// the real commands in-process against the simulator. In parallel but
// for TestStateRmFlagAfterAddress, which changes directory (t.Chdir).

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// otherStack is a second stack that also has a vms.web.
const otherStack = `stack: other
location: jkt01
networks:
  app: {name: other-app}
vms:
  web:
    name: other-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
`

// runRaw runs idstack with exactly args (no --endpoint put in front).
func (e *env) runRaw(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: func(k string) (string, bool) {
		if k == "DEMO_PASSWORD" {
			return "Sup3r-secret", true
		}
		return "", false
	}})
	return code, out.String(), errb.String()
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The README's own syntax, `state rm ADDR -f other.yaml`, used to drop the
// -f and forget the address in ./idstack.yaml's stack.
func TestStateRmFlagAfterAddress(t *testing.T) {
	e := newEnv(t, sim.Options{})
	t.Chdir(e.dir)
	e.write("idstack.yaml", twoVMs)
	e.write("other.yaml", otherStack)
	e.mustRun(0, "apply", "--auto-approve")
	e.mustRun(0, "apply", "-f", "other.yaml", "--auto-approve")
	mainState := filepath.Join(e.dir, ".idstack", "skel.state.json")
	before := readFile(t, mainState)

	out := e.mustRun(0, "state", "rm", "vms.web", "-f", "other.yaml")
	if !strings.Contains(out, "Forgot vms.web") {
		t.Errorf("state rm said:\n%s", out)
	}
	if after := readFile(t, mainState); !bytes.Equal(before, after) {
		t.Fatalf("state rm vms.web -f other.yaml changed ./idstack.yaml's state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if list := e.mustRun(0, "state", "list", "-f", "other.yaml"); strings.Contains(list, "vms.web") {
		t.Errorf("vms.web is still in other.yaml's state:\n%s", list)
	}
	if list := e.mustRun(0, "state", "list"); !strings.Contains(list, "vms.web") {
		t.Errorf("vms.web left ./idstack.yaml's state:\n%s", list)
	}
	// state show, flag after the address too (issue 16's example).
	if out := e.mustRun(0, "state", "show", "vms.db", "-f", "idstack.yaml"); !strings.Contains(out, `"vms.db"`) && !strings.Contains(out, "skel-db") {
		t.Errorf("state show vms.db -f idstack.yaml:\n%s", out)
	}
	if code, _, errs := e.run("state", "show", "vms.db", "-f", "other.yaml"); code != cli.ExitError || !strings.Contains(errs, `stack "other"`) {
		t.Errorf("state show vms.db -f other.yaml: exit %d, want 1 naming stack other\n%s", code, errs)
	}
}

// An unknown flag after a positional is refused, naming it, and nothing is
// changed.
func TestUnknownFlagAfterPositional(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("idstack.yaml", twoVMs)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	st := filepath.Join(e.dir, ".idstack", "skel.state.json")
	before := readFile(t, st)
	code, out, errs := e.run("state", "rm", "vms.web", "-f", f, "--frce")
	if code != cli.ExitError || !strings.Contains(errs, "unknown flag --frce for `idstack state rm`") {
		t.Fatalf("exit %d, want 1 naming --frce\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if !bytes.Equal(before, readFile(t, st)) {
		t.Fatal("the state changed")
	}
	code, _, errs = e.run("plan", "-f", f, "--taget", "vms.web")
	if code != cli.ExitError || !strings.Contains(errs, "Did you mean --target?") {
		t.Fatalf("plan --taget: exit %d\n%s", code, errs)
	}
}

// Global flags after the command name: `plan -f x.yaml --endpoint URL`.
func TestGlobalFlagsAfterCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("x.yaml", twoVMs)
	plan := func(args ...string) {
		t.Helper()
		code, out, errs := e.runRaw(args...)
		if code != 0 {
			t.Fatalf("idstack %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		var p planner.Plan
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("plan JSON: %v\n%s", err, out)
		}
		if len(p.Actions) != 4 {
			t.Fatalf("idstack %s: %d actions, want 4 creates", strings.Join(args, " "), len(p.Actions))
		}
	}
	calls := e.sim.CallCount()
	plan("plan", "-f", f, "--endpoint", e.url, "--api-key", "k", "--format", "json", "--no-color")
	plan("plan", "-f", f, "--endpoint="+e.url, "--api-key=k", "--format=json")
	// Given twice, the last one wins (the first points nowhere).
	plan("--endpoint", "http://127.0.0.1:1", "plan", "-f", f, "--format", "json", "--api-key", "k", "--endpoint", e.url)
	if e.sim.CallCount() == calls {
		t.Fatal("the simulator was not called")
	}
	// The other way round: the last one points nowhere and is used.
	code, out, errs := e.runRaw("--endpoint", e.url, "plan", "-f", f, "--api-key", "k", "--endpoint", "http://127.0.0.1:1")
	if code != cli.ExitError || !strings.Contains(out+errs, "127.0.0.1:1") {
		t.Fatalf("last --endpoint not used: exit %d\n%s%s", code, out, errs)
	}
}

// inFlight counts the changing calls the simulator serves at once.
type inFlight struct {
	next     http.Handler
	mu       sync.Mutex
	now, max int
}

func (h *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		h.mu.Lock()
		h.now++
		h.max = max(h.max, h.now)
		h.mu.Unlock()
		defer func() { h.mu.Lock(); h.now--; h.mu.Unlock() }()
	}
	h.next.ServeHTTP(w, r)
}

func (h *inFlight) reset() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.max
	h.max = 0
	return m
}

// `apply PLAN --parallelism N` and `show PLAN --format json`: flags after
// the saved plan are honoured.
func TestFlagsAfterSavedPlan(t *testing.T) {
	t.Parallel()
	s := sim.New(sim.Options{ReadyAfter: 30 * time.Millisecond, Seed: 1})
	s.SetLatency(100 * time.Millisecond)
	counter := &inFlight{next: s}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	e := &env{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
	f := e.write("idstack.yaml", twoVMs)
	planFile := filepath.Join(e.dir, "plan.bin")

	e.mustRun(0, "plan", "-f", f, "--out", planFile)
	for _, format := range []string{"json", "markdown"} {
		out := e.mustRun(0, "show", planFile, "--format", format)
		if format == "json" && !json.Valid([]byte(out)) {
			t.Fatalf("show PLAN --format json is not JSON:\n%s", out)
		}
		if format == "markdown" && !strings.Contains(out, "|") {
			t.Fatalf("show PLAN --format markdown:\n%s", out)
		}
	}
	// Read, not dropped: 0 is refused.
	if code, _, errs := e.run("apply", planFile, "--auto-approve", "--parallelism", "0"); code != cli.ExitError || !strings.Contains(errs, "--parallelism must be at least 1") {
		t.Fatalf("apply PLAN --parallelism 0: exit %d\n%s", code, errs)
	}
	counter.reset()
	out := e.mustRun(0, "apply", planFile, "--parallelism", "1", "--auto-approve")
	if !strings.Contains(out, "Apply complete") {
		t.Fatalf("apply:\n%s", out)
	}
	if m := counter.reset(); m != 1 {
		t.Fatalf("apply PLAN --parallelism 1 made %d changing calls at once", m)
	}

	// The control: the same apply with the default parallelism overlaps
	// (so the count above measures something).
	e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	counter.reset()
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if m := counter.reset(); m < 2 {
		t.Fatalf("the default parallelism made %d changing calls at once; the measure is broken", m)
	}
}
