package ci

import (
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The scheduled hibernation workflow (hibernate.yml, README "Hibernate an
// environment").
const hibernateFile = "hibernate.yml"

// TestHibernateWorkflow: actionlint finds nothing wrong in it; every run:
// script parses as bash; it is scheduled at 20:00 and 07:00 UTC on
// weekdays, each schedule choosing stop and start by its cron line, and
// runs by hand too; it stops and starts with the command line as it is
// (unattended, waiting for another run's lock, the batch as JSON, one
// more run after a partial failure, exit code 4).
func TestHibernateWorkflow(t *testing.T) {
	src := read(t, hibernateFile)
	for _, e := range lintGitHub(t, src) {
		t.Errorf("%s:%d:%d: %s [%s]", hibernateFile, e.Line, e.Column, e.Message, e.Kind)
	}
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", hibernateFile, errs[0])
	}
	var crons []string
	dispatch := false
	for _, ev := range wf.On {
		switch ev := ev.(type) {
		case *actionlint.ScheduledEvent:
			for _, s := range ev.Schedules {
				if s.Timezone != nil {
					t.Errorf("schedule %q has a time zone: the example's crons are UTC", s.Cron.Value)
				}
				crons = append(crons, s.Cron.Value)
			}
		case *actionlint.WorkflowDispatchEvent:
			dispatch = true
		}
	}
	if want := []string{"0 20 * * 1-5", "0 7 * * 1-5"}; !slices.Equal(crons, want) {
		t.Errorf("schedule %q, want %q (20:00 and 07:00 UTC, Monday to Friday)", crons, want)
	}
	if !dispatch {
		t.Error("no workflow_dispatch: it cannot be run by hand")
	}
	var scripts []string
	for id, job := range wf.Jobs {
		for i, step := range job.Steps {
			run, ok := step.Exec.(*actionlint.ExecRun)
			if !ok || run.Run == nil {
				continue
			}
			script := expression.ReplaceAllString(run.Run.Value, "EXPR")
			if err := parseBash(script); err != nil {
				t.Errorf("%s: jobs.%s.steps[%d]: %v", hibernateFile, id, i, err)
			}
			scripts = append(scripts, run.Run.Value)
		}
	}
	all := strings.Join(scripts, "\n")
	for _, cron := range crons {
		if !strings.Contains(all, `"`+cron+`")`) {
			t.Errorf("no script chooses the action of the schedule %q", cron)
		}
	}
	for _, want := range []string{
		`"0 20 * * 1-5") action=stop`,
		`"0 7 * * 1-5") action=start`,
		`idstack "$ACTION" -f "$STACK_FILE" --var env="$STACK_ENV" --auto-approve --lock-timeout 10m --format json > batch.json || code=$?`,
		`if [ "$code" = 4 ]; then`,
		`exit "$code"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("%s lacks %q", hibernateFile, want)
		}
	}
	text := string(src)
	for _, want := range []string{"UTC", "IDSTACK_API_KEY: ${{ secrets.IDSTACK_API_KEY }}", "cancel-in-progress: false"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", hibernateFile, want)
		}
	}
	for _, bad := range []string{"@latest", "|| true"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s uses %q", hibernateFile, bad)
		}
	}
}
