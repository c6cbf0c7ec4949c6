package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/idstack/idstack/executor"
	"github.com/idstack/idstack/planner"
)

// progressView prints one line per step as it starts and ends.
type progressView struct {
	w io.Writer
	p palette
}

var verbs = map[planner.ActionType][2]string{
	planner.Create:    {"creating", "created"},
	planner.Update:    {"updating", "updated"},
	planner.Replace:   {"creating replacement", "replacement created"},
	planner.Reinstall: {"reinstalling", "reinstalled"},
	planner.Delete:    {"deleting", "deleted"},
	planner.Adopt:     {"adopting", "adopted"},
	planner.Start:     {"starting", "started"},
	planner.Stop:      {"stopping", "stopped"},
}

func (v *progressView) event(e executor.Event) {
	vb := verbs[e.Action]
	if e.Half == "delete" {
		vb = [2]string{"deleting old object", "old object deleted"}
	}
	switch e.Type {
	case executor.Started:
		fmt.Fprintf(v.w, "%s: %s…\n", e.Address, vb[0])
	case executor.Progress:
		fmt.Fprintf(v.w, "%s: still %s… [%s elapsed]\n", e.Address, vb[0], round(e.Elapsed))
	case executor.Finished:
		id := ""
		if e.ID != "" {
			id = " (" + e.ID + ")"
		}
		fmt.Fprintf(v.w, "%s: %s%s [%s]\n", e.Address, v.p.add.Sprint(vb[1]), id, round(e.Elapsed))
	case executor.Failed:
		fmt.Fprintf(v.w, "%s: %s after %s: %v\n", e.Address, v.p.remove.Sprint(vb[0]+" failed"), round(e.Elapsed), e.Err)
	case executor.Waiting:
		fmt.Fprintf(v.w, "%s: %s\n", e.Address, v.p.note.Sprint(e.Message))
	case executor.Skipped:
		fmt.Fprintf(v.w, "%s: %s\n", e.Address, v.p.note.Sprint("not started"))
	}
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
