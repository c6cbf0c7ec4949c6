package executor

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
)

// createServers is a plan that creates independent servers.
func createServers(names ...string) *planner.Plan {
	p := &planner.Plan{}
	for _, n := range names {
		p.Actions = append(p.Actions, createServer(n).Actions[0])
	}
	return p
}

// replayed is the state a journal's records make of a state.
func replayed(t *testing.T, from *state.State, j *memJournal) *state.State {
	t.Helper()
	st := from.Clone()
	data, err := (state.Stored{Where: "test", LogWhere: "memory", Found: false, Log: j.entries}).State(state.Expect{Stack: st.Stack})
	if err != nil {
		t.Fatal(err)
	}
	st.Resources, st.Deposed, st.Serial = data.Resources, data.Deposed, data.Serial
	return st
}

// TestJournalSaysWhatTheStateIs: the journal's state records, replayed in
// order, make the state the apply left, for creates and then a
// replacement and a deletion; a step whose record would change nothing
// (the final record of a create) writes none.
func TestJournalSaysWhatTheStateIs(t *testing.T) {
	cloud := fake.New()
	opts := testOpts(cloud)
	j := opts.Journal.(*memJournal)
	empty := opts.State.Clone()
	if res := Apply(context.Background(), createServers("a", "b", "c"), opts); res.Err() != nil {
		t.Fatal(res.Err())
	}
	if d := cmp.Diff(opts.State, replayed(t, empty, j)); d != "" {
		t.Fatalf("the journal's state after the creates (-state +journal):\n%s", d)
	}
	records := 0
	for _, e := range j.entries {
		if e.Phase == state.PhaseState {
			records++
		}
	}
	if records != 3 || opts.State.Serial != 3 {
		t.Errorf("%d state records and serial %d for 3 creates, want 3 and 3", records, opts.State.Serial)
	}
	a, b := opts.State.Get("servers.a"), opts.State.Get("servers.b")
	next := &planner.Plan{Actions: []*planner.Action{
		{Address: "servers.a", Kind: "servers", Action: planner.Replace, Location: "l1", ID: a.ID, Name: "a", DependsOn: []string{},
			Desired: map[string]planner.Input{"name": {Value: "a"}, "power": {Value: "running"}}},
		{Address: "servers.b", Kind: "servers", Action: planner.Delete, Location: "l1", ID: b.ID, DependsOn: []string{}},
	}}
	if res := Apply(context.Background(), next, opts); res.Err() != nil {
		t.Fatal(res.Err())
	}
	if d := cmp.Diff(opts.State, replayed(t, empty, j)); d != "" {
		t.Fatalf("the journal's state after a replacement and a deletion (-state +journal):\n%s", d)
	}
	if r := opts.State.Get("servers.a"); r == nil || r.ID == a.ID || len(opts.State.Deposed) != 0 || opts.State.Get("servers.b") != nil {
		t.Errorf("state after: %+v, deposed %+v", opts.State.Resources, opts.State.Deposed)
	}
}

// TestSlowViewDoesNotSlowTheApply: while the view is stuck on its first
// event, every step runs to its end; then every event is delivered, in
// order per step, before Apply returns.
func TestSlowViewDoesNotSlowTheApply(t *testing.T) {
	cloud := fake.New()
	opts := testOpts(cloud)
	release := make(chan struct{})
	var events []Event
	opts.OnEvent = func(e Event) {
		if len(events) == 0 {
			<-release
		}
		events = append(events, e)
	}
	names := []string{"a", "b", "c", "d", "e", "f"}
	done := make(chan *Result)
	go func() { done <- Apply(context.Background(), createServers(names...), opts) }()
	waitFor(t, "every create while the view is stuck", func() bool { return cloud.Count("Create servers") == len(names) })
	close(release)
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Apply did not return once the view went on")
	}
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	for _, n := range names {
		var got []EventType
		for _, e := range events {
			if e.Address == "servers."+n {
				got = append(got, e.Type)
			}
		}
		if !slices.Equal(got, []EventType{Started, Finished}) {
			t.Errorf("servers.%s: events %v, want started then finished", n, got)
		}
	}
}

// gatedJournal is a journal whose first commit waits until a second
// create has reached the cloud: a step that held a lock while it wrote
// would stop the other step from getting there.
type gatedJournal struct {
	memJournal
	commits atomic.Int32
	gate    chan struct{}
	err     atomic.Value
}

