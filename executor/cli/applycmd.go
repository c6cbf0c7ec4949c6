package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
)

func applyFlags() []cli.Flag {
	return append(stackFlags(),
		&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
		&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many resources to change at once"},
		&cli.BoolFlag{Name: "no-rollback", Usage: "on failure keep what was done instead of undoing it"},
		lockTimeoutFlag(),
		targetFlag(),
	)
}

func applyCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "change the cloud to match the stack file, or apply a saved plan",
		ArgsUsage: "[PLAN]",
		Flags:     append(applyFlags(), &cli.BoolFlag{Name: "adopt", Usage: "take over same-named live objects the state does not own"}),
		Action: func(c *cli.Context) error {
			return runApply(c, stdio, planner.Options{})
		},
	}
}

func destroyCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "destroy",
		Usage: "delete everything the stack owns",
		Flags: applyFlags(),
		Action: func(c *cli.Context) error {
			return runApply(c, stdio, planner.Options{Destroy: true})
		},
	}
}

// interrupts turns Ctrl-C into the two-stage stop of SPEC §4: the first
// closes stop (nothing new starts, then a rollback), the second cancels
// ctx (running calls abort at once; the state stays right).
func interrupts(parent context.Context, stdio *IO) (ctx context.Context, stop <-chan struct{}, release func()) {
	ctx, cancel := context.WithCancel(parent)
	stopCh := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case <-sigs:
				n++
				if n == 1 {
					fmt.Fprintln(stdio.Err, "\nInterrupted: no new step starts; running ones finish, then what was done is undone. Press Ctrl-C again to stop at once.")
					close(stopCh)
				} else {
					fmt.Fprintln(stdio.Err, "\nStopping at once; the state records every finished step.")
					cancel()
				}
			}
		}
	}()
	return ctx, stopCh, func() { signal.Stop(sigs); close(done); cancel() }
}

// runApply plans, shows the plan, asks, applies, and on failure rolls
// back (a plan made from the journal, run by the same executor).
func runApply(c *cli.Context, stdio *IO, opts planner.Options) error {
	if c.Int("parallelism") < 1 {
		return exit(ExitError, errors.New("--parallelism must be at least 1"))
	}
	ctx, stop, release := interrupts(c.Context, stdio)
	defer release()
	var saved *planner.Saved
	var run *planRun
	var err error
	if c.Args().Len() > 0 {
		// A saved plan: made again from its own inputs, applied only if
		// nothing it depends on changed since.
		if saved, err = planner.ReadSaved(c.Args().First()); err != nil {
			return exit(ExitError, err)
		}
		args, aerr := savedArgs(c, saved)
		if aerr != nil {
			return aerr
		}
		opts.Destroy = saved.Plan.Destroy
		run, err = makePlanArgs(ctx, c, stdio, args, opts, "idstack apply")
	} else {
		run, err = makePlan(ctx, c, stdio, opts, "idstack "+c.Command.Name)
	}
	defer closeRun(stdio, run)
	if err != nil {
		return err
	}
	if saved != nil {
		why := saved.Stale(planner.Digest(run.stack.Sources), run.state, run.live)
		if len(why) == 0 {
			run.plan, why = planner.Restrict(run.plan, saved.Plan)
		}
		if len(why) > 0 {
			return exit(ExitError, fmt.Errorf("the saved plan %s is stale: %s.\nMake a new plan with `idstack plan --out`", c.Args().First(), strings.Join(why, "; ")))
		}
	}
	renderText(stdio.Out, run.plan, stdio.Color)
	if err := planProblems(stdio, run); err != nil {
		return err
	}
	if !run.plan.HasChanges() {
		return clearJournal(run)
	}
	if !c.Bool("auto-approve") && saved == nil { // a saved plan was approved when it was reviewed
		if err := confirm(stdio, run.plan); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdio.Out)
	start := time.Now()
	res, err := execute(ctx, stop, c, stdio, run, run.plan)
	if err != nil {
		return exit(ExitError, err)
	}
	if res.Err() == nil {
		fmt.Fprintf(stdio.Out, "\nApply complete in %s: %s\n", round(time.Since(start)), doneSummary(run.plan))
		return clearJournal(run)
	}
	failure := res.Err()
	fmt.Fprintf(stdio.Out, "\nApply failed after %s.\n", round(time.Since(start)))
	if res.FailedPhase == 2 {
		return exit(ExitPartial, fmt.Errorf("%w\nEvery create and update succeeded; these deletions are left for the next apply:\n%s", failure, leftList(run.plan, res)))
	}
	if c.Bool("no-rollback") || ctx.Err() != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nNothing was rolled back; the state records every step that was done. Run `idstack apply` to finish, or `idstack plan` to see what is left", failure))
	}
	rb := planner.Rollback(run.plan.Stack, res.Journal)
	if !rb.HasChanges() {
		return exit(ExitError, fmt.Errorf("%w\nNothing had been changed yet", failure))
	}
	fmt.Fprintln(stdio.Out)
	renderText(stdio.Out, rb, stdio.Color)
	fmt.Fprintln(stdio.Out)
	rres, err := execute(ctx, nil, c, stdio, run, rb)
	if err != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nrollback: %v", failure, err))
	}
	if rerr := rres.Err(); rerr != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nThe rollback could not undo everything (%v). Left as it is now, recorded in the state for the next apply:\n%s", failure, rerr, leftList(rb, rres)))
	}
	fmt.Fprintln(stdio.Out, "\nRolled back: the cloud is as it was before this apply.")
	if err := clearJournal(run); err != nil {
		fmt.Fprintf(stdio.Err, "Warning: %v\n", err)
	}
	return exit(ExitError, fmt.Errorf("apply failed and was rolled back: %w", failure))
}

