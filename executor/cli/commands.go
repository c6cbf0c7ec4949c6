package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

func validateCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check a stack file against the schema and the API's rules (no API calls)",
		Flags: stackFlags(),
		Action: func(c *cli.Context) error {
			args, err := stackArgsOf(c)
			if err != nil {
				return err
			}
			stack, err := loadStack(c.Context, stdio, args)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdio.Out, "%s is valid: stack %q, %s%s.\n", c.String("file"), stack.Name, plural(len(stack.Resources), "1 resource", fmt.Sprintf("%d resources", len(stack.Resources))), kindCounts(stack))
			return nil
		},
	}
}

func schemaCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON schema of stack files (for editors: yaml-language-server)",
		Flags: []cli.Flag{&cli.StringFlag{Name: "provider", Value: defaultCloud, Usage: "the schema of this provider's stack files: " + strings.Join(cloudNames(), ", ")}},
		Action: func(c *cli.Context) error {
			d := clouds[c.String("provider")].desc
			if d == nil {
				return exit(ExitError, fmt.Errorf("--provider %q: allowed: %s", c.String("provider"), strings.Join(cloudNames(), ", ")))
			}
			_, err := stdio.Out.Write(schema.JSON(d))
			return err
		},
	}
}

func graphCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "graph",
		Usage: "print the plan's action graph as Graphviz DOT (dot -Tsvg to draw it)",
		Flags: append(stackFlags(), &cli.BoolFlag{Name: "destroy", Usage: "the graph of a destroy"}, targetFlag(), createDeadlineFlag(),
			&cli.StringFlag{Name: "format", Value: "dot", Usage: "dot | svg | png (svg and png are drawn by Graphviz's dot when it is installed)"}),
		Action: func(c *cli.Context) error {
			if err := checkGraphFormat(c.String("format")); err != nil {
				return exit(ExitError, err)
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			o, err := planOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			pr, err := makePlan(ctx, stdio, o)
			defer closeRun(stdio, pr)
			if err != nil {
				return err
			}
			if err := planProblems(stdio, pr); err != nil {
				return err
			}
			if err := renderGraph(stdio.Out, stdio.Err, pr.Plan.DOT(), c.String("format")); err != nil {
				return exit(ExitError, err)
			}
			return nil
		},
	}
}

// kindCounts is " (2 VMs, 1 disk)": the stack's resources by kind, in the
// provider's order; "" for none.
func kindCounts(stack *spec.Stack) string {
	n := map[spec.Kind]int{}
	for _, r := range stack.Resources {
		n[r.Addr.Kind]++
	}
	var parts []string
	for _, ks := range stack.Provider.Kinds {
		if n[ks.Kind] > 0 {
			parts = append(parts, ks.Count(n[ks.Kind]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
