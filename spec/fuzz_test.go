package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"
)

// FuzzLoad: no input makes the loader or the checks panic, and every
// diagnostic has a position inside the file or none at all.
func FuzzLoad(f *testing.F) {
	if src, err := os.ReadFile(filepath.Join("..", "testdata", "spec", "example.yaml")); err == nil {
		f.Add(src)
	}
	f.Add([]byte(specExample))
	f.Add([]byte(checkHeader + "  w: {os_name: windows, vcpu: 1}\ndisks:\n  a: {source: {type: DISK, ref: a}}\n"))
	f.Add([]byte("stack: a\nx: &b {vcpu: 2}\nvms:\n  web:\n    <<: *b\n    d: \"${vms.db.ip} $${x} ${env.HOME}\"\n"))
	f.Add([]byte("stack: [\n"))
	f.Add([]byte("a: *x\n"))
	f.Add([]byte("- 1\n- 2\n"))
	f.Add([]byte("stack: \"${var.\"\nvars: {x: {type: number, default: abc}}\n"))
	f.Add([]byte("? [a, b]\n: c\n"))
	f.Add([]byte("stack: !!str 12\nvms: {a: {f: |\n    ${var.x}\n  }}\n"))
	// The loader's limits: nesting, before the parser; a BOM.
	f.Add([]byte("stack: s\nx: " + strings.Repeat("[", 70) + "\n"))
	f.Add([]byte("stack: s\nx: [" + strings.Repeat("{a: [", 30) + "1" + strings.Repeat("]}", 30) + "]\n"))
	f.Add([]byte("x:\n  " + strings.Repeat("- ", 70) + "1\n"))
	f.Add([]byte("a: \"[[[\\\"\n  [[[\"\nb: '[[''[['\nc: |2\n   [[[\n  [[[\nd: x'[[ # [[\n  'y\n"))
	f.Add([]byte("\uFEFFstack: s\nvars: {x: a}\n"))
	f.Add([]byte("\uFEFF"))
	// ${…} in variables' defaults: env, files, cycles, resource attributes.
	f.Add([]byte("stack: s-${var.a}\nvars:\n  a: ${env.HOME}\n  b: {type: number, default: \"${var.b}\"}\n  c: ${var.d}\n  d: \"${var.c}-${file.x}\"\n  e: ${vms.w.ip}\nvms: {w: {f: \"${var.a}${var.e}\"}}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := Options{
			Vars:      map[string]string{},
			LookupEnv: func(k string) (string, bool) { return "v", k == "HOME" },
			ReadFile:  func(string) ([]byte, error) { return nil, os.ErrNotExist },
		}
		s, ds := loadBytes("f.yaml", src, opts)
		ds = append(ds, Check(s)...)
		// The YAML lexer also counts a lone \r as a line break.
		lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") + 1
		for _, d := range ds {
			if d.Range != nil && (d.Range.Start.Line < 1 || d.Range.Start.Line > lines+1 || d.Range.Start.Col < 1) {
				t.Errorf("diagnostic out of the file: %+v", d)
			}
		}
		var b strings.Builder
		Format(&b, ds, map[string][]byte{"f.yaml": src})
	})
}

// FuzzInterpolate: the template parser never panics, reports errors at an
// offset inside the string, and keeps every byte of literal text.
func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "${var.x}", "a-${var.x}-b", "$${var.x}", "$$${var.x}", "${", "${}", "${ var.x }",
		"${env.HOME}", "${file.~/.ssh/id.pub}", "${vms.web.private_ipv4}", "${vms.web}", "${foo.bar}",
		"${var.x", "}${var.x}{", "$", "$$", "${var.${var.x}}", "é${var.ü}",
		"${var.v}", "a-${var.v}-${env.HOME}", "${file./dev/zero}", "\uFEFF${var.x}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, err := parseTemplate(s, testKinds)
		if err != nil {
			if err.off < 0 || err.off >= len(s) || !strings.HasPrefix(s[err.off:], "${") {
				t.Fatalf("error offset %d does not point at a ${ in %q", err.off, s)
			}
			return
		}
		for _, p := range parts {
			if p.expr != nil && !strings.HasPrefix(s[p.expr.off:], "${"+p.expr.raw+"}") {
				t.Fatalf("expression %+v is not at its offset in %q", p.expr, s)
			}
		}
		// Through the loader too, as a quoted scalar: a field's value and
		// a variable's default.
		q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
		src := "stack: s\nvars:\n  v: " + q + "\nvms:\n  web:\n    f: " + q + "\n    g: ${var.v}\n"
		loadBytes("f.yaml", []byte(src), Options{LookupEnv: func(string) (string, bool) { return "", false },
			ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }})
	})
}

// FuzzLimitsAgree: the byte scan that guards the tokenizer never reads
// much less nesting than the tokenizer makes, on any text the tokenizer
// accepts (if it did, a file could make the tokenizer work in vain: the
// count on its tokens would still stop the parser). The seeds are the
// places where they once disagreed.
func FuzzLimitsAgree(f *testing.F) {
	for _, s := range []string{
		"a: [[[1]]]\n", "a:\n  - - [b, {c: d}]\n  - 'x'\n  - \"y\"\nb: |\n  [[[\n",
		"a: |2\n   x\n  [[\nb: >-\n  y\n---\n- &x !t 'a''b'\n- *x\n- \"c\\\"\n  d\"\n- e f\n  g # h\n? [k]\n: v\n%YAML 1.2\n",
		"x: it's [\n  more 'q\ny: {a: [b, 'c', \"d\"]} # {\n",
		"!{{{{{{{{{{{{{{{{{", "''{{{{{{{{{{{{{{{{", "%               [[[[[[[[[[[[[[[[", "%%     [[[[[[[[[[[[[[[[", ">\n\n 0\n0\n{{{{{{{{{{{{{{{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		toks := lexer.Tokenize(string(src))
		if toks.InvalidToken() != nil {
			return // the parser stops at once
		}
		if scanLimits("f", src, 6) == nil && tokenLimits("f", toks, 16) != nil {
			t.Fatalf("the scan allows 6 levels, the tokens hold more than 16: %q", src)
		}
	})
}
