package executor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
)

func openCreate(name string, at time.Time) state.Entry {
	return state.Entry{Seq: 1, Run: "dead", Time: at, Phase: "intent", Op: "create", Address: "servers." + name, Kind: "servers",
		Location: "l1", Name: name, Record: &state.Resource{Address: "servers." + name, Kind: "servers", Location: "l1", Name: name}}
}

func recoverOpts(p provider.Provider) RecoverOptions {
	return RecoverOptions{Provider: p, PollInterval: time.Millisecond,
		CreateDeadline: func(provider.Kind) time.Duration { return time.Second }}
}

// The next run waits for a create of an interrupted apply that may still
// complete (not listed yet), and adopts the object when it appears.
func TestAwaitCreatesAdoptsWhatAppears(t *testing.T) {
	cloud := fake.New()
	vm := cloud.Put(provider.Object{Kind: fake.Servers, Location: "l1", Name: "web", Status: "running"}, 3)
	st := state.New("s")
	live := &planner.Live{}
	var msgs []string
	opts := recoverOpts(cloud)
	opts.OnWait = func(m string) { msgs = append(msgs, m) }
	rec, err := AwaitCreates(context.Background(), []state.Entry{openCreate("web", time.Now())}, st, live, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := st.Get("servers.web"); r == nil || r.ID != vm.ID {
		t.Fatalf("state %+v, want %s adopted", r, vm.ID)
	}
	if len(rec.Adopted) != 1 || len(msgs) != 1 || !strings.Contains(msgs[0], `servers.web "web"`) {
		t.Errorf("adopted %v, messages %q", rec.Adopted, msgs)
	}
}

// Past its deadline an unseen create is known not to have happened: no
// wait, nothing adopted, and the plan may create it.
func TestAwaitCreatesPastTheDeadlineDoesNotWait(t *testing.T) {
	cloud := fake.New()
	st := state.New("s")
	rec, err := AwaitCreates(context.Background(), []state.Entry{openCreate("web", time.Now().Add(-time.Hour))}, st, &planner.Live{}, recoverOpts(cloud))
	if err != nil || len(rec.Adopted) != 0 || st.Get("servers.web") != nil || cloud.Count("List servers") != 0 {
		t.Errorf("err %v, adopted %v, lists %d", err, rec.Adopted, cloud.Count("List servers"))
	}
}

// Within the deadline, an object that never appears keeps the run waiting
// until the deadline, then the run goes on.
func TestAwaitCreatesGivesUpAtTheDeadline(t *testing.T) {
	cloud := fake.New()
	opts := recoverOpts(cloud)
	opts.CreateDeadline = func(provider.Kind) time.Duration { return 150 * time.Millisecond }
	start := time.Now()
	rec, err := AwaitCreates(context.Background(), []state.Entry{openCreate("web", start)}, state.New("s"), &planner.Live{}, opts)
	if err != nil || len(rec.Adopted) != 0 {
		t.Fatalf("err %v, adopted %v", err, rec.Adopted)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("stopped waiting after %s, before the deadline", took)
	}
}

// An interrupt ends the wait with an error: nothing may be planned.
func TestAwaitCreatesStopsOnInterrupt(t *testing.T) {
	cloud := fake.New()
	opts := recoverOpts(cloud)
	opts.CreateDeadline = func(provider.Kind) time.Duration { return time.Hour }
	stop := make(chan struct{})
	opts.Stop = stop
	opts.OnWait = func(string) { close(stop) }
	_, err := AwaitCreates(context.Background(), []state.Entry{openCreate("web", time.Now())}, state.New("s"), &planner.Live{}, opts)
	if err == nil || !strings.Contains(err.Error(), "interrupted while waiting for servers.web") {
		t.Errorf("err %v", err)
	}
}

// Verify reads back what a rollback did: a server left stopped, or a deleted
// object still there, is reported (the rollback is then not "complete").
func TestVerifyFindsWhatTheRollbackDidNotRestore(t *testing.T) {
	cloud := fake.New()
	vm := cloud.Put(provider.Object{Kind: fake.Servers, Location: "l1", Name: "web", Status: "stopped", Attrs: provider.Attrs{"power": "stopped", "size": 2}}, 0)
	left := cloud.Put(provider.Object{Kind: fake.Servers, Location: "l1", Name: "new"}, 0)
	rb := &planner.Plan{Actions: []*planner.Action{
		{Address: "servers.web", Kind: "servers", Action: planner.Update, Location: "l1", ID: vm.ID,
			Desired: map[string]planner.Input{"power": {Value: "running"}, "size": {Value: 2}}},
		{Address: "servers.new", Kind: "servers", Action: planner.Delete, Location: "l1", ID: left.ID},
		{Address: "servers.gone", Kind: "servers", Action: planner.Delete, Location: "l1", ID: "gone"},
	}}
	res := &Result{Done: []string{"servers.web", "delete servers.new", "delete servers.gone"}}
	got := Verify(context.Background(), cloud, rb, res)
	if len(got) != 2 || !strings.Contains(got[0], "servers.web") || !strings.Contains(got[0], "power is stopped, it was running") || !strings.Contains(got[1], "servers.new") {
		t.Errorf("problems %q", got)
	}
	cloud.Put(provider.Object{ID: vm.ID, Kind: fake.Servers, Location: "l1", Name: "web", Status: "running", Attrs: provider.Attrs{"power": "running", "size": 2}}, 0)
	cloud.Delete(context.Background(), fake.Servers, "l1", left.ID)
	if got := Verify(context.Background(), cloud, rb, res); len(got) != 0 {
		t.Errorf("a restored world reports %q", got)
	}
}
