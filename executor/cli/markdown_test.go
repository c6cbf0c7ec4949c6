package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/markdown and testdata/text")

// checkGolden compares got with a golden file, rewritten by -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./executor/cli -run Golden -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", golden, d)
	}
}

// simRun is a simulator over real HTTP and a stack directory, for tests of
// this package that need a real plan.
type simRun struct {
	t   *testing.T
	sim *sim.Server
	url string
	dir string
}

func newSimRun(t *testing.T) *simRun {
	t.Helper()
	s := sim.New(sim.Options{Seed: 1, ReadyAfter: 20 * time.Millisecond})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &simRun{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
}

func (r *simRun) write(name, content string) string {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// run runs idstack in-process against the simulator.
func (r *simRun) run(args ...string) (int, string, string) {
	r.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--endpoint", r.url, "--api-key", "test-key"}, args...)
	code := Main(full, IO{In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }})
	return code, out.String(), errb.String()
}

func (r *simRun) mustRun(want int, args ...string) string {
	r.t.Helper()
	code, out, errs := r.run(args...)
	if code != want {
		r.t.Fatalf("idstack %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	return out
}

// jsonPlan runs plan --format json and decodes it.
func (r *simRun) jsonPlan(args ...string) *planner.Plan {
	r.t.Helper()
	code, out, errs := r.run(append([]string{"plan", "--format", "json"}, args...)...)
	if code != 0 {
		r.t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		r.t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	return &p
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceDelete is a stack whose second version replaces a VM (its network
// changes) and deletes a bucket.
const replaceDelete = `stack: md
location: jkt01
vars:
  net: {type: string, default: app}
  with_bucket: {type: string, default: "yes"}
networks:
  app: {name: md-app}
  other: {name: md-other}
vms:
  web:
    name: md-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: ${var.net}
    username: deploy
    password: Md-Passw0rd-1
buckets:
  logs: {name: md-logs-91c2}
`

func TestMarkdownGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plan func(t *testing.T) *planner.Plan
	}{
		{"shop_create", func(t *testing.T) *planner.Plan {
			r := newSimRun(t)
			f := r.write("shop.yaml", readExample(t, "shop.yaml"))
			return r.jsonPlan("-f", f)
		}},
		{"replace_and_delete", func(t *testing.T) *planner.Plan {
			r := newSimRun(t)
			f := r.write("idstack.yaml", replaceDelete)
			// One at a time: the simulator's uuids then come in plan order.
			r.mustRun(0, "apply", "-f", f, "--auto-approve", "--parallelism", "1")
			second := strings.Replace(replaceDelete, "buckets:\n  logs: {name: md-logs-91c2}\n", "", 1)
			f = r.write("idstack.yaml", second)
			return r.jsonPlan("-f", f, "--var", "net=other")
		}},
		{"no_changes", func(t *testing.T) *planner.Plan {
			return &planner.Plan{FormatVersion: planner.FormatVersion, Stack: "quiet", Actions: []*planner.Action{}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := renderMarkdown(&b, tt.plan(t), markdownOptions{}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("..", "..", "testdata", "markdown", tt.name+".md"), b.Bytes())
		})
	}
}

// TestMarkdownDestructiveFirst checks the order and loudness rules on a
// hand-made plan: destructive actions and data-loss notes are listed in
// the caution block and their details come first.
func TestMarkdownDestructiveFirst(t *testing.T) {
	t.Parallel()
	plan := &planner.Plan{Stack: "s", Actions: []*planner.Action{
		{Address: "networks.a", Kind: "networks", Action: planner.Create, Location: "jkt01", Changes: []planner.Change{{Path: "name", After: "a"}}},
		{Address: "vms.db", Kind: "vms", Action: planner.Reinstall, Location: "jkt01", ID: "u-1", Reason: "os_version changes",
			Notes: []string{"reinstall wipes the boot disk: data on it is lost"}},
		{Address: "vms.web", Kind: "vms", Action: planner.Update, Location: "jkt01", ID: "u-2",
			Changes: []planner.Change{{Path: "password", Before: planner.Sensitive, After: planner.Sensitive}, {Path: "vcpu", Before: 1, After: 2, Mode: "restart"}}},
		{Address: "buckets.b", Kind: "buckets", Action: planner.Delete, ID: "b-1"},
	}}
	plan.Summary = planner.Summary{Create: 1, Reinstall: 1, Update: 1, Delete: 1}
	var b bytes.Buffer
	if err := renderMarkdown(&b, plan, markdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	caution := strings.Index(out, "[!CAUTION]")
	first := strings.Index(out, "<details>")
	if caution < 0 || first < caution {
		t.Fatalf("want the caution block before every detail:\n%s", out)
	}
	for _, want := range []string{"**reinstall** `vms.db`", "**delete** `buckets.b`", "data on it is lost"} {
		if i := strings.Index(out, want); i < caution || i > first {
			t.Errorf("%q is not in the caution block:\n%s", want, out)
		}
	}
	order := []string{"<code>!~ vms.db</code>", "<code>- buckets.b</code>", "<code>+ networks.a</code>", "<code>~ vms.web</code>"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i <= last {
			t.Fatalf("details out of order (want %q after the previous one):\n%s", s, out)
		}
		last = i
	}
	if strings.Contains(out, "vms.web</code> update") && !strings.Contains(out, "| `password` | <code>(sensitive)</code> | <code>(sensitive)</code> |") {
		t.Errorf("password change not masked:\n%s", out)
	}
}

// TestMarkdownSecretsStayMasked: a change with a secret on one side shows
// the marker on both sides, never the other value.
func TestMarkdownSecretsStayMasked(t *testing.T) {
	t.Parallel()
	plan := &planner.Plan{Stack: "s", Summary: planner.Summary{Update: 1}, Actions: []*planner.Action{
		{Address: "vms.web", Kind: "vms", Action: planner.Update, ID: "u",
			Changes: []planner.Change{{Path: "password", Before: "old-Secret-1", After: planner.Sensitive}}},
	}}
	var b bytes.Buffer
	if err := renderMarkdown(&b, plan, markdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "old-Secret-1") {
		t.Fatalf("a secret leaked:\n%s", b.String())
	}
}

// TestMarkdownEscapes: values cannot break the table or inject HTML.
func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	plan := &planner.Plan{Stack: "s", Summary: planner.Summary{Update: 1}, Actions: []*planner.Action{
		{Address: "vms.web", Kind: "vms", Action: planner.Update, ID: "u",
			Changes: []planner.Change{{Path: "description", Before: "a|b", After: "<script>x</script>\nline2"}}},
	}}
	var b bytes.Buffer
	if err := renderMarkdown(&b, plan, markdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "| `description` | <code>\"a&#124;b\"</code> | <code>\"&lt;script&gt;x&lt;/script&gt;\\nline2\"</code> |  |\n"
	if !strings.Contains(out, want) {
		t.Fatalf("want the row\n%s\nin:\n%s", want, out)
	}
}

// hugePlan has n actions: a third deletions, the rest creations with
// long values.
func hugePlan(n int) *planner.Plan {
	p := &planner.Plan{FormatVersion: planner.FormatVersion, Stack: "huge"}
	for i := range n {
		a := &planner.Action{Address: fmt.Sprintf("vms.web-%04d", i), Kind: "vms", Action: planner.Create, Location: "jkt01",
			Changes: []planner.Change{
				{Path: "name", After: fmt.Sprintf("huge-web-%04d", i)},
				{Path: "cloud_init", After: strings.Repeat("runcmd: [echo hello] ", 30)},
				{Path: "password", After: planner.Sensitive},
			},
			DependsOn: []string{"networks.app"}, Notes: []string{}}
		if i%3 == 0 {
			a.Action, a.ID, a.Changes = planner.Delete, fmt.Sprintf("uuid-%04d", i), nil
			p.Summary.Delete++
		} else {
			p.Summary.Create++
		}
		p.Actions = append(p.Actions, a)
	}
	return p
}

func TestMarkdownHugePlanFitsAComment(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 30, 300, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b bytes.Buffer
			if err := renderMarkdown(&b, hugePlan(n), markdownOptions{}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if got := utf8.RuneCountInString(out); got >= MarkdownLimit {
				t.Fatalf("%d characters, want fewer than %d", got, MarkdownLimit)
			}
			shown := strings.Count(out, "<details>")
			if shown == 0 {
				t.Fatalf("no details at all")
			}
			if cut := n - shown; cut > 0 {
				note := fmt.Sprintf("The details of %d of %d resources (", cut, n)
				if !strings.Contains(out, note) || !strings.Contains(out, "idstack show PLAN") {
					t.Fatalf("%d details cut but no note %q naming where the full plan is; the end:\n%s", cut, note, out[len(out)-600:])
				}
			} else if strings.Contains(out, "were cut") {
				t.Fatalf("nothing cut but a note says so")
			}
			if n == 3000 && !strings.Contains(out, "### idstack plan for `huge`: 2000 to create, 1000 to delete :warning: destructive\n") {
				t.Errorf("summary line missing: %s", out[:200])
			}
			cutDeletes := (n+2)/3 - strings.Count(out, "<details><summary><code>- ")
			if n == 3000 && !strings.Contains(out, fmt.Sprintf("resources (%d delete, 2000 create) were cut to keep this comment under 65,000 characters", cutDeletes)) {
				t.Errorf("the note should say what was cut:\n%s", out[len(out)-400:])
			}
			if n == 3000 && !strings.Contains(out, "more (the full plan: the CI job's log") {
				t.Errorf("the caution block should end with how many more destructive actions there are")
			}
		})
	}
}

// TestMarkdownShopCostInSummary: the PR comment of examples/shop.yaml has
// the cost in its one-line summary and fits one comment. Its figures, by
// the document's prices: web-1 and web-2 (1 vCPU, 1024 MiB, 20 GiB) 0.0105
// an hour each; db (2 vCPU, 4096 MiB, 40 GiB, backup) 0.01042 + 0.01316 +
// 0.004 + 0.001368 = 0.028948; the 50 GiB disk 0.005; the new bucket 0
// (usage-based): 0.054948 an hour, × 730 = 40.11 a month. The floating
// IP and the load balancer are not priced by the API.
func TestMarkdownShopCostInSummary(t *testing.T) {
	t.Parallel()
	r := newSimRun(t)
	f := r.write("shop.yaml", readExample(t, "shop.yaml"))
	out := r.mustRun(0, "plan", "-f", f, "--format", "markdown")
	lines := strings.Split(out, "\n")
	if want := "### idstack plan for `shop-staging`: 8 to create · cost 0.00 → 40.11 per month (+40.11)"; len(lines) < 2 || lines[1] != want {
		t.Errorf("summary line:\n%s\nwant:\n%s", lines[1], want)
	}
	for _, want := range []string{"at 730 hours a month, in the account's billing currency", "Not in the totals (no price): `floating_ips.db-admin`, `load_balancers.front`",
		"- cost: not priced by the API", "- cost: 0.00 → 21.13 per month (+21.13)", "usage-based: 0 until it stores data"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if n := utf8.RuneCountInString(out); n >= MarkdownLimit {
		t.Errorf("%d characters: more than one comment", n)
	}
}

// TestMarkdownHugePlanWithCostFitsAComment: the cost lines (the summary's,
// the note's capped lists of addresses, each resource's) stay within the
// size budget of one comment.
func TestMarkdownHugePlanWithCostFitsAComment(t *testing.T) {
	t.Parallel()
	p := hugePlan(3000)
	before, after, change := planner.Amount{Hourly: 1, Monthly: 730}, planner.Amount{Hourly: 2, Monthly: 1460}, 730.0
	p.Cost = &planner.Cost{HoursPerMonth: planner.HoursPerMonth, Before: &before, After: &after, MonthlyChange: &change}
	one := 7.665
	for i, a := range p.Actions {
		a.Cost = &planner.ResourceCost{After: &planner.Amount{Hourly: 0.0105, Monthly: 7.665}, MonthlyChange: &one}
		if i%2 == 0 {
			a.Cost = &planner.ResourceCost{NotPriced: "not priced by the API"}
			p.Cost.NotPriced = append(p.Cost.NotPriced, a.Address)
		}
	}
	var b bytes.Buffer
	if err := renderMarkdown(&b, p, markdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := utf8.RuneCountInString(out); n >= MarkdownLimit {
		t.Fatalf("%d characters, want fewer than %d", n, MarkdownLimit)
	}
	if !strings.Contains(out, "### idstack plan for `huge`: 2000 to create, 1000 to delete :warning: destructive · cost 730.00 → 1460.00 per month (+730.00)\n") {
		t.Errorf("summary line: %s", out[:300])
	}
	if !strings.Contains(out, "and 1490 more.") || !strings.Contains(out, "were cut to keep this comment under 65,000 characters") {
		t.Errorf("the list of unpriced addresses should be capped, the details cut: %s", out[:1200])
	}
}
