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
type evaluator struct {
	vars      *varSet
	dir       string
	opts      Options
	sources   map[string][]byte
	diags     *Diagnostics
	reported  map[string]bool // one error per missing var/env/file, at its first use
}

func (ev *evaluator) walk(n *node) {
	switch n.kind {
	case mapNode:
		for _, e := range n.keys {
			ev.walk(e.val)
		}
	case seqNode:
		for _, it := range n.items {
			ev.walk(it)
		}
	default:
		if n.isStr {
			ev.scalar(n)
		}
	}
}

// scalar interpolates one string. A string that is exactly one ${var.X}
// takes the variable's type, so "vcpu: ${var.vcpu}" is a number.
func (ev *evaluator) scalar(n *node) {
	s := n.val.(string)
	if !strings.Contains(s, "${") {
		return
	}
	parts, terr := parseTemplate(s)
	if terr != nil {
		r := n.span(terr.off, terr.length)
		ev.diags.Errorf(&r, terr.detail, "%s", terr.summary)
		return
	}
	if len(parts) == 1 && parts[0].expr != nil && parts[0].expr.ns == "var" {
		if v, sens, ok := ev.varValue(n, parts[0].expr); ok {
			n.val, n.isStr = v, false
			n.sensitive = n.sensitive || sens
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
		switch e.ns {
		// On failure the placeholder stays, so later checks skip the
		// value instead of judging a half-built string.
		case "var":
			v, sens, ok := ev.varValue(n, e)
			if !ok {
				b.WriteString("${" + e.raw + "}")
				continue
			}
			n.sensitive = n.sensitive || sens
			b.WriteString(scalarText(v))
		case "env":
			n.sensitive = true
			if v, ok := ev.env(n, e); ok {
				b.WriteString(v)
			} else {
				b.WriteString("${" + e.raw + "}")
			}
		case "file":
			if v, ok := ev.file(n, e); ok {
				b.WriteString(v)
			} else {
				b.WriteString("${" + e.raw + "}")
			}
		default: // ${KIND.NAME.ATTR}: kept for the planner
			n.refs = append(n.refs, Ref{Addr: Address{Kind: Kind(e.ns), Name: e.name}, Attr: e.attr})
			b.WriteString("${" + e.ns + "." + e.name + "." + e.attr + "}")
		}
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
			ev.diags.Errorf(&r, "declare it under vars:, e.g. vars: {"+e.name+": {type: string}}\n"+ev.vars.names()+suggest(e.name, ev.vars.order),
				"unknown variable %q in ${%s}", e.name, e.raw)
		}
		return nil, false, false
	}
	if !d.hasVal {
		if ev.once("var." + e.name) {
			ev.diags.Errorf(&r, fmt.Sprintf("set it with --var %s=… or in a --var-file, or give it a default under vars:", e.name),
				"variable %q has no value", e.name)
		}
		return nil, false, false
	}
	return d.val, d.sensitive, true
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

// file reads ${file.PATH}: relative to the stack file, "~/" is the home
// directory, and one trailing newline is dropped (keys end with one). The
// file is a regular file of at most MaxFileSize.
func (ev *evaluator) file(n *node, e *tmplExpr) (string, bool) {
	dir := ev.dir
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
			detail := "a relative path is relative to the stack file's directory (" + dir + ")"
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
