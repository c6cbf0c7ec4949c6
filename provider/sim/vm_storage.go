package sim

import (
	"fmt"

	"github.com/idstack/idstack/provider/api"
)

// replicasOf lists a VM's replicas of a type ("" = all).
func (w *World) replicasOf(vm, typ string) []api.Replica {
	out := []api.Replica{}
	for _, r := range w.Replicas {
		if r.VMUUID == vm && (typ == "" || r.API.Type == typ) {
			out = append(out, r.API)
		}
	}
	return out
}

func (w *World) replica(uuid string) *StoredReplica {
	for i := range w.Replicas {
		if w.Replicas[i].API.UUID == uuid {
			return &w.Replicas[i]
		}
	}
	return nil
}

func getReplicas(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	typ := c.str("r_type")
	if typ == "" {
		typ = "snapshot"
	}
	return ok(c.w.replicasOf(v.API.UUID, typ)), nil
}

// postReplica snapshots the boot disk and answers the boot storage.
func postReplica(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	boot := v.API.Storage[0]
	id := boot.UUID + c.now.UTC().Format("2006-01-02-15-04-05")
	for n := 2; c.w.replica(id) != nil; n++ {
		id = fmt.Sprintf("%s%s-%d", boot.UUID, c.now.UTC().Format("2006-01-02-15-04-05"), n)
	}
	c.w.Replicas = append(c.w.Replicas, StoredReplica{VMUUID: v.API.UUID, API: api.Replica{
		CreatedAt: c.tsMicro(), ID: c.w.newID(), MasterID: boot.ID, MasterUUID: boot.UUID,
		Size: boot.Size, Type: "snapshot", UUID: id,
	}})
	boot.Replica = c.w.replicasOf(v.API.UUID, "")
	return ok(boot), nil
}

func deleteReplica(c *call) (result, *apiErr) {
	id := c.str("replica_uuid")
	if id == "" {
		return result{}, badRequest("replica_uuid is required")
	}
	for i, r := range c.w.Replicas {
		if r.API.UUID == id {
			if c.w.vm(c.loc, r.VMUUID) == nil {
				break
			}
			c.w.Replicas = append(c.w.Replicas[:i], c.w.Replicas[i+1:]...)
			return successTrue(), nil
		}
	}
	return result{}, notFound("No such replica: %s", id)
}

func rebuildVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	id := c.str("replica_uuid")
	r := c.w.replica(id)
	if r == nil || r.VMUUID != v.API.UUID {
		return result{}, notFound("No such replica of %s: %s", v.API.UUID, id)
	}
	c.touchVM(v)
	return ok(c.w.vmJSON(v)), nil
}

// nextDevice is the first free device name of a VM after its boot disk.
func (w *World) nextDevice(vm string) string {
	used := map[string]bool{}
	for _, d := range w.Disks {
		if d.AttachedTo == vm {
			used[d.Device] = true
		}
	}
	for ch := 'b'; ch <= 'z'; ch++ {
		if n := "vd" + string(ch); !used[n] {
			return n
		}
	}
	return "vdz"
}

func (c *call) sizeGB(min, max int) (int, *apiErr) {
	n, has, e := c.integer("size_gb")
	if e != nil {
		return 0, e
	}
	if !has {
		return 0, badRequest("size_gb is required")
	}
	if n < min || n > max {
		return 0, badRequest("size_gb must be between %d and %d, got %d", min, max, n)
	}
	return n, nil
}

// postVMStorage creates a disk and attaches it to the VM.
func postVMStorage(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	size, e := c.sizeGB(minExtraDisk, maxExtra)
	if e != nil {
		return result{}, e
	}
	d := c.newDisk(size, "EMPTY", "", v.API.BillingAccount)
	d.AttachedTo, d.Device, d.VMOwned = v.API.UUID, c.w.nextDevice(v.API.UUID), true
	st := c.w.diskStorage(d)
	st.ID, st.UserID, st.UpdatedAt = 0, 0, api.Nullable[string]{}
	return ok(st), nil
}

// vmDisk finds a disk of a VM: its boot disk or an attached one.
func (c *call) vmDisk(v *VM, field string) (boot bool, d *Disk, e *apiErr) {
	id := c.str(field)
	if id == "" {
		return false, nil, badRequest("%s is required", field)
	}
	if v.API.Storage[0].UUID == id {
		return true, nil, nil
	}
	d = c.w.disk(c.loc, id)
	if d == nil || d.AttachedTo != v.API.UUID {
		return false, nil, notFound("No such disk on virtual machine %s: %s", v.API.UUID, id)
	}
	return false, d, nil
}

