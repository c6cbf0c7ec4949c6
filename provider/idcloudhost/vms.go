package idcloudhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

const vmPath = "/user-resource/vm"

// ListVMs is GET /v1/{location}/user-resource/vm/list.
func (c *Client) ListVMs(ctx context.Context, location string) ([]api.VM, error) {
	var out []api.VM
	err := c.do(ctx, idempotent, http.MethodGet, location, vmPath+"/list", nil, &out)
	return out, err
}

// GetVM is GET /v1/{location}/user-resource/vm?uuid=UUID.
func (c *Client) GetVM(ctx context.Context, location, uuid string) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, idempotent, http.MethodGet, location, vmPath+"?"+url.Values{"uuid": {uuid}}.Encode(), nil, &out)
	return out, err
}

// CreateVM is POST /v1/{location}/user-resource/vm with the form fields of
// the document. It is never retried.
func (c *Client) CreateVM(ctx context.Context, location string, form url.Values) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, once, http.MethodPost, location, vmPath, form, &out)
	return out, err
}

// ModifyVM is PATCH /v1/{location}/user-resource/vm (name, vcpu, ram; vcpu
// and ram only while stopped).
func (c *Client) ModifyVM(ctx context.Context, location, uuid string, form url.Values) (api.VM, error) {
	f := url.Values{"uuid": {uuid}}
	for k, v := range form {
		f[k] = v
	}
	var out api.VM
	err := c.do(ctx, idempotent, http.MethodPatch, location, vmPath, f, &out)
	return out, err
}

// DeleteVM is DELETE /v1/{location}/user-resource/vm (form uuid).
func (c *Client) DeleteVM(ctx context.Context, location, uuid string) error {
	return c.do(ctx, idempotent, http.MethodDelete, location, vmPath, url.Values{"uuid": {uuid}}, nil)
}

// StartVM is POST …/vm/start; StopVM is POST …/vm/stop. Neither is retried
// inside do(): a repeated call is refused once the first took effect, so
// the callers re-read the VM instead.
func (c *Client) StartVM(ctx context.Context, location, uuid string) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, once, http.MethodPost, location, vmPath+"/start", url.Values{"uuid": {uuid}}, &out)
	return out, err
}

// StopVM is POST /v1/{location}/user-resource/vm/stop.
func (c *Client) StopVM(ctx context.Context, location, uuid string) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, once, http.MethodPost, location, vmPath+"/stop", url.Values{"uuid": {uuid}}, &out)
	return out, err
}

// ToggleVMBackup is POST …/vm/backup: it flips the backup flag. Never
// retried; read the VM before calling it.
func (c *Client) ToggleVMBackup(ctx context.Context, location, uuid string) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, once, http.MethodPost, location, vmPath+"/backup", url.Values{"uuid": {uuid}}, &out)
	return out, err
}

// ReinstallVM is POST …/vm/reinstall: rewrites the boot disk from an OS
// image. Never retried: a repeat would wipe the disk again.
func (c *Client) ReinstallVM(ctx context.Context, location, uuid, osName, osVersion string) (api.VM, error) {
	var out api.VM
	err := c.do(ctx, once, http.MethodPost, location, vmPath+"/reinstall", url.Values{
		"uuid": {uuid}, "os_name": {osName}, "os_version": {osVersion}}, &out)
	return out, err
}

// ResizeVMStorage is PATCH …/vm/storage: grows a disk of a VM.
func (c *Client) ResizeVMStorage(ctx context.Context, location, vmUUID, diskUUID string, sizeGB int) (api.Storage, error) {
	var out api.Storage
	err := c.do(ctx, idempotent, http.MethodPatch, location, vmPath+"/storage", url.Values{
		"uuid": {vmUUID}, "disk_uuid": {diskUUID}, "size_gb": {strconv.Itoa(sizeGB)},
	}, &out)
	return out, err
}

// SetVMPassword is PATCH …/vm/user; the VM must be running.
func (c *Client) SetVMPassword(ctx context.Context, location, uuid, username, password string) error {
	return c.do(ctx, idempotent, http.MethodPatch, location, vmPath+"/user", url.Values{
		"uuid": {uuid}, "username": {username}, "password": {password},
	}, nil)
}

