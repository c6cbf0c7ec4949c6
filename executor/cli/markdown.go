package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
)

// MarkdownLimit is the most characters a Markdown plan may have: a PR
// comment on GitHub holds 65,536; a little is left for what CI adds.
const MarkdownLimit = 65000

// MarkdownMarker starts every Markdown plan: CI finds its previous comment
// on a pull request by it (and the stack name after it) to update it
// rather than add another.
const MarkdownMarker = "<!-- idstack-plan"

// markdownOptions tune a Markdown plan.
type markdownOptions struct {
	// Limit is the most characters (runes) of the whole; 0 is MarkdownLimit.
	Limit int
	// FullPlan says where the whole plan is when details had to be cut,
	// as it follows "The full plan: " (e.g. "`idstack show plan.bin` in
	// the CI job").
	FullPlan string
}

const defaultFullPlan = "the CI job's log, `idstack show PLAN` of its saved plan, or its JSON artefact (`--format json`)"

// cellMax is the most characters of one value in a table cell.
const cellMax = 300

// renderMarkdown writes a plan made for a pull-request comment: a one-line
// summary; destructive actions (delete, replace, reinstall, data loss)
// first, in a caution block; then each resource's details folded in a
// <details> block with its changes as a table. Secrets are already
// "(sensitive)" in the plan and are shown as nothing else. When the whole
// would pass the limit, details are cut from the end and a note says how
// many and where the full plan is.
func renderMarkdown(w io.Writer, plan *planner.Plan, opts markdownOptions) error {
	limit := opts.Limit
	if limit <= 0 {
		limit = MarkdownLimit
	}
	full := opts.FullPlan
	if full == "" {
		full = defaultFullPlan
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s stack=%q -->\n", MarkdownMarker, plan.Stack)
	what := "plan"
	if plan.Destroy {
		what = "destroy plan"
	}
	if !plan.HasChanges() && len(plan.Errors) == 0 {
		fmt.Fprintf(&head, "### idstack %s for `%s`: no changes%s\n\nThe live objects match the stack file.\n", what, mdCode(plan.Stack), mdCostSummary(plan.Cost))
		head.WriteString(mdCostNote(plan.Cost))
		head.WriteString(mdHibernation(plan.Hibernation))
		return writeAll(w, head.String())
	}
	line := strings.TrimSuffix(strings.TrimPrefix(summaryLine(plan.Summary), "Plan: "), ".")
	mark := ""
	if plan.HasDestructive() || hasDataLoss(plan) {
		mark = " :warning: destructive"
	}
	fmt.Fprintf(&head, "### idstack %s for `%s`: %s%s%s\n\n", what, mdCode(plan.Stack), line, mark, mdCostSummary(plan.Cost))
	if note := mdCostNote(plan.Cost); note != "" {
		head.WriteString(note + "\n")
	}
	head.WriteString(mdHibernation(plan.Hibernation))

	if len(plan.Errors) > 0 {
		fmt.Fprintf(&head, "> [!WARNING]\n> **The plan cannot be applied: %d %s.**\n", len(plan.Errors), plural(len(plan.Errors), "error", "errors"))
		for _, p := range plan.Errors {
			fmt.Fprintf(&head, "> - %s\n", problemLine(p))
		}
		head.WriteString("\n")
	}

	// The loud part: every action that loses an object or its data.
	var loud []*planner.Action
	for _, a := range plan.Actions {
		if isLoud(a) {
			loud = append(loud, a)
		}
	}
	if len(loud) > 0 {
		fmt.Fprintf(&head, "> [!CAUTION]\n> **%d %s delete, replace or reinstall resources or lose data:**\n", len(loud), plural(len(loud), "action would", "actions would"))
		budget := limit / 3 // the list may not crowd out everything else
		for i, a := range loud {
			l := "> - " + loudLine(a) + "\n"
			if utf8.RuneCountInString(head.String())+len(l) > budget {
				fmt.Fprintf(&head, "> - … and %d more (the full plan: %s)\n", len(loud)-i, full)
				break
			}
			head.WriteString(l)
		}
		for _, c := range plan.Cautions {
			fmt.Fprintf(&head, ">\n> %s\n", mdText(c.Summary))
		}
		head.WriteString("\n")
	}
	if len(plan.Warnings) > 0 {
		head.WriteString("> [!NOTE]\n")
		for _, p := range plan.Warnings {
			fmt.Fprintf(&head, "> - %s\n", problemLine(p))
		}
		head.WriteString("\n")
	}

	// Details: the destructive ones first, then the rest in plan order.
	ordered := append([]*planner.Action{}, loud...)
	for _, a := range plan.Actions {
		if !isLoud(a) {
			ordered = append(ordered, a)
		}
	}
	out := head.String()
	used := utf8.RuneCountInString(out)
	const reserve = 600 // room for the note on what was cut
	var body strings.Builder
	shown := 0
	for _, a := range ordered {
		d := detailBlock(plan, a)
		n := utf8.RuneCountInString(d)
		if used+n+reserve > limit {
			break
		}
		body.WriteString(d)
		used += n
		shown++
	}
	out += body.String()
	if cut := len(ordered) - shown; cut > 0 {
		out += fmt.Sprintf("> [!NOTE]\n> The details of %d of %d resources (%s) were cut to keep this comment under %s characters. The full plan: %s.\n",
			cut, len(ordered), countByAction(ordered[shown:]), thousands(limit), full)
	}
	return writeAll(w, out)
}

// countByAction is "2000 create, 617 delete" in the order of the actions.
func countByAction(actions []*planner.Action) string {
	n := map[planner.ActionType]int{}
	var order []planner.ActionType
	for _, a := range actions {
		if n[a.Action] == 0 {
			order = append(order, a.Action)
		}
		n[a.Action]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%d %s", n[t], t)
	}
	return strings.Join(parts, ", ")
}

// thousands writes 65000 as 65,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func writeAll(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

// isLoud reports whether an action loses an object or data.
func isLoud(a *planner.Action) bool {
	if a.Action.Destructive() {
		return true
	}
	for _, n := range a.Notes {
		if dataLossNote(n) {
			return true
		}
	}
	return false
}

func hasDataLoss(p *planner.Plan) bool {
	for _, a := range p.Actions {
		if isLoud(a) {
			return true
		}
	}
	return false
}

// dataLossNote reports whether a planner note warns of lost data.
func dataLossNote(n string) bool {
	n = strings.ToLower(n)
	for _, w := range []string{"data loss", "is lost", "wipes", "irreversible"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// loudLine is one line of the caution block.
func loudLine(a *planner.Action) string {
	s := fmt.Sprintf("**%s** `%s`", a.Action, mdCode(a.Address))
	if a.ID != "" && (a.Action == planner.Delete || a.Action == planner.Replace || a.Action == planner.Reinstall) {
		s += fmt.Sprintf(" (`%s`)", mdCode(a.ID))
	}
	if a.Reason != "" {
		s += ": " + mdText(a.Reason)
	}
	for _, n := range a.Notes {
		if dataLossNote(n) {
			s += "; **" + mdText(n) + "**"
		}
	}
	return s
}

func problemLine(p planner.Problem) string {
	s := ""
	if p.Address != "" {
		s = "`" + mdCode(p.Address) + "`: "
	}
	s += mdText(p.Summary)
	if p.File != "" {
		s += fmt.Sprintf(" (%s:%d:%d)", mdText(p.File), p.Line, p.Column)
	}
	if p.Detail != "" {
		s += " " + mdText(p.Detail)
	}
	return s
}

// detailBlock is one resource's folded details.
func detailBlock(plan *planner.Plan, a *planner.Action) string {
	var b strings.Builder
	title := fmt.Sprintf("<code>%s %s</code> %s", htmlText.Replace(symbol(a.Action)), htmlText.Replace(a.Address), a.Action)
	if a.Deposed {
		title += " (old object " + htmlText.Replace(a.ID) + ")"
	}
	if a.Location != "" {
		title += " in " + htmlText.Replace(a.Location)
	}
	if a.Reason != "" {
		title += ": " + htmlText.Replace(a.Reason)
	}
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", title)
	cost := actionCost(a)
	if a.ID != "" && a.Action != planner.Create {
		fmt.Fprintf(&b, "Live object: `%s`\n", mdCode(a.ID))
		if len(a.Changes) > 0 || (len(a.Notes) == 0 && cost != "") {
			b.WriteString("\n")
		}
	}
	if len(a.Changes) > 0 {
		if a.Action == planner.Create {
			b.WriteString("| field | value |\n| --- | --- |\n")
		} else {
			b.WriteString("| field | before | after | how |\n| --- | --- | --- | --- |\n")
		}
		for _, ch := range a.Changes {
			before, after := cell(plan.Show(ch.Before)), cell(plan.Show(ch.After))
			if sensitive(ch) {
				before, after = cell(planner.Sensitive), cell(planner.Sensitive)
				if ch.Before == nil {
					before = cell(planner.Show(nil))
				}
			}
			if a.Action == planner.Create {
				fmt.Fprintf(&b, "| `%s` | %s |\n", mdCode(ch.Path), after)
				continue
			}
			how := ""
			switch {
			case ch.Mode == provider.Replace.String() && a.Action == planner.Replace:
				how = "forces replacement"
			case ch.Mode != "" && ch.Mode != "in-place":
				how = mdText(ch.Mode)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", mdCode(ch.Path), before, after, how)
		}
		b.WriteString("\n")
	}
	for _, n := range a.Notes {
		if dataLossNote(n) {
			fmt.Fprintf(&b, "- :warning: **%s**\n", mdText(n))
		} else {
			fmt.Fprintf(&b, "- note: %s\n", mdText(n))
		}
	}
	if cost != "" {
		fmt.Fprintf(&b, "- %s\n", mdText(cost))
	}
	if len(a.DependsOn) > 0 && a.Action != planner.Delete {
		deps := make([]string, len(a.DependsOn))
		for i, d := range a.DependsOn {
			deps[i] = "`" + mdCode(d) + "`"
		}
		fmt.Fprintf(&b, "- after: %s\n", strings.Join(deps, ", "))
	}
	return strings.TrimRight(b.String(), "\n") + "\n\n</details>\n\n"
}

// sensitive reports whether either side of a change is a secret: then
// neither side is shown as anything but the marker.
func sensitive(ch planner.Change) bool {
	return ch.Before == planner.Sensitive || ch.After == planner.Sensitive
}

// cell formats a shown value for a table cell: HTML-escaped code, no raw
// pipes or line breaks, at most cellMax characters.
func cell(s string) string {
	if utf8.RuneCountInString(s) > cellMax {
		r := []rune(s)
		s = string(r[:cellMax]) + "…"
	}
	s = htmlText.Replace(s)
	s = strings.ReplaceAll(s, "|", "&#124;")
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	s = strings.ReplaceAll(s, "\n", "<br>")
	return "<code>" + s + "</code>"
}

// htmlText escapes what HTML would read as markup (quotes need none in
// text).
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// mdCode makes text safe inside a `code span` (no backticks, no pipes).
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// mdText makes text safe in a Markdown line: no HTML, no line breaks.
func mdText(s string) string {
	s = htmlText.Replace(s)
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
