package idcloudhost

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// The reference document's example answers (copied into testdata/examples)
// must decode into the wire types without unknown fields, and map into
// Attrs without losing a field idstack reads.

func TestExamplesDecodeStrictly(t *testing.T) {
	t.Parallel()
	cases := map[string]func() any{
		"locations.json":             func() any { return &[]api.Location{} },
		"pricing_policy.json":        func() any { return &api.PricingPolicy{} },
		"host_pools.json":            func() any { return &[]api.HostPool{} },
		"vm_images.json":             func() any { return &[]api.VMImage{} },
		"vm_images_plain_os.json":    func() any { return &[]api.VMImage{} },
		"vm_images_app_catalog.json": func() any { return &[]api.VMImage{} },
		"vm_get.json":                func() any { return &api.VM{} },
		"vm_list.json":               func() any { return &[]api.VM{} },
		"vm_modify.json":             func() any { return &api.VM{} },
		"vm_create.json":             func() any { return &api.VM{} },
		"vm_reinstall.json":          func() any { return &api.VM{} },
		"vm_backup.json":             func() any { return &api.VM{} },
		"vm_clone.json":              func() any { return &api.VM{} },
		"vm_stop.json":               func() any { return &api.VM{} },
		"vm_rebuild.json":            func() any { return &api.VM{} },
		"vm_release_ip.json":         func() any { return &api.VM{} },
		"vm_reserve_ip.json":         func() any { return &api.VM{} },
		"vm_password.json":           func() any { return &api.Success{} },
		"vm_storage_add.json":        func() any { return &api.Storage{} },
		"vm_storage_modify.json":     func() any { return &api.Storage{} },
		"vm_storage_delete.json":     func() any { return &api.Success{} },
		"disk_attach.json":           func() any { return &api.Storage{} },
		"disk_detach.json":           func() any { return &api.Success{} },
		"disk_create.json":           func() any { return &api.Disk{} },
		"disk_get.json":              func() any { return &api.Disk{} },
		"disk_list.json":             func() any { return &[]api.Disk{} },
		"disk_modify.json":           func() any { return &api.Disk{} },
		"bucket_create.json":         func() any { return &api.Bucket{} },
		"bucket_get.json":            func() any { return &api.Bucket{} },
		"bucket_list.json":           func() any { return &[]api.Bucket{} },
		"bucket_modify.json":         func() any { return &api.Bucket{} },
		"network_get.json":           func() any { return &api.Network{} },
		"network_list.json":          func() any { return &[]api.Network{} },
		"network_create.json":        func() any { return &api.Network{} },
		"network_rename.json":        func() any { return &api.Network{} },
		"network_default.json":       func() any { return &api.Network{} },
		"fip_create.json":            func() any { return &api.FloatingIP{} },
		"fip_list.json":              func() any { return &[]api.FloatingIP{} },
		"fip_get.json":               func() any { return &api.FloatingIP{} },
		"fip_update.json":            func() any { return &api.FloatingIP{} },
		"fip_assign.json":            func() any { return &api.FloatingIP{} },
		"fip_unassign.json":          func() any { return &api.FloatingIP{} },
		"lb_list.json":               func() any { return &[]api.LoadBalancer{} },
		"lb_get.json":                func() any { return &api.LoadBalancer{} },
		"lb_create.json":             func() any { return &api.LoadBalancer{} },
		"lb_rename.json":             func() any { return &api.LoadBalancer{} },
		"lb_billing.json":            func() any { return &api.LoadBalancer{} },
		"lb_target_add.json":         func() any { return &api.LBTarget{} },
		"lb_rule_add.json":           func() any { return &api.ForwardingRule{} },
		"vm_delete_error.json":       func() any { return &api.ErrorEnvelope{} },
		"vm_start_error.json":        func() any { return &api.ErrorEnvelope{} },
		"resource_billing_error.json": func() any {
			return &api.ErrorEnvelope{}
		},
		// billing_resources.json is not strict: its storage entry carries a
		// stray "public_ipv4": null that api.Storage does not name (idstack
		// does not read it).
	}
	for name, newV := range cases {
		t.Run(name, func(t *testing.T) {
			d := json.NewDecoder(strings.NewReader(example(t, name)))
			d.DisallowUnknownFields()
			if err := d.Decode(newV()); err != nil {
				t.Fatal(err)
			}
		})
	}
	var vms []api.VM
	if err := json.Unmarshal([]byte(example(t, "billing_resources.json")), &vms); err != nil {
		t.Fatalf("billing_resources.json: %v", err)
	}
}

