package stackgen_test

import (
	"fmt"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

// TestGenerateValid: every generated stack has the size asked for, spans
// every location from three resources on, and is valid.
func TestGenerateValid(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 10, 23, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			src, counts := stackgen.Generate(n, stackgen.Options{})
			if counts.Total() != n {
				t.Fatalf("counts %v make %d resources, want %d", counts, counts.Total(), n)
			}
			s, diags := schema.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: func(string) (string, bool) { return "", false }})
			if diags.HasErrors() {
				var buf []byte
				for _, d := range diags {
					buf = fmt.Appendf(buf, "%s\n", d.Summary)
				}
				t.Fatalf("generated stack is not valid:\n%s\n%s", buf, src)
			}
			if len(s.Resources) != n {
				t.Fatalf("loaded %d resources, want %d", len(s.Resources), n)
			}
			locs := map[string]bool{}
			for _, r := range s.Resources {
				if r.Location != "" {
					locs[r.Location] = true
				}
			}
			if want := min(n, len(stackgen.Locations)); len(locs) != want {
				t.Errorf("resources in %d locations, want %d", len(locs), want)
			}
		})
	}
}

// TestGenerateFastValid: a fast stack has the size asked for, one-call
// kinds only, and is valid.
func TestGenerateFastValid(t *testing.T) {
	for _, n := range []int{1, 2, 7, 40} {
		src, counts := stackgen.GenerateFast(n, stackgen.Options{})
		if counts.Total() != n || counts["networks"]+counts["floating_ips"] != n {
			t.Fatalf("counts %v, want %d networks and floating IPs", counts, n)
		}
		s, diags := schema.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: func(string) (string, bool) { return "", false }})
		if diags.HasErrors() || len(s.Resources) != n {
			t.Fatalf("%d: %v\n%s", n, diags, src)
		}
	}
}
