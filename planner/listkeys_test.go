package planner_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv"
	"github.com/idstack/idstack/spec"
)

// TestListItemsShowOnlyTheirKeys: a list compared by its items' keys (a
// firewall's rules) shows each removed or added item with the keys it
// has: a rule written without a description is shown without one, never
// with "description": null.
func TestListItemsShowOnlyTheirKeys(t *testing.T) {
	t.Parallel()
	rule := func(port, desc string) map[string]any {
		m := map[string]any{"direction": "in", "protocol": "tcp", "port": port, "source": "0.0.0.0/0"}
		if desc != "" {
			m["description"] = desc
		}
		return m
	}
	tests := []struct {
		name        string
		file        string // the rules as the file writes them
		live        []any
		wantChanges []planner.Change
	}{
		{"an added rule without a description",
			`[{direction: in, protocol: tcp, port: "22", source: 0.0.0.0/0, description: ssh}, {direction: in, protocol: tcp, port: "80", source: 0.0.0.0/0}]`,
			[]any{rule("22", "ssh")},
			[]planner.Change{{Path: "rules", After: rule("80", "")}}},
		{"a removed rule without a description",
			`[{direction: in, protocol: tcp, port: "22", source: 0.0.0.0/0, description: ssh}]`,
			[]any{rule("22", "ssh"), rule("80", "")},
			[]planner.Change{{Path: "rules", Before: rule("80", "")}}},
		{"a changed port: one removed, one added, each with its own keys",
			`[{direction: in, protocol: tcp, port: "8080", source: 0.0.0.0/0}]`,
			[]any{rule("80", "http")},
			[]planner.Change{{Path: "rules", Before: rule("80", "http")}, {Path: "rules", After: rule("8080", "")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "provider: iwinv\nstack: t\nfirewalls:\n  web:\n    name: web\n    rules: " + tt.file + "\n"
			stack, diags := spec.LoadBytes("stack.yaml", []byte(src), spec.Options{Providers: map[string]*provider.Description{iwinv.Name: iwinv.Description()}, DefaultProvider: iwinv.Name})
			if diags.HasErrors() {
				t.Fatalf("stack: %v", diags)
			}
			live := &planner.Live{Provider: iwinv.Description(), DefaultLocation: "KR1-Z01", Objects: map[planner.Scope][]provider.Object{
				{Kind: iwinv.Firewalls}: {{Kind: iwinv.Firewalls, ID: "FIREWALL-1", Name: "web", Attrs: provider.Attrs{
					"name": "web", "description": "", "icmp": false, "rules": tt.live, "attach_to": []any{}}}},
			}}
			st := state.New("t")
			st.Put(&state.Resource{Address: "firewalls.web", Kind: "firewalls", ID: "FIREWALL-1", Name: "web"})
			plan := planner.Build(stack, st, live, planner.Options{})
			if len(plan.Errors) > 0 || len(plan.Actions) != 1 {
				t.Fatalf("want one action and no error: %+v %v", plan.Actions, plan.Errors)
			}
			var got []planner.Change
			for _, c := range plan.Actions[0].Changes {
				got = append(got, planner.Change{Path: c.Path, Before: c.Before, After: c.After})
			}
			if d := cmp.Diff(tt.wantChanges, got); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
		})
	}
}
