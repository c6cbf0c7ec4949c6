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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
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

// interrupts turns Ctrl-C and SIGTERM (a cancelled CI job) into the
// two-stage stop of SPEC §4: the first closes stop (nothing new starts,
// running steps finish, then the apply ends: rolled back, or its
// deletions left), the second cancels ctx (running calls abort at once;
// the state stays right). SIGHUP (the terminal went away) does not stop
// an apply: it goes on, saves and unlocks. The first interrupt's message
// is the one given by the apply's current stage (setStage).
func interrupts(parent context.Context, stdio *IO) (ctx context.Context, stop <-chan struct{}, setStage func(string), release func()) {
	ctx, cancel := context.WithCancel(parent)
	stopCh := make(chan struct{})
	var stage atomic.Value
	stage.Store("Interrupted: no new step starts; running ones finish, then the apply stops and says what it undid.")
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

// runApply plans, shows the plan, asks, applies, and on failure rolls
// back (a plan made from the journal, run by the same executor).
func runApply(c *cli.Context, stdio *IO, opts planner.Options) error {
	if c.Int("parallelism") < 1 {
		return exit(ExitError, errors.New("--parallelism must be at least 1"))
	}
	ctx, stop, setStage, release := interrupts(c.Context, stdio)
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
		run, err = makePlanArgs(ctx, c, stdio, args, opts, "idstack apply", stop)
	} else {
		run, err = makePlan(ctx, c, stdio, opts, "idstack "+c.Command.Name, stop)
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
		if err := confirm(stdio, run.plan, stop); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdio.Out)
	start := time.Now()
	res, err := execute(ctx, stop, c, stdio, run, run.plan)
	if err != nil {
		return exit(ExitError, err)
	}
	setStage("Interrupted after the apply's last step: it finishes as it is.")
	if res.Err() == nil {
		fmt.Fprintf(stdio.Out, "\nApply complete in %s: %s\n", round(time.Since(start)), doneSummary(run.plan))
		if closed(stop) {
			fmt.Fprintln(stdio.Out, "The interrupt came after every step had finished: nothing was undone.")
		}
		return clearJournal(run)
	}
	failure := res.Err()
	if res.Interrupted {
		fmt.Fprintf(stdio.Out, "\nApply interrupted after %s.\n", round(time.Since(start)))
	} else {
		fmt.Fprintf(stdio.Out, "\nApply failed after %s.\n", round(time.Since(start)))
	}
	if res.FailedPhase == 2 {
		if run.plan.Destroy {
			return exit(ExitPartial, fmt.Errorf("%w\nThese deletions are left for the next destroy:\n%s", failure, leftList(run.plan, res)))
		}
		return exit(ExitPartial, fmt.Errorf("%w\nEvery create and update succeeded; these deletions are left for the next apply:\n%s", failure, leftList(run.plan, res)))
	}
	if c.Bool("no-rollback") || ctx.Err() != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nNothing was rolled back; the state records every step that was done. Run `idstack apply` to finish, or `idstack plan` to see what is left%s", failure, unknownCreates(res)))
	}
	rb := planner.Rollback(run.live.Provider, run.plan.Stack, res.Journal)
	if !rb.HasChanges() {
		if u := unknownCreates(res); u != "" {
			return exit(ExitPartial, fmt.Errorf("%w%s", failure, u))
		}
		return exit(ExitError, fmt.Errorf("%w\nNothing had been changed yet", failure))
	}
	setStage("Interrupted during the rollback: it goes on, since stopping it would leave more behind.")
	fmt.Fprintln(stdio.Out)
	renderText(stdio.Out, rb, stdio.Color)
	fmt.Fprintln(stdio.Out)
	rres, err := execute(ctx, nil, c, stdio, run, rb)
	if err != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nrollback: %v", failure, err))
	}
	if rerr := rres.Err(); rerr != nil {
		return exit(ExitPartial, fmt.Errorf("%w\nThe rollback could not undo everything (%v). Left as it is now, recorded in the state for the next apply:\n%s%s", failure, rerr, leftList(rb, rres), unknownCreates(res)))
	}
	// Said only when true: every object the rollback acted on is read again.
	if problems := executor.Verify(ctx, run.conn.Provider, rb, rres); len(problems) > 0 || unknownCreates(res) != "" {
		return exit(ExitPartial, fmt.Errorf("%w\nThe rollback ran, but the cloud is not as it was before this apply:\n  - %s%s\nThe next `idstack plan` shows what differs from the stack file", failure, strings.Join(problems, "\n  - "), unknownCreates(res)))
	}
	fmt.Fprintln(stdio.Out, "\nRolled back: the cloud is as it was before this apply.")
	if err := clearJournal(run); err != nil {
		fmt.Fprintf(stdio.Err, "Warning: %v\n", err)
	}
	return exit(ExitError, fmt.Errorf("apply failed and was rolled back: %w", failure))
}

// unknownCreates names the creates of a run whose outcome is unknown (their
// intents are open): they may still appear, and the next run waits for
// them. "" when there are none.
func unknownCreates(res *executor.Result) string {
	var lines []string
	for _, in := range state.Open(res.Journal) {
		if in.Op == "create" || in.Op == "replace" {
			lines = append(lines, fmt.Sprintf("  - %s %q: its create's outcome is unknown; it may still appear: the next plan or apply waits for it", in.Address, in.Name))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + strings.Join(lines, "\n")
}

// closed reports whether a stop channel has been closed.
func closed(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// execute runs a plan with a fresh journal run.
func execute(ctx context.Context, stop <-chan struct{}, c *cli.Context, stdio *IO, run *planRun, plan *planner.Plan) (*executor.Result, error) {
	journal, err := run.backend.OpenJournal()
	if err != nil {
		return nil, err
	}
	deadline, err := createDeadlines(c, run.live.Provider)
	if err != nil {
		return nil, err
	}
	view := &progressView{w: stdio.Out, p: newPalette(stdio.Color)}
	return executor.Apply(ctx, plan, executor.Options{
		Provider:       run.conn.Provider,
		State:          run.state,
		Save:           run.backend.Save,
		Journal:        journal,
		Live:           run.live,
		Stop:           stop,
		Parallelism:    c.Int("parallelism"),
		OnEvent:        view.event,
		CreateDeadline: deadline,
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
// An interrupt while it asks is a no.
func confirm(stdio *IO, plan *planner.Plan, stop <-chan struct{}) error {
	if !stdio.Terminal() {
		return exit(ExitError, errors.New("apply needs approval and there is no terminal to ask on: review the plan above and re-run with --auto-approve"))
	}
	what := "apply these changes"
	if plan.Destroy {
		what = "destroy these resources"
	}
	fmt.Fprintf(stdio.Out, "\nDo you want to %s? Only 'yes' will be accepted: ", what)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdio.In).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		if strings.TrimSpace(line) == "yes" {
			return nil
		}
	case <-stop:
	}
	return exit(ExitError, errors.New("apply cancelled"))
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
