package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/idstack/idstack/provider/api"
)

// VM statuses. Creating, starting and stopping are transitions: they end
// at VM.ReadyAt, and the VM refuses calls that change it until then.
const (
	statusCreating = "creating"
	statusStarting = "starting"
	statusStopping = "stopping"
	statusRunning  = "running"
	statusStopped  = "stopped"
)

func busyStatus(s string) bool {
	return s == statusCreating || s == statusStarting || s == statusStopping
}

// endTransition gives a VM the status its transition ends in.
func endTransition(v *VM) {
	next := v.Next
	if next == "" {
		next = statusRunning
		if v.API.Status == statusStopping {
			next = statusStopped
		}
	}
	v.API.Status, v.Next, v.Unlisted = next, "", false
}

// The simulator's patterns are compiled when it first needs them, not at
// every start of the program (most runs never serve the simulator).
var (
	vmNameRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(vmNameExpr) })
	usernameBody = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_][0-9a-zA-Z_-]*$`) })
)

func validPassword(p string) bool {
	var lower, upper, digit bool
	for _, r := range p {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || (r >= '0' && r <= '9')
	}
	return lower && upper && digit && len([]rune(p)) >= 8
}

func validUsername(u string) bool {
	return len(u) >= 1 && len(u) <= 30 && usernameBody().MatchString(u)
}

func hashPassword(p string) string {
	h := sha256.Sum256([]byte("idstack-sim:" + p))
	return hex.EncodeToString(h[:])
}

// vm finds a VM as the API sees it: an unlisted one does not exist yet.
func (w *World) vm(loc, uuid string) *VM {
	if v := w.vmAny(loc, uuid); v != nil && !v.Unlisted {
		return v
	}
	return nil
}

// vmAny finds a VM, listed or not.
func (w *World) vmAny(loc, uuid string) *VM {
	for i := range w.VMs {
		if w.VMs[i].Location == loc && w.VMs[i].API.UUID == uuid {
			return &w.VMs[i]
		}
	}
	return nil
}

// vmParam finds the VM named by the uuid form/query field.
func (c *call) vmParam(field string) (*VM, *apiErr) {
	id := c.str(field)
	if id == "" {
		return nil, badRequest("%s is required", field)
	}
	v := c.w.vm(c.loc, id)
	if v == nil {
		return nil, notFound("No such virtual machine exists. %s", id)
	}
	return v, nil
}

// notBusy refuses a call that changes a VM while it is being created,
// started or stopped.
func notBusy(v *VM) *apiErr {
	switch v.API.Status {
	case statusCreating:
		return conflict("Virtual machine %s is being created; try again when it is running", v.API.UUID)
	case statusStarting:
		return conflict("Virtual machine %s is starting; try again when it is running", v.API.UUID)
	case statusStopping:
		return conflict("Virtual machine %s is stopping; try again when it is stopped", v.API.UUID)
	}
	return nil
}

// transition starts a VM transition (creating, starting, stopping) that
// ends in final after ReadyAfter. With ReadyAfter 0 it is done at once;
// with AsyncVMs the call answers the transitional status at once and the
// clock ends it (settle); otherwise the call answers when it is done, with
// the final status. hide keeps a VM being created unlisted meanwhile
// (Quirks "live", synchronous create only).
func (c *call) transition(v *VM, during, final string, hide bool) result {
	d := c.s.readyAfter
	if d <= 0 {
		v.API.Status, v.Next = final, ""
		return ok(c.w.vmJSON(v))
	}
	v.API.Status, v.Next, v.ReadyAt = during, final, c.now.Add(d)
	if c.s.async {
		return ok(c.w.vmJSON(v))
	}
	v.Unlisted = hide && c.s.live()
	loc, uuid := c.loc, v.API.UUID
	return result{wait: d, then: func(c *call) (result, *apiErr) {
		v := c.w.vmAny(loc, uuid)
		if v == nil {
			return result{}, notFound("No such virtual machine exists. %s", uuid)
		}
		if v.API.Status == during { // a clock that did not move (Options.Now) has not ended it
			endTransition(v)
		}
		return ok(c.w.vmJSON(v)), nil
	}}
}

// vmJSON is a VM as the API shows it: boot disk with its replicas, then the
// attached disks.
func (w *World) vmJSON(v *VM) api.VM {
	out := v.API
	out.Storage = nil
	for _, st := range v.API.Storage {
		st.Replica = w.replicasOf(v.API.UUID, "")
		out.Storage = append(out.Storage, st)
	}
	var att []Disk
	for _, d := range w.Disks {
		if d.AttachedTo == v.API.UUID && d.Location == v.Location {
			att = append(att, d)
		}
	}
	sort.Slice(att, func(i, j int) bool { return att[i].Device < att[j].Device })
	for _, d := range att {
		out.Storage = append(out.Storage, w.diskStorage(&d))
	}
	if out.Storage == nil {
		out.Storage = []api.Storage{}
	}
	return out
}

// diskStorage is an attached disk as a VM's storage entry.
func (w *World) diskStorage(d *Disk) api.Storage {
	upd := javaToTS(d.API.UpdatedAt)
	return api.Storage{
		CreatedAt: javaToTS(d.API.CreatedAt), ID: d.StorageID, Name: d.Device, Pool: "default", Primary: false,
		Replica: []api.Replica{}, Shared: false, Size: d.API.SizeGB, Type: "block",
		UpdatedAt: api.Some(upd), UserID: w.UserID, UUID: d.API.UUID,
	}
}

func javaToTS(s string) string {
	t, err := time.Parse(tsJavaLayout, s)
	if err != nil {
		return s
	}
	return t.Format(tsLayout)
}

// vmForm are the VM create fields after validation.
type vmForm struct {
	name, osName, osVersion, username, password, description, publicKey, cloudInit string
	disks, vcpu, ram, billing                                                      int
	backup, reservePublicIP                                                        bool
	pool                                                                           *api.HostPool
	network                                                                        *Network
	bootDisk                                                                       *Disk
	sourceVM                                                                       *VM
	sourceReplica                                                                  *StoredReplica
}

// parseVMCreate validates a VM create form against /v1/api/parameters/vm and
// the world; every problem is reported at once.
func (c *call) parseVMCreate() (*vmForm, *apiErr) {
	f := &vmForm{
		name: c.str("name"), osName: c.str("os_name"), osVersion: c.str("os_version"),
		username: c.str("username"), password: c.form.Get("password"),
		description: c.form.Get("description"), publicKey: c.form.Get("public_key"),
		cloudInit: c.form.Get("cloud_init"),
	}
	var errs []string
	add := func(e *apiErr) {
		if e != nil {
			errs = append(errs, e.msg)
		}
	}
	var e *apiErr
	var hasV, hasR bool
	f.vcpu, hasV, e = c.integer("vcpu")
	add(e)
	if e == nil && !hasV {
		errs = append(errs, "vcpu is required")
	}
	f.ram, hasR, e = c.integer("ram")
	add(e)
	if e == nil && !hasR {
		errs = append(errs, "ram is required")
	}
	f.backup, e = c.boolean("backup", false)
	add(e)
	f.reservePublicIP, e = c.boolean("reserve_public_ip", true)
	add(e)
	f.billing, _, e = c.integer("billing_account_id")
	add(e)

	if src := c.str("source_uuid"); src != "" {
		f.sourceVM = c.w.vm(c.loc, src)
		if f.sourceVM == nil {
			errs = append(errs, "No such virtual machine exists. "+src)
		} else if rep := c.str("source_replica"); rep != "" {
			f.sourceReplica = c.w.replica(rep)
			if f.sourceReplica == nil || f.sourceReplica.VMUUID != src {
				errs = append(errs, "No such replica of "+src+": "+rep)
			}
		}
		if f.sourceVM != nil && f.osName == "" {
			f.osName, f.osVersion = f.sourceVM.API.OSName, f.sourceVM.API.OSVersion
		}
	}
	if !vmNameRe().MatchString(f.name) {
		errs = append(errs, fmt.Sprintf("name %q must match %s", f.name, vmNameExpr))
	}
	if !c.w.published(f.osName, f.osVersion) {
		errs = append(errs, fmt.Sprintf("os_name %q with os_version %q is not a published VM image (see /v1/config/vm_images)", f.osName, f.osVersion))
	}
	windows := f.osName == "windows"
	{
		minV, minR := minVCPU, minRAM
		if windows {
			minV, minR = minWinVCPU, minWinRAM
		}
		if hasV && (f.vcpu < minV || f.vcpu > maxVCPU) {
			errs = append(errs, fmt.Sprintf("vcpu must be between %d and %d, got %d", minV, maxVCPU, f.vcpu))
		}
		if hasR && (f.ram < minR || f.ram > maxRAM) {
			errs = append(errs, fmt.Sprintf("ram must be between %d and %d MiB, got %d", minR, maxRAM, f.ram))
		}
	}
	if du := c.str("disk_uuid"); du != "" {
		f.bootDisk = c.w.disk(c.loc, du)
		switch {
		case f.bootDisk == nil:
			errs = append(errs, "No such disk: "+du)
		case f.bootDisk.AttachedTo != "":
			errs = append(errs, "Disk "+du+" is attached to a virtual machine")
		default:
			f.disks = f.bootDisk.API.SizeGB
		}
	} else if f.sourceReplica != nil && c.str("disks") == "" {
		f.disks = f.sourceReplica.API.Size
	} else {
		n, has, e := c.integer("disks")
		add(e)
		if e == nil && !has {
			errs = append(errs, "disks is required")
		} else if e == nil && (n < minDisk || n > maxDisk) {
			errs = append(errs, fmt.Sprintf("disks must be between %d and %d GiB, got %d", minDisk, maxDisk, n))
		}
		f.disks = n
	}
	if f.password == "" {
		errs = append(errs, "password is required")
	} else if !validPassword(f.password) {
		errs = append(errs, "password must have at least 8 characters with a lower-case letter, an upper-case letter and a digit")
	}
	if f.username == "" && !windows {
		errs = append(errs, "username is required")
	} else if f.username != "" && !validUsername(f.username) {
		errs = append(errs, fmt.Sprintf("username %q must match ^(?=.{1,30}$)[a-zA-Z_][0-9a-zA-Z_-]*$", f.username))
	}
	if f.cloudInit != "" {
		var obj map[string]any
		if err := json.Unmarshal([]byte(f.cloudInit), &obj); err != nil {
			errs = append(errs, "cloud_init must be a JSON object: "+err.Error())
		}
	}
	if id := c.str("designated_pool_uuid"); id != "" {
		if f.pool = c.w.pool(id); f.pool == nil {
			errs = append(errs, "No such host pool: "+id)
		}
	} else {
		f.pool = c.w.defaultPool()
	}
	if id := c.str("network_uuid"); id != "" {
		if f.network = c.w.network(c.loc, id); f.network == nil {
			errs = append(errs, "Network not found: "+id)
		}
	}
	if len(errs) > 0 {
		return nil, badRequest("%s", strings.Join(errs, "; "))
	}
	if f.billing == 0 {
		f.billing = c.w.defaultBilling()
	} else if !c.w.billingOK(f.billing) {
		return nil, billingErr()
	}
	return f, nil
}

// newVM adds a running VM to the world (the caller starts its creation:
// transition).
func (c *call) newVM(f *vmForm, net *Network) *VM {
	w := c.w
	uuid := c.s.newUUID(w)
	ts := c.ts()
	var license string
	if f.osName == "windows" {
		license = "WINDOWS"
	}
	// updated_at is null in the document until a change; api.Storage drops
	// a nil pointer, so the simulator shows the creation time instead.
	created := c.tsMicro()
	boot := api.Storage{
		CreatedAt: created, ID: w.newID(), Name: "vda", Pool: "default2", Primary: true,
		Replica: []api.Replica{}, Size: f.disks, Type: "block", UpdatedAt: api.Some(created), UserID: w.UserID, UUID: uuid,
	}
	if f.bootDisk != nil {
		boot.UUID = f.bootDisk.API.UUID
		c.w.removeDisk(f.bootDisk.API.UUID)
	}
	v := VM{
		Location: c.loc, NetworkUUID: net.API.UUID, PasswordHash: hashPassword(f.password),
		PublicKey: f.publicKey, CloudInit: f.cloudInit, ReadyAt: c.now,
		API: api.VM{
			Backup: f.backup, BillingAccount: f.billing, CreatedAt: ts, Description: f.description,
			DesignatedPoolName: f.pool.Name, DesignatedPoolUUID: f.pool.UUID,
			Hostname: strings.ToLower(f.name), ID: w.newID(), LicenseType: license,
			MAC: c.s.newMAC(w), Memory: f.ram, Name: f.name, OSName: f.osName, OSVersion: f.osVersion,
			PrivateIPv4: net.allocIP(), PublicIPv6: fmt.Sprintf("2a05:1cc0:10:30::80:%x", w.Seq&0xffff),
			Status: statusRunning, Storage: []api.Storage{boot}, UpdatedAt: &ts,
			UserID: w.UserID, Username: f.username, UUID: uuid, VCPU: f.vcpu,
		},
	}
	if f.sourceReplica != nil {
		v.ClonedFrom, v.ClonedFromVM = f.sourceReplica.API.UUID, f.sourceReplica.VMUUID
	}
	w.VMs = append(w.VMs, v)
	return &w.VMs[len(w.VMs)-1]
}

func postVM(c *call) (result, *apiErr) {
	f, e := c.parseVMCreate()
	if e != nil {
		return result{}, e
	}
	net := f.network
	if net == nil {
		if net = c.w.defaultNetwork(c.loc); net == nil {
			net = c.s.newNetwork(c.w, c.loc, DefaultNetworkName)
			net.API.IsDefault = true
		}
	}
	v := c.newVM(f, net)
	uuid := v.API.UUID
	if f.reservePublicIP {
		fip := c.s.newFloatingIP(c, "", f.billing)
		c.assignFIP(fip, v)
		v = c.w.vm(c.loc, uuid)
	}
	return c.transition(v, statusCreating, statusRunning, true), nil
}

func getVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	return ok(c.w.vmJSON(v)), nil
}

func listVMs(c *call) (result, *apiErr) {
	out := []api.VM{}
	for i := range c.w.VMs {
		if c.w.VMs[i].Location == c.loc && !c.w.VMs[i].Unlisted {
			out = append(out, c.w.vmJSON(&c.w.VMs[i]))
		}
	}
	return ok(out), nil
}

// patchVM renames and resizes; vcpu/ram only when stopped and only to a
// different value.
func patchVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	name := c.str("name")
	vcpu, hasV, e := c.integer("vcpu")
	if e != nil {
		return result{}, e
	}
	ram, hasR, e := c.integer("ram")
	if e != nil {
		return result{}, e
	}
	if name == "" && !hasV && !hasR {
		return result{}, badRequest("nothing to change: give name, vcpu or ram")
	}
	if name != "" && !vmNameRe().MatchString(name) {
		return result{}, badRequest("name %q must match %s", name, vmNameExpr)
	}
	if hasV && vcpu == v.API.VCPU {
		return result{}, badRequest("vcpu is already %d: nothing to resize", vcpu)
	}
	if hasR && ram == v.API.Memory {
		return result{}, badRequest("ram is already %d: nothing to resize", ram)
	}
	minV, minR := minVCPU, minRAM
	if v.API.OSName == "windows" {
		minV, minR = minWinVCPU, minWinRAM
	}
	if hasV && (vcpu < minV || vcpu > maxVCPU) {
		return result{}, badRequest("vcpu must be between %d and %d, got %d", minV, maxVCPU, vcpu)
	}
	if hasR && (ram < minR || ram > maxRAM) {
		return result{}, badRequest("ram must be between %d and %d MiB, got %d", minR, maxRAM, ram)
	}
	if (hasV || hasR) && v.API.Status != statusStopped {
		return result{}, conflict("vcpu and ram can only be changed when the machine is in stopped state (it is %s)", v.API.Status)
	}
	if name != "" {
		v.API.Name = name
	}
	if hasV {
		v.API.VCPU = vcpu
	}
	if hasR {
		v.API.Memory = ram
	}
	c.touchVM(v)
	return ok(c.w.vmJSON(v)), nil
}

func (c *call) touchVM(v *VM) {
	ts := c.ts()
	v.API.UpdatedAt = &ts
}

// deleteVM removes a VM and cleans up after it: network membership, disks
// (VM-added ones go, standalone ones are detached), floating IPs (unassigned
// but kept: still reserved and billed) and load balancer targets.
func deleteVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	uuid := v.API.UUID
	c.w.removeVM(c, uuid)
	return emptyOK(), nil
}

func (w *World) removeVM(c *call, uuid string) {
	for i := range w.VMs {
		if w.VMs[i].API.UUID == uuid {
			w.VMs = append(w.VMs[:i], w.VMs[i+1:]...)
			break
		}
	}
	disks := w.Disks[:0]
	for _, d := range w.Disks {
		if d.AttachedTo == uuid {
			if d.VMOwned {
				continue
			}
			d.AttachedTo, d.Device = "", ""
			d.API.UpdatedAt = c.tsJava()
		}
		disks = append(disks, d)
	}
	w.Disks = disks
	for i := range w.FloatingIPs {
		f := &w.FloatingIPs[i]
		if f.API.AssignedTo != nil && *f.API.AssignedTo == uuid {
			c.unassignFIP(f)
		}
	}
	for i := range w.LoadBalancers {
		lb := &w.LoadBalancers[i]
		ts := lb.API.Targets[:0]
		for _, t := range lb.API.Targets {
			if t.TargetUUID != uuid {
				ts = append(ts, t)
			}
		}
		lb.API.Targets = ts
	}
	reps := w.Replicas[:0]
	for _, r := range w.Replicas {
		if r.VMUUID != uuid {
			reps = append(reps, r)
		}
	}
	w.Replicas = reps
}

func startVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	if v.API.Status == statusRunning {
		return ok(c.w.vmJSON(v)), nil
	}
	c.touchVM(v)
	return c.transition(v, statusStarting, statusRunning, false), nil
}

func stopVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if _, e := c.boolean("force", false); e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	if v.API.Status == statusStopped {
		return ok(c.w.vmJSON(v)), nil
	}
	c.touchVM(v)
	return c.transition(v, statusStopping, statusStopped, false), nil
}

// patchVMUser changes the password of the VM's user; the VM must run.
func patchVMUser(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	user, pw := c.str("username"), c.form.Get("password")
	if user == "" || pw == "" {
		return result{}, badRequest("username and password are required")
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	if v.API.Status != statusRunning {
		return result{}, conflict("The VM must be running to change the password (it is %s)", v.API.Status)
	}
	if user != v.API.Username {
		return result{}, badRequest("No such user on the virtual machine: %s", user)
	}
	if !validPassword(pw) {
		return result{}, badRequest("password must have at least 8 characters with a lower-case letter, an upper-case letter and a digit")
	}
	v.PasswordHash = hashPassword(pw)
	c.touchVM(v)
	return successTrue(), nil
}

// toggleBackup flips automatic backups: the call has no on/off argument.
func toggleBackup(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	v.API.Backup = !v.API.Backup
	c.touchVM(v)
	return ok(c.w.vmJSON(v)), nil
}

func reinstallVM(c *call) (result, *apiErr) {
	v, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(v); e != nil {
		return result{}, e
	}
	osName, osVersion := c.str("os_name"), c.str("os_version")
	if osName == "" {
		osName = v.API.OSName
	}
	if osVersion == "" {
		osVersion = v.API.OSVersion
	}
	if !c.w.published(osName, osVersion) {
		return result{}, badRequest("os_name %q with os_version %q is not a published VM image", osName, osVersion)
	}
	v.API.OSName, v.API.OSVersion = osName, osVersion
	v.API.Description = c.form.Get("description")
	c.touchVM(v)
	return ok(c.w.vmJSON(v)), nil
}

func cloneVM(c *call) (result, *apiErr) {
	src, e := c.vmParam("uuid")
	if e != nil {
		return result{}, e
	}
	if e := notBusy(src); e != nil {
		return result{}, e
	}
	name := c.str("name")
	if !vmNameRe().MatchString(name) {
		return result{}, badRequest("name %q must match %s", name, vmNameExpr)
	}
	net := c.w.network(c.loc, src.NetworkUUID)
	if net == nil {
		return result{}, conflict("the network of %s no longer exists", src.API.UUID)
	}
	pool := c.w.pool(src.API.DesignatedPoolUUID)
	if pool == nil {
		pool = c.w.defaultPool()
	}
	f := &vmForm{
		name: name, osName: src.API.OSName, osVersion: src.API.OSVersion, username: src.API.Username,
		description: src.API.Description, publicKey: src.PublicKey, cloudInit: src.CloudInit,
		disks: src.API.Storage[0].Size, vcpu: src.API.VCPU, ram: src.API.Memory,
		billing: src.API.BillingAccount, pool: pool,
	}
	hash := src.PasswordHash
	v := c.newVM(f, net)
	v.PasswordHash = hash
	return c.transition(v, statusCreating, statusRunning, true), nil
}