// SetResourceBilling is POST /v1/{location}/user-resource/resource_billing:
// it sets (not toggles) the billing account of a VM, so it is retried.
func (c *Client) SetResourceBilling(ctx context.Context, location, uuid string, billingAccount int) error {
	return c.do(ctx, idempotent, http.MethodPost, location, "/user-resource/resource_billing", url.Values{
		"uuid": {uuid}, "billing_account_id": {strconv.Itoa(billingAccount)},
	}, nil)
}

// primaryStorage returns the boot disk of a VM (the first one when none is
// marked primary).
func primaryStorage(vm api.VM) (api.Storage, bool) {
	for _, s := range vm.Storage {
		if s.Primary {
			return s, true
		}
	}
	if len(vm.Storage) > 0 {
		return vm.Storage[0], true
	}
	return api.Storage{}, false
}

// powerOf is the power state a VM status is in or on its way to: a VM
// that is starting (or being created) will run, one that is stopping will
// be stopped. Plans compare it; readiness waits read the raw status.
func powerOf(status string) string {
	switch status {
	case "creating", "starting":
		return statusRunning
	case "stopping":
		return statusStopped
	}
	return status
}

func vmObject(location string, vm api.VM, network string) provider.Object {
	storage := make([]any, 0, len(vm.Storage))
	for _, s := range vm.Storage {
		storage = append(storage, map[string]any{"uuid": s.UUID, "size": s.Size, "primary": s.Primary})
	}
	a := provider.Attrs{
		"name":            vm.Name,
		"description":     vm.Description,
		"os_name":         vm.OSName,
		"os_version":      vm.OSVersion,
		"vcpu":            vm.VCPU,
		"ram":             vm.Memory,
		"disk":            0,
		"disk_uuid":       "",
		"backup":          vm.Backup,
		"billing_account": vm.BillingAccount,
		"power":           powerOf(vm.Status),
		"pool":            vm.DesignatedPoolUUID,
		"pool_name":       vm.DesignatedPoolName,
		"username":        vm.Username,
		"private_ipv4":    vm.PrivateIPv4,
		"public_ipv6":     vm.PublicIPv6,
		"network":         network,
		"storage":         storage,
	}
	if p, ok := primaryStorage(vm); ok {
		a["disk"], a["disk_uuid"] = p.Size, p.UUID
	}
	return provider.Object{Kind: VMs, Location: location, ID: vm.UUID, Name: vm.Name, Status: vm.Status, Attrs: a}
}

// listVMObjects lists the VMs and the networks of a location once each and
// joins them: a VM does not say which network it is in.
func (c *Client) listVMObjects(ctx context.Context, location string) ([]provider.Object, error) {
	var vms []api.VM
	var nets []api.Network
	err := both(ctx,
		func(ctx context.Context) (err error) { vms, err = c.ListVMs(ctx, location); return },
		func(ctx context.Context) (err error) { nets, err = c.ListNetworks(ctx, location); return })
	if err != nil {
		return nil, err
	}
	in := vmNetworks(nets)
	out := make([]provider.Object, 0, len(vms))
	for _, vm := range vms {
		out = append(out, vmObject(location, vm, in[vm.UUID]))
	}
	return out, nil
}

// vmObjectJoined reads the networks to fill the VM's network attribute.
func (c *Client) vmObjectJoined(ctx context.Context, location string, vm api.VM, fallback string) (provider.Object, error) {
	nets, err := c.ListNetworks(ctx, location)
	if err != nil {
		return provider.Object{}, err
	}
	n := vmNetworks(nets)[vm.UUID]
	if n == "" {
		n = fallback
	}
	return vmObject(location, vm, n), nil
}

func (c *Client) getVMObject(ctx context.Context, location, id string) (provider.Object, error) {
	var vm api.VM
	var nets []api.Network
	err := both(ctx,
		func(ctx context.Context) (err error) { vm, err = c.GetVM(ctx, location, id); return },
		func(ctx context.Context) (err error) { nets, err = c.ListNetworks(ctx, location); return })
	if err != nil {
		return provider.Object{}, err
	}
	return vmObject(location, vm, vmNetworks(nets)[vm.UUID]), nil
}

