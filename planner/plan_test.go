package planner_test

import (
	"encoding/json"
	"flag"
	"github.com/idstack/idstack/provider/idcloudhost"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
	"github.com/idstack/idstack/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/planner")

const baseStack = `stack: t
location: jkt01
networks:
  app: {name: net-a}
  b: {name: net-b}
vms:
  web:
    name: vm-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 2
    ram: 2048
    disk: 20
    network: app
    username: deploy
    password: Passw0rd-1
    pool: General
    cloud_init: {runcmd: [a]}
`

// world is the live account and the state the cases start from: the base
// stack, applied.
func world() (*planner.Live, *state.State) {
	vm := provider.Object{Kind: idcloudhost.VMs, Location: "jkt01", ID: "v1", Name: "vm-web", Status: "running", Attrs: provider.Attrs{
		"name": "vm-web", "description": "", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 2, "ram": 2048, "disk": 20,
		"backup": false, "billing_account": 129072, "power": "running", "pool": "p1", "username": "deploy", "network": "n1",
		"private_ipv4": "10.0.0.2",
	}}
	net := func(id, name string, def bool) provider.Object {
		return provider.Object{Kind: idcloudhost.Networks, Location: "jkt01", ID: id, Name: name, Attrs: provider.Attrs{"name": name, "is_default": def}}
	}
	live := &planner.Live{Provider: idcloudhost.Description(),
		DefaultLocation: "jkt01",
		Prices:          idcloudhost.PricesOf(sim.PricingPolicy()), // the document's prices
		Objects: map[planner.Scope][]provider.Object{
			{Kind: idcloudhost.VMs, Location: "jkt01"}:      {vm},
			{Kind: idcloudhost.Networks, Location: "jkt01"}: {net("n0", "Default network", true), net("n1", "net-a", false), net("n2", "net-b", false)},
		},
		Catalogs: map[string]any{"jkt01": &idcloudhost.Catalog{
			Location: "jkt01",
			Pools:    []idcloudhost.Pool{{UUID: "p1", Name: "General", Default: true}, {UUID: "p2", Name: "Performance"}},
			Images:   []idcloudhost.Image{{OSName: "ubuntu", Versions: []string{"20.04", "22.04", "24.04"}}, {OSName: "debian", Versions: []string{"12"}}},
		}},
	}
	st := state.New("t")
	st.Put(&state.Resource{Address: "networks.app", Kind: "networks", ID: "n1", Location: "jkt01", Name: "net-a", Inputs: map[string]any{"name": "net-a"}})
	st.Put(&state.Resource{Address: "networks.b", Kind: "networks", ID: "n2", Location: "jkt01", Name: "net-b", Inputs: map[string]any{"name": "net-b"}})
	st.Put(&state.Resource{Address: "vms.web", Kind: "vms", ID: "v1", Location: "jkt01", Name: "vm-web", DependsOn: []string{"networks.app"}, Inputs: map[string]any{
		"password": state.Hash("Passw0rd-1"), "cloud_init": map[string]any{"runcmd": []any{"a"}}, "reserve_public_ip": false,
	}})
	return live, st
}

