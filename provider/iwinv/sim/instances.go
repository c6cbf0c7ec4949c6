package sim

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// Instance rules the reference leaves open: the simulator's choices (doc.go).
const (
	maxNameLen        = 64
	maxDescriptionLen = 255
	maxCount          = 10
	// defaultFields is what an instance read answers without a fields mask.
	defaultFields = api.FieldInstanceID | api.FieldName | api.FieldStatus
)

var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
})

// busyInstance reports whether an instance is in a transition.
func busyInstance(in *Instance) bool {
	return in.Status != api.StatusActive && in.Status != api.StatusShutoff
}

// lookupInstance finds the instance of the path: 400 ID_INVALID for an id
// of the wrong shape, 404 NOT_FOUND for one that does not exist.
func (c *call) lookupInstance() (*Instance, *apiErr) {
	id := c.params["id"]
	if !uuidRE().MatchString(id) {
		return nil, badRequest(api.IDInvalid, "%q is not an instance id", id)
	}
	in := c.w.instance(id)
	if in == nil {
		return nil, notFound("instance %s not found", id)
	}
	return in, nil
}

// notBusy refuses a change of an instance in a transition.
func notBusy(in *Instance) *apiErr {
	if busyInstance(in) {
		return busy("instance %s is %s: try again when it is done", in.ID, in.Status)
	}
	return nil
}

// fields reads the fields mask of an instance read.
func (c *call) fields() (int, *apiErr) {
	v := c.query.Get("fields")
	if v == "" {
		return defaultFields, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, checkParam("fields %q: want a positive bit mask", v)
	}
	return n, nil
}

// view is an instance as a read with the fields mask sees it.
func (w *World) view(in *Instance, mask int) api.InstanceDetail {
	var out api.InstanceDetail
	if mask&api.FieldInstanceID != 0 {
		out.InstanceID = in.ID
	}
	if mask&api.FieldName != 0 {
		name := in.Name
		out.Name = &name
	}
	if mask&api.FieldDescription != 0 {
		// Present, and null when none: the reference shows description null.
		out.Description = api.Null()
		if in.Description != nil {
			out.Description = api.Text(*in.Description)
		}
	}
	if mask&api.FieldStatus != 0 {
		out.Status = in.Status
	}
	if mask&api.FieldIP != 0 {
		out.IP = append([]string{}, in.IP...)
	}
	if mask&api.FieldZone != 0 {
		z := api.ZoneRef{ZoneID: in.Zone}
		if zz := w.zone(in.Zone); zz != nil {
			z.ZoneName = zz.ZoneName
		}
		out.Zone = &z
	}
	if mask&api.FieldFlavor != 0 {
		f := api.FlavorRef{FlavorID: in.Flavor}
		if ff := w.flavor(in.Flavor); ff != nil {
			f.Name = ff.Name
		}
		out.Flavor = &f
	}
	if mask&api.FieldImage != 0 {
		im := api.ImageRef{ImageID: in.Image}
		if ii := w.image(in.Image); ii != nil {
			im.Name = ii.Name
		}
		out.Image = &im
	}
	if mask&api.FieldDefaultAccount != 0 {
		out.DefaultAccount = &api.DefaultAccount{Username: "root", Password: in.Password}
	}
	if mask&api.FieldVNC != 0 {
		out.VNC = &api.VNC{URL: "https://console.sim.invalid/vnc/" + in.ID}
	}
	return out
}

func listInstances(c *call) (result, *apiErr) {
	mask, e := c.fields()
	if e != nil {
		return result{}, e
	}
	zone, name, status := c.query.Get("zone_id"), c.query.Get("name"), c.query.Get("status")
	var out []api.InstanceDetail
	for i := range c.w.Instances {
		in := &c.w.Instances[i]
		if zone != "" && in.Zone != zone || name != "" && in.Name != name || status != "" && in.Status != status {
			continue
		}
		out = append(out, c.w.view(in, mask))
	}
	return paginate(c, out, api.DefaultPageSize)
}

