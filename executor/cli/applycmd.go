package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
)

func applyFlags() []cli.Flag {
	return append(stackFlags(),
		&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
		&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many resources to change at once"},
		&cli.BoolFlag{Name: "no-rollback", Usage: "on failure keep what was done instead of undoing it"},
		lockTimeoutFlag(),
		targetFlag(),
		createDeadlineFlag(),
	)
}

func applyCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "change the cloud to match the stack file, or apply a saved plan",
		ArgsUsage: "[PLAN]",
		Flags:     append(applyFlags(), &cli.BoolFlag{Name: "adopt", Usage: "take over same-named live objects the state does not own"}),
		Action: func(c *cli.Context) error {
			o, err := applyOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			return runApply(c.Context, stdio, o)
		},
	}
}

func destroyCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "destroy",
		Usage: "delete everything the stack owns",
		Flags: applyFlags(),
		Action: func(c *cli.Context) error {
			o, err := applyOptionsOf(c, planner.Options{Destroy: true})
			if err != nil {
				return err
			}
			return runApply(c.Context, stdio, o)
		},
	}
}

// interrupts turns Ctrl-C and SIGTERM (a cancelled CI job) into the
// two-stage stop of SPEC §4: the first closes stop (nothing new starts,
// running steps finish, then the apply ends: rolled back, or its
// deletions left), the second cancels ctx (running calls abort at once;
// the state stays right). SIGHUP (the terminal went away) does not stop
// an apply: it goes on, saves and unlocks. The first interrupt's message
// is the one given by the apply's current stage (setStage), first until
// the run sets one (while the stack file is read).
func interrupts(parent context.Context, stdio *IO, first string) (ctx context.Context, stop <-chan struct{}, setStage func(string), release func()) {
	ctx, cancel := context.WithCancel(parent)
	stopCh := make(chan struct{})
	var stage atomic.Value
	stage.Store(first)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					fmt.Fprintln(stdio.Err, "\nThe terminal went away (SIGHUP): the apply goes on to its end.")
					continue
				}
				n++
				if n == 1 {
					fmt.Fprintf(stdio.Err, "\n%s Interrupt again to stop at once.\n", stage.Load())
					close(stopCh)
				} else if n == 2 {
					fmt.Fprintln(stdio.Err, "\nStopping at once; the state records every finished step.")
					cancel()
				}
			}
		}
	}()
	setStage = func(msg string) { stage.Store(msg) }
	return ctx, stopCh, setStage, func() { signal.Stop(sigs); close(done); cancel() }
}

// stageMessages say what the first interrupt does at each stage.
var stageMessages = map[run.Stage]string{
	run.Planning:    "Interrupted: nothing has changed; the run stops.",
	run.Applying:    "Interrupted: no new step starts; running ones finish, then what this apply did is undone.",
	run.RollingBack: "Interrupted during the rollback: it goes on, since stopping it would leave more behind.",
	run.Finishing:   "Interrupted after the apply's last step: it finishes as it is.",
}

