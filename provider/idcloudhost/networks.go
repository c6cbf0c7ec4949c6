package idcloudhost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// ListNetworks is GET /v1/{location}/network/networks.
func (c *Client) ListNetworks(ctx context.Context, location string) ([]api.Network, error) {
	var out []api.Network
	err := c.do(ctx, idempotent, http.MethodGet, location, "/network/networks", nil, &out)
	return out, err
}

// GetNetwork is GET /v1/{location}/network/network/{uuid}.
func (c *Client) GetNetwork(ctx context.Context, location, uuid string) (api.Network, error) {
	var out api.Network
	err := c.do(ctx, idempotent, http.MethodGet, location, "/network/network/"+url.PathEscape(uuid), nil, &out)
	return out, err
}

// CreateNetwork is POST /v1/{location}/network/network?name=NAME. A POST
// whose name got lost returns (or creates) the default network, so the name
// of the answer is checked: a different name is an error, never adopted.
func (c *Client) CreateNetwork(ctx context.Context, location, name string) (api.Network, error) {
	if name == "" {
		return api.Network{}, errors.New("network create: a name is required (without one the API returns the default network)")
	}
	var out api.Network
	q := url.Values{"name": {name}}
	if err := c.do(ctx, once, http.MethodPost, location, "/network/network?"+q.Encode(), nil, &out); err != nil {
		return out, err
	}
	if out.Name != name {
		return out, fmt.Errorf("network create: asked for a network named %q but the API answered with network %s named %q (the name was lost on the way, which returns the default network); not adopting it", name, out.UUID, out.Name)
	}
	return out, nil
}

// RenameNetwork is PATCH /v1/{location}/network/network/{uuid} {"name"}.
func (c *Client) RenameNetwork(ctx context.Context, location, uuid, name string) (api.Network, error) {
	var out api.Network
	err := c.do(ctx, idempotent, http.MethodPatch, location, "/network/network/"+url.PathEscape(uuid), map[string]string{"name": name}, &out)
	return out, err
}

// DeleteNetwork is DELETE /v1/{location}/network/network/{uuid}. The API
// refuses the default network and a network with resources.
func (c *Client) DeleteNetwork(ctx context.Context, location, uuid string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, "/network/network/"+url.PathEscape(uuid), nil, nil)
}

func networkObject(location string, n api.Network) provider.Object {
	vms := make([]any, 0, len(n.VMUUIDs))
	for _, v := range n.VMUUIDs {
		vms = append(vms, v)
	}
	return provider.Object{
		Kind: Networks, Location: location, ID: n.UUID, Name: n.Name,
		Attrs: provider.Attrs{
			"name":            n.Name,
			"subnet":          n.Subnet,
			"is_default":      n.IsDefault,
			"vm_uuids":        vms,
			"resources_count": n.ResourcesCount,
		},
	}
}

func (c *Client) listNetworkObjects(ctx context.Context, location string) ([]provider.Object, error) {
	nets, err := c.ListNetworks(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(nets))
	for _, n := range nets {
		out = append(out, networkObject(location, n))
	}
	return out, nil
}

func (c *Client) createNetwork(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	name := r.Str("name")
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	n, err := c.CreateNetwork(ctx, location, name)
	if err != nil {
		return provider.Object{}, err
	}
	return networkObject(location, n), nil
}

func (c *Client) updateNetwork(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("name"); err != nil {
		return provider.Object{}, fmt.Errorf("network %s: %w", id, err)
	}
	n, err := c.GetNetwork(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	if ch, ok := cs["name"]; ok {
		name, err := provider.AsString("name", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if name != n.Name {
			if n, err = c.RenameNetwork(ctx, location, id, name); err != nil {
				return provider.Object{}, err
			}
			if n.UUID == "" { // an answer without the object: read it back
				if n, err = c.GetNetwork(ctx, location, id); err != nil {
					return provider.Object{}, err
				}
			}
		}
	}
	return networkObject(location, n), nil
}

// vmNetworks maps each VM uuid to the network whose vm_uuids holds it.
func vmNetworks(nets []api.Network) map[string]string {
	m := map[string]string{}
	for _, n := range nets {
		for _, v := range n.VMUUIDs {
			m[v] = n.UUID
		}
	}
	return m
}