// patchVMStorage grows a disk of a VM; it never shrinks.
func patchVMStorage(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	boot, d, e := c.vmDisk(v, "disk_uuid")
	if e != nil {
		return result{}, e
	}
	max := maxExtra
	if boot {
		max = maxDisk
	}
	size, e := c.sizeGB(1, max)
	if e != nil {
		return result{}, e
	}
	cur := v.API.Storage[0].Size
	if d != nil {
		cur = d.API.SizeGB
	}
	if size < cur {
		return result{}, badRequest("New disk size cannot be smaller than current size (%d GiB < %d GiB)", size, cur)
	}
	ts := c.ts()
	if boot {
		st := &v.API.Storage[0]
		st.Size, st.UpdatedAt = size, api.Some(ts)
		c.touchVM(v)
		out := *st
		out.Replica = c.w.replicasOf(v.API.UUID, "")
		return ok(out), nil
	}
	d.API.SizeGB, d.API.UpdatedAt = size, c.tsJava()
	st := c.w.diskStorage(d)
	st.ID, st.UserID, st.UpdatedAt = 0, 0, api.Some(ts)
	return ok(st), nil
}

// deleteVMStorage removes a non-boot disk of a VM for good.
func deleteVMStorage(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	boot, d, e := c.vmDisk(v, "storage_uuid")
	if e != nil {
		return result{}, e
	}
	if boot {
		return result{}, badRequest("Primary/boot disks cannot be deleted")
	}
	c.w.removeDisk(d.API.UUID)
	return successTrue(), nil
}

func attachDisk(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	id := c.str("storage_uuid")
	if id == "" {
		return result{}, badRequest("storage_uuid is required")
	}
	d := c.w.disk(c.loc, id)
	if d == nil {
		return result{}, notFound("No such disk: %s", id)
	}
	if d.AttachedTo != "" {
		return result{}, conflict("Disk %s is already attached to virtual machine %s", id, d.AttachedTo)
	}
	d.AttachedTo, d.Device = v.API.UUID, c.w.nextDevice(v.API.UUID)
	st := c.w.diskStorage(d)
	st.ID, st.Pool, st.Type, st.UpdatedAt = 0, "", "", api.Nullable[string]{}
	return ok(st), nil
}

func detachDisk(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	boot, d, e := c.vmDisk(v, "storage_uuid")
	if e != nil {
		return result{}, e
	}
	if boot {
		return result{}, badRequest("The boot disk cannot be detached")
	}
	d.AttachedTo, d.Device, d.VMOwned = "", "", false
	d.API.UpdatedAt = c.tsJava()
	return successTrue(), nil
}

// postResourceBilling moves a VM to another billing account.
func postResourceBilling(c *call) (result, *apiErr) {
	if t := c.str("resource_type"); t != "" && t != "vm" {
		return result{}, badRequest("resource_type %q is not supported", t)
	}
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	id, _, e := c.integer("billing_account_id")
	if e != nil {
		return result{}, e
	}
	if !c.w.billingOK(id) {
		return result{}, billingErr()
	}
	v.API.BillingAccount = id
	c.touchVM(v)
	return ok(c.w.vmJSON(v)), nil
}

// getBillingResources lists the VMs of a billing account, with their
// public address as billing sees it.
func getBillingResources(c *call) (result, *apiErr) {
	if t := c.str("resource_type"); t != "" && t != "vm" {
		return result{}, badRequest("resource_type %q is not supported", t)
	}
	id, has, e := c.integer("id")
	if e != nil {
		return result{}, e
	}
	if !has || !c.w.billingOK(id) {
		return result{}, billingErr()
	}
	out := []api.VM{}
	for i := range c.w.VMs {
		v := &c.w.VMs[i]
		if v.Location != c.loc || v.API.BillingAccount != id || v.Unlisted {
			continue
		}
		// This answer's older shape: hypervisor_id and public_ipv4 on the
		// VM and on each storage entry, null when unknown (the document).
		js := c.w.vmJSON(v)
		js.HypervisorID, js.PublicIPv4 = api.Null[int](), api.Null[string]()
		if f := c.w.fipOf(v.API.UUID); f != nil {
			js.PublicIPv4 = api.Some(f.API.Address)
		}
		for j := range js.Storage {
			js.Storage[j].PublicIPv4 = api.Null[string]()
		}
		out = append(out, js)
	}
	return ok(out), nil
}

// postVMPublicIP (deprecated) reserves a floating IP and assigns it.
func postVMPublicIP(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if c.w.fipOf(v.API.UUID) != nil {
		return result{}, conflict("Virtual machine %s already has a public IP address", v.API.UUID)
	}
	uuid := v.API.UUID
	f := c.s.newFloatingIP(c, "", v.API.BillingAccount)
	c.assignFIP(f, c.w.vm(c.loc, uuid))
	return ok(c.w.vmJSON(c.w.vm(c.loc, uuid))), nil
}

// deleteVMPublicIP (deprecated) unassigns the VM's address, which stays
// reserved for the user.
func deleteVMPublicIP(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	f := c.w.fipOf(v.API.UUID)
	if f == nil {
		return result{}, conflict("Virtual machine %s has no public IP address", v.API.UUID)
	}
	c.unassignFIP(f)
	return ok(c.w.vmJSON(v)), nil
}
