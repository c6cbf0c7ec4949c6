package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/idstack/idstack/spec"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Validate checks s.Doc against the schema and turns every leaf error into
// a diagnostic placed by s.Ranges, saying what is allowed.
func Validate(s *spec.Stack) spec.Diagnostics {
	if s == nil {
		return nil
	}
	var doc any = s.Doc
	if s.Doc == nil {
		doc = map[string]any{}
	}
	if fast := fastCheck(s.Provider); fast != nil && fast(doc) {
		return nil // valid: the library is neither compiled nor run (fast.go)
	}
	c, err := load(s.Provider)
	if err != nil {
		var ds spec.Diagnostics
		ds.Errorf(nil, "this is a bug in idstack or its provider", "the JSON schema of provider %s does not compile: %v", s.Provider.Name, err)
		return ds
	}
	err = validateSafely(c.schema, doc)
	if err == nil {
		return nil
	}
	v := &validator{c: c, s: s, seen: map[string]bool{}}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		v.diags.Errorf(nil, "", "cannot validate the stack file: %v", err)
		return v.diags
	}
	v.walk(ve)
	return v.diags
}

// validateSafely turns a panic of the validator (it has had some on odd
// numbers) into an error instead of a crash.
func validateSafely(sch *jsonschema.Schema, doc any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return sch.Validate(doc)
}

type validator struct {
	c     *compiled
	s     *spec.Stack
	diags spec.Diagnostics
	seen  map[string]bool
}

func (v *validator) add(inst, path string, rng *spec.Range, detail, format string, args ...any) {
	summary := fmt.Sprintf(format, args...)
	if key := path + "\x00" + summary; !v.seen[key] {
		v.seen[key] = true
		v.diags = append(v.diags, spec.Diagnostic{Severity: spec.Error, Summary: summary, Detail: detail, Range: rng, Path: path})
	}
}

func (v *validator) walk(ve *jsonschema.ValidationError) {
	if len(ve.Causes) == 0 {
		v.leaf(ve)
		return
	}
	if kw := lastSegment(fragment(ve.AbsoluteKeywordLocation)); kw == "anyOf" || kw == "oneOf" {
		if v.alternatives(ve) {
			return
		}
	}
	for _, c := range ve.Causes {
		v.walk(c)
	}
}

// alternatives reports an anyOf whose branches each ask for one field
// ("ref or uuid") as one diagnostic.
func (v *validator) alternatives(ve *jsonschema.ValidationError) bool {
	var fields []string
	for _, c := range ve.Causes {
		frag := fragment(c.AbsoluteKeywordLocation)
		if len(c.Causes) > 0 || lastSegment(frag) != "required" {
			return false
		}
		req, _ := v.c.node(parentPointer(frag))["required"].([]any)
		for _, r := range req {
			fields = append(fields, fmt.Sprint(r))
		}
	}
	inst := ve.InstanceLocation
	v.add(inst, inst, v.keyRange(inst), "allowed: set one of "+strings.Join(fields, ", "),
		"%s: needs one of %s", v.label(inst), strings.Join(fields, ", "))
	return true
}

func (v *validator) leaf(ve *jsonschema.ValidationError) {
	frag := fragment(ve.AbsoluteKeywordLocation)
	kw := lastSegment(frag)
	sch := v.c.node(parentPointer(frag))
	inst := ve.InstanceLocation
	val, _ := v.s.At(inst)
	label := v.label(inst)
	if strings.Contains(frag, "/propertyNames") { // the error is about a key
		v.add(inst, inst, v.keyRange(inst), describe(sch), "%s: invalid name: %s", label, ve.Message)
		return
	}
	switch kw {
	case "additionalProperties":
		v.unknownFields(inst, parentPointer(frag), sch, val)
	case "required":
		v.missing(inst, sch, val)
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		v.outOfRange(inst, kw, sch, val)
	case "type":
		v.wrongType(inst, sch, val)
	case "enum":
		allowed := enumList(sch["enum"])
		v.add(inst, inst, v.rangeOf(inst), "allowed: "+strings.Join(allowed, ", ")+spec.DidYouMean(fmt.Sprint(val), allowed),
			"%s: %s is not allowed", label, v.show(inst, val))
	case "minLength":
		if s, ok := val.(string); ok && s == "" {
			v.add(inst, inst, v.rangeOf(inst), describe(sch), "%s must not be empty", label)
			return
		}
		v.add(inst, inst, v.rangeOf(inst), describe(sch), "%s: %s", label, ve.Message)
	case "maxLength":
		v.add(inst, inst, v.rangeOf(inst), describe(sch), "%s is longer than %v characters", label, sch["maxLength"])
	case "pattern":
		v.add(inst, inst, v.rangeOf(inst), describe(sch), "%s: %s is not in the allowed form", label, v.show(inst, val))
	default:
		v.add(inst, inst, v.rangeOf(inst), describe(sch), "%s: %s", label, ve.Message)
	}
}

