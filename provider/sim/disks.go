package sim

import (
	"strings"

	"github.com/idstack/idstack/provider/api"
)

func (w *World) disk(loc, uuid string) *Disk {
	for i := range w.Disks {
		if w.Disks[i].Location == loc && w.Disks[i].API.UUID == uuid {
			return &w.Disks[i]
		}
	}
	return nil
}

func (w *World) removeDisk(uuid string) {
	for i := range w.Disks {
		if w.Disks[i].API.UUID == uuid {
			w.Disks = append(w.Disks[:i], w.Disks[i+1:]...)
			return
		}
	}
}

// newDisk adds an unattached disk to the call's location.
func (c *call) newDisk(size int, srcType, src string, billing int) *Disk {
	ts := c.tsJava()
	d := Disk{Location: c.loc, StorageID: c.w.newID(), API: api.Disk{
		UUID: c.s.newUUID(c.w), Status: "Active", UserID: c.w.UserID, BillingAccountID: billing,
		SizeGB: size, SourceImageType: srcType, SourceImage: src, CreatedAt: ts, UpdatedAt: ts,
	}}
	c.w.Disks = append(c.w.Disks, d)
	return &c.w.Disks[len(c.w.Disks)-1]
}

// diskJSON is a disk as /storage/disks shows it, with its snapshots.
func diskJSON(d *Disk) api.Disk {
	out := d.API
	if out.Snapshots == nil {
		out.Snapshots = []api.DiskSnapshot{}
	}
	return out
}

// snapshot finds a disk snapshot by uuid in a location.
func (w *World) snapshot(loc, uuid string) *api.DiskSnapshot {
	for i := range w.Disks {
		if w.Disks[i].Location != loc {
			continue
		}
		for j := range w.Disks[i].API.Snapshots {
			if w.Disks[i].API.Snapshots[j].UUID == uuid {
				return &w.Disks[i].API.Snapshots[j]
			}
		}
	}
	return nil
}

// postDisk creates a standalone disk from a form body. A JSON body is
// ignored, as by the live service: the fields are then missing.
func postDisk(c *call) (result, *apiErr) {
	srcType := strings.ToUpper(c.str("source_image_type"))
	if srcType == "" {
		srcType = "EMPTY"
	}
	src := c.str("source_image")
	size, hasSize, e := c.integer("size_gb")
	if e != nil {
		return result{}, e
	}
	srcSize := 0
	switch srcType {
	case "EMPTY":
		if src != "" {
			return result{}, badRequest("source_image must be empty for source_image_type EMPTY")
		}
	case "OS_BASE":
		os, ver, _ := strings.Cut(src, "_")
		if src == "" || !c.w.published(os, ver) {
			return result{}, badRequest("source_image %q is not a published OS base image (like ubuntu_22.04)", src)
		}
		srcSize = minDisk
	case "DISK":
		d := c.w.disk(c.loc, src)
		if d == nil {
			return result{}, badRequest("source_image: no such disk %q", src)
		}
		srcSize = d.API.SizeGB
	case "SNAPSHOT":
		sn := c.w.snapshot(c.loc, src)
		if sn == nil {
			return result{}, badRequest("source_image: no such snapshot %q", src)
		}
		srcSize = sn.SizeGB
	default:
		return result{}, badRequest("source_image_type must be one of OS_BASE, DISK, SNAPSHOT or EMPTY, got %q", srcType)
	}
	if !hasSize {
		if srcSize == 0 {
			return result{}, badRequest("size_gb is required for an EMPTY disk")
		}
		size = srcSize
	}
	if size < minExtraDisk || size > maxExtra {
		return result{}, badRequest("size_gb must be between %d and %d, got %d", minExtraDisk, maxExtra, size)
	}
	if size < srcSize {
		return result{}, badRequest("size_gb %d is smaller than the source (%d GiB)", size, srcSize)
	}
	billing, e := c.billing(false)
	if e != nil {
		return result{}, e
	}
	d := c.newDisk(size, srcType, src, billing)
	out := d.API // the create answer has no snapshots key
	return ok(out), nil
}

func (c *call) diskParam() (*Disk, *apiErr) {
	id := c.params["uuid"]
	d := c.w.disk(c.loc, id)
	if d == nil {
		return nil, notFound("Disk not found: %s", id)
	}
	return d, nil
}

func getDisk(c *call) (result, *apiErr) {
	d, e := c.diskParam()
	if e != nil {
		return result{}, e
	}
	return ok(diskJSON(d)), nil
}

func listDisks(c *call) (result, *apiErr) {
	out := []api.Disk{}
	for i := range c.w.Disks {
		if c.w.Disks[i].Location == c.loc {
			out = append(out, diskJSON(&c.w.Disks[i]))
		}
	}
	return ok(out), nil
}

// patchDisk changes a disk's billing account (the only field it takes).
func patchDisk(c *call) (result, *apiErr) {
	d, e := c.diskParam()
	if e != nil {
		return result{}, e
	}
	billing, e := c.billing(true)
	if e != nil {
		return result{}, e
	}
	d.API.BillingAccountID = billing
	d.API.UpdatedAt = c.tsJava()
	return ok(d.API), nil
}

// deleteDisk deletes an unattached disk and its snapshots.
func deleteDisk(c *call) (result, *apiErr) {
	d, e := c.diskParam()
	if e != nil {
		return result{}, e
	}
	if d.AttachedTo != "" {
		return result{}, conflict("Disk %s is attached to virtual machine %s; detach it first", d.API.UUID, d.AttachedTo)
	}
	c.w.removeDisk(d.API.UUID)
	return noContent(), nil
}
