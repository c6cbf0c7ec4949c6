package sim

import (
	"testing"

	"github.com/idstack/idstack/provider/api"
)

func TestLoadBalancerLifecycle(t *testing.T) {
	e := newEnv(t, Options{})
	var app api.Network
	e.must(200, "POST", "/v1/network/network?name=app", nil).decode(t, &app)
	vm := e.createVM("", "network_uuid", app.UUID)
	var lb api.LoadBalancer
	// The document's example sends reserve_public_ip as a string.
	e.must(200, "POST", "/v1/network/load_balancers", map[string]any{
		"display_name": "my LB", "billing_account_id": 129072, "network_uuid": app.UUID,
		"reserve_public_ip": "true",
		"rules":             []map[string]any{{"source_port": 8080, "target_port": 80}},
		"targets":           []map[string]any{{"target_uuid": vm.UUID, "target_type": "vm"}},
	}).strict(t, &lb)
	if lb.DisplayName != "my LB" || lb.NetworkUUID != app.UUID || lb.PublicAddress == "" ||
		len(lb.ForwardingRules) != 1 || lb.ForwardingRules[0].Protocol != "TCP" ||
		len(lb.Targets) != 1 || lb.Targets[0].TargetIPAddress != vm.PrivateIPv4 {
		t.Fatalf("created %+v", lb)
	}
	// The load balancer is a resource of its network.
	var n api.Network
	e.must(200, "GET", "/v1/network/network/"+app.UUID, nil).decode(t, &n)
	if n.ResourcesCount != 2 || len(n.VMUUIDs) != 1 {
		t.Fatalf("network %+v", n)
	}
	e.must(200, "DELETE", "/v1/user-resource/vm", form("uuid", vm.UUID))
	e.must(409, "DELETE", "/v1/network/network/"+app.UUID, nil)

	e.must(200, "PATCH", "/v1/network/load_balancers/"+lb.UUID, map[string]any{"display_name": "renamed"}).decode(t, &lb)
	if lb.DisplayName != "renamed" || len(lb.Targets) != 0 {
		t.Fatalf("patched %+v", lb)
	}
	e.must(400, "PATCH", "/v1/network/load_balancers/"+lb.UUID, map[string]any{})
	other := e.createVM("", "name", "web-2")
	var tg api.LBTarget
	e.must(200, "POST", "/v1/network/load_balancers/"+lb.UUID+"/targets", map[string]any{"target_uuid": other.UUID, "target_type": "vm"}).strict(t, &tg)
	e.must(409, "POST", "/v1/network/load_balancers/"+lb.UUID+"/targets", map[string]any{"target_uuid": other.UUID, "target_type": "vm"})
	e.must(400, "POST", "/v1/network/load_balancers/"+lb.UUID+"/targets", map[string]any{"target_uuid": "nope", "target_type": "vm"})
	var rule api.ForwardingRule
	e.must(200, "POST", "/v1/network/load_balancers/"+lb.UUID+"/forwarding_rules", map[string]any{"source_port": "443", "target_port": 8443}).strict(t, &rule)
	if rule.SourcePort != 443 || rule.UUID == "" {
		t.Fatalf("rule %+v", rule)
	}
	e.must(400, "POST", "/v1/network/load_balancers/"+lb.UUID+"/forwarding_rules", map[string]any{"source_port": 0, "target_port": 80})
	e.must(409, "POST", "/v1/network/load_balancers/"+lb.UUID+"/forwarding_rules", map[string]any{"source_port": 443, "target_port": 80})
	e.must(200, "DELETE", "/v1/network/load_balancers/"+lb.UUID+"/forwarding_rules/"+rule.UUID, nil)
	e.must(404, "DELETE", "/v1/network/load_balancers/"+lb.UUID+"/forwarding_rules/"+rule.UUID, nil)
	e.must(200, "DELETE", "/v1/network/load_balancers/"+lb.UUID+"/targets/"+other.UUID, nil)
	e.must(200, "PUT", "/v1/network/load_balancers/"+lb.UUID+"/billing_account", map[string]any{"set_id": 129188}).decode(t, &lb)
	if lb.BillingAccountID != SecondBillingAccount {
		t.Fatalf("billing %d", lb.BillingAccountID)
	}
	e.must(400, "PUT", "/v1/network/load_balancers/"+lb.UUID+"/billing_account", map[string]any{"set_id": 5})
	var lbs []api.LoadBalancer
	e.must(200, "GET", "/v1/network/load_balancers", nil).decode(t, &lbs)
	if len(lbs) != 1 {
		t.Fatalf("list %+v", lbs)
	}
	e.must(200, "DELETE", "/v1/network/load_balancers/"+lb.UUID, nil)
	e.must(404, "GET", "/v1/network/load_balancers/"+lb.UUID, nil)
	// Its address is released with it; the network is now empty.
	if w := e.sim.World(); len(w.FloatingIPs) != 0 {
		t.Fatalf("floating IPs left %+v", w.FloatingIPs)
	}
	e.must(200, "DELETE", "/v1/network/network/"+app.UUID, nil)
}
