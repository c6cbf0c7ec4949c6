package spec

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
)

// samePieces: parsing src in up to want pieces gives exactly the tree and
// the diagnostics of parsing it in one go.
func samePieces(t *testing.T, name string, src []byte, want int) {
	t.Helper()
	whole, wds := parseYAMLPieces(name, src, 1)
	cut, cds := parseYAMLPieces(name, src, want)
	if !reflect.DeepEqual(whole, cut) {
		t.Fatalf("%s in %d pieces: the tree differs from the whole parse", name, want)
	}
	if !reflect.DeepEqual(wds, cds) {
		t.Fatalf("%s in %d pieces: diagnostics differ:\nwhole: %v\npieces: %v", name, want, wds, cds)
	}
}

// cutsTaken: the file is really parsed in pieces (not parsed whole after
// a piece failed).
func cutsTaken(t *testing.T, src []byte, want int) int {
	t.Helper()
	src = bytes.ReplaceAll(src, crlf, lf) // as parseYAMLPieces does
	cs := &cutScan{}
	if d := scanLimitsCuts("f.yaml", src, MaxDepth, cs); d != nil {
		t.Fatalf("limits: %v", d.Summary)
	}
	ps := planPieces(len(src), cs, want)
	if ps == nil {
		return 0
	}
	if _, ok := parsePieces("f.yaml", src, ps); !ok {
		return 0
	}
	return len(ps)
}

func TestPiecesParseGeneratedStacks(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 100, 1000} {
		for _, fast := range []bool{false, true} {
			src, _ := stackgen.Generate(n, stackgen.Options{})
			if fast {
				src, _ = stackgen.GenerateFast(n, stackgen.Options{})
			}
			for _, want := range []int{2, 3, 4, 7, 16} {
				samePieces(t, "stack.yaml", src, want)
				if got := cutsTaken(t, src, want); got < 2 {
					t.Errorf("%d resources (fast %v), %d pieces wanted: parsed whole", n, fast, want)
				}
			}
		}
	}
	// With CRLF line breaks too.
	src, _ := stackgen.Generate(100, stackgen.Options{})
	crlf := []byte(strings.ReplaceAll(string(src), "\n", "\r\n"))
	samePieces(t, "crlf.yaml", crlf, 4)
	if cutsTaken(t, crlf, 4) < 2 {
		t.Error("CRLF stack parsed whole")
	}
}

