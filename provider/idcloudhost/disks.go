package idcloudhost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// Standalone disks are form-encoded: the live service ignores a JSON body.
const diskPath = "/storage/disks"

// ListDisks is GET /v1/{location}/storage/disks.
func (c *Client) ListDisks(ctx context.Context, location string) ([]api.Disk, error) {
	var out []api.Disk
	err := c.do(ctx, idempotent, http.MethodGet, location, diskPath, nil, &out)
	return out, err
}

// GetDisk is GET /v1/{location}/storage/disks/{uuid}.
func (c *Client) GetDisk(ctx context.Context, location, uuid string) (api.Disk, error) {
	var out api.Disk
	err := c.do(ctx, idempotent, http.MethodGet, location, diskPath+"/"+url.PathEscape(uuid), nil, &out)
	return out, err
}

// CreateDisk is POST /v1/{location}/storage/disks (form size_gb,
// billing_account_id, source_image_type, source_image). Never retried.
func (c *Client) CreateDisk(ctx context.Context, location string, form url.Values) (api.Disk, error) {
	var out api.Disk
	err := c.do(ctx, once, http.MethodPost, location, diskPath, form, &out)
	return out, err
}

// SetDiskBilling is PATCH /v1/{location}/storage/disks/{uuid} (form
// billing_account_id).
func (c *Client) SetDiskBilling(ctx context.Context, location, uuid string, billingAccount int) (api.Disk, error) {
	var out api.Disk
	err := c.do(ctx, idempotent, http.MethodPatch, location, diskPath+"/"+url.PathEscape(uuid),
		url.Values{"billing_account_id": {strconv.Itoa(billingAccount)}}, &out)
	return out, err
}

// DeleteDisk is DELETE /v1/{location}/storage/disks/{uuid} (204).
func (c *Client) DeleteDisk(ctx context.Context, location, uuid string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, diskPath+"/"+url.PathEscape(uuid), nil, nil)
}

// AttachDisk is POST /v1/{location}/user-resource/vm/storage/attach.
func (c *Client) AttachDisk(ctx context.Context, location, vmUUID, diskUUID string) error {
	return c.do(ctx, once, http.MethodPost, location, vmPath+"/storage/attach",
		url.Values{"uuid": {vmUUID}, "storage_uuid": {diskUUID}}, nil)
}

// DetachDisk is POST /v1/{location}/user-resource/vm/storage/detach.
func (c *Client) DetachDisk(ctx context.Context, location, vmUUID, diskUUID string) error {
	return c.do(ctx, once, http.MethodPost, location, vmPath+"/storage/detach",
		url.Values{"uuid": {vmUUID}, "storage_uuid": {diskUUID}}, nil)
}

func diskObject(location string, d api.Disk, attachedTo string) provider.Object {
	return provider.Object{
		Kind: Disks, Location: location, ID: d.UUID, Status: d.Status,
		Attrs: provider.Attrs{
			"size":            d.SizeGB,
			"status":          d.Status,
			"billing_account": d.BillingAccountID,
			"source_type":     d.SourceImageType,
			"source_image":    d.SourceImage,
			"created_at":      d.CreatedAt,
			"attached_to":     attachedTo,
		},
	}
}

// diskAttachments maps each storage uuid to the VM whose storage lists it.
func diskAttachments(vms []api.VM) map[string]string {
	m := map[string]string{}
	for _, vm := range vms {
		for _, s := range vm.Storage {
			m[s.UUID] = vm.UUID
		}
	}
	return m
}

func (c *Client) listDiskObjects(ctx context.Context, location string) ([]provider.Object, error) {
	var disks []api.Disk
	var vms []api.VM
	err := both(ctx,
		func(ctx context.Context) (err error) { disks, err = c.ListDisks(ctx, location); return },
		func(ctx context.Context) (err error) { vms, err = c.ListVMs(ctx, location); return })
	if err != nil {
		return nil, err
	}
	at := diskAttachments(vms)
	out := make([]provider.Object, 0, len(disks))
	for _, d := range disks {
		out = append(out, diskObject(location, d, at[d.UUID]))
	}
	return out, nil
}

func (c *Client) getDiskObject(ctx context.Context, location, id string) (provider.Object, error) {
	var d api.Disk
	var vms []api.VM
	err := both(ctx,
		func(ctx context.Context) (err error) { d, err = c.GetDisk(ctx, location, id); return },
		func(ctx context.Context) (err error) { vms, err = c.ListVMs(ctx, location); return })
	if err != nil {
		return provider.Object{}, err
	}
	return diskObject(location, d, diskAttachments(vms)[d.UUID]), nil
}

// attachedTo reads the attachment attribute, under its Attrs name or the
// stack file's (attach_to).
func attachedTo(r *provider.AttrReader) (string, bool) {
	for _, k := range []string{"attached_to", "attach_to"} {
		if _, ok := r.Attrs[k]; ok {
			return r.Str(k), true
		}
	}
	return "", false
}

