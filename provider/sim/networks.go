package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/idstack/idstack/provider/api"
)

// newNetwork adds a network to a location; the first network of a location
// becomes its default one. Each network gets its own 10.L.K.0/24 subnet.
func (s *Server) newNetwork(w *World, loc, name string) *Network {
	li := 0
	for i, l := range w.Locations {
		if l.Slug == loc {
			li = i
		}
	}
	used := map[string]bool{}
	first := true
	for _, n := range w.Networks {
		if n.Location == loc {
			used[n.API.Subnet] = true
			first = false
		}
	}
	var subnet string
	k := 1
	for ; k < 255; k++ {
		subnet = fmt.Sprintf("10.%d.%d.0/24", 10+li, k)
		if !used[subnet] {
			break
		}
	}
	ts := s.now().UTC().Format(tsLayout)
	vlan := 100*(li+1) + k
	n := Network{Location: loc, NextHost: 2, API: api.Network{
		VLANID:     &vlan,
		Subnet:     subnet,
		SubnetIPv6: fmt.Sprintf("2a05:1cc0:%x:30::%x:0/112", li+10, k),
		Name:       name,
		CreatedAt:  ts,
		UpdatedAt:  ts,
		UUID:       s.newUUID(w),
		Type:       "private",
		IsDefault:  first,
		VMUUIDs:    []string{},
	}}
	w.Networks = append(w.Networks, n)
	return &w.Networks[len(w.Networks)-1]
}

// allocIP hands out the next private address of a network.
func (n *Network) allocIP() string {
	prefix := strings.TrimSuffix(n.API.Subnet, "0/24")
	ip := fmt.Sprintf("%s%d", prefix, n.NextHost)
	n.NextHost++
	if n.NextHost > 254 {
		n.NextHost = 2
	}
	return ip
}

func (w *World) network(loc, uuid string) *Network {
	for i := range w.Networks {
		if w.Networks[i].Location == loc && w.Networks[i].API.UUID == uuid {
			return &w.Networks[i]
		}
	}
	return nil
}

func (w *World) defaultNetwork(loc string) *Network {
	for i := range w.Networks {
		if w.Networks[i].Location == loc && w.Networks[i].API.IsDefault {
			return &w.Networks[i]
		}
	}
	return nil
}

// unlistedIn counts the VMs of n still being created (unlisted).
func (w *World) unlistedIn(n *Network) int {
	k := 0
	for _, v := range w.VMs {
		if v.Unlisted && v.Location == n.Location && v.NetworkUUID == n.API.UUID {
			k++
		}
	}
	return k
}

// networkJSON is a network as the API shows it, with its members.
func (w *World) networkJSON(n *Network) api.Network {
	out := n.API
	out.VMUUIDs = []string{}
	for _, v := range w.VMs {
		if v.Location == n.Location && v.NetworkUUID == n.API.UUID && !v.Unlisted {
			out.VMUUIDs = append(out.VMUUIDs, v.API.UUID)
		}
	}
	sort.Strings(out.VMUUIDs)
	out.ResourcesCount = len(out.VMUUIDs)
	for _, lb := range w.LoadBalancers {
		if lb.Location == n.Location && lb.API.NetworkUUID == n.API.UUID {
			out.ResourcesCount++
		}
	}
	return out
}

func getNetworks(c *call) (result, *apiErr) {
	out := []api.Network{}
	for i := range c.w.Networks {
		if c.w.Networks[i].Location == c.loc {
			out = append(out, c.w.networkJSON(&c.w.Networks[i]))
		}
	}
	return ok(out), nil
}

func (c *call) networkParam() (*Network, *apiErr) {
	id := c.params["uuid"]
	n := c.w.network(c.loc, id)
	if n == nil {
		return nil, notFound("Network not found: %s", id)
	}
	return n, nil
}

func getNetwork(c *call) (result, *apiErr) {
	n, e := c.networkParam()
	if e != nil {
		return result{}, e
	}
	return ok(c.w.networkJSON(n)), nil
}

// postNetwork creates a network named by the query string; without a name
// it returns the default network, creating "Default network" if none.
func postNetwork(c *call) (result, *apiErr) {
	name := strings.TrimSpace(c.r.URL.Query().Get("name"))
	if name == "" {
		if n := c.w.defaultNetwork(c.loc); n != nil {
			return ok(c.w.networkJSON(n)), nil
		}
		name = DefaultNetworkName
	}
	if len(name) > 255 {
		return result{}, badRequest("name must be at most 255 characters")
	}
	n := c.s.newNetwork(c.w, c.loc, name)
	if c.w.defaultNetwork(c.loc) == nil {
		n.API.IsDefault = true
	}
	return ok(c.w.networkJSON(n)), nil
}

func patchNetwork(c *call) (result, *apiErr) {
	var body struct {
		Name *string `json:"name"`
	}
	if e := c.jsonBody(&body); e != nil {
		return result{}, e
	}
	n, e := c.networkParam()
	if e != nil {
		return result{}, e
	}
	if body.Name == nil || strings.TrimSpace(*body.Name) == "" {
		return result{}, badRequest("name is required (JSON body {\"name\": \"…\"})")
	}
	n.API.Name = strings.TrimSpace(*body.Name)
	n.API.UpdatedAt = c.ts()
	return ok(c.w.networkJSON(n)), nil
}

func putNetworkDefault(c *call) (result, *apiErr) {
	n, e := c.networkParam()
	if e != nil {
		return result{}, e
	}
	for i := range c.w.Networks {
		o := &c.w.Networks[i]
		if o.Location == c.loc && o.API.IsDefault && o != n {
			o.API.IsDefault = false
			o.API.UpdatedAt = c.ts()
		}
	}
	if !n.API.IsDefault {
		n.API.IsDefault = true
		n.API.UpdatedAt = c.ts()
	}
	return ok(c.w.networkJSON(n)), nil
}

func deleteNetwork(c *call) (result, *apiErr) {
	n, e := c.networkParam()
	if e != nil {
		return result{}, e
	}
	if n.API.IsDefault {
		return result{}, conflict("Network %s is the default network and cannot be deleted; make another network default first", n.API.UUID)
	}
	if count := c.w.networkJSON(n).ResourcesCount + c.w.unlistedIn(n); count > 0 {
		return result{}, conflict("Network %s cannot be deleted: it still contains %d resource(s)", n.API.UUID, count)
	}
	for i := range c.w.Networks {
		if &c.w.Networks[i] == n {
			c.w.Networks = append(c.w.Networks[:i], c.w.Networks[i+1:]...)
			break
		}
	}
	return emptyOK(), nil
}
