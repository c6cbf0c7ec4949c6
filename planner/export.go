package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// ExportOptions say what Export takes from the live objects.
type ExportOptions struct {
	Location string      // the location exported (buckets are global)
	Kinds    []spec.Kind // the kinds exported; empty means all six
	// Prefix: only objects whose live names start with it are exported
	// (and the disks attached to them, which have no name); their names
	// become "${var.prefix}REST", with vars: {prefix: {type: string,
	// default: PREFIX}}. A reference to an object left out is left out
	// and ignored, like any reference to something not exported.
	Prefix string
	// Stack is the stack name; "" gives export-LOCATION, or
	// ${var.prefix}LOCATION with a prefix.
	Stack string
}

// Exported is a stack file made from live objects.
type Exported struct {
	YAML []byte
	// Counts is the number of resources exported per kind.
	Counts map[spec.Kind]int
	// EnvVars are the environment variables the file reads (the VMs'
	// passwords), sorted.
	EnvVars []string
}

// The kinds export knows (TEMPORARY: export is still written for
// idcloudhost's kinds; it moves to the provider's description next).
const (
	xVMs           spec.Kind = "vms"
	xDisks         spec.Kind = "disks"
	xNetworks      spec.Kind = "networks"
	xFloatingIPs   spec.Kind = "floating_ips"
	xLoadBalancers spec.Kind = "load_balancers"
	xBuckets       spec.Kind = "buckets"
)

// notReported are fields the API never reports: an export cannot know them.
var notReported = map[spec.Kind][]string{
	xVMs:           {"cloud_init", "public_key", "reserve_public_ip"},
	xLoadBalancers: {"reserve_public_ip"},
}

// Export builds a stack file from the live objects of a location (and the
// buckets, which are global): references between the exported resources
// instead of live ids, logical names derived from live names, secrets as
// ${env.…} placeholders, the default network left out. A reference to
// something not exported is left out and its field ignored
// (lifecycle.ignore_changes), so adopting the file changes nothing.
func Export(live *Live, opts ExportOptions) (*Exported, error) {
	if opts.Location == "" {
		return nil, fmt.Errorf("export: a location is required")
	}
	x := &exporter{live: live, opts: opts, want: map[spec.Kind]bool{},
		names: map[spec.Kind]map[string]string{}, used: map[spec.Kind]map[string]bool{},
		comments: yaml.CommentMap{}, envUsed: map[string]bool{},
		out: &Exported{Counts: map[spec.Kind]int{}}}
	if len(opts.Kinds) == 0 {
		for _, n := range live.Provider.KindNames() {
			opts.Kinds = append(opts.Kinds, spec.Kind(n))
		}
	}
	for _, k := range opts.Kinds {
		if live.Kind(k) == nil {
			return nil, fmt.Errorf("export: unknown kind %q (allowed: %s)", k, strings.Join(live.Provider.KindNames(), ", "))
		}
		x.want[k] = true
	}
	x.collect()
	doc := x.document()
	b, err := yaml.MarshalWithOptions(doc, yaml.WithComment(x.comments), yaml.IndentSequence(true))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	x.out.YAML = b
	sort.Strings(x.out.EnvVars)
	return x.out, nil
}

// exporter holds one export's work in progress.
type exporter struct {
	live *Live
	opts ExportOptions
	want map[spec.Kind]bool
	// objs are the exported objects per kind, sorted by name then id.
	objs map[spec.Kind][]provider.Object
	// names maps a live id to its logical name, per kind.
	names    map[spec.Kind]map[string]string
	used     map[spec.Kind]map[string]bool
	bootDisk map[string]bool
	billing  int // the stack's default billing account (the most common)
	comments yaml.CommentMap
	envUsed  map[string]bool
	skipped  []string // objects left out, for the file's head comment
	outside  int      // named objects left out by the prefix
	out      *Exported
}

// kinds are the provider's kinds in stack-file order.
func (x *exporter) kinds() []spec.Kind {
	var out []spec.Kind
	for _, n := range x.live.Provider.KindNames() {
		out = append(out, spec.Kind(n))
	}
	return out
}

func (x *exporter) scope(k spec.Kind) []provider.Object {
	kind := provider.Kind(k)
	return x.live.ObjectsOf(kind, x.opts.Location)
}

