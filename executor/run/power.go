package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// A power batch (`idstack stop`, `idstack start`) is a run too: lock →
// state → journal → refresh → recovery, then one stop (start) per VM that
// is not as wanted yet, all independent, at most Parallelism at once,
// through the provider's own power change (the call an apply makes for a
// change of power:, with its readiness wait and deadline, journaled). A
// failed job does not stop the others and nothing is rolled back: power
// changes are idempotent, and running the same command again does what
// is left. The state records the hibernation (state.Hibernation).

// Power event types (Event.Type), after run.go's.
const (
	// BatchReady: Batch is the batch about to run (every job pending),
	// Plan its plan (costed).
	BatchReady EventType = 100 + iota
	// JobChanged: Job is a copy of a job whose status changed.
	JobChanged
)

// JobStatus is where a job is: pending (not started), running,
// succeeded or failed (the views name them).
type JobStatus int

// Job statuses.
const (
	JobPending JobStatus = iota
	JobRunning
	JobSucceeded
	JobFailed
)

// Job is one VM's stop (start) in a batch.
type Job struct {
	Address string
	ID      string // the live VM's
	JobID   string
	Status  JobStatus
	// ErrorCode and ErrorMsg say why a failed job failed: the API's
	// status code and message when the API refused, else a word
	// ("interrupted", "timeout", "error") and the error.
	ErrorCode string
	ErrorMsg  string
	// Started and Ended are nil until the job started (ended).
	Started *time.Time
	Ended   *time.Time
}

// Batch is a power batch: a request id and one job per VM acted on; the
// VMs left alone, and the hibernation the state records afterwards.
type Batch struct {
	RequestID string
	// Action is "stop" or "start".
	Action  string
	Jobs    []*Job
	Skipped []planner.PowerSkip
	// Hibernation is the state's after the batch (nil: awake).
	Hibernation *state.Hibernation
}

