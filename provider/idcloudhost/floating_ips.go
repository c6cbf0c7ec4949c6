package idcloudhost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// Floating IPs speak JSON and are named by their address.
const ipPath = "/network/ip_addresses"

// ipCreatePath is the document's HTTP Request line for a create
// ("POST …/v1/network/ip_addresses/"); its curl example has no trailing
// slash.
const ipCreatePath = ipPath + "/"

func ipAt(ip string) string { return ipPath + "/" + url.PathEscape(ip) }

// ListFloatingIPs is GET /v1/{location}/network/ip_addresses.
func (c *Client) ListFloatingIPs(ctx context.Context, location string) ([]api.FloatingIP, error) {
	var out []api.FloatingIP
	err := c.do(ctx, idempotent, http.MethodGet, location, ipPath, nil, &out)
	return out, err
}

// GetFloatingIP is GET /v1/{location}/network/ip_addresses/{ip}.
func (c *Client) GetFloatingIP(ctx context.Context, location, ip string) (api.FloatingIP, error) {
	var out api.FloatingIP
	err := c.do(ctx, idempotent, http.MethodGet, location, ipAt(ip), nil, &out)
	return out, err
}

// CreateFloatingIP is POST /v1/{location}/network/ip_addresses/ {"name",
// "billing_account_id"}. Never retried.
func (c *Client) CreateFloatingIP(ctx context.Context, location, name string, billingAccount int) (api.FloatingIP, error) {
	body := map[string]any{"name": name}
	if billingAccount != 0 {
		body["billing_account_id"] = billingAccount
	}
	var out api.FloatingIP
	err := c.do(ctx, once, http.MethodPost, location, ipCreatePath, body, &out)
	return out, err
}

// UpdateFloatingIP is PATCH /v1/{location}/network/ip_addresses/{ip} with
// the fields to set ("name", "billing_account_id").
func (c *Client) UpdateFloatingIP(ctx context.Context, location, ip string, fields map[string]any) (api.FloatingIP, error) {
	var out api.FloatingIP
	err := c.do(ctx, idempotent, http.MethodPatch, location, ipAt(ip), fields, &out)
	return out, err
}

// DeleteFloatingIP is DELETE /v1/{location}/network/ip_addresses/{ip} (the
// HTTP Request line; one curl example drops /network/).
func (c *Client) DeleteFloatingIP(ctx context.Context, location, ip string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, ipAt(ip), nil, nil)
}

// AssignFloatingIP is POST …/ip_addresses/{ip}/assign {"vm_uuid"}.
func (c *Client) AssignFloatingIP(ctx context.Context, location, ip, vmUUID string) (api.FloatingIP, error) {
	var out api.FloatingIP
	err := c.do(ctx, once, http.MethodPost, location, ipAt(ip)+"/assign", map[string]string{"vm_uuid": vmUUID}, &out)
	return out, err
}

// UnassignFloatingIP is POST …/ip_addresses/{ip}/unassign.
func (c *Client) UnassignFloatingIP(ctx context.Context, location, ip string) (api.FloatingIP, error) {
	var out api.FloatingIP
	err := c.do(ctx, once, http.MethodPost, location, ipAt(ip)+"/unassign", nil, &out)
	return out, err
}

func floatingIPObject(location string, ip api.FloatingIP) provider.Object {
	assigned := ""
	if ip.AssignedTo != nil {
		assigned = *ip.AssignedTo
	}
	return provider.Object{
		Kind: FloatingIPs, Location: location, ID: ip.Address, Name: ip.Name,
		Attrs: provider.Attrs{
			"name":                      ip.Name,
			"address":                   ip.Address,
			"billing_account":           ip.BillingAccountID,
			"assigned_to":               assigned,
			"assigned_to_resource_type": ip.AssignedToResourceType,
		},
	}
}

func (c *Client) listFloatingIPObjects(ctx context.Context, location string) ([]provider.Object, error) {
	ips, err := c.ListFloatingIPs(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(ips))
	for _, ip := range ips {
		out = append(out, floatingIPObject(location, ip))
	}
	return out, nil
}

// assignedTo reads the assignment, under its Attrs name or the stack file's
// (assign_to).
func assignedTo(r *provider.AttrReader) (string, bool) {
	for _, k := range []string{"assigned_to", "assign_to"} {
		if _, ok := r.Attrs[k]; ok {
			return r.Str(k), true
		}
	}
	return "", false
}

func (c *Client) createFloatingIP(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	name, ba := r.Str("name"), r.Int("billing_account")
	vm, assign := assignedTo(&r)
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	ip, err := c.CreateFloatingIP(ctx, location, name, ba)
	if err != nil {
		return provider.Object{}, err
	}
	if assign && vm != "" {
		got, err := c.AssignFloatingIP(ctx, location, ip.Address, vm)
		if err = confirm(ctx, err, c.ipAssignedTo(location, ip.Address, vm)); err != nil {
			return floatingIPObject(location, ip), fmt.Errorf("floating IP %s created, but assigning it to vm %s failed: %w", ip.Address, vm, err)
		}
		if got.Address != "" {
			ip = got
		}
	}
	return floatingIPObject(location, ip), nil
}

// updateFloatingIP sets name and billing account, then moves the assignment
// (unassign, then assign).
func (c *Client) updateFloatingIP(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if ch, ok := cs["assign_to"]; ok {
		delete(cs, "assign_to")
		cs["assigned_to"] = ch
	}
	if err := cs.Only("name", "billing_account", "assigned_to"); err != nil {
		return provider.Object{}, fmt.Errorf("floating IP %s: %w", id, err)
	}
	ip, err := c.GetFloatingIP(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	fields := map[string]any{}
	if ch, ok := cs["name"]; ok {
		name, err := provider.AsString("name", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if name != ip.Name {
			fields["name"] = name
		}
	}
	if ch, ok := cs["billing_account"]; ok {
		n, err := provider.AsInt("billing_account", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if n != ip.BillingAccountID {
			fields["billing_account_id"] = n
		}
	}
	if len(fields) > 0 {
		if _, err := c.UpdateFloatingIP(ctx, location, id, fields); err != nil {
			return provider.Object{}, err
		}
	}
	if ch, ok := cs["assigned_to"]; ok {
		want, err := provider.AsString("assigned_to", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		cur := ""
		if ip.AssignedTo != nil {
			cur = *ip.AssignedTo
		}
		if want != cur {
			if cur != "" {
				_, err := c.UnassignFloatingIP(ctx, location, id)
				if err = confirm(ctx, err, c.ipAssignedTo(location, id, "")); err != nil {
					return provider.Object{}, err
				}
			}
			if want != "" {
				_, err := c.AssignFloatingIP(ctx, location, id, want)
				if err = confirm(ctx, err, c.ipAssignedTo(location, id, want)); err != nil {
					return provider.Object{}, err
				}
			}
		}
	}
	ip, err = c.GetFloatingIP(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	return floatingIPObject(location, ip), nil
}

// ipAssignedTo checks that a floating IP is assigned to vm ("" for none).
func (c *Client) ipAssignedTo(location, ip, vm string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		got, err := c.GetFloatingIP(ctx, location, ip)
		cur := ""
		if got.AssignedTo != nil {
			cur = *got.AssignedTo
		}
		return cur == vm, err
	}
}
