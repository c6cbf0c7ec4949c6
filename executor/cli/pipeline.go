package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

// stackArgs are the inputs of a stack: the file and its variables.
type stackArgs struct {
	File     string
	Vars     map[string]string
	VarFiles []string
}

// stackArgsOf reads -f, --var and --var-file.
func stackArgsOf(c *cli.Context) (stackArgs, error) {
	args := stackArgs{File: c.String("file"), Vars: map[string]string{}, VarFiles: c.StringSlice("var-file")}
	for _, kv := range c.StringSlice("var") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return args, exit(ExitError, fmt.Errorf("--var %q: want NAME=VALUE", kv))
		}
		args.Vars[k] = v
	}
	return args, nil
}

// loadStack reads, interpolates and validates the stack file of -f,
// printing every diagnostic. It fails (exit 1) when any is an error.
func loadStack(c *cli.Context, stdio *IO) (*spec.Stack, error) {
	args, err := stackArgsOf(c)
	if err != nil {
		return nil, err
	}
	return loadStackArgs(stdio, args)
}

func loadStackArgs(stdio *IO, args stackArgs) (*spec.Stack, error) {
	opts := spec.Options{Vars: args.Vars, VarFiles: args.VarFiles, LookupEnv: stdio.LookupEnv, Providers: clouds, DefaultProvider: defaultCloud}
	stack, diags := schema.Load(args.File, opts)
	if len(diags) > 0 {
		var sources map[string][]byte
		if stack != nil {
			sources = stack.Sources
		}
		spec.Format(stdio.Err, diags, sources)
	}
	if diags.HasErrors() {
		return nil, exit(ExitError, fmt.Errorf("%s has %s", args.File, countErrors(diags)))
	}
	return stack, nil
}

