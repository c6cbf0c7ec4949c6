package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
)

// How `idstack stop` and `idstack start` show their batch, and how plans
// show a hibernated stack.

// hibernationLine is a plan's line on the stack's hibernation ("" when
// it is awake): "since 2025-01-06 20:00 UTC (by ci@runner): 3 VMs stopped;
// `idstack start` wakes them."
func hibernationLine(h *planner.Hibernated) string {
	if h == nil {
		return ""
	}
	what := "the whole stack"
	if !h.All {
		what = "some of its VMs"
	}
	return fmt.Sprintf("since %s (by %s, %s): %s stopped; `idstack start` wakes them.",
		h.Since.UTC().Format("2006-01-02 15:04 UTC"), h.By, what, plural(len(h.VMs), "1 VM", fmt.Sprintf("%d VMs", len(h.VMs))))
}

// mdHibernation is the Markdown plan's note on the hibernation ("" when
// awake).
func mdHibernation(h *planner.Hibernated) string {
	if h == nil {
		return ""
	}
	return "\n> [!NOTE]\n> **Hibernated** " + mdText(hibernationLine(h)) + "\n\n"
}

// powerWords are a batch's words: [doing, done, the command].
func powerWords(action string) (doing, done, verb string) {
	if action == "stop" {
		return "stopping", "stopped", "stop"
	}
	return "starting", "started", "start"
}

// batchHeader says what the batch will do, what it leaves alone and what
// it saves or costs a month.
func batchHeader(w io.Writer, b *run.Batch, plan *planner.Plan, p palette) {
	doing, _, _ := powerWords(b.Action)
	if len(b.Jobs) > 0 {
		fmt.Fprintf(w, "idstack will %s %s of stack %q (request %s):\n", b.Action, plural(len(b.Jobs), "1 VM", fmt.Sprintf("%d VMs", len(b.Jobs))), plan.Stack, b.RequestID)
		for _, j := range b.Jobs {
			a := plan.Action(j.Address)
			where := ""
			if a != nil && a.Location != "" {
				where = " in " + a.Location
			}
			fmt.Fprintf(w, "  %s  %s %s%s\n", p.change.Sprint("~ "+j.Address), doing, j.ID, p.note.Sprint(where))
			if a != nil {
				for _, n := range a.Notes {
					fmt.Fprintf(w, "        %s\n", p.note.Sprint("note: "+n))
				}
			}
		}
	} else {
		fmt.Fprintf(w, "Nothing to %s in stack %q (request %s).\n", b.Action, plan.Stack, b.RequestID)
	}
	for _, s := range b.Skipped {
		fmt.Fprintf(w, "  %s  %s\n", p.note.Sprint("  "+s.Address), p.note.Sprint("left alone: "+s.Why))
	}
	if line := batchCost(b.Action, plan.Cost); line != "" && len(b.Jobs) > 0 {
		fmt.Fprintln(w, line)
	}
}

// batchCost is the monthly saving (stop) or cost (start) of the batch at
// the current prices, "" for a provider without a price list.
func batchCost(action string, c *planner.Cost) string {
	switch {
	case c == nil:
		return ""
	case c.Error != "":
		return "Cost: unknown, " + c.Error + "."
	}
	change := 0.0
	if c.MonthlyChange != nil {
		change = *c.MonthlyChange
	}
	what := fmt.Sprintf("costs %s more per month", money(change))
	if action == "stop" || change < 0 {
		what = fmt.Sprintf("saves %s per month", money(-change))
	}
	s := fmt.Sprintf("Cost: the stack goes from %s; %s %s at the current prices (%d hours a month, in the account's billing currency).",
		costChange(c), powerGerund(action), what, c.HoursPerMonth)
	if left := costLeftOut(c, func(a string) string { return a }, 5); left != "" {
		s += " " + left
	}
	return s
}

func powerGerund(action string) string {
	if action == "stop" {
		return "stopping these VMs"
	}
	return "starting these VMs"
}

