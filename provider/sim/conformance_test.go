package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider/api"
)

// fixture is a world with one of everything, made through the API.
type fixture struct {
	net, vm, vmBoot, replica, freeDisk, attDisk, freeIP, vmIP, lb, rule string
	s3Key                                                               string
}

func newFixture(t *testing.T, e *env) fixture {
	t.Helper()
	var fx fixture
	var n api.Network
	e.must(200, "POST", "/v1/network/network?name=app", nil).decode(t, &n)
	fx.net = n.UUID
	vm := e.createVM("", "network_uuid", fx.net)
	fx.vm, fx.vmBoot = vm.UUID, vm.Storage[0].UUID
	var st api.Storage
	e.must(200, "POST", "/v1/user-resource/vm/replica", form("uuid", fx.vm)).decode(t, &st)
	fx.replica = st.Replica[0].UUID
	var d api.Disk
	e.must(200, "POST", "/v1/storage/disks", form("size_gb", "30")).decode(t, &d)
	fx.freeDisk = d.UUID
	e.must(200, "POST", "/v1/storage/disks", form("size_gb", "15")).decode(t, &d)
	fx.attDisk = d.UUID
	e.must(200, "POST", "/v1/user-resource/vm/storage/attach", form("uuid", fx.vm, "storage_uuid", fx.attDisk))
	var f api.FloatingIP
	e.must(200, "POST", "/v1/network/ip_addresses", map[string]any{"name": "free", "billing_account_id": 129072}).decode(t, &f)
	fx.freeIP = f.Address
	e.must(200, "POST", "/v1/network/ip_addresses", map[string]any{"name": "vm", "billing_account_id": 129072}).decode(t, &f)
	fx.vmIP = f.Address
	e.must(200, "POST", "/v1/network/ip_addresses/"+fx.vmIP+"/assign", map[string]any{"vm_uuid": fx.vm})
	var lb api.LoadBalancer
	e.must(200, "POST", "/v1/network/load_balancers", map[string]any{
		"display_name": "my LB", "network_uuid": fx.net,
		"rules":   []map[string]any{{"source_port": 8080, "target_port": 8080}},
		"targets": []map[string]any{{"target_uuid": fx.vm, "target_type": "vm"}},
	}).decode(t, &lb)
	fx.lb, fx.rule = lb.UUID, lb.ForwardingRules[0].UUID
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "pang1", "billing_account_id", "129072"))
	var keys []api.S3Key
	e.must(200, "POST", "/v1/storage/user/keys", nil).decode(t, &keys)
	fx.s3Key = keys[0].AccessKey
	return fx
}

const missingUUID = "aaaaaaaa-0000-bbbb-1111-cccccccccccc"

// conformance is one documented endpoint: its documented request and the
// documented answer (testdata/sim/doc/<doc>.json).
type conformance struct {
	doc          string
	method, path string
	body         any // url.Values = form (-d), other = JSON (--data), nil = none
	status       int
	into         func() any // the provider/api type of the answer
	// diffs lists every known difference of shape from the document's
	// example ("missing k" / "extra k" / "type k"), each with its reason
	// in a comment. Anything else fails.
	diffs []string
}

