package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// benchPlan is the plan of a generated stack of n resources against a
// fresh simulated account (every resource a create), made the way the
// plan command makes it.
func benchPlan(b *testing.B, n int) *planner.Plan {
	b.Helper()
	srv := httptest.NewServer(sim.New(sim.Options{Seed: 1}))
	b.Cleanup(srv.Close)
	dir := b.TempDir()
	src, _ := stackgen.Generate(n, stackgen.Options{})
	file := filepath.Join(dir, "stack.yaml")
	if err := os.WriteFile(file, src, 0o600); err != nil {
		b.Fatal(err)
	}
	var errb bytes.Buffer
	stdio := &IO{Out: io.Discard, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }, Environ: func() []string { return nil }}
	pr, err := makePlan(context.Background(), stdio, planOptions{
		Conn:  connOptions{Endpoint: srv.URL, APIKey: "bench"},
		Stack: stackOptions{stackArgs: stackArgs{File: file, Vars: map[string]string{}}},
	})
	defer closeRun(stdio, pr)
	if err != nil {
		b.Fatalf("plan: %v\n%s", err, errb.String())
	}
	return pr.Plan
}

// BenchmarkRenderPlan is the plan command's output of 1,000 creates:
// the JSON of SPEC §6 and the text for people.
//
//	go test ./executor/cli -run '^$' -bench RenderPlan -benchmem
func BenchmarkRenderPlan(b *testing.B) {
	for _, n := range []int{1000} {
		plan := benchPlan(b, n)
		for _, format := range []string{"json", "text"} {
			b.Run(fmt.Sprintf("%s/resources=%d", format, n), func(b *testing.B) {
				stdio := &IO{Out: io.Discard, Err: io.Discard}
				b.ReportAllocs()
				for b.Loop() {
					if err := renderPlan(stdio, plan, format, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
