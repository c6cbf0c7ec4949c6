package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// phase1 returns the work of a create, update, adopt, start/stop,
// reinstall or the new half of a replacement.
func (ap *applier) phase1(a *planner.Action) func(context.Context) error {
	kind := provider.Kind(a.Kind)
	return func(ctx context.Context) error {
		attrs, err := planner.ResolveAll(a.Desired, ap.lookup)
		if err != nil {
			return err
		}
		// The record is made (its secrets hashed) once: the record of
		// the create or adoption and the final one then compare equal,
		// and the final one is not journaled again.
		rec := ap.stateRecord(a, provider.Object{}, attrs)
		var obj provider.Object
		switch a.Action {
		case planner.Create, planner.Replace:
			if obj, err = ap.create(ctx, a, attrs, rec); err != nil {
				return err
			}
		default: // update, adopt, start, stop, reinstall
			if a.Action == planner.Adopt {
				if err := ap.adopt(a, rec); err != nil {
					return err
				}
			}
			if obj, err = ap.update(ctx, a, attrs); err != nil {
				return err
			}
		}
		if a.WaitFor != "" {
			if obj, err = ap.waitFor(ctx, a, obj.ID, a.WaitFor); err != nil {
				return err
			}
		}
		if obj.Attrs == nil { // no API call made: read it once for references
			if got, err := ap.opts.Provider.Get(ctx, kind, a.Location, obj.ID); err == nil {
				obj = got
			}
		}
		ap.mu.Lock()
		ap.results[a.Address] = obj
		ap.mu.Unlock()
		final := rec.Clone()
		final.ID = obj.ID
		if obj.Name != "" {
			final.Name = obj.Name
		}
		_, err = ap.change(func(st *state.State) []state.Change {
			if a.Restore != nil { // a rollback puts the earlier record back
				return []state.Change{{Put: a.Restore.Clone()}}
			}
			if reflect.DeepEqual(st.Get(a.Address), final) {
				return nil // the create or adoption recorded it so
			}
			return []state.Change{{Put: final}}
		})
		return err // the step's end writes it (apply.go: step)
	}
}

// adopt records a taken-over object in the state.
func (ap *applier) adopt(a *planner.Action, rec *state.Resource) error {
	intent, err := ap.journal(state.Entry{Phase: state.PhaseIntent, Op: "adopt", Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID, Previous: ap.previous(a.Address)})
	if err != nil {
		return err
	}
	r := rec.Clone()
	r.ID = a.ID
	if _, err := ap.change(func(*state.State) []state.Change { return []state.Change{{Put: r}} }); err != nil {
		return err
	}
	// Written with the next intent, or at the step's end.
	_, err = ap.add(state.Entry{Phase: state.PhaseOutcome, Op: "adopt", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID, OK: true})
	return err
}

