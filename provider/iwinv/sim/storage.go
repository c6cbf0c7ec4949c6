package sim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// volumeJSON is a volume as the API shows it.
func volumeJSON(v *BlockStorage) api.BlockStorage {
	out := api.BlockStorage{BlockStorageID: v.ID, Name: v.Name, Description: v.Description, Type: v.Type, Size: v.Size,
		Status: v.Status, ZoneID: v.Zone, CreatedAt: v.CreatedAt.UTC().Format(api.CreatedAtLayout)}
	if v.Instance != "" {
		id := v.Instance
		out.InstanceID = &id
	}
	return out
}

// lookupVolume finds the volume of the path (400 ID_INVALID for an id of
// the wrong shape, 404 NOT_FOUND for one that does not exist).
func (c *call) lookupVolume() (*BlockStorage, *apiErr) {
	id := c.params["id"]
	if !uuidRE().MatchString(id) {
		return nil, badRequest(api.IDInvalid, "%q is not a block storage id", id)
	}
	v := c.w.volume(id)
	if v == nil {
		return nil, notFound("block storage %s not found", id)
	}
	return v, nil
}

// volumeInstance finds the instance a volume call names and checks that
// it can take a volume of zone now ("" : any zone).
func (c *call) volumeInstance(id, zone string) (*Instance, *apiErr) {
	in := c.w.instance(id)
	if in == nil {
		return nil, checkParam("instance_id %q: no such instance", id)
	}
	if zone != "" && in.Zone != zone {
		return nil, checkParam("instance %s is in %s, the block storage in %s", id, in.Zone, zone)
	}
	if e := notBusy(in); e != nil {
		return nil, e
	}
	return in, nil
}

// listVolumes is paginated and answers 200 (the live service was seen to,
// where the reference says 202).
func listVolumes(c *call) (result, *apiErr) {
	zone, typ := c.query.Get("zone_id"), c.query.Get("type")
	var out []api.BlockStorage
	for i := range c.w.BlockStorages {
		v := &c.w.BlockStorages[i]
		if zone != "" && v.Zone != zone || typ != "" && v.Type != typ {
			continue
		}
		out = append(out, volumeJSON(v))
	}
	return paginate(c, out, api.DefaultPageSize)
}

func getVolume(c *call) (result, *apiErr) {
	v, e := c.lookupVolume()
	if e != nil {
		return result{}, e
	}
	return rows(http.StatusOK, []api.BlockStorage{volumeJSON(v)}), nil
}

// createVolume makes a volume attached to instance_id, in its zone: 202
// "creating", "in-use" ReadyAfter later.
func createVolume(c *call) (result, *apiErr) {
	for _, f := range []string{api.FormInstanceID, api.FormType, api.FormSize} {
		if c.str(f) == "" {
			return result{}, missing(f)
		}
	}
	in, e := c.volumeInstance(c.str(api.FormInstanceID), "")
	if e != nil {
		return result{}, e
	}
	typ := c.str(api.FormType)
	i := slices.IndexFunc(c.w.StorageTypes, func(t api.BlockStorageType) bool { return t.Type == typ })
	if i < 0 || !slices.Contains(c.w.StorageTypes[i].Zones, in.Zone) {
		return result{}, badRequest(api.CheckParamEnum, "type %q is not offered in %s", typ, in.Zone)
	}
	st := c.w.StorageTypes[i]
	size, err := strconv.Atoi(c.str(api.FormSize))
	if err != nil || size < st.Min || size > st.Max {
		return result{}, checkParam("size %q: %s volumes are %d to %d GB", c.str(api.FormSize), typ, st.Min, st.Max)
	}
	name, e := c.text(api.FormName)
	if e != nil {
		return result{}, e
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		return result{}, badRequest(api.CheckLength, "name: at most %d characters", maxNameLen)
	}
	var desc *string
	if c.has(api.FormDescription) {
		d, e := c.text(api.FormDescription)
		if e != nil {
			return result{}, e
		}
		desc = &d
	}
	v := BlockStorage{ID: c.w.newUUID(c.s.seed), Name: name, Description: desc, Type: typ, Size: size, Zone: in.Zone,
		Instance: in.ID, CreatedAt: c.now.UTC()}
	done := c.volumeTransition(&v, api.StorageCreating, api.StorageInUse)
	c.w.BlockStorages = append(c.w.BlockStorages, v)
	iid := in.ID
	res := rows(http.StatusAccepted, []api.StorageAccepted{{BlockStorageID: v.ID, Status: api.StorageCreating, InstanceID: &iid}})
	res.doneAt = done
	return res, nil
}

func (c *call) volumeTransition(v *BlockStorage, during, next string) time.Time {
	v.Status, v.Next, v.ReadyAt = during, next, c.now.Add(c.s.readyAfter)
	return v.ReadyAt
}

// deleteVolume deletes an available volume: 409 IN_USE while attached or
// in a transition.
func deleteVolume(c *call) (result, *apiErr) {
	v, e := c.lookupVolume()
	if e != nil {
		return result{}, e
	}
	if v.Status != api.StorageAvailable {
		return result{}, inUse("block storage %s is %s: detach it first", v.ID, v.Status)
	}
	done := c.volumeTransition(v, api.StorageDeleting, "")
	res := rows(http.StatusAccepted, []api.StorageAccepted{{BlockStorageID: v.ID, Status: api.StorageDeleting}})
	res.doneAt = done
	return res, nil
}

func attachVolume(c *call) (result, *apiErr) {
	v, e := c.lookupVolume()
	if e != nil {
		return result{}, e
	}
	if v.Status != api.StorageAvailable {
		return result{}, inUse("block storage %s is %s: only an available one attaches", v.ID, v.Status)
	}
	in, e := c.volumeInstance(c.params["instance"], v.Zone)
	if e != nil {
		return result{}, e
	}
	v.Instance = in.ID
	done := c.volumeTransition(v, api.StorageAttaching, api.StorageInUse)
	iid := in.ID
	res := rows(http.StatusAccepted, []api.StorageAccepted{{BlockStorageID: v.ID, Status: api.StorageAttaching, InstanceID: &iid}})
	res.doneAt = done
	return res, nil
}

func detachVolume(c *call) (result, *apiErr) {
	v, e := c.lookupVolume()
	if e != nil {
		return result{}, e
	}
	if v.Status != api.StorageInUse {
		return result{}, checkParam("block storage %s is %s: only an attached one detaches", v.ID, v.Status)
	}
	if in := c.w.instance(v.Instance); in != nil {
		if e := notBusy(in); e != nil {
			return result{}, e
		}
	}
	done := c.volumeTransition(v, api.StorageDetaching, api.StorageAvailable)
	res := rows(http.StatusAccepted, []api.StorageAccepted{{BlockStorageID: v.ID, Status: api.StorageDetaching}})
	res.doneAt = done
	return res, nil
}
