package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/idstack/idstack/planner"
)

func compilePlanSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("plan.schema.json", bytes.NewReader(planner.PlanSchema())); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestPlanJSONMatchesItsSchema: the plan JSON that `plan --format json`
// prints, for the six-kind example created and for a replacement with a
// delete, validates against planner/plan.schema.json, whose format_version
// is the one the planner writes.
func TestPlanJSONMatchesItsSchema(t *testing.T) {
	t.Parallel()
	sch := compilePlanSchema(t)
	var s struct {
		Properties map[string]struct {
			Const string `json:"const"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(planner.PlanSchema(), &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Properties["format_version"].Const; got != planner.FormatVersion {
		t.Fatalf("schema's format_version %q, planner writes %q", got, planner.FormatVersion)
	}

	r := newSimRun(t)
	shop := r.write("shop.yaml", readExample(t, "shop.yaml"))
	other := r.write("idstack.yaml", replaceDelete)
	r.mustRun(0, "apply", "-f", other, "--auto-approve")
	second := r.write("second.yaml", strings.Replace(replaceDelete, "buckets:\n  logs: {name: md-logs-91c2}\n", "", 1))
	for _, args := range [][]string{
		{"-f", shop},
		{"-f", shop, "--destroy"},
		{"-f", second, "--var", "net=other"},
	} {
		out := r.mustRun(0, append([]string{"plan", "--format", "json"}, args...)...)
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("plan %v does not match plan.schema.json: %#v\n%s", args, err, out)
		}
	}
}

// TestPlanGoldensMatchTheSchema: every golden plan of the planner's
// tests (testdata/planner, with their cost figures) is valid.
func TestPlanGoldensMatchTheSchema(t *testing.T) {
	t.Parallel()
	sch := compilePlanSchema(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "planner", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden plans: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s does not match plan.schema.json: %v", f, err)
		}
	}
}

// TestPlanSchemaRejects: the schema is not a blank cheque.
func TestPlanSchemaRejects(t *testing.T) {
	t.Parallel()
	sch := compilePlanSchema(t)
	valid := `{"format_version": "1", "stack": "s", "summary": {"create": 1, "update": 0, "replace": 0, "reinstall": 0, "delete": 0, "adopt": 0},
	 "actions": [{"address": "networks.app", "kind": "networks", "action": "create", "location": "jkt01", "depends_on": [],
	              "changes": [{"path": "name", "before": null, "after": "n"}], "notes": []}]}`
	tests := []struct{ name, from, to string }{
		{"valid", "", ""},
		{"another format version", `"format_version": "1"`, `"format_version": "2"`},
		{"unknown action", `"action": "create"`, `"action": "explode"`},
		{"no summary", `"summary": {"create": 1, "update": 0, "replace": 0, "reinstall": 0, "delete": 0, "adopt": 0},`, ``},
		{"bad address", `"address": "networks.app"`, `"address": "app"`},
		{"change without after", `, "after": "n"`, ``},
		{"negative count", `"create": 1`, `"create": -1`},
		{"valid cost", `"actions":`, `"cost": {"hours_per_month": 730, "before": {"hourly": 0, "monthly": 0}, "after": {"hourly": 0.0105, "monthly": 7.665}, "monthly_change": 7.665}, "actions":`},
		{"valid cost error", `"actions":`, `"cost": {"error": "the price list could not be read: 403"}, "actions":`},
		{"cost with an error and totals", `"actions":`, `"cost": {"hours_per_month": 730, "before": {"hourly": 0, "monthly": 0}, "after": {"hourly": 0, "monthly": 0}, "monthly_change": 0, "error": "x"}, "actions":`},
		{"cost without totals", `"actions":`, `"cost": {"hours_per_month": 730}, "actions":`},
		{"another month", `"actions":`, `"cost": {"hours_per_month": 720, "before": {"hourly": 0, "monthly": 0}, "after": {"hourly": 0, "monthly": 0}, "monthly_change": 0}, "actions":`},
		{"an amount without its month", `"notes": []`, `"notes": [], "cost": {"after": {"hourly": 0.0105}}`},
		{"a negative amount", `"notes": []`, `"notes": [], "cost": {"after": {"hourly": -1, "monthly": -730}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(strings.Replace(valid, tt.from, tt.to, 1)), &doc); err != nil {
				t.Fatal(err)
			}
			err := sch.Validate(doc)
			if (err == nil) != (tt.from == "" || strings.HasPrefix(tt.name, "valid")) {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}
