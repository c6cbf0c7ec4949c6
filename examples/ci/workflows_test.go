// Package ci holds the CI examples of README "Pull requests and CI"
// (github-actions.yml, gitlab-ci.yml) and "Hibernate an environment"
// (hibernate.yml), and the tests that keep them working: actionlint over
// the GitHub workflows, a shell parser over every script, and the
// structure each relies on.
package ci

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/rhysd/actionlint"
	"mvdan.cc/sh/v3/syntax"
)

const (
	githubFile = "github-actions.yml"
	gitlabFile = "gitlab-ci.yml"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGitHubActionlint: actionlint, as a library, finds nothing wrong in
// the GitHub workflow: syntax, expressions and their types, the inputs of
// the actions used, job needs and outputs, permissions. shellcheck and
// pyflakes are not run (TestGitHubShell parses the scripts instead).
func TestGitHubActionlint(t *testing.T) {
	for _, e := range lintGitHub(t, read(t, githubFile)) {
		t.Errorf("%s:%d:%d: %s [%s]", githubFile, e.Line, e.Column, e.Message, e.Kind)
	}
}

func lintGitHub(t *testing.T, src []byte) []*actionlint.Error {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Linted where it is meant to be copied; a path that does not exist
	// here, so that no project or actionlint config of this repository is
	// looked for.
	errs, err := l.Lint(".github/workflows/idstack.yml", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

// TestActionlintCatchesMistakes: the lint test fails on a broken workflow
// (a step output that does not exist, an unknown action input, an unknown
// runner, an unknown permission).
func TestActionlintCatchesMistakes(t *testing.T) {
	src := string(read(t, githubFile))
	for _, c := range []struct{ old, new, want string }{
		{"steps.plan.outputs.exitcode == '3'", "steps.plann.outputs.exitcode == '3'", "plann"},
		{"retention-days: 30", "retention-day: 30", "retention-day"},
		{"runs-on: ubuntu-latest", "runs-on: ubuntu-lates", "ubuntu-lates"},
		{"pull-requests: write", "pull-request: write", "pull-request"},
	} {
		broken := strings.Replace(src, c.old, c.new, 1)
		if broken == src {
			t.Fatalf("%q is not in %s", c.old, githubFile)
		}
		errs := lintGitHub(t, []byte(broken))
		found := false
		for _, e := range errs {
			found = found || strings.Contains(e.Message, c.want)
		}
		if !found {
			t.Errorf("actionlint misses %q → %q: %v", c.old, c.new, errs)
		}
	}
}

// expression is a ${{ … }} of GitHub Actions: a word to the shell.
var expression = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// TestGitHubShell: every run: script of the GitHub workflow parses as bash
// (the runner's shell), its ${{ … }} taken as a word.
func TestGitHubShell(t *testing.T) {
	wf, errs := actionlint.Parse(read(t, githubFile))
	if len(errs) > 0 {
		t.Fatalf("%s: %v", githubFile, errs[0])
	}
	n := 0
	for id, job := range wf.Jobs {
		for i, step := range job.Steps {
			run, ok := step.Exec.(*actionlint.ExecRun)
			if !ok || run.Run == nil {
				continue
			}
			if run.Shell != nil && run.Shell.Value != "bash" {
				t.Errorf("jobs.%s.steps[%d]: shell %q, not bash", id, i, run.Shell.Value)
			}
			n++
			script := expression.ReplaceAllString(run.Run.Value, "EXPR")
			if err := parseBash(script); err != nil {
				t.Errorf("%s: jobs.%s.steps[%d] (run: at line %d): %v", githubFile, id, i, run.Run.Pos.Line, err)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d run: scripts found in %s", n, githubFile)
	}
}

func parseBash(script string) error {
	_, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	return err
}

// TestShellParserCatchesMistakes: the parser refuses what bash refuses.
func TestShellParserCatchesMistakes(t *testing.T) {
	for _, bad := range []string{
		"if [ \"$code\" = 1 ]; then cat plan.md; exit 1",
		"x=$(jq -r '.a' f",
		"case \"$v\" in\n  a) ;;\n",
		"echo \"unterminated",
	} {
		if parseBash(bad) == nil {
			t.Errorf("parsed: %q", bad)
		}
	}
}

// gitlabCI is the GitLab file: its stages, variables and jobs, with
// extends resolved.
type gitlabCI struct {
	stages    []string
	variables map[string]any
	jobs      map[string]map[string]any
}

// reserved are the top-level keys of .gitlab-ci.yml that are not jobs.
var reserved = map[string]bool{"stages": true, "variables": true, "default": true, "workflow": true, "include": true, "image": true, "services": true, "cache": true, "before_script": true, "after_script": true}

func loadGitLab(t *testing.T, src []byte) gitlabCI {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("%s is not YAML: %v", gitlabFile, err)
	}
	var ci gitlabCI
	for _, s := range doc["stages"].([]any) {
		ci.stages = append(ci.stages, s.(string))
	}
	ci.variables, _ = doc["variables"].(map[string]any)
	var resolve func(name string, depth int) map[string]any
	resolve = func(name string, depth int) map[string]any {
		def, ok := doc[name].(map[string]any)
		if !ok || depth > 10 {
			t.Fatalf("%s: no job or template %q (or extends loops)", gitlabFile, name)
		}
		out := map[string]any{}
		var parents []string
		switch e := def["extends"].(type) {
		case string:
			parents = []string{e}
		case []any:
			for _, p := range e {
				parents = append(parents, p.(string))
			}
		}
		for _, p := range parents { // later ones win, as in GitLab (hashes merged, the rest replaced)
			for k, v := range resolve(p, depth+1) {
				out[k] = v
			}
		}
		for k, v := range def {
			if k != "extends" {
				out[k] = v
			}
		}
		return out
	}
	ci.jobs = map[string]map[string]any{}
	for name := range doc {
		if reserved[name] || strings.HasPrefix(name, ".") {
			continue
		}
		ci.jobs[name] = resolve(name, 0)
	}
	return ci
}

// lines is a script, needs or the like: a string or a list of strings.
// An item that YAML reads as something else (a plain scalar holding ": "
// is a mapping) is an error GitLab would report too.
func lines(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, l := range v {
			s, ok := l.(string)
			if !ok {
				t.Errorf("%s: %v is not a string (quote it, or use a | block)", gitlabFile, l)
			}
			out = append(out, s)
		}
	}
	return out
}

// TestGitLabShell: each job's before_script and script, as the runner
// joins them, parse as bash (the golang image's shell).
func TestGitLabShell(t *testing.T) {
	ci := loadGitLab(t, read(t, gitlabFile))
	for name, job := range ci.jobs {
		main := lines(t, job["script"])
		script := append(lines(t, job["before_script"]), main...)
		if len(main) == 0 {
			t.Errorf("%s has no script", name)
		}
		if err := parseBash(strings.Join(script, "\n")); err != nil {
			t.Errorf("%s: job %s: %v", gitlabFile, name, err)
		}
	}
}

// TestGitLabPipeline: the GitLab pipeline has the jobs the README
// describes, in stages that exist, needing jobs that exist, and fetches
// the reviewed plan the way that works: by ids through the API, one file
// at a time, with no unzip (not in the golang image) and no artefact
// download by branch (which misses merge request pipelines).
func TestGitLabPipeline(t *testing.T) {
	src := read(t, gitlabFile)
	ci := loadGitLab(t, src)
	if want := []string{"plan", "gate", "apply"}; !slices.Equal(ci.stages, want) {
		t.Errorf("stages %v, want %v", ci.stages, want)
	}
	wantStage := map[string]string{
		"idstack-plan": "plan", "idstack-gate": "gate",
		"idstack-replan": "plan", "idstack-apply": "apply", "idstack-apply-replanned": "apply",
	}
	var names []string
	for name := range ci.jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) != len(wantStage) {
		t.Errorf("jobs %v, want those of %v", names, wantStage)
	}
	for name, stage := range wantStage {
		job, ok := ci.jobs[name]
		if !ok {
			t.Errorf("no job %s", name)
			continue
		}
		if job["stage"] != stage {
			t.Errorf("%s: stage %v, want %s", name, job["stage"], stage)
		}
		for _, need := range lines(t, job["needs"]) {
			if _, ok := ci.jobs[need]; !ok {
				t.Errorf("%s needs %s, which is no job", name, need)
			}
		}
		if job["image"] != "golang:1.26" {
			t.Errorf("%s: image %v", name, job["image"])
		}
	}
	script := func(name string) string {
		return strings.Join(append(lines(t, ci.jobs[name]["before_script"]), lines(t, ci.jobs[name]["script"])...), "\n")
	}
	text := string(src)
	for _, bad := range []string{"unzip", "jobs/artifacts/", "/download?job=", "@latest", "CI_MERGE_REQUEST_LABELS,"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s uses %q", gitlabFile, bad)
		}
	}
	replan := script("idstack-replan")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`repository/commits/\$CI_COMMIT_SHA/merge_requests`), // the merged MR
		regexp.MustCompile(`merge_requests/\$iid/pipelines`),                    // its pipelines, by id
		regexp.MustCompile(`pipelines/\$pipeline/jobs`),                         // their jobs, by id
		regexp.MustCompile(`"jobs/\$plan_job/artifacts/plan\.json"`),            // one artefact file, by job id
		regexp.MustCompile(`idstack-gate.*success|success.*idstack-gate|gate" != success`),
		regexp.MustCompile(`jq -S "\$CHANGESET" reviewed\.json`),
		regexp.MustCompile(`diff -u reviewed-changes\.json changes\.json`),
	} {
		if !want.MatchString(replan) {
			t.Errorf("idstack-replan does not match %s", want)
		}
	}
	gate := script("idstack-gate")
	if !strings.Contains(gate, "merge_requests/$CI_MERGE_REQUEST_IID\"") || !strings.Contains(gate, ".labels") {
		t.Errorf("idstack-gate does not read the MR's labels from the API (a retry must see a label added since)")
	}
	for _, name := range []string{"idstack-apply", "idstack-apply-replanned"} {
		job := ci.jobs[name]
		if job["resource_group"] != "idstack-production" {
			t.Errorf("%s: resource_group %v: applies must run one at a time", name, job["resource_group"])
		}
		if !strings.Contains(script(name), "idstack apply --auto-approve --lock-timeout 10m plan.bin") {
			t.Errorf("%s does not apply the saved plan", name)
		}
		if strings.Contains(script(name), "go build") {
			t.Errorf("%s builds idstack: it must apply with the binary that planned", name)
		}
	}
	manual := false
	for _, r := range ci.jobs["idstack-apply-replanned"]["rules"].([]any) {
		manual = manual || r.(map[string]any)["when"] == "manual"
	}
	if !manual {
		t.Errorf("idstack-apply-replanned is not a manual job")
	}
	if ci.jobs["idstack-apply-replanned"]["environment"] != "production-replanned" {
		t.Errorf("idstack-apply-replanned: environment %v, want production-replanned (protected by hand)", ci.jobs["idstack-apply-replanned"]["environment"])
	}
	if !strings.Contains(script("idstack-plan"), "go build -buildvcs=true") || !strings.Contains(script("idstack-plan"), `--branch "$IDSTACK_VERSION"`) {
		t.Errorf("idstack-plan does not build idstack from the tag IDSTACK_VERSION")
	}
}

