package planner_test

import (
	"strings"
	"testing"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// TestErrorInAResourceLeavesItsDependentsAlone: a resource whose values
// are wrong (an OS version the catalogue does not have) is an error in
// the plan, and nothing else: the disk, floating IP and load balancer that
// refer to it still see the live VM the state owns, so they show no
// change ("(known after apply)") because of it.
func TestErrorInAResourceLeavesItsDependentsAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		edit    [][2]string
		actions []string
	}{
		{"an error alone", [][2]string{{`os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
  api`, `os_version: "99.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
  api`}}, nil},
		{"an error and a real change", [][2]string{{`os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
  api`, `os_version: "99.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
  api`}, {"name: ip-a", "name: ip-b"}}, []string{"floating_ips.ip update"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := allKinds
			for _, e := range tc.edit {
				if !strings.Contains(src, e[0]) {
					t.Fatalf("edit %q does not apply", e[0])
				}
				src = strings.Replace(src, e[0], e[1], 1)
			}
			stack, diags := spec.LoadBytes("stack.yaml", []byte(src), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
			if diags.HasErrors() {
				t.Fatalf("stack: %v", diags)
			}
			for _, r := range stack.Resources {
				if r.Location == "" && r.Addr.Kind != idcloudhost.Buckets {
					r.Location = "jkt01"
				}
			}
			live, st := allKindsWorld()
			plan := planner.Build(stack, st, live, planner.Options{})
			if len(plan.Errors) != 1 || !strings.Contains(plan.Errors[0].Summary, "vms.web") {
				t.Errorf("want one error, at vms.web: %+v", plan.Errors)
			}
			var got []string
			for _, a := range plan.Actions {
				got = append(got, a.Address+" "+string(a.Action))
			}
			if strings.Join(got, ",") != strings.Join(tc.actions, ",") {
				t.Errorf("actions %v, want %v: %+v", got, tc.actions, plan.Actions)
			}
		})
	}
}
