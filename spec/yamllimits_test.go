package spec

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/lexer"
	"github.com/google/go-cmp/cmp"
)

// indented nests n block mappings by indentation.
func indented(n int) string {
	var b strings.Builder
	b.WriteString("stack: s\nx:\n")
	for i := 1; i <= n; i++ {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String()
}

// TestNestingLimit: a file that nests deeper than MaxDepth is refused
// before it is parsed, at the place where the limit is crossed (issue 11,
// item 10: 20,000 nested "[" took 963 MB); text that only looks like
// nesting (in quotes, comments, block scalars, plain scalars) does not
// count, and neither do values side by side.
func TestNestingLimit(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 200)
	tests := []struct {
		name, src string
		opts      Options
		want      []string
	}{
		{name: "20,000 nested [", src: "stack: s\nx: " + strings.Repeat("[", 20000) + "\n",
			want: []string{"2:66: error: nesting deeper than 64 levels"}},
		{name: "20,000 nested [ closed", src: "stack: s\nx: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n",
			want: []string{"2:66: error: nesting deeper than 64 levels"}},
		{name: "nested flow mappings", src: "stack: s\nx: " + strings.Repeat("{a: ", 20000) + "1" + strings.Repeat("}", 20000) + "\n",
			want: []string{"2:252: error: nesting deeper than 64 levels"}},
		{name: "nested block lists on one line", src: "stack: s\nx:\n  " + strings.Repeat("- ", 20000) + "1\n",
			want: []string{"3:129: error: nesting deeper than 64 levels"}},
		{name: "nested block mappings", src: indented(100),
			want: []string{"66:65: error: nesting deeper than 64 levels"}},
		{name: "at the limit", src: "stack: s\nx: " + strings.Repeat("[", 62) + strings.Repeat("]", 62) + "\n"},
		{name: "one over the limit", src: "stack: s\nx: " + strings.Repeat("[", 63) + strings.Repeat("]", 63) + "\n",
			want: []string{"2:66: error: nesting deeper than 64 levels"}},
		{name: "in a var file", src: "stack: s\nvars: {x: a}\n", opts: Options{VarFiles: []string{"/v.yaml"}},
			want: []string{"1:66: error: nesting deeper than 64 levels"}},
		{name: "side by side", src: "stack: s\nx: [" + strings.Repeat("[[[1]]], ", 5000) + "1]\n"},
		{name: "in quotes", src: "stack: s\nx: \"" + deep + "\"\ny: '" + deep + "''" + deep + "'\nz: \"a\\\"" + deep + "\"\n"},
		{name: "in a quoted string over lines", src: "stack: s\nx: \"a\n" + deep + "\n  " + deep + "\"\ny: 1\n"},
		{name: "in comments", src: "stack: s # " + deep + "\n# " + deep + "\nx: 1\n"},
		{name: "in a block scalar", src: "stack: s\nx: |\n  " + deep + "\n\n   " + deep + "\ny: >-\n  " + deep + "\nz: [1]\n"},
		{name: "in plain scalars", src: "stack: s\nx: a" + deep + "\ny: it's " + deep + "\n  and " + deep + "\nz: a]b, c}d]\n"},
		{name: "a real stack's shapes", src: "stack: s\nvms:\n  web:\n    cloud_init:\n      write_files:\n        - {path: /a, content: \"[[x]]\"}\n      runcmd: [\"[ -f /a ] && echo {}\", [a, [b]]]\n"},
	}
	files := map[string]string{"/v.yaml": "x: " + strings.Repeat("[", 100) + "\n"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			opts.ReadFile, opts.LookupEnv = fakeFS(files), fakeEnv(nil)
			_, ds := loadBytes("f.yaml", []byte(tt.src), opts)
			if d := cmp.Diff(tt.want, brief(ds)); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			if tt.want != nil && ds[0].Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

// TestTokenLimits: the count on the tokenizer's tokens, the second guard,
// finds the same nesting on its own.
func TestTokenLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      string // line:col, "" for none
	}{
		{"flow", "x: " + strings.Repeat("[", 100), "1:66"},
		{"flow mappings", "x: " + strings.Repeat("{a: ", 100) + "1" + strings.Repeat("}", 100), "1:252"},
		{"block lists", "x:\n  " + strings.Repeat("- ", 100) + "1\n", "2:129"},
		{"block mappings", indented(100), "66:65"},
		{"side by side", "x: [" + strings.Repeat("[[[1]]], ", 100) + "1]\n", ""},
		{"a block scalar", "x: |\n  " + strings.Repeat("[", 100) + "\n", ""},
		{"the example", specExample, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tokenLimits("f.yaml", lexer.Tokenize(tt.src), MaxDepth)
			got := ""
			if d != nil {
				got, _, _ = strings.Cut(brief(Diagnostics{*d})[0], ": ")
			}
			if got != tt.want {
				t.Errorf("at %q, want %q (%v)", got, tt.want, d)
			}
		})
	}
}

