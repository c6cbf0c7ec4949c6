package idcloudhost

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// ListLocations is GET /v1/config/locations.
func (c *Client) ListLocations(ctx context.Context) ([]api.Location, error) {
	var out []api.Location
	err := c.do(ctx, idempotent, http.MethodGet, "", "/config/locations", nil, &out)
	return out, err
}

// ListHostPools is GET /v1/{location}/user-resource/host_pool/list.
func (c *Client) ListHostPools(ctx context.Context, location string) ([]api.HostPool, error) {
	var out []api.HostPool
	err := c.do(ctx, idempotent, http.MethodGet, location, "/user-resource/host_pool/list", nil, &out)
	return out, err
}

// ListVMImages is GET /v1/config/vm_images.
func (c *Client) ListVMImages(ctx context.Context) ([]api.VMImage, error) {
	var out []api.VMImage
	err := c.do(ctx, idempotent, http.MethodGet, "", "/config/vm_images", nil, &out)
	return out, err
}

// Locations lists the data centres of the account.
func (c *Client) Locations(ctx context.Context) ([]provider.Location, error) {
	locs, err := c.ListLocations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Location, 0, len(locs))
	for _, l := range locs {
		out = append(out, provider.Location{Slug: l.Slug, Name: l.DisplayName, Default: l.IsDefault})
	}
	return out, nil
}

// Catalog returns the host pools of a location and the published OS
// images. The two are read at once, and the image list, which is global,
// once per client (a plan reads the catalogue of each location with VMs
// concurrently): one round of latency, not two, and one image list, not
// one per location.
func (c *Client) Catalog(ctx context.Context, location string) (any, error) {
	images := make(chan error, 1)
	var list []api.VMImage
	go func() {
		var err error
		list, err = c.imageList(ctx)
		images <- err
	}()
	pools, err := c.ListHostPools(ctx, location)
	if ierr := <-images; err == nil {
		err = ierr
	}
	if err != nil {
		return nil, err
	}
	return catalogOf(location, pools, list), nil
}

// imageList is ListVMImages read once per client: concurrent callers share
// the one read, and a failed read is not kept (the next caller reads).
func (c *Client) imageList(ctx context.Context) ([]api.VMImage, error) {
	v, err, _ := c.images.Do("", func() (any, error) {
		c.imagesMu.Lock()
		list := c.imagesRead
		c.imagesMu.Unlock()
		if list != nil {
			return list, nil
		}
		list, err := c.ListVMImages(ctx)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []api.VMImage{}
		}
		c.imagesMu.Lock()
		c.imagesRead = list
		c.imagesMu.Unlock()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]api.VMImage), nil
}

func catalogOf(location string, pools []api.HostPool, images []api.VMImage) *Catalog {
	cat := &Catalog{Location: location, Pools: []Pool{}, Images: []Image{}}
	for _, p := range pools {
		cat.Pools = append(cat.Pools, Pool{UUID: p.UUID, Name: p.Name, Default: p.IsDefaultDesignated})
	}
	for _, im := range images {
		var vs []string
		for _, v := range im.Versions {
			if v.Published {
				vs = append(vs, v.OSVersion)
			}
		}
		if len(vs) == 0 {
			continue
		}
		cat.Images = append(cat.Images, Image{OSName: im.OSName, Versions: vs})
	}
	return cat
}

var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

// resolvePool turns a host pool given by name or uuid into its uuid.
func (c *Client) resolvePool(ctx context.Context, location, pool string) (string, error) {
	if pool == "" || uuidRE().MatchString(pool) {
		return pool, nil
	}
	pools, err := c.ListHostPools(ctx, location)
	if err != nil {
		return "", err
	}
	var names []string
	for _, p := range pools {
		if strings.EqualFold(p.Name, pool) || p.UUID == pool {
			return p.UUID, nil
		}
		names = append(names, p.Name)
	}
	return "", fmt.Errorf("pool %q: no such host pool in location %q (have: %s)", pool, location, strings.Join(names, ", "))
}

// Catalog is what a location offers for VMs: host pools and published OS
// images. Only the VM kind's catalogue check reads it.
type Catalog struct {
	Location string
	Pools    []Pool
	Images   []Image
}

// Pool is a host pool (server class).
type Pool struct {
	UUID, Name string
	Default    bool
}

// Image is an OS with its published versions.
type Image struct {
	OSName   string
	Versions []string
}
