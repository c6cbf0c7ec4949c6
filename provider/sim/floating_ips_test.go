package sim

import (
	"bytes"
	"strconv"
	"strings"
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
	e.must(400, "POST", "/v1/network/ip_addresses", map[string]any{"name": "x", "billing_account_id": 999})
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
	e.must(200, "GET", "/v1/network/ip_addresses?billing_account_id=129188", nil).decode(t, &byVM)
	if len(byVM) != 0 {
		t.Fatalf("by billing %+v", byVM)
	}
	e.must(200, "PATCH", "/v1/network/ip_addresses/"+f.Address, map[string]any{"name": "renamed", "billing_account_id": 129188}).decode(t, &f)
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

// TestFloatingIPNeedsBillingAccount: the document marks billing_account_id
// required for a floating IP; without it the API answers 400, in both
// modes, and reserves nothing.
func TestFloatingIPNeedsBillingAccount(t *testing.T) {
	t.Parallel()
	bodies := []struct {
		reason string
		body   any
		want   string
	}{
		{"no body", nil, "billing_account_id is required"},
		{"name only", map[string]any{"name": "web-ip"}, "billing_account_id is required"},
		{"null", map[string]any{"name": "web-ip", "billing_account_id": nil}, "billing_account_id is required"},
		{"zero", map[string]any{"name": "web-ip", "billing_account_id": 0}, "Provided billing account is incorrect."},
		{"unknown", map[string]any{"name": "web-ip", "billing_account_id": 999}, "Provided billing account is incorrect."},
	}
	for _, m := range modes {
		for _, b := range bodies {
			t.Run(m.name+"/"+b.reason, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, Options{Quirks: m.quirks})
				r := e.must(400, "POST", "/v1/network/ip_addresses", b.body)
				if !strings.Contains(r.errMsg(), b.want) {
					t.Fatalf("message %q, want %q", r.errMsg(), b.want)
				}
				if live := bytes.Contains(r.Body, []byte(`"message"`)); live != (m.quirks == QuirksLive) {
					t.Fatalf("error shape %s in %s mode", r.Body, m.name)
				}
				if n := len(e.sim.World().FloatingIPs); n != 0 {
					t.Fatalf("%d floating IPs reserved", n)
				}
			})
		}
	}
}

// TestDocumentBillingAccounts: every billing account id the document's
// examples use is one of the account's, so a copied example gets the
// document's answer.
func TestDocumentBillingAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	vm := e.createVM("")
	var lb api.LoadBalancer
	e.must(200, "POST", "/v1/network/load_balancers", map[string]any{"display_name": "lb", "reserve_public_ip": false}).decode(t, &lb)
	for _, id := range []int{129072, 129188, 6, 7, 1, 2, 12345, 123456, 129093, 129552, 129673, 130157} {
		t.Run(strconv.Itoa(id), func(t *testing.T) {
			var f api.FloatingIP
			e.must(200, "POST", "/v1/network/ip_addresses", map[string]any{"name": "my_ip", "billing_account_id": id}).decode(t, &f)
			var d api.Disk
			e.must(200, "POST", "/v1/storage/disks", form("billing_account_id", strconv.Itoa(id), "size_gb", "50", "source_image_type", "EMPTY")).decode(t, &d)
			var v api.VM
			e.must(200, "POST", "/v1/user-resource/resource_billing", form("uuid", vm.UUID, "billing_account_id", strconv.Itoa(id))).decode(t, &v)
			var l api.LoadBalancer
			e.must(200, "PUT", "/v1/network/load_balancers/"+lb.UUID+"/billing_account", map[string]any{"set_id": id}).decode(t, &l)
			if f.BillingAccountID != id || d.BillingAccountID != id || v.BillingAccount != id || l.BillingAccountID != id {
				t.Fatalf("billing accounts: fip %d, disk %d, vm %d, lb %d; want %d", f.BillingAccountID, d.BillingAccountID, v.BillingAccount, l.BillingAccountID, id)
			}
		})
	}
	if w := e.sim.World(); w.BillingAccounts[0] != DefaultBillingAccount || w.BillingAccounts[1] != SecondBillingAccount {
		t.Fatalf("billing accounts %v: the default first, then the second", w.BillingAccounts)
	}
}
