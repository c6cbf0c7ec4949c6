package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/idstack/idstack/provider"
)

// Generate writes the JSON schema (draft-07) of a provider's stack files
// from its description: the engine's own keys (stack, location, vars,
// backend, lifecycle…), the provider's stack defaults, and a definition per
// kind built from its fields. Keys keep the description's order, which is
// the order diagnostics list allowed fields in. It is the schema validate
// holds an interpolated file to.
func Generate(d *provider.Description) []byte { return generate(d, false) }

// GenerateForEditors is the schema for editors (what `idstack schema`
// prints): an editor sees the file before interpolation, so wherever a
// scalar has a type, a pattern or a list of values, a string holding a
// ${…} is accepted too (vcpu: ${var.web_vcpu} is right, not "Incorrect
// type").
func GenerateForEditors(d *provider.Description) []byte { return generate(d, true) }

func generate(d *provider.Description, editor bool) []byte {
	field := func(f *provider.Field) obj { return fieldSchema(f, editor) }
	defs := obj{
		{"var", varDef},
		{"lifecycle", lifecycleDef},
	}
	if d.Location != "" {
		defs = append(defs, kv{"location", obj{
			{"description", fmt.Sprintf("Location slug of this resource (%s); overrides the stack's location. Changing it replaces the resource.", d.Location)},
			{"type", "string"}, {"minLength", 1},
		}})
	}
	top := obj{
		{"$schema", obj{{"description", "The JSON schema of this file, for editors (printed by `idstack schema`)."}, {"type", "string"}}},
		{"provider", obj{{"description", "The cloud of this stack: " + d.Name + " (the default when the file names none)."}, {"enum", []any{d.Name}}}},
		{"stack", obj{{"description", "The stack name: it names the state (.idstack/<stack>.state.json). May use variables, e.g. shop-${var.env}."}, {"type", "string"}, {"minLength", 1}}},
	}
	if d.Location != "" {
		top = append(top, kv{"location", obj{
			{"description", fmt.Sprintf("Default location slug of every resource (%s). Without it, the account's default location.", d.Location)},
			{"type", "string"}, {"minLength", 1},
		}})
	}
	for _, f := range d.StackDefaults {
		top = append(top, kv{f.Name, field(f)})
	}
	top = append(top,
		kv{"adopt", obj{{"description", "Take over live resources that have a planned name but are not in the state, instead of reporting a conflict (like --adopt)."}, {"type", "boolean"}}},
		kv{"vars", obj{
			{"description", "Template variables, used as ${var.NAME}. Each is {type, default, sensitive, description}, or just a default value."},
			{"type", "object"},
			{"propertyNames", obj{{"pattern", "^[A-Za-z_][A-Za-z0-9_-]*$"}}},
			{"additionalProperties", ref("var")},
		}},
		kv{"backend", backendDef},
	)
	for _, ks := range d.Kinds {
		top = append(top, kv{string(ks.Kind), obj{
			{"description", ks.ListDoc},
			{"type", "object"},
			{"additionalProperties", ref(ks.SchemaName)},
		}})
		defs = append(defs, kv{ks.SchemaName, kindDef(d, ks, editor)})
	}
	doc := obj{
		{"$schema", "http://json-schema.org/draft-07/schema#"},
		{"$id", schemaURL},
		{"title", "idstack stack file"},
		{"description", "An idstack stack file: " + d.Title + ", the variables that template them and the stack's defaults."},
		{"type", "object"},
		{"additionalProperties", false},
		{"required", []any{"stack"}},
		{"properties", top},
		{"$defs", defs},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err) // plain values only: cannot fail
	}
	return buf.Bytes()
}

// kindDef is the definition of one resource of a kind: its fields, then
// the engine's location (not on global kinds), then the fields the stack
// gives defaults for, then lifecycle.
func kindDef(d *provider.Description, ks *provider.KindSpec, editor bool) obj {
	field := func(f *provider.Field) obj { return fieldSchema(f, editor) }
	var props obj
	var required []any
	var defaults []*provider.Field
	for _, f := range ks.Fields {
		if f.Required && f.RequiredWhy == "" {
			required = append(required, f.Name)
		}
		if d.StackDefault(f.Name) != nil {
			defaults = append(defaults, f)
			continue
		}
		props = append(props, kv{f.Name, field(f)})
	}
	if !ks.Global && d.Location != "" {
		props = append(props, kv{"location", ref("location")})
	}
	for _, f := range defaults {
		props = append(props, kv{f.Name, field(f)})
	}
	props = append(props, kv{"lifecycle", ref("lifecycle")})
	def := obj{{"description", ks.Doc}, {"type", "object"}, {"additionalProperties", false}}
	if len(required) > 0 {
		def = append(def, kv{"required", required})
	}
	def = append(def, kv{"properties", props})
	return append(def, extra(ks.Schema)...)
}

// interpolation is a string that holds a ${…}: what an editor sees where
// the value comes from a variable, the environment or a file.
var interpolation = obj{{"type", "string"}, {"pattern", `\$\{[^}]+\}`}}

