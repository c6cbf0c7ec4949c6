package iwinv

import (
	"time"

	"github.com/idstack/idstack/provider"
)

// The kinds of iwinv, named as in the stack file.
const (
	VMs       provider.Kind = "vms"
	Disks     provider.Kind = "disks"
	Firewalls provider.Kind = "firewalls"
)

// Name is the provider's name in a stack file (provider: iwinv).
const Name = "iwinv"

// Describe returns the description of iwinv's kinds.
func (c *Client) Describe() *provider.Description { return Description() }

// Description is iwinv's description (also without a client: the schema
// and validate need no account).
func Description() *provider.Description { return description }

var description = &provider.Description{
	Name:     Name,
	Title:    "the cloud resources of one stack on iwinv (api-kr.iwinv.kr)",
	Location: "zones such as KR1-Z01",
	Kinds:    []*provider.KindSpec{vmKind, diskKind, firewallKind},
}

func bound(f float64) *float64 { return &f }

// shutdownNote is the seed page's warning, for plans that stop an
// instance.
const shutdownNote = "power: stopped shuts the instance down like pressing its power switch (the file system may be damaged; shut it down from inside first when you can), and iwinv keeps billing it while it is off"

var vmKind = &provider.KindSpec{
	Kind: VMs, Singular: "VM", SchemaName: "vm",
	Doc:       "An iwinv instance (a virtual machine) in a zone: the resource's location.",
	ListDoc:   "Instances, by logical name. Address: vms.NAME.",
	NameField: "name",
	Fields: []*provider.Field{
		{Name: "name", Type: provider.StringType, MinLength: 1, MaxLength: 64, Live: "name", Default: provider.DefaultName,
			Doc: "The instance's live name, 1–64 characters. Defaults to the logical name. Changed in place."},
		{Name: "description", Type: provider.StringType, MaxLength: 255, Live: "description", Default: "",
			Doc: "A free text description, at most 255 characters. Changed in place."},
		{Name: "flavor", Type: provider.StringType, MinLength: 1, Required: true, Live: "flavor", ExportFrom: "flavor_name", Change: provider.Restart,
			Doc: "The instance size, by id or name, e.g. STD-2C4G (checked against /v1/flavors of the zone at plan time). Changing it resizes the instance in place: a running instance is restarted by the resize."},
		{Name: "image", Type: provider.StringType, MinLength: 1, Required: true, Live: "image", ExportFrom: "image_name", Change: provider.Reinstall,
			ChangeReason: "changes: iwinv rebuilds the instance from the new image",
			Destructive:  "rebuild rewrites the boot disk from the new image: the data on it is lost",
			UndoNote:     "a rollback rebuilds from the old image; the data of the boot disk cannot be brought back",
			Doc:          "The operating system image, by id or name, e.g. \"Ubuntu 22.04\" (checked against /v1/images of the zone at plan time). Changing it rebuilds the instance: the boot disk is rewritten and its data lost."},
		{Name: "ssh_key", Type: provider.StringType, MinLength: 1, Change: provider.Replace,
			Doc: "An SSH key for the image's account, by id or name (keys are made in the iwinv console; checked against /v1/auth/ssh_key at plan time). Set at creation: changing it replaces the instance."},
		{Name: "user_script", Type: provider.StringType, MinLength: 1, Change: provider.Replace,
			Doc: "A user script run at the first boot, by id or name (scripts are made in the iwinv console; checked against /v1/instance/script at plan time). Changing it replaces the instance."},
		{Name: "power", Enum: []any{powerRunning, powerStopped}, Live: "power", Default: powerRunning,
			CreateNote: func(v any) string {
				if v == powerStopped {
					return shutdownNote
				}
				return ""
			},
			ChangeNote: func(_, after any) string {
				if after == powerStopped {
					return shutdownNote
				}
				return ""
			},
			Doc: "Whether the instance should be running or stopped. Default: running. Stopped is iwinv's shutdown: like pressing the power switch, and the instance is still billed while off."},
	},
	ReadyField:     "power",
	ReadyDefault:   powerRunning,
	Power:          &provider.Power{Field: "power", Running: powerRunning, Stopped: powerStopped},
	RestartNote:    "restart: iwinv restarts the running instance to resize it; it is unavailable meanwhile",
	ReplaceNote:    "data loss: the old instance's boot disk is deleted with it (its block storages are left behind, detached)",
	Catalog:        checkVMCatalog,
	Labels:         vmLabels,
	CreateDeadline: 15 * time.Minute,
}