// TestScanReadsAsTheTokenizer: places where the byte scan once read text
// where the tokenizer opens collections (found by fuzzing the two against
// each other): the scan refuses them itself, before the tokenizer.
func TestScanReadsAsTheTokenizer(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("{", 100)
	for _, src := range []string{
		"!" + deep,          // a tag ends before a flow indicator
		"&a" + deep,         // so does an anchor
		"''" + deep,         // a collection right after a quoted scalar
		"%    " + deep,      // a directive is one token
		"%%    " + deep,     // or two
		">\n 0\n0\n" + deep, // a line after a plain scalar, after a block scalar
		"a: b\n  " + deep,   // a line that could go on a plain scalar
		"a: b\n  " + strings.Repeat("- ", 100) + "c", // the same with lists
	} {
		if d := scanLimits("f.yaml", []byte(src), MaxDepth); d == nil || !strings.HasPrefix(d.Summary, "nesting") {
			t.Errorf("%q: %v", src, d)
		}
	}
}

// TestTooManyValues: more values than the tree may hold are refused
// before the parser makes them.
func TestTooManyValues(t *testing.T) {
	t.Parallel()
	src := "stack: s\nx: [" + strings.Repeat("1,", maxNodes) + "1]\n"
	_, ds := loadBytes("f.yaml", []byte(src), Options{})
	if d := cmp.Diff([]string{"2:399997: error: document too large (more than 200000 values)"}, brief(ds)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

// TestPathologicalIsCheap: the refusals cost little time and memory: 8 MiB
// of "[" (the most a stack file may hold), the 40 KB file, and 8
// MiB of comments (4 million tokens: 4.7 s and 1.4 GB in the tokenizer).
// Not parallel: it reads the process's allocation counter.
func TestPathologicalIsCheap(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  []byte
	}{
		{"40 KB of nested [", []byte("x: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000))},
		{"8 MiB of [", []byte("x: " + strings.Repeat("[", MaxSourceSize-3))},
		{"8 MiB of - ", []byte("x: " + strings.Repeat("- ", MaxSourceSize/2-2))},
		{"8 MiB of comments", []byte("x: 1\n" + strings.Repeat("#\n", MaxSourceSize/2-3))},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, ds := loadBytes("f.yaml", tc.src, Options{})
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: refused in %v, %d KiB allocated", tc.name, el, alloc>>10)
		if len(ds) != 1 || !strings.HasPrefix(ds[0].Summary, "nesting deeper") && !strings.HasPrefix(ds[0].Summary, "document too large") {
			t.Fatalf("%s: %v", tc.name, brief(ds))
		}
		if alloc > 16<<20 {
			t.Errorf("%s: %d MiB allocated", tc.name, alloc>>20)
		}
	}
}

// TestBOM: a UTF-8 byte order mark at the start of a stack file or a var
// file is dropped; the columns of line 1 stay right.
func TestBOM(t *testing.T) {
	t.Parallel()
	bom := "\uFEFF"
	files := map[string]string{"/v.yaml": bom + "env: prod\n"}
	s, ds := loadBytes("/s.yaml", []byte(bom+"stack: shop-${var.env}\nvars: {env: {type: string}}\nvms: {}\n"),
		Options{VarFiles: []string{"/v.yaml"}, ReadFile: fakeFS(files), LookupEnv: fakeEnv(nil)})
	if len(ds) != 0 {
		t.Fatal(brief(ds))
	}
	if s.Name != "shop-prod" {
		t.Errorf("stack name %q", s.Name)
	}
	for f, src := range s.Sources {
		if strings.HasPrefix(string(src), bom) {
			t.Errorf("%s keeps its BOM in Sources", f)
		}
	}
	if r := s.Ranges.At("/stack"); r.Start != (Pos{1, 8}) {
		t.Errorf("stack: at %v, want 1:8", r.Start)
	}
	s, _ = loadBytes("s.yaml", []byte(bom+"stack: a b\n"), Options{})
	if got := brief(Check(s)); !cmp.Equal(got, []string{`1:8: error: invalid stack name "a b"`}) {
		t.Errorf("a check on line 1: %v", got)
	}
	if _, ds := loadBytes("s.yaml", []byte(bom), Options{}); len(ds) != 0 {
		t.Errorf("a file of just a BOM: %v", brief(ds))
	}
}
