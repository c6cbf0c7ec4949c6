package idcloudhost

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/idstack/idstack/provider"
)

// The kinds of idcloudhost, named as in the stack file.
const (
	VMs           provider.Kind = "vms"
	Disks         provider.Kind = "disks"
	Networks      provider.Kind = "networks"
	FloatingIPs   provider.Kind = "floating_ips"
	LoadBalancers provider.Kind = "load_balancers"
	Buckets       provider.Kind = "buckets"
)

// Name is the provider's name in a stack file.
const Name = "idcloudhost"

// Describe returns the description of idcloudhost's kinds: SPEC §2's
// table of change modes, the reference document's rules, and what the
// live service is known to do (API-NOTES.md).
func (c *Client) Describe() *provider.Description { return Description() }

// Description is idcloudhost's description (also without a client: the
// schema and validate need no account).
func Description() *provider.Description { return description }

var description = &provider.Description{
	Name:     Name,
	Title:    "the cloud resources of one stack on idcloudhost.com",
	Location: "jkt01, jkt02, jkt03, sgp01",
	StackDefaults: []*provider.Field{{
		Name: "billing_account", Type: provider.IntegerType, Min: bound(1),
		Doc: "Default billing account id of every resource. Without it, the account's default billing account.",
	}},
	Kinds: []*provider.KindSpec{networkKind, vmKind, diskKind, floatingIPKind, loadBalancerKind, bucketKind},
}

func bound(f float64) *float64 { return &f }

const neverShrinks = "the API never shrinks a disk: keep %s at %v or more (to start from a smaller disk, replace the resource under a new name)"

// The reference document's VM limits (/v1/api/parameters/vm).
const (
	minVCPU, maxVCPU      = 1, 16
	minRAM, maxRAM        = 512, 65536
	minWinVCPU, minWinRAM = 2, 1024
)

// billingAccount is every kind's billing account: set in place.
func billingAccount() *provider.Field {
	return &provider.Field{Name: "billing_account", Type: provider.IntegerType, Min: bound(1), Live: "billing_account",
		Doc: "Billing account id of this resource; overrides the stack's billing_account."}
}

// liveName is the name field of a kind whose names are free text.
func liveName() *provider.Field {
	return &provider.Field{Name: "name", Type: provider.StringType, MinLength: 1, Live: "name", Default: provider.DefaultName,
		Doc: "The live name in the cloud; defaults to the logical name."}
}

var networkKind = &provider.KindSpec{
	Kind: Networks, Singular: "network", SchemaName: "network",
	Doc:       "A private network (VPC). The first network of a location becomes its default one.",
	ListDoc:   "Private networks (VPCs), by logical name. Address: networks.NAME.",
	NameField: "name",
	Fields: []*provider.Field{liveName(), func() *provider.Field {
		f := billingAccount()
		f.Ignored = "the API bills no network: a network's billing_account has no effect"
		return f
	}()},
	Protected: func(o provider.Object) string {
		if o.Attrs["is_default"] == true {
			return fmt.Sprintf("this is the default network of %s, which the API never deletes: idstack stops managing it and leaves it in place", o.Location)
		}
		return ""
	},
}

