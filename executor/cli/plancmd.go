package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
)

func planCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "show what apply would change",
		Flags: append(stackFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text | json | markdown"},
			&cli.StringFlag{Name: "out", Usage: "save the plan to `FILE` for `idstack apply FILE` / `idstack show FILE`"},
			&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 0 no changes, 2 changes, 3 destructive changes"},
			&cli.BoolFlag{Name: "adopt", Usage: "take over same-named live objects the state does not own"},
			&cli.BoolFlag{Name: "destroy", Usage: "plan the deletion of everything the stack owns"},
			targetFlag(),
			createDeadlineFlag(),
		),
		Action: func(c *cli.Context) error {
			po, err := planOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			return runPlan(c.Context, stdio, planCmdOptions{planOptions: po,
				Format: c.String("format"), Out: c.String("out"), DetailedExitcode: c.Bool("detailed-exitcode")})
		},
	}
}

// planCmdOptions are the plan command's.
type planCmdOptions struct {
	planOptions
	Format           string // text, json, markdown
	Out              string // save the plan to this file
	DetailedExitcode bool
}

// runPlan makes a plan, prints it and, with Out, saves it.
func runPlan(parent context.Context, stdio *IO, o planCmdOptions) error {
	if err := checkFormat(o.Format); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	pr, err := makePlan(ctx, stdio, o.planOptions)
	defer closeRun(stdio, pr)
	if err != nil {
		return err
	}
	if err := renderPlan(stdio, pr.Plan, o.Format, o.Out); err != nil {
		return err
	}
	if err := planProblems(stdio, pr); err != nil {
		return err
	}
	if o.Out != "" {
		saved := planner.NewSaved(pr.Plan, pr.stack, pr.args.File, pr.args.Vars, pr.args.VarFiles, pr.State, pr.Live)
		if err := planner.WriteSaved(o.Out, saved); err != nil {
			return exit(ExitError, err)
		}
		fmt.Fprintf(stdio.Err, "Plan saved to %s: apply it with `idstack apply %s`.\n", o.Out, o.Out)
	}
	return detailedExit(o.DetailedExitcode, pr.Plan)
}

func checkFormat(format string) error {
	switch format {
	case "text", "json", "markdown":
		return nil
	}
	return exit(ExitError, fmt.Errorf("--format %q: allowed: text, json, markdown", format))
}

// renderPlan writes a plan in a format; savedAs names the full plan for a
// Markdown comment that had to be cut.
func renderPlan(stdio *IO, plan *planner.Plan, format, savedAs string) error {
	var err error
	switch format {
	case "json":
		err = renderJSON(stdio.Out, plan)
	case "markdown":
		full := "the CI job's log (`idstack plan --format json`)"
		if savedAs != "" {
			full = "`idstack show " + savedAs + "` in the CI job"
		}
		err = renderMarkdown(stdio.Out, plan, markdownOptions{FullPlan: full})
	default:
		renderText(stdio.Out, plan, stdio.Color, wouldDo)
	}
	if err != nil {
		return exit(ExitError, err)
	}
	return nil
}

// detailedExit gives plan's exit code under --detailed-exitcode.
func detailedExit(detailed bool, plan *planner.Plan) error {
	if !detailed {
		return nil
	}
	switch {
	case plan.HasDestructive():
		return exit(ExitDestructive, nil)
	case plan.HasChanges():
		return exit(ExitChanges, nil)
	}
	return nil
}

func showCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a plan saved by `plan --out`",
		ArgsUsage: "PLAN",
		Flags:     []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text | json | markdown"}},
		Action: func(c *cli.Context) error {
			// urfave/cli stops reading flags at the first argument: take a
			// --format written after the plan file too.
			file, format, err := showArgs(c.Args().Slice(), c.String("format"))
			if err != nil {
				return exit(ExitError, err)
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			saved, err := planner.ReadSaved(file)
			if err != nil {
				return exit(ExitError, err)
			}
			return renderPlan(stdio, saved.Plan, format, file)
		},
	}
}

// showArgs reads `PLAN [--format F]` (flags after the file included).
func showArgs(args []string, format string) (file, outFormat string, err error) {
	outFormat = format
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--format" || a == "-format":
			if i+1 >= len(args) {
				return "", "", errors.New("--format needs a value: text, json or markdown")
			}
			outFormat = args[i+1]
			i++
		case strings.HasPrefix(a, "--format="):
			outFormat = strings.TrimPrefix(a, "--format=")
		case file == "":
			file = a
		default:
			return "", "", fmt.Errorf("show takes one plan file, got %q too", a)
		}
	}
	if file == "" {
		return "", "", errors.New("show needs one argument: the plan file written by `idstack plan --out`")
	}
	return file, outFormat, nil
}
