package planner

import _ "embed"

//go:embed plan.schema.json
var planSchema []byte

// PlanSchema is the JSON Schema (draft-07) of the plan JSON of SPEC §6,
// published as planner/plan.schema.json. Its format_version is
// FormatVersion.
func PlanSchema() []byte { return append([]byte(nil), planSchema...) }
