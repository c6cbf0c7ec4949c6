package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
	"github.com/idstack/idstack/provider/sim"
)

// Hibernate and wake an environment (issue 15): `idstack stop` and
// `idstack start` against the simulator over real HTTP.

// hibStack is a stack with three VMs on one network.
const hibStack = `stack: hib
location: jkt01
networks:
  app: {name: hib-net}
vms:
  web:
    name: hib-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
  api:
    name: hib-api
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 2
    ram: 2048
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
  db:
    name: hib-db
    os_name: debian
    os_version: "12"
    vcpu: 2
    ram: 4096
    disk: 40
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
`

// hibVMs are hibStack' VMs: address → live name.
var hibVMs = map[string]string{"vms.web": "hib-web", "vms.api": "hib-api", "vms.db": "hib-db"}

// batchOut is the JSON of stop/start --format json.
type batchOut struct {
	RequestID   string              `json:"request_id"`
	Action      string              `json:"action"`
	Stack       string              `json:"stack"`
	Jobs        []jobOut            `json:"jobs"`
	Skipped     []planner.PowerSkip `json:"skipped"`
	Hibernation *state.Hibernation  `json:"hibernation"`
	Cost        *planner.Cost       `json:"cost"`
}

// jobOut is one job of batchOut.
type jobOut struct {
	Address   string     `json:"address"`
	ID        string     `json:"id"`
	JobID     string     `json:"job_id"`
	Status    string     `json:"status"`
	ErrorCode string     `json:"error_code"`
	ErrorMsg  string     `json:"error_msg"`
	Started   *time.Time `json:"started"`
	Ended     *time.Time `json:"ended"`
}

