package planner_test

import (
	"encoding/json"
	"github.com/idstack/idstack/provider/idcloudhost"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
	"github.com/idstack/idstack/spec"
)

const allKinds = `stack: t
location: jkt01
networks:
  app: {name: net-a}
  b: {name: net-b}
vms:
  web: {name: vm-web, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
  api: {name: vm-api, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy}
disks:
  data:
    size: 50
    source: {type: EMPTY}
    attach_to: web
floating_ips:
  ip: {name: ip-a, assign_to: web}
load_balancers:
  front:
    name: lb-a
    network: app
    rules: [{source_port: 80, target_port: 8080}, {source_port: 443, target_port: 8443}]
    targets: [web]
buckets:
  assets: {name: assets-a}
`

// allKindsWorld is allKinds applied.
func allKindsWorld() (*planner.Live, *state.State) {
	vm := func(id, name string) provider.Object {
		return provider.Object{Kind: idcloudhost.VMs, Location: "jkt01", ID: id, Name: name, Status: "running", Attrs: provider.Attrs{
			"name": name, "description": "", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
			"backup": false, "billing_account": 129072, "power": "running", "pool": "p1", "username": "deploy", "network": "n1",
		}}
	}
	net := func(id, name string, def bool) provider.Object {
		return provider.Object{Kind: idcloudhost.Networks, Location: "jkt01", ID: id, Name: name, Attrs: provider.Attrs{"name": name, "is_default": def}}
	}
	live := &planner.Live{Provider: idcloudhost.Description(),
		DefaultLocation: "jkt01",
		Prices:          idcloudhost.PricesOf(sim.PricingPolicy()), // the document's prices
		Objects: map[planner.Scope][]provider.Object{
			{Kind: idcloudhost.VMs, Location: "jkt01"}:      {vm("v1", "vm-web"), vm("v2", "vm-api")},
			{Kind: idcloudhost.Networks, Location: "jkt01"}: {net("n0", "Default network", true), net("n1", "net-a", false), net("n2", "net-b", false)},
			{Kind: idcloudhost.Disks, Location: "jkt01"}: {{Kind: idcloudhost.Disks, Location: "jkt01", ID: "d1", Attrs: provider.Attrs{
				"size": 50, "billing_account": 129072, "attached_to": "v1", "source_type": "EMPTY"}}},
			{Kind: idcloudhost.FloatingIPs, Location: "jkt01"}: {{Kind: idcloudhost.FloatingIPs, Location: "jkt01", ID: "1.1.1.1", Name: "ip-a", Attrs: provider.Attrs{
				"name": "ip-a", "billing_account": 129072, "assigned_to": "v1", "address": "1.1.1.1"}}},
			{Kind: idcloudhost.LoadBalancers, Location: "jkt01"}: {{Kind: idcloudhost.LoadBalancers, Location: "jkt01", ID: "lb1", Name: "lb-a", Attrs: provider.Attrs{
				"name": "lb-a", "billing_account": 129072, "network": "n1", "targets": []any{"v1"},
				"rules": []any{map[string]any{"source_port": 80, "target_port": 8080, "uuid": "r1"}, map[string]any{"source_port": 443, "target_port": 8443, "uuid": "r2"}}}}},
			{Kind: idcloudhost.Buckets}: {{Kind: idcloudhost.Buckets, ID: "assets-a", Name: "assets-a", Attrs: provider.Attrs{"name": "assets-a", "billing_account": 129072}}},
		},
		Catalogs: map[string]any{"jkt01": &idcloudhost.Catalog{
			Location: "jkt01",
			Pools:    []idcloudhost.Pool{{UUID: "p1", Name: "General", Default: true}},
			Images:   []idcloudhost.Image{{OSName: "ubuntu", Versions: []string{"22.04"}}},
		}},
	}
	live.Catalogs["jkt02"] = live.Catalogs["jkt01"]
	st := state.New("t")
	put := func(addr, id, loc, name string, deps []string, inputs map[string]any) {
		kind, _, _ := strings.Cut(addr, ".")
		st.Put(&state.Resource{Address: addr, Kind: kind, ID: id, Location: loc, Name: name, DependsOn: deps, Inputs: inputs})
	}
	put("networks.app", "n1", "jkt01", "net-a", nil, nil)
	put("networks.b", "n2", "jkt01", "net-b", nil, nil)
	put("vms.web", "v1", "jkt01", "vm-web", []string{"networks.app"}, map[string]any{"reserve_public_ip": false})
	put("vms.api", "v2", "jkt01", "vm-api", []string{"networks.app"}, map[string]any{"reserve_public_ip": false})
	put("disks.data", "d1", "jkt01", "", []string{"vms.web"}, map[string]any{"source": map[string]any{"type": "EMPTY"}})
	put("floating_ips.ip", "1.1.1.1", "jkt01", "ip-a", []string{"vms.web"}, nil)
	put("load_balancers.front", "lb1", "jkt01", "lb-a", []string{"networks.app", "vms.web"}, map[string]any{"reserve_public_ip": false})
	put("buckets.assets", "assets-a", "", "assets-a", nil, nil)
	return live, st
}

