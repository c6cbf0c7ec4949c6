// Package run is one idstack run as a library call: lock → state → journal
// → refresh → recovery of an interrupted apply → plan → approval → apply →
// rollback → read-back → outcome. The command layer wires the concrete
// parts (the stack file, the provider's client, the state backend), turns
// signals into a context and a stop channel, renders the events and picks
// the exit code from the outcome; everything in between is here, so that
// the rollback and interrupt policy of SPEC §4 is tested in process with a
// fake provider.
package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Config is what a run is made of.
type Config struct {
	Stack    *spec.Stack
	Provider provider.Provider
	Backend  state.Backend
	// Lock names the holder of the stack's lock ("idstack apply"); a run
	// without one (plan, graph) takes no lock and saves nothing.
	Lock        string
	LockTimeout time.Duration
	// Options shape the plan (destroy, adopt, targets); Elsewhere is
	// filled from the backend when adopting.
	Options planner.Options
	// Saved is a reviewed plan to apply: the run makes the plan again and
	// refuses it if anything it depends on changed (stale).
	Saved *planner.Saved
	// Approve is asked before anything changes (nil: approved).
	Approve func(*planner.Plan) error
	// CreateDeadline overrides the kinds' create deadlines (nil: theirs).
	CreateDeadline func(provider.Kind) time.Duration
	Parallelism    int
	NoRollback     bool
	// Stop is closed by the first interrupt: nothing new starts, running
	// steps finish, then a rollback. Cancelling the context (the second
	// interrupt) aborts running calls; the state stays right.
	Stop <-chan struct{}
	// Sink receives what a view shows (nil: nothing).
	Sink func(Event)
	// SetStage tells the caller what an interrupt would do now (for its
	// message); nil: not told.
	SetStage func(Stage)
}

// Stage is where an apply is, for the message of an interrupt.
type Stage int

// Stages.
const (
	Planning    Stage = iota // nothing changed yet
	Applying                 // an interrupt rolls back
	RollingBack              // an interrupt does not stop the rollback
	Finishing                // every step ran
)

// EventType says what an Event is.
type EventType int

// Event types.
const (
	Note          EventType = iota // Message: something a person should know (recovery, waiting)
	Diagnostics                    // Diags: problems in the stack file found while planning
	PlanReady                      // Plan: the plan about to be applied (or the one made, for a plan)
	Step                           // Step: an executor event
	Failed                         // Result, Elapsed: the apply failed or was interrupted; Rollback (if any) follows
	RollbackReady                  // Plan: the rollback plan about to run
)

// Event is one thing a view may show.
type Event struct {
	Type    EventType
	Message string
	Diags   spec.Diagnostics
	Plan    *planner.Plan
	Step    executor.Event
	Result  *executor.Result
	Elapsed time.Duration
	// Batch and Job, for the events of a power batch (power.go).
	Batch *Batch
	Job   *Job
}

// Status is how a run ended.
type Status int

// Statuses (the exit codes of SPEC §5 follow from them).
const (
	NotRun      Status = iota // nothing changed: the plan could not be made or applied (Err says why)
	NothingToDo               // the plan has no changes
	Applied                   // every step succeeded
	RolledBack                // it failed (or was interrupted) and everything it did was undone
	Incomplete                // it failed and not everything could be undone, or was left for the next apply
)

// Outcome is what a run did.
type Outcome struct {
	Status Status
	// Err says what went wrong (nil when Applied or NothingToDo), with
	// what is left when Incomplete.
	Err error
	// Plan is the plan applied; Result what the apply did.
	Plan   *planner.Plan
	Result *executor.Result
	// Rollback and RollbackResult, when a rollback ran.
	Rollback       *planner.Plan
	RollbackResult *executor.Result
	// Elapsed is the time the apply took (not the planning).
	Elapsed time.Duration
	// InterruptedAfter: an interrupt came after every step had finished;
	// nothing was undone.
	InterruptedAfter bool
}