func (j *gatedJournal) Commit(seq int) error {
	if j.commits.Add(1) == 1 {
		select {
		case <-j.gate:
		case <-time.After(10 * time.Second):
			j.err.Store(fmt.Errorf("the other step never reached the cloud while a commit was waiting"))
		}
	}
	return nil
}

func (j *gatedJournal) Append(e state.Entry) (state.Entry, error) {
	e, _ = j.Add(e)
	return e, j.Commit(e.Seq)
}

// TestNoLockIsHeldWhileTheJournalWrites: a step waiting for its journal
// write does not hold up another step.
func TestNoLockIsHeldWhileTheJournalWrites(t *testing.T) {
	cloud := fake.New()
	j := &gatedJournal{gate: make(chan struct{})}
	var creates atomic.Int32
	cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
		if creates.Add(1) == 1 {
			close(j.gate)
		}
		return cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: attrs["name"].(string), Status: "running", Attrs: attrs}, 0), nil
	}
	opts := testOpts(cloud)
	opts.Journal = j
	if res := Apply(context.Background(), createServers("a", "b"), opts); res.Err() != nil {
		t.Fatal(res.Err())
	}
	if err, _ := j.err.Load().(error); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpoints: snapshots are written every CheckpointEvery changes
// and at the end, in the order of the changes, the last one the state
// as the apply left it.
func TestCheckpoints(t *testing.T) {
	cloud := fake.New()
	opts := testOpts(cloud)
	opts.CheckpointEvery = 2
	var mu sync.Mutex
	var serials []int64
	opts.Checkpoint = func(st *state.State) error {
		mu.Lock()
		defer mu.Unlock()
		serials = append(serials, st.Serial)
		return nil
	}
	if res := Apply(context.Background(), createServers("a", "b", "c", "d", "e"), opts); res.Err() != nil || res.Checkpoint != nil {
		t.Fatal(res.Err(), res.Checkpoint)
	}
	if len(serials) < 2 || serials[len(serials)-1] != opts.State.Serial || !slices.IsSorted(serials) {
		t.Errorf("snapshots at serials %v; want at least one in the run, in order, the last at %d", serials, opts.State.Serial)
	}
	// An apply that changes nothing writes no snapshot.
	serials = nil
	if res := Apply(context.Background(), &planner.Plan{}, opts); res.Err() != nil || len(serials) != 0 {
		t.Errorf("an empty apply wrote snapshots %v (%v)", serials, res.Err())
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// committingJournal notes how far it has been committed, and whether
// b's first entry came while a's outcome was not yet written.
type committingJournal struct {
	memJournal
	committed atomic.Int64
	problem   string
}

func (j *committingJournal) Add(e state.Entry) (state.Entry, error) {
	if e.Address == "servers.b" && e.Phase == state.PhaseIntent {
		j.mu.Lock()
		for _, prev := range j.entries {
			if prev.Address == "servers.a" && prev.Phase == state.PhaseOutcome && int64(prev.Seq) > j.committed.Load() {
				j.problem = fmt.Sprintf("b started while a's outcome (entry %d) was not written (written up to %d)", prev.Seq, j.committed.Load())
			}
		}
		j.mu.Unlock()
	}
	return j.memJournal.Add(e)
}

func (j *committingJournal) Commit(seq int) error {
	for {
		c := j.committed.Load()
		if int64(seq) <= c || j.committed.CompareAndSwap(c, int64(seq)) {
			return nil
		}
	}
}

func (j *committingJournal) Append(e state.Entry) (state.Entry, error) {
	e, _ = j.Add(e)
	return e, j.Commit(e.Seq)
}

// TestDependentsStartOnceTheRecordIsDurable: a step's record and outcome
// are written after it gives its slot back, but before any step that
// depends on it starts.
func TestDependentsStartOnceTheRecordIsDurable(t *testing.T) {
	cloud := fake.New()
	j := &committingJournal{}
	opts := testOpts(cloud)
	opts.Journal = j
	p := createServers("a", "b")
	p.Actions[1].DependsOn = []string{"servers.a"}
	if res := Apply(context.Background(), p, opts); res.Err() != nil {
		t.Fatal(res.Err())
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.problem != "" {
		t.Fatal(j.problem)
	}
	if n := cloud.Count("Create servers"); n != 2 {
		t.Fatalf("%d creates", n)
	}
}