// collect picks the objects to export and names them.
func (x *exporter) collect() {
	x.objs = map[spec.Kind][]provider.Object{}
	x.bootDisk = map[string]bool{}
	for _, vm := range x.scope(xVMs) {
		if id, _ := vm.Attrs["disk_uuid"].(string); id != "" {
			x.bootDisk[id] = true
		}
	}
	exportedVM := map[string]bool{}
	for _, k := range x.kinds() { // VMs before disks
		if !x.want[k] {
			continue
		}
		var objs []provider.Object
		for _, o := range x.scope(k) {
			switch {
			case k == xNetworks && o.Attrs["is_default"] == true:
				continue // the API's own: never created or deleted by a stack
			case k == xDisks && x.bootDisk[o.ID]:
				continue // a VM's boot disk is the VM's disk: field
			case k != xDisks && o.Name == "":
				x.skipped = append(x.skipped, fmt.Sprintf("left out: %s %s has no name, and idstack finds %s by name (name it, then export again)",
					x.live.Kind(k).Singular, o.ID, k))
				continue
			case k != xDisks && !x.prefixed(o.Name):
				x.outside++ // another stack's, or no stack's
				continue
			case k == xDisks && x.opts.Prefix != "" && !exportedVM[str(o.Attrs["attached_to"])]:
				x.skipped = append(x.skipped, fmt.Sprintf("left out: disk %s is attached to no exported VM, and a disk has no name for --prefix to match", o.ID))
				continue
			}
			if k == xVMs {
				exportedVM[o.ID] = true
			}
			objs = append(objs, o)
		}
		// Named objects first, so that they get the names they suggest.
		sort.SliceStable(objs, func(i, j int) bool {
			if (objs[i].Name == "") != (objs[j].Name == "") {
				return objs[j].Name == ""
			}
			if objs[i].Name != objs[j].Name {
				return objs[i].Name < objs[j].Name
			}
			return objs[i].ID < objs[j].ID
		})
		x.objs[k] = objs
	}
	// VMs first: disks are named after the VM they are attached to.
	for _, k := range []spec.Kind{xNetworks, xVMs, xFloatingIPs, xLoadBalancers, xBuckets, xDisks} {
		x.names[k] = map[string]string{}
		x.used[k] = map[string]bool{}
		for _, o := range x.objs[k] {
			x.names[k][o.ID] = x.unique(k, x.baseName(k, o))
		}
		x.out.Counts[k] = len(x.objs[k])
	}
	// The file lists each kind's resources by logical name.
	for k, objs := range x.objs {
		sort.SliceStable(objs, func(i, j int) bool { return x.names[k][objs[i].ID] < x.names[k][objs[j].ID] })
	}
	x.billing = x.commonBilling()
}

// prefixed reports whether a live name is exported under --prefix.
func (x *exporter) prefixed(name string) bool {
	return x.opts.Prefix == "" || strings.HasPrefix(name, x.opts.Prefix)
}

// baseName derives a logical name from a live one: the prefix dropped,
// letters, digits, _ and - kept, anything else turned into -.
func (x *exporter) baseName(k spec.Kind, o provider.Object) string {
	name := o.Name
	if k == xDisks {
		if vm := x.names[xVMs][str(o.Attrs["attached_to"])]; vm != "" {
			return vm + "-data"
		}
		return "disk"
	}
	if x.opts.Prefix != "" && strings.HasPrefix(name, x.opts.Prefix) && len(name) > len(x.opts.Prefix) {
		name = name[len(x.opts.Prefix):]
	}
	s := sanitize(name)
	if s == "" {
		return map[spec.Kind]string{xNetworks: "network", xVMs: "vm", xFloatingIPs: "ip",
			xLoadBalancers: "lb", xBuckets: "bucket"}[k]
	}
	return s
}

