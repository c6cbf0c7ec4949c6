package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// create makes a new object. Each call is journaled first. A call whose
// outcome is unknown (no answer, a 5xx: the cloud may carry on) is never
// repeated while it may still complete: the object is looked up by name (a
// disk by size, source and time) until the kind's create deadline, and
// taken when it appears. Only once the deadline has passed without it is
// the create known not to have happened, and tried again.
func (ap *applier) create(ctx context.Context, a *planner.Action, attrs provider.Attrs, rec *state.Resource) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	op := "create"
	if a.Action == planner.Replace {
		op = "replace"
	}
	for attempt := 1; ; attempt++ {
		intent, err := ap.journal(state.Entry{Phase: "intent", Op: op, Address: a.Address, Kind: a.Kind, Location: a.Location,
			Name: a.Name, Match: matchAttrs(ap.kind(kind), attrs), Record: rec, Previous: ap.previous(a.Address), WaitFor: a.WaitFor})
		if err != nil {
			return provider.Object{}, err
		}
		obj, err := ap.opts.Provider.Create(ctx, kind, a.Location, attrs)
		if err != nil && obj.ID == "" && provider.OutcomeUnknown(err) {
			found, ferr := ap.awaitCreated(ctx, a, intent)
			switch {
			case found != nil:
				// Taken; the lost answer may have cut its follow-up steps
				// (attach, assign, stop) short: they are finished below.
				obj, err = *found, errFollowUp
			case ferr != nil:
				// Still unknown (interrupted, or the list failed): the
				// intent stays open, so the next run waits for it too.
				return obj, fmt.Errorf("%w; whether it was created is unknown (%v): the next plan or apply waits for %s until %s",
					err, ferr, ap.what(a), ap.deadline(intent).Format(time.RFC3339))
			default:
				ap.add(state.Entry{Phase: "outcome", Op: op, Intent: intent.Seq, Address: a.Address, Kind: a.Kind,
					Error: fmt.Sprintf("%v; not there by the create deadline: not created", err)})
				if attempt >= ap.opts.Attempts || ap.sleep(ctx, attempt) != nil {
					return obj, err
				}
				continue
			}
		}
		if err != nil && obj.ID == "" {
			// Known not to have happened (a 4xx, a 429, a call never sent).
			ap.add(state.Entry{Phase: "outcome", Op: op, Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Error: err.Error()})
			if !retryable(err) || attempt >= ap.opts.Attempts || ap.sleep(ctx, attempt) != nil {
				return obj, err
			}
			continue
		}
		return ap.created(ctx, a, attrs, rec, intent, obj, err)
	}
}

// created records a new object before anything else happens to it, so
// that a crash while it boots cannot lose it, then closes the intent. An
// object made by a create whose follow-up failed is recorded too (a
// rollback deletes it); a transient follow-up failure is finished from a
// fresh read of the object.
func (ap *applier) created(ctx context.Context, a *planner.Action, attrs provider.Attrs, rec *state.Resource, intent state.Entry, obj provider.Object, createErr error) (provider.Object, error) {
	if _, err := ap.change(func(*state.State) []state.Change {
		var cs []state.Change
		if a.Action == planner.Replace {
			cs = append(cs, state.Change{Depose: a.Address})
		}
		r := rec.Clone()
		r.ID = obj.ID
		if r.Name == "" {
			r.Name = obj.Name
		}
		return append(cs, state.Change{Put: r})
	}); err != nil {
		return obj, err
	}
	out, err := ap.add(state.Entry{Phase: state.PhaseOutcome, Op: intent.Op, Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Location: a.Location, ID: obj.ID, OK: true})
	followUp := createErr != nil && (createErr == errFollowUp || retryable(createErr))
	if err == nil && (followUp || a.WaitFor != "") {
		// More calls follow (the follow-up, the wait for readiness):
		// the record is durable first. Otherwise the step's end writes
		// it, with its outcome, after the step gives its slot back.
		err = ap.commit(out.Seq)
	}
	if err != nil {
		return obj, err
	}
	if followUp {
		return ap.converge(ctx, a, attrs, obj)
	}
	return obj, createErr
}

