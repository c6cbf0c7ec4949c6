package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
)

// palette colours plan output; every colour is off unless enabled.
type palette struct {
	add, change, remove, replace, note, bold *color.Color
	on                                       bool
}

// paint is c.Sprint(s), without fmt when colour is off: s itself then.
func (p palette) paint(c *color.Color, s string) string {
	if !p.on {
		return s
	}
	return c.Sprint(s)
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		add: mk(color.FgGreen), change: mk(color.FgYellow), remove: mk(color.FgRed),
		replace: mk(color.FgMagenta), note: mk(color.Faint), bold: mk(color.Bold), on: on,
	}
}

// symbol is the one-glance mark of an action.
func symbol(t planner.ActionType) string {
	switch t {
	case planner.Create:
		return "+"
	case planner.Delete:
		return "-"
	case planner.Replace:
		return "-/+"
	case planner.Reinstall:
		return "!~"
	case planner.Adopt:
		return "<="
	case planner.Start, planner.Stop:
		return "~"
	}
	return "~"
}

func (p palette) forAction(t planner.ActionType) *color.Color {
	switch t {
	case planner.Create, planner.Adopt:
		return p.add
	case planner.Delete:
		return p.remove
	case planner.Replace, planner.Reinstall:
		return p.replace
	}
	return p.change
}

// Moods of a plan's first line: `plan` says what idstack would do, `apply`
// what it is about to do.
const (
	wouldDo = "would"
	willDo  = "will"
)

// renderText writes a plan for people; mood is wouldDo or willDo. The
// plan is written in 32 KiB blocks, not line by line: a plan of 1,000
// creates is ~30,000 lines, and a write call each took 20 ms of a plan's
// ~300. Write errors are the stream's (KeepGoing drops a closed pipe).
func renderText(w io.Writer, plan *planner.Plan, colorOn bool, mood string) {
	bw := bufio.NewWriterSize(w, 32<<10)
	writeText(bw, plan, colorOn, mood)
	_ = bw.Flush()
}

func writeText(w io.Writer, plan *planner.Plan, colorOn bool, mood string) {
	p := newPalette(colorOn)
	defer func() {
		for _, warn := range plan.Warnings {
			fmt.Fprintf(w, "%s %s\n", p.change.Sprint("Warning:"), warn.Summary)
			if warn.Detail != "" {
				fmt.Fprintf(w, "  %s\n", warn.Detail)
			}
		}
	}()
	if line := hibernationLine(plan.Hibernation); line != "" {
		fmt.Fprintf(w, "%s %s\n", p.note.Sprint("Hibernated"), line)
	}
	// A plan with errors claims nothing: its errors follow on stderr.
	errs := len(plan.Errors)
	switch {
	case errs > 0 && !plan.HasChanges():
		fmt.Fprintf(w, "The plan of stack %q has %d %s (below): it cannot be applied.\n", plan.Stack, errs, plural(errs, "error", "errors"))
		return
	case !plan.HasChanges():
		fmt.Fprintf(w, "No changes: the live objects of stack %q match the stack file.\n", plan.Stack)
		writeCost(w, plan.Cost)
		return
	}
	for _, c := range plan.Cautions {
		fmt.Fprintf(w, "%s %s\n", p.replace.Sprint("Caution:"), c.Summary)
		if c.Detail != "" {
			fmt.Fprintf(w, "  %s\n", c.Detail)
		}
	}
	if len(plan.Cautions) > 0 {
		fmt.Fprintln(w)
	}
	switch {
	case errs > 0:
		fmt.Fprintf(w, "The plan of stack %q has %d %s (below) and cannot be applied. Its actions:\n\n", plan.Stack, errs, plural(errs, "error", "errors"))
	case plan.Rollback:
		fmt.Fprintf(w, "idstack %s roll back what the failed apply of stack %q did:\n\n", mood, plan.Stack)
	case plan.Destroy:
		fmt.Fprintf(w, "idstack %s destroy stack %q:\n\n", mood, plan.Stack)
	default:
		fmt.Fprintf(w, "idstack %s make these changes to stack %q:\n\n", mood, plan.Stack)
	}
	// The lines of the actions are written piece by piece (a plan of
	// 1,000 creates has ~15,000 of them), colours through p.paint.
	put := func(parts ...string) {
		for _, s := range parts {
			_, _ = io.WriteString(w, s)
		}
	}
	replaceMode := provider.Replace.String()
	for _, a := range plan.Actions {
		c := p.forAction(a.Action)
		head := p.paint(c, symbol(a.Action)+" "+a.Address)
		put("  ", head, "  ", string(a.Action))
		if a.Deposed {
			put(" (old object ", a.ID, ")")
		}
		if a.Reason != "" {
			put(": ", a.Reason)
		}
		where := a.Location
		if where != "" {
			where = " in " + where
		}
		put(p.paint(p.note, where), "\n")
		for _, ch := range a.Changes {
			put("        ", ch.Path, ": ")
			if a.Action != planner.Create {
				put(plan.Show(ch.Before), " → ")
			}
			put(plan.Show(ch.After))
			if ch.Mode == replaceMode && a.Action == planner.Replace {
				put(p.paint(p.replace, "  (forces replacement)"))
			}
			put("\n")
		}
		for _, n := range a.Notes {
			put("        ", p.paint(p.note, "note: "+n), "\n")
		}
		if c := actionCost(a); c != "" {
			put("        ", p.paint(p.note, c), "\n")
		}
		if len(a.DependsOn) > 0 && a.Action != planner.Delete {
			put("        ", p.paint(p.note, "after: "+strings.Join(a.DependsOn, ", ")), "\n")
		}
	}
	fmt.Fprintf(w, "\n%s\n", p.bold.Sprint(summaryLine(plan.Summary)))
	writeCost(w, plan.Cost)
}

// writeCost writes a plan's cost lines (none without prices).
func writeCost(w io.Writer, c *planner.Cost) {
	if line := costLine(c); line != "" {
		fmt.Fprintln(w, line)
	}
	if left := costLeftOut(c, func(s string) string { return s }, 20); left != "" {
		fmt.Fprintln(w, left)
	}
}

// summaryLine is "Plan: 2 to create, 1 to update, …".
func summaryLine(s planner.Summary) string {
	parts := []string{}
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, what))
		}
	}
	add(s.Create, "create")
	add(s.Adopt, "adopt")
	add(s.Update, "update")
	add(s.Start, "start")
	add(s.Stop, "stop")
	add(s.Reinstall, "reinstall")
	add(s.Replace, "replace")
	add(s.Delete, "delete")
	if len(parts) == 0 {
		return "Plan: no changes."
	}
	return "Plan: " + strings.Join(parts, ", ") + "."
}

// renderJSON writes the plan JSON of SPEC §6 (encoding/json's bytes,
// written without reflection: Plan.WriteJSON).
func renderJSON(w io.Writer, plan *planner.Plan) error {
	return plan.WriteJSON(w)
}
