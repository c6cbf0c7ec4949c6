package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/provider/sim"
)

// fastResult is the apply of a stack of one-call resources (networks and
// floating IPs): the engine's own cost per step, against n calls ÷
// parallelism.
type fastResult struct {
	N           int
	P           int
	Bound       bound
	Apply       applyResult
	PlanApplied *childRun // the plan after the apply: nothing to do
}

// perResource is the execution time per resource.
func (f *fastResult) perResource() time.Duration { return f.Apply.Exec / time.Duration(f.N) }

// ratio is the execution time over its lower bound.
func (f *fastResult) ratio() float64 {
	return float64(f.Apply.Exec) / float64(f.Bound.withParallelism(f.P))
}

func measureFast(ctx context.Context, cfg config, bin, tmp string, n int) (*fastResult, error) {
	src, _ := stackgen.GenerateFast(n, stackgen.Options{})
	dir := filepath.Join(tmp, fmt.Sprintf("fast-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.yaml"), src, 0o644); err != nil {
		return nil, err
	}
	s, err := startSim(sim.Options{Latency: cfg.latency, ReadyAfter: cfg.ready, Seed: 17})
	if err != nil {
		return nil, err
	}
	defer s.close()
	plan, err := runIdstack(ctx, bin, dir, s.url, "", "plan", "-f", "stack.yaml", "--format", "json")
	if err != nil {
		return nil, err
	}
	res := &fastResult{N: n, P: cfg.fastP}
	if res.Bound, err = criticalPath(plan.Stdout, cfg.latency, cfg.ready); err != nil {
		return nil, err
	}
	if res.Apply, err = measureApply(ctx, s, bin, dir, cfg.profileFile("apply-fast-%d-p%d", n, cfg.fastP), cfg.fastP, res.Bound.Actions); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "   fast apply of %d, P=%d: %s (execution %s; bound %s: %.2f×; %s a resource), %d calls, %s RSS\n",
		n, cfg.fastP, ms(res.Apply.Run.Wall), ms(res.Apply.Exec), ms(res.Bound.withParallelism(cfg.fastP)), res.ratio(), us(res.perResource()), res.Apply.Calls, mib(res.Apply.Run.MaxRSS))
	if res.PlanApplied, err = runIdstack(ctx, bin, dir, s.url, "", "plan", "-f", "stack.yaml", "--detailed-exitcode"); err != nil {
		return nil, fmt.Errorf("plan after the fast apply (want no changes): %w", err)
	}
	return res, nil
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
