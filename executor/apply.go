package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// Options configure an apply.
type Options struct {
	Provider provider.Provider
	// State is updated in place after every step.
	State *state.State
	// Journal, the state's write-ahead log, receives an intent before
	// every mutating call, its outcome after, and the changes each step
	// makes to the state (a "state" record, its serial one higher): a
	// step goes on only once they are durable (nil: no journal).
	Journal state.Journal
	// Checkpoint writes the whole state as its snapshot (Backend.
	// Checkpoint), in the background every CheckpointEvery changes,
	// and at the end (nil: never).
	Checkpoint func(*state.State) error
	// CheckpointEvery is how many changes the journal holds beyond the
	// snapshot before the next one is written (default: 1,000, or the
	// number of records in the state if more, so that writing snapshots
	// costs O(1) a change).
	CheckpointEvery int
	// Live is the refresh the plan was made from: it resolves references
	// to objects that this apply does not touch.
	Live *planner.Live
	// Stop, when closed, stops scheduling: running steps finish, nothing
	// new starts (the first Ctrl-C). Cancelling ctx aborts running calls.
	Stop        <-chan struct{}
	Parallelism int // default 8
	// OnEvent receives every event, in order, from one goroutine of the
	// executor's, never from a step: a slow view does not slow the
	// apply. All are delivered before Apply returns.
	OnEvent       func(Event)
	PollInterval  time.Duration // first readiness poll; doubles up to 5 s (default 250 ms)
	ReadyTimeout  time.Duration // default 20 min
	ProgressEvery time.Duration // default 10 s
	// Attempts is how often a step is tried when it fails transiently
	// (5xx, 429, a lost connection): default 5.
	Attempts int
	// Backoff is the first wait between attempts (doubling, with jitter,
	// up to 5 s; default 200 ms).
	Backoff time.Duration
	// CreateDeadline is how long after a create whose outcome is unknown
	// its object may still appear (default: the kind's description).
	CreateDeadline func(provider.Kind) time.Duration
	// KeepGoing: a failed step stops only the steps that depend on it;
	// the others still start (a batch of independent power changes). By
	// default the first failure stops scheduling, for a rollback.
	KeepGoing bool
}

// Result says what an apply did.
type Result struct {
	Done    []string         // step keys that succeeded
	Failed  map[string]error // step key → error
	Skipped []string         // steps not started
	// FailedPhase is 1 when a create/update step failed or the run was
	// stopped before the deletions, 2 when a deletion failed, 0 on success.
	FailedPhase int
	// Journal holds every entry this run wrote, in order: what a rollback
	// undoes.
	Journal []state.Entry
	// Interrupted: Stop was closed (or ctx ended) before the phase that
	// failed had finished.
	Interrupted bool
	// Checkpoint is why the snapshot at the end could not be written
	// (nil: written, or no Checkpoint). The journal still holds every
	// change: it must not be cleared.
	Checkpoint error
}

// Err summarises the failures, nil when there were none.
func (r *Result) Err() error {
	if len(r.Failed) == 0 {
		switch {
		case r.Interrupted:
			return ErrInterrupted
		case r.FailedPhase != 0:
			return errors.New("stopped before every step ran")
		}
		return nil
	}
	keys := make([]string, 0, len(r.Failed))
	for k := range r.Failed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		errs = append(errs, fmt.Errorf("%s: %w", k, r.Failed[k]))
	}
	return errors.Join(errs...)
}

// applier is one apply in progress. Its mutex guards memory only (the
// state, results, the entries kept for the result): no I/O is done while
// it is held. Journal entries are queued under it, so the journal's order
// is the order of the changes, and committed after it is released, where
// the journal groups the writes of steps that finish together.
type applier struct {
	opts    Options
	desc    *provider.Description // the provider's kinds
	mu      sync.Mutex
	results map[string]provider.Object
	entries []state.Entry
	last    int // the Seq of the last entry queued
	events  *mailbox
	ckpt    checkpointer
}