func (v *validator) unknownFields(inst, schPtr string, sch map[string]any, val any) {
	obj, ok := val.(map[string]any)
	if !ok {
		return
	}
	allowed := v.c.order[schPtr]
	known := map[string]bool{}
	for _, a := range allowed {
		known[a] = true
	}
	var unknown []string
	for k := range obj {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		p := inst + "/" + escape(k)
		v.add(p, p, v.keyRange(p), "allowed: "+strings.Join(allowed, ", ")+spec.DidYouMean(k, allowed),
			"unknown field %q in %s", k, v.where(inst))
	}
}

func (v *validator) missing(inst string, sch map[string]any, val any) {
	obj, _ := val.(map[string]any)
	req, _ := sch["required"].([]any)
	var missing []string
	for _, r := range req {
		if _, ok := obj[fmt.Sprint(r)]; !ok {
			missing = append(missing, fmt.Sprint(r))
		}
	}
	if len(missing) == 0 {
		return
	}
	word := "field"
	if len(missing) > 1 {
		word = "fields"
	}
	v.add(inst, inst, v.keyRange(inst), "required: "+strings.Join(enumList(req), ", "),
		"%s: missing required %s %s", v.where(inst), word, strings.Join(missing, ", "))
}

func (v *validator) outOfRange(inst, kw string, sch map[string]any, val any) {
	lo, hasLo := sch["minimum"].(float64)
	hi, hasHi := sch["maximum"].(float64)
	var allowed string
	switch {
	case hasLo && hasHi:
		allowed = fmt.Sprintf("allowed: %s–%s", num(lo), num(hi))
	case hasLo:
		allowed = fmt.Sprintf("allowed: %s or more", num(lo))
	case hasHi:
		allowed = fmt.Sprintf("allowed: %s or less", num(hi))
	}
	if d, _ := sch["description"].(string); d != "" {
		allowed += "\n" + d
	}
	bound := fmt.Sprint(sch[kw])
	if f, ok := sch[kw].(float64); ok {
		bound = num(f)
	}
	rel := "less than"
	if kw == "maximum" || kw == "exclusiveMaximum" {
		rel = "more than"
	}
	v.add(inst, inst, v.rangeOf(inst), allowed, "%s: %s is %s %s", v.label(inst), v.show(inst, val), rel, bound)
}

func (v *validator) wrongType(inst string, sch map[string]any, val any) {
	var want []string
	switch t := sch["type"].(type) {
	case string:
		want = []string{t}
	case []any:
		want = enumList(t)
	}
	phrases := make([]string, len(want))
	for i, w := range want {
		phrases[i] = typePhrase(w)
	}
	detail := "allowed: " + strings.Join(phrases, " or ")
	if lo, ok := sch["minimum"].(float64); ok {
		if hi, ok := sch["maximum"].(float64); ok {
			detail += fmt.Sprintf(", %s–%s", num(lo), num(hi))
		}
	}
	if _, isNum := val.(float64); isNum || isInt(val) {
		if len(want) == 1 && want[0] == "string" {
			detail += fmt.Sprintf("; write it in quotes, e.g. \"%v\"", val)
		}
	}
	if d := describe(sch); d != "" {
		detail += "\n" + d
	}
	v.add(inst, inst, v.rangeOf(inst), detail, "%s: expected %s, got %s", v.label(inst), strings.Join(phrases, " or "), v.gotPhrase(inst, val))
}

// rangeOf is where the value at inst stands (or its nearest parent's).
func (v *validator) rangeOf(inst string) *spec.Range {
	for p := inst; ; p = parentPointer(p) {
		if r, ok := v.s.Ranges.Get(p); ok {
			return &r
		}
		if p == "" {
			return nil
		}
	}
}

// keyRange is where the key of the value at inst stands, for errors about
// the field itself (unknown, missing fields inside it).
func (v *validator) keyRange(inst string) *spec.Range {
	if r, ok := v.s.Ranges.Get(spec.KeyPointer(inst)); ok {
		return &r
	}
	if inst == "" {
		if r, ok := v.s.Ranges.Get(""); ok && r.Filename != "" {
			return &r
		}
		return &spec.Range{Filename: v.s.Filename, Start: spec.Pos{Line: 1, Col: 1}, End: spec.Pos{Line: 1, Col: 1}}
	}
	return v.rangeOf(inst)
}

func (v *validator) isKind(s string) bool { return v.s.Provider.Kind(spec.Kind(s)) != nil }

func describe(sch map[string]any) string {
	d, _ := sch["description"].(string)
	return d
}