var vmKind = &provider.KindSpec{
	Kind: VMs, Singular: "VM", SchemaName: "vm",
	Doc:       "A virtual machine.",
	ListDoc:   "Virtual machines, by logical name. Address: vms.NAME.",
	NameField: "name",
	Fields: []*provider.Field{
		{Name: "name", Type: provider.StringType, MinLength: 1, Live: "name", Default: provider.DefaultName,
			Doc: "The VM's live name: at least 4 letters, digits and hyphens, starting and ending with a letter or digit. Defaults to the logical name. Changed in place."},
		{Name: "description", Type: provider.StringType, Live: "description", Default: "", Change: provider.Replace,
			Doc: "A free text description of the VM. Changing it replaces the VM."},
		{Name: "os_name", Type: provider.StringType, MinLength: 1, Required: true, Live: "os_name", Change: provider.Reinstall,
			ChangeReason: "changes the operating system", Destructive: "reinstall wipes the boot disk: data on it is lost",
			UndoNote: "the operating system is reinstalled as it was; the data of the boot disk cannot be brought back",
			Doc:      "Operating system, e.g. ubuntu, debian, centos, rocky, windows (checked against /config/vm_images at plan time). Changing it reinstalls the VM: the boot disk is wiped."},
		{Name: "os_version", Type: provider.StringType, MinLength: 1, Required: true, Live: "os_version", Change: provider.Reinstall,
			ChangeReason: "changes the operating system", Destructive: "reinstall wipes the boot disk: data on it is lost",
			UndoNote: "the operating system is reinstalled as it was; the data of the boot disk cannot be brought back",
			Doc:      "Operating system version, quoted, e.g. \"22.04\" (checked against /config/vm_images at plan time). Changing it reinstalls the VM: the boot disk is wiped."},
		{Name: "vcpu", Type: provider.IntegerType, Min: bound(minVCPU), Max: bound(maxVCPU), Required: true, Live: "vcpu", Change: provider.Restart,
			Doc: "Number of virtual CPUs, 1–16 (Windows: at least 2). Changing it stops and restarts the VM."},
		{Name: "ram", Type: provider.IntegerType, Min: bound(minRAM), Max: bound(maxRAM), Required: true, Live: "ram", Change: provider.Restart,
			Doc: "Memory in MiB, 512–65536 (Windows: at least 1024). Changing it stops and restarts the VM."},
		{Name: "disk", Type: provider.IntegerType, Min: bound(20), Max: bound(240), Required: true, Live: "disk", NoShrink: true, ShrinkWhy: neverShrinks,
			Doc: "Boot disk size in GiB, 20–240. It can grow, never shrink."},
		{Name: "network", Type: provider.StringType, MinLength: 1, Live: "network", Ref: Networks, Change: provider.Replace,
			Doc: "The private network: a logical name of networks (or networks.NAME). Without it, the location's default network. Changing it replaces the VM."},
		{Name: "pool", Type: provider.StringType, MinLength: 1, Live: "pool", ExportFrom: "pool_name", Change: provider.Replace,
			Doc: "Host pool, by name or uuid (checked against /user-resource/host_pool/list at plan time). Changing it replaces the VM."},
		{Name: "username", Type: provider.StringType, MinLength: 1, MaxLength: 30, Live: "username", Change: provider.Replace,
			Doc: "The login user the API creates: 1–30 characters, a letter or _, then letters, digits, _ or -. Required unless os_name is windows. Changing it replaces the VM."},
		{Name: "password", Type: provider.StringType, MinLength: 1, Sensitive: true,
			Doc: "The login password: at least 8 characters with a lowercase letter, an uppercase letter and a digit. Sensitive: use ${env.NAME} or a sensitive variable. Changed in place (the VM must be running)."},
		{Name: "public_key", Type: provider.StringType, MinLength: 1, Change: provider.Replace,
			Doc: "An SSH public key for the login user, e.g. ${file.~/.ssh/id_ed25519.pub}. Changing it replaces the VM."},
		{Name: "backup", Type: provider.BooleanType, Live: "backup", Default: false,
			Doc: "Daily backups of the VM (a billed option). Changed in place."},
		{Name: "power", Enum: []any{statusRunning, statusStopped}, Live: "power", Default: statusRunning,
			Doc: "Whether the VM should be running or stopped. Default: running."},
		{Name: "reserve_public_ip", Type: provider.BooleanType, Default: false, Change: provider.Replace,
			CreateNote: func(v any) string {
				if v == true {
					return "reserve_public_ip: the API leaves a billed floating IP behind when this VM is deleted; declare a floating_ips resource instead"
				}
				return ""
			},
			Doc: "Give the VM a public IP at creation. Default false: the API leaves a billed floating IP behind when such a VM is deleted; declare floating_ips instead. Changing it replaces the VM."},
		{Name: "cloud_init", Type: provider.ObjectType, Change: provider.Replace, Fields: []*provider.Field{
			{Name: "runcmd", Type: provider.ListType, Items: &provider.Field{Type: provider.StringType},
				Doc: "Commands run at the end of the first boot, in order."},
			{Name: "write_files", Type: provider.ListType, Doc: "Files written at the first boot.", Items: &provider.Field{
				Type: provider.ObjectType, Doc: "A file written by cloud-init.", RequiredFields: []string{"path"}, Fields: []*provider.Field{
					{Name: "path", Type: provider.StringType, Pattern: "^/", Doc: "Absolute path of the file on the VM."},
					{Name: "content", Type: provider.StringType, Doc: "The file's content (encoded as encoding says)."},
					{Name: "permissions", Type: provider.StringType, Pattern: "^0?[0-7]{3,4}$", Doc: "Octal mode as a string, e.g. \"0644\"."},
					{Name: "encoding", Doc: "Encoding of content.",
						Enum: []any{"text/plain", "b64", "base64", "gz", "gzip", "gz+b64", "gz+base64", "gzip+b64", "gzip+base64"}},
					{Name: "owner", Type: provider.StringType, Doc: "Owner as user:group, e.g. root:root."},
				}}},
			{Name: "users", Type: provider.ListType,
				Doc: "cloud-init users. Not allowed together with username: the VM would end with no working login (use username, password and public_key)."},
		}, Doc: "cloud-init user data run at the VM's first boot. Changing it replaces the VM."},
		{Name: "clone_from", Type: provider.ObjectType, Change: provider.Replace, RequiredFields: []string{"vm"}, ExportQuiet: true, Fields: []*provider.Field{
			{Name: "vm", Type: provider.StringType, MinLength: 1, Ref: VMs, RefUUIDOK: true,
				NotYet: "so it has no snapshot or backup to clone from yet; apply without this VM first, take a snapshot (or wait for a backup) of the source VM, then add it",
				Doc:    "The VM to clone: a logical name of vms (or vms.NAME), or a live VM's uuid."},
			{Name: "replica", Type: provider.StringType, Pattern: `^(latest|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}[0-9-]*)$`,
				Doc: "The replica to clone: latest (default) or a replica id as the API lists it (the VM's uuid followed by its time, e.g. f80b1d62-ffe4-43ef-9210-60f05445456a2018-02-22-14-24-32)."},
		}, Doc: "Create the VM as a clone of another VM's disk replica instead of from an OS image."},
		billingAccount(),
	},
	ReadyField:     "power",
	ReadyDefault:   statusRunning,
	Power:          &provider.Power{Field: "power", Running: statusRunning, Stopped: statusStopped},
	RestartNote:    "restart: the VM is stopped, changed and started again",
	ReplaceNote:    "data loss: the old VM's disks are deleted with it",
	Check:          checkVM,
	Reads:          []provider.Kind{Networks},
	Implicit:       implicitVM,
	Catalog:        checkCatalog,
	Labels:         poolLabels,
	CreateDeadline: 10 * time.Minute,
}