// fieldSchema is the schema of one field from its description; for
// editors, a scalar that a ${…} can stand for accepts one.
func fieldSchema(f *provider.Field, editor bool) obj {
	o := strictField(f, editor)
	if !editor || !interpolable(f) {
		return o
	}
	// The description stays outside, where editors show it on hover.
	out := obj{}
	if len(o) > 0 && o[0].k == "description" {
		out, o = obj{o[0]}, o[1:]
	}
	return append(out, kv{"anyOf", []any{o, interpolation}})
}

// interpolable: a scalar whose constraints a ${…} string would break.
func interpolable(f *provider.Field) bool {
	switch f.Type {
	case provider.IntegerType, provider.NumberType, provider.BooleanType:
		return true
	case provider.StringType, provider.AnyType:
		return len(f.Enum) > 0 || f.Pattern != ""
	}
	return false
}

func strictField(f *provider.Field, editor bool) obj {
	field := func(f *provider.Field) obj { return fieldSchema(f, editor) }
	var o obj
	if f.Doc != "" {
		o = append(o, kv{"description", f.Doc})
	}
	if f.Type != provider.AnyType {
		o = append(o, kv{"type", string(f.Type)})
	}
	if len(f.Enum) > 0 {
		o = append(o, kv{"enum", f.Enum})
	}
	if f.Min != nil {
		o = append(o, kv{"minimum", number(*f.Min)})
	}
	if f.Max != nil {
		o = append(o, kv{"maximum", number(*f.Max)})
	}
	if f.MinLength > 0 {
		o = append(o, kv{"minLength", f.MinLength})
	}
	if f.MaxLength > 0 {
		o = append(o, kv{"maxLength", f.MaxLength})
	}
	if f.Pattern != "" {
		o = append(o, kv{"pattern", f.Pattern})
	}
	if f.Type == provider.ObjectType && len(f.Fields) > 0 {
		o = append(o, kv{"additionalProperties", false})
		if len(f.RequiredFields) > 0 {
			req := make([]any, len(f.RequiredFields))
			for i, r := range f.RequiredFields {
				req[i] = r
			}
			o = append(o, kv{"required", req})
		}
		var props obj
		for _, s := range f.Fields {
			props = append(props, kv{s.Name, field(s)})
		}
		o = append(o, kv{"properties", props})
	}
	if f.UniqueItems {
		o = append(o, kv{"uniqueItems", true})
	}
	if f.Items != nil {
		o = append(o, kv{"items", field(f.Items)})
	}
	return append(o, extra(f.Schema)...)
}

// number writes a whole bound as an integer (1, not 1.0).
func number(f float64) any {
	if f == float64(int64(f)) {
		return int64(f)
	}
	return f
}

// extra appends a description's own keywords in a stable order.
func extra(m map[string]any) obj {
	var o obj
	for _, k := range sortedKeys(m) {
		o = append(o, kv{k, m[k]})
	}
	return o
}

func ref(def string) obj { return obj{{"$ref", "#/$defs/" + def}} }

// The engine's own definitions.
var (
	varDef = obj{
		{"description", "A variable: {type, default, sensitive, description}, or a bare default value (its type inferred)."},
		{"type", []any{"object", "string", "number", "boolean", "null"}},
		{"additionalProperties", false},
		{"properties", obj{
			{"type", obj{{"description", "The variable's type: --var values are converted to it."}, {"enum", []any{"string", "number", "bool"}}}},
			{"default", obj{
				{"description", "The value when neither --var nor --var-file sets one. Without a default, a value must be given. It may use ${var.NAME}, ${env.NAME} (the variable is then sensitive) and ${file.PATH}, not a resource's attribute."},
				{"type", []any{"string", "number", "boolean"}},
			}},
			{"sensitive", obj{{"description", "Values from this variable are secrets: never printed nor stored in clear."}, {"type", "boolean"}}},
			{"description", obj{{"description", "What the variable is for."}, {"type", "string"}}},
		}},
	}
	lifecycleDef = obj{
		{"description", "How idstack treats this resource's changes."},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", obj{
			{"prevent_destroy", obj{{"description", "Refuse any plan that deletes or replaces this resource."}, {"type", "boolean"}}},
			{"ignore_changes", obj{
				{"description", "Fields whose drift and changes are ignored after creation (names of this kind's fields)."},
				{"type", "array"}, {"uniqueItems", true}, {"items", obj{{"type", "string"}}},
			}},
		}},
	}
	backendDef = obj{
		{"description", "Where the state is kept. Without it, .idstack/ beside the stack file."},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", obj{
			{"s3", obj{
				{"description", "Keep the state in the cloud's S3 object storage (for CI, where nothing local survives)."},
				{"type", "object"},
				{"additionalProperties", false},
				{"required", []any{"bucket"}},
				{"properties", obj{
					{"bucket", obj{{"description", "The bucket that holds the state."}, {"type", "string"}, {"minLength", 1}}},
					{"key", obj{{"description", "The object key of the state, e.g. shop/staging.state.json (default: <stack>.state.json)."}, {"type", "string"}, {"minLength", 1}}},
				}},
			}},
		}},
	}
)

// obj is a JSON object that keeps its keys' order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := marshal(e.v)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
