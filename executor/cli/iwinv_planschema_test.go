package cli_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/idstack/idstack/planner"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// TestIwinvPlanJSONMatchesItsSchema: the schema is every provider's, not
// idcloudhost's: the iwinv example's plan (instances, a volume, a
// firewall), created and then changed, validates too.
func TestIwinvPlanJSONMatchesItsSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("plan.schema.json", bytes.NewReader(planner.PlanSchema())); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newIwinvEnv(t, iwinvsim.Options{})
	f := iwinvExample(t, e)
	check := func(when string) {
		out := e.mustRun(0, "plan", "-f", f, "--format", "json")
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("iwinv plan (%s) does not match plan.schema.json: %#v\n%s", when, err, out)
		}
	}
	check("from nothing")
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	e.editFile(f, `port: "22", source: 203.0.113.0/24`, `port: "2222", source: 203.0.113.0/24`)
	check("a firewall rule changed")
}