// update applies in-place changes, trying again when a failure is
// transient: the provider re-reads the object and does only what is left.
func (ap *applier) update(ctx context.Context, a *planner.Action, attrs provider.Attrs) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	obj := provider.Object{Kind: kind, Location: a.Location, ID: a.ID, Name: a.Name}
	changes := fieldChanges(a, attrs)
	if len(changes) == 0 {
		return obj, nil
	}
	before, after := map[string]any{}, map[string]any{}
	for _, c := range changes {
		if in, ok := a.Desired[c.Field]; ok && in.Sensitive {
			continue // a secret's earlier value is unknown: it cannot be put back
		}
		before[c.Field], after[c.Field] = c.Before, c.After
	}
	for k, v := range a.Before {
		// Live values the planner keeps for an undo though they do not
		// change (a VM's power: a failed resize may leave it stopped).
		if _, changed := before[k]; !changed {
			before[k], after[k] = v, v
		}
	}
	waitBefore := "" // the status it had, for a rollback to wait for
	if rf := ap.kind(kind).ReadyField; rf != "" {
		waitBefore, _ = before[rf].(string)
	}
	intent, err := ap.journal(state.Entry{Phase: "intent", Op: "update", Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID,
		Before: before, After: after, Previous: ap.previous(a.Address), WaitFor: waitBefore})
	if err != nil {
		return obj, err
	}
	kept := make([]string, 0, len(a.Before))
	for k := range a.Before {
		kept = append(kept, k)
	}
	todo := changes
	err = ap.retry(ctx, func() error {
		if todo == nil {
			// Tried before: a multi-step update (stop, resize, start) may
			// have stopped anywhere; do what a fresh read shows is left.
			cur, err := ap.opts.Provider.Get(ctx, kind, a.Location, a.ID)
			if err != nil {
				return err
			}
			if todo = planner.Remaining(ap.kind(kind), attrs, cur.Attrs, changes, kept); len(todo) == 0 {
				obj = cur
				return nil
			}
		}
		got, err := ap.opts.Provider.Update(ctx, kind, a.Location, a.ID, todo)
		todo = nil
		if err == nil {
			obj = got
		}
		return err
	})
	out := state.Entry{Phase: "outcome", Op: "update", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, ID: a.ID, OK: err == nil}
	if err != nil {
		out.Error = err.Error()
	}
	if _, jerr := ap.add(out); err == nil { // written at the step's end
		err = jerr
	}
	return obj, err
}

// phase2 returns the work of a deletion: a removed resource, a deposed
// object, or the old half of a replacement.
func (ap *applier) phase2(a *planner.Action) func(context.Context) error {
	kind := provider.Kind(a.Kind)
	return func(ctx context.Context) error {
		id := a.ID
		intent, err := ap.journal(state.Entry{Phase: "intent", Op: "delete", Address: a.Address, Kind: a.Kind, Location: a.Location, ID: id, Previous: ap.previous(a.Address)})
		if err != nil {
			return err
		}
		if !a.Forget {
			err = ap.retry(ctx, func() error { return ap.opts.Provider.Delete(ctx, kind, a.Location, id) })
		}
		out := state.Entry{Phase: state.PhaseOutcome, Op: "delete", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, ID: id, OK: err == nil}
		if err != nil {
			out.Error = err.Error()
			ap.add(out)
			return err
		}
		if _, err := ap.change(func(st *state.State) []state.Change {
			current := func() bool { r := st.Get(a.Address); return r != nil && r.ID == id }
			switch {
			case a.Restore != nil: // rollback of a replacement: the old object is current again
				cs := []state.Change{{Undepose: a.Restore.ID}}
				if current() {
					cs = append(cs, state.Change{Remove: a.Address})
				}
				return append(cs, state.Change{Put: a.Restore.Clone()})
			case a.Action == planner.Replace || a.Deposed:
				return []state.Change{{Undepose: id}}
			case current():
				return []state.Change{{Remove: a.Address}}
			}
			return nil
		}); err != nil {
			return err
		}
		_, err = ap.add(out) // written with the record at the step's end
		return err
	}
}

// fieldChanges turns a plan's changes into the provider's, with real
// values (the plan's are masked for display).
func fieldChanges(a *planner.Action, attrs provider.Attrs) []provider.FieldChange {
	var out []provider.FieldChange
	seen := map[string]bool{}
	for _, c := range a.Changes {
		field, _, _ := strings.Cut(c.Path, ".")
		if seen[field] || field == "location" {
			continue
		}
		seen[field] = true
		before, ok := a.Before[field]
		if !ok && c.Before != planner.Sensitive && c.Before != planner.KnownAfter {
			before = c.Before
		}
		out = append(out, provider.FieldChange{Field: field, Before: before, After: attrs[field]})
	}
	return out
}

// stateRecord is what the state keeps of an applied object: secrets
// hashed, never in clear.
func (ap *applier) stateRecord(a *planner.Action, obj provider.Object, attrs provider.Attrs) *state.Resource {
	inputs := map[string]any{}
	for k, v := range attrs {
		if in, ok := a.Desired[k]; ok && in.Sensitive {
			if s, ok := v.(string); ok {
				v = state.Hash(s)
			} else {
				continue
			}
		}
		inputs[k] = v
	}
	name := obj.Name
	if name == "" {
		name = a.Name
	}
	return &state.Resource{Address: a.Address, Kind: a.Kind, ID: obj.ID, Location: a.Location, Name: name, Inputs: inputs, DependsOn: a.References}
}