// jobView prints one line per job as it starts and ends.
type jobView struct {
	w io.Writer
	p palette
}

func (v *jobView) job(action string, j *run.Job) {
	doing, done, verb := powerWords(action)
	switch j.Status {
	case run.JobRunning:
		fmt.Fprintf(v.w, "%s (%s): %s… [job %s]\n", j.Address, j.ID, doing, j.JobID)
	case run.JobSucceeded:
		fmt.Fprintf(v.w, "%s (%s): %s [%s] [job %s]\n", j.Address, j.ID, v.p.add.Sprint(done), round(jobElapsed(j)), j.JobID)
	case run.JobFailed:
		fmt.Fprintf(v.w, "%s (%s): %s after %s: %s %s [job %s]\n", j.Address, j.ID, v.p.remove.Sprint(verb+" failed"), round(jobElapsed(j)), j.ErrorCode, j.ErrorMsg, j.JobID)
	}
}

func jobElapsed(j *run.Job) time.Duration {
	if j.Started == nil || j.Ended == nil {
		return 0
	}
	return j.Ended.Sub(*j.Started)
}

// batchTable is the jobs at the end of a batch.
func batchTable(w io.Writer, b *run.Batch) error {
	var out strings.Builder
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ADDRESS\tID\tJOB\tSTATUS\tTOOK\tERROR")
	for _, j := range b.Jobs {
		took := "-"
		if j.Started != nil && j.Ended != nil {
			took = round(jobElapsed(j)).String()
		}
		errText := ""
		if j.ErrorCode != "" {
			errText = j.ErrorCode + " " + j.ErrorMsg
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", j.Address, j.ID, j.JobID, jobStatuses[j.Status], took, errText)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var trimmed strings.Builder
	for _, line := range strings.SplitAfter(out.String(), "\n") {
		trimmed.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			trimmed.WriteString("\n")
		}
	}
	return writeAll(w, trimmed.String())
}

// jobStatuses name the job statuses in views and JSON.
var jobStatuses = map[run.JobStatus]string{
	run.JobPending: "pending", run.JobRunning: "running", run.JobSucceeded: "succeeded", run.JobFailed: "failed",
}

// batchJSON is the batch as `--format json` prints it: the API's batch
// shape (request_id, jobs with address, id, job_id, status, error_code,
// error_msg, started, ended), with what was left alone, the hibernation
// after it and the cost (executor/run/batch.schema.json).
type batchJSON struct {
	RequestID   string              `json:"request_id"`
	Action      string              `json:"action"`
	Stack       string              `json:"stack"`
	Jobs        []jobJSON           `json:"jobs"`
	Skipped     []planner.PowerSkip `json:"skipped"`
	Hibernation *state.Hibernation  `json:"hibernation"`
	Cost        *planner.Cost       `json:"cost,omitempty"`
}

type jobJSON struct {
	Address   string     `json:"address"`
	ID        string     `json:"id"`
	JobID     string     `json:"job_id"`
	Status    string     `json:"status"`
	ErrorCode string     `json:"error_code"`
	ErrorMsg  string     `json:"error_msg"`
	Started   *time.Time `json:"started"`
	Ended     *time.Time `json:"ended"`
}

func writeBatchJSON(w io.Writer, b *run.Batch, stack string, c *planner.Cost) error {
	out := batchJSON{RequestID: b.RequestID, Action: b.Action, Stack: stack, Jobs: []jobJSON{}, Skipped: b.Skipped, Hibernation: b.Hibernation, Cost: c}
	if out.Skipped == nil {
		out.Skipped = []planner.PowerSkip{}
	}
	for _, j := range b.Jobs {
		out.Jobs = append(out.Jobs, jobJSON{Address: j.Address, ID: j.ID, JobID: j.JobID, Status: jobStatuses[j.Status],
			ErrorCode: j.ErrorCode, ErrorMsg: j.ErrorMsg, Started: j.Started, Ended: j.Ended})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