func getInstance(c *call) (result, *apiErr) {
	mask, e := c.fields()
	if e != nil {
		return result{}, e
	}
	in, e := c.lookupInstance()
	if e != nil {
		return result{}, e
	}
	return rows(http.StatusOK, []api.InstanceDetail{c.w.view(in, mask)}), nil
}

// instanceForm is a validated create.
type instanceForm struct {
	zone, image, flavor, name, sshKey, script string
	description                               *string
	count                                     int
}

func (c *call) parseInstanceCreate() (*instanceForm, *apiErr) {
	f := &instanceForm{zone: c.str(api.FormZoneID), image: c.str(api.FormImageID), flavor: c.str(api.FormFlavorID),
		sshKey: c.str(api.FormSSHKeyID), script: c.str(api.FormUserScriptID), count: 1}
	for _, req := range []struct{ name, v string }{{api.FormZoneID, f.zone}, {api.FormImageID, f.image}, {api.FormFlavorID, f.flavor}} {
		if req.v == "" {
			return nil, missing(req.name)
		}
	}
	if c.w.zone(f.zone) == nil {
		return nil, checkParam("zone_id %q: no such zone", f.zone)
	}
	if e := c.w.offered(f.zone, f.image, f.flavor); e != nil {
		return nil, e
	}
	var e *apiErr
	if f.name, e = c.text(api.FormName); e != nil {
		return nil, e
	}
	if n := utf8.RuneCountInString(f.name); c.has(api.FormName) && (n < 1 || n > maxNameLen) {
		return nil, badRequest(api.CheckLength, "name: 1 to %d characters, got %d", maxNameLen, n)
	}
	if c.has(api.FormDescription) {
		d, e := c.text(api.FormDescription)
		if e != nil {
			return nil, e
		}
		if n := utf8.RuneCountInString(d); n > maxDescriptionLen {
			return nil, badRequest(api.CheckLength, "description: at most %d characters, got %d", maxDescriptionLen, n)
		}
		f.description = &d
	}
	if v := c.str(api.FormCount); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxCount {
			return nil, checkParam("count %q: 1 to %d", v, maxCount)
		}
		f.count = n
	}
	if f.sshKey != "" && !slices.ContainsFunc(c.w.SSHKeys, func(k api.SSHKey) bool { return k.SSHKeyID == f.sshKey }) {
		return nil, badRequest(api.UnavailableSSHKey, "ssh_key_id %q: no such SSH key", f.sshKey)
	}
	if f.script != "" && !slices.ContainsFunc(c.w.UserScripts, func(s api.UserScript) bool { return s.UserScriptID == f.script }) {
		return nil, checkParam("user_script_id %q: no such user script", f.script)
	}
	return f, nil
}

// offered checks that a zone offers the image and the flavor and that the
// flavor is large enough for the image.
func (w *World) offered(zone, imageID, flavorID string) *apiErr {
	if imageID != "" {
		im := w.image(imageID)
		if im == nil || !slices.Contains(im.Zones, zone) {
			return checkParam("image_id %q is not offered in %s", imageID, zone)
		}
	}
	fl := w.flavor(flavorID)
	if fl == nil || !slices.Contains(fl.Zones, zone) {
		return badRequest(api.UnavailableFlavor, "flavor_id %q is not offered in %s", flavorID, zone)
	}
	if im := w.image(imageID); im != nil && (fl.VCPU < im.MinVCPU || fl.Memory < im.MinMemory) {
		return badRequest(api.UnavailableCombination, "%s needs at least %d vCPU and %d MiB; %s has %d and %d",
			im.Name, im.MinVCPU, im.MinMemory, fl.Name, fl.VCPU, fl.Memory)
	}
	return nil
}