// Planned is a plan and what it was made from. Close releases the lock.
type Planned struct {
	Plan      *planner.Plan
	State     *state.State
	Live      *planner.Live
	Recovered planner.Recovery
	cfg       Config
	unlock    func() error
	// journaled: the journal holds changes of the state (a run that did
	// not finish): the snapshot must be written before it is cleared.
	journaled bool
}

// Close releases the lock, if the run took one.
func (p *Planned) Close() error {
	if p == nil || p.unlock == nil {
		return nil
	}
	u := p.unlock
	p.unlock = nil
	return u()
}

// Problems are the plan's errors as diagnostics of the stack file.
func (p *Planned) Problems() spec.Diagnostics {
	var diags spec.Diagnostics
	for _, pr := range p.Plan.Errors {
		d := spec.Diagnostic{Severity: spec.Error, Summary: pr.Summary, Detail: pr.Detail}
		if pr.File != "" {
			d.Range = &spec.Range{Filename: pr.File, Start: spec.Pos{Line: pr.Line, Col: pr.Column}}
		}
		diags = append(diags, d)
	}
	return diags
}

// ErrDiagnostics marks a failure whose reasons were sent as Diagnostics.
var ErrDiagnostics = errors.New("the stack file has errors")

func (c *Config) emit(e Event) {
	if c.Sink != nil {
		c.Sink(e)
	}
}

func (c *Config) stage(s Stage) {
	if c.SetStage != nil {
		c.SetStage(s)
	}
}

func (c *Config) deadlines() func(provider.Kind) time.Duration {
	if c.CreateDeadline != nil {
		return c.CreateDeadline
	}
	return executor.KindDeadlines(c.Provider.Describe())
}

// Plan locks (when cfg.Lock is set), reads the state and the journal,
// refreshes, recovers what an interrupted apply made, and plans. The
// caller must Close the result, also after an error.
func Plan(ctx context.Context, cfg Config) (*Planned, error) {
	p := &Planned{cfg: cfg}
	stack, b := cfg.Stack, cfg.Backend
	if cfg.Lock != "" {
		unlock, err := b.Lock(cfg.Lock, cfg.LockTimeout)
		if err != nil {
			return p, err
		}
		p.unlock = unlock
	}
	st, err := b.Load()
	if err != nil {
		return p, err
	}
	p.State = st
	// The state and the journal are read (and validated) before the first
	// API call: a state that cannot be used stops the run having called
	// nothing.
	entries, err := b.ReadJournal()
	if err != nil {
		return p, err
	}
	open := state.Open(entries)
	p.journaled = slices.ContainsFunc(entries, func(e state.Entry) bool { return e.Phase == state.PhaseState })
	d := stack.Provider
	// The locations are listed while the refresh lists, when every
	// resource names its location: one round of latency less. A resource
	// that leaves it to the account's default needs the list first, to
	// know where to look. The stack file's problems (an unknown location)
	// come before the refresh's errors (its lists there failed for it).
	type locations struct {
		locs  []provider.Location
		def   string
		diags spec.Diagnostics
		err   error
	}
	located := make(chan locations, 1)
	resolve := func() {
		var l locations
		l.locs, l.def, l.diags, l.err = planner.ResolveLocations(ctx, cfg.Provider, stack)
		located <- l
	}
	if planner.NeedsDefaultLocation(stack) {
		resolve()
	} else {
		go resolve()
	}
	// The price list (global) is read once, while the refresh lists; a
	// plan whose prices cannot be read says so and goes on.
	type priceList struct {
		prices any
		err    error
	}
	prices := make(chan priceList, 1)
	go func() {
		v, err := planner.ReadPrices(ctx, cfg.Provider)
		prices <- priceList{v, err}
	}()
	live, err := planner.Refresh(ctx, cfg.Provider, planner.WithIntents(d, planner.Scopes(d, stack, st), open), 32)
	pl := <-prices
	loc := <-located
	locs, def := loc.locs, loc.def
	if loc.err != nil {
		return p, loc.err
	}
	if loc.diags.HasErrors() {
		cfg.emit(Event{Type: Diagnostics, Diags: loc.diags})
		return p, fmt.Errorf("%w: %s", ErrDiagnostics, loc.diags.Errors())
	}
	if err != nil {
		return p, err
	}
	live.Locations, live.DefaultLocation = locs, def
	live.Prices, live.PricesErr = pl.prices, pl.err
	p.Live = live
	if len(open) > 0 {
		if err := p.recover(ctx, open); err != nil {
			return p, err
		}
	}
	opts := cfg.Options
	if opts.Adopt || stack.Adopt {
		opts.Elsewhere = state.OwnedElsewhere(b) // never adopt another stack's objects
	}
	p.Plan = planner.Build(stack, st, live, opts)
	p.Plan.Errors = append(p.Plan.Errors, p.Recovered.Problems...)
	return p, nil
}

