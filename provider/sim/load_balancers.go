package sim

import (
	"strings"

	"github.com/idstack/idstack/provider/api"
)

type lbRuleBody struct {
	SourcePort flexInt `json:"source_port"`
	TargetPort flexInt `json:"target_port"`
}

type lbTargetBody struct {
	TargetUUID string `json:"target_uuid"`
	TargetType string `json:"target_type"`
}

type lbBody struct {
	DisplayName      *string        `json:"display_name"`
	BillingAccountID flexInt        `json:"billing_account_id"`
	NetworkUUID      string         `json:"network_uuid"`
	ReservePublicIP  flexBool       `json:"reserve_public_ip"`
	Rules            []lbRuleBody   `json:"rules"`
	Targets          []lbTargetBody `json:"targets"`
}

func (w *World) lb(loc, uuid string) *LoadBalancer {
	for i := range w.LoadBalancers {
		if w.LoadBalancers[i].Location == loc && w.LoadBalancers[i].API.UUID == uuid {
			return &w.LoadBalancers[i]
		}
	}
	return nil
}

// lbJSON is a load balancer as the API shows it.
func lbJSON(lb *LoadBalancer) api.LoadBalancer {
	out := lb.API
	out.ForwardingRules = append([]api.ForwardingRule{}, lb.API.ForwardingRules...)
	out.Targets = append([]api.LBTarget{}, lb.API.Targets...)
	return out
}

// rule validates a forwarding rule and gives it its server-side fields.
func (c *call) rule(b lbRuleBody, existing []api.ForwardingRule) (api.ForwardingRule, *apiErr) {
	if !b.SourcePort.Set || !b.TargetPort.Set {
		return api.ForwardingRule{}, badRequest("source_port and target_port are required")
	}
	for _, p := range []int{b.SourcePort.V, b.TargetPort.V} {
		if p < 1 || p > 65535 {
			return api.ForwardingRule{}, badRequest("ports must be between 1 and 65535, got %d", p)
		}
	}
	for _, r := range existing {
		if r.SourcePort == b.SourcePort.V {
			return api.ForwardingRule{}, conflict("a forwarding rule for source port %d already exists", r.SourcePort)
		}
	}
	return api.ForwardingRule{
		UUID: c.s.newUUID(c.w), Protocol: "TCP", CreatedAt: c.ts(),
		SourcePort: b.SourcePort.V, TargetPort: b.TargetPort.V,
		Settings: &api.RuleSettings{ConnectionLimit: 10000, SessionPersistence: "SOURCE_IP"},
	}, nil
}

// target validates a target: a VM of the location.
func (c *call) target(b lbTargetBody, existing []api.LBTarget) (api.LBTarget, *apiErr) {
	if b.TargetUUID == "" || b.TargetType == "" {
		return api.LBTarget{}, badRequest("target_uuid and target_type are required")
	}
	if b.TargetType != "vm" {
		return api.LBTarget{}, badRequest("target_type must be \"vm\", got %q", b.TargetType)
	}
	v := c.w.vm(c.loc, b.TargetUUID)
	if v == nil {
		return api.LBTarget{}, badRequest("No such virtual machine exists. %s", b.TargetUUID)
	}
	for _, t := range existing {
		if t.TargetUUID == b.TargetUUID {
			return api.LBTarget{}, conflict("%s is already a target of this load balancer", b.TargetUUID)
		}
	}
	return api.LBTarget{CreatedAt: c.ts(), TargetUUID: v.API.UUID, TargetType: "vm", TargetIPAddress: v.API.PrivateIPv4}, nil
}

func postLB(c *call) (result, *apiErr) {
	var b lbBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	billing := c.w.defaultBilling()
	if b.BillingAccountID.Set && b.BillingAccountID.V != 0 {
		if !c.w.billingOK(b.BillingAccountID.V) {
			return result{}, billingErr()
		}
		billing = b.BillingAccountID.V
	}
	var net *Network
	if b.NetworkUUID != "" {
		if net = c.w.network(c.loc, b.NetworkUUID); net == nil {
			return result{}, badRequest("Network not found: %s", b.NetworkUUID)
		}
	}
	lb := api.LoadBalancer{UserID: c.w.UserID, BillingAccountID: billing, CreatedAt: c.ts(), UpdatedAt: c.ts(),
		ForwardingRules: []api.ForwardingRule{}, Targets: []api.LBTarget{}}
	if b.DisplayName != nil {
		lb.DisplayName = strings.TrimSpace(*b.DisplayName)
	}
	for _, rb := range b.Rules {
		r, e := c.rule(rb, lb.ForwardingRules)
		if e != nil {
			return result{}, e
		}
		lb.ForwardingRules = append(lb.ForwardingRules, r)
	}
	for _, tb := range b.Targets {
		t, e := c.target(tb, lb.Targets)
		if e != nil {
			return result{}, e
		}
		lb.Targets = append(lb.Targets, t)
	}
	if net == nil {
		if net = c.w.defaultNetwork(c.loc); net == nil {
			net = c.s.newNetwork(c.w, c.loc, DefaultNetworkName)
			net.API.IsDefault = true
		}
	}
	lb.UUID = c.s.newUUID(c.w)
	lb.NetworkUUID = net.API.UUID
	lb.PrivateAddress = net.allocIP()
	if b.ReservePublicIP.V {
		f := c.s.newFloatingIP(c, "", billing)
		uuid := lb.UUID
		f.API.AssignedTo = &uuid
		f.API.AssignedToResourceType = "load_balancer"
		f.API.AssignedToPrivateIP = lb.PrivateAddress
		lb.PublicAddress = f.API.Address
	}
	c.w.LoadBalancers = append(c.w.LoadBalancers, LoadBalancer{Location: c.loc, API: lb})
	return ok(lbJSON(&c.w.LoadBalancers[len(c.w.LoadBalancers)-1])), nil
}