// vmCreateForm maps create attributes to the form of POST user-resource/vm.
func (c *Client) vmCreateForm(ctx context.Context, location string, a provider.Attrs) (url.Values, error) {
	r := provider.AttrReader{Attrs: a}
	f := url.Values{}
	set := func(field, key string) {
		if s := r.Str(key); r.Has(key) && r.Err == nil {
			f.Set(field, s)
		}
	}
	setInt := func(field, key string) {
		if n := r.Int(key); r.Has(key) && r.Err == nil {
			f.Set(field, strconv.Itoa(n))
		}
	}
	set("name", "name")
	set("os_name", "os_name")
	set("os_version", "os_version")
	setInt("vcpu", "vcpu")
	setInt("ram", "ram")
	setInt("disks", "disk")
	set("network_uuid", "network")
	set("username", "username")
	set("password", "password")
	set("public_key", "public_key")
	set("description", "description")
	setInt("billing_account_id", "billing_account")
	if r.Has("backup") {
		f.Set("backup", boolForm(r.Bool("backup")))
	}
	// Always explicit: the API's default is true, which leaves a billed
	// floating IP behind when the VM is deleted.
	f.Set("reserve_public_ip", boolForm(r.Bool("reserve_public_ip")))
	if r.Err != nil {
		return nil, r.Err
	}
	if v, ok := a["cloud_init"]; ok && v != nil {
		switch x := v.(type) {
		case string:
			f.Set("cloud_init", x)
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("cloud_init: %w", err)
			}
			f.Set("cloud_init", string(b))
		}
	}
	if err := c.cloneSource(ctx, location, a, f); err != nil {
		return nil, err
	}
	if r.Has("pool") {
		p, err := c.resolvePool(ctx, location, r.Str("pool"))
		if err != nil {
			return nil, err
		}
		if p != "" {
			f.Set("designated_pool_uuid", p)
		}
	}
	return f, r.Err
}

func (c *Client) createVM(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	power := r.Str("power")
	network := r.Str("network")
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	if power != "" && power != "running" && power != "stopped" {
		return provider.Object{}, fmt.Errorf("power: want running or stopped, got %q", power)
	}
	form, err := c.vmCreateForm(ctx, location, a)
	if err != nil {
		return provider.Object{}, err
	}
	vm, err := c.CreateVM(ctx, location, form)
	if err != nil {
		return provider.Object{}, err
	}
	if power == "stopped" {
		if vm, err = c.setPower(ctx, location, vm, "stopped"); err != nil {
			return vmObject(location, vm, network), fmt.Errorf("vm %s created, but stopping it failed: %w", vm.UUID, err)
		}
	}
	obj, err := c.vmObjectJoined(ctx, location, vm, network)
	if err != nil { // the VM exists: answer it rather than fail the create
		return vmObject(location, vm, network), nil
	}
	return obj, nil
}