// waitFor polls an object until it reaches a status, backing off up to 5
// s, for at most ReadyTimeout. The first interrupt ends the wait: the
// object is recorded, and nothing that needs it ready will start.
func (ap *applier) waitFor(ctx context.Context, a *planner.Action, id, status string) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	ctx, cancel := context.WithTimeout(ctx, ap.opts.ReadyTimeout)
	defer cancel()
	start := time.Now()
	interval := ap.opts.PollInterval
	seen := "" // the last status read: a read cut by the deadline keeps it
	for {
		obj, err := ap.opts.Provider.Get(ctx, kind, a.Location, id)
		if err == nil && obj.Status == status {
			return obj, nil
		}
		if err == nil {
			seen = obj.Status
		}
		if err != nil && ctx.Err() == nil && !retryable(err) {
			return obj, err
		}
		why, cause := "", error(nil)
		select {
		case <-ctx.Done():
			why, cause = fmt.Sprintf("gave up after %s", round(time.Since(start))), context.DeadlineExceeded
			if errors.Is(ctx.Err(), context.Canceled) {
				why, cause = "interrupted", ErrInterrupted
			}
		case <-ap.opts.Stop:
			why, cause = "interrupted", ErrInterrupted
		case <-time.After(interval):
		}
		if cause != nil {
			last := obj.Status
			switch {
			case err != nil && seen != "":
				last = seen + " when last read"
			case err != nil:
				last = "unknown: " + err.Error()
			}
			return obj, &waitError{msg: fmt.Sprintf("%s (%s): waited %s for it to be %s, %s; its status was %s", a.Address, id, round(time.Since(start)), status, why, last), cause: cause}
		}
		// Poll again after an eighth of the time waited so far (at least
		// PollInterval, at most 5 s): the status is seen at most ~12.5%
		// late, with O(log) polls.
		interval = time.Since(start) / 8
		if interval < ap.opts.PollInterval {
			interval = ap.opts.PollInterval
		}
		if interval > 5*time.Second {
			interval = 5 * time.Second
		}
	}
}

// ErrInterrupted is matched (errors.Is) by the error of a step that an
// interrupt cut short while it waited for its object's status; one whose
// wait reached its deadline matches context.DeadlineExceeded.
var ErrInterrupted = errors.New("interrupted")

// waitError is a readiness wait that ended before the status was reached:
// its message, and why (ErrInterrupted or context.DeadlineExceeded).
type waitError struct {
	msg   string
	cause error
}

func (e *waitError) Error() string { return e.msg }
func (e *waitError) Unwrap() error { return e.cause }

// round shortens a duration for messages.
func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// retryable: a failure that trying again may cure: a 5xx, a 429, no
// answer, a call never sent; unless the client has already repeated the
// call as often as it may (a permanent 500 is not tried 25 times).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, provider.ErrGaveUp) {
		return false
	}
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Transient()
	}
	return true
}

// retry runs an idempotent step until it succeeds, fails for good, or
// has been tried Attempts times; transient failures wait with backoff.
func (ap *applier) retry(ctx context.Context, step func() error) error {
	for attempt := 1; ; attempt++ {
		err := step()
		if err == nil || !retryable(err) || ctx.Err() != nil || attempt >= ap.opts.Attempts || ap.sleep(ctx, attempt) != nil {
			return err
		}
	}
}

// sleep waits before the next attempt: exponential with full jitter.
func (ap *applier) sleep(ctx context.Context, attempt int) error {
	d := ap.opts.Backoff << (attempt - 1)
	if d > 5*time.Second || d <= 0 {
		d = 5 * time.Second
	}
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
