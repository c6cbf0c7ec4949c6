package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// evaluator resolves ${…} in the string scalars of a node tree, in place.
// The same rules hold in the stack's values and in the values of variables
// (defaults and var files); scope says where a string stands.
type evaluator struct {
	vars      *varSet
	opts      Options
	sources   map[string][]byte
	diags     *Diagnostics
	reported  map[string]bool // one error per missing var/env/file, at its first use
	resolving []*varDecl      // variables being resolved, outermost first
	kinds     []string        // the provider's kinds: ${KIND.NAME.ATTR}
}

// scope is where a string stands: the directory its ${file.…} paths are
// relative to (the directory of the file that contains it), and the
// variable whose value it is (nil in the stack's own values).
type scope struct {
	dir string
	v   *varDecl
}

func (ev *evaluator) walk(n *node, sc scope) {
	switch n.kind {
	case mapNode:
		for _, e := range n.keys {
			ev.walk(e.val, sc)
		}
	case seqNode:
		for _, it := range n.items {
			ev.walk(it, sc)
		}
	default:
		if n.isStr {
			ev.scalar(n, sc)
		}
	}
}

// scalar interpolates one string. A string that is exactly one ${var.X}
// takes the variable's type, so "vcpu: ${var.vcpu}" is a number. Where a
// ${…} cannot be resolved (the error is reported) the placeholder stays,
// so later checks skip the value instead of judging a half-built string,
// and n.unresolved says so.
func (ev *evaluator) scalar(n *node, sc scope) {
	s := n.val.(string)
	if !strings.Contains(s, "${") {
		return
	}
	parts, terr := parseTemplate(s, ev.kinds)
	if terr != nil {
		r := n.span(terr.off, terr.length)
		ev.diags.Errorf(&r, terr.detail, "%s", terr.summary)
		n.unresolved = true
		return
	}
	if len(parts) == 1 && parts[0].expr != nil && parts[0].expr.ns == "var" {
		if v, sens, ok := ev.varValue(n, parts[0].expr); ok {
			n.val, n.isStr = v, false
			n.sensitive = n.sensitive || sens
		} else {
			n.unresolved = true
		}
		return
	}
	var b strings.Builder
	for _, p := range parts {
		e := p.expr
		if e == nil {
			b.WriteString(p.lit)
			continue
		}
		var v string
		ok := true
		switch e.ns {
		case "var":
			var val any
			var sens bool
			if val, sens, ok = ev.varValue(n, e); ok {
				n.sensitive = n.sensitive || sens
				v = scalarText(val)
			}
		case "env":
			n.sensitive = true
			v, ok = ev.env(n, e)
		case "file":
			v, ok = ev.file(n, e, sc.dir)
		default: // ${KIND.NAME.ATTR}
			if sc.v != nil {
				ev.refInVar(n, e, sc.v)
				ok = false
				break
			}
			// Kept for the planner.
			n.refs = append(n.refs, Ref{Addr: Address{Kind: Kind(e.ns), Name: e.name}, Attr: e.attr})
			v = "${" + e.ns + "." + e.name + "." + e.attr + "}"
		}
		if !ok {
			n.unresolved = true
			v = "${" + e.raw + "}"
		}
		b.WriteString(v)
	}
	n.val = b.String()
}

func (ev *evaluator) once(key string) bool {
	if ev.reported[key] {
		return false
	}
	ev.reported[key] = true
	return true
}

func (ev *evaluator) varValue(n *node, e *tmplExpr) (any, bool, bool) {
	r := n.span(e.off, len(e.raw)+3)
	d := ev.vars.decls[e.name]
	if d == nil {
		if ev.once("var." + e.name) {
			ev.diags.Errorf(&r, "declare it under vars:, e.g. vars: {"+e.name+": {type: string}}\n"+ev.vars.names()+DidYouMean(e.name, ev.vars.order),
				"unknown variable %q in ${%s}", e.name, e.raw)
		}
		return nil, false, false
	}
	if !ev.resolve(d, &r) {
		return nil, false, false // reported where it failed
	}
	if !d.hasVal {
		if ev.once("var." + e.name) {
			ev.diags.Errorf(&r, fmt.Sprintf("set it with --var %s=…, in a --var-file or with IDSTACK_VAR_%s, or give it a default under vars:", e.name, e.name),
				"variable %q has no value", e.name)
		}
		return nil, false, false
	}
	return d.val, d.valSensitive, true
}

