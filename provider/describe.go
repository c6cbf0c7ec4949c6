package provider

import (
	"fmt"
	"strings"
	"time"
)

// Description is what a provider tells the engine about its cloud, the way
// Terraform core reads a provider schema: its kinds, their fields, how each
// field changes, naming, readiness and the rules the API holds values to.
// The engine (spec, schema, planner, executor) knows a cloud only through
// it: the stack file's JSON schema is generated from it, the loader reads
// its references and secrets from it, the planner its change modes.
type Description struct {
	// Name is the provider's name in a stack file (provider: NAME).
	Name string
	// Title is one line about the cloud, for the schema.
	Title string
	// Kinds in the order a stack file lists them.
	Kinds []*KindSpec
	// StackDefaults are fields a stack file may set at its top level to
	// give every resource whose kind has a field of the same name its
	// default (idcloudhost's billing account). A resource's own value wins.
	StackDefaults []*Field
	// Location lists examples of location slugs, for the schema ("" when
	// the cloud has no locations to choose).
	Location string
}

// Kind returns the description of a kind (nil if the provider has none).
func (d *Description) Kind(k Kind) *KindSpec {
	if d == nil {
		return nil
	}
	for _, ks := range d.Kinds {
		if ks.Kind == k {
			return ks
		}
	}
	return nil
}

// KindNames lists the kinds' names in stack-file order.
func (d *Description) KindNames() []string {
	out := make([]string, len(d.Kinds))
	for i, ks := range d.Kinds {
		out[i] = string(ks.Kind)
	}
	return out
}

