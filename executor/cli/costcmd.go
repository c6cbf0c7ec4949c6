package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
)

func costCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "cost",
		Usage: "what the stack costs now, per resource and in total, from the cloud's price list",
		Flags: append(stackFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text | json | markdown"},
		),
		Action: func(c *cli.Context) error {
			po, err := planOptionsOf(c, planner.Options{})
			if err != nil {
				return err
			}
			return runCost(c.Context, stdio, costOptions{planOptions: po, Format: c.String("format")})
		},
	}
}

// costOptions are the cost command's.
type costOptions struct {
	planOptions
	Format string // text, json, markdown
}

// costReport is what `idstack cost` shows: the bill of what the stack
// owns, and what its file declares that does not exist yet.
type costReport struct {
	*planner.Bill
	// NotCreated are the stack file's resources the stack does not own
	// yet (an apply would create them): not in the bill.
	NotCreated []string `json:"not_created,omitempty"`
}

// runCost reads the stack's live objects (a refresh, as plan does, with
// no lock) and the price list, and prints what each object the stack owns
// costs now, a stopped one as stopped, and the total.
func runCost(parent context.Context, stdio *IO, o costOptions) error {
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
	live := pr.Live
	switch {
	case live.PricesErr != nil:
		return exit(ExitError, fmt.Errorf("the price list could not be read: %w", live.PricesErr))
	case live.Prices == nil:
		return exit(ExitError, fmt.Errorf("provider %s publishes no price list: idstack cannot estimate what stack %q costs", live.Provider.Name, pr.stack.Name))
	}
	report := costReport{Bill: planner.NewBill(pr.State, live)}
	for _, r := range pr.stack.Resources {
		if a := r.Addr.String(); pr.State.Get(a) == nil {
			report.NotCreated = append(report.NotCreated, a)
		}
	}
	sort.Strings(report.NotCreated)
	switch o.Format {
	case "json":
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	case "markdown":
		err = writeAll(stdio.Out, costMarkdown(report))
	default:
		err = costText(stdio.Out, report)
	}
	if err != nil {
		return exit(ExitError, err)
	}
	return nil
}

// hourly is an hour's price in full (0.0105, 0.000342).
func hourly(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// costText is the bill as a table.
func costText(w io.Writer, r costReport) error {
	b := r.Bill
	var out strings.Builder
	fmt.Fprintf(&out, "Stack %q costs %s per month (%s an hour) by the cloud's price list, at %d hours a month, in the account's billing currency.\n",
		b.Stack, money(b.Total.Monthly), hourly(b.Total.Hourly), b.HoursPerMonth)
	if len(b.Resources) > 0 {
		out.WriteString("\n")
		tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RESOURCE\tLOCATION\tPER HOUR\tPER MONTH\tNOTE")
		for _, l := range b.Resources {
			loc := l.Location
			if loc == "" {
				loc = "-"
			}
			if l.Amount == nil {
				fmt.Fprintf(tw, "  %s\t%s\t-\t-\t%s\n", l.Address, loc, l.NotPriced)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Address, loc, hourly(l.Amount.Hourly), money(l.Amount.Monthly), l.Amount.Note)
		}
		fmt.Fprintf(tw, "  total\t\t%s\t%s\t\n", hourly(b.Total.Hourly), money(b.Total.Monthly))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	text := out.String()
	out.Reset()
	for _, line := range strings.SplitAfter(text, "\n") {
		out.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			out.WriteString("\n")
		}
	}
	if len(b.NotPriced) > 0 {
		fmt.Fprintf(&out, "\nNot in the total (no price): %s.\n", strings.Join(b.NotPriced, ", "))
	}
	if len(b.UsageBased) > 0 {
		fmt.Fprintf(&out, "Usage-based (what it stores now): %s.\n", strings.Join(b.UsageBased, ", "))
	}
	if len(r.NotCreated) > 0 {
		fmt.Fprintf(&out, "Not created yet (`idstack plan` shows what they would cost): %s.\n", strings.Join(r.NotCreated, ", "))
	}
	return writeAll(w, out.String())
}

// costMarkdown is the bill as a Markdown table (for a PR or a wiki).
func costMarkdown(r costReport) string {
	b := r.Bill
	code := func(s string) string { return "`" + mdCode(s) + "`" }
	var out strings.Builder
	fmt.Fprintf(&out, "### idstack cost of `%s`: %s per month\n\n", mdCode(b.Stack), money(b.Total.Monthly))
	fmt.Fprintf(&out, "Estimate from the cloud's price list at %d hours a month, in the account's billing currency.\n\n", b.HoursPerMonth)
	out.WriteString("| resource | location | per hour | per month | note |\n| --- | --- | ---: | ---: | --- |\n")
	for _, l := range b.Resources {
		if l.Amount == nil {
			fmt.Fprintf(&out, "| %s | %s |  |  | %s |\n", code(l.Address), mdText(l.Location), mdText(l.NotPriced))
			continue
		}
		fmt.Fprintf(&out, "| %s | %s | %s | %s | %s |\n", code(l.Address), mdText(l.Location), hourly(l.Amount.Hourly), money(l.Amount.Monthly), mdText(l.Amount.Note))
	}
	fmt.Fprintf(&out, "| **total** |  | %s | **%s** |  |\n", hourly(b.Total.Hourly), money(b.Total.Monthly))
	var notes []string
	if len(b.NotPriced) > 0 {
		notes = append(notes, "Not in the total (no price): "+addressList(b.NotPriced, code, len(b.NotPriced))+".")
	}
	if len(b.UsageBased) > 0 {
		notes = append(notes, "Usage-based (what it stores now): "+addressList(b.UsageBased, code, len(b.UsageBased))+".")
	}
	if len(r.NotCreated) > 0 {
		notes = append(notes, "Not created yet: "+addressList(r.NotCreated, code, len(r.NotCreated))+".")
	}
	if len(notes) > 0 {
		out.WriteString("\n" + strings.Join(notes, " ") + "\n")
	}
	return out.String()
}