func countErrors(diags spec.Diagnostics) string {
	n := 0
	for _, d := range diags {
		if d.Severity == spec.Error {
			n++
		}
	}
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// planRun is everything a plan was made from, for apply to act on.
type planRun struct {
	stack   *spec.Stack
	conn    *connection
	backend state.Backend
	state   *state.State
	live    *planner.Live
	plan    *planner.Plan
	unlock  func() error
	args    stackArgs
	// recovered says what was adopted from an interrupted apply's journal.
	recovered planner.Recovery
}

// close releases the lock and the connection.
func (r *planRun) close() error {
	var err error
	if r.unlock != nil {
		err = r.unlock()
	}
	if r.conn != nil {
		if cerr := r.conn.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// makePlan loads the stack, connects, (locks,) reads the state, refreshes
// and plans. The caller must close the run, even after an error.
func makePlan(ctx context.Context, c *cli.Context, stdio *IO, opts planner.Options, lockFor string, stop <-chan struct{}) (*planRun, error) {
	args, err := stackArgsOf(c)
	if err != nil {
		return &planRun{}, err
	}
	return makePlanArgs(ctx, c, stdio, args, opts, lockFor, stop)
}

// makePlanArgs is makePlan for given stack inputs (a saved plan's).
// stop, when closed (an interrupt), ends a wait for an interrupted
// apply's creates.
func makePlanArgs(ctx context.Context, c *cli.Context, stdio *IO, args stackArgs, opts planner.Options, lockFor string, stop <-chan struct{}) (*planRun, error) {
	run := &planRun{args: args}
	stack, err := loadStackArgs(stdio, args)
	if err != nil {
		return run, err
	}
	run.stack = stack
	if run.conn, err = connect(c, stdio, stack.Dir); err != nil {
		return run, exit(ExitError, err)
	}
	if run.backend, err = backendFor(c, stack); err != nil {
		return run, exit(ExitError, err)
	}
	if lockFor != "" {
		if run.unlock, err = run.backend.Lock(lockFor, c.Duration("lock-timeout")); err != nil {
			var le *state.LockedError
			if errors.As(err, &le) {
				err = fmt.Errorf("%w\n  the exact command: idstack unlock -f %s", err, args.File)
			}
			return run, exit(ExitError, err)
		}
	}
	if run.state, err = run.backend.Load(); err != nil {
		return run, exit(ExitError, err)
	}
	// The state is read (and validated) before the first API call: a
	// state that cannot be used stops the run having called nothing.
	locs, def, diags, err := planner.ResolveLocations(ctx, run.conn.Provider, stack)
	if err != nil {
		return run, exit(ExitError, err)
	}
	if diags.HasErrors() {
		spec.Format(stdio.Err, diags, stack.Sources)
		return run, exit(ExitError, fmt.Errorf("%s has %s", c.String("file"), countErrors(diags)))
	}
	entries, err := run.backend.ReadJournal()
	if err != nil {
		return run, exit(ExitError, err)
	}
	open := state.Open(entries)
	run.live, err = planner.Refresh(ctx, run.conn.Provider, planner.WithIntents(stack.Provider, planner.Scopes(stack.Provider, stack, run.state), open), 32)
	if err != nil {
		return run, exit(ExitError, err)
	}
	run.live.Locations, run.live.DefaultLocation = locs, def
	if len(open) > 0 {
		if err := recoverOpen(ctx, c, stdio, run, open, lockFor != "", stop); err != nil {
			return run, err
		}
	}
	opts.Adopt = opts.Adopt || c.Bool("adopt")
	if opts.Adopt || stack.Adopt {
		opts.Elsewhere = state.OwnedElsewhere(run.backend) // never adopt another stack's objects
	}
	opts.Targets = append(opts.Targets, c.StringSlice("target")...)
	run.plan = planner.Build(stack, run.state, run.live, opts)
	run.plan.Errors = append(run.plan.Errors, run.recovered.Problems...)
	return run, nil
}

// planProblems prints a plan's errors like diagnostics; it fails when any.
func planProblems(stdio *IO, run *planRun) error {
	if len(run.plan.Errors) == 0 {
		return nil
	}
	var diags spec.Diagnostics
	for _, p := range run.plan.Errors {
		d := spec.Diagnostic{Severity: spec.Error, Summary: p.Summary, Detail: p.Detail}
		if p.File != "" {
			d.Range = &spec.Range{Filename: p.File, Start: spec.Pos{Line: p.Line, Col: p.Column}}
		}
		diags = append(diags, d)
	}
	spec.Format(stdio.Err, diags, run.stack.Sources)
	return exit(ExitError, fmt.Errorf("the plan cannot be applied: %s", countErrors(diags)))
}

// lockTimeoutFlag is shared by the commands that lock the state.
func lockTimeoutFlag() cli.Flag {
	return &cli.DurationFlag{Name: "lock-timeout", Value: 0, Usage: "how long to wait for another run's lock"}
}

// recoverOpen resolves the open intents of an interrupted apply before
// planning: what it created is adopted, and a create that may still
// complete is waited for until its deadline, never planned again (a plan
// made without the lock waits too, unless a live run holds the lock: its
// creates are in progress, not lost; a stale lock's run is gone, so its
// creates are waited for). Adoptions are saved when locked.
func recoverOpen(ctx context.Context, c *cli.Context, stdio *IO, run *planRun, open []state.Entry, locked bool, stop <-chan struct{}) error {
	deadline, err := createDeadlines(c, run.stack.Provider)
	if err != nil {
		return exit(ExitError, err)
	}
	var rec planner.Recovery
	host, _ := os.Hostname()
	if held, herr := run.backend.ReadLock(); !locked && herr == nil && !state.IsStale(held, host) {
		rec = planner.Recover(open, run.state, run.live)
		if len(rec.Unseen) > 0 {
			fmt.Fprintf(stdio.Err, "Note: %q (pid %d on %s) holds the lock and may be creating %s: this plan does not wait for it.\n",
				held.Holder, held.PID, held.Host, entryNames(rec.Unseen))
		}
	} else {
		rec, err = executor.AwaitCreates(ctx, open, run.state, run.live, executor.RecoverOptions{
			Provider: run.conn.Provider, CreateDeadline: deadline, Stop: stop,
			OnWait: func(msg string) { fmt.Fprintln(stdio.Err, msg) },
		})
		if err != nil {
			return exit(ExitError, fmt.Errorf("%w.\nNothing was planned or changed; run again to go on waiting (a create is never repeated while it may still complete)", err))
		}
	}
	for _, a := range rec.Adopted {
		fmt.Fprintf(stdio.Err, "Recovered from an interrupted apply: %s is now in the state.\n", a)
	}
	run.recovered = rec
	if locked && len(rec.Adopted) > 0 {
		if err := run.backend.Save(run.state); err != nil {
			return exit(ExitError, err)
		}
	}
	return nil
}

func entryNames(es []state.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Address)
	}
	return strings.Join(out, ", ")
}

// createDeadlineFlag sets how long a create whose outcome is unknown may
// still complete, for every kind or one (KIND=D).
func createDeadlineFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "create-deadline", EnvVars: []string{"IDSTACK_CREATE_DEADLINE"},
		Usage: "how long a create whose outcome is unknown may still complete: `D` for every kind or KIND=D (default: the provider's, e.g. vms=10m, others 2m)"}
}

// createDeadlines reads --create-deadline into a function of the kind,
// over the provider's own deadlines.
func createDeadlines(c *cli.Context, d *provider.Description) (func(provider.Kind) time.Duration, error) {
	set := map[provider.Kind]time.Duration{}
	all := time.Duration(0)
	for _, v := range c.StringSlice("create-deadline") {
		kind, ds, hasKind := strings.Cut(v, "=")
		if !hasKind {
			kind, ds = "", v
		}
		dur, err := time.ParseDuration(ds)
		if err != nil || dur <= 0 {
			return nil, fmt.Errorf("--create-deadline %q: want a positive duration (10m) or KIND=DURATION (vms=15m)", v)
		}
		if !hasKind {
			all = dur
			continue
		}
		if d.Kind(provider.Kind(kind)) == nil {
			return nil, fmt.Errorf("--create-deadline %q: unknown kind %q (allowed: %s)", v, kind, strings.Join(d.KindNames(), ", "))
		}
		set[provider.Kind(kind)] = dur
	}
	return func(k provider.Kind) time.Duration {
		if dur, ok := set[k]; ok {
			return dur
		}
		if all > 0 {
			return all
		}
		return d.Kind(k).Deadline()
	}, nil
}
