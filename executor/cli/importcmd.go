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

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// importCommand: `idstack import ADDR ID` (planner/import.go) records one
// live object, found by its id where the stack file puts ADDR, under
// ADDR; nothing in the cloud changes.
func importCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "take one live object, by its id, under an address of the stack file (nothing in the cloud changes)",
		ArgsUsage: "ADDR ID",
		Flags:     append(stackFlags(), lockTimeoutFlag(), createDeadlineFlag()),
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return exit(ExitError, errors.New("`idstack import` takes ADDR ID: an address of the stack file and the live object's id, e.g. idstack import vms.web 3f6c1a2e-…"))
			}
			po, err := planOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			return runImport(c.Context, stdio, importOptions{planOptions: po, Address: c.Args().Get(0), ID: c.Args().Get(1)})
		},
	}
}

// importOptions are the import command's.
type importOptions struct {
	planOptions
	Address, ID string
}

func runImport(parent context.Context, stdio *IO, o importOptions) error {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if strings.TrimSpace(o.ID) == "" {
		return exit(ExitError, fmt.Errorf("import %s: the id is empty", o.Address))
	}
	pr := &planRun{args: o.Stack.stackArgs}
	defer closeRun(stdio, pr)
	cfg, conn, err := runConfig(ctx, stdio, o.planOptions)
	pr.stack, pr.conn = cfg.Stack, conn
	if err != nil {
		return err
	}
	// The address is checked before any call to the cloud (and again
	// under the lock).
	if _, err := planner.ImportAddress(cfg.Stack, o.Address); err != nil {
		return exit(ExitError, fmt.Errorf("import %s: %w", o.Address, err))
	}
	if st, err := cfg.Backend.Load(); err == nil {
		if err := planner.ImportUnrecorded(st, o.Address); err != nil {
			return exit(ExitError, fmt.Errorf("import %s %s: %w", o.Address, o.ID, err))
		}
	}
	// Locked like an apply: the state is read, an interrupted apply's
	// creates are recovered, and the refresh lists the kind where the
	// stack file puts the resource.
	cfg.Lock = "idstack import"
	pr.Planned, err = run.Plan(ctx, cfg)
	if err != nil {
		return exitFor(o.Stack.File, err)
	}
	elsewhere := state.OwnedElsewhere(cfg.Backend)
	rec, err := planner.Import(cfg.Stack, pr.State, pr.Live, o.Address, o.ID, elsewhere)
	var ie *planner.ImportError
	if errors.As(err, &ie) && len(ie.Problems) > 0 {
		spec.Format(stdio.Err, problemDiags(ie.Problems), cfg.Stack.Sources)
	}
	if err != nil {
		return exit(ExitError, fmt.Errorf("import %s %s: %w", o.Address, o.ID, err))
	}
	for _, w := range elsewhere.Warnings {
		fmt.Fprintf(stdio.Err, "Warning: %s\n", w)
	}
	pr.State.Put(rec)
	if err := cfg.Backend.Save(pr.State); err != nil {
		return exit(ExitError, fmt.Errorf("import %s: writing the state %s: %w", o.Address, cfg.Backend, err))
	}
	ks := cfg.Stack.Provider.Kind(provider.Kind(rec.Kind))
	what := rec.ID
	if rec.Name != "" && rec.Name != rec.ID {
		what = fmt.Sprintf("%q (id %s)", rec.Name, rec.ID)
	}
	where := ""
	if !ks.Global && rec.Location != "" {
		where = " in " + rec.Location
	}
	fmt.Fprintf(stdio.Out, "Imported %s: the live %s %s%s is now in the state of stack %q. Nothing in the cloud was changed.\n",
		o.Address, ks.Singular, what, where, pr.State.Stack)
	fmt.Fprintln(stdio.Out, nextPlanLine(cfg.Stack, pr.State, pr.Live, o.Address))
	return nil
}

// nextPlanLine says what the next plan does with an imported address.
func nextPlanLine(stack *spec.Stack, st *state.State, live *planner.Live, addr string) string {
	next := planner.Build(stack, st, live, planner.Options{Targets: []string{addr}})
	for _, p := range next.Errors {
		if p.Address == addr {
			return fmt.Sprintf("The next plan cannot change it as the stack file is: %s.", p.Summary)
		}
	}
	for _, a := range next.Actions {
		if a.Address != addr {
			continue
		}
		var fields []string
		for _, ch := range a.Changes {
			f, _, _ := strings.Cut(ch.Path, ".")
			if len(fields) == 0 || fields[len(fields)-1] != f {
				fields = append(fields, f)
			}
		}
		line := fmt.Sprintf("The next plan will %s %s", a.Action, addr)
		if len(fields) > 0 {
			line += " (" + strings.Join(fields, ", ") + ")"
		}
		if a.Reason != "" {
			line += ": " + a.Reason
		}
		return line + ". See it with `idstack plan`."
	}
	return "The live object matches the stack file: the next plan has no changes for it."
}

// problemDiags turns plan problems into diagnostics of the stack file.
func problemDiags(ps []planner.Problem) spec.Diagnostics {
	var diags spec.Diagnostics
	for _, p := range ps {
		d := spec.Diagnostic{Severity: spec.Error, Summary: p.Summary, Detail: p.Detail}
		if p.File != "" {
			d.Range = &spec.Range{Filename: p.File, Start: spec.Pos{Line: p.Line, Col: p.Column}}
		}
		diags = append(diags, d)
	}
	return diags
}