// execute runs a plan with a fresh journal run.
func execute(ctx context.Context, stop <-chan struct{}, c *cli.Context, stdio *IO, run *planRun, plan *planner.Plan) (*executor.Result, error) {
	journal, err := run.backend.OpenJournal()
	if err != nil {
		return nil, err
	}
	view := &progressView{w: stdio.Out, p: newPalette(stdio.Color)}
	return executor.Apply(ctx, plan, executor.Options{
		Provider:    run.conn.Provider,
		State:       run.state,
		Save:        run.backend.Save,
		Journal:     journal,
		Live:        run.live,
		Stop:        stop,
		Parallelism: c.Int("parallelism"),
		OnEvent:     view.event,
	}), nil
}

// clearJournal drops the journal once nothing in it is unresolved.
func clearJournal(run *planRun) error {
	if err := run.backend.ClearJournal(); err != nil {
		return exit(ExitError, fmt.Errorf("clearing the journal: %w", err))
	}
	return nil
}

// leftList names the steps of a plan that did not happen.
func leftList(plan *planner.Plan, res *executor.Result) string {
	var lines []string
	for _, a := range plan.Actions {
		for _, key := range []string{a.Address, "delete " + a.Address} {
			err, failed := res.Failed[key]
			skipped := slices.Contains(res.Skipped, key)
			if !failed && !skipped {
				continue
			}
			what := fmt.Sprintf("  - %s %s", a.Action, a.Address)
			if a.ID != "" {
				what += " (" + a.ID + ")"
			}
			if failed {
				what += ": " + err.Error()
			} else {
				what += ": not started"
			}
			lines = append(lines, what)
		}
	}
	return strings.Join(lines, "\n")
}

// confirm asks a person; without a terminal it refuses rather than waits.
func confirm(stdio *IO, plan *planner.Plan) error {
	if !stdio.Terminal() {
		return exit(ExitError, errors.New("apply needs approval and there is no terminal to ask on: review the plan above and re-run with --auto-approve"))
	}
	what := "apply these changes"
	if plan.Destroy {
		what = "destroy these resources"
	}
	fmt.Fprintf(stdio.Out, "\nDo you want to %s? Only 'yes' will be accepted: ", what)
	line, _ := bufio.NewReader(stdio.In).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return exit(ExitError, errors.New("apply cancelled"))
	}
	return nil
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
func savedArgs(c *cli.Context, saved *planner.Saved) (stackArgs, error) {
	extra, err := stackArgsOf(c)
	if err != nil {
		return stackArgs{}, err
	}
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
