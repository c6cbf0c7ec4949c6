package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
		var obj provider.Object
		switch a.Action {
		case planner.Create, planner.Replace:
			if obj, err = ap.create(ctx, a, attrs); err != nil {
				return err
			}
		default: // update, adopt, start, stop, reinstall
			if a.Action == planner.Adopt {
				if err := ap.adopt(a, attrs); err != nil {
					return err
				}
			}
			if obj, err = ap.update(ctx, a, attrs); err != nil {
				return err
			}
		}
		if a.WaitFor != "" {
			if obj, err = ap.waitFor(ctx, kind, a.Location, obj.ID, a.WaitFor); err != nil {
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
		return ap.record(func(st *state.State) {
			if a.Restore != nil { // a rollback puts the earlier record back
				st.Put(a.Restore.Clone())
				return
			}
			st.Put(ap.stateRecord(a, obj, attrs))
		})
	}
}

// create makes a new object. A call whose outcome is unknown (lost
// answer, 5xx, timeout) is never repeated blindly: the object is looked up
// by name (a disk by size, source and time) and taken if it is there.
func (ap *applier) create(ctx context.Context, a *planner.Action, attrs provider.Attrs) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	op := "create"
	if a.Action == planner.Replace {
		op = "replace"
	}
	rec := ap.stateRecord(a, provider.Object{}, attrs)
	intent, err := ap.journal(state.Entry{Phase: "intent", Op: op, Address: a.Address, Kind: a.Kind, Location: a.Location,
		Name: a.Name, Match: matchAttrs(kind, attrs), Record: rec, Previous: ap.previous(a.Address), WaitFor: a.WaitFor})
	if err != nil {
		return provider.Object{}, err
	}
	started := time.Now()
	var obj provider.Object
	for attempt := 1; ; attempt++ {
		obj, err = ap.opts.Provider.Create(ctx, kind, a.Location, attrs)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
		found, ferr := ap.findCreated(ctx, kind, a.Location, a.Name, intent.Match, started)
		if ferr == nil && found != nil {
			// Taken; the lost answer may have cut its follow-up steps
			// (attach, assign, stop) short: they are finished below.
			obj, err = *found, errFollowUp
			break
		}
		if attempt >= ap.opts.Attempts {
			break
		}
		if serr := ap.sleep(ctx, attempt); serr != nil {
			break
		}
	}
	if err != nil && obj.ID == "" {
		ap.journal(state.Entry{Phase: "outcome", Op: op, Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Error: err.Error()})
		return obj, err
	}
	// Record the new object before waiting, so that a crash while it boots
	// cannot lose it; then close the intent. An object made by a create
	// whose follow-up failed is recorded too (a rollback deletes it).
	createErr := err
	if err := ap.record(func(st *state.State) {
		if a.Action == planner.Replace {
			st.Depose(a.Address)
		}
		r := rec.Clone()
		r.ID = obj.ID
		if r.Name == "" {
			r.Name = obj.Name
		}
		st.Put(r)
	}); err != nil {
		return obj, err
	}
	if _, err := ap.journal(state.Entry{Phase: "outcome", Op: op, Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Location: a.Location, ID: obj.ID, OK: true}); err != nil {
		return obj, err
	}
	if createErr != nil && retryable(createErr) {
		// Made, but a follow-up step failed transiently or is unknown:
		// finish it from a fresh read of the object.
		return ap.converge(ctx, a, attrs, obj)
	}
	return obj, createErr
}

// errFollowUp marks an object found after a lost create answer: its
// follow-up steps may not have run.
var errFollowUp = errors.New("create answer lost; follow-up steps unknown")

// converge brings a just-made object in line with what the create asked
// (attachments, assignments, power), trying again on transient failures.
func (ap *applier) converge(ctx context.Context, a *planner.Action, attrs provider.Attrs, obj provider.Object) (provider.Object, error) {
	kind := provider.Kind(a.Kind)
	err := ap.retry(ctx, func() error {
		got, err := ap.opts.Provider.Get(ctx, kind, a.Location, obj.ID)
		if err != nil {
			return err
		}
		if changes := planner.Converge(kind, attrs, got.Attrs); len(changes) > 0 {
			got, err = ap.opts.Provider.Update(ctx, kind, a.Location, obj.ID, changes)
		}
		if err == nil {
			obj = got
		}
		return err
	})
	return obj, err
}

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
	found := planner.Candidates(objs, owned, name, match, since)
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("%d unowned %s match the lost create; none is taken", len(found), kind)
}