func (c *Client) createDisk(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	f := url.Values{}
	if r.Has("size") {
		f.Set("size_gb", strconv.Itoa(r.Int("size")))
	}
	if r.Has("billing_account") {
		f.Set("billing_account_id", strconv.Itoa(r.Int("billing_account")))
	}
	srcType, srcImage := r.Str("source_type"), r.Str("source_image")
	if src, ok := a["source"].(map[string]any); ok { // the stack file's shape
		sr := provider.AttrReader{Attrs: src}
		if srcType == "" {
			srcType = sr.Str("type")
		}
		for _, k := range []string{"image", "ref", "uuid"} {
			if srcImage == "" {
				srcImage = sr.Str(k)
			}
		}
		if sr.Err != nil {
			return provider.Object{}, fmt.Errorf("source: %w", sr.Err)
		}
	}
	if srcType != "" {
		f.Set("source_image_type", srcType)
	}
	if srcImage != "" {
		f.Set("source_image", srcImage)
	}
	vm, attach := attachedTo(&r)
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	d, err := c.CreateDisk(ctx, location, f)
	if err != nil {
		return provider.Object{}, err
	}
	if attach && vm != "" {
		err := c.whenSettled(ctx, location, vm, func() error { return c.AttachDisk(ctx, location, vm, d.UUID) })
		if err = confirm(ctx, err, c.diskAttachedTo(location, d.UUID, vm)); err != nil {
			return diskObject(location, d, ""), fmt.Errorf("disk %s created, but attaching it to vm %s failed: %w", d.UUID, vm, err)
		}
		return diskObject(location, d, vm), nil
	}
	return diskObject(location, d, ""), nil
}

// updateDisk changes the billing account, moves the attachment (detach from
// the old VM, then attach to the new) and grows an attached disk, in that
// order.
func (c *Client) updateDisk(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if ch, ok := cs["attach_to"]; ok {
		delete(cs, "attach_to")
		ch.Field = "attached_to"
		cs["attached_to"] = ch
	}
	if err := cs.Only("billing_account", "attached_to", "size"); err != nil {
		return provider.Object{}, fmt.Errorf("disk %s: %w", id, err)
	}
	obj, err := c.getDiskObject(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	cur, _ := obj.Attrs["attached_to"].(string)

	if ch, ok := cs["billing_account"]; ok {
		n, err := provider.AsInt("billing_account", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if n != obj.Attrs["billing_account"] {
			if _, err := c.SetDiskBilling(ctx, location, id, n); err != nil {
				return provider.Object{}, err
			}
		}
	}
	if ch, ok := cs["attached_to"]; ok {
		want, err := provider.AsString("attached_to", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if want != cur {
			if cur != "" {
				err := c.whenSettled(ctx, location, cur, func() error { return c.DetachDisk(ctx, location, cur, id) })
				err = confirm(ctx, err, c.diskAttachedTo(location, id, ""))
				if err != nil && !isNotFound(err) {
					return provider.Object{}, err
				}
			}
			if want != "" {
				err := c.whenSettled(ctx, location, want, func() error { return c.AttachDisk(ctx, location, want, id) })
				if err = confirm(ctx, err, c.diskAttachedTo(location, id, want)); err != nil {
					return provider.Object{}, err
				}
			}
			cur = want
		}
	}
	if ch, ok := cs["size"]; ok {
		size, err := provider.AsInt("size", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		have, _ := obj.Attrs["size"].(int)
		switch {
		case size < have:
			return provider.Object{}, fmt.Errorf("disk %s: cannot shrink from %d to %d GiB", id, have, size)
		case size > have && cur == "":
			return provider.Object{}, fmt.Errorf("disk %s: can only grow while attached to a VM", id)
		case size > have:
			err := c.whenSettled(ctx, location, cur, func() error {
				_, err := c.ResizeVMStorage(ctx, location, cur, id, size)
				return err
			})
			err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
				d, err := c.GetDisk(ctx, location, id)
				return d.SizeGB == size, err
			})
			if err != nil {
				return provider.Object{}, err
			}
		}
	}
	return c.getDiskObject(ctx, location, id)
}

// diskAttachedTo checks, by listing the VMs, that a disk is attached to vm
// ("" for detached).
func (c *Client) diskAttachedTo(location, disk, vm string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		vms, err := c.ListVMs(ctx, location)
		return diskAttachments(vms)[disk] == vm, err
	}
}

// deleteDisk deletes a disk, detaching it first if a VM lists it (the API
// refuses to delete an attached disk).
func (c *Client) deleteDisk(ctx context.Context, location, id string) error {
	vms, err := c.ListVMs(ctx, location)
	if err != nil {
		return err
	}
	if vm := diskAttachments(vms)[id]; vm != "" {
		err := c.whenSettled(ctx, location, vm, func() error { return c.DetachDisk(ctx, location, vm, id) })
		if err = confirm(ctx, err, c.diskAttachedTo(location, id, "")); err != nil && !isNotFound(err) {
			return fmt.Errorf("disk %s is attached to vm %s and detaching it failed: %w", id, vm, err)
		}
	}
	return c.DeleteDisk(ctx, location, id)
}