// StackDefault returns the stack-level default field of that name, if any.
func (d *Description) StackDefault(name string) *Field {
	for _, f := range d.StackDefaults {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// KindSpec describes one kind of resource.
type KindSpec struct {
	Kind Kind
	// Singular names one object in messages ("VM", "floating IP"); Plural
	// several, when adding "s" (or "es") to Singular would be wrong.
	Singular string
	Plural   string
	// Doc describes a resource of the kind and ListDoc the stack file's
	// section of them, for the schema; SchemaName names its definition
	// there ("vm").
	Doc        string
	ListDoc    string
	SchemaName string
	// Global kinds ignore locations (bucket names are global).
	Global bool
	// UniqueNames: a live name exists once in the whole cloud (two
	// resources of one name are an error, not a warning).
	UniqueNames bool
	// NameField is the field that holds the live name, found again by it
	// after a lost create; "" for a nameless kind, whose lost create is
	// found by MatchFields (and its creation time) instead.
	NameField   string
	MatchFields []string
	// Made reports whether a live object of a nameless kind is what a
	// create asked for (the MatchFields' values) and was made after since
	// (a lost create's intent).
	Made func(o Object, match map[string]any, since time.Time) bool
	// Adoptable lists the live objects of a location that a declaration
	// of a nameless kind could be (its values known before apply), so that
	// --adopt can take one over; nil when the values cannot tell.
	Adoptable func(values map[string]any, location string, live Live) []Object
	// Fields in schema order.
	Fields []*Field
	// Schema holds extra JSON-schema keywords for a resource of the kind
	// (cross-field rules the schema can say: if/then, anyOf).
	Schema map[string]any
	// ReadyField is the field whose desired value is the status the
	// object must reach after a create or a change (a VM's power), and
	// ReadyDefault that status when the field is not set. "" when objects
	// are ready as soon as the call returns.
	ReadyField   string
	ReadyDefault string
	// Power says that objects of the kind can be stopped and started as
	// they are (a VM's power switch): `idstack stop` and `idstack start`
	// act on them, and a hibernated stack keeps them stopped. nil: the
	// kind has no power switch.
	Power *Power
	// RestartNote is the plan's note on a change that restarts a running
	// object; ReplaceNote the note on a replacement (what is lost).
	RestartNote string
	ReplaceNote string
	// Check applies the rules a JSON schema cannot say to a resource as
	// written (cross-field rules, rules on derived values); values that
	// are not of their field's type are the schema's to report and must be
	// skipped. It names what is wrong and what is allowed.
	Check func(r Written) []Problem
	// Protected says why the API never deletes a live object (the default
	// network of a location), "" when it can be deleted: the engine stops
	// managing such an object instead of deleting it.
	Protected func(o Object) string
	// Reads are the kinds whose live objects Implicit reads in the same
	// location (a VM's default network): a refresh lists them too.
	Reads []Kind
	// Implicit gives the value a field takes when the file leaves it out
	// and it has no fixed default, from the live account (a VM's network:
	// the location's default network). send is false when nothing is to
	// be sent for it at create (the API picks the same default).
	Implicit func(field string, location string, live Live) (value any, send, ok bool)
	// Labels name, for plans, the values of the kind's fields that are ids
	// of the location's catalogue ({pool uuid: "General (default)"}), so a
	// plan shows what the file says or would say, not an id the user
	// never wrote. nil when there are none.
	Labels func(location string, live Live) map[string]string
	// Catalog checks the desired values against the location's catalogue
	// (OS images, host pools) and may replace values by their ids (a pool
	// name by its uuid). nil when the kind needs no catalogue.
	Catalog func(values map[string]any, cat any) ([]Problem, map[string]any)
	// CreateDeadline is how long after a create whose outcome is unknown
	// the object may still appear (default 2 minutes).
	CreateDeadline time.Duration
	// Price estimates what an object of the kind costs an hour from the
	// provider's price list (what its Pricer returned; pricing.go):
	// values are the object's field values by name (as it is live, or as
	// a plan leaves it), obj its live object (nil for one not made yet,
	// which has no usage). nil: the price list prices nothing of the kind
	// (no cost line).
	Price func(values map[string]any, obj *Object, prices any) Estimate

	// What `idstack export` needs beyond the fields (planner/export.go),
	// which writes every live object of the kind that Protected does not
	// keep and that has a name (named kinds) or an anchor (nameless ones).

	// ExportSkip reports whether a live object is part of another one and
	// written with it, not as a resource of its own (a VM's boot disk,
	// which is the VM's disk:). nil: none is.
	ExportSkip func(o Object, live Live) bool
	// ExportAnchor names the exported objects of a nameless kind after
	// the object a reference of theirs points at ("web-data"); nil: they
	// are all called ExportName (made unique), and --prefix, having no
	// name to match, leaves them all out.
	ExportAnchor *Anchor
	// ExportName is the logical name of an exported object whose live
	// name gives none (no letter or digit in it, or a nameless kind's
	// object without an anchor); "" means SchemaName. Upper-cased, it
	// also starts the environment variable of a secret when the logical
	// name cannot ("VM_1WEB_PASSWORD").
	ExportName string
}

// Power is a kind's power switch: the field that says whether an object
// runs (its ReadyField, whose desired value the object's Status reaches)
// and the field's two values.
type Power struct {
	Field   string
	Running string
	Stopped string
}

// PowerKinds are the kinds with a power switch, in stack-file order.
func (d *Description) PowerKinds() []*KindSpec {
	if d == nil {
		return nil
	}
	var out []*KindSpec
	for _, ks := range d.Kinds {
		if ks.Power != nil {
			out = append(out, ks)
		}
	}
	return out
}

// Anchor is how export names the objects of a nameless kind: after the
// exported object that the reference Field points at, with Suffix
// (logical name "web" gives "web-data"). With --prefix, an object whose
// target is not exported is left out, the note saying it is Relation no
// exported target ("disk d2 is attached to no exported VM").
type Anchor struct {
	Field    string
	Suffix   string
	Relation string
}

// Field returns the description of a field (nil if the kind has none).
func (ks *KindSpec) Field(name string) *Field {
	if ks == nil {
		return nil
	}
	for _, f := range ks.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// FieldNames lists the fields in schema order.
func (ks *KindSpec) FieldNames() []string {
	out := make([]string, len(ks.Fields))
	for i, f := range ks.Fields {
		out[i] = f.Name
	}
	return out
}

// Deadline is the kind's create deadline.
func (ks *KindSpec) Deadline() time.Duration {
	if ks == nil || ks.CreateDeadline <= 0 {
		return 2 * time.Minute
	}
	return ks.CreateDeadline
}

// Type is a field's JSON type.
type Type string

// Field types.
const (
	StringType  Type = "string"
	IntegerType Type = "integer"
	NumberType  Type = "number"
	BooleanType Type = "boolean"
	ObjectType  Type = "object"
	ListType    Type = "array"
	AnyType     Type = "" // any JSON value the Enum or Schema keywords allow
)

// Change is how a change of a field reaches the live object (SPEC §2),
// weakest first: a plan takes the strongest among its changes.
type Change int

// Changes.
const (
	InPlace   Change = iota // one API call on the live object
	Restart                 // stop, change, start again
	Reinstall               // rewritten in place from an image: data loss
	Replace                 // create a new object, delete the old one
)

func (c Change) String() string {
	switch c {
	case InPlace:
		return "in-place"
	case Restart:
		return "restart"
	case Reinstall:
		return "reinstall"
	case Replace:
		return "replace"
	}
	return fmt.Sprintf("change(%d)", int(c))
}

// DefaultName as a Field's Default stands for the resource's logical name.
const DefaultName = "\x00logical-name"

// Field describes one field of a kind (or of an object field).
type Field struct {
	Name string
	Doc  string
	Type Type
	// Required in a stack file.
	Required bool
	// Default applies when the file leaves the field out (DefaultName:
	// the logical name); nil means "not managed unless set".
	Default any
	// JSON-schema constraints.
	Enum                 []any
	Min, Max             *float64
	MinLength, MaxLength int
	Pattern              string
	// Items describes a list's items; Fields an object's properties (in
	// order), RequiredFields those it must have. Open objects (cloud-init)
	// have no Fields.
	Items          *Field
	Fields         []*Field
	RequiredFields []string
	// Schema holds extra JSON-schema keywords, or a whole definition
	// ("$ref" of a shared one) when the field is not described further.
	Schema map[string]any
	// Sensitive: never shown or stored in clear, whatever its source.
	Sensitive bool
	// Live is the attribute of a live Object that reports the field; ""
	// when the API does not report it (the state's last applied value is
	// its "before" then).
	Live string
	// Ref is the kind a reference names: the value (or each item of a
	// list) is a logical name of that kind, resolved to its live id.
	// RefUUIDOK: a live id (uuid) may stand instead. In an object field,
	// RefTo names the key that receives the id ("" for this key itself).
	Ref       Kind
	RefUUIDOK bool
	RefTo     string
	// NotYet, on a property that names a resource and is replaced by its
	// id in place (RefTo ""), says why a resource this plan creates cannot
	// be named yet ("a new VM has no snapshot or backup to clone from").
	NotYet string
	// Keys: a list of objects is compared as a set of items identified by
	// these keys (the live side may carry more, such as a rule's uuid).
	Keys []string
	// Change is how a change reaches the live object; NoShrink refuses a
	// decrease at plan time, ShrinkWhy saying why and what to do (a format
	// of the field's name and its current value).
	Change    Change
	NoShrink  bool
	ShrinkWhy string
	// For a Reinstall: ChangeReason says what the change does ("changes
	// the operating system"), Destructive what it destroys, UndoNote what
	// a rollback of it cannot bring back.
	ChangeReason string
	Destructive  string
	UndoNote     string
	// CreateNote is a plan's note on a create with this value ("" none);
	// ChangeNote a plan's note on a change from one value to another (a
	// power switch's consequences).
	CreateNote func(value any) string
	ChangeNote func(before, after any) string
	// RequiredWhy says why a Required field is needed; validate then
	// reports a missing one with this reason (and, for a field the stack
	// may give a default for, where to set that) rather than as a bare
	// schema error.
	RequiredWhy string
	// UniqueItems: a list's items are distinct.
	UniqueItems bool
	// Ignored says why a field a stack file may set (for the sake of one
	// rule for every resource, such as a billing account) has no effect on
	// this kind: it is neither sent nor compared, and setting it on the
	// resource draws a warning.
	Ignored string

	// How `idstack export` writes the field from a live object
	// (planner/export.go). By default a field with Live is written from
	// that attribute (a reference as the logical name of its exported
	// target), a Sensitive one as an ${env.…} placeholder, and any other
	// is listed in a note as not reported by the API.

	// ExportFrom is an attribute that reports the value as a stack file
	// writes it better than Live does (a VM's pool by name rather than
	// uuid); when a live object lacks it, Live's is written.
	ExportFrom string
	// Export gives the value a stack file writes for a field that the API
	// reports in other terms (a disk's source, from its source type and
	// image), nil when it cannot tell (the field is left out). An object
	// value is a map[string]any; export orders its keys as Fields does.
	Export func(o Object) any
	// ExportCheck says why a live value cannot be written ("assigned to a
	// load_balancer (lb1), which a stack file cannot name"), "" when it
	// can: the field is then left out and ignored
	// (lifecycle.ignore_changes), with a note saying why.
	ExportCheck func(o Object) string
	// ExportQuiet: the field is an instruction for a create, not a
	// property of the object (clone_from): export never writes it nor
	// lists it as not reported.
	ExportQuiet bool
}

// Sub returns the description of a property of an object field.
func (f *Field) Sub(name string) *Field {
	for _, s := range f.Fields {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// UndoNoteOrEmpty is the field's UndoNote ("" for no field).
func (f *Field) UndoNoteOrEmpty() string {
	if f == nil {
		return ""
	}
	return f.UndoNote
}

// IsList reports whether the field holds a list.
func (f *Field) IsList() bool { return f.Type == ListType }

// Written is a resource as the stack file writes it, for KindSpec.Check:
// its address and logical name, the values of its fields that are known
// (interpolated; a value that holds a reference or an unresolved variable
// is left out: it cannot be judged yet), and which fields are set at all.
// The maps are the caller's, valid during the Check call only: the engine
// reuses them for the next resource.
type Written struct {
	Address string
	Name    string
	Values  map[string]any
	Set     map[string]bool
}

// LiveName is the live name a resource gets from its name field: the
// field's value, or the logical name when it is not set; ok is false when
// it is set but not known yet.
func (w Written) LiveName(field string) (string, bool) {
	if v, ok := w.Values[field]; ok {
		s, isStr := v.(string)
		return s, isStr
	}
	if w.Set[field] {
		return "", false
	}
	return w.Name, true
}

// Problem is a rule broken by a value: the field (a path such as
// "cloud_init.users"; reported at the resource when the field is not
// set), what is wrong and what is allowed. Key reports it at the key of
// the field rather than at its value. Value and Choices, when set, let the
// engine add a "did you mean" (a name not in a catalogue).
type Problem struct {
	Field   string
	Key     bool
	Summary string
	Allowed string
	Value   string
	Choices []string
}

// Live is what a refresh saw, for KindSpec.Implicit.
type Live interface {
	// Objects returns the live objects of a kind in a location.
	Objects(kind Kind, location string) []Object
	// Catalog returns the catalogue of a location (nil if not read).
	Catalog(location string) any
}

// Describer is implemented by providers: the description of their kinds.
type Describer interface {
	Describe() *Description
}

// Count says n objects of the kind in words: "1 disk", "2 floating IPs".
func (k *KindSpec) Count(n int) string {
	if n == 1 {
		return "1 " + k.Singular
	}
	p := k.Plural
	switch {
	case p != "":
	case strings.HasSuffix(k.Singular, "s") || strings.HasSuffix(k.Singular, "x") || strings.HasSuffix(k.Singular, "sh") || strings.HasSuffix(k.Singular, "ch"):
		p = k.Singular + "es"
	default:
		p = k.Singular + "s"
	}
	return fmt.Sprintf("%d %s", n, p)
}
