package planner

import "github.com/idstack/idstack/spec"

// Mode is how a field's change reaches the live object (SPEC §2).
type Mode int

// Modes, weakest first: a plan takes the strongest mode among its changes.
const (
	InPlace     Mode = iota // one API call on the live object
	Restart                 // stop, change, start again (vcpu, ram)
	ReinstallOS             // rewrite the boot disk from an image: data loss
	CreateOnly              // create a new object, delete the old one
)

func (m Mode) String() string {
	return [...]string{"in-place", "restart", "reinstall", "replace"}[m]
}

// Rule says how one field of a kind is compared and changed.
type Rule struct {
	Mode Mode
	// Live is the attribute of the live object to compare with; "" means
	// the API does not report the field, so the state's last applied input
	// is the "before".
	Live string
	// Ref is the kind a reference field names; the value compared is the
	// referenced object's id.
	Ref spec.Kind
	// List: the field is a list compared as a set (rules, targets), and
	// changed item by item.
	List bool
	// Keys: for a list of objects, the keys that identify an item (the
	// live side may carry more, such as a rule's uuid).
	Keys []string
	// NoShrink: a decrease is refused at plan time.
	NoShrink bool
	// Secret: never shown or stored in clear.
	Secret bool
	// Default applies when the file leaves the field out. DefaultName means
	// the logical name; nil means "not managed unless set".
	Default any
}

// DefaultName stands for "the resource's logical name" in Rule.Default.
const DefaultName = "\x00logical-name"

// Rules per kind, one row per field of SPEC §1, modes of SPEC §2.
var Rules = map[spec.Kind]map[string]Rule{
	spec.VMs: {
		"name":              {Mode: InPlace, Live: "name", Default: DefaultName},
		"description":       {Mode: CreateOnly, Live: "description", Default: ""},
		"os_name":           {Mode: ReinstallOS, Live: "os_name"},
		"os_version":        {Mode: ReinstallOS, Live: "os_version"},
		"vcpu":              {Mode: Restart, Live: "vcpu"},
		"ram":               {Mode: Restart, Live: "ram"},
		"disk":              {Mode: InPlace, Live: "disk", NoShrink: true},
		"network":           {Mode: CreateOnly, Live: "network", Ref: spec.Networks},
		"pool":              {Mode: CreateOnly, Live: "pool"},
		"username":          {Mode: CreateOnly, Live: "username"},
		"password":          {Mode: InPlace, Secret: true},
		"public_key":        {Mode: CreateOnly},
		"backup":            {Mode: InPlace, Live: "backup", Default: false},
		"power":             {Mode: InPlace, Live: "power", Default: "running"},
		"reserve_public_ip": {Mode: CreateOnly, Default: false},
		"cloud_init":        {Mode: CreateOnly},
		"clone_from":        {Mode: CreateOnly},
		"billing_account":   {Mode: InPlace, Live: "billing_account"},
	},
	spec.Networks: {
		"name": {Mode: InPlace, Live: "name", Default: DefaultName},
	},
	spec.Disks: {
		"size":            {Mode: InPlace, Live: "size", NoShrink: true},
		"source":          {Mode: CreateOnly},
		"attach_to":       {Mode: InPlace, Live: "attached_to", Ref: spec.VMs, Default: ""},
		"billing_account": {Mode: InPlace, Live: "billing_account"},
	},
	spec.FloatingIPs: {
		"name":            {Mode: InPlace, Live: "name", Default: DefaultName},
		"assign_to":       {Mode: InPlace, Live: "assigned_to", Ref: spec.VMs, Default: ""},
		"billing_account": {Mode: InPlace, Live: "billing_account"},
	},
	spec.LoadBalancers: {
		"name":              {Mode: InPlace, Live: "name", Default: DefaultName},
		"network":           {Mode: CreateOnly, Live: "network", Ref: spec.Networks},
		"reserve_public_ip": {Mode: CreateOnly, Default: false},
		"rules":             {Mode: InPlace, Live: "rules", List: true, Keys: []string{"source_port", "target_port"}, Default: []any{}},
		"targets":           {Mode: InPlace, Live: "targets", Ref: spec.VMs, List: true, Default: []any{}},
		"billing_account":   {Mode: InPlace, Live: "billing_account"},
	},
	spec.Buckets: {
		"name":            {Mode: CreateOnly, Live: "name", Default: DefaultName},
		"billing_account": {Mode: InPlace, Live: "billing_account"},
	},
}

// Supported lists the kinds this build plans and applies.
var Supported = map[spec.Kind]bool{spec.VMs: true, spec.Networks: true, spec.Disks: true, spec.FloatingIPs: true, spec.LoadBalancers: true, spec.Buckets: true}

// Named reports whether live objects of a kind have names (disks do not:
// they are matched by the state only).
func Named(k spec.Kind) bool { _, ok := Rules[k]["name"]; return ok }
