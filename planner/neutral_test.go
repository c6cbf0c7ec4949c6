package planner_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// TestEngineSpeaksNoProviderWords (issue 12): no string literal of the
// engine (spec, schema, planner, executor outside the command layer;
// tests and test fixtures aside) is a word of idcloudhost's: a kind, a field, a live
// attribute, a key, an enumerated value or a status of its description,
// or an attribute its client reads or writes in a provider.Attrs. What
// the engine needs of a cloud it reads from the description.
func TestEngineSpeaksNoProviderWords(t *testing.T) {
	t.Parallel()
	words := providerWords(t)
	// The engine's own words, which a cloud may share (the stack file's
	// keys, JSON-schema keywords).
	for _, w := range []string{"", "name", "location", "lifecycle", "ignore_changes", "stack", "vars", "type", "default", "prefix", "description"} {
		delete(words, w)
	}
	for _, root := range []string{"../spec", "../schema", "../planner", "../executor"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && path == filepath.Join("..", "executor", "cli"):
				return filepath.SkipDir // the command layer may name its clouds
			case d.IsDir() && (d.Name() == "testdata" || strings.HasSuffix(d.Name(), "test")):
				return filepath.SkipDir // test data and fixtures (planner/state/statetest)
			case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if l, ok := n.(*ast.BasicLit); ok && l.Kind == token.STRING {
					if s, err := strconv.Unquote(l.Value); err == nil && words[s] {
						t.Errorf("%s: %q is idcloudhost's word: read it from the provider's description", fset.Position(l.Pos()), s)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// providerWords is idcloudhost's vocabulary: its description's words and
// the attribute names of its live objects (keys of provider.Attrs
// literals and Attrs[…] indexes in its client).
func providerWords(t *testing.T) map[string]bool {
	words := map[string]bool{}
	var fields func(fs []*provider.Field)
	fields = func(fs []*provider.Field) {
		for _, f := range fs {
			words[f.Name], words[f.Live], words[f.ExportFrom] = true, true, true
			for _, k := range f.Keys {
				words[k] = true
			}
			for _, e := range f.Enum {
				if s, ok := e.(string); ok {
					words[s] = true
				}
			}
			fields(f.Fields)
			if f.Items != nil {
				fields([]*provider.Field{f.Items})
			}
		}
	}
	d := idcloudhost.Description()
	fields(d.StackDefaults)
	for _, ks := range d.Kinds {
		words[string(ks.Kind)], words[ks.NameField], words[ks.ReadyField], words[ks.ReadyDefault] = true, true, true, true
		for _, m := range ks.MatchFields {
			words[m] = true
		}
		if ks.ExportAnchor != nil {
			words[ks.ExportAnchor.Field] = true
		}
		fields(ks.Fields)
	}
	files, err := filepath.Glob(filepath.Join("..", "provider", "idcloudhost", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("idcloudhost's sources: %v", err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		word := func(e ast.Expr) {
			if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
				if s, err := strconv.Unquote(l.Value); err == nil {
					words[s] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit: // provider.Attrs{"is_default": …}
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Attrs" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							word(kv.Key)
						}
					}
				}
			case *ast.IndexExpr: // o.Attrs["disk_uuid"]
				if sel, ok := n.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Attrs" {
					word(n.Index)
				}
			}
			return true
		})
	}
	return words
}