// TestPlanRowsOtherKinds: a golden plan per row of SPEC §2 for disks,
// floating IPs, load balancers and buckets, and for references across
// kinds. Regenerate with `go test ./planner -update`.
func TestPlanRowsOtherKinds(t *testing.T) {
	cases := []struct {
		name    string
		edit    [][2]string
		opts    planner.Options
		actions int
	}{
		{name: "all_no_changes"},
		{name: "disk_attach_move", edit: [][2]string{{"attach_to: web", "attach_to: api"}}, actions: 1},
		{name: "disk_detach", edit: [][2]string{{"    attach_to: web\n", ""}}, actions: 1},
		{name: "disk_billing", edit: [][2]string{{"size: 50", "size: 50\n    billing_account: 129073"}}, actions: 1},
		{name: "disk_grow", edit: [][2]string{{"size: 50", "size: 60"}}, actions: 1},
		{name: "disk_shrink_refused", edit: [][2]string{{"size: 50", "size: 40"}}},
		{name: "disk_source_replace", edit: [][2]string{{"{type: EMPTY}", "{type: OS_BASE, image: ubuntu_20.04}"}}, actions: 1},
		{name: "disk_location_replace", edit: [][2]string{{"size: 50", "size: 50\n    location: jkt02"}, {"attach_to: web", ""}}, actions: 1},
		{name: "fip_rename", edit: [][2]string{{"name: ip-a", "name: ip-b"}}, actions: 1},
		{name: "fip_assign_move", edit: [][2]string{{"assign_to: web", "assign_to: api"}}, actions: 1},
		{name: "fip_unassign", edit: [][2]string{{"name: ip-a, assign_to: web", "name: ip-a"}}, actions: 1},
		{name: "fip_billing", edit: [][2]string{{"name: ip-a,", "name: ip-a, billing_account: 129073,"}}, actions: 1},
		{name: "fip_location_replace", edit: [][2]string{{"name: ip-a, assign_to: web", "name: ip-a, location: jkt02"}}, actions: 1},
		{name: "lb_rename", edit: [][2]string{{"name: lb-a", "name: lb-b"}}, actions: 1},
		{name: "lb_billing", edit: [][2]string{{"name: lb-a", "name: lb-a\n    billing_account: 129073"}}, actions: 1},
		{name: "lb_rule_change", edit: [][2]string{{"target_port: 8443", "target_port: 9443"}}, actions: 1},
		{name: "lb_target_add", edit: [][2]string{{"targets: [web]", "targets: [web, api]"}}, actions: 1},
		{name: "lb_network_replace", edit: [][2]string{{"network: app\n    rules", "network: b\n    rules"}}, actions: 1},
		{name: "lb_reserve_ip_replace", edit: [][2]string{{"name: lb-a", "name: lb-a\n    reserve_public_ip: true"}}, actions: 1},
		{name: "bucket_billing", edit: [][2]string{{"name: assets-a", "name: assets-a, billing_account: 129073"}}, actions: 1},
		{name: "bucket_rename_replace", edit: [][2]string{{"name: assets-a", "name: assets-b"}}, actions: 1},
		{name: "vm_replace_moves_dependents", edit: [][2]string{{"disk: 20, network: app, username: deploy}\n  api", "disk: 20, network: b, username: deploy}\n  api"}}, actions: 4},
		{name: "destroy_order", opts: planner.Options{Destroy: true}, actions: 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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
			plan := planner.Build(stack, st, live, tc.opts)
			if len(plan.Actions) != tc.actions {
				t.Errorf("%d actions, want %d: %+v", len(plan.Actions), tc.actions, plan.Actions)
			}
			sameJSON(t, plan)
			got, err := json.MarshalIndent(plan, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("..", "testdata", "planner", tc.name+".json"), append(got, '\n'))
		})
	}
}