// updateVM applies in-place changes in a fixed order after reading the VM:
// name; vcpu/ram (stopping and restarting it as needed); disk growth;
// backup (toggled only if it differs); billing account; password (starting
// a stopped VM for it and stopping it again); power.
func (c *Client) updateVM(ctx context.Context, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("name", "vcpu", "ram", "disk", "backup", "billing_account", "password", "power", "os_name", "os_version"); err != nil {
		return provider.Object{}, fmt.Errorf("vm %s: %w", id, err)
	}
	wantPower := ""
	if ch, ok := cs["power"]; ok {
		p, err := provider.AsString("power", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if p != "running" && p != "stopped" {
			return provider.Object{}, fmt.Errorf("power: want running or stopped, got %q", p)
		}
		wantPower = p
	}
	vm, err := c.GetVM(ctx, location, id)
	if err != nil {
		return provider.Object{}, err
	}
	if vm.Status != "running" && vm.Status != "stopped" { // creating, or busy
		if vm, err = c.waitVMAny(ctx, location, id, "running", "stopped"); err != nil {
			return provider.Object{}, err
		}
	}

	if ch, ok := cs["name"]; ok {
		name, err := provider.AsString("name", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if name != vm.Name {
			if err := c.whenSettled(ctx, location, id, func() error {
				_, err := c.ModifyVM(ctx, location, id, url.Values{"name": {name}})
				return err
			}); err != nil {
				return provider.Object{}, err
			}
		}
	}

	if vm, err = c.reinstall(ctx, location, vm, cs); err != nil {
		return provider.Object{}, err
	}

	if vm, err = c.resize(ctx, location, vm, cs, wantPower); err != nil {
		return provider.Object{}, err
	}

	if ch, ok := cs["disk"]; ok {
		size, err := provider.AsInt("disk", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		p, ok := primaryStorage(vm)
		switch {
		case !ok:
			return provider.Object{}, fmt.Errorf("vm %s: no boot disk to resize", id)
		case size < p.Size:
			return provider.Object{}, fmt.Errorf("vm %s: disk cannot shrink from %d to %d GiB", id, p.Size, size)
		case size > p.Size:
			err := c.whenSettled(ctx, location, id, func() error {
				_, err := c.ResizeVMStorage(ctx, location, id, p.UUID, size)
				return err
			})
			err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
				cur, err := c.GetVM(ctx, location, id)
				p, _ := primaryStorage(cur)
				return p.Size == size, err
			})
			if err != nil {
				return provider.Object{}, err
			}
		}
	}

	if ch, ok := cs["backup"]; ok {
		want, err := provider.AsBool("backup", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		// A toggle: read right before, flip only if it differs.
		cur, err := c.GetVM(ctx, location, id)
		if err != nil {
			return provider.Object{}, err
		}
		if cur.Backup != want {
			err := c.whenSettled(ctx, location, id, func() error {
				_, err := c.ToggleVMBackup(ctx, location, id)
				return err
			})
			err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
				cur, err := c.GetVM(ctx, location, id)
				return cur.Backup == want, err
			})
			if err != nil {
				return provider.Object{}, err
			}
		}
	}

	if ch, ok := cs["billing_account"]; ok {
		n, err := provider.AsInt("billing_account", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if n != vm.BillingAccount {
			if err := c.whenSettled(ctx, location, id, func() error { return c.SetResourceBilling(ctx, location, id, n) }); err != nil {
				return provider.Object{}, err
			}
		}
	}

	if ch, ok := cs["password"]; ok {
		pw, err := provider.AsString("password", ch.After)
		if err != nil {
			return provider.Object{}, errors.New("password: want a string")
		}
		// The API changes a password only while the VM runs: a stopped VM
		// is started for it and stopped again unless the update starts it.
		if vm.Status != "running" {
			if wantPower == "" {
				wantPower = vm.Status
			}
			if vm, err = c.setPower(ctx, location, vm, "running"); err != nil {
				return provider.Object{}, fmt.Errorf("vm %s: starting it to change the password: %w", id, err)
			}
		}
		if err := c.whenSettled(ctx, location, id, func() error { return c.SetVMPassword(ctx, location, id, vm.Username, pw) }); err != nil {
			return provider.Object{}, err
		}
	}

	if wantPower != "" && vm.Status != wantPower {
		if vm, err = c.setPower(ctx, location, vm, wantPower); err != nil {
			return provider.Object{}, err
		}
	}
	return c.getVMObject(ctx, location, id)
}

// resize changes vcpu and ram, only those that differ from the live VM (a
// no-op resize is refused). A running VM is stopped first and started again
// afterwards unless the same update stops it.
func (c *Client) resize(ctx context.Context, location string, vm api.VM, cs provider.ChangeSet, wantPower string) (api.VM, error) {
	form := url.Values{}
	if ch, ok := cs["vcpu"]; ok {
		n, err := provider.AsInt("vcpu", ch.After)
		if err != nil {
			return vm, err
		}
		if n != vm.VCPU {
			form.Set("vcpu", strconv.Itoa(n))
		}
	}
	if ch, ok := cs["ram"]; ok {
		n, err := provider.AsInt("ram", ch.After)
		if err != nil {
			return vm, err
		}
		if n != vm.Memory {
			form.Set("ram", strconv.Itoa(n))
		}
	}
	if len(form) == 0 {
		return vm, nil
	}
	var err error
	if vm.Status != "running" && vm.Status != "stopped" {
		if vm, err = c.waitVMAny(ctx, location, vm.UUID, "running", "stopped"); err != nil {
			return vm, err
		}
	}
	wasRunning := vm.Status == "running"
	if wasRunning {
		if vm, err = c.setPower(ctx, location, vm, "stopped"); err != nil {
			return vm, err
		}
	}
	err = c.whenSettled(ctx, location, vm.UUID, func() error {
		_, err := c.ModifyVM(ctx, location, vm.UUID, form)
		return err
	})
	err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
		cur, err := c.GetVM(ctx, location, vm.UUID)
		return (!form.Has("vcpu") || strconv.Itoa(cur.VCPU) == form.Get("vcpu")) &&
			(!form.Has("ram") || strconv.Itoa(cur.Memory) == form.Get("ram")), err
	})
	if err != nil {
		if wasRunning { // best effort: leave it running as it was
			_, _ = c.setPower(ctx, location, vm, "running")
		}
		return vm, err
	}
	if wasRunning && wantPower != "stopped" {
		return c.setPower(ctx, location, vm, "running")
	}
	return c.GetVM(ctx, location, vm.UUID)
}

