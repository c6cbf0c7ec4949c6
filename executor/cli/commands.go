package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/schema"
)

func validateCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check a stack file against the schema and the API's rules (no API calls)",
		Flags: stackFlags(),
		Action: func(c *cli.Context) error {
			stack, err := loadStack(c, stdio)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdio.Out, "%s is valid: stack %q, %d resources.\n", c.String("file"), stack.Name, len(stack.Resources))
			return nil
		},
	}
}

func planCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "show what apply would change",
		Flags: append(stackFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text | json"},
			&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 0 no changes, 2 changes, 3 destructive changes"},
			&cli.BoolFlag{Name: "adopt", Usage: "take over same-named live objects the state does not own"},
			&cli.BoolFlag{Name: "destroy", Usage: "plan the deletion of everything the stack owns"},
		),
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return exit(ExitError, fmt.Errorf("--format %q: allowed: text, json", format))
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
			defer stop()
			run, err := makePlan(ctx, c, stdio, planner.Options{Destroy: c.Bool("destroy")}, "")
			defer closeRun(stdio, run)
			if err != nil {
				return err
			}
			if format == "json" {
				if err := renderJSON(stdio.Out, run.plan); err != nil {
					return exit(ExitError, err)
				}
			} else {
				renderText(stdio.Out, run.plan, stdio.Color)
			}
			if err := planProblems(stdio, run); err != nil {
				return err
			}
			if c.Bool("detailed-exitcode") {
				switch {
				case run.plan.HasDestructive():
					return exit(ExitDestructive, nil)
				case run.plan.HasChanges():
					return exit(ExitChanges, nil)
				}
			}
			return nil
		},
	}
}

func applyFlags() []cli.Flag {
	return append(stackFlags(),
		&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
		&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many resources to change at once"},
		lockTimeoutFlag(),
	)
}

func applyCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "apply",
		Usage: "change the cloud to match the stack file",
		Flags: append(applyFlags(), &cli.BoolFlag{Name: "adopt", Usage: "take over same-named live objects the state does not own"}),
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

// runApply plans, shows the plan, asks, and applies.
func runApply(c *cli.Context, stdio *IO, opts planner.Options) error {
	if c.Int("parallelism") < 1 {
		return exit(ExitError, errors.New("--parallelism must be at least 1"))
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
	defer stop()
	run, err := makePlan(ctx, c, stdio, opts, "idstack "+c.Command.Name)
	defer closeRun(stdio, run)
	if err != nil {
		return err
	}
	renderText(stdio.Out, run.plan, stdio.Color)
	if err := planProblems(stdio, run); err != nil {
		return err
	}
	if !run.plan.HasChanges() {
		return nil
	}
	if !c.Bool("auto-approve") {
		if err := confirm(stdio, run.plan); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdio.Out)
	start := time.Now()
	view := &progressView{w: stdio.Out, p: newPalette(stdio.Color)}
	res := executor.Apply(ctx, run.plan, executor.Options{
		Provider:    run.conn.Provider,
		State:       run.state,
		Save:        run.backend.Save,
		Live:        run.live,
		Parallelism: c.Int("parallelism"),
		OnEvent:     view.event,
	})
	if err := res.Err(); err != nil {
		fmt.Fprintf(stdio.Out, "\nApply failed after %s: %d of %d steps done.\n", round(time.Since(start)), len(res.Done), len(res.Done)+len(res.Failed)+len(res.Skipped))
		fmt.Fprintf(stdio.Out, "The state records every step that was done; run `idstack plan` to see what is left, `idstack apply` to finish.\n")
		return exit(ExitError, err)
	}
	fmt.Fprintf(stdio.Out, "\nApply complete in %s: %s\n", round(time.Since(start)), doneSummary(run.plan))
	return nil
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

func schemaCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON schema of stack files (for editors: yaml-language-server)",
		Action: func(c *cli.Context) error {
			_, err := stdio.Out.Write(schema.JSON())
			return err
		},
	}
}

func graphCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "graph",
		Usage: "print the plan's action graph as Graphviz DOT (dot -Tsvg to draw it)",
		Flags: append(stackFlags(), &cli.BoolFlag{Name: "destroy", Usage: "the graph of a destroy"}),
		Action: func(c *cli.Context) error {
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
			defer stop()
			run, err := makePlan(ctx, c, stdio, planner.Options{Destroy: c.Bool("destroy")}, "")
			defer closeRun(stdio, run)
			if err != nil {
				return err
			}
			if err := planProblems(stdio, run); err != nil {
				return err
			}
			_, err = io.WriteString(stdio.Out, run.plan.DOT())
			return err
		},
	}
}