// recover resolves the open intents of an interrupted apply before
// planning: what it created is adopted, and a create that may still
// complete is waited for until its deadline, never planned again. A run
// without the lock waits too, unless a live run holds the lock (its
// creates are in progress, not lost); a stale lock's run is gone.
// Adoptions are saved when locked.
func (p *Planned) recover(ctx context.Context, open []state.Entry) error {
	cfg := p.cfg
	locked := cfg.Lock != ""
	var rec planner.Recovery
	if held, herr := cfg.Backend.ReadLock(); !locked && herr == nil && !state.IsStale(held, hostname()) {
		rec = planner.Recover(open, p.State, p.Live)
		if len(rec.Unseen) > 0 {
			cfg.emit(Event{Type: Note, Message: fmt.Sprintf("Note: %q (pid %d on %s) holds the lock and may be creating %s: this plan does not wait for it.",
				held.Holder, held.PID, held.Host, entryNames(rec.Unseen))})
		}
	} else {
		var err error
		rec, err = executor.AwaitCreates(ctx, open, p.State, p.Live, executor.RecoverOptions{
			Provider: cfg.Provider, CreateDeadline: cfg.deadlines(), Stop: cfg.Stop,
			OnWait: func(msg string) { cfg.emit(Event{Type: Note, Message: msg}) },
		})
		if err != nil {
			return fmt.Errorf("%w.\nNothing was planned or changed; run again to go on waiting (a create is never repeated while it may still complete)", err)
		}
	}
	for _, a := range rec.Adopted {
		cfg.emit(Event{Type: Note, Message: fmt.Sprintf("Recovered from an interrupted apply: %s is now in the state.", a)})
	}
	p.Recovered = rec
	if locked && len(rec.Adopted) > 0 {
		return cfg.Backend.Save(p.State)
	}
	return nil
}

