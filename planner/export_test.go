package planner_test

import (
	"github.com/idstack/idstack/provider/idcloudhost"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

// exportLive is a location as people leave it: odd names, a VM in the
// default network, a boot disk listed among the disks, an unnamed floating
// IP, one on a load balancer, a target from elsewhere, a second billing
// account.
func exportLive() *planner.Live {
	vm := func(id, name, net, disk string, extra provider.Attrs) provider.Object {
		a := provider.Attrs{"name": name, "description": "", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024,
			"disk": 20, "disk_uuid": disk, "backup": false, "billing_account": 129072, "power": "running", "pool": "p1",
			"pool_name": "General", "username": "deploy", "network": net}
		for k, v := range extra {
			a[k] = v
		}
		return provider.Object{Kind: idcloudhost.VMs, Location: "jkt01", ID: id, Name: name, Status: str(a["power"]), Attrs: a}
	}
	net := func(id, name string, def bool) provider.Object {
		return provider.Object{Kind: idcloudhost.Networks, Location: "jkt01", ID: id, Name: name, Attrs: provider.Attrs{"name": name, "is_default": def}}
	}
	disk := func(id string, size int, attached, typ, image string) provider.Object {
		return provider.Object{Kind: idcloudhost.Disks, Location: "jkt01", ID: id, Attrs: provider.Attrs{
			"size": size, "billing_account": 129072, "attached_to": attached, "source_type": typ, "source_image": image}}
	}
	ip := func(addr, name, to, typ string) provider.Object {
		return provider.Object{Kind: idcloudhost.FloatingIPs, Location: "jkt01", ID: addr, Name: name, Attrs: provider.Attrs{
			"name": name, "address": addr, "billing_account": 129072, "assigned_to": to, "assigned_to_resource_type": typ}}
	}
	return &planner.Live{Provider: idcloudhost.Description(), Objects: map[planner.Scope][]provider.Object{
		{Kind: idcloudhost.Networks, Location: "jkt01"}: {net("n0", "Default network", true), net("n1", "acme-prod-net", false), net("n2", "Lab Net (old)", false)},
		{Kind: idcloudhost.VMs, Location: "jkt01"}: {
			vm("v1", "acme-prod-web", "n1", "b1", nil),
			vm("v2", "acme-prod-db", "n1", "b2", provider.Attrs{"backup": true, "ram": 4096, "pool": "p2", "pool_name": "Performance", "description": "holds ${secrets}"}),
			vm("v3", "lab-box", "n0", "b3", provider.Attrs{"power": "stopped", "billing_account": 129073}),
			vm("v4", "acme-prod-lab-box", "n2", "b4", provider.Attrs{"username": "", "os_name": "windows", "os_version": "2019", "vcpu": 2, "ram": 2048}),
		},
		{Kind: idcloudhost.Disks, Location: "jkt01"}: {
			disk("b1", 20, "v1", "OS_BASE", "ubuntu_22.04"), // a boot disk, if the API lists it
			disk("d1", 100, "v2", "EMPTY", ""),
			disk("d2", 50, "", "OS_BASE", "ubuntu_20.04"),
			disk("d3", 30, "v2", "", ""),
		},
		{Kind: idcloudhost.FloatingIPs, Location: "jkt01"}: {
			ip("103.1.1.1", "acme-prod-ip", "v1", "virtual_machine"),
			ip("103.1.1.2", "", "v3", "virtual_machine"),
			ip("103.1.1.3", "acme-prod-lb-ip", "lb1", "load_balancer"),
		},
		{Kind: idcloudhost.LoadBalancers, Location: "jkt01"}: {
			{Kind: idcloudhost.LoadBalancers, Location: "jkt01", ID: "lb1", Name: "acme-prod-lb", Attrs: provider.Attrs{
				"name": "acme-prod-lb", "billing_account": 129072, "network": "n1", "targets": []any{"v1", "v2"},
				"rules": []any{map[string]any{"source_port": 443, "target_port": 8443, "uuid": "r2"}, map[string]any{"source_port": 80, "target_port": 8080, "uuid": "r1"}}}},
			{Kind: idcloudhost.LoadBalancers, Location: "jkt01", ID: "lb2", Name: "acme-lab-lb", Attrs: provider.Attrs{
				"name": "acme-lab-lb", "billing_account": 129072, "network": "n0", "targets": []any{"v1", "gone-vm"}, "rules": []any{}}},
		},
		{Kind: idcloudhost.Buckets}: {{Kind: idcloudhost.Buckets, ID: "acme-prod-assets", Name: "acme-prod-assets", Attrs: provider.Attrs{"name": "acme-prod-assets", "billing_account": 129072}}},
	}}
}

func str(v any) string { s, _ := v.(string); return s }

// TestExport writes testdata/export/planner_*.yaml (go test ./planner
// -update); each must load without an error.
func TestExport(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts planner.ExportOptions
		env  []string // the password variables the file reads
	}{
		{name: "all", opts: planner.ExportOptions{Location: "jkt01"},
			env: []string{"ACME_PROD_DB_PASSWORD", "ACME_PROD_LAB_BOX_PASSWORD", "ACME_PROD_WEB_PASSWORD", "LAB_BOX_PASSWORD"}},
		{name: "prefix", opts: planner.ExportOptions{Location: "jkt01", Prefix: "acme-prod-"},
			env: []string{"DB_PASSWORD", "LAB_BOX_PASSWORD", "WEB_PASSWORD"}},
		{name: "vms_only", opts: planner.ExportOptions{Location: "jkt01", Kinds: []spec.Kind{idcloudhost.VMs}, Stack: "just-vms"},
			env: []string{"ACME_PROD_DB_PASSWORD", "ACME_PROD_LAB_BOX_PASSWORD", "ACME_PROD_WEB_PASSWORD", "LAB_BOX_PASSWORD"}},
		{name: "floating_ips_and_buckets", opts: planner.ExportOptions{Location: "jkt01", Kinds: []spec.Kind{idcloudhost.FloatingIPs, idcloudhost.Buckets}}},
		{name: "empty_location", opts: planner.ExportOptions{Location: "sgp01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := planner.Export(exportLive(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("..", "testdata", "export", "planner_"+tc.name+".yaml")
			golden(t, file, ex.YAML)
			if d := cmp.Diff(tc.env, ex.EnvVars); d != "" {
				t.Errorf("env vars (-want +got):\n%s", d)
			}
			_, diags := schema.LoadBytes(file, ex.YAML, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: func(string) (string, bool) { return "Any-Passw0rd", true }})
			if diags.HasErrors() {
				var b strings.Builder
				spec.Format(&b, diags, map[string][]byte{file: ex.YAML})
				t.Errorf("the export does not load:\n%s", b.String())
			}
			if strings.Contains(string(ex.YAML), "\n    password: ") && !strings.Contains(string(ex.YAML), "${env.") {
				t.Error("a password that is not an ${env.…} placeholder")
			}
		})
	}
}

func TestExportRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts planner.ExportOptions
		want string
	}{
		{"no location", planner.ExportOptions{}, "a location is required"},
		{"unknown kind", planner.ExportOptions{Location: "jkt01", Kinds: []spec.Kind{"servers"}}, `unknown kind "servers"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planner.Export(exportLive(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestExportPrefixFilters (issue 11, item 11): with --prefix, only objects
// whose live names start with it are exported (and disks attached to
// them); a reference from an exported object to one left out is dropped
// and ignored, with a comment, never followed.
func TestExportPrefixFilters(t *testing.T) {
	t.Parallel()
	ex, err := planner.Export(exportLive(), planner.ExportOptions{Location: "jkt01", Prefix: "acme-prod-"})
	if err != nil {
		t.Fatal(err)
	}
	stack, diags := schema.LoadBytes("prefix.yaml", ex.YAML, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: func(string) (string, bool) { return "Any-Passw0rd", true }})
	if diags.HasErrors() {
		t.Fatalf("the export does not load: %v", diags)
	}
	var got []string
	for _, r := range stack.Resources {
		name, _ := stack.Doc[string(r.Addr.Kind)].(map[string]any)[r.Addr.Name].(map[string]any)["name"].(string)
		got = append(got, r.Addr.String()+" "+name)
	}
	want := []string{
		"networks.net acme-prod-net",
		"vms.db acme-prod-db", "vms.lab-box acme-prod-lab-box", "vms.web acme-prod-web",
		"disks.db-data ", "disks.db-data-2 ",
		"floating_ips.ip acme-prod-ip", "floating_ips.lb-ip acme-prod-lb-ip",
		"load_balancers.lb acme-prod-lb",
		"buckets.assets acme-prod-assets",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("exported resources (-want +got):\n%s", d)
	}
	// acme-prod-lab-box is in "Lab Net (old)", which is not exported.
	for _, s := range []string{
		`network: network n2 ("Lab Net (old)"), but its name does not start with the prefix "acme-prod-": left out and ignored`,
		"--prefix acme-prod-: left out 3 objects whose names do not start with it",
		"left out: disk d2 is attached to no exported VM",
	} {
		if !strings.Contains(string(ex.YAML), s) {
			t.Errorf("the export lacks %q:\n%s", s, ex.YAML)
		}
	}
	if lab := stack.Doc["vms"].(map[string]any)["lab-box"].(map[string]any); lab["network"] != nil {
		t.Errorf("vms.lab-box refers to a network that is not exported: %v", lab["network"])
	}
}