var diskKind = &provider.KindSpec{
	Kind: Disks, Singular: "disk", SchemaName: "disk",
	Doc:         "A standalone disk.",
	ListDoc:     "Standalone disks, by logical name. Address: disks.NAME.",
	MatchFields: []string{"size", "billing_account", "source"},
	Made:        diskMade,
	Adoptable:   adoptableDisks,
	// A VM's boot disk may be listed among the disks: it is the VM's
	// disk: field, never a resource of its own.
	ExportSkip:   func(o provider.Object, live provider.Live) bool { return bootDisks(o.Location, live)[o.ID] },
	ExportAnchor: &provider.Anchor{Field: "attach_to", Suffix: "data", Relation: "attached to"},
	Fields: []*provider.Field{
		{Name: "size", Type: provider.IntegerType, Min: bound(1), Max: bound(16384), Required: true, Live: "size", NoShrink: true, ShrinkWhy: neverShrinks,
			Doc: "Size in GiB, 1–16384 (the API's own limits are not documented: idstack refuses less than 1 GiB and more than 16 TiB). It can grow while attached, never shrink."},
		{Name: "source", Type: provider.ObjectType, Change: provider.Replace, RequiredFields: []string{"type"}, Export: exportDiskSource,
			Doc: "What the disk starts with. Default: {type: EMPTY}. Changing it replaces the disk.",
			Fields: []*provider.Field{
				{Name: "type", Enum: []any{"EMPTY", "OS_BASE", "DISK", "SNAPSHOT"},
					Doc: "EMPTY (a blank disk), OS_BASE (an OS image: set image), DISK (a copy of a disk: set ref or uuid) or SNAPSHOT (from a snapshot: set uuid or ref)."},
				{Name: "image", Type: provider.StringType, MinLength: 1, Doc: "The OS image for OS_BASE, e.g. ubuntu_20.04."},
				{Name: "ref", Type: provider.StringType, MinLength: 1, Ref: Disks, RefTo: "uuid",
					Doc: "The disk to copy: a logical name of disks (or disks.NAME)."},
				{Name: "uuid", Type: provider.StringType, MinLength: 1, Doc: "The live uuid of the disk or snapshot to copy."},
			},
			Schema: map[string]any{"allOf": []any{
				map[string]any{"if": map[string]any{"properties": map[string]any{"type": map[string]any{"const": "OS_BASE"}}},
					"then": map[string]any{"required": []any{"image"}}},
				map[string]any{"if": map[string]any{"properties": map[string]any{"type": map[string]any{"enum": []any{"DISK", "SNAPSHOT"}}}},
					"then": map[string]any{"anyOf": []any{map[string]any{"required": []any{"ref"}}, map[string]any{"required": []any{"uuid"}}}}},
			}}},
		{Name: "attach_to", Type: provider.StringType, MinLength: 1, Live: "attached_to", Ref: VMs, Default: "",
			Doc: "The VM the disk is attached to: a logical name of vms (or vms.NAME). Changing it detaches and attaches."},
		billingAccount(),
	},
}