// Apply runs a plan: first every create, update and new half of a
// replacement, in dependency order; then, only if all of them succeeded,
// the deletions in reverse dependency order.
func Apply(ctx context.Context, p *planner.Plan, opts Options) *Result {
	if opts.Parallelism < 1 {
		opts.Parallelism = 8
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 20 * time.Minute
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 10 * time.Second
	}
	if opts.Attempts < 1 {
		opts.Attempts = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 200 * time.Millisecond
	}
	if opts.CreateDeadline == nil {
		opts.CreateDeadline = KindDeadlines(opts.Provider.Describe())
	}
	ap := &applier{opts: opts, desc: opts.Provider.Describe(), results: map[string]provider.Object{}}
	if opts.OnEvent != nil {
		ap.events = newMailbox(opts.OnEvent)
	}
	res := &Result{Failed: map[string]error{}}

	// The planner's graph, walked as it is: one node per step.
	steps1, steps2 := p.Steps()
	first := make([]*node, len(steps1))
	for i, st := range steps1 {
		first[i] = ap.step(st, ap.phase1(st.Action))
	}
	second := make([]*node, len(steps2))
	for i, st := range steps2 {
		second[i] = ap.step(st, ap.phase2(st.Action))
	}
	collect := func(phase []*node, failed map[string]error, skipped []string) {
		for k, err := range failed {
			res.Failed[k] = err
		}
		res.Skipped = append(res.Skipped, skipped...)
		for _, n := range phase {
			if failed[n.key] == nil && !slices.Contains(skipped, n.key) {
				res.Done = append(res.Done, n.key)
			}
		}
	}
	failed, skipped := walkAll(ctx, opts.Stop, first, opts.Parallelism, opts.KeepGoing)
	collect(first, failed, skipped)
	// An interrupt while the first phase ran stops the apply even if every
	// step had already started and then finished: it is rolled back.
	res.Interrupted = Closed(opts.Stop) || ctx.Err() != nil
	if len(failed) == 0 && len(skipped) == 0 && !res.Interrupted {
		failed, skipped = walkAll(ctx, opts.Stop, second, opts.Parallelism, opts.KeepGoing)
		collect(second, failed, skipped)
		if len(failed) > 0 || len(skipped) > 0 {
			res.FailedPhase = 2
			res.Interrupted = Closed(opts.Stop) || ctx.Err() != nil
		}
	} else {
		res.FailedPhase = 1
		// Deletions run only after every first-phase step succeeded.
		for _, n := range second {
			res.Skipped = append(res.Skipped, n.key)
		}
	}
	for _, k := range res.Skipped {
		ap.emit(Event{Type: Skipped, Address: strings.TrimPrefix(k, "delete ")})
	}
	res.Checkpoint = ap.finalCheckpoint()
	ap.mu.Lock()
	res.Journal = ap.entries
	ap.mu.Unlock()
	if ap.events != nil {
		ap.events.close(drainTimeout)
	}
	return res
}

// KindDeadlines are the create deadlines of a provider's kinds.
func KindDeadlines(d *provider.Description) func(provider.Kind) time.Duration {
	return func(k provider.Kind) time.Duration { return d.Kind(k).Deadline() }
}

// Closed reports whether a stop channel has been closed (nil: never).
func Closed(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// step wraps an action's work with its events.
func (ap *applier) step(st planner.Step, work func(context.Context) error) *node {
	a := st.Action
	half := ""
	if a.Action == planner.Replace && st.Delete {
		half = "delete"
	}
	var start time.Time
	n := &node{key: st.Key(), deps: st.Deps}
	n.run = func(ctx context.Context) error {
		start = time.Now()
		ap.emit(Event{Type: Started, Address: a.Address, Action: a.Action, Half: half, ID: a.ID})
		done, ticked := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(ticked)
			t := time.NewTicker(ap.opts.ProgressEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					ap.emit(Event{Type: Progress, Address: a.Address, Action: a.Action, Half: half, Elapsed: time.Since(start)})
				}
			}
		}()
		err := work(ctx)
		close(done)
		<-ticked // no progress event after the step's last one
		return err
	}
	// The step's last entries (its record, its outcome) are written
	// after its slot is given back: at parallelism P, P steps are at
	// work in the cloud while the journal writes, and the step's
	// dependents still start only once it is durable.
	n.finish = func(err error) error {
		if cerr := ap.commitSoon(ap.lastSeq()); err == nil {
			err = cerr
		}
		ev := Event{Type: Finished, Address: a.Address, Action: a.Action, Half: half, Elapsed: time.Since(start), ID: a.ID}
		if err != nil {
			ev.Type, ev.Err = Failed, err
		}
		ap.mu.Lock()
		if o, ok := ap.results[a.Address]; ok && half == "" {
			ev.ID = o.ID
		}
		ap.mu.Unlock()
		ap.emit(ev)
		return err
	}
	return n
}

