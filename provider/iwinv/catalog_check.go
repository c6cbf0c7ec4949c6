package iwinv

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// entry is a catalogue item a field may name by id or by name.
type entry struct{ id, name string }

// resolve finds value among entries by id, or by name ignoring case; it
// returns the id, or a problem that lists the names with a "did you mean".
func resolve(field, what, zone, value string, entries []entry) (string, *provider.Problem) {
	var names []string
	for _, e := range entries {
		if e.id == value || strings.EqualFold(e.name, value) {
			return e.id, nil
		}
		names = append(names, e.name)
	}
	summary := fmt.Sprintf("%s %q is not offered in %s", what, value, zone)
	if zone == "" { // SSH keys and user scripts belong to the account
		summary = fmt.Sprintf("%s %q does not exist in the account (they are made in the iwinv console)", what, value)
	}
	return "", &provider.Problem{Field: field, Value: value, Choices: names,
		Summary: summary,
		Allowed: "allowed (by name or id): " + strings.Join(names, ", ")}
}

// vmLabels names the zone's flavors, images, SSH keys and user scripts by
// their ids, so that a plan shows "flavor: STD-1C1G → STD-2C4G", as a
// stack file names them, not "fl-std-1c1g → fl-std-2c4g".
func vmLabels(location string, live provider.Live) map[string]string {
	c, _ := live.Catalog(location).(*Catalog)
	if c == nil {
		return nil
	}
	out := map[string]string{}
	for _, f := range c.Flavors {
		out[f.FlavorID] = f.Name
	}
	for _, i := range c.Images {
		out[i.ImageID] = i.Name
	}
	for _, k := range c.SSHKeys {
		out[k.SSHKeyID] = k.Name
	}
	for _, u := range c.UserScripts {
		out[u.UserScriptID] = u.Name
	}
	return out
}

// checkVMCatalog checks flavor, image, SSH key and user script against
// the zone's catalogue, turns names into ids, and checks that the flavor
// is large enough for the image (the API's UNAVAILABLE_COMBINATION).
func checkVMCatalog(values map[string]any, cat any) ([]provider.Problem, map[string]any) {
	c, _ := cat.(*Catalog)
	if c == nil {
		return nil, nil
	}
	var out []provider.Problem
	replace := map[string]any{}
	check := func(field, what, zone string, entries []entry) string {
		v, ok := values[field].(string)
		if !ok {
			return ""
		}
		id, p := resolve(field, what, zone, v, entries)
		if p != nil {
			out = append(out, *p)
			return ""
		}
		if id != v {
			replace[field] = id
		}
		return id
	}
	var flavors, images, keys, scripts []entry
	for _, f := range c.Flavors {
		flavors = append(flavors, entry{f.FlavorID, f.Name})
	}
	for _, im := range c.Images {
		images = append(images, entry{im.ImageID, im.Name})
	}
	for _, k := range c.SSHKeys {
		keys = append(keys, entry{k.SSHKeyID, k.Name})
	}
	for _, s := range c.UserScripts {
		scripts = append(scripts, entry{s.UserScriptID, s.Name})
	}
	flavor := check("flavor", "flavor", c.Zone, flavors)
	image := check("image", "image", c.Zone, images)
	check("ssh_key", "SSH key", "", keys)
	check("user_script", "user script", "", scripts)
	fi := slices.IndexFunc(c.Flavors, func(f api.Flavor) bool { return f.FlavorID == flavor })
	ii := slices.IndexFunc(c.Images, func(im api.Image) bool { return im.ImageID == image })
	if fi >= 0 && ii >= 0 {
		f, im := c.Flavors[fi], c.Images[ii]
		if f.VCPU < im.MinVCPU || f.Memory < im.MinMemory {
			var fit []string
			for _, g := range c.Flavors {
				if g.VCPU >= im.MinVCPU && g.Memory >= im.MinMemory {
					fit = append(fit, g.Name)
				}
			}
			out = append(out, provider.Problem{Field: "flavor",
				Summary: fmt.Sprintf("%s (%d vCPU, %d MiB) is too small for %s, which needs %d vCPU and %d MiB", f.Name, f.VCPU, f.Memory, im.Name, im.MinVCPU, im.MinMemory),
				Allowed: "flavors large enough in " + c.Zone + ": " + strings.Join(fit, ", ")})
		}
	}
	if len(replace) == 0 {
		replace = nil
	}
	return out, replace
}

// checkDiskCatalog checks a disk's type against the zone's volume types
// and its size against the type's bounds.
func checkDiskCatalog(values map[string]any, cat any) ([]provider.Problem, map[string]any) {
	c, _ := cat.(*Catalog)
	if c == nil {
		return nil, nil
	}
	typ, ok := values["type"].(string)
	if !ok {
		return nil, nil
	}
	var offered []string
	var st *api.BlockStorageType
	for i, t := range c.StorageTypes {
		if slices.Contains(t.Zones, c.Zone) {
			offered = append(offered, t.Type)
			if strings.EqualFold(t.Type, typ) {
				st = &c.StorageTypes[i]
			}
		}
	}
	if st == nil {
		return []provider.Problem{{Field: "type", Value: typ, Choices: offered,
			Summary: fmt.Sprintf("block storage type %q is not offered in %s", typ, c.Zone),
			Allowed: "allowed: " + strings.Join(offered, ", ")}}, nil
	}
	var out []provider.Problem
	if n, err := provider.AsInt("size", values["size"]); err == nil && (n < st.Min || n > st.Max) {
		out = append(out, provider.Problem{Field: "size",
			Summary: fmt.Sprintf("%d GB is outside the bounds of %s volumes", n, st.Type),
			Allowed: fmt.Sprintf("%s volumes are %d–%d GB", st.Type, st.Min, st.Max)})
	}
	var replace map[string]any
	if st.Type != typ {
		replace = map[string]any{"type": st.Type}
	}
	return out, replace
}

// diskMade reports whether a live volume is what a lost create asked for:
// the same size, type and instance, made since the create began (block
// storage has no name to find it by). A volume still being created is not
// made yet: the engine keeps looking until it is (within the create
// deadline), as the create's own wait would have, so that an apply never
// ends with a volume it adopted still "creating".
func diskMade(o provider.Object, match map[string]any, since time.Time) bool {
	if len(match) == 0 || o.Status == api.StorageCreating {
		return false
	}
	for k, want := range match {
		if provider.Text(o.Attrs[k]) != provider.Text(want) {
			return false
		}
	}
	if created, ok := o.Attrs["created_at"].(string); ok && created != "" {
		if t, err := time.Parse(api.CreatedAtLayout, created); err == nil {
			// The API's clock and ours may differ by a little, and it
			// reports whole seconds.
			return !t.Before(since.Add(-2 * time.Second))
		}
	}
	return true
}

// adoptableDisks lists the live volumes a declared disk could be: the
// same size and instance, and the same type when declared; nil while the
// size or the instance is not known (a VM this plan creates).
func adoptableDisks(values map[string]any, location string, live provider.Live) []provider.Object {
	size, ok := values["size"]
	if !ok {
		return nil
	}
	attach, ok := values["attach_to"]
	if !ok {
		return nil
	}
	typ, hasType := values["type"].(string)
	var out []provider.Object
	for _, d := range live.Objects(Disks, location) {
		if provider.Text(d.Attrs["size"]) == provider.Text(size) && provider.Text(d.Attrs["attach_to"]) == provider.Text(attach) &&
			(!hasType || strings.EqualFold(provider.Text(d.Attrs["type"]), typ)) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b provider.Object) int { return strings.Compare(a.ID, b.ID) })
	return out
}
