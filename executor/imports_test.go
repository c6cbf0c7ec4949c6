package executor

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// enginePatterns are the engine's packages: everything below the command
// layer and above the provider (DESIGN.md). executor/cli, the command
// layer, and the providers may speak HTTP; these may not.
var enginePatterns = []string{"./spec", "./schema", "./planner/...", "./executor", "./executor/run"}

// speaksHTTP reports a package the engine must not reach: net/http and
// its subpackages, and the AWS SDK (the S3 state backend's client, kept
// in executor/cli/s3state).
func speaksHTTP(path string) bool {
	return path == "net/http" || strings.HasPrefix(path, "net/http/") || strings.HasPrefix(path, "github.com/aws/")
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	DepOnly    bool
}

// TestEngineSpeaksNoHTTP: "nothing above the provider speaks HTTP"
// (DESIGN.md). The engine's non-test imports, however indirect, reach no
// net/http and no AWS package; a failure names the chain of imports that
// does.
func TestEngineSpeaksNoHTTP(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH, so the engine's imports cannot be listed (go list -deps): " + err.Error())
	}
	args := append([]string{"list", "-deps", "-json=ImportPath,Imports,DepOnly"}, enginePatterns...)
	cmd := exec.Command(goTool, args...)
	cmd.Dir = ".." // the module root: the patterns are relative to it
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	pkgs := map[string]listedPackage{}
	var roots []string
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list -json: %v", err)
		}
		pkgs[p.ImportPath] = p
		if !p.DepOnly {
			roots = append(roots, p.ImportPath)
		}
	}
	// The patterns matched the engine: a renamed folder does not make the
	// test pass by listing nothing.
	for _, want := range []string{"spec", "schema", "planner", "planner/state", "executor"} {
		if !slices.Contains(roots, "github.com/idstack/idstack/"+want) {
			t.Fatalf("go list %s did not list github.com/idstack/idstack/%s (listed %q)", strings.Join(enginePatterns, " "), want, roots)
		}
	}
	// Breadth first from the engine's packages: the first way found to
	// each package is a shortest chain of imports.
	via := map[string]string{}
	queue := slices.Clone(roots)
	for _, r := range roots {
		via[r] = ""
	}
	var bad []string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if speaksHTTP(p) {
			bad = append(bad, p)
			continue
		}
		for _, imp := range pkgs[p].Imports {
			if _, seen := via[imp]; !seen {
				via[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	for _, p := range bad {
		chain := []string{p}
		for q := via[p]; q != ""; q = via[q] {
			chain = append(chain, q)
		}
		slices.Reverse(chain)
		t.Errorf("the engine reaches %s, which speaks HTTP (nothing above the provider may): %s", p, strings.Join(chain, " → "))
	}
}
