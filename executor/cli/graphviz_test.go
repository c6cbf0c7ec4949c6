package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const tinyDOT = "digraph \"s\" {\n  \"networks.app\" -> \"vms.web\";\n}\n"

// fakeDot is a dot command that says how it was called and echoes its
// input, so the test needs no Graphviz.
func fakeDot(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "dot")
	script := "#!/bin/sh\necho \"rendered $1\"\ncat\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRenderGraph(t *testing.T) {
	t.Parallel()
	noDot := func(string) (string, error) { return "", exec.ErrNotFound }
	tests := []struct {
		name     string
		format   string
		lookPath func(t *testing.T) func(string) (string, error)
		out      string
		note     string
		err      string
	}{
		{name: "dot text", format: "dot", lookPath: func(*testing.T) func(string) (string, error) { return noDot }, out: tinyDOT},
		{name: "svg without graphviz", format: "svg", lookPath: func(*testing.T) func(string) (string, error) { return noDot }, out: tinyDOT, note: "Graphviz's dot is not installed, so this is the graph as DOT text, not SVG"},
		{name: "png without graphviz", format: "png", lookPath: func(*testing.T) func(string) (string, error) { return noDot }, out: tinyDOT, note: "dot -Tpng -o graph.png"},
		{name: "svg with graphviz", format: "svg", lookPath: func(t *testing.T) func(string) (string, error) {
			p := fakeDot(t)
			return func(string) (string, error) { return p, nil }
		}, out: "rendered -Tsvg\n" + tinyDOT},
		{name: "png with graphviz", format: "png", lookPath: func(t *testing.T) func(string) (string, error) {
			p := fakeDot(t)
			return func(string) (string, error) { return p, nil }
		}, out: "rendered -Tpng\n" + tinyDOT},
		{name: "unknown format", format: "pdf", lookPath: func(*testing.T) func(string) (string, error) { return noDot }, err: `--format "pdf": allowed: dot, svg, png`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			g := graphviz{lookPath: tt.lookPath(t), timeout: 10 * time.Second}
			err := g.render(&out, &errw, tinyDOT, tt.format)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.out {
				t.Errorf("stdout %q, want %q", out.String(), tt.out)
			}
			if tt.note == "" && errw.Len() > 0 || !strings.Contains(errw.String(), tt.note) {
				t.Errorf("stderr %q, want a note with %q", errw.String(), tt.note)
			}
		})
	}
}

func TestRenderGraphDotFails(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "dot")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	g := graphviz{lookPath: func(string) (string, error) { return p, nil }, timeout: 10 * time.Second}
	err := g.render(&bytes.Buffer{}, &bytes.Buffer{}, "not dot", "svg")
	if err == nil || !strings.Contains(err.Error(), "syntax error in line 1") {
		t.Fatalf("err %v, want dot's own message", err)
	}
}

// With Graphviz installed, a real plan graph becomes a real SVG.
func TestRenderGraphWithRealGraphviz(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("Graphviz is not installed")
	}
	var out bytes.Buffer
	if err := renderGraph(&out, &bytes.Buffer{}, tinyDOT, "svg"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<svg") || !strings.Contains(out.String(), "vms.web") {
		t.Fatalf("not an SVG of the graph:\n%s", out.String())
	}
}
