package idcloudhost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// Load balancers speak JSON.
const lbPath = "/network/load_balancers"

func lbAt(uuid string) string { return lbPath + "/" + url.PathEscape(uuid) }

// LBCreate is the JSON body of POST /v1/{location}/network/load_balancers.
type LBCreate struct {
	DisplayName      string       `json:"display_name"`
	BillingAccountID int          `json:"billing_account_id,omitempty"`
	NetworkUUID      string       `json:"network_uuid,omitempty"`
	ReservePublicIP  bool         `json:"reserve_public_ip"`
	Rules            []LBRule     `json:"rules"`
	Targets          []LBTargetID `json:"targets"`
}

// LBRule is a forwarding rule to add.
type LBRule struct {
	SourcePort int `json:"source_port"`
	TargetPort int `json:"target_port"`
}

// LBTargetID is a target to add.
type LBTargetID struct {
	TargetUUID string `json:"target_uuid"`
	TargetType string `json:"target_type"`
}

// ListLoadBalancers is GET /v1/{location}/network/load_balancers.
func (c *Client) ListLoadBalancers(ctx context.Context, location string) ([]api.LoadBalancer, error) {
	var out []api.LoadBalancer
	err := c.do(ctx, idempotent, http.MethodGet, location, lbPath, nil, &out)
	return out, err
}

// GetLoadBalancer is GET /v1/{location}/network/load_balancers/{uuid}.
func (c *Client) GetLoadBalancer(ctx context.Context, location, uuid string) (api.LoadBalancer, error) {
	var out api.LoadBalancer
	err := c.do(ctx, idempotent, http.MethodGet, location, lbAt(uuid), nil, &out)
	return out, err
}

// CreateLoadBalancer is POST /v1/{location}/network/load_balancers. Never
// retried.
func (c *Client) CreateLoadBalancer(ctx context.Context, location string, body LBCreate) (api.LoadBalancer, error) {
	var out api.LoadBalancer
	err := c.do(ctx, once, http.MethodPost, location, lbPath, body, &out)
	return out, err
}

// RenameLoadBalancer is PATCH …/load_balancers/{uuid} {"display_name"}.
func (c *Client) RenameLoadBalancer(ctx context.Context, location, uuid, name string) (api.LoadBalancer, error) {
	var out api.LoadBalancer
	err := c.do(ctx, idempotent, http.MethodPatch, location, lbAt(uuid), map[string]string{"display_name": name}, &out)
	return out, err
}

// SetLoadBalancerBilling is PUT …/load_balancers/{uuid}/billing_account
// {"set_id"}.
func (c *Client) SetLoadBalancerBilling(ctx context.Context, location, uuid string, billingAccount int) (api.LoadBalancer, error) {
	var out api.LoadBalancer
	err := c.do(ctx, idempotent, http.MethodPut, location, lbAt(uuid)+"/billing_account", map[string]int{"set_id": billingAccount}, &out)
	return out, err
}

// AddLoadBalancerRule is POST …/load_balancers/{uuid}/forwarding_rules.
func (c *Client) AddLoadBalancerRule(ctx context.Context, location, uuid string, rule LBRule) error {
	return c.do(ctx, once, http.MethodPost, location, lbAt(uuid)+"/forwarding_rules", rule, nil)
}

// DeleteLoadBalancerRule is DELETE …/load_balancers/{uuid}/forwarding_rules/{rule}.
func (c *Client) DeleteLoadBalancerRule(ctx context.Context, location, uuid, rule string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, lbAt(uuid)+"/forwarding_rules/"+url.PathEscape(rule), nil, nil)
}

// AddLoadBalancerTarget is POST …/load_balancers/{uuid}/targets with
// target_type "vm".
func (c *Client) AddLoadBalancerTarget(ctx context.Context, location, uuid, vmUUID string) error {
	return c.do(ctx, once, http.MethodPost, location, lbAt(uuid)+"/targets", LBTargetID{TargetUUID: vmUUID, TargetType: "vm"}, nil)
}

// DeleteLoadBalancerTarget is DELETE …/load_balancers/{uuid}/targets/{target}.
func (c *Client) DeleteLoadBalancerTarget(ctx context.Context, location, uuid, target string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, lbAt(uuid)+"/targets/"+url.PathEscape(target), nil, nil)
}

// DeleteLoadBalancer is DELETE /v1/{location}/network/load_balancers/{uuid}.
func (c *Client) DeleteLoadBalancer(ctx context.Context, location, uuid string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, lbAt(uuid), nil, nil)
}

func loadBalancerObject(location string, lb api.LoadBalancer) provider.Object {
	rules := make([]any, 0, len(lb.ForwardingRules))
	for _, r := range lb.ForwardingRules {
		rules = append(rules, map[string]any{"source_port": r.SourcePort, "target_port": r.TargetPort, "uuid": r.UUID})
	}
	targets := make([]any, 0, len(lb.Targets))
	for _, t := range lb.Targets {
		targets = append(targets, t.TargetUUID)
	}
	return provider.Object{
		Kind: LoadBalancers, Location: location, ID: lb.UUID, Name: lb.DisplayName,
		Attrs: provider.Attrs{
			"name":            lb.DisplayName,
			"network":         lb.NetworkUUID,
			"billing_account": lb.BillingAccountID,
			"private_address": lb.PrivateAddress,
			"rules":           rules,
			"targets":         targets,
		},
	}
}

func (c *Client) listLoadBalancerObjects(ctx context.Context, location string) ([]provider.Object, error) {
	lbs, err := c.ListLoadBalancers(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(lbs))
	for _, lb := range lbs {
		out = append(out, loadBalancerObject(location, lb))
	}
	return out, nil
}

