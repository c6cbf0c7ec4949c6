package planner_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
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

// toyCloud is a cloud that is not idcloudhost, described with every hook
// export reads: a protected zone, servers with a reference, a secret, a
// default, an unreported and a create-only field and a stack default,
// nameless volumes anchored to servers (a server's root volume is part of
// it), addresses whose target a stack file cannot always name, and
// routers with rules and a list of members.
func toyCloud() *provider.Description {
	const (
		zones, servers, volumes, addresses, routers provider.Kind = "zones", "servers", "volumes", "addresses", "routers"
	)
	project := func() *provider.Field {
		return &provider.Field{Name: "project", Type: provider.IntegerType, Min: bound(1), Live: "project_id"}
	}
	label := func() *provider.Field {
		return &provider.Field{Name: "label", Type: provider.StringType, Live: "label", Default: provider.DefaultName}
	}
	return &provider.Description{
		Name:          "toycloud",
		Location:      "r1, r2",
		StackDefaults: []*provider.Field{project()},
		Kinds: []*provider.KindSpec{
			{Kind: zones, Singular: "zone", SchemaName: "zone", NameField: "label",
				Fields:    []*provider.Field{label(), {Name: "project", Type: provider.IntegerType, Live: "project_id", Ignored: "zones are free"}},
				Protected: func(o provider.Object) string { return map[bool]string{true: "built in"}[o.Attrs["builtin"] == true] }},
			{Kind: servers, Singular: "server", SchemaName: "server", NameField: "label", ExportName: "srv",
				Fields: []*provider.Field{label(),
					{Name: "flavor", Type: provider.StringType, Live: "flavor_id", ExportFrom: "flavor_name"},
					{Name: "cores", Type: provider.IntegerType, Live: "cpu_count", Default: 1},
					{Name: "state", Enum: []any{"up", "down"}, Live: "state", Default: "up"},
					{Name: "zone", Type: provider.StringType, Live: "zone_id", Ref: zones},
					{Name: "root_secret", Type: provider.StringType, Sensitive: true},
					{Name: "user_data", Type: provider.StringType},
					{Name: "copy_of", Type: provider.StringType, ExportQuiet: true},
					{Name: "boot_args", Type: provider.StringType},
					project()},
				Implicit: func(field, location string, live provider.Live) (any, bool, bool) {
					for _, z := range live.Objects(zones, location) {
						if field == "zone" && z.Attrs["builtin"] == true {
							return z.ID, false, true
						}
					}
					return nil, false, false
				}},
			{Kind: volumes, Singular: "volume", SchemaName: "volume",
				Fields: []*provider.Field{
					{Name: "gib", Type: provider.IntegerType, Live: "gib"},
					{Name: "origin", Type: provider.ObjectType, Fields: []*provider.Field{{Name: "kind", Type: provider.StringType}, {Name: "from", Type: provider.StringType}},
						Export: func(o provider.Object) any {
							if o.Attrs["image"] == nil {
								return nil
							}
							return map[string]any{"from": o.Attrs["image"], "kind": "image"}
						}},
					{Name: "server", Type: provider.StringType, Live: "mounted_on", Ref: servers},
					project()},
				ExportSkip: func(o provider.Object, live provider.Live) bool {
					for _, s := range live.Objects(servers, o.Location) {
						if s.Attrs["root_volume"] == o.ID {
							return true
						}
					}
					return false
				},
				ExportAnchor: &provider.Anchor{Field: "server", Suffix: "vol", Relation: "mounted on"}},
			{Kind: addresses, Singular: "address", SchemaName: "address", NameField: "label",
				Fields: []*provider.Field{label(),
					{Name: "target", Type: provider.StringType, Live: "target_id", Ref: servers,
						ExportCheck: func(o provider.Object) string {
							if k := o.Attrs["target_kind"]; k != nil && k != "server" {
								return fmt.Sprintf("bound to a %v", k)
							}
							return ""
						}},
					project()}},
			{Kind: routers, Singular: "router", SchemaName: "router", NameField: "label", Global: true,
				Fields: []*provider.Field{label(),
					{Name: "ports", Type: provider.ListType, Live: "ports", Keys: []string{"from", "to"},
						Items: &provider.Field{Type: provider.ObjectType, Fields: []*provider.Field{
							{Name: "from", Type: provider.IntegerType}, {Name: "to", Type: provider.IntegerType}}}},
					{Name: "members", Type: provider.ListType, Live: "members", Ref: servers, Items: &provider.Field{Type: provider.StringType}},
					project()}},
		},
	}
}

func bound(f float64) *float64 { return &f }