func vmAttrs(live *planner.Live) provider.Attrs {
	return live.Objects[planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"}][0].Attrs
}

// TestPlanRows is one golden plan per row of SPEC §2 (for the kinds this
// build plans) and per matching rule: the action, its reason, its changes
// and its notes. Regenerate with `go test ./planner -update`.
func TestPlanRows(t *testing.T) {
	cases := []struct {
		name    string
		edit    [][2]string // replacements in the base stack
		live    func(*planner.Live, *state.State)
		opts    planner.Options
		actions int // how many actions (a cheap check beside the golden file)
	}{
		{name: "no_changes", actions: 0},
		{name: "vm_rename", edit: [][2]string{{"name: vm-web", "name: vm-web-2"}}, actions: 1},
		{name: "vm_vcpu_restart", edit: [][2]string{{"vcpu: 2", "vcpu: 4"}}, actions: 1},
		{name: "vm_ram_while_stopped", edit: [][2]string{{"ram: 2048", "ram: 4096\n    power: stopped"}}, live: func(l *planner.Live, _ *state.State) {
			vmAttrs(l)["power"] = "stopped"
			l.Objects[planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"}][0].Status = "stopped"
		}, actions: 1},
		{name: "vm_power_stop", edit: [][2]string{{"disk: 20", "disk: 20\n    power: stopped"}}, actions: 1},
		{name: "vm_backup_on", edit: [][2]string{{"disk: 20", "disk: 20\n    backup: true"}}, actions: 1},
		{name: "vm_billing_account", edit: [][2]string{{"disk: 20", "disk: 20\n    billing_account: 129073"}}, actions: 1},
		{name: "vm_password", edit: [][2]string{{"Passw0rd-1", "Passw0rd-2"}}, actions: 1},
		{name: "vm_disk_grow", edit: [][2]string{{"disk: 20", "disk: 30"}}, actions: 1},
		{name: "vm_disk_shrink_refused", live: func(l *planner.Live, _ *state.State) { vmAttrs(l)["disk"] = 40 }},
		{name: "vm_network_replace", edit: [][2]string{{"network: app", "network: b"}}, actions: 1},
		{name: "vm_pool_replace", edit: [][2]string{{"pool: General", "pool: Performance"}}, actions: 1},
		{name: "vm_os_not_offered", edit: [][2]string{{"os_name: ubuntu", "os_name: ubunto"}}},
		{name: "vm_pool_unknown", edit: [][2]string{{"pool: General", "pool: Generl"}}},
		{name: "vm_username_replace", edit: [][2]string{{"username: deploy", "username: ops"}}, actions: 1},
		{name: "vm_cloud_init_replace", edit: [][2]string{{"runcmd: [a]", "runcmd: [a, b]"}}, actions: 1},
		{name: "vm_description_replace", edit: [][2]string{{"disk: 20", "disk: 20\n    description: web tier"}}, actions: 1},
		{name: "vm_os_reinstall", edit: [][2]string{{`os_version: "22.04"`, `os_version: "24.04"`}}, actions: 1},
		{name: "vm_location_replace", edit: [][2]string{{"  web:\n", "  web:\n    location: jkt02\n"}}, live: func(l *planner.Live, _ *state.State) {
			l.Catalogs["jkt02"] = l.Catalogs["jkt01"]
		}, actions: 1},
		{name: "vm_removed_deletes", edit: [][2]string{{"vms:\n", "vms_removed:\n"}}, actions: 1},
		{name: "vm_deleted_outside_recreated", live: func(l *planner.Live, _ *state.State) {
			l.Objects[planner.Scope{Kind: idcloudhost.VMs, Location: "jkt01"}] = nil
		}, actions: 1},
		{name: "vm_conflict", live: func(_ *planner.Live, st *state.State) { st.Remove("vms.web") }},
		{name: "vm_adopt", opts: planner.Options{Adopt: true}, live: func(_ *planner.Live, st *state.State) { st.Remove("vms.web") }, actions: 1},
		{name: "vm_prevent_destroy", edit: [][2]string{{"network: app", "network: b\n    lifecycle: {prevent_destroy: true}"}}},
		{name: "network_rename", edit: [][2]string{{"name: net-a", "name: net-a2"}}, actions: 1},
		{name: "destroy_default_network_forgotten", opts: planner.Options{Destroy: true}, live: func(l *planner.Live, _ *state.State) {
			l.Objects[planner.Scope{Kind: idcloudhost.Networks, Location: "jkt01"}][1].Attrs["is_default"] = true
		}, actions: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := baseStack
			for _, e := range tc.edit {
				if !strings.Contains(src, e[0]) {
					t.Fatalf("edit %q does not apply", e[0])
				}
				src = strings.Replace(src, e[0], e[1], 1)
			}
			if strings.Contains(src, "vms_removed:") {
				src = src[:strings.Index(src, "vms_removed:")]
			}
			stack, diags := spec.LoadBytes("stack.yaml", []byte(src), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
			if diags.HasErrors() {
				t.Fatalf("stack: %v", diags)
			}
			for _, r := range stack.Resources {
				if r.Location == "" {
					r.Location = "jkt01"
				}
			}
			live, st := world()
			if tc.live != nil {
				tc.live(live, st)
			}
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

// golden compares got with a file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planner -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

// Steps is the graph the executor walks: each first-phase step after what
// it references, each deletion after the deletions of what referenced it;
// edges only within a phase.
func TestSteps(t *testing.T) {
	t.Parallel()
	p := &planner.Plan{Actions: []*planner.Action{
		{Address: "networks.app", Action: planner.Create},
		{Address: "vms.web", Action: planner.Replace, DependsOn: []string{"networks.app", "vms.unchanged"}},
		{Address: "disks.old", Action: planner.Delete},
		{Address: "vms.old", Action: planner.Delete, DeleteAfter: []string{"disks.old"}},
	}}
	first, second := p.Steps()
	var got []string
	for _, phase := range [][]planner.Step{first, second} {
		for _, s := range phase {
			deps := []string{}
			for _, d := range s.Deps {
				deps = append(deps, phase[d].Key())
			}
			got = append(got, s.Key()+" ← "+strings.Join(deps, ","))
		}
	}
	want := []string{"networks.app ← ", "vms.web ← networks.app", "delete vms.web ← ", "delete disks.old ← ", "delete vms.old ← delete disks.old"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