var diskKind = &provider.KindSpec{
	Kind: Disks, Singular: "disk", SchemaName: "disk",
	Doc:     "A block storage volume, attached to an instance of its zone.",
	ListDoc: "Block storage volumes, by logical name. Address: disks.NAME.",
	// Block storage has no name idstack manages: a lost create is found
	// by what it asked for and when.
	MatchFields:  []string{"size", "type", "attach_to"},
	Made:         diskMade,
	Adoptable:    adoptableDisks,
	ExportAnchor: &provider.Anchor{Field: "attach_to", Suffix: "data", Relation: "attached to"},
	Fields: []*provider.Field{
		{Name: "size", Type: provider.IntegerType, Min: bound(1), Required: true, Live: "size", Change: provider.Replace,
			Doc: "Size in GB, within the bounds of its type (checked against /v1/block-storages/types at plan time). The API cannot resize a volume: changing it replaces the disk, and its data is lost."},
		{Name: "type", Type: provider.StringType, MinLength: 1, Required: true, Live: "type", Change: provider.Replace,
			Doc: "The volume type, e.g. SSD (checked against /v1/block-storages/types of the zone at plan time). Changing it replaces the disk."},
		{Name: "attach_to", Type: provider.StringType, MinLength: 1, Required: true, Live: "attach_to", Ref: VMs,
			RequiredWhy: "iwinv creates a block storage attached to an instance, so a disk names the VM it is made on",
			Doc:         "The VM the disk is attached to: a logical name of vms (or vms.NAME) in the same zone. Required: iwinv makes a volume attached. Changing it detaches and attaches the disk."},
	},
	ReplaceNote:    "data loss: the old block storage is deleted with its data",
	Catalog:        checkDiskCatalog,
	CreateDeadline: 10 * time.Minute,
}

var firewallKind = &provider.KindSpec{
	Kind: Firewalls, Singular: "firewall", SchemaName: "firewall",
	Doc:       "An iwinv firewall (security group): rules and the VMs it guards. Firewalls belong to the account, not to a zone.",
	ListDoc:   "Firewalls (security groups), by logical name. Address: firewalls.NAME.",
	Global:    true,
	NameField: "name",
	Fields: []*provider.Field{
		{Name: "name", Type: provider.StringType, MinLength: 1, MaxLength: 50, Live: "name", Default: provider.DefaultName,
			Doc: "The firewall's live name (its title), 1–50 characters. Defaults to the logical name. Changed in place."},
		{Name: "description", Type: provider.StringType, MaxLength: 255, Live: "description", Default: "",
			Doc: "A free text description. Changed in place."},
		{Name: "icmp", Type: provider.BooleanType, Live: "icmp", Default: false,
			Doc: "Whether the instances answer ICMP (ping). iwinv sets ICMP for the whole firewall, not per rule. Default false. Changed in place."},
		{Name: "rules", Type: provider.ListType, Live: "rules", Default: []any{},
			Keys: []string{"direction", "protocol", "port", "source", "description"},
			Doc:  "Traffic the firewall lets through, compared rule by rule: a changed rule is one removed and one added.",
			Items: &provider.Field{Type: provider.ObjectType, Doc: "A rule.", RequiredFields: []string{"direction", "protocol", "port", "source"}, Fields: []*provider.Field{
				{Name: "direction", Enum: []any{"in", "out"}, Doc: "in (to the instances) or out (from them)."},
				{Name: "protocol", Enum: []any{"tcp", "udp", "icmp"}, Doc: "tcp or udp. (icmp is refused: iwinv allows ICMP for the whole firewall with icmp: true.)"},
				{Name: "port", Type: provider.StringType, Pattern: `^[0-9]{1,5}(-[0-9]{1,5})?$`, Doc: "One port or a range, quoted: \"22\" or \"8000-8100\", within 1–65535."},
				{Name: "source", Type: provider.StringType, MinLength: 1, Doc: "The addresses it applies to: an IPv4 CIDR such as 0.0.0.0/0 or 203.0.113.0/24 (iwinv takes no IPv6)."},
				{Name: "description", Type: provider.StringType, MaxLength: 25, Doc: "What the rule is for, at most 25 characters."},
			}}},
		{Name: "attach_to", Type: provider.ListType, Live: "attach_to", Ref: VMs, Default: []any{}, UniqueItems: true,
			Items: &provider.Field{Type: provider.StringType, MinLength: 1},
			Doc:   "The VMs the firewall guards: logical names of vms (or vms.NAME), in any zone. Changed item by item (attach, detach)."},
	},
	Check:          checkFirewall,
	CreateDeadline: 2 * time.Minute,
}