// createInstances answers 202 with the new instances "building"; each
// becomes active ReadyAfter later.
func createInstances(c *call) (result, *apiErr) {
	f, e := c.parseInstanceCreate()
	if e != nil {
		return result{}, e
	}
	var out []api.Accepted
	var done time.Time
	for i := 1; i <= f.count; i++ {
		id := c.w.newUUID(c.s.seed)
		name := f.name
		switch {
		case name == "":
			name = "instance-" + id[:8]
		case f.count > 1:
			name = fmt.Sprintf("%s-%d", name, i)
		}
		n := c.w.next()
		zi := slices.IndexFunc(c.w.Zones, func(z api.Zone) bool { return z.ZoneID == f.zone })
		pw := sha256.Sum256([]byte(id))
		in := Instance{ID: id, Name: name, Description: f.description, Zone: f.zone, Flavor: f.flavor, Image: f.image,
			SSHKey: f.sshKey, UserScript: f.script, CreatedAt: c.now.UTC(),
			IP:       []string{fmt.Sprintf("10.%d.%d.%d", zi+1, n/250, n%250+4)},
			Password: fmt.Sprintf("Sim-%x", pw[:6])}
		done = c.transition(&in, api.StatusBuilding, api.StatusActive)
		c.w.Instances = append(c.w.Instances, in)
		out = append(out, api.Accepted{InstanceID: id, Status: api.StatusBuilding})
	}
	res := rows(http.StatusAccepted, out)
	res.doneAt = done
	return res, nil
}

// transition starts an instance's transition: it shows during until
// ReadyAfter has passed, then next ("" for a delete: gone). It returns
// when the transition ends.
func (c *call) transition(in *Instance, during, next string) time.Time {
	in.Status, in.Next, in.ReadyAt = during, next, c.now.Add(c.s.readyAfter)
	return in.ReadyAt
}

// editInstance changes name and description (multipart, URL-encoded
// values) and answers the instance as the fields mask asks.
func editInstance(c *call) (result, *apiErr) {
	mask, e := c.fields()
	if e != nil {
		return result{}, e
	}
	in, e := c.lookupInstance()
	if e != nil {
		return result{}, e
	}
	if !c.has(api.FormName) && !c.has(api.FormDescription) {
		return result{}, badRequest(api.EmptySet, "nothing to change: send name or description")
	}
	if e := notBusy(in); e != nil {
		return result{}, e
	}
	name, desc := in.Name, in.Description
	if c.has(api.FormName) {
		if name, e = c.text(api.FormName); e != nil {
			return result{}, e
		}
		if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
			return result{}, badRequest(api.CheckLength, "name: 1 to %d characters, got %d", maxNameLen, n)
		}
	}
	if c.has(api.FormDescription) {
		d, e := c.text(api.FormDescription)
		if e != nil {
			return result{}, e
		}
		if n := utf8.RuneCountInString(d); n > maxDescriptionLen {
			return result{}, badRequest(api.CheckLength, "description: at most %d characters, got %d", maxDescriptionLen, n)
		}
		desc = &d
	}
	in.Name, in.Description = name, desc
	return rows(http.StatusOK, []api.InstanceDetail{c.w.view(in, mask)}), nil
}

// deleteInstance answers 202 "deleting" with the block storages the
// instance leaves behind; it is gone ReadyAfter later, its volumes then
// detached.
func deleteInstance(c *call) (result, *apiErr) {
	in, e := c.lookupInstance()
	if e != nil {
		return result{}, e
	}
	if e := notBusy(in); e != nil {
		return result{}, e
	}
	left := []string{}
	for _, v := range c.w.BlockStorages {
		if v.Instance == in.ID {
			left = append(left, v.ID)
		}
	}
	done := c.transition(in, api.StatusDeleting, "")
	res := rows(http.StatusAccepted, []api.Accepted{{InstanceID: in.ID, Status: api.StatusDeleting, BlockStorages: left}})
	res.doneAt = done
	return res, nil
}