// setPower starts or stops a VM and waits until it reports the status. The
// call is not repeated blindly: after a failure the VM is read again; if it
// is there or on its way, that is success; if it is busy (starting,
// stopping) it is waited for; only if it is unchanged and the failure was
// transient (or a busy refusal) is the call made again.
func (c *Client) setPower(ctx context.Context, location string, vm api.VM, target string) (api.VM, error) {
	for attempt := 1; ; attempt++ {
		if vm.Status == target {
			return vm, nil
		}
		if !settled(vm.Status) {
			cur, err := c.waitVMAny(ctx, location, vm.UUID, statusRunning, statusStopped)
			if err != nil {
				return vm, err
			}
			vm = cur
			continue
		}
		var ans api.VM
		var err error
		if target == statusRunning {
			ans, err = c.StartVM(ctx, location, vm.UUID)
		} else {
			ans, err = c.StopVM(ctx, location, vm.UUID)
		}
		if err == nil {
			if ans.UUID == vm.UUID && ans.Status == target {
				return ans, nil
			}
			return c.waitVM(ctx, location, vm.UUID, target)
		}
		if isNotFound(err) || ctx.Err() != nil {
			return vm, err
		}
		cur, gerr := c.GetVM(ctx, location, vm.UUID)
		if gerr != nil {
			return vm, err
		}
		if cur.Status != vm.Status { // there, or on its way, or busy: see above
			vm = cur
			continue
		}
		if !(transient(err) || isConflict(err)) || attempt >= c.maxAttempts {
			return vm, err
		}
		if serr := c.sleep(ctx, c.backoff(c.backoffMin, c.backoffMax, attempt, nil)); serr != nil {
			return vm, err
		}
	}
}

// Settled VM statuses; any other (creating, starting, stopping, …) is a
// transition that ends in one of them.
const (
	statusRunning = "running"
	statusStopped = "stopped"
)

func settled(status string) bool { return status == statusRunning || status == statusStopped }

// whenSettled makes a call that changes a VM; a 409 while the VM is busy
// (in a transition) is waited out and the call made again. A 409 from a
// settled VM is a real refusal and is returned.
func (c *Client) whenSettled(ctx context.Context, location, uuid string, call func() error) error {
	settledOnce := false
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || !isConflict(err) || attempt >= c.maxAttempts || ctx.Err() != nil {
			return err
		}
		cur, gerr := c.GetVM(ctx, location, uuid)
		switch {
		case gerr != nil:
			return err
		case settled(cur.Status):
			// Settled now: a real refusal, or its transition ended between
			// the two calls. One more try tells them apart.
			if settledOnce {
				return err
			}
			settledOnce = true
		default:
			if _, werr := c.waitVMAny(ctx, location, uuid, statusRunning, statusStopped); werr != nil {
				return fmt.Errorf("%w; waiting for it: %v", err, werr)
			}
		}
	}
}

func isConflict(err error) bool {
	var apiErr *provider.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict
}

// transient: a failure that the same call may not meet again (5xx, 429,
// no answer), unless the run was cancelled.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Transient()
	}
	return true
}

// WaitVM polls the VM until it reports status, with growing intervals, for
// as long as ctx allows (and at most the wait timeout when ctx has no
// deadline).
func (c *Client) WaitVM(ctx context.Context, location, uuid, status string) (provider.Object, error) {
	vm, err := c.waitVM(ctx, location, uuid, status)
	if err != nil {
		return provider.Object{}, err
	}
	return c.vmObjectJoined(ctx, location, vm, "")
}