func toyLive() *planner.Live {
	obj := func(kind provider.Kind, loc, id, name string, a provider.Attrs) provider.Object {
		if name != "" {
			a["label"] = name
		}
		return provider.Object{Kind: kind, Location: loc, ID: id, Name: name, Attrs: a}
	}
	return &planner.Live{Provider: toyCloud(), Objects: map[planner.Scope][]provider.Object{
		{Kind: "zones", Location: "r1"}: {
			obj("zones", "r1", "z0", "builtin", provider.Attrs{"builtin": true}),
			obj("zones", "r1", "z1", "app zone", provider.Attrs{"project_id": 9}),
			obj("zones", "r1", "z2", "other", provider.Attrs{}),
		},
		{Kind: "servers", Location: "r1"}: {
			obj("servers", "r1", "s1", "app-web", provider.Attrs{"flavor_id": "f-1", "flavor_name": "small", "cpu_count": 2.0, "state": "up",
				"zone_id": "z1", "root_volume": "v0", "project_id": 7}),
			obj("servers", "r1", "s2", "app-db", provider.Attrs{"flavor_id": "f-2", "cpu_count": 1, "state": "down", "zone_id": "z0", "project_id": 8}),
			obj("servers", "r1", "s3", "other-${x}", provider.Attrs{"flavor_id": "f-1", "cpu_count": 1, "state": "rebooting", "zone_id": "z2", "project_id": 7}),
			obj("servers", "r1", "s4", "app-!!", provider.Attrs{"flavor_id": "f-1", "cpu_count": 1, "zone_id": "z9", "project_id": 7}),
			obj("servers", "r1", "s5", "9lives", provider.Attrs{"flavor_id": "f-1", "cpu_count": 1, "project_id": 7}),
		},
		{Kind: "volumes", Location: "r1"}: {
			obj("volumes", "r1", "v0", "", provider.Attrs{"gib": 10, "mounted_on": "s1", "project_id": 7}),
			obj("volumes", "r1", "v1", "", provider.Attrs{"gib": 50, "mounted_on": "s1", "image": "debian-${v}", "project_id": 7}),
			obj("volumes", "r1", "v2", "", provider.Attrs{"gib": 60, "project_id": 7}),
			obj("volumes", "r1", "v3", "", provider.Attrs{"gib": 70, "mounted_on": "s3", "project_id": 7}),
		},
		{Kind: "addresses", Location: "r1"}: {
			obj("addresses", "r1", "a1", "app-ip", provider.Attrs{"target_id": "s1", "target_kind": "server", "project_id": 7}),
			obj("addresses", "r1", "a2", "app-nat", provider.Attrs{"target_id": "gw1", "target_kind": "gateway", "project_id": 7}),
			obj("addresses", "r1", "a3", "", provider.Attrs{"project_id": 7}),
		},
		{Kind: "routers"}: {
			obj("routers", "", "r1", "app-edge", provider.Attrs{"ports": []any{map[string]any{"from": 443.0, "to": 8443, "id": "p1"}}, "members": []any{"s1", "s2"}, "project_id": 7}),
			obj("routers", "", "r2", "app-lab", provider.Attrs{"ports": []any{}, "members": []any{"s1", "s3"}, "project_id": 7}),
		},
	}}
}

