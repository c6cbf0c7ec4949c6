package spec

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// varDecl is one entry of vars: with the value it ends up with.
type varDecl struct {
	name      string
	typ       string // string, number or bool
	sensitive bool
	rng       Range // the declaring key
	val       any
	hasVal    bool
	// src is the string that gives the value when it holds ${…}: the
	// default or a var file's value (a copy: the document keeps the text).
	// It is interpolated on first use, with the same rules as the stack's
	// values; ${file.…} is relative to srcDir, the directory of its file.
	src          *node
	srcDir       string
	from         string // where the value comes from: "default", "value in F", "--var"
	state        varState
	failed       bool // resolving the value failed (and was reported)
	valSensitive bool // the value is a secret: declared sensitive, or made from one (${env.…}, a sensitive variable)
}

type varState uint8

const (
	varUnresolved varState = iota
	varResolving
	varResolved
)

// setValue sets a variable from a scalar of a file: a template is kept
// for later, anything else is converted to the variable's type (the
// error says what is allowed).
func (d *varDecl) setValue(n *node, dir, from string) string {
	d.from = from
	if n.isStr && strings.Contains(n.val.(string), "${") {
		c := *n
		d.src, d.srcDir, d.val, d.hasVal = &c, dir, nil, false
		return ""
	}
	val, err := convertVar(d.typ, n.val)
	if err != "" {
		return err
	}
	d.src, d.val, d.hasVal = nil, val, true
	return ""
}

type varSet struct {
	decls map[string]*varDecl
	order []string
}

func (vs *varSet) names() string {
	if len(vs.order) == 0 {
		return "no variables are declared; declare one under vars:"
	}
	return "declared: " + strings.Join(vs.order, ", ")
}

var varTypes = "allowed types: string, number, bool"

// parseVars reads the vars: block. Each entry is {type, default, sensitive,
// description} or a bare scalar, which is the default (its type inferred).
func parseVars(n *node, dir string, diags *Diagnostics) *varSet {
	vs := &varSet{decls: map[string]*varDecl{}}
	if n == nil {
		return vs
	}
	if n.kind != mapNode {
		if n.val != nil {
			diags.at(&n.rng, "/vars", "write vars: as a mapping, e.g. vars: {env: {type: string}}", "vars must be a mapping of name to declaration")
		}
		return vs
	}
	for _, e := range n.keys {
		d := &varDecl{name: e.key, rng: e.keyRng}
		if !isIdent(e.key, true) {
			diags.at(&e.keyRng, Pointer("vars", e.key), "a variable name is a letter or _, then letters, digits, _ or -", "invalid variable name %q", e.key)
			continue
		}
		vs.decls[e.key] = d
		vs.order = append(vs.order, e.key)
		v := e.val
		switch v.kind {
		case seqNode:
			diags.at(&v.rng, Pointer("vars", e.key), "a variable is a string, a number or a bool", "variable %s: a list is not allowed", e.key)
		case scalarNode: // short form: the default
			if v.val == nil {
				d.typ = "string"
				continue
			}
			d.typ = typeOf(v.val)
			d.setValue(v, dir, "default")
		case mapNode:
			parseVarDecl(d, v, dir, diags)
		}
	}
	return vs
}

func parseVarDecl(d *varDecl, v *node, dir string, diags *Diagnostics) {
	var def *entry
	for _, f := range v.keys {
		switch f.key {
		case "type":
			s, _ := f.val.val.(string)
			switch s {
			case "string", "number", "bool":
				d.typ = s
			default:
				diags.at(&f.val.rng, Pointer("vars", d.name, "type"), varTypes, "variable %s: unknown type %q", d.name, scalarText(f.val.val))
			}
		case "default":
			def = f
		case "sensitive":
			b, ok := f.val.val.(bool)
			if !ok {
				diags.at(&f.val.rng, Pointer("vars", d.name, "sensitive"), "allowed: true, false", "variable %s: sensitive must be a bool", d.name)
			}
			d.sensitive = b
		case "description":
			if _, ok := f.val.val.(string); !ok {
				diags.at(&f.val.rng, Pointer("vars", d.name, "description"), "", "variable %s: description must be a string", d.name)
			}
		default:
			diags.at(&f.keyRng, Pointer("vars", d.name, f.key), "allowed: type, default, sensitive, description"+DidYouMean(f.key, []string{"type", "default", "sensitive", "description"}), "unknown field %q in variable %s", f.key, d.name)
		}
	}
	if def == nil {
		if d.typ == "" {
			d.typ = "string"
		}
		return
	}
	if def.val.kind != scalarNode || def.val.val == nil {
		diags.at(&def.val.rng, Pointer("vars", d.name, "default"), "a default is a string, a number or a bool", "variable %s: invalid default", d.name)
		return
	}
	if d.typ == "" {
		d.typ = typeOf(def.val.val)
	}
	if err := d.setValue(def.val, dir, "default"); err != "" {
		diags.at(&def.val.rng, Pointer("vars", d.name, "default"), err, "variable %s: default %s is not a %s", d.name, scalarText(def.val.val), d.typ)
	}
}

