package spec

// The fields of each kind, in the order the JSON schema lists them. This is
// the one list the loader, the checks and the planner share; the schema
// package's tests hold its JSON schema to it.
var kindFields = map[Kind][]string{
	VMs: {"name", "description", "os_name", "os_version", "vcpu", "ram", "disk",
		"network", "pool", "username", "password", "public_key", "backup", "power",
		"reserve_public_ip", "cloud_init", "clone_from", "location", "billing_account", "lifecycle"},
	Disks:         {"size", "source", "attach_to", "location", "billing_account", "lifecycle"},
	Networks:      {"name", "location", "billing_account", "lifecycle"},
	FloatingIPs:   {"name", "assign_to", "location", "billing_account", "lifecycle"},
	LoadBalancers: {"name", "network", "reserve_public_ip", "rules", "targets", "location", "billing_account", "lifecycle"},
	Buckets:       {"name", "billing_account", "lifecycle"},
}

// Fields returns the fields a resource of the kind may set, in schema order
// (nil for an unknown kind). The caller may not modify the result.
func Fields(k Kind) []string { return kindFields[k] }

// HasField reports whether the kind has the field.
func HasField(k Kind, field string) bool {
	for _, f := range kindFields[k] {
		if f == field {
			return true
		}
	}
	return false
}

// TopLevelKeys are the keys allowed at the top of a stack file besides the kinds.
var TopLevelKeys = []string{"$schema", "stack", "location", "billing_account", "adopt", "vars", "backend"}

// secretFields are always sensitive, whatever their source.
var secretFields = map[string]bool{"password": true}

// IsSecretField reports whether a field is always sensitive.
func IsSecretField(field string) bool { return secretFields[field] }

// refField is a field (or a path inside one) that names another resource.
type refField struct {
	Kind   Kind     // the kind of the resource holding the field
	Path   []string // field, then keys inside it ("source", "ref")
	Target Kind     // the kind it must name
	List   bool     // the value is a list of names
	UUIDOK bool     // a UUID is a live id, not a reference
}

// refFields lists every reference field; the loader records them in
// Value.Refs and Check resolves them.
var refFields = []refField{
	{Kind: VMs, Path: []string{"network"}, Target: Networks},
	{Kind: VMs, Path: []string{"clone_from", "vm"}, Target: VMs, UUIDOK: true},
	{Kind: Disks, Path: []string{"attach_to"}, Target: VMs},
	{Kind: Disks, Path: []string{"source", "ref"}, Target: Disks},
	{Kind: FloatingIPs, Path: []string{"assign_to"}, Target: VMs},
	{Kind: LoadBalancers, Path: []string{"network"}, Target: Networks},
	{Kind: LoadBalancers, Path: []string{"targets"}, Target: VMs, List: true},
}
