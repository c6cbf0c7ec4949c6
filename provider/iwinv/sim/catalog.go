package sim

import (
	"net/http"
	"slices"

	"github.com/idstack/idstack/provider/iwinv/api"
)

func listZones(c *call) (result, *apiErr) {
	return paginate(c, c.w.Zones, api.DefaultPageSize)
}

// inZone keeps the catalogue rows offered in the zone_id query, if any.
func inZone[T any](c *call, list []T, zones func(T) []string) ([]T, *apiErr) {
	z := c.query.Get("zone_id")
	if z == "" {
		return list, nil
	}
	if c.w.zone(z) == nil {
		return nil, checkParam("zone_id %q: no such zone", z)
	}
	var out []T
	for _, x := range list {
		if slices.Contains(zones(x), z) {
			out = append(out, x)
		}
	}
	return out, nil
}

func listFlavors(c *call) (result, *apiErr) {
	list, e := inZone(c, c.w.Flavors, func(f api.Flavor) []string { return f.Zones })
	if e != nil {
		return result{}, e
	}
	return paginate(c, list, api.DefaultPageSize)
}

// getFlavor answers an empty array for an unknown flavor, as the live
// service was seen to.
func getFlavor(c *call) (result, *apiErr) {
	var out []api.Flavor
	if f := c.w.flavor(c.params["id"]); f != nil {
		out = append(out, *f)
	}
	return rows(http.StatusOK, out), nil
}

func listImages(c *call) (result, *apiErr) {
	list, e := inZone(c, c.w.Images, func(i api.Image) []string { return i.Zones })
	if e != nil {
		return result{}, e
	}
	return paginate(c, list, api.DefaultPageSize)
}

// getImage answers 400 ID_INVALID for an unknown image, as the live
// service was seen to.
func getImage(c *call) (result, *apiErr) {
	im := c.w.image(c.params["id"])
	if im == nil {
		return result{}, badRequest(api.IDInvalid, "no such image: %s", c.params["id"])
	}
	return rows(http.StatusOK, []api.Image{*im}), nil
}

// listStorageTypes is not paginated (the live service was seen so).
func listStorageTypes(c *call) (result, *apiErr) {
	var out []api.BlockStorageType
	t := c.query.Get("type")
	for _, st := range c.w.StorageTypes {
		if t == "" || st.Type == t {
			out = append(out, st)
		}
	}
	return rows(http.StatusOK, out), nil
}

func listSSHKeys(c *call) (result, *apiErr) {
	return paginate(c, c.w.SSHKeys, api.DefaultPageSize)
}

func listUserScripts(c *call) (result, *apiErr) {
	var out []api.UserScript
	name := c.query.Get("name")
	for _, s := range c.w.UserScripts {
		if name == "" || s.Name == name {
			out = append(out, s)
		}
	}
	return paginate(c, out, api.DefaultPageSize)
}
