package planner

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// ExportOptions say what Export takes from the live objects.
type ExportOptions struct {
	Location string      // the location exported (global kinds are exported with it)
	Kinds    []spec.Kind // the kinds exported; empty means all the provider's kinds
	// Prefix: only objects whose live names start with it are exported
	// (and the objects of nameless kinds anchored to them); their names
	// become "${var.prefix}REST", with vars: {prefix: {type: string,
	// default: PREFIX}}. A reference to an object left out is left out
	// and ignored, like any reference to something not exported.
	Prefix string
	// Stack is the stack name; "" gives export-LOCATION, or
	// ${var.prefix}LOCATION with a prefix.
	Stack string
	// Provider, when set, is written at the top (provider: NAME): the
	// caller sets it for every cloud but the one a file that names none
	// is read as.
	Provider string
}

// Exported is a stack file made from live objects.
type Exported struct {
	YAML []byte
	// Counts is the number of resources exported per kind.
	Counts map[spec.Kind]int
	// EnvVars are the environment variables the file reads (the sensitive
	// fields, which the API never shows), sorted.
	EnvVars []string
}

// Export builds a stack file from the live objects of a location (and of
// the global kinds), reading everything kind-specific from the provider's
// description: references between the exported resources instead of live
// ids, logical names derived from live names (or, for a nameless kind,
// from the object its anchor points at), sensitive fields as ${env.…}
// placeholders, the objects the provider protects left out. A reference to
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
	// objs are the exported objects per kind, sorted by logical name.
	objs map[spec.Kind][]provider.Object
	// names maps a live id to its logical name, per kind.
	names map[spec.Kind]map[string]string
	used  map[spec.Kind]map[string]bool
	// common is the value of each stack default that most exported
	// resources have: the file sets it at the top.
	common   map[string]any
	comments yaml.CommentMap
	envUsed  map[string]bool
	skipped  []string // objects left out, for the file's head comment
	outside  int      // named objects left out by the prefix
	out      *Exported
}

// kinds are the provider's kinds in stack-file order.
func (x *exporter) kinds() []*provider.KindSpec { return x.live.Provider.Kinds }

func (x *exporter) scope(k spec.Kind) []provider.Object {
	return x.live.ObjectsOf(k, x.opts.Location)
}

// collect picks the objects to export and names them: the named kinds
// first, since a nameless kind's objects are named after (and, with a
// prefix, exported with) the object their anchor points at.
func (x *exporter) collect() {
	x.objs = map[spec.Kind][]provider.Object{}
	var order []*provider.KindSpec
	for _, named := range []bool{true, false} {
		for _, ks := range x.kinds() {
			if (ks.NameField != "") == named {
				order = append(order, ks)
			}
		}
	}
	skipped := map[spec.Kind][]string{}
	for _, ks := range order {
		k := ks.Kind
		x.names[k], x.used[k] = map[string]string{}, map[string]bool{}
		if x.want[k] {
			objs := x.pick(ks, skipped)
			for _, o := range objs {
				x.names[k][o.ID] = x.unique(k, x.baseName(ks, o))
			}
			// The file lists each kind's resources by logical name.
			sort.SliceStable(objs, func(i, j int) bool { return x.names[k][objs[i].ID] < x.names[k][objs[j].ID] })
			x.objs[k] = objs
		}
		x.out.Counts[k] = len(x.objs[k])
	}
	for _, ks := range x.kinds() { // the notes in stack-file order
		x.skipped = append(x.skipped, skipped[ks.Kind]...)
	}
	x.commonDefaults()
}