var floatingIPKind = &provider.KindSpec{
	Kind: FloatingIPs, Singular: "floating IP", SchemaName: "floating_ip", ExportName: "ip",
	Doc:       "A public floating IP address.",
	ListDoc:   "Public floating IP addresses, by logical name. Address: floating_ips.NAME.",
	NameField: "name",
	Fields: []*provider.Field{
		liveName(),
		{Name: "assign_to", Type: provider.StringType, MinLength: 1, Live: "assigned_to", Ref: VMs, Default: "", ExportCheck: assignedElsewhere,
			Doc: "The VM the IP is assigned to: a logical name of vms (or vms.NAME). Changing it unassigns and assigns."},
		// The API requires billing_account_id for a floating IP, where
		// every other kind may leave it to the account's default.
		func() *provider.Field {
			f := billingAccount()
			f.Required = true
			f.RequiredWhy = "the API requires billing_account_id for a floating IP"
			return f
		}(),
	},
}

var loadBalancerKind = &provider.KindSpec{
	Kind: LoadBalancers, Singular: "load balancer", SchemaName: "load_balancer", ExportName: "lb",
	Doc:       "A load balancer in front of VMs.",
	ListDoc:   "Load balancers, by logical name. Address: load_balancers.NAME.",
	NameField: "name",
	Fields: []*provider.Field{
		liveName(),
		{Name: "network", Type: provider.StringType, MinLength: 1, Live: "network", Ref: Networks, Change: provider.Replace,
			Doc: "The private network of the load balancer: a logical name of networks (or networks.NAME). Changing it replaces the load balancer."},
		{Name: "reserve_public_ip", Type: provider.BooleanType, Default: false, Change: provider.Replace,
			Doc: "Give the load balancer a public IP. Changing it replaces the load balancer."},
		{Name: "rules", Type: provider.ListType, Live: "rules", Keys: []string{"source_port", "target_port"}, Default: []any{},
			Doc: "Forwarding rules: traffic to source_port goes to target_port of the targets.",
			Items: &provider.Field{Type: provider.ObjectType, Doc: "A forwarding rule.", RequiredFields: []string{"source_port", "target_port"}, Fields: []*provider.Field{
				{Name: "source_port", Type: provider.IntegerType, Min: bound(1), Max: bound(65535), Doc: "The port the load balancer listens on, 1–65535."},
				{Name: "target_port", Type: provider.IntegerType, Min: bound(1), Max: bound(65535), Doc: "The port of the targets traffic goes to, 1–65535."},
			}}},
		{Name: "targets", Type: provider.ListType, Live: "targets", Ref: VMs, Default: []any{}, UniqueItems: true,
			Items: &provider.Field{Type: provider.StringType, MinLength: 1},
			Doc:   "The VMs behind the load balancer: logical names of vms (or vms.NAME)."},
		billingAccount(),
	},
}