func typeOf(v any) string {
	switch v.(type) {
	case int, float64:
		return "number"
	case bool:
		return "bool"
	}
	return "string"
}

// convertVar converts a value (a string from --var, or a YAML scalar) to the
// declared type. The error string says what is allowed.
func convertVar(typ string, v any) (any, string) {
	switch typ {
	case "number":
		switch x := v.(type) {
		case int, float64:
			return x, ""
		case string:
			s := strings.TrimSpace(x)
			if i, err := strconv.Atoi(s); err == nil {
				return i, ""
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
					return int(f), ""
				}
				return f, ""
			}
		}
		return nil, "allowed: a number, e.g. 2 or 1.5"
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, ""
			}
		}
		return nil, "allowed: true or false"
	default:
		if v == nil {
			return nil, "allowed: a string"
		}
		return scalarText(v), ""
	}
}

// applyVarFile sets variables from a YAML map file (later files win). Its
// values may use ${var.…}, ${env.…} and ${file.…} (relative to the var
// file), resolved like defaults.
func (vs *varSet) applyVarFile(name string, src []byte, diags *Diagnostics) {
	root, ds := parseYAML(name, src)
	*diags = append(*diags, ds...)
	if root == nil {
		return
	}
	if root.kind != mapNode {
		diags.Errorf(&root.rng, "a var file is a YAML mapping, e.g. env: staging", "%s is not a mapping", name)
		return
	}
	for _, e := range root.keys {
		d := vs.decls[e.key]
		if d == nil {
			*diags = append(*diags, Diagnostic{Severity: Warning, Range: &e.keyRng,
				Summary: fmt.Sprintf("variable %q is not declared in the stack file; ignored", e.key),
				Detail:  vs.names() + DidYouMean(e.key, vs.order)})
			continue
		}
		if e.val.kind != scalarNode || e.val.val == nil {
			diags.Errorf(&e.val.rng, "a variable is a string, a number or a bool", "variable %s: invalid value", e.key)
			continue
		}
		if err := d.setValue(e.val, filepath.Dir(name), "value in "+name); err != "" {
			diags.Errorf(&e.val.rng, err, "variable %s is a %s: %s is not", e.key, d.typ, scalarText(e.val.val))
		}
	}
}

// applyEnv sets variables from IDSTACK_VAR_<name> (the lowest source
// after the defaults). Undeclared names are not errors: the environment is
// shared by every stack a shell works on.
func (vs *varSet) applyEnv(vars map[string]string, diags *Diagnostics) {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := vs.decls[k]
		if d == nil {
			continue
		}
		v, err := convertVar(d.typ, vars[k])
		if err != "" {
			shown := vars[k]
			if d.sensitive {
				shown = "(sensitive)"
			}
			diags.Errorf(nil, err, "IDSTACK_VAR_%s=%s: variable %s is a %s", k, shown, k, d.typ)
			continue
		}
		d.val, d.hasVal, d.src, d.from = v, true, nil, "IDSTACK_VAR_"+k
	}
}

// applyCLI sets variables from --var K=V (these win over everything). As
// in Terraform, a --var value is taken as it is, never interpolated: the
// shell has expanded it already (--var pw="$DB_PW").
func (vs *varSet) applyCLI(vars map[string]string, diags *Diagnostics) {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := vs.decls[k]
		if d == nil {
			diags.Errorf(nil, vs.names()+DidYouMean(k, vs.order), "--var %s: no variable %q is declared in the stack file", k, k)
			continue
		}
		shown := vars[k]
		if d.sensitive {
			shown = "(sensitive)"
		}
		v, err := convertVar(d.typ, vars[k])
		if err != "" {
			diags.Errorf(nil, err, "--var %s=%s: variable %s is a %s", k, shown, k, d.typ)
			continue
		}
		d.val, d.hasVal, d.src, d.from = v, true, nil, "--var"
		if strings.Contains(vars[k], "${") {
			*diags = append(*diags, Diagnostic{Severity: Warning,
				Summary: fmt.Sprintf("--var %s=%s is taken as it is: --var values are not interpolated", k, shown),
				Detail:  fmt.Sprintf("let the shell expand the value (--var %s=\"$NAME\"), or write ${…} in the variable's default or in a --var-file", k)})
		}
	}
}

// at appends an error about the value at a JSON pointer, so the schema's
// report of the same value can be recognised as a duplicate.
func (ds *Diagnostics) at(r *Range, ptr, detail, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Summary: fmt.Sprintf(format, args...), Detail: detail, Range: r, Path: ptr})
}