// pick lists the live objects of a kind that are exported, named objects
// first (so that they get the names they suggest), then by name and id;
// it adds a note on each object left out for a reason the user can act on.
func (x *exporter) pick(ks *provider.KindSpec, skipped map[spec.Kind][]string) []provider.Object {
	var objs []provider.Object
	for _, o := range x.scope(ks.Kind) {
		switch {
		case ks.Protected != nil && ks.Protected(o) != "":
			continue // the cloud's own: never created or deleted by a stack
		case ks.ExportSkip != nil && ks.ExportSkip(o, view{x.live}):
			continue // written as part of another object
		case ks.NameField != "" && o.Name == "":
			skipped[ks.Kind] = append(skipped[ks.Kind], fmt.Sprintf("left out: %s %s has no name, and idstack finds %s by name (name it, then export again)",
				ks.Singular, o.ID, ks.Kind))
			continue
		case ks.NameField != "" && !x.prefixed(o.Name):
			x.outside++ // another stack's, or no stack's
			continue
		case ks.NameField == "" && x.opts.Prefix != "":
			if why := x.unanchored(ks, o); why != "" {
				skipped[ks.Kind] = append(skipped[ks.Kind], why)
				continue
			}
		}
		objs = append(objs, o)
	}
	sort.SliceStable(objs, func(i, j int) bool {
		if (objs[i].Name == "") != (objs[j].Name == "") {
			return objs[j].Name == ""
		}
		if objs[i].Name != objs[j].Name {
			return objs[i].Name < objs[j].Name
		}
		return objs[i].ID < objs[j].ID
	})
	return objs
}

// anchor is the logical name of the exported object that an object of a
// nameless kind is anchored to, "" when there is none.
func (x *exporter) anchor(ks *provider.KindSpec, o provider.Object) string {
	if ks.ExportAnchor == nil {
		return ""
	}
	f := ks.Field(ks.ExportAnchor.Field)
	if f == nil || f.Ref == "" || f.Live == "" {
		return ""
	}
	return x.names[f.Ref][str(o.Attrs[f.Live])]
}

// unanchored says why an object of a nameless kind is left out under
// --prefix: it has no name to match, and its anchor is not exported.
func (x *exporter) unanchored(ks *provider.KindSpec, o provider.Object) string {
	if x.anchor(ks, o) != "" {
		return ""
	}
	var f *provider.Field
	if ks.ExportAnchor != nil {
		f = ks.Field(ks.ExportAnchor.Field)
	}
	if f == nil {
		return fmt.Sprintf("left out: %s %s has no name for --prefix to match", ks.Singular, o.ID)
	}
	return fmt.Sprintf("left out: %s %s is %s no exported %s, and a %s has no name for --prefix to match",
		ks.Singular, o.ID, ks.ExportAnchor.Relation, x.singular(f.Ref), ks.Singular)
}

// singular names one object of a kind in a note ("VM").
func (x *exporter) singular(k spec.Kind) string {
	if ks := x.live.Kind(k); ks != nil {
		return ks.Singular
	}
	return string(k)
}

// prefixed reports whether a live name is exported under --prefix.
func (x *exporter) prefixed(name string) bool {
	return x.opts.Prefix == "" || strings.HasPrefix(name, x.opts.Prefix)
}

// exportName is the logical name of an object whose live name gives none.
func exportName(ks *provider.KindSpec) string {
	if ks.ExportName != "" {
		return ks.ExportName
	}
	return ks.SchemaName
}

