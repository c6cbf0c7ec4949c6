package iwinv

import (
	"context"
	"net/url"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// ListZones is GET /v1/zones (every page).
func (c *Client) ListZones(ctx context.Context) ([]api.Zone, error) {
	return listAll[api.Zone](ctx, c, "/v1/zones", nil)
}

// Locations lists the zones; the first active one is the default (iwinv
// names no default zone).
func (c *Client) Locations(ctx context.Context) ([]provider.Location, error) {
	zones, err := c.ListZones(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Location, 0, len(zones))
	def := false
	for _, z := range zones {
		l := provider.Location{Slug: z.ZoneID, Name: z.ZoneName}
		if !def && z.Status == "active" {
			l.Default, def = true, true
		}
		out = append(out, l)
	}
	return out, nil
}

// Catalog is what a zone offers: flavors and images (offered there),
// block storage types (with their zones and sizes), and the account's SSH
// keys and user scripts, made in the console. The kinds' Catalog checks
// read it.
type Catalog struct {
	Zone         string
	Flavors      []api.Flavor
	Images       []api.Image
	StorageTypes []api.BlockStorageType
	SSHKeys      []api.SSHKey
	UserScripts  []api.UserScript
}

// Catalog reads a zone's catalogue: five lists, each paginated.
func (c *Client) Catalog(ctx context.Context, location string) (any, error) {
	zone := url.Values{"zone_id": {location}}
	cat := &Catalog{Zone: location}
	var err error
	if cat.Flavors, err = listAll[api.Flavor](ctx, c, "/v1/flavors", zone); err != nil {
		return nil, err
	}
	if cat.Images, err = listAll[api.Image](ctx, c, "/v1/images", zone); err != nil {
		return nil, err
	}
	if cat.StorageTypes, err = listAll[api.BlockStorageType](ctx, c, "/v1/block-storages/types", nil); err != nil {
		return nil, err
	}
	if cat.SSHKeys, err = listAll[api.SSHKey](ctx, c, "/v1/auth/ssh_key", nil); err != nil {
		return nil, err
	}
	if cat.UserScripts, err = listAll[api.UserScript](ctx, c, "/v1/instance/script", nil); err != nil {
		return nil, err
	}
	return cat, nil
}
