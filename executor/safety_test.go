package executor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
)

// memJournal keeps entries in memory.
type memJournal struct {
	mu      sync.Mutex
	entries []state.Entry
}

func (j *memJournal) Add(e state.Entry) (state.Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Seq = len(j.entries) + 1
	e.Run = "test"
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	j.entries = append(j.entries, e)
	return e, nil
}

func (j *memJournal) Commit(int) error { return nil }

func (j *memJournal) Append(e state.Entry) (state.Entry, error) { return j.Add(e) }

// testOpts are fast options for a fake cloud: short waits and deadlines.
func testOpts(p provider.Provider) Options {
	return Options{
		Provider: p, State: state.New("s"), Journal: &memJournal{},
		PollInterval: time.Millisecond, Backoff: time.Millisecond, ReadyTimeout: time.Second,
		CreateDeadline: func(provider.Kind) time.Duration { return 200 * time.Millisecond },
	}
}

func createServer(name string) *planner.Plan {
	return &planner.Plan{Actions: []*planner.Action{{
		Address: "servers." + name, Kind: "servers", Action: planner.Create, Location: "l1", Name: name, DependsOn: []string{},
		Desired: map[string]planner.Input{"name": {Value: name}, "power": {Value: "running"}},
	}}}
}

var gateway504 = &provider.APIError{Method: "POST", Path: "/vm", Status: 504, Message: "Gateway Timeout"}

// A create answered 504 while the cloud carries on: the object appears
// only later (not listed while it is made). It is waited for and taken,
// never created a second time.
func TestCreateWithUnknownOutcomeWaitsForTheObject(t *testing.T) {
	cloud := fake.New()
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: attrs["name"].(string), Status: "running", Attrs: attrs}, 3)
		return provider.Object{}, gateway504
	}
	opts := testOpts(cloud)
	var waited []string
	opts.OnEvent = func(e Event) {
		if e.Type == Waiting {
			waited = append(waited, e.Message)
		}
	}
	res := Apply(context.Background(), createServer("web"), opts)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if n := cloud.Count("Create servers"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
	if r := opts.State.Get("servers.web"); r == nil || r.ID != "id-1" {
		t.Errorf("state record %+v, want the object made by the lost create", r)
	}
	if len(waited) != 1 || !strings.Contains(waited[0], `servers.web ("web")`) {
		t.Errorf("waiting events %q", waited)
	}
	if open := state.Open(res.Journal); len(open) != 0 {
		t.Errorf("open intents left: %+v", open)
	}
}

// A create whose outcome is unknown and whose object never appears is
// concluded not to have happened at its deadline, and only then made again.
func TestCreateNotThereByTheDeadlineIsMadeAgain(t *testing.T) {
	cloud := fake.New()
	var calls atomic.Int32
	var firstAt, secondAt time.Time
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		if calls.Add(1) == 1 {
			firstAt = time.Now()
			return provider.Object{}, &provider.APIError{Status: 503, Message: "unavailable"}
		}
		secondAt = time.Now()
		return cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: "web", Status: "running", Attrs: attrs}, 0), nil
	}
	opts := testOpts(cloud)
	res := Apply(context.Background(), createServer("web"), opts)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d creates, want 2", calls.Load())
	}
	if gap := secondAt.Sub(firstAt); gap < 200*time.Millisecond {
		t.Errorf("created again after %s, before the 200ms deadline", gap)
	}
	if cloud.Count("List servers") < 2 {
		t.Errorf("the name was looked up %d times while waiting", cloud.Count("List servers"))
	}
}