// Apply plans and, if there is anything to do and it is approved, applies
// the plan; when a create or an update fails, or an interrupt comes while
// they run, it rolls back what was done and reads the cloud back to tell
// whether the rollback is complete. It takes and releases the lock.
func Apply(ctx context.Context, cfg Config) Outcome {
	if cfg.Lock == "" {
		cfg.Lock = "idstack apply"
	}
	cfg.stage(Planning)
	p, err := Plan(ctx, cfg)
	defer cfg.release(p) // also after an error: the lock may be held
	if err != nil {
		return Outcome{Status: NotRun, Err: err}
	}
	if cfg.Saved != nil {
		why := cfg.Saved.Stale(planner.Digest(cfg.Stack.Sources), p.State, p.Live)
		if len(why) == 0 {
			p.Plan, why = planner.Restrict(p.Plan, cfg.Saved.Plan)
		}
		if len(why) > 0 {
			return Outcome{Status: NotRun, Err: &StaleError{Why: why}}
		}
	}
	plan := p.Plan
	cfg.emit(Event{Type: PlanReady, Plan: plan})
	if len(plan.Errors) > 0 {
		cfg.emit(Event{Type: Diagnostics, Diags: p.Problems()})
		return Outcome{Status: NotRun, Plan: plan, Err: fmt.Errorf("the plan cannot be applied: %s", p.Problems().Errors())}
	}
	if !plan.HasChanges() {
		err := p.checkpointJournaled()
		if err == nil {
			err = clearJournal(cfg.Backend)
		}
		return Outcome{Status: NothingToDo, Plan: plan, Err: err}
	}
	if cfg.Approve != nil {
		if err := cfg.Approve(plan); err != nil {
			return Outcome{Status: NotRun, Plan: plan, Err: err}
		}
	}
	cfg.stage(Applying)
	start := time.Now()
	res, err := p.execute(ctx, plan, cfg.Stop)
	if err != nil {
		return Outcome{Status: NotRun, Plan: plan, Err: err}
	}
	cfg.stage(Finishing)
	out := Outcome{Plan: plan, Result: res, Elapsed: time.Since(start)}
	if res.Err() == nil {
		out.Status, out.InterruptedAfter = Applied, executor.Closed(cfg.Stop)
		if out.Err = checkpointed(cfg.Backend, res); out.Err == nil {
			out.Err = p.wakeDestroyed(plan)
		}
		if out.Err == nil {
			out.Err = clearJournal(cfg.Backend)
		}
		return out
	}
	failure := res.Err()
	if err := checkpointed(cfg.Backend, res); err != nil {
		cfg.emit(Event{Type: Note, Message: fmt.Sprintf("Warning: %v", err)})
	}
	out.Status = Incomplete
	cfg.emit(Event{Type: Failed, Result: res, Elapsed: out.Elapsed})
	if res.FailedPhase == 2 {
		if plan.Destroy {
			out.Err = fmt.Errorf("%w\nThese deletions are left for the next destroy:\n%s", failure, LeftList(plan, res))
			return out
		}
		out.Err = fmt.Errorf("%w\nEvery create and update succeeded; these deletions are left for the next apply:\n%s", failure, LeftList(plan, res))
		return out
	}
	if cfg.NoRollback || ctx.Err() != nil {
		out.Err = fmt.Errorf("%w\nNothing was rolled back; the state records every step that was done. Run `idstack apply` to finish, or `idstack plan` to see what is left%s", failure, unknownCreates(res))
		return out
	}
	rb := planner.Rollback(p.Live.Provider, plan.Stack, res.Journal)
	if !rb.HasChanges() {
		if u := unknownCreates(res); u != "" {
			out.Err = fmt.Errorf("%w%s", failure, u)
			return out
		}
		out.Status, out.Err = NotRun, fmt.Errorf("%w\nNothing had been changed yet", failure)
		return out
	}
	cfg.stage(RollingBack)
	out.Rollback = rb
	cfg.emit(Event{Type: RollbackReady, Plan: rb})
	rres, err := p.execute(ctx, rb, nil)
	if err != nil {
		out.Err = fmt.Errorf("%w\nrollback: %v", failure, err)
		return out
	}
	out.RollbackResult = rres
	if rerr := rres.Err(); rerr != nil {
		out.Err = fmt.Errorf("%w\nThe rollback could not undo everything (%v). Left as it is now, recorded in the state for the next apply:\n%s%s", failure, rerr, LeftList(rb, rres), unknownCreates(res))
		return out
	}
	// Said only when true: every object the rollback acted on is read again.
	if problems := executor.Verify(ctx, cfg.Provider, rb, rres); len(problems) > 0 || unknownCreates(res) != "" {
		out.Err = fmt.Errorf("%w\nThe rollback ran, but the cloud is not as it was before this apply:\n  - %s%s\nThe next `idstack plan` shows what differs from the stack file", failure, strings.Join(problems, "\n  - "), unknownCreates(res))
		return out
	}
	out.Status = RolledBack
	out.Err = fmt.Errorf("apply failed and was rolled back: %w", failure)
	err = checkpointed(cfg.Backend, rres)
	if err == nil {
		err = cfg.Backend.ClearJournal()
	}
	if err != nil {
		cfg.emit(Event{Type: Note, Message: fmt.Sprintf("Warning: %v", err)})
	}
	return out
}

// wakeDestroyed forgets the hibernation of a stack that a destroy left
// with nothing: a later apply creates its VMs running, as declared.
func (p *Planned) wakeDestroyed(plan *planner.Plan) error {
	st := p.State
	if !plan.Destroy || len(st.Resources) > 0 || len(st.Deposed) > 0 || st.Hibernation == nil {
		return nil
	}
	st.Hibernation = nil
	return p.cfg.Backend.Save(st)
}

