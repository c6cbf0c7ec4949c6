package sim

import (
	"testing"

	"github.com/idstack/idstack/provider/api"
)

func TestFloatingIPLifecycle(t *testing.T) {
	e := newEnv(t, Options{})
	var f api.FloatingIP
	e.must(200, "POST", "/v1/network/ip_addresses/", map[string]any{"name": "my_ip", "billing_account_id": 129072}).strict(t, &f)
	if f.Address == "" || f.AssignedTo != nil || f.Type != "public" || f.NetworkID != nil || !f.Enabled {
		t.Fatalf("created %+v", f)
	}
	e.must(400, "POST", "/v1/network/ip_addresses", map[string]any{"name": "x", "billing_account_id": 1})
	vm := e.createVM("")
	e.must(200, "POST", "/v1/network/ip_addresses/"+f.Address+"/assign", map[string]any{"vm_uuid": vm.UUID}).decode(t, &f)
	if f.AssignedTo == nil || *f.AssignedTo != vm.UUID || f.AssignedToResourceType != "virtual_machine" || f.AssignedToPrivateIP != vm.PrivateIPv4 {
		t.Fatalf("assigned %+v", f)
	}
	var byVM []api.FloatingIP
	e.must(200, "GET", "/v1/network/ip_addresses?vm_uuid="+vm.UUID, nil).decode(t, &byVM)
	if len(byVM) != 1 {
		t.Fatalf("by vm %+v", byVM)
	}
	e.must(200, "GET", "/v1/network/ip_addresses?billing_account_id=129073", nil).decode(t, &byVM)
	if len(byVM) != 0 {
		t.Fatalf("by billing %+v", byVM)
	}
	e.must(200, "PATCH", "/v1/network/ip_addresses/"+f.Address, map[string]any{"name": "renamed", "billing_account_id": 129073}).decode(t, &f)
	if f.Name != "renamed" || f.BillingAccountID != SecondBillingAccount {
		t.Fatalf("patched %+v", f)
	}
	e.must(200, "POST", "/v1/network/ip_addresses/"+f.Address+"/unassign", nil).decode(t, &f)
	if f.AssignedTo != nil || f.UnassignedAt == "" {
		t.Fatalf("unassigned %+v", f)
	}
	e.must(409, "POST", "/v1/network/ip_addresses/"+f.Address+"/unassign", nil)
	r := e.must(200, "DELETE", "/v1/network/ip_addresses/"+f.Address, nil)
	if len(r.Body) != 0 {
		t.Fatalf("delete body %q", r.Body)
	}
	e.must(404, "GET", "/v1/network/ip_addresses/"+f.Address, nil)
	// Floating IPs are per location.
	e.must(200, "POST", "/v1/sgp01/network/ip_addresses", map[string]any{"billing_account_id": 129072}).decode(t, &f)
	e.must(404, "GET", "/v1/network/ip_addresses/"+f.Address, nil)
	e.must(200, "GET", "/v1/sgp01/network/ip_addresses/"+f.Address, nil)
}