// TestGitHubWorkflow: the structure the README describes: the plan's
// artefact named after the PR and its head commit and found by that name
// (no workflow file name to match), main planned again and compared, the
// apply gated on an environment, Graphviz required, the version pinned.
func TestGitHubWorkflow(t *testing.T) {
	src := read(t, githubFile)
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", githubFile, errs[0])
	}
	text := string(src)
	for _, bad := range []string{"workflow_id:", "listWorkflowRuns(", "idstack.yml'", "@latest", "|| true"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s uses %q", githubFile, bad)
		}
	}
	if wf.Defaults == nil || wf.Defaults.Run == nil || wf.Defaults.Run.Shell == nil || wf.Defaults.Run.Shell.Value != "bash" {
		t.Errorf("defaults.run.shell is not bash (bash -eo pipefail: a failing command in a pipe fails the step)")
	}
	for _, id := range []string{"plan", "replan", "apply"} {
		if wf.Jobs[id] == nil {
			t.Errorf("no job %s", id)
		}
	}
	if t.Failed() {
		return
	}
	runs := func(id string) string {
		var b strings.Builder
		for _, s := range wf.Jobs[id].Steps {
			if r, ok := s.Exec.(*actionlint.ExecRun); ok && r.Run != nil {
				b.WriteString(r.Run.Value + "\n")
			}
		}
		return b.String()
	}
	uses := func(id, action string) []*actionlint.ExecAction {
		var out []*actionlint.ExecAction
		for _, s := range wf.Jobs[id].Steps {
			if a, ok := s.Exec.(*actionlint.ExecAction); ok && strings.HasPrefix(a.Uses.Value, action+"@") {
				out = append(out, a)
			}
		}
		return out
	}
	// The plan's artefact name carries the PR and its head commit; the
	// merge run looks that name up across runs.
	up := uses("plan", "actions/upload-artifact")
	if len(up) != 1 || up[0].Inputs["name"] == nil ||
		up[0].Inputs["name"].Value.Value != "idstack-plan-pr${{ github.event.pull_request.number }}-${{ github.event.pull_request.head.sha }}" {
		t.Errorf("the plan job does not keep its plan as idstack-plan-pr<N>-<head sha>")
	}
	replan := runs("replan")
	for _, want := range []string{
		`name="idstack-plan-pr$number-$head"`,
		`"$repo/actions/artifacts" -f name="$name"`,
		`gh run download "$run_id"`,
		`jq -S "$CHANGESET" reviewed/plan.json`,
		`diff -u reviewed-changes.json changes.json`,
		`echo "next=$next" >> "$GITHUB_OUTPUT"`,
	} {
		if !strings.Contains(replan, want) {
			t.Errorf("the replan job lacks %q", want)
		}
	}
	apply := wf.Jobs["apply"]
	if apply.Environment == nil || apply.Environment.Name == nil ||
		apply.Environment.Name.Value != "${{ needs.replan.outputs.next == 'apply' && 'production' || 'production-replanned' }}" {
		t.Errorf("the apply job's environment is not production for the reviewed change set and production-replanned otherwise")
	}
	if a := runs("apply"); !strings.Contains(a, "idstack apply --auto-approve --lock-timeout 10m plan.bin") ||
		!strings.Contains(a, `select(.type == "required_reviewers")`) || strings.Contains(a, "go build") {
		t.Errorf("the apply job must check production-replanned's reviewers and apply main's saved plan with the binary that made it")
	}
	// Graphviz: installed, and its absence an error, not DOT text in plan.svg.
	plan := runs("plan")
	for _, want := range []string{"apt-get install -y -qq graphviz", "command -v dot", "idstack graph -f \"$STACK_FILE\" --format svg > plan.svg", "grep -q '<svg' plan.svg"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan job lacks %q", want)
		}
	}
	// The version: a tag, checked out and verified in every job that builds.
	for _, id := range []string{"plan", "replan"} {
		co := uses(id, "actions/checkout")
		ok := false
		for _, c := range co {
			ok = ok || (c.Inputs["repository"] != nil && c.Inputs["repository"].Value.Value == "idstack/idstack" &&
				c.Inputs["ref"] != nil && c.Inputs["ref"].Value.Value == "${{ env.IDSTACK_VERSION }}")
		}
		if !ok || !strings.Contains(runs(id), `"idstack $IDSTACK_VERSION "*) ;;`) {
			t.Errorf("job %s does not build idstack from the tag IDSTACK_VERSION and check it", id)
		}
	}
}