// runApply applies the stack (or a saved plan) through the engine's run
// and says what happened; the exit code follows from the outcome.
func runApply(parent context.Context, stdio *IO, o applyOptions) error {
	if o.Parallelism < 1 {
		return exit(ExitError, errors.New("--parallelism must be at least 1"))
	}
	ctx, stop, setStage, release := interrupts(parent, stdio, stageMessages[run.Planning])
	defer release()
	var saved *planner.Saved
	if o.SavedPlan != "" {
		// A saved plan: made again from its own inputs, applied only if
		// nothing it depends on changed since.
		var err error
		if saved, err = planner.ReadSaved(o.SavedPlan); err != nil {
			return exit(ExitError, err)
		}
		if o.Stack.stackArgs, err = savedArgs(o.Stack.stackArgs, saved); err != nil {
			return err
		}
		o.Plan.Destroy = saved.Plan.Destroy
	}
	cfg, conn, err := runConfig(ctx, stdio, o.planOptions)
	defer closeConn(stdio, conn)
	if err != nil {
		return err
	}
	cfg.Lock = "idstack " + o.Command
	cfg.Saved = saved
	cfg.Stop = stop
	cfg.Parallelism = o.Parallelism
	cfg.NoRollback = o.NoRollback
	cfg.SetStage = func(s run.Stage) { setStage(stageMessages[s]) }
	if !o.AutoApprove && saved == nil { // a saved plan was approved when it was reviewed
		cfg.Approve = func(p *planner.Plan) error { return confirm(stdio, p, stop) }
	}
	notes := cfg.Sink
	view := &progressView{w: stdio.Out, p: newPalette(stdio.Color)}
	started := false
	cfg.Sink = func(e run.Event) {
		switch e.Type {
		case run.PlanReady:
			renderText(stdio.Out, e.Plan, stdio.Color, willDo)
		case run.Step:
			if !started {
				fmt.Fprintln(stdio.Out)
				started = true
			}
			view.event(e.Step)
		case run.Failed:
			what := "failed"
			if e.Result.Interrupted {
				what = "interrupted"
			}
			fmt.Fprintf(stdio.Out, "\nApply %s after %s.\n", what, round(e.Elapsed))
		case run.RollbackReady:
			fmt.Fprintln(stdio.Out)
			renderText(stdio.Out, e.Plan, stdio.Color, willDo)
			fmt.Fprintln(stdio.Out)
		default:
			notes(e)
		}
	}
	out := run.Apply(ctx, cfg)
	var stale *run.StaleError
	switch {
	case errors.As(out.Err, &stale):
		return exit(ExitError, fmt.Errorf("the saved plan %s is stale: %s.\nMake a new plan with `idstack plan --out`", o.SavedPlan, stale))
	case out.Status == run.NotRun:
		return exitFor(o.Stack.File, out.Err)
	case out.Status == run.NothingToDo:
		if out.Err != nil {
			return exit(ExitError, out.Err)
		}
		return nil
	case out.Status == run.Applied:
		what := "Apply"
		if out.Plan.Destroy {
			what = "Destroy"
		}
		fmt.Fprintf(stdio.Out, "\n%s complete in %s: %s\n", what, round(out.Elapsed), doneSummary(out.Plan))
		if out.InterruptedAfter {
			fmt.Fprintln(stdio.Out, "The interrupt came after every step had finished: nothing was undone.")
		}
		if out.Err != nil {
			return exit(ExitError, out.Err)
		}
		return nil
	case out.Status == run.RolledBack:
		fmt.Fprintln(stdio.Out, "\nRolled back: the cloud is as it was before this apply.")
		return exit(ExitError, out.Err)
	}
	return exit(ExitPartial, out.Err)
}

func closeConn(stdio *IO, conn *connection) {
	if conn == nil {
		return
	}
	if err := conn.Close(); err != nil {
		fmt.Fprintf(stdio.Err, "Warning: %v\n", err)
	}
}

// confirm asks a person to approve a plan.
func confirm(stdio *IO, plan *planner.Plan, stop <-chan struct{}) error {
	what := "apply these changes"
	if plan.Destroy {
		what = "destroy these resources"
	}
	return askApproval(stdio, stdio.Out, "apply", "the plan", what, stop)
}

// askApproval asks a person, on w, whether to go on ("Do you want to
// QUESTION?"); without a terminal it refuses rather than waits. An
// interrupt while it asks is a no. verb names the command and shown what
// was shown for review, in the refusals.
func askApproval(stdio *IO, w io.Writer, verb, shown, question string, stop <-chan struct{}) error {
	if !stdio.Terminal() {
		return exit(ExitError, fmt.Errorf("%s needs approval and there is no terminal to ask on: review %s above and re-run with --auto-approve", verb, shown))
	}
	fmt.Fprintf(w, "\nDo you want to %s? Only 'yes' will be accepted: ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(io.LimitReader(stdio.In, 4096)).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		if strings.TrimSpace(line) == "yes" {
			return nil
		}
	case <-stop:
	}
	return exit(ExitError, fmt.Errorf("%s cancelled", verb))
}

func doneSummary(plan *planner.Plan) string {
	counts := map[planner.ActionType]int{}
	for _, a := range plan.Actions {
		counts[a.Action]++
	}
	var parts []string
	for t, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, verbs[t][1]))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ") + "."
}

func closeRun(stdio *IO, run *planRun) {
	if run == nil {
		return
	}
	if err := run.close(); err != nil {
		fmt.Fprintf(stdio.Err, "Warning: %v\n", err)
	}
}

// savedArgs are a saved plan's stack inputs; --var may give the values of
// sensitive variables again (they are never saved).
func savedArgs(extra stackArgs, saved *planner.Saved) (stackArgs, error) {
	args := stackArgs{File: saved.StackFile, Vars: map[string]string{}, VarFiles: saved.VarFiles}
	for k, v := range saved.Vars {
		args.Vars[k] = v
	}
	for k, v := range extra.Vars {
		if old, ok := args.Vars[k]; ok && old != v {
			return args, exit(ExitError, fmt.Errorf("--var %s differs from the value the plan was made with", k))
		}
		args.Vars[k] = v
	}
	return args, nil
}