// refInVar: a variable's value is known before any resource exists, so it
// cannot read a resource's attribute.
func (ev *evaluator) refInVar(n *node, e *tmplExpr, d *varDecl) {
	r := n.span(e.off, len(e.raw)+3)
	ev.diags.Errorf(&r, "a variable's value is read before any resource exists; allowed in a variable's default and in a var file: ${var.NAME}, ${env.NAME}, ${file.PATH}; write ${"+e.ns+"."+e.name+"."+e.attr+"} in the resource's field itself",
		"${%s} cannot be used in the value of variable %s (%s)", strings.TrimSpace(e.raw), d.name, d.from)
}

// resolve gives a variable its value, interpolating its default or var
// file value on first use (rng is where it is used, for a cycle). It
// reports false when the value cannot be had; the reason is reported.
func (ev *evaluator) resolve(d *varDecl, rng *Range) bool {
	switch d.state {
	case varResolved:
		return !d.failed
	case varResolving:
		ev.cycle(d, rng)
		return false
	}
	d.valSensitive = d.sensitive
	if d.src == nil {
		d.state = varResolved
		return true
	}
	d.state = varResolving
	ev.resolving = append(ev.resolving, d)
	n := d.src
	ev.scalar(n, scope{dir: d.srcDir, v: d})
	ev.resolving = ev.resolving[:len(ev.resolving)-1]
	d.state = varResolved
	if d.failed || n.unresolved {
		d.failed = true
		return false
	}
	d.valSensitive = d.sensitive || n.sensitive
	val, err := convertVar(d.typ, n.val)
	if err != "" {
		shown := fmt.Sprintf("%q", scalarText(n.val))
		if d.valSensitive {
			shown = "(sensitive)"
		}
		ev.diags.Errorf(&n.rng, err, "variable %s is a %s: its %s gives %s", d.name, d.typ, d.from, shown)
		d.failed = true
		return false
	}
	d.val, d.hasVal = val, true
	return true
}

// cycle reports variables whose values refer to each other, at the use
// that closes the cycle, and fails them all.
func (ev *evaluator) cycle(d *varDecl, rng *Range) {
	i := len(ev.resolving) - 1
	for i > 0 && ev.resolving[i] != d {
		i--
	}
	names := []string{}
	for _, v := range ev.resolving[i:] {
		names = append(names, v.name)
		v.failed = true
	}
	names = append(names, d.name)
	detail := "a variable's default or var file value may use other variables, but not itself, directly or through others; give one of them a plain value"
	if len(names) == 2 {
		ev.diags.Errorf(rng, detail, "variable %s refers to itself (in its %s)", d.name, d.from)
		return
	}
	ev.diags.Errorf(rng, detail, "variables refer to each other in a cycle: %s", strings.Join(names, " → "))
}

func (ev *evaluator) env(n *node, e *tmplExpr) (string, bool) {
	v, ok := ev.opts.LookupEnv(e.name)
	if !ok {
		if ev.once("env." + e.name) {
			r := n.span(e.off, len(e.raw)+3)
			ev.diags.Errorf(&r, "set it in the environment before running idstack, e.g. export "+e.name+"=…",
				"environment variable %s is not set", e.name)
		}
	}
	return v, ok
}

// file reads ${file.PATH}: relative to dir (the directory of the file that
// holds it), "~/" is the home directory, and one trailing newline is
// dropped (keys end with one). The file is a regular file of at most
// MaxFileSize.
func (ev *evaluator) file(n *node, e *tmplExpr, dir string) (string, bool) {
	r := n.span(e.off, len(e.raw)+3)
	p := strings.TrimSpace(e.name)
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			if ev.once("file." + p) {
				ev.diags.Errorf(&r, "write the path without ~", "cannot expand ~ in %s: %v", p, err)
			}
			return "", false
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	} else if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := ev.opts.read(p, fileInput)
	if err != nil {
		if ev.once("file." + p) {
			detail := "a relative path is relative to the directory of the file that holds it (" + dir + ")"
			switch summary, allowed := readProblem(err, fileInput); {
			case errors.Is(err, fs.ErrNotExist):
				ev.diags.Errorf(&r, detail, "file %s does not exist (in ${%s})", p, e.raw)
			case allowed != "":
				ev.diags.Errorf(&r, allowed, "file %s (in ${%s})", summary, e.raw)
			default:
				ev.diags.Errorf(&r, detail, "cannot read %s: %v", p, err)
			}
		}
		return "", false
	}
	ev.sources[p] = data
	s := string(data)
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else {
		s = strings.TrimSuffix(s, "\n")
	}
	return s, true
}