// TestExportIsCloudNeutral: export reads everything kind-specific from
// the provider's description; a cloud that shares no word with
// idcloudhost exports by the same rules.
func TestExportIsCloudNeutral(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   planner.ExportOptions
		want   string
		env    []string
		counts map[spec.Kind]int
	}{
		{name: "all", opts: planner.ExportOptions{Location: "r1"}, env: []string{"APP_DB_ROOT_SECRET", "APP_ROOT_SECRET", "APP_WEB_ROOT_SECRET", "OTHER_X_ROOT_SECRET", "SRV_9LIVES_ROOT_SECRET"},
			counts: map[spec.Kind]int{"zones": 2, "servers": 5, "volumes": 3, "addresses": 2, "routers": 2},
			want: `# Exported by ` + "`idstack export --location r1`" + `: 14 resources. Take them over with
# ` + "`idstack plan --adopt -f FILE` (it should show only adoptions), then `idstack apply --adopt`." + `
# left out: address a3 has no name, and idstack finds addresses by name (name it, then export again)
stack: export-r1
location: r1
project: 7
zones:
  app-zone:
    label: app zone
  other:
    label: other
servers:
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set SRV_9LIVES_ROOT_SECRET in the environment
  9lives:
    label: 9lives
    flavor: f-1
    root_secret: ${env.SRV_9LIVES_ROOT_SECRET}
  # zone: zone z9, but it is not exported: left out and ignored
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set APP_ROOT_SECRET in the environment
  app:
    label: app-!!
    flavor: f-1
    root_secret: ${env.APP_ROOT_SECRET}
    lifecycle:
      ignore_changes:
        - zone
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set APP_DB_ROOT_SECRET in the environment
  app-db:
    label: app-db
    flavor: f-2
    state: down
    root_secret: ${env.APP_DB_ROOT_SECRET}
    project: 8
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set APP_WEB_ROOT_SECRET in the environment
  app-web:
    label: app-web
    flavor: small
    cores: 2
    zone: app-zone
    root_secret: ${env.APP_WEB_ROOT_SECRET}
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set OTHER_X_ROOT_SECRET in the environment
  other-x:
    label: other-$${x}
    flavor: f-1
    zone: other
    root_secret: ${env.OTHER_X_ROOT_SECRET}
volumes:
  app-web-vol:
    gib: 50
    origin:
      kind: image
      from: debian-$${v}
    server: app-web
  other-x-vol:
    gib: 70
    server: other-x
  volume:
    gib: 60
addresses:
  app-ip:
    label: app-ip
    target: app-web
  # target: bound to a gateway: left out and ignored
  app-nat:
    label: app-nat
    lifecycle:
      ignore_changes:
        - target
routers:
  app-edge:
    label: app-edge
    ports:
      - from: 443
        to: 8443
    members:
      - app-web
      - app-db
  app-lab:
    label: app-lab
    members:
      - app-web
      - other-x
`},
		{name: "prefix", opts: planner.ExportOptions{Location: "r1", Prefix: "app-", Kinds: []spec.Kind{"servers", "volumes", "routers"}}, env: []string{"DB_ROOT_SECRET", "SRV_ROOT_SECRET", "WEB_ROOT_SECRET"},
			counts: map[spec.Kind]int{"servers": 3, "volumes": 1, "routers": 2},
			want: `# Exported by ` + "`idstack export --location r1 --prefix app-`" + `: 6 resources. Take them over with
# ` + "`idstack plan --adopt -f FILE` (it should show only adoptions), then `idstack apply --adopt`." + `
# --prefix app-: left out 2 objects whose names do not start with it
# left out: volume v2 is mounted on no exported server, and a volume has no name for --prefix to match
# left out: volume v3 is mounted on no exported server, and a volume has no name for --prefix to match
stack: ${var.prefix}r1
location: r1
project: 7
# live names that start with the prefix are written ${var.prefix}…:
# another environment from this file: --var prefix=…
vars:
  prefix:
    type: string
    default: app-
servers:
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set DB_ROOT_SECRET in the environment
  db:
    label: ${var.prefix}db
    flavor: f-2
    state: down
    root_secret: ${env.DB_ROOT_SECRET}
    project: 8
  # zone: zone z9, but zones are not exported (--kinds): left out and ignored
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set SRV_ROOT_SECRET in the environment
  srv:
    label: ${var.prefix}!!
    flavor: f-1
    root_secret: ${env.SRV_ROOT_SECRET}
    lifecycle:
      ignore_changes:
        - zone
  # zone: zone z1, but zones are not exported (--kinds): left out and ignored
  # not reported by the API, left out: boot_args, user_data
  # root_secret: the API never shows it; set WEB_ROOT_SECRET in the environment
  web:
    label: ${var.prefix}web
    flavor: small
    cores: 2
    root_secret: ${env.WEB_ROOT_SECRET}
    lifecycle:
      ignore_changes:
        - zone
volumes:
  web-vol:
    gib: 50
    origin:
      kind: image
      from: debian-$${v}
    server: web
routers:
  edge:
    label: ${var.prefix}edge
    ports:
      - from: 443
        to: 8443
    members:
      - web
      - db
  # members: some members are not exported servers: the list is left out and ignored
  lab:
    label: ${var.prefix}lab
    lifecycle:
      ignore_changes:
        - members
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := planner.Export(toyLive(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, string(ex.YAML)); d != "" {
				t.Errorf("export (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.env, ex.EnvVars); d != "" {
				t.Errorf("env vars (-want +got):\n%s", d)
			}
			for k, n := range ex.Counts {
				if n != tc.counts[k] {
					t.Errorf("%d %s exported, want %d", n, k, tc.counts[k])
				}
			}
			// The schema generated from the same description takes it.
			_, diags := schema.LoadBytes("toy.yaml", ex.YAML, spec.Options{Providers: map[string]*provider.Description{"toycloud": toyCloud()},
				DefaultProvider: "toycloud", LookupEnv: func(string) (string, bool) { return "secret", true }})
			if diags.HasErrors() {
				var b strings.Builder
				spec.Format(&b, diags, map[string][]byte{"toy.yaml": ex.YAML})
				t.Errorf("the export does not load:\n%s", b.String())
			}
		})
	}
}
