package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor/run"
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

// loadStack reads, interpolates and validates a stack file, printing every
// diagnostic. It fails (exit 1) when any is an error.
// envVars are the IDSTACK_VAR_<name> variables of the environment.
func envVars(stdio *IO) map[string]string {
	out := map[string]string{}
	for _, kv := range stdio.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "IDSTACK_VAR_") && len(k) > len("IDSTACK_VAR_") {
			out[strings.TrimPrefix(k, "IDSTACK_VAR_")] = v
		}
	}
	return out
}

func loadStack(ctx context.Context, stdio *IO, args stackArgs) (*spec.Stack, error) {
	opts := spec.Options{Vars: args.Vars, VarFiles: args.VarFiles, EnvVars: envVars(stdio), LookupEnv: stdio.LookupEnv,
		Providers: descriptions(), DefaultProvider: defaultCloud}
	type loaded struct {
		stack *spec.Stack
		diags spec.Diagnostics
	}
	// The load reads files (the stack file, var files, ${file.…}), some
	// of which may be pipes: one whose writer never finishes, or a mount
	// that stops answering, must not hang the command past a deadline or
	// an interrupt. The load goes on in its goroutine, and ends with the
	// process.
	done := make(chan loaded, 1)
	go func() {
		s, ds := schema.Load(args.File, opts)
		done <- loaded{s, ds}
	}()
	t := time.NewTimer(loadDeadline)
	defer t.Stop()
	var l loaded
	select {
	case l = <-done:
	case <-ctx.Done():
		return nil, exit(ExitError, fmt.Errorf("interrupted while reading %s and the files it names", args.File))
	case <-t.C:
		return nil, exit(ExitError, fmt.Errorf("reading %s and the files it names: not done after %s (a pipe whose writer does not finish, or a disk or network mount that does not answer?)", args.File, loadDeadline))
	}
	if len(l.diags) > 0 {
		var sources map[string][]byte
		if l.stack != nil {
			sources = l.stack.Sources
		}
		spec.Format(stdio.Err, l.diags, sources)
	}
	if l.diags.HasErrors() {
		return nil, exit(ExitError, fmt.Errorf("%s has %s", args.File, l.diags.Errors()))
	}
	return l.stack, nil
}

// loadDeadline bounds loadStack: a stack's files are at most a few MB
// (spec.MaxSourceSize), read and checked in well under a second.
var loadDeadline = time.Minute

// planRun is a plan made for a command, with what it was made from.
type planRun struct {
	*run.Planned
	stack *spec.Stack
	conn  *connection
	args  stackArgs
}

// close releases the lock and the connection.
func (r *planRun) close() error {
	err := r.Planned.Close()
	if r.conn != nil {
		if cerr := r.conn.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// makePlan loads the stack, connects and plans without a lock (plan,
// graph). The caller must close the run, even after an error.
func makePlan(ctx context.Context, stdio *IO, o planOptions) (*planRun, error) {
	pr := &planRun{args: o.Stack.stackArgs}
	cfg, conn, err := runConfig(ctx, stdio, o)
	pr.stack, pr.conn = cfg.Stack, conn
	if err != nil {
		return pr, err
	}
	pr.Planned, err = run.Plan(ctx, cfg)
	if err != nil {
		return pr, exitFor(o.Stack.File, err)
	}
	return pr, nil
}

// runConfig loads the stack, connects and picks the backend: a run's
// configuration, with a sink that prints notes and diagnostics (the
// apply adds its views). The connection (nil after an early error) must
// be closed.
func runConfig(ctx context.Context, stdio *IO, o planOptions) (run.Config, *connection, error) {
	var cfg run.Config
	stack, err := loadStack(ctx, stdio, o.Stack.stackArgs)
	if err != nil {
		return cfg, nil, err
	}
	cfg.Stack = stack
	conn, err := connect(o.Conn, stdio, stack.Provider, stack.Dir)
	if err != nil {
		return cfg, nil, exit(ExitError, err)
	}
	cfg.Provider = conn.Provider
	if cfg.Backend, err = backendFor(ctx, o.Conn, o.Stack, stack); err != nil {
		return cfg, conn, exit(ExitError, err)
	}
	if cfg.CreateDeadline, err = createDeadlines(o.CreateDeadlines, stack.Provider); err != nil {
		return cfg, conn, exit(ExitError, err)
	}
	cfg.Options = o.Plan
	cfg.LockTimeout = o.LockTimeout
	cfg.Sink = func(e run.Event) {
		switch e.Type {
		case run.Note:
			fmt.Fprintln(stdio.Err, e.Message)
		case run.Diagnostics:
			spec.Format(stdio.Err, e.Diags, stack.Sources)
		}
	}
	return cfg, conn, nil
}

// exitFor turns a run's error into the command's: a held lock names the
// exact way out; diagnostics were printed already.
func exitFor(file string, err error) error {
	var le *state.LockedError
	switch {
	case errors.As(err, &le):
		err = fmt.Errorf("%w\n  the exact command: idstack unlock -f %s", err, file)
	case errors.Is(err, run.ErrDiagnostics):
		err = fmt.Errorf("%s has %s", file, strings.TrimPrefix(err.Error(), run.ErrDiagnostics.Error()+": "))
	}
	return exit(ExitError, err)
}

// planProblems prints a plan's errors like diagnostics; it fails when any.
func planProblems(stdio *IO, pr *planRun) error {
	diags := pr.Problems()
	if len(diags) == 0 {
		return nil
	}
	spec.Format(stdio.Err, diags, pr.stack.Sources)
	return exit(ExitError, fmt.Errorf("the plan cannot be applied: %s", diags.Errors()))
}

// lockTimeoutFlag is shared by the commands that lock the state.
func lockTimeoutFlag() cli.Flag {
	return &cli.DurationFlag{Name: "lock-timeout", Value: 0, Usage: "how long to wait for another run's lock"}
}

// createDeadlineFlag sets how long a create whose outcome is unknown may
// still complete, for every kind or one (KIND=D).
func createDeadlineFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "create-deadline", EnvVars: []string{"IDSTACK_CREATE_DEADLINE"},
		Usage: "how long a create whose outcome is unknown may still complete: `D` for every kind or KIND=D (default: the provider's, e.g. vms=10m, others 2m)"}
}

// createDeadlines reads --create-deadline into a function of the kind,
// over the provider's own deadlines.
func createDeadlines(flags []string, d *provider.Description) (func(provider.Kind) time.Duration, error) {
	set := map[provider.Kind]time.Duration{}
	all := time.Duration(0)
	for _, v := range flags {
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
