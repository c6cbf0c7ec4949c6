package cli_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// The document's prices (GET /v1/pricing/policy, which the simulator
// serves), per hour: a CPU 0.00521, RAM 0.00329 per 1024 MiB, storage
// 0.0001 per GiB. The quick start's two VMs (1 vCPU, 1024 MiB, 20 GiB)
// cost 0.00521 + 0.00329 + 0.002 = 0.0105 an hour each, 7.665 a month
// (730 hours); both 15.33.
const cpuHourly = 0.00521

func quickStart(t *testing.T, e *env) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "idstack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return e.write("idstack.yaml", string(b))
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestQuickStartPlanShowsTheCost: the quick start's plan shows its monthly
// total; a second vCPU for web adds one CPU's hourly price × 730.
func TestQuickStartPlanShowsTheCost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := quickStart(t, e)
	out := e.mustRun(0, "plan", "-f", f)
	for _, want := range []string{
		"Cost estimate: 0.00 → 15.33 per month (+15.33) at 730 hours a month, in the account's billing currency.",
		"cost: 0.00 → 7.67 per month (+7.67)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the plan:\n%s", want, out)
		}
	}
	if p := e.plan(f); p.Cost == nil || !near(p.Cost.After.Monthly, 15.33) || !near(p.Cost.After.Hourly, 0.021) || p.Cost.HoursPerMonth != 730 {
		t.Errorf("plan JSON cost: %+v", p.Cost)
	}

	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if out := e.mustRun(0, "plan", "-f", f); !strings.Contains(out, "No changes: the live objects of stack \"demo-dev\" match the stack file.\nCost estimate: 15.33 per month (unchanged) at 730 hours a month") {
		t.Errorf("no changes:\n%s", out)
	}
	if out := e.mustRun(0, "plan", "-f", f, "--format", "markdown"); !strings.Contains(out, "### idstack plan for `demo-dev`: no changes · cost 15.33 per month (unchanged)\n") {
		t.Errorf("no changes, Markdown:\n%s", out)
	}
	p := e.plan(f, "--var", "web_vcpu=2")
	want := cpuHourly * planner.HoursPerMonth // 0.00521 × 730 = 3.8033
	if c := p.Cost; c == nil || !near(*c.MonthlyChange, want) || !near(c.Before.Monthly, 15.33) || !near(c.After.Monthly, 15.33+want) {
		t.Fatalf("cost of vcpu 1 → 2: %+v, want a change of %v", c, want)
	}
	if rc := p.Action("vms.web").Cost; rc == nil || !near(*rc.MonthlyChange, want) || !near(rc.After.Hourly-rc.Before.Hourly, cpuHourly) {
		t.Errorf("vms.web: %+v", rc)
	}
	code, text, errs := e.run("plan", "-f", f, "--var", "web_vcpu=2", "--detailed-exitcode")
	if code != cli.ExitChanges || !strings.Contains(text, "Cost estimate: 15.33 → 19.13 per month (+3.80) at 730 hours a month") ||
		!strings.Contains(text, "cost: 7.67 → 11.47 per month (+3.80)") {
		t.Errorf("exit %d:\n%s%s", code, text, errs)
	}
}

// TestQuickStartEmbeddedSimulatorPrices: `idstack --endpoint sim plan`
// (the README's quick start) prices the plan from the embedded simulator.
func TestQuickStartEmbeddedSimulatorPrices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := quickStart(t, e)
	code, out, errs := e.runRaw("--endpoint", "sim", "plan", "-f", f)
	if code != 0 || !strings.Contains(out, "Cost estimate: 0.00 → 15.33 per month (+15.33)") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
}

// costJSON runs `idstack cost --format json` (its flags after -f).
func costJSON(t *testing.T, e *env, f string) map[string]any {
	t.Helper()
	out := e.mustRun(0, "cost", "-f", f, "--format", "json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("cost JSON: %v\n%s", err, out)
	}
	return doc
}

func costOf(t *testing.T, doc map[string]any, addr string) map[string]any {
	t.Helper()
	for _, r := range doc["resources"].([]any) {
		if m := r.(map[string]any); m["address"] == addr {
			a, _ := m["amount"].(map[string]any)
			return a
		}
	}
	t.Fatalf("no %s in %v", addr, doc)
	return nil
}

