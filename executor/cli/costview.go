package cli

import (
	"fmt"
	"math"
	"strings"

	"github.com/idstack/idstack/planner"
)

// How plans show their cost (planner.Cost): the monthly total before →
// after with its change, and each action's own figure when it changes.
// Amounts are numbers in the account's billing currency (the API does
// not name it), rounded to two decimals; a month is planner.HoursPerMonth
// hours, said wherever a monthly figure is.

// money is an amount as plans show it, rounded half away from zero:
// 15.33, 9.125 → 9.13.
func money(x float64) string {
	s := fmt.Sprintf("%.2f", math.Round(x*100)/100)
	if s == "-0.00" {
		return "0.00"
	}
	return s
}

// signed is a change: +3.80, -12.41, ±0.00.
func signed(x float64) string {
	switch s := money(x); {
	case s == "0.00":
		return "±0.00"
	case x > 0:
		return "+" + s
	default:
		return s
	}
}

// monthlyOf is an amount's month, 0 for none (the object is not there).
func monthlyOf(a *planner.Amount) float64 {
	if a == nil {
		return 0
	}
	return a.Monthly
}

// costLine is the plan's cost in one line ("" when the provider has no
// prices): "Cost estimate: 15.33 → 19.13 per month (+3.80) at 730 hours a
// month, …".
func costLine(c *planner.Cost) string {
	switch {
	case c == nil:
		return ""
	case c.Error != "":
		return "Cost estimate: unknown, " + c.Error + "."
	}
	return fmt.Sprintf("Cost estimate: %s at %d hours a month, in the account's billing currency.", costChange(c), c.HoursPerMonth)
}

// costChange is "15.33 → 19.13 per month (+3.80)", or "15.33 per month
// (unchanged)".
func costChange(c *planner.Cost) string {
	change := 0.0
	if c.MonthlyChange != nil {
		change = *c.MonthlyChange
	}
	before, after := money(monthlyOf(c.Before)), money(monthlyOf(c.After))
	if before == after && money(change) == "0.00" {
		return after + " per month (unchanged)"
	}
	return fmt.Sprintf("%s → %s per month (%s)", before, after, signed(change))
}

// costLeftOut says which objects the totals leave out or estimate from
// use ("" when none), with at most max addresses of each.
func costLeftOut(c *planner.Cost, quote func(string) string, max int) string {
	if c == nil || c.Error != "" {
		return ""
	}
	var parts []string
	if len(c.NotPriced) > 0 {
		parts = append(parts, "Not in the totals (no price): "+addressList(c.NotPriced, quote, max)+".")
	}
	if len(c.UsageBased) > 0 {
		parts = append(parts, "Usage-based (what it stores now, 0 when new): "+addressList(c.UsageBased, quote, max)+".")
	}
	return strings.Join(parts, " ")
}

// addressList is "a, b, c and 4 more".
func addressList(addrs []string, quote func(string) string, max int) string {
	shown := addrs
	if len(shown) > max {
		shown = shown[:max]
	}
	q := make([]string, len(shown))
	for i, a := range shown {
		q[i] = quote(a)
	}
	s := strings.Join(q, ", ")
	if more := len(addrs) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// actionCost is an action's own cost as a plan shows it, "" when there is
// nothing to say: a create or a delete always, another action when its
// monthly figure changes.
func actionCost(a *planner.Action) string {
	rc := a.Cost
	if rc == nil {
		return ""
	}
	appears := a.Action == planner.Create || a.Action == planner.Delete
	if rc.NotPriced != "" {
		if !appears {
			return ""
		}
		return "cost: " + rc.NotPriced
	}
	change := 0.0
	if rc.MonthlyChange != nil {
		change = *rc.MonthlyChange
	}
	if !appears && money(change) == "0.00" {
		return ""
	}
	s := fmt.Sprintf("cost: %s → %s per month (%s)", money(monthlyOf(rc.Before)), money(monthlyOf(rc.After)), signed(change))
	note := ""
	switch {
	case rc.After != nil:
		note = rc.After.Note
	case rc.Before != nil:
		note = rc.Before.Note
	}
	if note != "" {
		s += ", " + note
	}
	return s
}

// mdCostSummary is the cost's part of a Markdown plan's one-line summary:
// " · cost 15.33 → 19.13 per month (+3.80)" ("" without prices).
func mdCostSummary(c *planner.Cost) string {
	switch {
	case c == nil:
		return ""
	case c.Error != "":
		return " · cost unknown"
	}
	return " · cost " + costChange(c)
}

// mdCostNote is the line under a Markdown plan's summary that says what
// the figures are, or why there are none ("" without prices).
func mdCostNote(c *planner.Cost) string {
	switch {
	case c == nil:
		return ""
	case c.Error != "":
		return "The cost could not be estimated: " + mdText(c.Error) + ".\n"
	}
	s := fmt.Sprintf("Cost estimate from the cloud's price list at %d hours a month, in the account's billing currency.", c.HoursPerMonth)
	if left := costLeftOut(c, func(a string) string { return "`" + mdCode(a) + "`" }, 10); left != "" {
		s += " " + left
	}
	return s + "\n"
}
