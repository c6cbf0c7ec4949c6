package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// RecoverOptions configure AwaitCreates.
type RecoverOptions struct {
	Provider provider.Provider
	// CreateDeadline is how long after its intent a create may still
	// complete (default: the kind's description).
	CreateDeadline func(provider.Kind) time.Duration
	// Stop, when closed, ends the wait (an interrupt): the creates stay
	// unresolved and the caller must not plan them again.
	Stop <-chan struct{}
	// OnWait is told what is waited for, when the wait starts and every
	// ReportEvery after.
	OnWait      func(msg string)
	ReportEvery time.Duration // default 10 s
	// PollInterval is the first wait between lists (doubling up to 5 s;
	// default 1 s).
	PollInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// AwaitCreates resolves the open intents of an interrupted apply before
// a plan is made from them. An object made under a journaled create is
// adopted into st (planner.Recover). A create whose object is not live
// yet but whose deadline has not passed may still complete (the live
// service answers a VM create only when the VM runs, and does not list it
// before): the run waits for it, listing its kind again, until it appears
// or the deadline passes, so that it is never created twice.
//
// The error is non-nil when the wait was cut short (ctx, Stop) or a list
// failed: the creates are then unresolved, and nothing may be planned.
func AwaitCreates(ctx context.Context, open []state.Entry, st *state.State, live *planner.Live, opts RecoverOptions) (planner.Recovery, error) {
	if opts.CreateDeadline == nil {
		opts.CreateDeadline = KindDeadlines(opts.Provider.Describe())
	}
	if opts.ReportEvery <= 0 {
		opts.ReportEvery = 10 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rec := planner.Recover(open, st, live)
	interval := opts.PollInterval
	var reported time.Time
	for {
		pending, last := pendingCreates(rec.Unseen, opts)
		if len(pending) == 0 {
			rec.Unseen = nil
			return rec, nil
		}
		now := opts.Now()
		if opts.OnWait != nil && now.Sub(reported) >= opts.ReportEvery {
			opts.OnWait(waitMessage(pending, opts, now))
			reported = now
		}
		wait := min(interval, last.Sub(now))
		select {
		case <-ctx.Done():
			return rec, fmt.Errorf("stopped while waiting for %s: %w", names(pending), ctx.Err())
		case <-opts.Stop:
			return rec, fmt.Errorf("interrupted while waiting for %s", names(pending))
		case <-time.After(wait):
		}
		interval = min(2*interval, 5*time.Second)
		if err := relist(ctx, opts.Provider, pending, live); err != nil {
			return rec, fmt.Errorf("waiting for %s: %w", names(pending), err)
		}
		more := planner.Recover(pending, st, live)
		rec.Adopted = append(rec.Adopted, more.Adopted...)
		rec.Problems = append(rec.Problems, more.Problems...)
		rec.Unseen = more.Unseen
	}
}

// pendingCreates are the unseen creates that may still complete, and the
// latest of their deadlines.
func pendingCreates(unseen []state.Entry, opts RecoverOptions) ([]state.Entry, time.Time) {
	var out []state.Entry
	var last time.Time
	now := opts.Now()
	for _, in := range unseen {
		d := in.Time.Add(opts.CreateDeadline(provider.Kind(in.Kind)))
		if now.Before(d) {
			out = append(out, in)
			if d.After(last) {
				last = d
			}
		}
	}
	return out, last
}

// relist lists again each kind and location that a pending create is in.
func relist(ctx context.Context, p provider.Provider, pending []state.Entry, live *planner.Live) error {
	type scope struct{ kind, location string }
	seen := map[scope]bool{}
	for _, in := range pending {
		sc := scope{in.Kind, in.Location}
		if seen[sc] {
			continue
		}
		seen[sc] = true
		objs, err := p.List(ctx, provider.Kind(in.Kind), in.Location)
		if err != nil {
			return err
		}
		live.Set(provider.Kind(in.Kind), in.Location, objs)
	}
	return nil
}

func waitMessage(pending []state.Entry, opts RecoverOptions, now time.Time) string {
	msg := "An interrupted apply was creating "
	for i, in := range pending {
		if i > 0 {
			msg += ", "
		}
		d := in.Time.Add(opts.CreateDeadline(provider.Kind(in.Kind)))
		msg += fmt.Sprintf("%s (started %s, may complete until %s)", describe(in), in.Time.Local().Format("15:04:05"), d.Local().Format("15:04:05"))
	}
	return msg + fmt.Sprintf(": waiting for it to appear before planning, never creating it twice (%s elapsed).", now.Sub(pending[0].Time).Round(time.Second))
}

func describe(in state.Entry) string {
	if in.Name != "" {
		return fmt.Sprintf("%s %q", in.Address, in.Name)
	}
	return in.Address
}

func names(pending []state.Entry) string {
	s := ""
	for i, in := range pending {
		if i > 0 {
			s += ", "
		}
		s += describe(in)
	}
	return s
}