// errFollowUp marks an object found after a lost create answer: its
// follow-up steps may not have run.
var errFollowUp = errors.New("create answer lost; follow-up steps unknown")

// deadline is when a create journaled by intent can no longer complete.
func (ap *applier) deadline(intent state.Entry) time.Time {
	return intent.Time.Add(ap.opts.CreateDeadline(provider.Kind(intent.Kind)))
}

// what names the object a create makes, for messages.
func (ap *applier) what(a *planner.Action) string {
	if a.Name != "" {
		return fmt.Sprintf("%s (%q)", a.Address, a.Name)
	}
	return a.Address
}

// awaitCreated looks for the object of a create whose outcome is unknown,
// until it appears or the create deadline passes (nil, nil: it was not
// made). The first interrupt does not end the wait: the object may still
// appear, and a rollback can only delete what it knows.
func (ap *applier) awaitCreated(ctx context.Context, a *planner.Action, intent state.Entry) (*provider.Object, error) {
	kind := provider.Kind(a.Kind)
	deadline := ap.deadline(intent)
	interval := ap.opts.PollInterval
	announced := false
	for {
		found, err := ap.findCreated(ctx, kind, a.Location, a.Name, intent.Match, intent.Time)
		if found != nil || errors.Is(err, errAmbiguous) {
			return found, err
		}
		now := time.Now()
		if !now.Before(deadline) {
			if err != nil {
				return nil, fmt.Errorf("listing %s at the create deadline: %w", kind, err)
			}
			return nil, nil
		}
		if !announced {
			ap.emit(Event{Type: Waiting, Address: a.Address, Action: a.Action,
				Message: fmt.Sprintf("the create's outcome is unknown: waiting for %s to appear (until %s); it is not created again before", ap.what(a), deadline.Format("15:04:05"))})
			announced = true
		}
		wait := min(interval, deadline.Sub(now))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		interval = min(2*interval, 5*time.Second)
	}
}

// errAmbiguous: several unowned objects match a lost create.
var errAmbiguous = errors.New("several unowned objects match")

// findCreated looks for an object a create may have made though its
// answer was lost: same name (or, for nameless disks, same size, source
// and billing account, made since the call), owned by no address.
func (ap *applier) findCreated(ctx context.Context, kind provider.Kind, location, name string, match map[string]any, since time.Time) (*provider.Object, error) {
	objs, err := ap.opts.Provider.List(ctx, kind, location)
	if err != nil {
		return nil, err
	}
	ap.mu.Lock()
	owned := ap.opts.State.Owned()
	ap.mu.Unlock()
	found := planner.Candidates(ap.kind(kind), objs, owned, name, match, since)
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("%d unowned %s match the lost create; none is taken: %w", len(found), kind, errAmbiguous)
}

// converge brings a just-made object in line with what the create asked
// (attachments, assignments, power), trying again on transient failures.
func (ap *applier) converge(ctx context.Context, a *planner.Action, attrs provider.Attrs, obj provider.Object) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	err := ap.retry(ctx, func() error {
		got, err := ap.opts.Provider.Get(ctx, kind, a.Location, obj.ID)
		if err != nil {
			return err
		}
		if changes := planner.Converge(ap.kind(kind), attrs, got.Attrs); len(changes) > 0 {
			got, err = ap.opts.Provider.Update(ctx, kind, a.Location, obj.ID, changes)
		}
		if err == nil {
			obj = got
		}
		return err
	})
	return obj, err
}

// matchAttrs are what identifies an object of a nameless kind after a
// lost create: the inputs its description names (KindSpec.MatchFields).
func matchAttrs(ks *provider.KindSpec, attrs provider.Attrs) map[string]any {
	if ks == nil || len(ks.MatchFields) == 0 {
		return nil
	}
	m := map[string]any{}
	for _, k := range ks.MatchFields {
		if v, ok := attrs[k]; ok {
			m[k] = v
		}
	}
	return m
}

// kind is the description of a kind of the provider.
func (ap *applier) kind(k provider.Kind) *provider.KindSpec { return ap.desc.Kind(k) }