func listLBs(c *call) (result, *apiErr) {
	out := []api.LoadBalancer{}
	for i := range c.w.LoadBalancers {
		if c.w.LoadBalancers[i].Location == c.loc {
			out = append(out, lbJSON(&c.w.LoadBalancers[i]))
		}
	}
	return ok(out), nil
}

func (c *call) lbParam() (*LoadBalancer, *apiErr) {
	id := c.params["uuid"]
	lb := c.w.lb(c.loc, id)
	if lb == nil {
		return nil, notFound("Load balancer not found: %s", id)
	}
	return lb, nil
}

func getLB(c *call) (result, *apiErr) {
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	return ok(lbJSON(lb)), nil
}

func patchLB(c *call) (result, *apiErr) {
	var b lbBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	if b.DisplayName == nil || strings.TrimSpace(*b.DisplayName) == "" {
		return result{}, badRequest("display_name is required")
	}
	lb.API.DisplayName = strings.TrimSpace(*b.DisplayName)
	lb.API.UpdatedAt = c.ts()
	return ok(lbJSON(lb)), nil
}

// deleteLB deletes a load balancer and releases the address it reserved.
func deleteLB(c *call) (result, *apiErr) {
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	uuid := lb.API.UUID
	for i := range c.w.LoadBalancers {
		if c.w.LoadBalancers[i].API.UUID == uuid {
			c.w.LoadBalancers = append(c.w.LoadBalancers[:i], c.w.LoadBalancers[i+1:]...)
			break
		}
	}
	fips := c.w.FloatingIPs[:0]
	for _, f := range c.w.FloatingIPs {
		if f.API.AssignedTo != nil && *f.API.AssignedTo == uuid {
			continue
		}
		fips = append(fips, f)
	}
	c.w.FloatingIPs = fips
	return emptyOK(), nil
}

func postLBTarget(c *call) (result, *apiErr) {
	var b lbTargetBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	t, e := c.target(b, lb.API.Targets)
	if e != nil {
		return result{}, e
	}
	lb.API.Targets = append(lb.API.Targets, t)
	lb.API.UpdatedAt = c.ts()
	return ok(t), nil
}

func deleteLBTarget(c *call) (result, *apiErr) {
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	id := c.params["target"]
	for i, t := range lb.API.Targets {
		if t.TargetUUID == id {
			lb.API.Targets = append(lb.API.Targets[:i], lb.API.Targets[i+1:]...)
			lb.API.UpdatedAt = c.ts()
			return emptyOK(), nil
		}
	}
	return result{}, notFound("%s is not a target of load balancer %s", id, lb.API.UUID)
}

func postLBRule(c *call) (result, *apiErr) {
	var b lbRuleBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	r, e := c.rule(b, lb.API.ForwardingRules)
	if e != nil {
		return result{}, e
	}
	lb.API.ForwardingRules = append(lb.API.ForwardingRules, r)
	lb.API.UpdatedAt = c.ts()
	return ok(r), nil
}

func deleteLBRule(c *call) (result, *apiErr) {
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	id := c.params["rule"]
	for i, r := range lb.API.ForwardingRules {
		if r.UUID == id {
			lb.API.ForwardingRules = append(lb.API.ForwardingRules[:i], lb.API.ForwardingRules[i+1:]...)
			lb.API.UpdatedAt = c.ts()
			return emptyOK(), nil
		}
	}
	return result{}, notFound("No such forwarding rule on load balancer %s: %s", lb.API.UUID, id)
}

func putLBBilling(c *call) (result, *apiErr) {
	var b struct {
		SetID flexInt `json:"set_id"`
	}
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	lb, e := c.lbParam()
	if e != nil {
		return result{}, e
	}
	if !b.SetID.Set {
		return result{}, badRequest("set_id is required")
	}
	if !c.w.billingOK(b.SetID.V) {
		return result{}, billingErr()
	}
	lb.API.BillingAccountID = b.SetID.V
	lb.API.UpdatedAt = c.ts()
	return ok(lbJSON(lb)), nil
}