// Job statuses as the JSON says them.
const (
	succeeded = "succeeded"
	failed    = "failed"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// powerJSON runs stop or start --format json, wants the exit code, checks
// the JSON against its schema and returns it.
func powerJSON(t *testing.T, e *env, want int, args ...string) batchOut {
	t.Helper()
	code, out, errs := e.run(args...)
	if code != want {
		t.Fatalf("idstack %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := batchSchema(t).Validate(doc); err != nil {
		t.Fatalf("the batch JSON does not match executor/run/batch.schema.json: %v\n%s", err, out)
	}
	var b batchOut
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	if !hexID.MatchString(b.RequestID) {
		t.Errorf("request_id %q, want 32 hex digits", b.RequestID)
	}
	return b
}

func batchSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("batch.schema.json", bytes.NewReader(run.BatchSchema())); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("batch.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// vmStatuses are the statuses of the world's VMs by name.
func vmStatuses(w sim.World) map[string]string {
	out := map[string]string{}
	for _, v := range w.VMs {
		out[v.API.Name] = v.API.Status
	}
	return out
}

// wantStatuses checks the status of each named VM.
func wantStatuses(t *testing.T, e *env, want map[string]string) {
	t.Helper()
	got := vmStatuses(e.sim.World())
	for name, st := range want {
		if got[name] != st {
			t.Errorf("VM %s is %q, want %q (all: %v)", name, got[name], st, got)
		}
	}
}

func allVMs(status string) map[string]string {
	out := map[string]string{}
	for _, name := range hibVMs {
		out[name] = status
	}
	return out
}

// vmUUID is the uuid of the world's VM of a name.
func vmUUID(t *testing.T, e *env, name string) string {
	t.Helper()
	for _, v := range e.sim.World().VMs {
		if v.API.Name == name {
			return v.API.UUID
		}
	}
	t.Fatalf("no VM %s", name)
	return ""
}

// loadState reads the stack's state as every run does (snapshot and
// journal, validated): it must always parse.
func loadState(t *testing.T, e *env, stack string) *state.State {
	t.Helper()
	d := idcloudhost.Description()
	if e.iw != nil {
		d = iwinv.Description()
	}
	st, err := state.NewLocal(e.dir, stack, d).Load()
	if err != nil {
		t.Fatalf("the state does not load: %v", err)
	}
	return st
}

// checkJobs checks a batch's jobs: one per address, distinct job ids,
// each with the status wanted, its VM's uuid and its timings.
func checkJobs(t *testing.T, e *env, b batchOut, want map[string]string) {
	t.Helper()
	if len(b.Jobs) != len(want) {
		t.Fatalf("%d jobs, want %d: %+v", len(b.Jobs), len(want), b.Jobs)
	}
	ids := map[string]bool{}
	for _, j := range b.Jobs {
		st, ok := want[j.Address]
		if !ok {
			t.Errorf("a job for %s, want jobs for %v", j.Address, want)
			continue
		}
		if j.Status != st {
			t.Errorf("%s: job %s, want %s (%s %s)", j.Address, j.Status, st, j.ErrorCode, j.ErrorMsg)
		}
		if !hexID.MatchString(j.JobID) || ids[j.JobID] || j.JobID == b.RequestID {
			t.Errorf("%s: job id %q is not a fresh 32-hex id", j.Address, j.JobID)
		}
		ids[j.JobID] = true
		if uuid := vmUUID(t, e, hibVMs[j.Address]); j.ID != uuid {
			t.Errorf("%s: id %s, want its VM's %s", j.Address, j.ID, uuid)
		}
		if j.Started == nil || j.Ended == nil || j.Ended.Before(*j.Started) {
			t.Errorf("%s: started %v, ended %v", j.Address, j.Started, j.Ended)
		}
		if st == succeeded && (j.ErrorCode != "" || j.ErrorMsg != "") {
			t.Errorf("%s: succeeded with error %q %q", j.Address, j.ErrorCode, j.ErrorMsg)
		}
	}
}

func jobsAll(status string) map[string]string {
	out := map[string]string{}
	for addr := range hibVMs {
		out[addr] = status
	}
	return out
}

// TestStopStartHibernatesTheStack (issue 15, must show 1): a stack of
// three VMs; `stop --auto-approve` stops all three in the simulator's
// world as three jobs with distinct ids, all succeeded; the state records
// the hibernation; `plan --detailed-exitcode` exits 0 and says the stack
// is hibernated (text, JSON, Markdown); `start` starts all three and
// clears the hibernation. In both simulator modes.
func TestStopStartHibernatesTheStack(t *testing.T) {
	t.Parallel()
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := e.write("hib.yaml", hibStack)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		wantStatuses(t, e, allVMs("running"))

		b := powerJSON(t, e, 0, "stop", "-f", f, "--auto-approve", "--format", "json")
		checkJobs(t, e, b, jobsAll(succeeded))
		wantStatuses(t, e, allVMs("stopped"))
		if b.Action != "stop" || b.Stack != "hib" || len(b.Skipped) != 0 {
			t.Errorf("action %q, stack %q, skipped %v", b.Action, b.Stack, b.Skipped)
		}
		if b.Cost == nil || b.Cost.MonthlyChange == nil || *b.Cost.MonthlyChange >= 0 {
			t.Errorf("the batch's cost does not show a saving: %+v", b.Cost)
		}
		h := loadState(t, e, "hib").Hibernation
		if h == nil || !h.All || !slices.Equal(h.VMs, []string{"vms.api", "vms.db", "vms.web"}) || h.Since.IsZero() || h.By == "" {
			t.Fatalf("the state's hibernation: %+v", h)
		}

		out := e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
		for _, want := range []string{"Hibernated since " + h.Since.UTC().Format("2006-01-02 15:04 UTC"), "3 VMs stopped; `idstack start` wakes them", "No changes"} {
			if !strings.Contains(out, want) {
				t.Errorf("the plan lacks %q:\n%s", want, out)
			}
		}
		p := e.plan(f)
		if p.Hibernation == nil || !p.Hibernation.All || len(p.Hibernation.VMs) != 3 || p.HasChanges() {
			t.Errorf("the JSON plan: hibernation %+v, %d actions", p.Hibernation, len(p.Actions))
		}
		if md := e.mustRun(0, "plan", "-f", f, "--format", "markdown"); !strings.Contains(md, "**Hibernated** since") {
			t.Errorf("the Markdown plan does not say the stack is hibernated:\n%s", md)
		}
		e.mustRun(0, "apply", "-f", f, "--auto-approve") // keeps them stopped
		wantStatuses(t, e, allVMs("stopped"))

		b = powerJSON(t, e, 0, "start", "-f", f, "--auto-approve", "--format", "json")
		checkJobs(t, e, b, jobsAll(succeeded))
		wantStatuses(t, e, allVMs("running"))
		if b.Hibernation != nil || loadState(t, e, "hib").Hibernation != nil {
			t.Fatalf("start left the hibernation: %+v", loadState(t, e, "hib").Hibernation)
		}
		if b.Cost == nil || *b.Cost.MonthlyChange <= 0 {
			t.Errorf("the start's cost does not show what it adds: %+v", b.Cost)
		}
		out = e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
		if strings.Contains(out, "Hibernated") {
			t.Errorf("the plan still says hibernated:\n%s", out)
		}
		// Awake again: a VM stopped by hand is drift, as ever.
		uuid := vmUUID(t, e, "hib-db")
		e.sim.Mutate(func(w *sim.World) {
			for i := range w.VMs {
				if w.VMs[i].API.UUID == uuid {
					w.VMs[i].API.Status = "stopped"
				}
			}
		})
		if a := e.plan(f).Action("vms.db"); a == nil || a.Action != planner.Start {
			t.Errorf("a VM stopped by hand is not planned to start: %+v", a)
		}
	})
}

// TestStopTextShowsJobsAndSaving: the text view has a progress line per
// job, the table, the monthly saving and the hibernation; without a
// terminal and without --auto-approve it refuses before any job; a second
// stop has nothing to do.
func TestStopTextShowsJobsAndSaving(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("hib.yaml", hibStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	code, out, errs := e.run("stop", "-f", f)
	if code != 1 || !strings.Contains(errs, "stop needs approval and there is no terminal") {
		t.Fatalf("stop without a terminal: exit %d\n%s%s", code, out, errs)
	}
	wantStatuses(t, e, allVMs("running"))
	out = e.mustRun(0, "stop", "-f", f, "--auto-approve", "--parallelism", "2")
	for _, want := range []string{
		"idstack will stop 3 VMs of stack \"hib\" (request ",
		"vms.web (" + vmUUID(t, e, "hib-web") + "): stopping… [job ",
		"vms.db (" + vmUUID(t, e, "hib-db") + "): stopped [",
		"ADDRESS", "JOB", "succeeded",
		"stopping these VMs saves ",
		"Stop complete in ", "The stack is hibernated (since ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	out = e.mustRun(0, "stop", "-f", f, "--auto-approve")
	if !strings.Contains(out, "Nothing to stop") || !strings.Contains(out, "left alone: already stopped") {
		t.Errorf("a second stop:\n%s", out)
	}
	for _, bad := range [][]string{
		{"stop", "-f", f, "--auto-approve", "--target", "networks.app"},
		{"stop", "-f", f, "--auto-approve", "--target", "vms.wbe"},
		{"start", "-f", f, "--auto-approve", "--format", "yaml"},
		{"start", "-f", f, "--auto-approve", "--parallelism", "0"},
	} {
		code, out, errs := e.run(bad...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s%s", bad, code, out, errs)
		}
		if bad[4] == "--target" && !strings.Contains(errs, "--target "+bad[5]) {
			t.Errorf("%v does not name the target:\n%s", bad, errs)
		}
	}
}

// TestStopWithOneFailingVM (issue 15, must show 2): one VM's stop call
// fails for good (the API's 400); the other two are stopped, that job is
// failed with the API's message, and the exit code is 4. After the fault
// is cleared, the same stop stops only that VM. In both simulator modes.
func TestStopWithOneFailingVM(t *testing.T) {
	t.Parallel()
	const message = "Virtual machine is locked: a backup is in progress"
	inModes(t, sim.Options{}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := e.write("hib.yaml", hibStack)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		api := vmUUID(t, e, "hib-api")
		e.sim.AddFault(sim.Fault{Method: "POST", Path: "/user-resource/vm/stop", Status: 400, Message: message, Params: map[string]string{"uuid": api}})

		// One job at a time: the failed job (the second) does not stop
		// the third from starting.
		b := powerJSON(t, e, 4, "stop", "-f", f, "--auto-approve", "--format", "json", "--parallelism", "1")
		checkJobs(t, e, b, map[string]string{"vms.web": succeeded, "vms.api": failed, "vms.db": succeeded})
		for _, j := range b.Jobs {
			if j.Address == "vms.api" && (j.ErrorCode != "400" || j.ErrorMsg != message) {
				t.Errorf("the failed job: error %q %q, want 400 and the API's message", j.ErrorCode, j.ErrorMsg)
			}
		}
		wantStatuses(t, e, map[string]string{"hib-web": "stopped", "hib-api": "running", "hib-db": "stopped"})
		h := loadState(t, e, "hib").Hibernation
		if h == nil || h.All || !slices.Equal(h.VMs, []string{"vms.db", "vms.web"}) {
			t.Fatalf("after a partial stop the state's hibernation is %+v, want vms.db and vms.web", h)
		}
		// The VMs it stopped are kept stopped; the one it could not stop
		// runs as declared: nothing to change.
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

		e.sim.ClearFaults()
		e.sim.ResetCalls()
		b = powerJSON(t, e, 0, "stop", "-f", f, "--auto-approve", "--format", "json")
		checkJobs(t, e, b, map[string]string{"vms.api": succeeded})
		if n := len(callsTo(e, "POST", "/user-resource/vm/stop")); n != 1 {
			t.Errorf("%d stop calls, want the failed VM's alone", n)
		}
		if len(b.Skipped) != 2 {
			t.Errorf("skipped %v, want the two already stopped", b.Skipped)
		}
		wantStatuses(t, e, allVMs("stopped"))
		if h := loadState(t, e, "hib").Hibernation; h == nil || !h.All {
			t.Errorf("the stack is not hibernated after the second stop: %+v", h)
		}
	})
}

// TestApplyWhileHibernatedCreatesStopped (issue 15, must show 4): a VM
// added to the file while the stack is hibernated is created and then
// stopped, and the plan said so; start wakes it with the others.
func TestApplyWhileHibernatedCreatesStopped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("hib.yaml", hibStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	e.mustRun(0, "stop", "-f", f, "--auto-approve")
	f = e.write("hib.yaml", hibStack+`  cache:
    name: hib-cache
    os_name: debian
    os_version: "12"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: ${env.DEMO_PASSWORD}
`)
	p := e.plan(f)
	a := p.Action("vms.cache")
	if a == nil || a.Action != planner.Create {
		t.Fatalf("the new VM is not planned: %+v", a)
	}
	power := ""
	for _, c := range a.Changes {
		if c.Path == "power" {
			power, _ = c.After.(string)
		}
	}
	if power != "stopped" || a.WaitFor != "stopped" || !slices.ContainsFunc(a.Notes, func(n string) bool {
		return strings.Contains(n, "created and then stopped: the stack is hibernated")
	}) {
		t.Errorf("the plan does not say the new VM ends stopped: power %q, wait for %q, notes %q", power, a.WaitFor, a.Notes)
	}
	if len(p.Actions) != 1 {
		t.Errorf("%d actions, want the create alone (the others are kept stopped)", len(p.Actions))
	}
	out := e.mustRun(0, "apply", "-f", f, "--auto-approve")
	if !strings.Contains(out, "created and then stopped") {
		t.Errorf("the apply's plan does not say the VM ends stopped:\n%s", out)
	}
	wantStatuses(t, e, map[string]string{"hib-web": "stopped", "hib-api": "stopped", "hib-db": "stopped", "hib-cache": "stopped"})
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	e.mustRun(0, "start", "-f", f, "--auto-approve")
	wantStatuses(t, e, map[string]string{"hib-web": "running", "hib-api": "running", "hib-db": "running", "hib-cache": "running"})
}

// TestTargetedStopAndStart: stop --target hibernates only those VMs (the
// others stay awake and a new VM is created running); start --target of a
// whole-stack hibernation wakes only those; a VM declared stopped is left
// alone by start.
func TestTargetedStopAndStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("hib.yaml", hibStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	b := powerJSON(t, e, 0, "stop", "-f", f, "--auto-approve", "--format", "json", "--target", "vms.db")
	checkJobs(t, e, b, map[string]string{"vms.db": succeeded})
	wantStatuses(t, e, map[string]string{"hib-web": "running", "hib-api": "running", "hib-db": "stopped"})
	if h := loadState(t, e, "hib").Hibernation; h == nil || h.All || !slices.Equal(h.VMs, []string{"vms.db"}) {
		t.Fatalf("hibernation %+v, want vms.db alone", h)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

	e.mustRun(0, "stop", "-f", f, "--auto-approve")
	b = powerJSON(t, e, 0, "start", "-f", f, "--auto-approve", "--format", "json", "--target", "vms.web")
	checkJobs(t, e, b, map[string]string{"vms.web": succeeded})
	if h := loadState(t, e, "hib").Hibernation; h == nil || h.All || !slices.Equal(h.VMs, []string{"vms.api", "vms.db"}) {
		t.Fatalf("hibernation %+v, want vms.api and vms.db", h)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")

	declared := strings.Replace(hibStack, "    name: hib-db\n", "    name: hib-db\n    power: stopped\n", 1)
	f = e.write("hib.yaml", declared)
	b = powerJSON(t, e, 0, "start", "-f", f, "--auto-approve", "--format", "json")
	checkJobs(t, e, b, map[string]string{"vms.api": succeeded})
	if !slices.ContainsFunc(b.Skipped, func(s planner.PowerSkip) bool {
		return s.Address == "vms.db" && strings.Contains(s.Why, "power: stopped in the stack file")
	}) {
		t.Errorf("start does not leave the VM declared stopped alone: %+v", b.Skipped)
	}
	wantStatuses(t, e, map[string]string{"hib-web": "running", "hib-api": "running", "hib-db": "stopped"})
	if h := loadState(t, e, "hib").Hibernation; h != nil {
		t.Errorf("hibernation %+v after start, want none", h)
	}
}

// TestOldStateWithoutHibernationReads: a state written before issue 15
// (format 1, no hibernation key) reads as awake, and a stop writes the
// hibernation into it.
func TestOldStateWithoutHibernationReads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("hib.yaml", hibStack)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	path := filepath.Join(e.dir, ".idstack", "hib.state.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["hibernation"]; ok {
		t.Fatal("an awake state has a hibernation key")
	}
	raw["version"] = 1
	old, _ := json.Marshal(raw)
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if st := loadState(t, e, "hib"); st.Hibernation != nil {
		t.Fatalf("an old state reads as hibernated: %+v", st.Hibernation)
	}
	e.mustRun(0, "stop", "-f", f, "--auto-approve")
	if st := loadState(t, e, "hib"); st.Hibernation == nil || st.Version != state.FormatVersion {
		t.Fatalf("after stop: version %d, hibernation %+v", st.Version, st.Hibernation)
	}
	e.mustRun(0, "destroy", "-f", f, "--auto-approve")
	if st := loadState(t, e, "hib"); st.Hibernation != nil || len(st.Resources) != 0 {
		t.Fatalf("a destroy left the hibernation: %+v", st.Hibernation)
	}
}

// TestKilledStopConverges (issue 15, must show 3): `idstack stop` (the
// binary, one job at a time) is killed with SIGKILL while the second VM's
// stop call is in progress; the state loads (snapshot and journal), and
// after `idstack unlock` the same command converges: every VM stopped,
// none left in a transition, the stack hibernated, the next plan empty.
// In both simulator modes.
func TestKilledStopConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	eachMode(t, sim.Options{ReadyAfter: 400 * time.Millisecond}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := e.write("hib.yaml", hibStack)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		p := e.start([]string{"DEMO_PASSWORD=Sup3r-secret"}, "stop", "-f", f, "--auto-approve", "--parallelism", "1")
		waitPending(t, e, 1, "POST", "/user-resource/vm/stop", 20*time.Second)
		waitUntil(t, 20*time.Second, "the second stop call", func() bool { return len(callsTo(e, "POST", "/user-resource/vm/stop")) >= 2 })
		if !p.kill() {
			t.Fatalf("the stop ended before it was killed:\n%s", p.out.String())
		}
		st := loadState(t, e, "hib")
		if st.Hibernation != nil {
			t.Errorf("a killed stop recorded the hibernation: %+v", st.Hibernation)
		}
		code, _, errs := e.run("stop", "-f", f, "--auto-approve")
		if code != 1 || !strings.Contains(errs, "locked") {
			t.Fatalf("stop while the dead run's lock is there: exit %d\n%s", code, errs)
		}
		e.mustRun(0, "unlock", "-f", f)
		e.mustRunWithin(20*time.Second, 0, "stop", "-f", f, "--auto-approve")
		wantStatuses(t, e, allVMs("stopped"))
		for _, v := range e.sim.World().VMs {
			if !v.ReadyAt.IsZero() && v.ReadyAt.After(time.Now()) {
				t.Errorf("VM %s is still in a transition (%s until %s)", v.API.Name, v.API.Status, v.ReadyAt)
			}
		}
		st = loadState(t, e, "hib")
		if st.Hibernation == nil || !st.Hibernation.All || len(st.Resources) != 4 {
			t.Fatalf("after the second stop: hibernation %+v, %d resources", st.Hibernation, len(st.Resources))
		}
		e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
		e.mustRunWithin(20*time.Second, 0, "start", "-f", f, "--auto-approve")
		wantStatuses(t, e, allVMs("running"))
	})
}

// TestSIGTERMStopsTheBatch: SIGTERM (a cancelled CI job) while the first
// of three jobs runs (one at a time): that job finishes, no other starts,
// the run exits 4 naming what is left and records the VM it stopped; the
// same command then stops the rest. In both simulator modes.
func TestSIGTERMStopsTheBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	eachMode(t, sim.Options{ReadyAfter: 300 * time.Millisecond}, func(t *testing.T, opts sim.Options) {
		e := newEnv(t, opts)
		f := e.write("hib.yaml", hibStack)
		e.mustRun(0, "apply", "-f", f, "--auto-approve")
		p := e.start([]string{"DEMO_PASSWORD=Sup3r-secret"}, "stop", "-f", f, "--auto-approve", "--parallelism", "1")
		waitPending(t, e, 1, "POST", "/user-resource/vm/stop", 20*time.Second)
		p.signal(syscall.SIGTERM)
		if code := p.wait(20 * time.Second); code != 4 {
			t.Fatalf("exit %d after SIGTERM, want 4\n%s", code, p.out.String())
		}
		out := p.out.String()
		for _, want := range []string{"Interrupted: no new job starts", "not started", "were interrupted"} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
		if n := len(callsTo(e, "POST", "/user-resource/vm/stop")); n != 1 {
			t.Errorf("%d stop calls, want the first job's alone", n)
		}
		h := loadState(t, e, "hib").Hibernation
		if h == nil || h.All || len(h.VMs) != 1 {
			t.Fatalf("hibernation %+v, want the one VM stopped", h)
		}
		e.mustRun(0, "stop", "-f", f, "--auto-approve")
		wantStatuses(t, e, allVMs("stopped"))
	})
}