// Every YAML file of the repository (examples, golden inputs) parses the
// same in pieces.
func TestPiecesParseRepositoryFiles(t *testing.T) {
	t.Parallel()
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, want := range []int{2, 3, 5, 9} {
			samePieces(t, path, src, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d YAML files found", n)
	}
}

// Files where a cut would be wrong, or a piece reads differently: each
// parses as it does whole (in pieces where it safely can, whole where not).
func TestPiecesParseHardCases(t *testing.T) {
	t.Parallel()
	// body is 40 entries of a mapping, named apart from every other body's.
	next := 0
	body := func() string {
		var b strings.Builder
		for i := range 40 {
			next++
			b.WriteString("  e" + strings.Repeat("x", i%7) + strconv.Itoa(next) + ":\n    image: ubuntu\n    vcpu: 2\n")
		}
		return b.String()
	}
	dup := body()
	cases := map[string]struct {
		src   string
		taken bool // parsed in pieces
	}{
		"plain":              {"stack: s\nvms:\n" + body() + "disks:\n" + body(), true},
		"comments between":   {"# head\nstack: s\nvms:\n" + body() + "# a comment at column 0\n  # indented\n" + body() + "disks: # c\n" + body(), true},
		"block scalar":       {"vms:\n" + body() + "  w:\n    cloud_init: |\n      a: b\n  x:\n      c: d\n" + body(), true},
		"block scalar top":   {"vms:\n" + body() + "script: |\n  key: v\nnot: a-key\n  d: 1\n" + body(), false},
		"quoted multi-line":  {"vms:\n" + body() + "  q:\n    f: \"a\n  k: v\"\n" + body(), true},
		"single multi-line":  {"vms:\n" + body() + "  q:\n    f: 'a\n  k: v'\n" + body(), true},
		"flow multi-line":    {"vms:\n" + body() + "  q: {a: 1,\n  k: v}\n" + body(), true},
		"plain multi-line":   {"vms:\n" + body() + "  q:\n    f: a\n     b c\n" + body(), true},
		"duplicate across":   {"vms:\n" + dup + dup, false},
		"duplicate top":      {"stack: s\nvms:\n" + body() + "stack: t\ndisks:\n" + body(), false},
		"anchor":             {"x: &a {vcpu: 2}\nvms:\n" + body() + "  w: *a\n" + body(), false},
		"merge key":          {"vms:\n" + body() + "  w:\n    <<: {vcpu: 2}\n" + body(), true},
		"merge at top":       {"<<: {stack: s}\nvms:\n" + body() + "stack: t\n" + body(), false},
		"two documents":      {"vms:\n" + body() + "---\nvms:\n" + body(), false},
		"top sequence":       {"- a\n- b\n" + body(), false},
		"sequence value":     {"vms:\n" + body() + "list:\n- a\n- b\nmore:\n" + body(), false},
		"deeper entry":       {"vms:\n" + body() + "     odd: 1\n" + body(), false},
		"tabs":               {"vms:\n" + body() + "  t:\t{a: 1}\n\tbad: 1\n" + body(), false},
		"syntax error late":  {"vms:\n" + body() + "  w: [\n" + body(), false},
		"quoted key":         {"vms:\n" + body() + "\"q\": 1\n" + body(), false},
		"empty values":       {"vms:\n" + body() + "  w:\n  x:\n" + body() + "y:\n", true},
		"tag":                {"vms:\n" + body() + "  w: !!str 1\n" + body(), false},
		"explicit key":       {"vms:\n" + body() + "? k\n: v\n" + body(), false},
		"indented root":      {"  a: 1\n  vms:\n" + body(), false},
		"windows newline":    {strings.ReplaceAll("vms:\n"+body()+"disks:\n"+body(), "\n", "\r\n"), true},
		"no final newline":   {"vms:\n" + strings.TrimSuffix(body(), "\n"), true},
		"long first comment": {"#" + strings.Repeat(" long", 2000) + "\nvms:\n" + body(), true},
	}
	for name, tc := range cases {
		for _, want := range []int{2, 4, 8} {
			samePieces(t, name, []byte(tc.src), want)
		}
		if got := cutsTaken(t, []byte(tc.src), 4) >= 2; got != tc.taken {
			t.Errorf("%s: parsed in pieces %v, want %v", name, got, tc.taken)
		}
	}
}

// FuzzParsePieces: any input parses in pieces exactly as it does whole.
func FuzzParsePieces(f *testing.F) {
	src, _ := stackgen.Generate(10, stackgen.Options{})
	f.Add(src, uint8(3))
	f.Add([]byte("stack: s\nvms:\n  a:\n    x: 1\n  b:\n    x: 2\n  c: |\n   d:\n  e: \"f\n  g: h\"\ndisks:\n  a: 1\n  b: 2\n"), uint8(4))
	f.Add([]byte("vms:\n  a: 1\n  b: 2\n  a: 3\n"), uint8(2))
	f.Add([]byte("vms:\n  a: {x: [1,\n  b: 2]}\n  c: 3\n"), uint8(2))
	f.Fuzz(func(t *testing.T, src []byte, want uint8) {
		samePieces(t, "f.yaml", src, int(want%12)+2)
	})
}

// BenchmarkParseYAML: the parse of a 1,000-resource stack in one go and
// in pieces (as many as piecesFor gives on this machine).
//
//	go test ./spec -run '^$' -bench ParseYAML -benchmem
func BenchmarkParseYAML(b *testing.B) {
	src, _ := stackgen.Generate(1000, stackgen.Options{})
	for _, want := range []int{1, piecesFor(len(src))} {
		b.Run(fmt.Sprintf("pieces=%d", want), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if root, ds := parseYAMLPieces("stack.yaml", src, want); root == nil || ds.HasErrors() {
					b.Fatal(ds)
				}
			}
		})
	}
}