// checkpointed says why the snapshot at the end of an apply was not
// written: the journal still holds every change then, and is kept.
func checkpointed(b state.Backend, res *executor.Result) error {
	if res.Checkpoint == nil {
		return nil
	}
	return fmt.Errorf("writing the state's snapshot %s: %w; its journal holds every change and is kept: the next run reads the state from both", b, res.Checkpoint)
}

// release unlocks, saying so when the lock could not be removed.
func (c *Config) release(p *Planned) {
	if err := p.Close(); err != nil {
		c.emit(Event{Type: Note, Message: fmt.Sprintf("Warning: %v", err)})
	}
}

// StaleError: a saved plan depends on something that changed since.
type StaleError struct{ Why []string }

func (e *StaleError) Error() string { return strings.Join(e.Why, "; ") }

// execute runs a plan with a fresh journal run.
func (p *Planned) execute(ctx context.Context, plan *planner.Plan, stop <-chan struct{}) (*executor.Result, error) {
	return p.executeWith(ctx, plan, stop, false)
}

// executeWith is execute; keepGoing lets the other steps go on after one
// fails (executor.Options.KeepGoing).
func (p *Planned) executeWith(ctx context.Context, plan *planner.Plan, stop <-chan struct{}, keepGoing bool) (*executor.Result, error) {
	cfg := p.cfg
	journal, err := cfg.Backend.OpenJournal()
	if err != nil {
		return nil, err
	}
	return executor.Apply(ctx, plan, executor.Options{
		Provider:       cfg.Provider,
		State:          p.State,
		Checkpoint:     cfg.Backend.Checkpoint,
		Journal:        journal,
		Live:           p.Live,
		Stop:           stop,
		Parallelism:    cfg.Parallelism,
		OnEvent:        func(e executor.Event) { cfg.emit(Event{Type: Step, Step: e}) },
		CreateDeadline: cfg.deadlines(),
		KeepGoing:      keepGoing,
	}), nil
}

// checkpointJournaled writes the snapshot of a state that holds changes
// only the journal has (a run that did not finish), before a run with
// nothing to apply clears the journal.
func (p *Planned) checkpointJournaled() error {
	if !p.journaled {
		return nil
	}
	if err := p.cfg.Backend.Checkpoint(p.State); err != nil {
		return fmt.Errorf("writing the state's snapshot %s: %w", p.cfg.Backend, err)
	}
	return nil
}

// clearJournal drops the journal once nothing in it is unresolved.
func clearJournal(b state.Backend) error {
	if err := b.ClearJournal(); err != nil {
		return fmt.Errorf("clearing the journal: %w", err)
	}
	return nil
}

// LeftList names the steps of a plan that did not happen.
func LeftList(plan *planner.Plan, res *executor.Result) string {
	var lines []string
	for _, a := range plan.Actions {
		for _, key := range []string{a.Address, "delete " + a.Address} {
			err, failed := res.Failed[key]
			skipped := slices.Contains(res.Skipped, key)
			if !failed && !skipped {
				continue
			}
			what := fmt.Sprintf("  - %s %s", a.Action, a.Address)
			if a.ID != "" {
				what += " (" + a.ID + ")"
			}
			if failed {
				what += ": " + err.Error()
			} else {
				what += ": not started"
			}
			lines = append(lines, what)
		}
	}
	return strings.Join(lines, "\n")
}

// unknownCreates names the creates of a run whose outcome is unknown (their
// intents are open): they may still appear, and the next run waits for
// them. "" when there are none.
func unknownCreates(res *executor.Result) string {
	var lines []string
	for _, in := range state.Open(res.Journal) {
		if in.Op == "create" || in.Op == "replace" {
			lines = append(lines, fmt.Sprintf("  - %s %q: its create's outcome is unknown; it may still appear: the next plan or apply waits for it", in.Address, in.Name))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + strings.Join(lines, "\n")
}

func entryNames(es []state.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Address)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