// matchAttrs are what identifies a nameless object after a lost create.
func matchAttrs(kind provider.Kind, attrs provider.Attrs) map[string]any {
	if kind != provider.Disks {
		return nil
	}
	m := map[string]any{}
	for _, k := range []string{"size", "billing_account", "source"} {
		if v, ok := attrs[k]; ok {
			m[k] = v
		}
	}
	return m
}

// adopt records a taken-over object in the state.
func (ap *applier) adopt(a *planner.Action, attrs provider.Attrs) error {
	intent, err := ap.journal(state.Entry{Phase: "intent", Op: "adopt", Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID, Previous: ap.previous(a.Address)})
	if err != nil {
		return err
	}
	if err := ap.record(func(st *state.State) {
		st.Put(ap.stateRecord(a, provider.Object{ID: a.ID, Name: a.Name}, attrs))
	}); err != nil {
		return err
	}
	_, err = ap.journal(state.Entry{Phase: "outcome", Op: "adopt", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID, OK: true})
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
	waitBefore := ""
	if p, ok := before["power"].(string); ok {
		waitBefore = p
	}
	intent, err := ap.journal(state.Entry{Phase: "intent", Op: "update", Address: a.Address, Kind: a.Kind, Location: a.Location, ID: a.ID,
		Before: before, After: after, Previous: ap.previous(a.Address), WaitFor: waitBefore})
	if err != nil {
		return obj, err
	}
	err = ap.retry(ctx, func() error {
		got, err := ap.opts.Provider.Update(ctx, kind, a.Location, a.ID, changes)
		if err == nil {
			obj = got
		}
		return err
	})
	out := state.Entry{Phase: "outcome", Op: "update", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, ID: a.ID, OK: err == nil}
	if err != nil {
		out.Error = err.Error()
	}
	if _, jerr := ap.journal(out); err == nil {
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
		out := state.Entry{Phase: "outcome", Op: "delete", Intent: intent.Seq, Address: a.Address, Kind: a.Kind, ID: id, OK: err == nil}
		if err != nil {
			out.Error = err.Error()
			ap.journal(out)
			return err
		}
		if err := ap.record(func(st *state.State) {
			switch {
			case a.Restore != nil: // rollback of a replacement: the old object is current again
				st.RemoveDeposed(a.Restore.ID)
				if r := st.Get(a.Address); r != nil && r.ID == id {
					st.Remove(a.Address)
				}
				st.Put(a.Restore.Clone())
			case a.Action == planner.Replace || a.Deposed:
				st.RemoveDeposed(id)
			default:
				if r := st.Get(a.Address); r != nil && r.ID == id {
					st.Remove(a.Address)
				}
			}
		}); err != nil {
			return err
		}
		_, err = ap.journal(out)
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

// waitFor polls an object until it reaches a status, backing off up to 5 s.
func (ap *applier) waitFor(ctx context.Context, kind provider.Kind, location, id, status string) (provider.Object, error) {
	ctx, cancel := context.WithTimeout(ctx, ap.opts.ReadyTimeout)
	defer cancel()
	start := time.Now()
	interval := ap.opts.PollInterval
	for {
		obj, err := ap.opts.Provider.Get(ctx, kind, location, id)
		if err == nil && obj.Status == status {
			return obj, nil
		}
		if err != nil && ctx.Err() == nil && !retryable(err) {
			return obj, err
		}
		select {
		case <-ctx.Done():
			return obj, fmt.Errorf("waiting for %s %s to be %s: %w (last status %q)", kind.Singular(), id, status, ctx.Err(), obj.Status)
		case <-time.After(interval):
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

// retryable: a failure that trying again may cure, whose effect (for a
// write) is unknown: 5xx, 429, and transport errors (no API answer).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) {
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