// baseName derives a logical name from a live one: the prefix dropped,
// letters, digits, _ and - kept, anything else turned into -. An object
// of a nameless kind is named after its anchor.
func (x *exporter) baseName(ks *provider.KindSpec, o provider.Object) string {
	if ks.NameField == "" {
		if a := x.anchor(ks, o); a != "" {
			if ks.ExportAnchor.Suffix == "" {
				return a
			}
			return a + "-" + ks.ExportAnchor.Suffix
		}
		return exportName(ks)
	}
	name := o.Name
	if x.opts.Prefix != "" && strings.HasPrefix(name, x.opts.Prefix) && len(name) > len(x.opts.Prefix) {
		name = name[len(x.opts.Prefix):]
	}
	if s := sanitize(name); s != "" {
		return s
	}
	return exportName(ks)
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

// defaultField is the field of a kind that a stack default of that name
// sets, nil when the kind has none (or ignores it).
func defaultField(ks *provider.KindSpec, name string) *provider.Field {
	f := ks.Field(name)
	if f == nil || f.Ignored != "" || f.ExportQuiet {
		return nil
	}
	return f
}

// commonDefaults finds, for each stack default, the value most exported
// resources have (the smallest of those tied).
func (x *exporter) commonDefaults() {
	x.common = map[string]any{}
	for _, sd := range x.live.Provider.StackDefaults {
		var values []any
		var counts []int
		for _, ks := range x.kinds() {
			f := defaultField(ks, sd.Name)
			if f == nil {
				continue
			}
			for _, o := range x.objs[ks.Kind] {
				v := x.liveValue(f, o)
				if v == nil {
					continue
				}
				i := slices.IndexFunc(values, func(w any) bool { return reflect.DeepEqual(v, w) })
				if i < 0 {
					values, counts, i = append(values, v), append(counts, 0), len(values)
				}
				counts[i]++
			}
		}
		best := -1
		for i := range values {
			if best < 0 || counts[i] > counts[best] || counts[i] == counts[best] && lessValue(values[i], values[best]) {
				best = i
			}
		}
		if best >= 0 {
			x.common[sd.Name] = values[best]
		}
	}
}

// lessValue orders values of one field: numbers by value, others as text.
func lessValue(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA && okB {
		return fa < fb
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
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
	if x.opts.Provider != "" {
		doc = append(yaml.MapSlice{{Key: "provider", Value: x.opts.Provider}}, doc...)
	}
	for _, sd := range x.live.Provider.StackDefaults {
		if v, ok := x.common[sd.Name]; ok {
			doc = append(doc, yaml.MapItem{Key: sd.Name, Value: v})
		}
	}
	if x.opts.Prefix != "" {
		doc = append(doc, yaml.MapItem{Key: "vars", Value: yaml.MapSlice{{Key: "prefix", Value: yaml.MapSlice{
			{Key: "type", Value: "string"}, {Key: "default", Value: x.opts.Prefix}}}}})
		x.comment("$.vars", "live names that start with the prefix are written ${var.prefix}…:",
			"another environment from this file: --var prefix=…")
	}
	total := 0
	for _, ks := range x.kinds() {
		total += len(x.objs[ks.Kind])
	}
	what := fmt.Sprintf("%d resources", total)
	if total == 1 {
		what = "1 resource"
	}
	cmd := "idstack export --location " + x.opts.Location
	if x.opts.Provider != "" {
		cmd = "idstack export --provider " + x.opts.Provider + " --location " + x.opts.Location
	}
	head := []string{}
	if x.opts.Prefix != "" {
		cmd += " --prefix " + x.opts.Prefix
		if x.outside > 0 {
			head = append(head, fmt.Sprintf("--prefix %s: left out %d objects whose names do not start with it", x.opts.Prefix, x.outside))
		}
	}
	x.comment("$", append(append([]string{fmt.Sprintf("Exported by `%s`: %s. Take them over with", cmd, what),
		"`idstack plan --adopt -f FILE` (it should show only adoptions), then `idstack apply --adopt`."}, head...), x.skipped...)...)
	for _, ks := range x.kinds() {
		k := ks.Kind
		if len(x.objs[k]) == 0 {
			continue
		}
		var body yaml.MapSlice
		for _, o := range x.objs[k] {
			logical := x.names[k][o.ID]
			r := &exportRes{path: "$." + string(k) + "." + logical}
			x.resource(ks, o, logical, r)
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

// leaveOut leaves a field out and ignores its changes, saying why.
func (r *exportRes) leaveOut(field, note string) {
	r.ignore = append(r.ignore, field)
	r.notes = append(r.notes, note)
}

// resource writes one live object's fields in the kind's field order:
// the name field as the live name, a sensitive field as an ${env.…}
// placeholder, a reference as the logical name of its target, any other
// field the API reports as its value unless that is the field's default
// (or the stack's). Its notes say, in that order, what was left out and
// why, which fields the API does not report, and which environment
// variables the secrets come from.
func (x *exporter) resource(ks *provider.KindSpec, o provider.Object, logical string, r *exportRes) {
	var unreported, secrets []string
	for _, f := range ks.Fields {
		why := ""
		if f.ExportCheck != nil {
			why = f.ExportCheck(o)
		}
		switch {
		case f.Ignored != "" || f.ExportQuiet:
		case f.Name == ks.NameField:
			r.set(f.Name, x.liveName(o.Name))
		case f.Sensitive:
			env := x.envName(ks, logical, f.Name)
			r.set(f.Name, "${env."+env+"}")
			secrets = append(secrets, fmt.Sprintf("%s: the API never shows it; set %s in the environment", f.Name, env))
		case why != "":
			r.leaveOut(f.Name, fmt.Sprintf("%s: %s: left out and ignored", f.Name, why))
		case f.Export != nil:
			x.setValue(r, f, exportValue(f, f.Export(o)))
		case f.Live == "":
			unreported = append(unreported, f.Name)
		case f.Ref != "" && f.IsList():
			x.refList(r, f, list(o.Attrs[f.Live]))
		case f.Ref != "":
			x.ref(r, ks, f, str(o.Attrs[f.Live]))
		default:
			x.setValue(r, f, x.liveValue(f, o))
		}
	}
	if len(unreported) > 0 {
		sort.Strings(unreported)
		r.notes = append(r.notes, "not reported by the API, left out: "+strings.Join(unreported, ", "))
	}
	r.notes = append(r.notes, secrets...)
}

// liveValue is the value of a field a live object reports, as the stack
// file writes it (nil: nothing to write).
func (x *exporter) liveValue(f *provider.Field, o provider.Object) any {
	if f.ExportFrom != "" {
		if v := exportValue(f, o.Attrs[f.ExportFrom]); v != nil {
			return v
		}
	}
	return exportValue(f, o.Attrs[f.Live])
}

// setValue writes a value unless it goes without saying: nothing, the
// field's default, or the stack's default at the top of the file.
func (x *exporter) setValue(r *exportRes, f *provider.Field, v any) {
	switch common, isStack := x.common[f.Name]; {
	case v == nil:
	case f.Default != nil && f.Default != provider.DefaultName && reflect.DeepEqual(v, exportValue(f, f.Default)):
	case isStack && reflect.DeepEqual(v, common):
	default:
		r.set(f.Name, v)
	}
}

// ref writes a reference field as the logical name of the exported
// target with that live id, or, when the target is not exported, leaves
// the field out and ignores its changes. A reference to what the field
// takes when the file leaves it out (a location's default network, which
// is never exported) is left out.
func (x *exporter) ref(r *exportRes, ks *provider.KindSpec, f *provider.Field, id string) {
	if id == "" {
		return
	}
	if ks.Implicit != nil {
		if v, _, ok := ks.Implicit(f.Name, x.opts.Location, view{x.live}); ok && str(v) == id {
			return
		}
	}
	if name := x.names[f.Ref][id]; name != "" {
		r.set(f.Name, name)
		return
	}
	what := x.singular(f.Ref) + " " + id
	why := "it is not exported"
	if !x.want[f.Ref] {
		why = string(f.Ref) + " are not exported (--kinds)"
	} else if o := x.live.Find(f.Ref, x.opts.Location, id); o != nil && o.Name != "" && !x.prefixed(o.Name) {
		what += fmt.Sprintf(" (%q)", o.Name)
		why = fmt.Sprintf("its name does not start with the prefix %q", x.opts.Prefix)
	}
	r.leaveOut(f.Name, fmt.Sprintf("%s: %s, but %s: left out and ignored", f.Name, what, why))
}

// refList writes a list of references as logical names; when one of the
// targets is not exported, the whole list is left out and ignored.
func (x *exporter) refList(r *exportRes, f *provider.Field, ids []any) {
	var names []any
	for _, id := range ids {
		name := x.names[f.Ref][str(id)]
		if name == "" {
			r.leaveOut(f.Name, fmt.Sprintf("%s: some %s are not exported %s: the list is left out and ignored", f.Name, f.Name, plural(x.singular(f.Ref))))
			return
		}
		names = append(names, name)
	}
	if len(names) > 0 {
		r.set(f.Name, names)
	}
}

// plural makes the plural of an English noun ("VM": "VMs").
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "sh"), strings.HasSuffix(s, "ch"):
		return s + "es"
	case len(s) > 1 && s[len(s)-1] == 'y' && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// envName is the environment variable of a sensitive field: the logical
// name and the field's, upper-case (WEB_PASSWORD), made unique.
func (x *exporter) envName(ks *provider.KindSpec, logical, field string) string {
	base := envWord(logical)
	if base == "" || base[0] >= '0' && base[0] <= '9' {
		base = envWord(exportName(ks)) + "_" + base
	}
	suffix := "_" + envWord(field)
	name := base + suffix
	for n := 2; x.envUsed[name]; n++ {
		name = fmt.Sprintf("%s_%d%s", base, n, suffix)
	}
	x.envUsed[name] = true
	x.out.EnvVars = append(x.out.EnvVars, name)
	return name
}

// envWord is a word upper-cased for an environment variable's name.
func envWord(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