func conformanceTable(fx fixture) []conformance {
	vm := func() any { return new(api.VM) }
	vms := func() any { return new([]api.VM) }
	storage := func() any { return new(api.Storage) }
	success := func() any { return new(api.Success) }
	errEnv := func() any { return new(api.ErrorEnvelope) }
	network := func() any { return new(api.Network) }
	disk := func() any { return new(api.Disk) }
	fip := func() any { return new(api.FloatingIP) }
	lb := func() any { return new(api.LoadBalancer) }
	bucket := func() any { return new(api.Bucket) }
	keys := func() any { return new([]api.S3Key) }
	// Keys the document shows on some VM examples only.
	vmExtra := []string{"extra designated_pool_name", "extra designated_pool_uuid", "extra id", "extra tags", "extra storage[].id"}
	return []conformance{
		// Catalogue.
		{doc: "get_config_locations", method: "GET", path: "/v1/config/locations", status: 200, into: func() any { return new([]api.Location) }},
		{doc: "get_user_resource_host_pool_list", method: "GET", path: "/v1/user-resource/host_pool/list", status: 200, into: func() any { return new([]api.HostPool) }},
		{doc: "get_config_vm_images", method: "GET", path: "/v1/config/vm_images", status: 200, into: func() any { return new([]api.VMImage) }},
		{doc: "get_config_vm_images_plain_os", method: "GET", path: "/v1/config/vm_images/plain_os", status: 200, into: func() any { return new([]api.VMImage) }},
		{doc: "get_config_vm_images_app_catalog", method: "GET", path: "/v1/config/vm_images/app_catalog", status: 200, into: func() any { return new([]api.VMImage) }},
		{doc: "get_api_parameters_vm", method: "GET", path: "/v1/api/parameters/vm", status: 200, into: func() any { return new([]api.VMParameter) }},

		// VMs.
		{doc: "post_user_resource_vm", method: "POST", path: "/v1/user-resource/vm", status: 200, into: vm,
			body: vmCreate("name", "Ubuntu-16-04", "designated_pool_uuid", PerformancePoolUUID, "billing_account_id", "6",
				"network_uuid", fx.net, "cloud_init", `{"runcmd": ["/firstboot"], "write_files": []}`),
		},
		{doc: "get_user_resource_vm", method: "GET", path: "/v1/user-resource/vm?uuid=" + fx.vm, status: 200, into: vm,
			diffs: []string{
				"missing license_type", // only Windows VMs have a license type
				"extra storage[].replica[]",
			}},
		{doc: "get_user_resource_vm_list", method: "GET", path: "/v1/user-resource/vm/list", status: 200, into: vms,
			diffs: []string{"extra [].designated_pool_name", "extra [].designated_pool_uuid", "extra [].storage[].replica[]"}},
		{doc: "patch_user_resource_vm", method: "PATCH", path: "/v1/user-resource/vm", status: 200, into: vm,
			body: form("uuid", fx.vm, "name", "web-server"), diffs: append(vmExtra[:4:4], "extra storage[].id", "extra storage[].updated_at", "extra storage[].replica[]")},
		{doc: "delete_user_resource_vm", method: "DELETE", path: "/v1/user-resource/vm", status: 404, into: errEnv,
			body: form("uuid", missingUUID)},
		{doc: "post_user_resource_vm_start", method: "POST", path: "/v1/user-resource/vm/start", status: 404, into: errEnv,
			body: form("uuid", missingUUID)},
		{doc: "post_user_resource_vm_stop", method: "POST", path: "/v1/user-resource/vm/stop", status: 200, into: vm,
			body: form("uuid", fx.vm, "force", "True"), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid", "extra storage[].replica[]"}},
		{doc: "patch_user_resource_vm_user", method: "PATCH", path: "/v1/user-resource/vm/user", status: 200, into: success,
			body: form("uuid", fx.vm, "username", "deploy", "password", "Password1234")},
		{doc: "post_user_resource_vm_backup", method: "POST", path: "/v1/user-resource/vm/backup", status: 200, into: vm,
			body: form("uuid", fx.vm), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid", "extra public_ipv6", "extra storage[].replica[]"}},
		{doc: "post_user_resource_vm_reinstall", method: "POST", path: "/v1/user-resource/vm/reinstall", status: 200, into: vm,
			body: form("uuid", fx.vm, "os_name", "ubuntu", "os_version", "24.04"), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid", "extra id", "extra tags"}},
		{doc: "post_user_resource_vm_clone", method: "POST", path: "/v1/user-resource/vm/clone", status: 200, into: vm,
			body: form("uuid", fx.vm, "name", "Name-of-the-Clone"), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid"}},
		{doc: "post_user_resource_vm_rebuild", method: "POST", path: "/v1/user-resource/vm/rebuild", status: 200, into: vm,
			body: form("uuid", fx.vm, "replica_uuid", fx.replica), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid"}},
		{doc: "get_user_resource_vm_replica", method: "GET", path: "/v1/user-resource/vm/replica?uuid=" + fx.vm, status: 200, into: func() any { return new([]api.Replica) },
			diffs: []string{"extra []"}}, // the document's list is empty: no element to compare
		{doc: "post_user_resource_vm_replica", method: "POST", path: "/v1/user-resource/vm/replica", status: 200, into: storage,
			body: form("uuid", fx.vm)},
		{doc: "delete_user_resource_vm_replica", method: "DELETE", path: "/v1/user-resource/vm/replica", status: 200, into: success,
			body: form("replica_uuid", fx.replica)},
		{doc: "post_user_resource_vm_storage", method: "POST", path: "/v1/user-resource/vm/storage", status: 200, into: storage,
			body: form("uuid", fx.vm, "size_gb", "50")},
		{doc: "patch_user_resource_vm_storage", method: "PATCH", path: "/v1/user-resource/vm/storage", status: 200, into: storage,
			body: form("uuid", fx.vm, "disk_uuid", fx.attDisk, "size_gb", "60")},
		{doc: "delete_user_resource_vm_storage", method: "DELETE", path: "/v1/user-resource/vm/storage", status: 200, into: success,
			body: form("uuid", fx.vm, "storage_uuid", fx.attDisk)},
		{doc: "post_user_resource_vm_storage_attach", method: "POST", path: "/v1/user-resource/vm/storage/attach", status: 200, into: storage,
			body:  form("uuid", fx.vm, "storage_uuid", fx.freeDisk),
			diffs: []string{"extra shared"}}, // api.Storage.Shared has no omitempty
		{doc: "post_user_resource_vm_storage_detach", method: "POST", path: "/v1/user-resource/vm/storage/detach", status: 200, into: success,
			body: form("uuid", fx.vm, "storage_uuid", fx.attDisk)},
		{doc: "post_user_resource_vm_ip_public", method: "POST", path: "/v1/user-resource/vm/ip/public", status: 409, into: errEnv,
			body: form("uuid", fx.vm), diffs: []string{"errors only"}}, // the fixture VM already has an address; see TestDeprecatedPublicIP
		{doc: "delete_user_resource_vm_ip_public", method: "DELETE", path: "/v1/user-resource/vm/ip/public", status: 200, into: vm,
			body: form("uuid", fx.vm), diffs: []string{"extra designated_pool_name", "extra designated_pool_uuid", "extra public_ipv6", "extra storage[].id", "extra storage[].replica[]", "extra tags"}},
		{doc: "post_user_resource_resource_billing", method: "POST", path: "/v1/user-resource/resource_billing", status: 404, into: errEnv,
			body: form("billing_account_id", "0", "uuid", missingUUID)},
		{doc: "get_user_resource_billing_resources", method: "GET", path: "/v1/user-resource/billing_resources?id=129072", status: 200, into: vms,
			diffs: []string{
				"extra [].designated_pool_name", // as VM GET and create show them
				"extra [].designated_pool_uuid",
				"extra [].public_ipv6",
				"extra [].storage[].replica[]",
			}},

		// Networks.
		{doc: "get_network_networks", method: "GET", path: "/v1/network/networks", status: 200, into: func() any { return new([]api.Network) }},
		{doc: "get_network_network_network_uuid", method: "GET", path: "/v1/network/network/" + fx.net, status: 200, into: network},
		{doc: "post_network_network", method: "POST", path: "/v1/network/network?name=network3", status: 200, into: network},
		{doc: "put_network_network_network_uuid_default", method: "PUT", path: "/v1/network/network/" + fx.net + "/default", status: 200, into: network},
		{doc: "patch_network_network_network_uuid", method: "PATCH", path: "/v1/network/network/" + fx.net, status: 200, into: network,
			body: map[string]any{"name": "My new network name"}},

		// Standalone disks.
		{doc: "post_storage_disks", method: "POST", path: "/v1/storage/disks", status: 200, into: disk,
			body: form("billing_account_id", "129673", "size_gb", "50", "source_image_type", "EMPTY")},
		{doc: "get_storage_disks_disk_uuid", method: "GET", path: "/v1/storage/disks/" + fx.freeDisk, status: 200, into: disk,
			diffs: []string{
				"missing source_image", // an EMPTY disk has no source image
			}},
		{doc: "get_storage_disks", method: "GET", path: "/v1/storage/disks", status: 200, into: func() any { return new([]api.Disk) }},
		{doc: "patch_storage_disks_disk_uuid", method: "PATCH", path: "/v1/storage/disks/" + fx.freeDisk, status: 200, into: disk,
			body: form("billing_account_id", "129072")},

		// Floating IPs.
		{doc: "post_network_ip_addresses", method: "POST", path: "/v1/network/ip_addresses/", status: 200, into: fip,
			body: map[string]any{"name": "my_ip", "billing_account_id": 2}},
		{doc: "get_network_ip_addresses", method: "GET", path: "/v1/network/ip_addresses?billing_account_id=129072", status: 200, into: func() any { return new([]api.FloatingIP) },
			diffs: []string{"missing [].assigned_to_private_ip", "missing [].assigned_to_resource_type"}}, // only assigned addresses have them; one of the two is free
		{doc: "get_network_ip_addresses_public_ipv4_address", method: "GET", path: "/v1/network/ip_addresses/" + fx.vmIP, status: 200, into: fip},
		{doc: "patch_network_ip_addresses_public_ipv4_address", method: "PATCH", path: "/v1/network/ip_addresses/" + fx.freeIP, status: 200, into: fip,
			body: map[string]any{"name": "my_ip", "billing_account_id": 2}},
		{doc: "post_network_ip_addresses_public_ipv4_address_assign", method: "POST", path: "/v1/network/ip_addresses/" + fx.freeIP + "/assign", status: 409, into: errEnv,
			body: map[string]any{"vm_uuid": fx.vm}, diffs: []string{"errors only"}}, // the VM has an address already; see TestFloatingIPLifecycle
		{doc: "post_network_ip_addresses_public_ipv4_address_unassign", method: "POST", path: "/v1/network/ip_addresses/" + fx.vmIP + "/unassign", status: 200, into: fip,
			diffs: []string{"missing uuid"}}, // floating IPs are named by address; api.FloatingIP.UUID stays empty

		// Load balancers.
		{doc: "get_network_load_balancers", method: "GET", path: "/v1/network/load_balancers", status: 200, into: func() any { return new([]api.LoadBalancer) },
			diffs: []string{"extra [].display_name"}}, // the list example lacks display_name, every other LB example has it
		{doc: "get_network_load_balancers_load_balancer_uuid", method: "GET", path: "/v1/network/load_balancers/" + fx.lb, status: 200, into: lb,
			diffs: []string{"extra display_name"}},
		{doc: "post_network_load_balancers", method: "POST", path: "/v1/network/load_balancers", status: 200, into: lb,
			body: map[string]any{"display_name": "my LB", "billing_account_id": 129072, "network_uuid": fx.net, "reserve_public_ip": "true",
				"rules":   []map[string]any{{"source_port": 8080, "target_port": 80}},
				"targets": []map[string]any{{"target_uuid": fx.vm, "target_type": "vm"}}},
			diffs: []string{"extra public_address"}}, // where the reserved public address shows (the document does not say)
		{doc: "patch_network_load_balancers_load_balancer_uuid", method: "PATCH", path: "/v1/network/load_balancers/" + fx.lb, status: 200, into: lb,
			body: map[string]any{"display_name": "my new LB Name"}},
		{doc: "post_network_load_balancers_load_balancer_uuid_targets", method: "POST", path: "/v1/network/load_balancers/" + fx.lb + "/targets", status: 409, into: errEnv,
			body: map[string]any{"target_uuid": fx.vm, "target_type": "vm"}, diffs: []string{"errors only"}}, // already a target; see TestLoadBalancerLifecycle
		{doc: "post_network_load_balancers_load_balancer_uuid_forwarding_rules", method: "POST", path: "/v1/network/load_balancers/" + fx.lb + "/forwarding_rules", status: 200,
			into: func() any { return new(api.ForwardingRule) }, body: map[string]any{"source_port": 8081, "target_port": 80},
			diffs: []string{"extra created_at", "extra protocol", "extra settings", "extra uuid"}}, // the whole rule: its uuid is needed to drop it
		{doc: "put_network_load_balancers_load_balancer_uuid_billing_account", method: "PUT", path: "/v1/network/load_balancers/" + fx.lb + "/billing_account", status: 200, into: lb,
			body: map[string]any{"set_id": 123456}},

		// Object storage.
		{doc: "get_storage_api_s3", method: "GET", path: "/v1/storage/api/s3", status: 200, into: func() any { return new(api.S3Info) }},
		{doc: "put_storage_bucket", method: "PUT", path: "/v1/storage/bucket", status: 200, into: bucket,
			body: form("name", "pang2", "billing_account_id", "12345")},
		{doc: "patch_storage_bucket", method: "PATCH", path: "/v1/storage/bucket", status: 200, into: bucket,
			body: form("name", "pang1", "billing_account_id", "129072")},
		{doc: "get_storage_bucket", method: "GET", path: "/v1/storage/bucket?name=pang1", status: 200, into: bucket},
		{doc: "get_storage_bucket_list", method: "GET", path: "/v1/storage/bucket/list", status: 200, into: func() any { return new([]api.Bucket) },
			body: form("billing_account_id", "129072")},
		{doc: "get_storage_user", method: "GET", path: "/v1/storage/user", status: 200, into: func() any { return new(api.S3User) }},
		{doc: "get_storage_user_keys", method: "GET", path: "/v1/storage/user/keys", status: 200, into: keys},
		{doc: "post_storage_user_keys", method: "POST", path: "/v1/storage/user/keys", status: 200, into: keys},

		// Pricing.
		{doc: "get_pricing_policy", method: "GET", path: "/v1/pricing/policy", status: 200, into: func() any { return new(api.PricingPolicy) }},
	}
}

// TestConformance sends each documented request and compares the answer's
// status, JSON keys and value types with the document's example, and
// decodes it into the provider/api type with DisallowUnknownFields.
func TestConformance(t *testing.T) {
	probe := newEnv(t, Options{})
	rows := conformanceTable(newFixture(t, probe))
	seen := map[string]bool{}
	for i := range rows {
		row := rows[i]
		seen[row.doc] = true
		t.Run(row.doc, func(t *testing.T) {
			e := newEnv(t, Options{})
			fx := newFixture(t, e)
			row := conformanceTable(fx)[i]
			r := e.do(row.method, row.path, row.body)
			if r.Status != row.status {
				t.Fatalf("%s %s: status %d, want %d: %s", row.method, row.path, r.Status, row.status, r.Body)
			}
			r.strict(t, row.into())
			var got any
			r.decode(t, &got)
			doc := readDoc(t, row.doc)
			var diffs []string
			if contains(row.diffs, "errors only") {
				diffs = []string{"errors only"}
				if _, ok := got.(map[string]any)["errors"]; !ok {
					t.Fatalf("not an error envelope: %s", r.Body)
				}
			} else {
				diffs = shapeDiff(doc, got, "")
			}
			sort.Strings(diffs)
			want := append([]string(nil), row.diffs...)
			sort.Strings(want)
			if diff := cmp.Diff(want, diffs); diff != "" {
				t.Errorf("shape differences from the document (-known +found):\n%s\nanswer: %s", diff, r.Body)
			}
		})
	}
	// Every example of the document has a row.
	files, _ := filepath.Glob("../../testdata/sim/doc/*.json")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if !seen[name] {
			t.Errorf("no conformance row for %s", name)
		}
	}
}

// TestDocExamplesFitAPITypes decodes the document's own examples into the
// provider/api types and encodes them again: what does not survive is a
// field the wire types lose.
func TestDocExamplesFitAPITypes(t *testing.T) {
	types := map[string]func() any{}
	for _, row := range conformanceTable(fixture{}) {
		types[row.doc] = row.into
	}
	// Doc examples whose answer type differs from the simulator's row.
	types["post_user_resource_vm_ip_public"] = func() any { return new(api.VM) }
	types["post_network_ip_addresses_public_ipv4_address_assign"] = func() any { return new(api.FloatingIP) }
	types["post_network_load_balancers_load_balancer_uuid_targets"] = func() any { return new(api.LBTarget) }
	// No known losses: api.Nullable keeps the document's nulls (hypervisor_id,
	// public_ipv4, storage updated_at) and omitzero its empty lists.
	known := map[string][]string{}
	for name, into := range types {
		doc := readDoc(t, name)
		b, _ := json.Marshal(doc)
		v := into()
		if err := json.Unmarshal(b, v); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b2, _ := json.Marshal(v)
		var back any
		_ = json.Unmarshal(b2, &back)
		lost := shapeDiff(doc, back, "")
		var onlyLost []string
		for _, l := range lost {
			if !strings.HasPrefix(l, "extra ") {
				onlyLost = append(onlyLost, l)
			}
		}
		sort.Strings(onlyLost)
		want := known[name]
		sort.Strings(want)
		if diff := cmp.Diff(want, onlyLost, cmpEmpty); diff != "" {
			t.Errorf("%s: fields lost through the api type (-known +found):\n%s", name, diff)
		}
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
})

func readDoc(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sim", "doc", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameKind narrows a document array to the elements describing the same
// thing as e (/api/parameters/vm lists different parameters).
func sameKind(d []any, e any) []any {
	m, ok := e.(map[string]any)
	if !ok || m["parameter"] == nil {
		return d
	}
	for _, x := range d {
		if xm, ok := x.(map[string]any); ok && xm["parameter"] == m["parameter"] {
			return []any{x}
		}
	}
	return d
}

// merge folds the elements of a document array into one example: the union
// of their keys, with the keys every element has as required.
func merge(xs []any) (example any, required map[string]bool) {
	var obj map[string]any
	for i, x := range xs {
		m, ok := x.(map[string]any)
		if !ok {
			return xs[0], nil
		}
		if i == 0 {
			obj, required = map[string]any{}, map[string]bool{}
			for k := range m {
				required[k] = true
			}
		}
		for k, v := range m {
			if old, ok := obj[k]; !ok || old == nil {
				obj[k] = v
			}
		}
		for k := range required {
			if _, ok := m[k]; !ok {
				delete(required, k)
			}
		}
	}
	return obj, required
}

// shapeDiff compares the keys and value types of got with the document's
// example doc: "missing k" (the document has it, the answer not), "extra k"
// (the answer has it, the example not; also for elements of an array the
// document shows empty), "type k doc" (different JSON types; a null in the
// document matches anything).
func shapeDiff(doc, got any, path string) []string {
	var out []string
	dk, gk := kind(doc), kind(got)
	switch {
	case dk == "null":
		return nil
	case gk == "null": // nullable: the document shows a value, the answer none
		return nil
	case dk != gk:
		return []string{"type " + path + " " + dk}
	}
	switch d := doc.(type) {
	case map[string]any:
		g := got.(map[string]any)
		return objectDiff(d, g, nil, path)
	case []any:
		g := got.([]any)
		if len(g) == 0 {
			return nil
		}
		if len(d) == 0 {
			return []string{"extra " + path + "[]"}
		}
		seen := map[string]bool{}
		for _, e := range g {
			ex, req := merge(sameKind(d, e))
			var ds []string
			if m, ok := ex.(map[string]any); ok {
				if gm, ok := e.(map[string]any); ok {
					ds = objectDiff(m, gm, req, path+"[]")
				} else {
					ds = []string{"type " + path + "[] object"}
				}
			} else {
				ds = shapeDiff(ex, e, path+"[]")
			}
			for _, x := range ds {
				if !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
		}
	}
	return out
}

func objectDiff(d, g map[string]any, required map[string]bool, path string) []string {
	var out []string
	prefix := path
	if prefix != "" && !strings.HasSuffix(prefix, "[]") {
		prefix += "."
	} else if strings.HasSuffix(prefix, "[]") {
		prefix += "."
	}
	for k, dv := range d {
		gv, ok := g[k]
		if !ok {
			if required == nil || required[k] {
				out = append(out, "missing "+prefix+k)
			}
			continue
		}
		out = append(out, shapeDiff(dv, gv, prefix+k)...)
	}
	for k := range g {
		if _, ok := d[k]; !ok {
			out = append(out, "extra "+prefix+k)
		}
	}
	return out
}

// TestConformanceEmptyAnswers covers the documented calls whose answer is
// a status with no body.
func TestConformanceEmptyAnswers(t *testing.T) {
	tests := []struct {
		reason       string
		method, path string
		body         func(fixture) any
		status       int
	}{
		{"disk delete is 204 (document)", "DELETE", "/v1/storage/disks/{freeDisk}", nil, 204},
		{"bucket delete is 204 (document), name in the form", "DELETE", "/v1/storage/bucket", func(fixture) any { return form("name", "pang1") }, 204},
		{"bucket delete, name in the query", "DELETE", "/v1/storage/bucket?name=pang1", nil, 204},
		{"VM delete is 200, empty (API-NOTES)", "DELETE", "/v1/user-resource/vm", func(fx fixture) any { return form("uuid", fx.vm) }, 200},
		{"network delete answers empty (document)", "DELETE", "/v1/network/network/{emptyNet}", nil, 200},
		{"floating IP delete is 200, empty (document)", "DELETE", "/v1/network/ip_addresses/{freeIP}", nil, 200},
		{"LB delete is 200, empty (document)", "DELETE", "/v1/network/load_balancers/{lb}", nil, 200},
		{"LB target unlink is 200, empty (document)", "DELETE", "/v1/network/load_balancers/{lb}/targets/{vm}", nil, 200},
		{"LB rule drop is 200, empty (document)", "DELETE", "/v1/network/load_balancers/{lb}/forwarding_rules/{rule}", nil, 200},
		{"S3 key delete answers empty (document)", "DELETE", "/v1/storage/user/keys", func(fx fixture) any { return form("access_key", fx.s3Key) }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			e := newEnv(t, Options{})
			fx := newFixture(t, e)
			var n api.Network
			e.must(200, "POST", "/v1/network/network?name=empty", nil).decode(t, &n)
			path := strings.NewReplacer("{freeDisk}", fx.freeDisk, "{emptyNet}", n.UUID, "{freeIP}", fx.freeIP,
				"{lb}", fx.lb, "{vm}", fx.vm, "{rule}", fx.rule).Replace(tt.path)
			var body any
			if tt.body != nil {
				body = tt.body(fx)
			}
			r := e.must(tt.status, tt.method, path, body)
			if len(r.Body) != 0 {
				t.Fatalf("body %q, want none", r.Body)
			}
		})
	}
}