// Every VM-shaped example maps to the Attrs the planner reads.
func TestVMExamplesMap(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"vm_get.json", "vm_modify.json", "vm_create.json", "vm_reinstall.json", "vm_backup.json",
		"vm_clone.json", "vm_stop.json", "vm_rebuild.json", "vm_release_ip.json", "vm_reserve_ip.json", "vm_list.json", "billing_resources.json"} {
		t.Run(name, func(t *testing.T) {
			body := strings.TrimSpace(example(t, name))
			var vms []api.VM
			if body[0] == '[' {
				mustJSON(t, body, &vms)
			} else {
				var vm api.VM
				mustJSON(t, body, &vm)
				vms = []api.VM{vm}
			}
			var raw []map[string]any
			if body[0] == '[' {
				mustJSON(t, body, &raw)
			} else {
				var m map[string]any
				mustJSON(t, body, &m)
				raw = []map[string]any{m}
			}
			for i, vm := range vms {
				o := vmObject("jkt01", vm, "net-1")
				r := raw[i]
				st := r["storage"].([]any)[0].(map[string]any)
				want := provider.Attrs{
					"name": r["name"], "description": r["description"], "os_name": r["os_name"], "os_version": r["os_version"],
					"vcpu": num(r["vcpu"]), "ram": num(r["memory"]), "disk": num(st["size"]), "disk_uuid": st["uuid"],
					"backup": r["backup"], "billing_account": num(r["billing_account"]), "power": r["status"],
					"pool": str(r["designated_pool_uuid"]), "pool_name": str(r["designated_pool_name"]),
					"username": r["username"], "private_ipv4": r["private_ipv4"], "public_ipv6": str(r["public_ipv6"]),
					"network": "net-1",
					"storage": []any{map[string]any{"uuid": st["uuid"], "size": num(st["size"]), "primary": st["primary"]}},
				}
				if diff := cmp.Diff(want, o.Attrs); diff != "" {
					t.Errorf("[%d] attrs (-want +got):\n%s", i, diff)
				}
				if o.ID != r["uuid"] || o.Name != r["name"] || o.Status != r["status"] || o.Kind != VMs || o.Location != "jkt01" {
					t.Errorf("[%d] object = %+v", i, o)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	if err := d.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func num(v any) any {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return v
}

func str(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// Over HTTP, against a handler that answers the document's examples: each
// kind lists, gets and maps as the planner expects.
func TestDocumentExamplesOverHTTP(t *testing.T) {
	t.Parallel()
	// The document's VMs and networks do not share uuids; join one VM into
	// "Private network B" to show the join.
	nets := strings.Replace(example(t, "network_list.json"), "755a023f-dccc-4b8b-b23d-c95fe962983e", "f80b1d62-ffe4-43ef-9210-60f05445456a", 1)
	// A VM that lists the document's second disk among its storage.
	var vm api.VM
	mustJSON(t, example(t, "vm_get.json"), &vm)
	var extra api.Storage
	mustJSON(t, example(t, "disk_attach.json"), &extra)
	extra.UUID = "cef3a629-89b0-40ec-986b-4b6e831f9b64"
	vm.Storage = append(vm.Storage, extra)
	vmsWithDisk, _ := json.Marshal([]api.VM{vm})

	c, rec, _ := newFake(t, map[string]func(request) (int, string){
		"GET /v1/config/locations":                                                  file(t, "locations.json"),
		"GET /v1/config/vm_images":                                                  file(t, "vm_images.json"),
		"GET /v1/jkt01/user-resource/host_pool/list":                                file(t, "host_pools.json"),
		"GET /v1/jkt01/user-resource/vm":                                            file(t, "vm_get.json"),
		"GET /v1/jkt01/user-resource/vm/list":                                       fixed(200, string(vmsWithDisk)),
		"GET /v1/jkt01/network/networks":                                            fixed(200, nets),
		"GET /v1/jkt01/network/network/2e8cd389-27fe-45ce-a63d-d536068659e5":        file(t, "network_get.json"),
		"GET /v1/jkt01/storage/disks":                                               file(t, "disk_list.json"),
		"GET /v1/jkt01/storage/disks/cef3a629-89b0-40ec-986b-4b6e831f9b64":          file(t, "disk_get.json"),
		"GET /v1/jkt01/network/ip_addresses":                                        file(t, "fip_list.json"),
		"GET /v1/jkt01/network/ip_addresses/1.1.1.1":                                file(t, "fip_get.json"),
		"GET /v1/jkt01/network/load_balancers":                                      file(t, "lb_list.json"),
		"GET /v1/jkt01/network/load_balancers/438ac62f-e97b-4ef0-8940-507b9e94af43": file(t, "lb_create.json"),
		"GET /v1/storage/bucket/list":                                               file(t, "bucket_list.json"),
		"GET /v1/storage/bucket":                                                    file(t, "bucket_get.json"),
	})
	ctx := context.Background()

	locs, err := c.Locations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]provider.Location{{Slug: "cyc01", Name: "Cycletown", Default: true}, {Slug: "bus02", Name: "Busburg"}}, locs); diff != "" {
		t.Errorf("Locations (-want +got):\n%s", diff)
	}

	cat, err := c.Catalog(ctx, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	wantCat := &Catalog{Location: "jkt01",
		Pools: []Pool{
			{UUID: "4820b11f-82c9-4313-a1ef-14d6039981db", Name: "General", Default: true},
			{UUID: "d2fc6881-9316-46d7-b515-b6cddaeee927", Name: "Performance"},
		},
		Images: []Image{{OSName: "almalinux", Versions: []string{"8"}}, {OSName: "centos", Versions: []string{"7.3.1611", "7.6", "8.2"}}},
	}
	if diff := cmp.Diff(wantCat, cat); diff != "" {
		t.Errorf("Catalog (-want +got):\n%s", diff)
	}

	got, err := c.Get(ctx, VMs, "jkt01", "f80b1d62-ffe4-43ef-9210-60f05445456a")
	if err != nil {
		t.Fatal(err)
	}
	wantVM := provider.Object{Kind: VMs, Location: "jkt01", ID: "f80b1d62-ffe4-43ef-9210-60f05445456a", Name: "Windows-2016", Status: "running",
		Attrs: provider.Attrs{
			"name": "Windows-2016", "description": "", "os_name": "windows", "os_version": "2016", "vcpu": 2, "ram": 4096,
			"disk": 40, "disk_uuid": "f80b1d62-ffe4-43ef-9210-60f05445456a", "backup": true, "billing_account": 6, "power": "running",
			"pool": "d2fc6881-9316-46d7-b515-b6cddaeee927", "pool_name": "General purpose", "username": "administrator",
			"private_ipv4": "10.123.8.223", "public_ipv6": "2a05:1cc0:10:30::80:fffe",
			"network": "4e5eadd3-8b11-4c34-812a-2cf97120b628",
			"storage": []any{map[string]any{"uuid": "f80b1d62-ffe4-43ef-9210-60f05445456a", "size": 40, "primary": true}},
		}}
	if diff := cmp.Diff(wantVM, got); diff != "" {
		t.Errorf("Get(vms) (-want +got):\n%s", diff)
	}

	vms, err := c.List(ctx, VMs, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	if len(vms) != 1 || vms[0].Attrs["network"] != "4e5eadd3-8b11-4c34-812a-2cf97120b628" {
		t.Errorf("List(vms) = %+v", vms)
	}

	netObjs, err := c.List(ctx, Networks, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	wantNets := []provider.Object{
		{Kind: Networks, Location: "jkt01", ID: "4e5eadd3-8b11-4c34-812a-2cf97120b628", Name: "Private network B", Attrs: provider.Attrs{
			"name": "Private network B", "subnet": "10.4.200.0/24", "is_default": false,
			"vm_uuids": []any{"f80b1d62-ffe4-43ef-9210-60f05445456a"}, "resources_count": 1}},
		{Kind: Networks, Location: "jkt01", ID: "2e8cd389-27fe-45ce-a63d-d536068659e5", Name: "Privat network - default", Attrs: provider.Attrs{
			"name": "Privat network - default", "subnet": "10.1.104.0/24", "is_default": true,
			"vm_uuids": []any{"45f13d58-2464-4d40-a1d0-d1b7cabc8f54", "7c02ce9a-3d53-4565-898e-62a8ecf1d42f"}, "resources_count": 2}},
	}
	if diff := cmp.Diff(wantNets, netObjs); diff != "" {
		t.Errorf("List(networks) (-want +got):\n%s", diff)
	}
	n, err := c.Get(ctx, Networks, "jkt01", "2e8cd389-27fe-45ce-a63d-d536068659e5")
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != "Default network" || n.Attrs["is_default"] != true || n.Attrs["resources_count"] != 2 || n.Attrs["subnet"] != "10.1.104.0/24" {
		t.Errorf("Get(networks) = %+v", n)
	}

	disks, err := c.List(ctx, Disks, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	wantDisks := []provider.Object{
		{Kind: Disks, Location: "jkt01", ID: "05a61876-86f3-4b05-b0ec-53ee6fa03ced", Status: "Active", Attrs: provider.Attrs{
			"size": 50, "status": "Active", "billing_account": 129072, "source_type": "EMPTY", "source_image": "",
			"created_at": "2022-09-01T12:03:14.355+0000", "attached_to": ""}},
		{Kind: Disks, Location: "jkt01", ID: "cef3a629-89b0-40ec-986b-4b6e831f9b64", Status: "Active", Attrs: provider.Attrs{
			"size": 30, "status": "Active", "billing_account": 129552, "source_type": "OS_BASE", "source_image": "ubuntu_20.04",
			"created_at": "2022-08-25T09:26:21.171+0000", "attached_to": "f80b1d62-ffe4-43ef-9210-60f05445456a"}},
	}
	if diff := cmp.Diff(wantDisks, disks); diff != "" {
		t.Errorf("List(disks) (-want +got):\n%s", diff)
	}
	d, err := c.Get(ctx, Disks, "jkt01", "cef3a629-89b0-40ec-986b-4b6e831f9b64")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDisks[1], d); diff != "" {
		t.Errorf("Get(disks) (-want +got):\n%s", diff)
	}

	ips, err := c.List(ctx, FloatingIPs, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	wantIPs := []provider.Object{
		{Kind: FloatingIPs, Location: "jkt01", ID: "1.1.1.1", Name: "My First Ip", Attrs: provider.Attrs{
			"name": "My First Ip", "address": "1.1.1.1", "billing_account": 1,
			"assigned_to": "88e5a11b-9c89-4986-99c7-90d43499317c", "assigned_to_resource_type": "virtual_machine"}},
		{Kind: FloatingIPs, Location: "jkt01", ID: "2.2.2.2", Name: "dns: A test.example.com", Attrs: provider.Attrs{
			"name": "dns: A test.example.com", "address": "2.2.2.2", "billing_account": 1,
			"assigned_to": "c267e447-1ad3-43b2-ae41-ac7ad823fc6c", "assigned_to_resource_type": "service"}},
	}
	if diff := cmp.Diff(wantIPs, ips); diff != "" {
		t.Errorf("List(floating_ips) (-want +got):\n%s", diff)
	}
	ip, err := c.Get(ctx, FloatingIPs, "jkt01", "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantIPs[0], ip); diff != "" {
		t.Errorf("Get(floating_ips) (-want +got):\n%s", diff)
	}

	lbs, err := c.List(ctx, LoadBalancers, "jkt01")
	if err != nil {
		t.Fatal(err)
	}
	lbAttrs := func(name string) provider.Attrs {
		return provider.Attrs{
			"name": name, "network": "438ac62f-e97b-4ef0-8940-507b9e94af43", "billing_account": 130157, "private_address": "10.112.231.192",
			"rules":   []any{map[string]any{"source_port": 8080, "target_port": 8080, "uuid": "b3f28feb-c91e-4601-a6b6-267fa98dc121"}},
			"targets": []any{"145cc106-e067-419a-85fd-333ded30f169"},
		}
	}
	wantLBs := []provider.Object{{Kind: LoadBalancers, Location: "jkt01", ID: "438ac62f-e97b-4ef0-8940-507b9e94af43", Attrs: lbAttrs("")}}
	if diff := cmp.Diff(wantLBs, lbs); diff != "" {
		t.Errorf("List(load_balancers) (-want +got):\n%s", diff)
	}
	lb, err := c.Get(ctx, LoadBalancers, "jkt01", "438ac62f-e97b-4ef0-8940-507b9e94af43")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(provider.Object{Kind: LoadBalancers, Location: "jkt01", ID: "438ac62f-e97b-4ef0-8940-507b9e94af43", Name: "my LB", Attrs: lbAttrs("my LB")}, lb); diff != "" {
		t.Errorf("Get(load_balancers) (-want +got):\n%s", diff)
	}

	buckets, err := c.List(ctx, Buckets, "jkt01") // the location is ignored
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 5 {
		t.Fatalf("List(buckets) = %d objects", len(buckets))
	}
	wantPang1 := provider.Object{Kind: Buckets, ID: "pang1", Name: "pang1", Attrs: provider.Attrs{
		"name": "pang1", "billing_account": 129093, "num_objects": 5, "size_bytes": 3189211059}}
	if diff := cmp.Diff(wantPang1, buckets[1]); diff != "" {
		t.Errorf("List(buckets)[1] (-want +got):\n%s", diff)
	}
	b, err := c.Get(ctx, Buckets, "", "pang1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantPang1, b); diff != "" {
		t.Errorf("Get(buckets) (-want +got):\n%s", diff)
	}

	for _, call := range rec.Calls() {
		if call.APIKey != "secret-key" {
			t.Errorf("%s %s: apikey header %q", call.Method, call.Path, call.APIKey)
		}
		if call.Path == "/v1/jkt01/user-resource/vm" && call.Query != "uuid=f80b1d62-ffe4-43ef-9210-60f05445456a" {
			t.Errorf("GET vm query = %q", call.Query)
		}
		if call.Path == "/v1/storage/bucket" && call.Query != "name=pang1" {
			t.Errorf("GET bucket query = %q", call.Query)
		}
	}
}