// emit posts an event for the view; it never waits for it.
func (ap *applier) emit(e Event) {
	if ap.events != nil {
		ap.events.post(e)
	}
}

// lookup resolves an address to the object it stands for now: made by
// this apply, or owned by the state and seen by the refresh.
func (ap *applier) lookup(addr string) (provider.Object, bool) {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	if o, ok := ap.results[addr]; ok {
		return o, true
	}
	sr := ap.opts.State.Get(addr)
	if sr == nil || ap.opts.Live == nil {
		return provider.Object{}, false
	}
	if o := ap.opts.Live.Find(provider.Kind(sr.Kind), sr.Location, sr.ID); o != nil {
		return *o, true
	}
	return provider.Object{}, false
}

// change makes a step's changes to the state and queues them in the
// journal as one record, its serial one higher; it returns the record's
// Seq for commit (0: nothing changed, or no journal).
func (ap *applier) change(changes func(*state.State) []state.Change) (int, error) {
	ap.mu.Lock()
	st := ap.opts.State
	cs := changes(st)
	if len(cs) == 0 {
		ap.mu.Unlock()
		return 0, nil
	}
	st.Apply(cs...)
	st.Serial++
	seq := 0
	var err error
	if ap.opts.Journal != nil {
		var e state.Entry
		e, err = ap.opts.Journal.Add(state.Entry{Phase: state.PhaseState, Serial: st.Serial, Lineage: st.Lineage, Changes: cs})
		seq = e.Seq
		ap.last = max(ap.last, seq)
	}
	snap := ap.ckpt.due(ap.opts, st)
	ap.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("writing the state's journal: %w", err)
	}
	if snap != nil {
		ap.ckpt.start(ap.opts.Checkpoint, snap)
	}
	return seq, nil
}

// journal writes an entry, durable on return, and keeps it for the
// result.
func (ap *applier) journal(e state.Entry) (state.Entry, error) {
	e, err := ap.add(e)
	if err != nil {
		return e, err
	}
	return e, ap.commit(e.Seq)
}

// add queues an entry in the journal and keeps it for the result; it is
// durable once commit(e.Seq) returns.
func (ap *applier) add(e state.Entry) (state.Entry, error) {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	if ap.opts.Journal != nil {
		var err error
		if e, err = ap.opts.Journal.Add(e); err != nil {
			return e, fmt.Errorf("writing the journal: %w", err)
		}
		ap.last = max(ap.last, e.Seq)
	} else {
		e.Seq = len(ap.entries) + 1
	}
	ap.entries = append(ap.entries, e)
	return e, nil
}

// lastSeq is the Seq of the last entry queued.
func (ap *applier) lastSeq() int {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	return ap.last
}

// finishPatience is how long a finishing step leaves its journal write
// to the next step's intent (which the freed slot lets start at once)
// before it writes itself.
const finishPatience = 2 * time.Millisecond

// commitSoon is commit for a step's last entries: with a journal that
// can, the write is left for up to finishPatience to another step's
// (state.GroupCommit.CommitSoon).
func (ap *applier) commitSoon(seq int) error {
	j, ok := ap.opts.Journal.(interface {
		CommitSoon(int, time.Duration) error
	})
	if !ok || seq == 0 {
		return ap.commit(seq)
	}
	if err := j.CommitSoon(seq, finishPatience); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	return nil
}

// commit waits until the journal holds every entry up to seq (grouped
// with the other steps' entries), outside the lock.
func (ap *applier) commit(seq int) error {
	if ap.opts.Journal == nil || seq == 0 {
		return nil
	}
	if err := ap.opts.Journal.Commit(seq); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	return nil
}

// previous returns a copy of the state record at an address (nil if none).
func (ap *applier) previous(addr string) *state.Resource {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	return ap.opts.State.Get(addr).Clone()
}
