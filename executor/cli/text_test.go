package cli

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/idstack/idstack/planner"
)

// TestTextGolden: the text plan, with colour and without, of a plan with
// every kind of line (golden files under testdata/text, -update).
func TestTextGolden(t *testing.T) {
	t.Parallel()
	change, grow := 7.665, -3.65
	plan := &planner.Plan{FormatVersion: planner.FormatVersion, Stack: "every-line",
		Summary: planner.Summary{Create: 2, Update: 1, Replace: 1, Delete: 1, Stop: 1},
		Names:   map[string]string{"net-uuid": "networks.app"},
		Labels:  map[string]string{"pool-uuid": "General (default)"},
		Actions: []*planner.Action{
			{Address: "networks.app", Kind: "networks", Action: planner.Create, Location: "jkt01", DependsOn: []string{},
				Changes: []planner.Change{{Path: "name", After: "app <net> & \"more\""}}, Notes: []string{}},
			{Address: "vms.web", Kind: "vms", Action: planner.Create, Location: "jkt01", DependsOn: []string{"networks.app", "disks.x"},
				Changes: []planner.Change{{Path: "name", After: "web"}, {Path: "ram", After: 1024}, {Path: "backup", After: false},
					{Path: "network", After: planner.KnownAfter}, {Path: "password", After: planner.Sensitive}, {Path: "pool", After: "pool-uuid"},
					{Path: "cloud_init", After: map[string]any{"runcmd": []any{"echo 1 && echo 2 > /tmp/x"}}}, {Path: "price", After: 0.0105}},
				Notes: []string{"the VM gets a public IP"},
				Cost:  &planner.ResourceCost{After: &planner.Amount{Hourly: 0.0105, Monthly: 7.665}, MonthlyChange: &change}},
			{Address: "vms.db", Kind: "vms", Action: planner.Replace, Location: "jkt02", ID: "vm-1", Reason: "network can only be set at creation",
				DependsOn: []string{"networks.app"},
				Changes: []planner.Change{{Path: "network", Before: "net-uuid", After: planner.KnownAfter, Mode: "replace"},
					{Path: "ram", Before: 1024.0, After: 2048, Mode: "restart"}},
				Notes: []string{"the new VM is created first"}},
			{Address: "vms.api", Kind: "vms", Action: planner.Stop, Location: "jkt01", ID: "vm-2", DependsOn: []string{},
				Changes: []planner.Change{{Path: "power", Before: "running", After: "stopped", Mode: "in-place"}}, Notes: []string{}},
			{Address: "disks.old", Kind: "disks", Action: planner.Delete, Location: "", ID: "disk-9", Deposed: true, DependsOn: []string{"vms.db"},
				Changes: []planner.Change{}, Notes: []string{"old disk disk-9 left from an earlier replacement"},
				Cost: &planner.ResourceCost{Before: &planner.Amount{Hourly: 0.005, Monthly: 3.65}, MonthlyChange: &grow}},
			{Address: "floating_ips.ip", Kind: "floating_ips", Action: planner.Update, Location: "sgp01", ID: "ip-1", DependsOn: []string{},
				Changes: []planner.Change{{Path: "assign_to", Before: nil, After: []any{"net-uuid", "x"}, Mode: "in-place"}}, Notes: []string{},
				Cost: &planner.ResourceCost{NotPriced: "not priced by the API"}},
		},
		Cautions: []planner.Problem{{Summary: "vms.db would be replaced", Detail: "it is a dependency of a target"}},
		Warnings: []planner.Problem{{Summary: "a warning", Detail: "its detail"}},
	}
	for _, colour := range []bool{false, true} {
		name := "plain"
		if colour {
			name = "colour"
		}
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			renderText(&b, plan, colour, wouldDo)
			checkGolden(t, filepath.Join("..", "..", "testdata", "text", name+".txt"), b.Bytes())
		})
	}
}
