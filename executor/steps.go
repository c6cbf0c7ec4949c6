package executor

import (
	"context"
	"errors"
	"fmt"
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
			obj, err = ap.opts.Provider.Create(ctx, kind, a.Location, attrs)
			if err != nil {
				return err
			}
			// Record the new object before waiting, so that a crash while
			// it boots cannot lose it.
			if err := ap.record(func(st *state.State) {
				if a.Action == planner.Replace {
					st.Depose(a.Address)
				}
				st.Put(ap.stateRecord(a, obj, attrs))
			}); err != nil {
				return err
			}
		default: // update, adopt, start, stop, reinstall
			if a.Action == planner.Adopt {
				if err := ap.record(func(st *state.State) {
					st.Put(ap.stateRecord(a, provider.Object{ID: a.ID, Name: a.Name}, attrs))
				}); err != nil {
					return err
				}
			}
			obj = provider.Object{Kind: kind, Location: a.Location, ID: a.ID, Name: a.Name}
			if changes := fieldChanges(a, attrs); len(changes) > 0 {
				obj, err = ap.opts.Provider.Update(ctx, kind, a.Location, a.ID, changes)
				if err != nil {
					return err
				}
			}
		}
		if a.WaitFor != "" {
			obj, err = ap.waitFor(ctx, kind, a.Location, obj.ID, a.WaitFor)
			if err != nil {
				return err
			}
		}
		if obj.Attrs == nil { // an update with no API call: read it once for references
			if got, err := ap.opts.Provider.Get(ctx, kind, a.Location, obj.ID); err == nil {
				obj = got
			}
		}
		ap.mu.Lock()
		ap.results[a.Address] = obj
		ap.mu.Unlock()
		return ap.record(func(st *state.State) { st.Put(ap.stateRecord(a, obj, attrs)) })
	}
}

// phase2 returns the work of a deletion: a removed resource, a deposed
// object, or the old half of a replacement.
func (ap *applier) phase2(a *planner.Action) func(context.Context) error {
	kind := provider.Kind(a.Kind)
	return func(ctx context.Context) error {
		if !a.Forget {
			if err := ap.opts.Provider.Delete(ctx, kind, a.Location, a.ID); err != nil {
				return err
			}
		}
		return ap.record(func(st *state.State) {
			if a.Action == planner.Replace || a.Deposed {
				st.RemoveDeposed(a.ID)
				return
			}
			if r := st.Get(a.Address); r != nil && r.ID == a.ID {
				st.Remove(a.Address)
			}
		})
	}
}

// fieldChanges turns a plan's changes into the provider's, with real
// values (the plan's are masked for display).
func fieldChanges(a *planner.Action, attrs provider.Attrs) []provider.FieldChange {
	var out []provider.FieldChange
	seen := map[string]bool{}
	for _, c := range a.Changes {
		field, _, _ := strings.Cut(c.Path, ".")
		if seen[field] {
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
	interval := ap.opts.PollInterval
	for {
		obj, err := ap.opts.Provider.Get(ctx, kind, location, id)
		if err == nil && obj.Status == status {
			return obj, nil
		}
		if err != nil && ctx.Err() == nil && !transient(err) {
			return obj, err
		}
		select {
		case <-ctx.Done():
			return obj, fmt.Errorf("waiting for %s %s to be %s: %w (last status %q)", kind.Singular(), id, status, ctx.Err(), obj.Status)
		case <-time.After(interval):
		}
		if interval *= 2; interval > 5*time.Second {
			interval = 5 * time.Second
		}
	}
}

func transient(err error) bool {
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Transient()
	}
	return true // transport errors: keep polling until the timeout
}