func sanitize(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		ok := r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		switch {
		case ok:
			b.WriteRune(r)
			dash = r == '-'
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func (x *exporter) unique(k spec.Kind, base string) string {
	name := base
	for n := 2; x.used[k][name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	x.used[k][name] = true
	return name
}

// commonBilling is the billing account most exported resources use.
func (x *exporter) commonBilling() int {
	count := map[int]int{}
	for _, k := range x.kinds() {
		for _, o := range x.objs[k] {
			if n := intOf(o.Attrs["billing_account"]); n != 0 {
				count[n]++
			}
		}
	}
	best := 0
	for n, c := range count {
		if c > count[best] || c == count[best] && n < best {
			best = n
		}
	}
	return best
}

// liveName is a live name as the stack file writes it: with the prefix
// as ${var.prefix}, and any "${" escaped.
func (x *exporter) liveName(name string) string {
	if x.opts.Prefix != "" && strings.HasPrefix(name, x.opts.Prefix) {
		return "${var.prefix}" + escapeTemplate(name[len(x.opts.Prefix):])
	}
	return escapeTemplate(name)
}

func escapeTemplate(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// document lays out the stack file.
func (x *exporter) document() yaml.MapSlice {
	stack := x.opts.Stack
	switch {
	case stack != "":
		stack = escapeTemplate(stack)
	case x.opts.Prefix != "":
		stack = "${var.prefix}" + x.opts.Location
	default:
		stack = "export-" + x.opts.Location
	}
	doc := yaml.MapSlice{{Key: "stack", Value: stack}, {Key: "location", Value: x.opts.Location}}
	if x.billing != 0 {
		doc = append(doc, yaml.MapItem{Key: "billing_account", Value: x.billing})
	}
	if x.opts.Prefix != "" {
		doc = append(doc, yaml.MapItem{Key: "vars", Value: yaml.MapSlice{{Key: "prefix", Value: yaml.MapSlice{
			{Key: "type", Value: "string"}, {Key: "default", Value: x.opts.Prefix}}}}})
		x.comment("$.vars", "live names that start with the prefix are written ${var.prefix}…:",
			"another environment from this file: --var prefix=…")
	}
	total := 0
	for _, k := range x.kinds() {
		total += len(x.objs[k])
	}
	what := fmt.Sprintf("%d resources", total)
	if total == 1 {
		what = "1 resource"
	}
	cmd := "idstack export --location " + x.opts.Location
	head := []string{}
	if x.opts.Prefix != "" {
		cmd += " --prefix " + x.opts.Prefix
		if x.outside > 0 {
			head = append(head, fmt.Sprintf("--prefix %s: left out %d objects whose names do not start with it", x.opts.Prefix, x.outside))
		}
	}
	x.comment("$", append(append([]string{fmt.Sprintf("Exported by `%s`: %s. Take them over with", cmd, what),
		"`idstack plan --adopt -f FILE` (it should show only adoptions), then `idstack apply --adopt`."}, head...), x.skipped...)...)
	for _, k := range x.kinds() {
		if len(x.objs[k]) == 0 {
			continue
		}
		var body yaml.MapSlice
		for _, o := range x.objs[k] {
			logical := x.names[k][o.ID]
			r := &exportRes{path: "$." + string(k) + "." + logical}
			x.resource(k, o, r)
			if n := intOf(o.Attrs["billing_account"]); n != 0 && n != x.billing {
				r.set("billing_account", n)
			}
			if len(r.ignore) > 0 {
				ig := make([]any, len(r.ignore))
				for i, f := range r.ignore {
					ig[i] = f
				}
				r.set("lifecycle", yaml.MapSlice{{Key: "ignore_changes", Value: ig}})
			}
			if len(r.notes) > 0 {
				x.comment(r.path, r.notes...)
			}
			body = append(body, yaml.MapItem{Key: logical, Value: r.fields})
		}
		doc = append(doc, yaml.MapItem{Key: string(k), Value: body})
	}
	return doc
}

func (x *exporter) comment(path string, lines ...string) {
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	x.comments[path] = append(x.comments[path], yaml.HeadComment(lines...))
}

// exportRes is one resource's body being written.
type exportRes struct {
	path   string
	fields yaml.MapSlice
	ignore []string // lifecycle.ignore_changes
	notes  []string // a comment above the resource
}

func (r *exportRes) set(k string, v any) { r.fields = append(r.fields, yaml.MapItem{Key: k, Value: v}) }

// ref writes a reference field to the exported resource with the live id,
// or, when that resource is not exported, leaves the field out and ignores
// its changes.
func (x *exporter) ref(r *exportRes, field string, target spec.Kind, id string) {
	if id == "" {
		return
	}
	if name := x.names[target][id]; name != "" {
		r.set(field, name)
		return
	}
	r.ignore = append(r.ignore, field)
	what := x.live.Kind(target).Singular + " " + id
	why := "it is not exported"
	if !x.want[target] {
		why = string(target) + " are not exported (--kinds)"
	} else if o := x.live.Find(provider.Kind(target), x.opts.Location, id); o != nil && o.Name != "" && !x.prefixed(o.Name) {
		what += fmt.Sprintf(" (%q)", o.Name)
		why = fmt.Sprintf("its name does not start with the prefix %q", x.opts.Prefix)
	}
	r.notes = append(r.notes, fmt.Sprintf("%s: %s, but %s: left out and ignored", field, what, why))
}

func (x *exporter) resource(k spec.Kind, o provider.Object, r *exportRes) {
	a := o.Attrs
	switch k {
	case xNetworks:
		r.set("name", x.liveName(o.Name))
	case xVMs:
		x.vm(o, r)
	case xDisks:
		r.set("size", intOf(a["size"]))
		if src := diskSource(a); src != nil {
			r.set("source", src)
		}
		x.ref(r, "attach_to", xVMs, str(a["attached_to"]))
	case xFloatingIPs:
		r.set("name", x.liveName(o.Name))
		if t := str(a["assigned_to_resource_type"]); t != "" && t != "virtual_machine" && t != "vm" {
			r.ignore = append(r.ignore, "assign_to")
			r.notes = append(r.notes, fmt.Sprintf("assign_to: assigned to a %s (%s), which a stack file cannot name: left out and ignored", t, str(a["assigned_to"])))
		} else {
			x.ref(r, "assign_to", xVMs, str(a["assigned_to"]))
		}
	case xLoadBalancers:
		r.set("name", x.liveName(o.Name))
		if net := str(a["network"]); !x.isDefaultNetwork(net) {
			x.ref(r, "network", xNetworks, net)
		}
		var rules []any
		for _, it := range list(a["rules"]) {
			m, _ := it.(map[string]any)
			rules = append(rules, yaml.MapSlice{{Key: "source_port", Value: intOf(m["source_port"])}, {Key: "target_port", Value: intOf(m["target_port"])}})
		}
		if len(rules) > 0 {
			r.set("rules", rules)
		}
		var targets []any
		missing := false
		for _, t := range list(a["targets"]) {
			if name := x.names[xVMs][str(t)]; name != "" {
				targets = append(targets, name)
			} else {
				missing = true
			}
		}
		if missing {
			r.ignore = append(r.ignore, "targets")
			r.notes = append(r.notes, "targets: some targets are not exported VMs: the list is left out and ignored")
		} else if len(targets) > 0 {
			r.set("targets", targets)
		}
		r.notes = append(r.notes, "not reported by the API, left out: reserve_public_ip")
	case xBuckets:
		r.set("name", x.liveName(o.Name))
	}
}

func (x *exporter) vm(o provider.Object, r *exportRes) {
	a := o.Attrs
	r.set("name", x.liveName(o.Name))
	if d := str(a["description"]); d != "" {
		r.set("description", escapeTemplate(d))
	}
	r.set("os_name", str(a["os_name"]))
	r.set("os_version", str(a["os_version"]))
	r.set("vcpu", intOf(a["vcpu"]))
	r.set("ram", intOf(a["ram"]))
	r.set("disk", intOf(a["disk"]))
	if net := str(a["network"]); !x.isDefaultNetwork(net) {
		x.ref(r, "network", xNetworks, net)
	}
	if p := str(a["pool_name"]); p != "" {
		r.set("pool", p)
	} else if p := str(a["pool"]); p != "" {
		r.set("pool", p)
	}
	if u := str(a["username"]); u != "" {
		r.set("username", u)
	}
	env := x.envName(x.names[xVMs][o.ID])
	r.set("password", "${env."+env+"}")
	if a["backup"] == true {
		r.set("backup", true)
	}
	if str(a["power"]) == "stopped" {
		r.set("power", "stopped")
	}
	r.notes = append(r.notes, "not reported by the API, left out: "+strings.Join(notReported[xVMs], ", "),
		"password: the API never shows it; set "+env+" in the environment")
}

// envName is the environment variable of a VM's password: NAME_PASSWORD.
func (x *exporter) envName(logical string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(logical) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	base := b.String()
	if base == "" || base[0] >= '0' && base[0] <= '9' {
		base = "VM_" + base
	}
	name := base + "_PASSWORD"
	for n := 2; x.envUsed[name]; n++ {
		name = fmt.Sprintf("%s_%d_PASSWORD", base, n)
	}
	x.envUsed[name] = true
	x.out.EnvVars = append(x.out.EnvVars, name)
	return name
}

func (x *exporter) isDefaultNetwork(id string) bool {
	if id == "" {
		return true
	}
	n := x.live.Find(xNetworks, x.opts.Location, id)
	return n != nil && n.Attrs["is_default"] == true
}

// diskSource is a disk's source: as the stack file writes it, nil when
// the API does not say.
func diskSource(a provider.Attrs) yaml.MapSlice {
	typ := strings.ToUpper(str(a["source_type"]))
	img := str(a["source_image"])
	switch {
	case typ == "EMPTY":
		return yaml.MapSlice{{Key: "type", Value: typ}}
	case typ == "OS_BASE" && img != "":
		return yaml.MapSlice{{Key: "type", Value: typ}, {Key: "image", Value: img}}
	case (typ == "DISK" || typ == "SNAPSHOT") && img != "":
		return yaml.MapSlice{{Key: "type", Value: typ}, {Key: "uuid", Value: img}}
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func intOf(v any) int {
	if f, ok := toFloat(v); ok {
		return int(f)
	}
	return 0
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
