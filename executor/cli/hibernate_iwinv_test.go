package cli_test

import (
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// TestIwinvStopStart (issue 15): stop and start through the same engine
// on the iwinv simulator, whose shutdown and start answer 202 at once and
// are polled to their end: the instances end SHUTOFF, the plan keeps them
// so, a start that fails for one instance (the API's 400) starts the
// other and exits 4, and the next start starts that one alone. iwinv
// publishes no price list: no cost line, no cost key.
func TestIwinvStopStart(t *testing.T) {
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	web, db := instanceNamed(e.iw.World(), "blog-dev-web"), instanceNamed(e.iw.World(), "blog-dev-db")
	statuses := func(want string) {
		t.Helper()
		w := e.iw.World()
		for _, name := range []string{"blog-dev-web", "blog-dev-db"} {
			if in := instanceNamed(w, name); in == nil || in.Status != want {
				t.Errorf("instance %s: %+v, want %s", name, in, want)
			}
		}
	}
	jobs := func(b batchOut, want map[string]string) {
		t.Helper()
		if len(b.Jobs) != len(want) {
			t.Fatalf("%d jobs, want %d: %+v", len(b.Jobs), len(want), b.Jobs)
		}
		ids := map[string]string{"vms.web": web.ID, "vms.db": db.ID}
		seen := map[string]bool{}
		for _, j := range b.Jobs {
			if j.Status != want[j.Address] || j.ID != ids[j.Address] || seen[j.JobID] || !hexID.MatchString(j.JobID) {
				t.Errorf("job %+v, want %s of %s with a fresh id", j, want[j.Address], ids[j.Address])
			}
			seen[j.JobID] = true
		}
	}

	e.iw.ResetCalls()
	b := powerJSON(t, e, 0, "stop", "-f", f, "--auto-approve", "--format", "json")
	jobs(b, map[string]string{"vms.web": succeeded, "vms.db": succeeded})
	statuses(api.StatusShutoff)
	if b.Cost != nil {
		t.Errorf("iwinv has no price list, yet the batch has a cost: %+v", b.Cost)
	}
	shutdowns := 0
	for _, c := range e.iw.Calls() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/shutdown") {
			shutdowns++
			if c.Status != 202 {
				t.Errorf("shutdown answered %d, want the API's 202", c.Status)
			}
		}
	}
	if shutdowns != 2 {
		t.Errorf("%d shutdown calls, want 2", shutdowns)
	}
	if h := loadState(t, e, iwinvStack).Hibernation; h == nil || !h.All || len(h.VMs) != 2 {
		t.Fatalf("hibernation %+v", h)
	}
	out := e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
	if !strings.Contains(out, "Hibernated since") || !strings.Contains(out, "2 VMs stopped") {
		t.Errorf("the plan does not say the stack is hibernated:\n%s", out)
	}

	e.iw.AddFault(iwinvsim.Fault{Method: "POST", Path: "/instances/" + db.ID + "/start", Status: 400, Message: "the instance is being backed up"})
	b = powerJSON(t, e, 4, "start", "-f", f, "--auto-approve", "--format", "json")
	jobs(b, map[string]string{"vms.web": succeeded, "vms.db": failed})
	for _, j := range b.Jobs {
		if j.Address == "vms.db" && (j.ErrorCode != "400" || !strings.Contains(j.ErrorMsg, "the instance is being backed up")) {
			t.Errorf("the failed job's error: %q %q", j.ErrorCode, j.ErrorMsg)
		}
	}
	if in := instanceNamed(e.iw.World(), "blog-dev-web"); in.Status != api.StatusActive {
		t.Errorf("web is %s, want ACTIVE", in.Status)
	}
	e.iw.ClearFaults()
	out = e.mustRun(0, "start", "-f", f, "--auto-approve")
	if !strings.Contains(out, "vms.db ("+db.ID+"): started") || strings.Contains(out, "vms.web ("+web.ID+"): starting") || strings.Contains(out, "Cost:") {
		t.Errorf("the second start:\n%s", out)
	}
	statuses(api.StatusActive)
	if h := loadState(t, e, iwinvStack).Hibernation; h != nil {
		t.Errorf("hibernation %+v after start", h)
	}
	e.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}