// rulesOf reads a rules attribute: a list of {source_port, target_port}.
func rulesOf(field string, v any) ([]LBRule, error) {
	items, err := listOf(field, v)
	if err != nil {
		return nil, err
	}
	out := make([]LBRule, 0, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: want {source_port, target_port}, got %T", field, i, it)
		}
		r := provider.AttrReader{Attrs: m}
		rule := LBRule{SourcePort: r.Int("source_port"), TargetPort: r.Int("target_port")}
		if r.Err != nil {
			return nil, fmt.Errorf("%s[%d].%w", field, i, r.Err)
		}
		out = append(out, rule)
	}
	return out, nil
}

// stringsOf reads a list of strings (vm uuids).
func stringsOf(field string, v any) ([]string, error) {
	items, err := listOf(field, v)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, err := provider.AsString(fmt.Sprintf("%s[%d]", field, i), it)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func listOf(field string, v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: want a list, got %T", field, v)
}

func (c *Client) createLoadBalancer(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	body := LBCreate{
		DisplayName:      r.Str("name"),
		NetworkUUID:      r.Str("network"),
		BillingAccountID: r.Int("billing_account"),
		ReservePublicIP:  r.Bool("reserve_public_ip"),
		Rules:            []LBRule{},
		Targets:          []LBTargetID{},
	}
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	rules, err := rulesOf("rules", a["rules"])
	if err != nil {
		return provider.Object{}, err
	}
	body.Rules = append(body.Rules, rules...)
	targets, err := stringsOf("targets", a["targets"])
	if err != nil {
		return provider.Object{}, err
	}
	for _, t := range targets {
		body.Targets = append(body.Targets, LBTargetID{TargetUUID: t, TargetType: "vm"})
	}
	lb, err := c.CreateLoadBalancer(ctx, location, body)
	if err != nil {
		return provider.Object{}, err
	}
	return loadBalancerObject(location, lb), nil
}

// updateLoadBalancer renames, changes the billing account, then reconciles
// rules and targets item by item against the live load balancer: missing
// ones are added, ones no longer wanted removed.
func (c *Client) updateLoadBalancer(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("name", "billing_account", "rules", "targets"); err != nil {
		return provider.Object{}, fmt.Errorf("load balancer %s: %w", id, err)
	}
	lb, err := c.GetLoadBalancer(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	if ch, ok := cs["name"]; ok {
		name, err := provider.AsString("name", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if name != lb.DisplayName {
			if _, err := c.RenameLoadBalancer(ctx, location, id, name); err != nil {
				return provider.Object{}, err
			}
		}
	}
	if ch, ok := cs["billing_account"]; ok {
		n, err := provider.AsInt("billing_account", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if n != lb.BillingAccountID {
			if _, err := c.SetLoadBalancerBilling(ctx, location, id, n); err != nil {
				return provider.Object{}, err
			}
		}
	}
	if ch, ok := cs["rules"]; ok {
		want, err := rulesOf("rules", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if err := c.reconcileRules(ctx, location, lb, want); err != nil {
			return provider.Object{}, err
		}
	}
	if ch, ok := cs["targets"]; ok {
		want, err := stringsOf("targets", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if err := c.reconcileTargets(ctx, location, lb, want); err != nil {
			return provider.Object{}, err
		}
	}
	lb, err = c.GetLoadBalancer(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	return loadBalancerObject(location, lb), nil
}

func (c *Client) reconcileRules(ctx context.Context, location string, lb api.LoadBalancer, want []LBRule) error {
	wanted := map[LBRule]bool{}
	for _, r := range want {
		wanted[r] = true
	}
	have := map[LBRule]bool{}
	for _, r := range lb.ForwardingRules {
		k := LBRule{SourcePort: r.SourcePort, TargetPort: r.TargetPort}
		if !wanted[k] || have[k] { // unwanted, or a duplicate
			if err := c.DeleteLoadBalancerRule(ctx, location, lb.UUID, r.UUID); err != nil && !isNotFound(err) {
				return err
			}
			continue
		}
		have[k] = true
	}
	for _, r := range want {
		if have[r] {
			continue
		}
		err := c.AddLoadBalancerRule(ctx, location, lb.UUID, r)
		err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
			cur, err := c.GetLoadBalancer(ctx, location, lb.UUID)
			return slices.ContainsFunc(cur.ForwardingRules, func(f api.ForwardingRule) bool {
				return f.SourcePort == r.SourcePort && f.TargetPort == r.TargetPort
			}), err
		})
		if err != nil {
			return err
		}
		have[r] = true
	}
	return nil
}

func (c *Client) reconcileTargets(ctx context.Context, location string, lb api.LoadBalancer, want []string) error {
	wanted := map[string]bool{}
	for _, t := range want {
		wanted[t] = true
	}
	have := map[string]bool{}
	for _, t := range lb.Targets {
		if !wanted[t.TargetUUID] {
			if err := c.DeleteLoadBalancerTarget(ctx, location, lb.UUID, t.TargetUUID); err != nil && !isNotFound(err) {
				return err
			}
			continue
		}
		have[t.TargetUUID] = true
	}
	for _, t := range want {
		if have[t] {
			continue
		}
		err := c.AddLoadBalancerTarget(ctx, location, lb.UUID, t)
		err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
			cur, err := c.GetLoadBalancer(ctx, location, lb.UUID)
			return slices.ContainsFunc(cur.Targets, func(x api.LBTarget) bool { return x.TargetUUID == t }), err
		})
		if err != nil {
			return err
		}
		have[t] = true
	}
	return nil
}
