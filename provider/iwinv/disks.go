package iwinv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

const volumesPath = "/v1/block-storages"

func volumePath(id string) string { return volumesPath + "/" + url.PathEscape(id) }

// ListVolumes is GET /v1/block-storages?zone_id=… (every page).
func (c *Client) ListVolumes(ctx context.Context, zone string) ([]api.BlockStorage, error) {
	return listAll[api.BlockStorage](ctx, c, volumesPath, url.Values{"zone_id": {zone}})
}

// GetVolume is GET /v1/block-storages/{id}.
func (c *Client) GetVolume(ctx context.Context, id string) (api.BlockStorage, error) {
	env, err := c.do(ctx, request{method: http.MethodGet, path: volumePath(id), mode: idempotent, notFound: byID})
	if err != nil {
		return api.BlockStorage{}, err
	}
	rows, err := rowsOf[api.BlockStorage](env, "GET "+volumePath(id))
	if err != nil {
		return api.BlockStorage{}, err
	}
	if len(rows) != 1 || rows[0].BlockStorageID != id {
		return api.BlockStorage{}, fmt.Errorf("GET %s: %d rows, want exactly block storage %s", volumePath(id), len(rows), id)
	}
	return rows[0], nil
}

// CreateVolume is POST /v1/block-storages (multipart): a volume created
// attached to instance. Never repeated: block storage has no name to
// find it by, so the engine matches size, type and instance.
func (c *Client) CreateVolume(ctx context.Context, instance, typ string, size int) (string, error) {
	form := []field{{api.FormInstanceID, instance}, {api.FormType, typ}, {api.FormSize, strconv.Itoa(size)}}
	env, err := c.do(ctx, request{method: http.MethodPost, path: volumesPath, form: form, mode: once})
	if err != nil {
		return "", err
	}
	rows, err := rowsOf[api.StorageAccepted](env, "POST "+volumesPath)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 || rows[0].BlockStorageID == "" {
		return "", fmt.Errorf("POST %s: answered %d block storages, want 1", volumesPath, len(rows))
	}
	return rows[0].BlockStorageID, nil
}

// volumeAction is one asynchronous volume call (attach, detach, delete):
// 202, never repeated blindly (a repeat is refused once the first took).
func (c *Client) volumeAction(ctx context.Context, method, path string) error {
	_, err := c.do(ctx, request{method: method, path: path, form: []field{}, mode: once, notFound: byID})
	return err
}

func attachedTo(v api.BlockStorage) string {
	if v.InstanceID == nil {
		return ""
	}
	return *v.InstanceID
}

func diskObject(v api.BlockStorage) provider.Object {
	return provider.Object{Kind: Disks, Location: v.ZoneID, ID: v.BlockStorageID, Name: v.Name, Status: v.Status,
		Attrs: provider.Attrs{
			"size":       v.Size,
			"type":       v.Type,
			"attach_to":  attachedTo(v),
			"status":     v.Status,
			"created_at": v.CreatedAt,
		}}
}

func (c *Client) listDiskObjects(ctx context.Context, location string) ([]provider.Object, error) {
	vols, err := c.ListVolumes(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(vols))
	for _, v := range vols {
		out = append(out, diskObject(v))
	}
	return out, nil
}

func (c *Client) getDiskObject(ctx context.Context, id string) (provider.Object, error) {
	v, err := c.GetVolume(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	return diskObject(v), nil
}

// waitVolume polls a volume until its status is want.
func (c *Client) waitVolume(ctx context.Context, id, want string) (api.BlockStorage, error) {
	var v api.BlockStorage
	err := c.waitFor(ctx, fmt.Sprintf("block storage %s to be %s", id, want), func(ctx context.Context) (bool, string, error) {
		cur, err := c.GetVolume(ctx, id)
		if err != nil {
			return false, "", err
		}
		v = cur
		return cur.Status == want, fmt.Sprintf("%q", cur.Status), nil
	})
	return v, err
}

// waitVolumeSettled waits for a volume to be in use or available.
func (c *Client) waitVolumeSettled(ctx context.Context, id string) (api.BlockStorage, error) {
	var v api.BlockStorage
	err := c.waitFor(ctx, fmt.Sprintf("block storage %s to be in-use or available", id), func(ctx context.Context) (bool, string, error) {
		cur, err := c.GetVolume(ctx, id)
		if err != nil {
			return false, "", err
		}
		v = cur
		return cur.Status == api.StorageInUse || cur.Status == api.StorageAvailable, fmt.Sprintf("%q", cur.Status), nil
	})
	return v, err
}

// instanceIn reads the instance a volume is to be attached to and checks
// its zone: iwinv attaches a volume to an instance of its own zone.
func (c *Client) instanceIn(ctx context.Context, id, zone string) error {
	in, err := c.GetInstance(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("attach_to: instance %s does not exist (%v)", id, err)
		}
		return err
	}
	if in.Zone != nil && zone != "" && in.Zone.ZoneID != zone {
		return fmt.Errorf("attach_to: instance %s is in %s, not %s", id, in.Zone.ZoneID, zone)
	}
	return nil
}