// A create refused for good (4xx) is known not to have happened: no wait.
func TestCreateRefusedIsNotWaitedFor(t *testing.T) {
	cloud := fake.New()
	cloud.OnCreate = func(context.Context, provider.Kind, provider.Attrs) (provider.Object, error) {
		return provider.Object{}, &provider.APIError{Status: 422, Message: "bad"}
	}
	res := Apply(context.Background(), createServer("web"), testOpts(cloud))
	if res.Err() == nil || cloud.Count("Create servers") != 1 || cloud.Count("List servers") != 0 {
		t.Errorf("err %v, %d creates, %d lists: want a failure, 1 create, no lookup", res.Err(), cloud.Count("Create servers"), cloud.Count("List servers"))
	}
	if open := state.Open(res.Journal); len(open) != 0 {
		t.Errorf("a refused create left its intent open: %+v", open)
	}
}

// A create cut short by the second interrupt (ctx cancelled) has an
// unknown outcome: its intent stays open for the next run to wait on.
func TestCancelledCreateLeavesItsIntentOpen(t *testing.T) {
	cloud := fake.New()
	ctx, cancel := context.WithCancel(context.Background())
	cloud.OnCreate = func(ctx context.Context, _ provider.Kind, _ provider.Attrs) (provider.Object, error) {
		cancel() // the cloud carries on; the answer never comes
		<-ctx.Done()
		return provider.Object{}, ctx.Err()
	}
	res := Apply(ctx, createServer("web"), testOpts(cloud))
	if res.Err() == nil {
		t.Fatal("no error")
	}
	open := state.Open(res.Journal)
	if len(open) != 1 || open[0].Op != "create" || open[0].Name != "web" {
		t.Errorf("open intents %+v, want the create of web", open)
	}
	if !strings.Contains(res.Err().Error(), "waits for servers.web") {
		t.Errorf("the error does not say the next run waits: %v", res.Err())
	}
}

// A wait for readiness ends at its deadline with an error naming the
// resource, the status waited for and the last one seen.
func TestReadinessWaitHasADeadline(t *testing.T) {
	cloud := fake.New()
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		return cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: "web", Status: "stopped", Attrs: attrs}, 0), nil
	}
	p := createServer("web")
	p.Actions[0].WaitFor = "running"
	opts := testOpts(cloud)
	opts.ReadyTimeout = 100 * time.Millisecond
	start := time.Now()
	res := Apply(context.Background(), p, opts)
	err := res.Err()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"servers.web", "id-1", "to be running", "its status was stopped", "gave up after"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the error does not match context.DeadlineExceeded: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}

// The first interrupt ends a readiness wait at once.
func TestInterruptEndsAReadinessWait(t *testing.T) {
	cloud := fake.New()
	stop := make(chan struct{})
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		close(stop)
		return cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: "web", Status: "creating", Attrs: attrs}, 0), nil
	}
	p := createServer("web")
	p.Actions[0].WaitFor = "running"
	opts := testOpts(cloud)
	opts.ReadyTimeout = time.Hour
	opts.Stop = stop
	res := Apply(context.Background(), p, opts)
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "interrupted") || !res.Interrupted {
		t.Errorf("err %v, interrupted %v", err, res.Interrupted)
	}
	if err := res.Failed["servers.web"]; !errors.Is(err, ErrInterrupted) {
		t.Errorf("the step's error does not match ErrInterrupted: %v", err)
	}
	if r := opts.State.Get("servers.web"); r == nil {
		t.Error("the object made is not in the state")
	}
}