// TestCostCommand: `idstack cost` prices what the stack owns as it is
// live; once a VM is stopped its figure falls to its storage: 20 GiB ×
// 0.0001 = 0.002 an hour, 1.46 a month.
func TestCostCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := quickStart(t, e)
	out := e.mustRun(0, "cost", "-f", f)
	if !strings.Contains(out, `Stack "demo-dev" costs 0.00 per month`) || !strings.Contains(out, "Not created yet") {
		t.Errorf("cost before apply:\n%s", out)
	}
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	out = e.mustRun(0, "cost", "-f", f)
	for _, want := range []string{
		`Stack "demo-dev" costs 15.33 per month (0.021 an hour) by the cloud's price list, at 730 hours a month, in the account's billing currency.`,
		"  vms.web     jkt01     0.0105    7.67",
		"  total                 0.021     15.33",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	doc := costJSON(t, e, f)
	if w := costOf(t, doc, "vms.worker"); w["monthly"] != 7.665 || w["hourly"] != 0.0105 {
		t.Errorf("running worker: %v", w)
	}

	b, _ := os.ReadFile(f)
	stopped := strings.Replace(string(b), "    power: running", "    power: stopped", 1)
	if stopped == string(b) {
		t.Fatal("the quick start no longer sets the worker's power")
	}
	e.write("idstack.yaml", stopped)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	doc = costJSON(t, e, f)
	if w := costOf(t, doc, "vms.worker"); w["monthly"] != 1.46 || w["hourly"] != 0.002 || w["note"] != "stopped: storage only" {
		t.Errorf("stopped worker: %v, want its storage only (0.002 an hour, 1.46 a month)", w)
	}
	// 7.665 + 1.46 = 9.125
	if total := doc["total"].(map[string]any); total["monthly"] != 9.125 {
		t.Errorf("total: %v", total)
	}
	md := e.mustRun(0, "cost", "--format", "markdown", "-f", f)
	if !strings.Contains(md, "### idstack cost of `demo-dev`: 9.13 per month") || !strings.Contains(md, "| `vms.worker` | jkt01 | 0.002 | 1.46 | stopped: storage only |") {
		t.Errorf("Markdown:\n%s", md)
	}
	// Flags anywhere, the global ones included.
	code, out, errs := e.runRaw("cost", "--format", "json", "-f", f, "--endpoint", e.url, "--api-key", "k")
	if code != 0 || !strings.Contains(out, `"monthly": 9.125`) {
		t.Errorf("flags after the command: exit %d\n%s%s", code, out, errs)
	}
}

// TestCostWhenThePriceListFails: a plan says so in one line and goes on;
// `idstack cost`, which has nothing else to say, fails.
func TestCostWhenThePriceListFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := quickStart(t, e)
	fault, err := sim.ParseFault("GET /pricing/policy=403")
	if err != nil {
		t.Fatal(err)
	}
	e.sim.AddFault(fault)
	out := e.mustRun(0, "plan", "-f", f)
	if !strings.Contains(out, "Plan: 3 to create.\nCost estimate: unknown, the price list could not be read: GET /pricing/policy: 403") || strings.Contains(out, "cost: ") {
		t.Errorf("plan:\n%s", out)
	}
	code, stdout, errs := e.run("cost", "-f", f)
	if code != cli.ExitError || !strings.Contains(errs, "the price list could not be read") {
		t.Errorf("cost: exit %d\n%s%s", code, stdout, errs)
	}
}

// countCalls counts the calls that reached the simulator's handler,
// before its latency.
type countCalls struct {
	next http.Handler
	n    atomic.Int32
}

func (c *countCalls) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.next.ServeHTTP(w, r)
}

// slowEnv is an env whose simulator (in opts' mode) holds every call for
// 30 s, and counts the calls that reached it.
func slowEnv(t *testing.T, opts sim.Options) (*env, *countCalls) {
	t.Helper()
	opts.Seed, opts.Latency = 1, 30*time.Second
	s := sim.New(opts)
	calls := &countCalls{next: s}
	srv := httptest.NewServer(calls)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: s, url: srv.URL, dir: t.TempDir()}, calls
}

// sigtermDuringCall sends SIGTERM (a cancelled CI job) to p once a call
// reaches the simulator, and wants p to cancel it and exit 1, not be
// killed by the signal.
func sigtermDuringCall(t *testing.T, p *proc, calls *countCalls) {
	t.Helper()
	waitUntil(t, 20*time.Second, "a call to the simulator", func() bool { return calls.n.Load() > 0 })
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != cli.ExitError || p.killed() {
		t.Fatalf("exit %d (killed by the signal: %v), want 1\n%s", code, p.killed(), p.out.String())
	}
}

// TestCostSIGTERM: SIGTERM (a cancelled CI job) stops `idstack cost` as it
// stops `plan`: its calls are cancelled and it exits 1, not killed by the
// signal.
func TestCostSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e, calls := slowEnv(t, opts)
		sigtermDuringCall(t, e.start(nil, "cost", "-f", quickStart(t, e)), calls)
	})
}