var bucketKind = &provider.KindSpec{
	Kind: Buckets, Singular: "bucket", SchemaName: "bucket",
	Doc:         "An S3 object storage bucket. Buckets are global: they have no location.",
	ListDoc:     "S3 object storage buckets, by logical name. Address: buckets.NAME. Bucket names are global to the whole cloud.",
	Global:      true,
	UniqueNames: true,
	NameField:   "name",
	Fields: []*provider.Field{
		{Name: "name", Type: provider.StringType, MinLength: 1, Live: "name", Default: provider.DefaultName, Change: provider.Replace,
			Doc: "The bucket's name, global to the whole cloud: 3–63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit. Defaults to the logical name. Changing it replaces the bucket."},
		billingAccount(),
	},
	Check: checkBucket,
}

// validVMName is the API's VM name rule, from the reference document:
// ^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$, read byte by byte (the
// checks ask it of every VM; a regular expression was also compiled at
// every start of the program).
func validVMName(s string) bool {
	if len(s) < 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alnum && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// checkVM: the API's rules the schema cannot say: the name's pattern (on
// the live name, which defaults to the logical one), Windows minimums,
// the username and password rules, and cloud-init users with username.
func checkVM(w provider.Written) []provider.Problem {
	var out []provider.Problem
	if name, ok := w.LiveName("name"); ok && !validVMName(name) {
		out = append(out, provider.Problem{Field: "name",
			Summary: fmt.Sprintf("invalid VM name %q for %s", name, w.Address),
			Allowed: "a VM name is at least 4 letters, digits and hyphens, starting and ending with a letter or digit (^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$); set name: if the logical name does not fit"})
	}
	osName, _ := w.Values["os_name"].(string)
	windows := strings.EqualFold(osName, "windows")
	if windows {
		if n, ok := number(w.Values["vcpu"]); ok && n < minWinVCPU {
			out = append(out, provider.Problem{Field: "vcpu", Allowed: "allowed for Windows: 2–16",
				Summary: fmt.Sprintf("a Windows VM needs at least 2 vcpu, %s has %v", w.Address, n)})
		}
		if n, ok := number(w.Values["ram"]); ok && n < minWinRAM {
			out = append(out, provider.Problem{Field: "ram", Allowed: "allowed for Windows: 1024–65536",
				Summary: fmt.Sprintf("a Windows VM needs at least 1024 MiB of ram, %s has %v", w.Address, n)})
		}
	}
	hasUser := w.Set["username"]
	switch u, isStr := w.Values["username"].(string); {
	case !hasUser && !windows:
		out = append(out, provider.Problem{Summary: fmt.Sprintf("%s: username is required", w.Address), Field: "username",
			Allowed: "set username: (the login the API creates on the VM); only Windows VMs go without one"})
	case isStr && !validUsername(u):
		out = append(out, provider.Problem{Field: "username", Allowed: "a username is 1–30 characters: a letter or _, then letters, digits, _ or -",
			Summary: fmt.Sprintf("invalid username %q for %s", u, w.Address)})
	}
	if pw, ok := w.Values["password"].(string); ok {
		if missing := passwordMissing(pw); len(missing) > 0 {
			// Never echo the password: it may be real.
			out = append(out, provider.Problem{Field: "password",
				Allowed: "a password needs at least 8 characters with a lowercase letter, an uppercase letter and a digit; missing: " + strings.Join(missing, ", "),
				Summary: fmt.Sprintf("the password of %s is too weak", w.Address)})
		}
	}
	if ci, ok := w.Values["cloud_init"].(map[string]any); ok && hasUser {
		if _, users := ci["users"]; users {
			out = append(out, provider.Problem{Field: "cloud_init.users", Key: true,
				Allowed: "a cloud-init users: block replaces the user the API creates from username, and the VM ends with no working login; drop users: (use username, password and public_key) or drop username",
				Summary: fmt.Sprintf("%s sets both cloud_init.users and username", w.Address)})
		}
	}
	return out
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// validUsername is ^(?=.{1,30}$)[a-zA-Z_][0-9a-zA-Z_-]*$ (Go's regexp has no lookahead).
func validUsername(s string) bool {
	if len(s) < 1 || len(s) > 30 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// passwordMissing lists what a password lacks (never the password itself).
func passwordMissing(pw string) []string {
	var lower, upper, digit bool
	for _, r := range pw {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	var missing []string
	if len([]rune(pw)) < 8 {
		missing = append(missing, "length (8 or more)")
	}
	if !lower {
		missing = append(missing, "a lowercase letter")
	}
	if !upper {
		missing = append(missing, "an uppercase letter")
	}
	if !digit {
		missing = append(missing, "a digit")
	}
	return missing
}

// checkBucket: S3 naming rules (names are global to the whole cloud).
func checkBucket(w provider.Written) []provider.Problem {
	name, ok := w.LiveName("name")
	if !ok {
		return nil
	}
	if why := bucketNameProblem(name); why != "" {
		return []provider.Problem{{Field: "name",
			Allowed: "a bucket name is 3–63 lowercase letters, digits, hyphens and dots, starts and ends with a letter or digit, has no \"..\" and is not an IP address; set name: if the logical name does not fit",
			Summary: fmt.Sprintf("invalid bucket name %q for %s: %s", name, w.Address, why)}}
	}
	return nil
}

func bucketNameProblem(s string) string {
	switch {
	case len(s) < 3 || len(s) > 63:
		return "length is not 3–63"
	case net.ParseIP(s) != nil:
		return "it is an IP address"
	case strings.Contains(s, ".."):
		return "it contains \"..\""
	case !isLowerAlbound(rune(s[0])) || !isLowerAlbound(rune(s[len(s)-1])):
		return "it must start and end with a lowercase letter or a digit"
	}
	for _, r := range s {
		if !isLowerAlbound(r) && r != '-' && r != '.' {
			return "it contains '" + string(r) + "'"
		}
	}
	return ""
}

func isLowerAlbound(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

// implicitVM: a VM's network defaults to the location's default network
// (nothing is sent: the API picks it), its pool to the default pool.
func implicitVM(field, location string, live provider.Live) (any, bool, bool) {
	switch field {
	case "network":
		return defaultNetwork(location, live)
	case "pool":
		if c, _ := live.Catalog(location).(*Catalog); c != nil {
			for _, p := range c.Pools {
				if p.Default {
					return p.UUID, true, true
				}
			}
		}
	}
	return nil, false, false
}

// implicitLoadBalancer: a load balancer's network defaults to the
// location's default network.
func implicitLoadBalancer(field, location string, live provider.Live) (any, bool, bool) {
	if field == "network" {
		return defaultNetwork(location, live)
	}
	return nil, false, false
}

func defaultNetwork(location string, live provider.Live) (any, bool, bool) {
	for _, n := range live.Objects(Networks, location) {
		if n.Attrs["is_default"] == true {
			return n.ID, false, true
		}
	}
	return nil, false, false
}

// poolLabels names the location's host pools by their uuids, the
// default one marked: a plan shows "General (default)".
func poolLabels(location string, live provider.Live) map[string]string {
	c, _ := live.Catalog(location).(*Catalog)
	if c == nil {
		return nil
	}
	out := map[string]string{}
	for _, p := range c.Pools {
		out[p.UUID] = p.Name
		if p.Default {
			out[p.UUID] += " (default)"
		}
	}
	return out
}

func init() {
	loadBalancerKind.Reads = []provider.Kind{Networks}
	loadBalancerKind.Implicit = implicitLoadBalancer
}

// checkCatalog checks a VM's OS and pool against the location's catalogue
// and turns a pool name into its uuid.
func checkCatalog(values map[string]any, cat any) ([]provider.Problem, map[string]any) {
	c, _ := cat.(*Catalog)
	if c == nil {
		return nil, nil
	}
	var out []provider.Problem
	osName, hasOS := values["os_name"].(string)
	osVersion, hasVersion := values["os_version"].(string)
	var names []string
	var image *Image
	for i := range c.Images {
		names = append(names, c.Images[i].OSName)
		if c.Images[i].OSName == osName {
			image = &c.Images[i]
		}
	}
	switch {
	case hasOS && image == nil:
		out = append(out, provider.Problem{Field: "os_name", Allowed: "allowed: " + strings.Join(names, ", "),
			Summary: fmt.Sprintf("os_name %q is not offered in %s", osName, c.Location), Value: osName, Choices: names})
	case hasVersion && image != nil && !slices.Contains(image.Versions, osVersion):
		out = append(out, provider.Problem{Field: "os_version", Allowed: fmt.Sprintf("allowed versions of %s: %s", osName, strings.Join(image.Versions, ", ")),
			Summary: fmt.Sprintf("%s %q is not offered in %s", osName, osVersion, c.Location)})
	}
	var replace map[string]any
	if p, ok := values["pool"].(string); ok {
		var pools []string
		found := ""
		for _, pool := range c.Pools {
			pools = append(pools, pool.Name)
			if pool.UUID == p || strings.EqualFold(pool.Name, p) {
				found = pool.UUID
			}
		}
		if found == "" {
			out = append(out, provider.Problem{Field: "pool", Allowed: "allowed: " + strings.Join(pools, ", ") + " (a name or its uuid)",
				Summary: fmt.Sprintf("host pool %q does not exist in %s", p, c.Location), Value: p, Choices: pools})
		} else {
			replace = map[string]any{"pool": found}
		}
	}
	return out, replace
}

// diskMade reports whether a live disk is what a lost create asked for:
// the same size, billing account and source type, made after the create
// started (disks have no name to find them by).
func diskMade(o provider.Object, match map[string]any, since time.Time) bool {
	if len(match) == 0 {
		return false
	}
	for k, want := range match {
		switch k {
		case "source":
			src, _ := want.(map[string]any)
			if t, _ := src["type"].(string); t != "" && o.Attrs["source_type"] != t {
				return false
			}
		default:
			if provider.Text(o.Attrs[k]) != provider.Text(want) {
				return false
			}
		}
	}
	if created, ok := o.Attrs["created_at"].(string); ok && created != "" {
		for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano, "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, created); err == nil {
				return !t.Before(since.Add(-2 * time.Second))
			}
		}
	}
	return true
}

// adoptableDisks lists the live disks a declared disk could be, sorted by
// id: the same size, the same attachment (attach_to resolved to the VM's
// id, or none), the same source type and image where declared, the same
// billing account where declared. A VM's boot disk never matches. nil
// when the size or the attachment is not known yet (a VM this plan
// creates has no disk yet).
func adoptableDisks(values map[string]any, location string, live provider.Live) []provider.Object {
	size, ok := values["size"]
	if !ok {
		return nil
	}
	attach, ok := values["attach_to"]
	if !ok {
		return nil
	}
	boot := bootDisks(location, live)
	var srcType, srcImage string
	if m, ok := values["source"].(map[string]any); ok {
		srcType, _ = m["type"].(string)
		srcImage, _ = m["image"].(string)
	}
	billing, hasBilling := values["billing_account"]
	var out []provider.Object
	for _, d := range live.Objects(Disks, location) {
		switch {
		case boot[d.ID]:
		case provider.Text(d.Attrs["size"]) != provider.Text(size):
		case provider.Text(d.Attrs["attached_to"]) != provider.Text(attach):
		case srcType != "" && !strings.EqualFold(provider.Text(d.Attrs["source_type"]), srcType):
		case srcImage != "" && provider.Text(d.Attrs["source_image"]) != srcImage:
		case hasBilling && provider.Text(d.Attrs["billing_account"]) != provider.Text(billing):
		default:
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b provider.Object) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// bootDisks are the ids of the boot disks of a location's VMs.
func bootDisks(location string, live provider.Live) map[string]bool {
	boot := map[string]bool{}
	for _, vm := range live.Objects(VMs, location) {
		if id, _ := vm.Attrs["disk_uuid"].(string); id != "" {
			boot[id] = true
		}
	}
	return boot
}

// exportDiskSource is a live disk's source as a stack file writes it, nil
// when the API does not say.
func exportDiskSource(o provider.Object) any {
	typ := strings.ToUpper(provider.Text(o.Attrs["source_type"]))
	img := provider.Text(o.Attrs["source_image"])
	switch {
	case typ == "EMPTY":
		return map[string]any{"type": typ}
	case typ == "OS_BASE" && img != "":
		return map[string]any{"type": typ, "image": img}
	case (typ == "DISK" || typ == "SNAPSHOT") && img != "":
		return map[string]any{"type": typ, "uuid": img}
	}
	return nil
}

// assignedElsewhere: a floating IP may be assigned to a load balancer,
// which assign_to (a VM) cannot name.
func assignedElsewhere(o provider.Object) string {
	t := provider.Text(o.Attrs["assigned_to_resource_type"])
	if t == "" || t == "virtual_machine" || t == "vm" {
		return ""
	}
	return fmt.Sprintf("assigned to a %s (%s), which a stack file cannot name", t, provider.Text(o.Attrs["assigned_to"]))
}
