package schema_test

import (
	"fmt"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

var benchSizes = []int{100, 1000}

func noEnv(string) (string, bool) { return "", false }

// BenchmarkLoadBytes is all of `idstack validate` but reading the file:
// YAML load, semantic checks and the JSON schema.
//
//	go test ./schema -run '^$' -bench . -benchmem
func BenchmarkLoadBytes(b *testing.B) {
	for _, n := range benchSizes {
		src, _ := stackgen.Generate(n, stackgen.Options{})
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				s, diags := schema.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: noEnv})
				if s == nil || diags.HasErrors() {
					b.Fatalf("validate: %v", diags)
				}
			}
		})
	}
}

// BenchmarkValidate is the JSON schema alone, on a loaded stack.
func BenchmarkValidate(b *testing.B) {
	for _, n := range benchSizes {
		src, _ := stackgen.Generate(n, stackgen.Options{})
		s, diags := spec.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: noEnv})
		if s == nil || diags.HasErrors() {
			b.Fatalf("load: %v", diags)
		}
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ds := schema.Validate(s); ds.HasErrors() {
					b.Fatalf("validate: %v", ds)
				}
			}
		})
	}
}
