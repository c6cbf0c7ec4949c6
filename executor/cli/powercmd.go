package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	osuser "os/user"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
)

// stopCommand and startCommand hibernate and wake a stack: every VM of it
// (or the targets) stopped or started as one batch of jobs (run.Power).
func stopCommand(stdio *IO) *cli.Command {
	return powerCommand(stdio, "stop", "stop the stack's VMs (or the targets) as one batch, and remember the stack is hibernated")
}

func startCommand(stdio *IO) *cli.Command {
	return powerCommand(stdio, "start", "start the stack's VMs (or the targets) as one batch: wake a hibernated stack")
}

func powerCommand(stdio *IO, name, usage string) *cli.Command {
	return &cli.Command{
		Name:  name,
		Usage: usage,
		Flags: append(stackFlags(),
			&cli.StringSliceFlag{Name: "target", Usage: "only the VM `ADDR` (e.g. vms.web; repeatable)"},
			&cli.BoolFlag{Name: "auto-approve", Usage: name + " without asking"},
			&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many VMs to " + name + " at once"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text | json (the batch and its jobs; progress goes to stderr)"},
			lockTimeoutFlag(),
			createDeadlineFlag(),
		),
		Action: func(c *cli.Context) error {
			po, err := planOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			return runPower(c.Context, stdio, powerOptions{planOptions: po, Stop: name == "stop",
				AutoApprove: c.Bool("auto-approve"), Parallelism: c.Int("parallelism"), Format: c.String("format")})
		},
	}
}

// powerOptions are a stop's or a start's.
type powerOptions struct {
	planOptions
	Stop        bool
	AutoApprove bool
	Parallelism int
	Format      string // text, json
}

// powerStages say what the first interrupt does at each stage of a batch.
var powerStages = map[run.Stage]string{
	run.Planning:    "Interrupted: nothing has changed; the run stops.",
	run.Applying:    "Interrupted: no new job starts; running ones finish (nothing is undone: run the same command again to finish).",
	run.RollingBack: "Interrupted.",
	run.Finishing:   "Interrupted after the batch's last job: it finishes as it is.",
}

// runPower runs a stop or start batch and says what happened: exit 0 when
// every job succeeded (or nothing was to do), 4 when some failed or were
// not started (the others are done; the same command finishes them), 1
// for an error before any job.
func runPower(parent context.Context, stdio *IO, o powerOptions) error {
	verb := "start"
	if o.Stop {
		verb = "stop"
	}
	if o.Parallelism < 1 {
		return exit(ExitError, errors.New("--parallelism must be at least 1"))
	}
	if o.Format != "text" && o.Format != "json" {
		return exit(ExitError, fmt.Errorf("--format %q: allowed: text, json", o.Format))
	}
	ctx, stop, setStage, release := interrupts(parent, stdio, powerStages[run.Planning])
	defer release()
	cfg, conn, err := runConfig(ctx, stdio, o.planOptions)
	defer closeConn(stdio, conn)
	if err != nil {
		return err
	}
	cfg.Lock = "idstack " + verb
	cfg.Stop = stop
	cfg.Parallelism = o.Parallelism
	cfg.SetStage = func(s run.Stage) { setStage(powerStages[s]) }
	// Text goes to stdout; with --format json, stdout holds the JSON alone
	// and the progress goes to stderr.
	view := stdio.Out
	if o.Format == "json" {
		view = stdio.Err
	}
	p := newPalette(stdio.Color)
	if !o.AutoApprove {
		cfg.Approve = func(*planner.Plan) error { return askApproval(stdio, view, verb, "the batch", verb+" these VMs", stop) }
	}
	jobs := &jobView{w: view, p: p}
	notes := cfg.Sink
	started := false
	cfg.Sink = func(e run.Event) {
		switch e.Type {
		case run.BatchReady:
			batchHeader(view, e.Batch, e.Plan, p)
		case run.Step:
			if e.Job != nil {
				if !started {
					fmt.Fprintln(view)
					started = true
				}
				jobs.job(verb, e.Job)
			}
		default:
			notes(e)
		}
	}
	out := run.Power(ctx, cfg, run.PowerRequest{Stop: o.Stop, Targets: o.Plan.Targets, By: whoAmI(stdio)})
	if out.Status == run.NotRun {
		return exitFor(o.Stack.File, out.Err)
	}
	b := out.Batch
	if o.Format == "json" {
		if err := writeBatchJSON(stdio.Out, b, out.Plan.Stack, out.Plan.Cost); err != nil {
			return exit(ExitError, err)
		}
	} else if len(b.Jobs) > 0 {
		fmt.Fprintln(view)
		if err := batchTable(view, b); err != nil {
			return exit(ExitError, err)
		}
	}
	fmt.Fprintln(view)
	_, done, _ := powerWords(verb)
	succeeded := 0
	for _, j := range b.Jobs {
		if j.Status == run.JobSucceeded {
			succeeded++
		}
	}
	switch out.Status {
	case run.NothingToDo:
		fmt.Fprintf(view, "Every VM is already %s.\n", map[bool]string{true: "stopped", false: "running (or declared stopped)"}[o.Stop])
	case run.Applied:
		fmt.Fprintf(view, "%s complete in %s: %d %s (request %s).\n", strings.ToUpper(verb[:1])+verb[1:], round(out.Elapsed), succeeded, done, b.RequestID)
	default:
		fmt.Fprintf(view, "%s: %d of %d jobs succeeded in %s (request %s).\n", strings.ToUpper(verb[:1])+verb[1:], succeeded, len(b.Jobs), round(out.Elapsed), b.RequestID)
	}
	fmt.Fprintln(view, hibernationSummary(b))
	switch {
	case out.Status == run.Incomplete:
		return exit(ExitPartial, out.Err)
	case out.Err != nil:
		return exit(ExitError, out.Err)
	}
	return nil
}

// hibernationSummary says what the state now records.
func hibernationSummary(b *run.Batch) string {
	h := b.Hibernation
	switch {
	case h == nil:
		return "The stack is awake: plan and apply keep its VMs as the stack file declares."
	case h.All:
		return fmt.Sprintf("The stack is hibernated (since %s, by %s): plan and apply keep its VMs stopped, and create new ones stopped; `idstack start` wakes it.",
			h.Since.UTC().Format("2006-01-02 15:04 UTC"), h.By)
	}
	return fmt.Sprintf("Hibernated since %s (by %s): %s; plan and apply keep them stopped; `idstack start` wakes them.",
		h.Since.UTC().Format("2006-01-02 15:04 UTC"), h.By, strings.Join(h.VMs, ", "))
}

// whoAmI is user@host for the hibernation's record.
func whoAmI(stdio *IO) string {
	user := "unknown"
	if u, err := osuser.Current(); err == nil && u.Username != "" {
		user = u.Username // a container's user may have no $USER
	}
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v, ok := stdio.LookupEnv(k); ok && v != "" {
			user = v
			break
		}
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		return user + "@" + host
	}
	return user
}