func (c *Client) waitVM(ctx context.Context, location, uuid, status string) (api.VM, error) {
	return c.waitVMAny(ctx, location, uuid, status)
}

func (c *Client) waitVMAny(ctx context.Context, location, uuid string, statuses ...string) (api.VM, error) {
	if _, ok := ctx.Deadline(); !ok && c.waitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.waitTimeout)
		defer cancel()
	}
	start := c.now()
	wait := c.pollMin
	var last api.VM
	for {
		vm, err := c.GetVM(ctx, location, uuid)
		if err != nil {
			if ctx.Err() != nil && last.UUID != "" {
				return last, fmt.Errorf("vm %s: still %q after %s, waiting for it to be %s: %w", uuid, last.Status, c.now().Sub(start).Round(time.Second), strings.Join(statuses, " or "), ctx.Err())
			}
			return vm, err
		}
		last = vm
		if slices.Contains(statuses, vm.Status) {
			return vm, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return vm, fmt.Errorf("vm %s: still %q after %s, waiting for it to be %s: %w", uuid, vm.Status, c.now().Sub(start).Round(time.Second), strings.Join(statuses, " or "), err)
		}
		if wait *= 2; wait > c.pollMax {
			wait = c.pollMax
		}
	}
}

// cloneSource sets source_uuid and source_replica from the stack file's
// clone_from: {vm, replica} (replica "latest" or absent: the newest replica
// of the VM's boot disk) or from the flat clone_from_vm/clone_from_replica.
func (c *Client) cloneSource(ctx context.Context, location string, a provider.Attrs, f url.Values) error {
	r := provider.AttrReader{Attrs: a}
	vm, replica := r.Str("clone_from_vm"), r.Str("clone_from_replica")
	if m, ok := a["clone_from"].(map[string]any); ok {
		cr := provider.AttrReader{Attrs: m}
		if vm == "" {
			vm = cr.Str("vm")
		}
		if replica == "" {
			replica = cr.Str("replica")
		}
		if cr.Err != nil {
			return fmt.Errorf("clone_from: %w", cr.Err)
		}
	}
	if r.Err != nil {
		return r.Err
	}
	if vm == "" {
		if replica != "" {
			return errors.New("clone_from: a replica needs its vm")
		}
		return nil
	}
	if replica == "" || replica == "latest" {
		src, err := c.GetVM(ctx, location, vm)
		if err != nil {
			return fmt.Errorf("clone_from: reading vm %s: %w", vm, err)
		}
		p, _ := primaryStorage(src)
		replica = ""
		latest := ""
		for _, rep := range p.Replica {
			if replica == "" || rep.CreatedAt > latest {
				replica, latest = rep.UUID, rep.CreatedAt
			}
		}
		if replica == "" {
			return fmt.Errorf("clone_from: vm %s has no snapshot or backup to clone from", vm)
		}
	}
	f.Set("source_uuid", vm)
	f.Set("source_replica", replica)
	return nil
}

// reinstall rewrites the boot disk when os_name or os_version changes. A
// lost answer is confirmed by reading the VM's OS back, never by repeating.
func (c *Client) reinstall(ctx context.Context, location string, vm api.VM, cs provider.ChangeSet) (api.VM, error) {
	osName, osVersion := vm.OSName, vm.OSVersion
	if ch, ok := cs["os_name"]; ok {
		v, err := provider.AsString("os_name", ch.After)
		if err != nil {
			return vm, err
		}
		osName = v
	}
	if ch, ok := cs["os_version"]; ok {
		v, err := provider.AsString("os_version", ch.After)
		if err != nil {
			return vm, err
		}
		osVersion = v
	}
	if osName == vm.OSName && osVersion == vm.OSVersion {
		return vm, nil
	}
	err := c.whenSettled(ctx, location, vm.UUID, func() error {
		_, err := c.ReinstallVM(ctx, location, vm.UUID, osName, osVersion)
		return err
	})
	err = confirm(ctx, err, func(ctx context.Context) (bool, error) {
		cur, err := c.GetVM(ctx, location, vm.UUID)
		return cur.OSName == osName && cur.OSVersion == osVersion, err
	})
	if err != nil {
		return vm, err
	}
	return c.waitVMAny(ctx, location, vm.UUID, "running", "stopped")
}