// PowerRequest is what `idstack stop` or `idstack start` asks.
type PowerRequest struct {
	Stop    bool
	Targets []string
	// By names who stops the stack (user@host), for the hibernation.
	By string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// PowerOutcome is what a power batch did. Status: NotRun (an error before
// any job: Err), NothingToDo (every VM already as wanted), Applied (every
// job succeeded), Incomplete (some failed or were not started: Err).
type PowerOutcome struct {
	Status  Status
	Err     error
	Batch   *Batch
	Plan    *planner.Plan
	Elapsed time.Duration
}

// Power runs a power batch.
func Power(ctx context.Context, cfg Config, req PowerRequest) PowerOutcome {
	verb := "start"
	if req.Stop {
		verb = "stop"
	}
	if req.Now == nil {
		req.Now = time.Now
	}
	if cfg.Lock == "" {
		cfg.Lock = "idstack " + verb
	}
	cfg.stage(Planning)
	p, err := Plan(ctx, cfg)
	defer cfg.release(p)
	if err != nil {
		return PowerOutcome{Status: NotRun, Err: err}
	}
	pb := planner.Power(cfg.Stack, p.State, p.Live, planner.PowerOptions{Stop: req.Stop, Targets: req.Targets})
	plan := pb.Plan
	plan.Errors = append(plan.Errors, p.Recovered.Problems...)
	if len(plan.Errors) > 0 {
		diags := (&Planned{Plan: plan}).Problems()
		cfg.emit(Event{Type: Diagnostics, Diags: diags})
		return PowerOutcome{Status: NotRun, Plan: plan, Err: fmt.Errorf("no VM was touched: %s", diags.Errors())}
	}
	batch := &Batch{RequestID: newID(), Action: verb, Skipped: pb.Skipped, Jobs: []*Job{}}
	if batch.Skipped == nil {
		batch.Skipped = []planner.PowerSkip{}
	}
	jobs := map[string]*Job{}
	for _, a := range plan.Actions {
		j := &Job{Address: a.Address, ID: a.ID, JobID: newID(), Status: JobPending}
		batch.Jobs = append(batch.Jobs, j)
		jobs[a.Address] = j
	}
	out := PowerOutcome{Batch: batch, Plan: plan}
	cfg.emit(Event{Type: BatchReady, Batch: copyBatch(batch), Plan: plan})
	if len(batch.Jobs) == 0 {
		out.Status = NothingToDo
		if out.Err = p.checkpointJournaled(); out.Err != nil {
			return out
		}
		batch.Hibernation, out.Err = p.hibernate(pb, req, nil)
		if out.Err == nil {
			out.Err = clearJournal(cfg.Backend)
		}
		return out
	}
	if cfg.Approve != nil {
		if err := cfg.Approve(plan); err != nil {
			return PowerOutcome{Status: NotRun, Batch: batch, Plan: plan, Err: err}
		}
	}
	cfg.stage(Applying)
	start := time.Now()
	sink := cfg.Sink
	cfg.Sink = func(e Event) {
		if e.Type == Step {
			if j := jobs[e.Step.Address]; j != nil && jobEvent(j, e.Step, req.Now()) {
				cp := *j
				e.Job = &cp
			}
		}
		if sink != nil {
			sink(e)
		}
	}
	p.cfg = cfg
	res, err := p.executeWith(ctx, plan, cfg.Stop, true)
	if err != nil {
		return PowerOutcome{Status: NotRun, Batch: batch, Plan: plan, Err: err}
	}
	cfg.stage(Finishing)
	out.Elapsed = time.Since(start)
	var failed []string
	for _, j := range batch.Jobs {
		if j.Status == JobRunning { // cut short: its end event was not seen
			jobEvent(j, executor.Event{Type: executor.Failed, Err: res.Failed[j.Address]}, req.Now())
		}
		if e := res.Failed[j.Address]; e != nil && j.Status != JobFailed {
			jobEvent(j, executor.Event{Type: executor.Failed, Err: e}, req.Now())
		}
		switch j.Status {
		case JobFailed:
			failed = append(failed, fmt.Sprintf("  - %s (%s): %s", j.Address, j.ID, j.ErrorMsg))
		case JobPending:
			failed = append(failed, fmt.Sprintf("  - %s (%s): not started", j.Address, j.ID))
		}
	}
	var notes []string
	if err := checkpointed(cfg.Backend, res); err != nil {
		notes = append(notes, err.Error())
	}
	hib, herr := p.hibernate(pb, req, batch.Jobs)
	batch.Hibernation = hib
	if herr != nil {
		notes = append(notes, herr.Error())
	}
	if len(notes) == 0 && len(state.Open(res.Journal)) == 0 {
		if err := clearJournal(cfg.Backend); err != nil {
			notes = append(notes, err.Error())
		}
	}
	if len(failed) == 0 {
		out.Status = Applied
		if len(notes) > 0 {
			out.Err = errors.New(strings.Join(notes, "; "))
		}
		return out
	}
	out.Status = Incomplete
	what := "failed"
	if res.Interrupted {
		what = "were interrupted"
	}
	out.Err = fmt.Errorf("%d of %d jobs %s; nothing is rolled back. Run `idstack %s` again to finish (it does only what is left):\n%s",
		len(failed), len(batch.Jobs), what, verb, strings.Join(failed, "\n"))
	if len(notes) > 0 {
		out.Err = fmt.Errorf("%w\n%s", out.Err, strings.Join(notes, "\n"))
	}
	return out
}

// jobEvent moves a job on by an executor event; it reports whether the
// job changed.
func jobEvent(j *Job, e executor.Event, now time.Time) bool {
	switch e.Type {
	case executor.Started:
		j.Status, j.Started = JobRunning, &now
	case executor.Finished:
		j.Status, j.Ended = JobSucceeded, &now
		if e.ID != "" {
			j.ID = e.ID
		}
	case executor.Failed:
		j.Status, j.Ended = JobFailed, &now
		j.ErrorCode, j.ErrorMsg = errorCode(e.Err)
	default:
		return false
	}
	return true
}

// errorCode is a failed job's error_code and error_msg: the API's status
// and message when the API refused.
func errorCode(err error) (string, string) {
	var apiErr *provider.APIError
	switch {
	case err == nil:
		return "interrupted", "not finished: the run was interrupted"
	case errors.As(err, &apiErr):
		return strconv.Itoa(apiErr.Status), apiErr.Message
	case errors.Is(err, context.Canceled) || errors.Is(err, executor.ErrInterrupted):
		return "interrupted", err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", err.Error()
	}
	return "error", err.Error()
}

// hibernate records in the state what the batch did to the stack's
// hibernation (jobs nil: no job ran, every VM covered was already as
// wanted), saved as a change of the state of its own. A whole-stack stop
// whose VMs are all stopped hibernates the stack (all: a VM created
// later is created stopped); a --target stop, or a stop some of whose jobs
// failed, keeps the VMs it stopped. A start wakes the VMs it started; the
// stack is awake once none is left.
func (p *Planned) hibernate(pb *planner.PowerBatch, req PowerRequest, jobs []*Job) (*state.Hibernation, error) {
	st := p.State
	old := st.Hibernation
	notDone := map[string]bool{}
	for _, j := range jobs {
		if j.Status != JobSucceeded {
			notDone[j.Address] = true
		}
	}
	var done []string // now as wanted
	for _, addr := range pb.Covered {
		if !notDone[addr] {
			done = append(done, addr)
		}
	}
	var next *state.Hibernation
	if req.Stop {
		next = old.Clone()
		if next == nil {
			next = &state.Hibernation{Since: req.Now().UTC().Truncate(time.Second)}
		}
		next.By = req.By
		for _, addr := range done {
			if !slices.Contains(next.VMs, addr) {
				next.VMs = append(next.VMs, addr)
			}
		}
		slices.Sort(next.VMs)
		if len(req.Targets) == 0 && len(notDone) == 0 {
			next.All = true
		}
		if !next.All && len(next.VMs) == 0 {
			next = old // nothing was stopped
		}
	} else if old != nil && (len(req.Targets) > 0 || len(notDone) > 0) {
		next = old.Clone()
		if next.All {
			next.All, next.VMs = false, slices.Clone(pb.VMs)
		}
		next.VMs = slices.DeleteFunc(next.VMs, func(a string) bool { return slices.Contains(done, a) })
		if len(next.VMs) == 0 {
			next = nil
		}
	}
	if reflect.DeepEqual(next, old) {
		return old, nil
	}
	st.Hibernation = next
	if err := p.cfg.Backend.Save(st); err != nil {
		st.Hibernation = old
		return old, fmt.Errorf("recording the hibernation in the state %s: %w; run the same command again to record it", p.cfg.Backend, err)
	}
	return next, nil
}

// newID is a request or job id: 32 hex digits, as the API's own.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func copyBatch(b *Batch) *Batch {
	c := *b
	c.Jobs = make([]*Job, len(b.Jobs))
	for i, j := range b.Jobs {
		cp := *j
		c.Jobs[i] = &cp
	}
	return &c
}