// createDisk makes a volume attached to its instance and returns when it
// is in use. The instance being busy (still building) is waited out.
func (c *Client) createDisk(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	size, typ, attach := r.Int("size"), r.Str("type"), r.Str("attach_to")
	if r.Err != nil {
		return provider.Object{}, notSentErr(r.Err)
	}
	if attach == "" {
		return provider.Object{}, notSentErr(errors.New("attach_to: iwinv creates a block storage attached to an instance: name one"))
	}
	if err := c.instanceIn(ctx, attach, location); err != nil {
		return provider.Object{}, notSentErr(err)
	}
	var id string
	err := c.whenSettled(ctx, attach, func() (err error) { id, err = c.CreateVolume(ctx, attach, typ, size); return })
	if err != nil {
		return provider.Object{}, err
	}
	made := provider.Object{Kind: Disks, Location: location, ID: id, Status: api.StorageCreating,
		Attrs: provider.Attrs{"size": size, "type": typ, "attach_to": attach, "status": api.StorageCreating}}
	v, err := c.waitVolume(ctx, id, api.StorageInUse)
	if err != nil {
		return made, fmt.Errorf("block storage %s created, but it did not come into use: %w", id, err)
	}
	return diskObject(v), nil
}

// updateDisk moves a volume to another instance: detach, then attach,
// each waited for. Size and type cannot change in place (the API has no
// resize).
func (c *Client) updateDisk(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("attach_to"); err != nil {
		return provider.Object{}, fmt.Errorf("block storage %s: %w", id, err)
	}
	if _, err := c.GetVolume(ctx, id); err != nil {
		return provider.Object{}, err
	}
	v, err := c.waitVolumeSettled(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	after, _ := cs.After("attach_to")
	want, err := provider.AsString("attach_to", after)
	if err != nil {
		return provider.Object{}, err
	}
	if cur := attachedTo(v); cur != want {
		if cur != "" {
			if err := c.detach(ctx, id, cur); err != nil {
				return provider.Object{}, err
			}
		}
		if want != "" {
			if err := c.instanceIn(ctx, want, v.ZoneID); err != nil {
				return provider.Object{}, err
			}
			if err := c.attach(ctx, id, want); err != nil {
				return provider.Object{}, err
			}
		}
	}
	return c.getDiskObject(ctx, id)
}

// detach detaches a volume from instance and waits until it is
// available. A busy instance is waited out; an unknown outcome is read.
func (c *Client) detach(ctx context.Context, id, instance string) error {
	err := c.whenSettled(ctx, instance, func() error { return c.volumeAction(ctx, http.MethodPost, volumePath(id)+"/detach") })
	if err = confirmVolume(ctx, c, id, err, api.StorageDetaching, api.StorageAvailable); err != nil {
		return fmt.Errorf("detaching block storage %s from %s: %w", id, instance, err)
	}
	_, err = c.waitVolume(ctx, id, api.StorageAvailable)
	return err
}

// attach attaches a volume to instance and waits until it is in use.
func (c *Client) attach(ctx context.Context, id, instance string) error {
	err := c.whenSettled(ctx, instance, func() error {
		return c.volumeAction(ctx, http.MethodPost, volumePath(id)+"/attach/"+url.PathEscape(instance))
	})
	if err = confirmVolume(ctx, c, id, err, api.StorageAttaching, api.StorageInUse); err != nil {
		return fmt.Errorf("attaching block storage %s to %s: %w", id, instance, err)
	}
	_, err = c.waitVolume(ctx, id, api.StorageInUse)
	return err
}

// confirmVolume turns a failed volume call into success when a fresh read
// shows it took effect (the volume is in one of statuses): a lost answer
// or a repeat refused because the first one worked.
func confirmVolume(ctx context.Context, c *Client, id string, err error, statuses ...string) error {
	if err == nil || isNotFound(err) || ctx.Err() != nil {
		return err
	}
	if v, gerr := c.GetVolume(ctx, id); gerr == nil {
		for _, s := range statuses {
			if v.Status == s {
				return nil
			}
		}
	}
	return err
}

// deleteDisk detaches a volume if it is attached (the API deletes only an
// available one), deletes it and returns when it is gone.
func (c *Client) deleteDisk(ctx context.Context, id string) error {
	v, err := c.GetVolume(ctx, id)
	if err != nil {
		return err
	}
	if v.Status != api.StorageDeleting {
		if v, err = c.waitVolumeSettled(ctx, id); err != nil {
			return err
		}
		if v.Status == api.StorageInUse {
			if err := c.detach(ctx, id, attachedTo(v)); err != nil {
				return err
			}
		}
		err = c.volumeAction(ctx, http.MethodDelete, volumePath(id))
		if err = confirmVolume(ctx, c, id, err, api.StorageDeleting); err != nil && !isNotFound(err) {
			return fmt.Errorf("deleting block storage %s: %w", id, err)
		}
	}
	return c.waitGone(ctx, "block storage "+id, func(ctx context.Context) (string, error) {
		v, err := c.GetVolume(ctx, id)
		return v.Status, err
	})
}
