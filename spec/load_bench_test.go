package spec_test

import (
	"fmt"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/spec"
)

// benchSizes are the stack sizes of the Benchmark functions (resources).
var benchSizes = []int{100, 1000}

func noEnv(string) (string, bool) { return "", false }

// BenchmarkLoadBytes is the YAML load of a generated stack: parse with
// positions, variables, interpolation, resources.
//
//	go test ./spec -run '^$' -bench . -benchmem
func BenchmarkLoadBytes(b *testing.B) {
	for _, n := range benchSizes {
		src, _ := stackgen.Generate(n, stackgen.Options{})
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				s, diags := spec.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: noEnv})
				if s == nil || diags.HasErrors() {
					b.Fatalf("load: %v", diags)
				}
			}
		})
	}
}

// BenchmarkCheck is the semantic checks (names, references, cycles,
// the API's rules) of a loaded stack.
func BenchmarkCheck(b *testing.B) {
	for _, n := range benchSizes {
		src, _ := stackgen.Generate(n, stackgen.Options{})
		s, diags := spec.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: noEnv})
		if s == nil || diags.HasErrors() {
			b.Fatalf("load: %v", diags)
		}
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ds := spec.Check(s); ds.HasErrors() {
					b.Fatalf("check: %v", ds)
				}
			}
		})
	}
}
