package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
)

// A list of keyed items changes item by item; an item that changes in one
// key only reads as one modified item.
func TestListChangesPairsAnItemChangedInOneKey(t *testing.T) {
	t.Parallel()
	rule := func(s, tp float64) map[string]any { return map[string]any{"source_port": s, "target_port": tp} }
	keys := []string{"source_port", "target_port"}
	for _, c := range []struct {
		name          string
		before, after []any
		want          []Change
	}{
		{"target port", []any{rule(80, 8080), rule(443, 8443)}, []any{rule(80, 8081), rule(443, 8443)},
			[]Change{{Path: "rules", Before: rule(80, 8080), After: rule(80, 8081), Mode: "in-place"}}},
		{"source port", []any{rule(80, 8080)}, []any{rule(81, 8080)},
			[]Change{{Path: "rules", Before: rule(80, 8080), After: rule(81, 8080), Mode: "in-place"}}},
		{"both ports: a removal and an addition", []any{rule(80, 8080)}, []any{rule(81, 8081)},
			[]Change{{Path: "rules", Before: rule(80, 8080), Mode: "in-place"}, {Path: "rules", After: rule(81, 8081), Mode: "in-place"}}},
		{"one added, one modified", []any{rule(80, 8080)}, []any{rule(80, 8081), rule(443, 8443)},
			[]Change{{Path: "rules", Before: rule(80, 8080), After: rule(80, 8081), Mode: "in-place"}, {Path: "rules", After: rule(443, 8443), Mode: "in-place"}}},
		{"two removed for one", []any{rule(80, 8080), rule(80, 9090)}, []any{rule(80, 8081)},
			[]Change{{Path: "rules", Before: rule(80, 8080), After: rule(80, 8081), Mode: "in-place"}, {Path: "rules", Before: rule(80, 9090), Mode: "in-place"}}},
	} {
		got := listChanges("rules", c.before, c.after, keys, provider.InPlace)
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}