// An update cut short half-way (a restart: stopped and resized, then the
// start failed) is tried again from a fresh read: only what is left is
// done (the start), and the server ends running.
func TestUpdateTriedAgainDoesWhatIsLeft(t *testing.T) {
	cloud := fake.New()
	vm := cloud.Put(provider.Object{Kind: fake.Servers, Location: "l1", Name: "web", Status: "running",
		Attrs: provider.Attrs{"name": "web", "size": 2, "power": "running"}}, 0)
	var tries atomic.Int32
	cloud.OnUpdate = func(_ context.Context, id string, changes []provider.FieldChange) (provider.Object, error) {
		if tries.Add(1) == 1 { // stopped and resized; the start answered 503
			cloud.Modify(id, func(o *provider.Object) { o.Attrs["size"], o.Attrs["power"], o.Status = 4, "stopped", "stopped" })
			return provider.Object{}, &provider.APIError{Status: 503}
		}
		cloud.Modify(id, func(o *provider.Object) {
			for _, c := range changes {
				o.Attrs[c.Field] = c.After
			}
			o.Status, _ = o.Attrs["power"].(string)
		})
		return cloud.Get(context.Background(), fake.Servers, "l1", id)
	}
	p := &planner.Plan{Actions: []*planner.Action{{
		Address: "servers.web", Kind: "servers", Action: planner.Update, Location: "l1", ID: vm.ID, Name: "web", DependsOn: []string{},
		Changes: []planner.Change{{Path: "size", Before: 2, After: 4}},
		Desired: map[string]planner.Input{"name": {Value: "web"}, "size": {Value: 4}, "power": {Value: "running"}},
		Before:  map[string]any{"size": 2, "power": "running"}, WaitFor: "running",
	}}}
	opts := testOpts(cloud)
	res := Apply(context.Background(), p, opts)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	updates := cloud.Updates()
	if len(updates) != 2 {
		t.Fatalf("%d updates: %v", len(updates), updates)
	}
	if second := updates[1]; len(second) != 1 || second[0].Field != "power" || second[0].After != "running" {
		t.Errorf("the second update %+v, want only power → running", second)
	}
	if got, _ := cloud.Get(context.Background(), fake.Servers, "l1", vm.ID); got.Status != "running" || got.Attrs["size"] != 4 {
		t.Errorf("the server ends %s with size %v", got.Status, got.Attrs["size"])
	}
}

// A failure the client already retried to the end is not retried again
// by the executor (a permanent 500 on a DELETE is not tried 25 times).
func TestStepNotRetriedWhenTheClientGaveUp(t *testing.T) {
	cloud := fake.New()
	cloud.OnDelete = func(context.Context, string) error {
		return errors.Join(&provider.APIError{Status: 500, Message: "boom"}, provider.ErrGaveUp)
	}
	p := &planner.Plan{Actions: []*planner.Action{{Address: "servers.web", Kind: "servers", Action: planner.Delete, Location: "l1", ID: "x", DependsOn: []string{}}}}
	res := Apply(context.Background(), p, testOpts(cloud))
	if res.Err() == nil || cloud.Count("Delete servers") != 1 {
		t.Errorf("err %v after %d deletes, want a failure after 1", res.Err(), cloud.Count("Delete servers"))
	}
}

// An interrupt while the first phase runs stops the apply even when every
// step had started and then succeeded: the result says so (a rollback
// follows), and no deletion starts.
func TestInterruptAfterEveryStepStarted(t *testing.T) {
	cloud := fake.New()
	stop := make(chan struct{})
	var started atomic.Int32
	all := make(chan struct{})
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		if started.Add(1) == 2 {
			close(all)
		}
		<-all
		<-stop // the interrupt comes while both run
		return cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: attrs["name"].(string), Status: "running", Attrs: attrs}, 0), nil
	}
	p := createServer("a")
	p.Actions = append(p.Actions, createServer("b").Actions[0],
		&planner.Action{Address: "servers.old", Kind: "servers", Action: planner.Delete, Location: "l1", ID: "old", DependsOn: []string{}})
	opts := testOpts(cloud)
	opts.Stop = stop
	go func() { <-all; close(stop) }()
	res := Apply(context.Background(), p, opts)
	if !res.Interrupted || res.Err() == nil || res.FailedPhase != 1 {
		t.Errorf("interrupted %v, err %v, phase %d", res.Interrupted, res.Err(), res.FailedPhase)
	}
	if len(res.Done) != 2 || cloud.Count("Delete servers") != 0 {
		t.Errorf("done %v, %d deletes", res.Done, cloud.Count("Delete servers"))
	}
	if rb := planner.Rollback(fake.Description, "s", res.Journal); len(rb.Actions) != 2 {
		t.Errorf("the rollback has %d actions, want the 2 creates undone", len(rb.Actions))
	}
}
