package spec

import (
	"slices"
	"strings"
)

// A template is a string scalar split into literal text and ${…}
// expressions. Parsing is separate from evaluation so that it can be fuzzed
// and so every error knows the byte offset of its "${".
type tmplPart struct {
	lit  string
	expr *tmplExpr // nil for literal text
}

// tmplExpr is one ${NS.REST}.
type tmplExpr struct {
	ns   string // var, env, file, or a kind
	name string // var/env name, file path, or the resource's logical name
	attr string // for ${KIND.NAME.ATTR}
	raw  string // the text between ${ and }, as written
	off  int    // byte offset of "${" in the string
}

// tmplError is a template syntax error at byte offset off.
type tmplError struct {
	off, length     int // the bytes in error
	summary, detail string
}

// interpAllowed says what a ${…} may hold, the provider's kinds named.
func interpAllowed(kinds []string) string {
	return "allowed: ${var.NAME}, ${env.NAME}, ${file.PATH}, ${KIND.NAME.ATTR} (KIND: " + strings.Join(kinds, ", ") + "); write $${ for a literal ${"
}

// parseTemplate splits s. "$${" is a literal "${". kinds lists the
// provider's kinds, the namespaces of ${KIND.NAME.ATTR}.
func parseTemplate(s string, kinds []string) ([]tmplPart, *tmplError) {
	var parts []tmplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, tmplPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, &tmplError{off: i, length: len(s) - i, summary: "unterminated ${ in string", detail: "close it with }; " + interpAllowed(kinds)}
			}
			raw := s[i+2 : i+2+end]
			e, err := parseExpr(raw, i, kinds)
			if err != nil {
				return nil, err
			}
			flush()
			parts = append(parts, tmplPart{expr: e})
			i += 2 + end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	flush()
	return parts, nil
}

func parseExpr(raw string, off int, kinds []string) (*tmplExpr, *tmplError) {
	in := strings.TrimSpace(raw)
	e := &tmplExpr{raw: raw, off: off}
	ns, rest, _ := strings.Cut(in, ".")
	e.ns = ns
	bad := func(summary string) (*tmplExpr, *tmplError) {
		return nil, &tmplError{off: off, length: len(raw) + 3, summary: summary, detail: interpAllowed(kinds)}
	}
	switch ns {
	case "var":
		if !isIdent(rest, true) {
			return bad("invalid variable name in ${" + raw + "}")
		}
		e.name = rest
	case "env":
		if !isIdent(rest, false) {
			return bad("invalid environment variable name in ${" + raw + "}")
		}
		e.name = rest
	case "file":
		if rest == "" {
			return bad("missing path in ${" + raw + "}")
		}
		e.name = rest
	default:
		if !slices.Contains(kinds, ns) {
			if in == "" {
				return bad("empty ${}")
			}
			names := append([]string{"var", "env", "file"}, kinds...)
			return nil, &tmplError{off: off, length: len(raw) + 3, summary: "unknown namespace \"" + ns + "\" in ${" + raw + "}",
				detail: interpAllowed(kinds) + DidYouMean(ns, names)}
		}
		name, attr, _ := strings.Cut(rest, ".")
		if name == "" || attr == "" {
			return bad("want ${" + ns + ".NAME.ATTR} in ${" + raw + "}")
		}
		e.name, e.attr = name, attr
	}
	return e, nil
}

// isIdent: a letter or _, then letters, digits, _ (and - when dash).
func isIdent(s string, dash bool) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		case i > 0 && dash && r == '-':
		default:
			return false
		}
	}
	return true
}
