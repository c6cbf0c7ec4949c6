package schema

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/spec"
)

// corpus is the documents of the stack files of the repository (valid
// and not) and of a generated stack, as the schema sees them.
func corpus(t *testing.T) map[string]map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	envs, _ := filepath.Glob(filepath.Join("..", "examples", "envs", "*.yaml"))
	files = append(append(files, more...), envs...)
	docs := map[string]map[string]any{}
	opts := withProvider(spec.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := spec.LoadBytes(f, src, opts); s != nil && s.Doc != nil {
			docs[f] = s.Doc
		}
	}
	src, _ := stackgen.Generate(10, stackgen.Options{})
	s, _ := spec.LoadBytes("stackgen", src, opts)
	docs["stackgen"] = s.Doc
	if len(docs) < 10 {
		t.Fatalf("only %d documents to compare on", len(docs))
	}
	return docs
}

// odd are the values a mutation puts in place of another.
var odd = []any{nil, true, "", "x", "/abs", "0644", -1, 0, 1, 2, 1.5, 20, 100, 65536, 1e9, math.Inf(1),
	"running", "EMPTY", []any{}, []any{"a"}, []any{"a", "a"}, []any{1, 1}, map[string]any{}, map[string]any{"zz": 1}}

// mutations calls f with every one-change variant of doc: each value
// replaced by each odd one, each key removed, an unknown key added to
// each object. The document itself is not changed.
func mutations(doc any, f func(what string, v any)) {
	var walk func(v any, path string, set func(any) any)
	walk = func(v any, path string, set func(any) any) {
		for _, o := range odd {
			f(fmt.Sprintf("%s = %#v", path, o), set(o))
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			with := func(change func(map[string]any)) any {
				c := make(map[string]any, len(x)+1)
				for k, v := range x {
					c[k] = v
				}
				change(c)
				return set(c)
			}
			f(path+" + unknown key", with(func(c map[string]any) { c["zz_unknown"] = 1 }))
			for _, k := range keys {
				f(path+" - "+k, with(func(c map[string]any) { delete(c, k) }))
				walk(x[k], path+"/"+k, func(nv any) any { return with(func(c map[string]any) { c[k] = nv }) })
			}
		case []any:
			for i := range x {
				walk(x[i], fmt.Sprintf("%s/%d", path, i), func(nv any) any {
					c := append([]any(nil), x...)
					c[i] = nv
					return set(c)
				})
			}
		}
	}
	walk(doc, "", func(v any) any { return v })
}

// TestFastCheckAgreesWithTheLibrary: the fast check's verdict is the JSON
// schema library's on every stack file of the repository and on every
// one-change mutation of them (tens of thousands of documents, valid and
// not): it never passes what the library refuses, and passes what it
// accepts (else validation is only as slow as before).
func TestFastCheckAgreesWithTheLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("validates tens of thousands of documents twice")
	}
	t.Parallel()
	fast := fastCheck(testDesc)
	if fast == nil {
		t.Fatal("the fast check declined the generated schema")
	}
	c, err := load(testDesc)
	if err != nil {
		t.Fatal(err)
	}
	n, valid, mismatches := 0, 0, 0
	for name, doc := range corpus(t) {
		mutations(doc, func(what string, v any) {
			n++
			want := validateSafely(c.schema, v) == nil
			if want {
				valid++
			}
			if got := fast(v); got != want && mismatches < 10 {
				mismatches++
				t.Errorf("%s, %s: the fast check says valid=%v, the library %v", name, what, got, want)
			}
		})
	}
	t.Logf("%d documents, %d of them valid", n, valid)
	if valid == 0 || valid == n {
		t.Errorf("the mutations make %d valid documents of %d: want both kinds", valid, n)
	}
}

// BenchmarkFastCheck is the fast path of Validate alone.
func BenchmarkFastCheck(b *testing.B) {
	src, _ := stackgen.Generate(1000, stackgen.Options{})
	s, _ := spec.LoadBytes("stack.yaml", src, withProvider(spec.Options{LookupEnv: func(string) (string, bool) { return "", false }}))
	fast := fastCheck(testDesc)
	b.ReportAllocs()
	for b.Loop() {
		if !fast(s.Doc) {
			b.Fatal("invalid")
		}
	}
}
