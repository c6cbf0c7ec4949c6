package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider/sim"
)

// benchPlan is the plan run of a generated stack of n resources made the
// way the plan command makes it, against a simulated account at zero
// latency: fresh (every resource a create) or, with applied, after an
// apply of the stack (no changes).
func benchPlan(b *testing.B, n int, applied bool) *planRun {
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
	stdio := &IO{In: strings.NewReader(""), Out: io.Discard, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }, Environ: func() []string { return nil }}
	if applied {
		if code := Main([]string{"--endpoint", srv.URL, "--api-key", "bench", "apply", "-f", file, "--auto-approve", "--parallelism", "64"}, *stdio); code != 0 {
			b.Fatalf("apply: exit %d\n%s", code, errb.String())
		}
	}
	pr, err := makePlan(context.Background(), stdio, planOptions{
		Conn:  connOptions{Endpoint: srv.URL, APIKey: "bench"},
		Stack: stackOptions{stackArgs: stackArgs{File: file, Vars: map[string]string{}}},
	})
	b.Cleanup(func() { closeRun(stdio, pr) })
	if err != nil {
		b.Fatalf("plan: %v\n%s", err, errb.String())
	}
	if applied && pr.Plan.HasChanges() {
		b.Fatalf("the plan after apply has %d actions", len(pr.Plan.Actions))
	}
	return pr
}

// BenchmarkPlanAfterRefresh is what the plan command does once the last
// API answer is in: planner.Build from the refresh (with the price list),
// then the plan's output, JSON or text, for a stack of 1,000 resources
// against a fresh account (1,000 creates) and after its apply (no
// changes).
//
//	go test ./executor/cli -run '^$' -bench PlanAfterRefresh -benchmem
func BenchmarkPlanAfterRefresh(b *testing.B) {
	for _, world := range []string{"fresh", "applied"} {
		pr := benchPlan(b, 1000, world == "applied")
		b.Run(world+"/build", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				planner.Build(pr.stack, pr.State, pr.Live, planner.Options{})
			}
		})
		for _, format := range []string{"json", "text"} {
			b.Run(fmt.Sprintf("%s/%s", world, format), func(b *testing.B) {
				stdio := &IO{Out: io.Discard, Err: io.Discard}
				b.ReportAllocs()
				for b.Loop() {
					if err := renderPlan(stdio, pr.Plan, format, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