var tag = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)

// TestPinnedVersion: both files install the same tagged idstack.
func TestPinnedVersion(t *testing.T) {
	wf, errs := actionlint.Parse(read(t, githubFile))
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	gh := ""
	if wf.Env != nil && wf.Env.Vars["idstack_version"] != nil {
		gh = wf.Env.Vars["idstack_version"].Value.Value
	}
	gl, _ := loadGitLab(t, read(t, gitlabFile)).variables["IDSTACK_VERSION"].(string)
	if !tag.MatchString(gh) || gh != gl {
		t.Errorf("IDSTACK_VERSION: %q on GitHub, %q on GitLab: want the same tag vX.Y.Z", gh, gl)
	}
}

// TestChangeSetFilter: both files compare plans with the same jq filter,
// and every key it reads is one plan.schema.json defines, so a renamed key
// cannot make two different plans compare equal.
func TestChangeSetFilter(t *testing.T) {
	wf, errs := actionlint.Parse(read(t, githubFile))
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	gh := wf.Env.Vars["changeset"].Value.Value
	v, _ := loadGitLab(t, read(t, gitlabFile)).variables["CHANGESET"].(map[string]any)
	gl, _ := v["value"].(string)
	if v["expand"] != false {
		t.Errorf("GitLab's CHANGESET must have expand: false")
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if norm(gh) != norm(gl) || gh == "" {
		t.Fatalf("the change-set filters differ:\n%s\n%s", gh, gl)
	}
	var schema struct {
		Properties  map[string]json.RawMessage `json:"properties"`
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(read(t, filepath.Join("..", "..", "planner", "plan.schema.json")), &schema); err != nil {
		t.Fatal(err)
	}
	// {destroy: (.destroy // false), actions: ([.actions[] | {…}] | …)}
	m := regexp.MustCompile(`^\{destroy: \(\.destroy // false\), actions: \(\[\.actions\[\] \| \{([^}]*), changes: \[\.changes\[\] \| \{([^}]*)\}\]\}\] \| sort_by\(\.address, \.action\)\)\}$`).FindStringSubmatch(norm(gh))
	if m == nil {
		t.Fatalf("the filter is not of the expected shape: %s", norm(gh))
	}
	for _, k := range []string{"destroy", "actions"} {
		if schema.Properties[k] == nil {
			t.Errorf("plan.schema.json has no %q", k)
		}
	}
	check := func(def, list string, want []string) {
		var keys []string
		for _, k := range strings.Split(list, ",") {
			k = strings.TrimSpace(k)
			keys = append(keys, k)
			if schema.Definitions[def].Properties[k] == nil {
				t.Errorf("the filter reads %s.%s, which plan.schema.json does not define", def, k)
			}
		}
		for _, k := range want {
			if !slices.Contains(keys, k) {
				t.Errorf("the filter leaves out %s.%s: two plans differing there would compare equal", def, k)
			}
		}
	}
	check("action", m[1], []string{"address", "action", "id", "name", "location", "reason", "forget", "deposed"})
	check("change", m[2], []string{"path", "before", "after", "mode"})
}
