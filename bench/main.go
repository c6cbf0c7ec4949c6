// Command idstack-bench measures idstack at scale against the simulator
// (issues 8 and 17): for VM-heavy stacks of each size it times validate,
// plan and apply, counts the API calls they make, reads their peak RSS,
// computes the apply's lower bound from the plan's graph, and times a
// per-resource refresh baseline (one GET per object, 10 at a time, the
// way Terraform refreshes) in the same run; for stacks of fast resources
// (networks and floating IPs, one call each) it times the apply against
// calls × latency ÷ parallelism, the engine's own cost per step. It
// prints Markdown tables and the targets met or missed.
//
//	go run ./bench -sizes 10,100,1000,10000 -fast-sizes 1000,10000
//
// The simulator runs in this process on a 127.0.0.1 port; plan and apply
// run as child processes of an idstack binary built once, so their peak
// RSS is their own (getrusage of each child). Generated stacks, states and
// the binary live in a temporary directory that is removed at the end.
package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

type config struct {
	sizes       []int
	latency     time.Duration
	ready       time.Duration
	parallelism []int
	applyMax    int
	applyBudget time.Duration
	fastSizes   []int
	fastP       int
	baselineP   int
	overlay     string
	bin         string
	out         string
	keep        bool
	timeout     time.Duration
	profile     string
}

// providers: the bench's stacks are idcloudhost's.
var providers = map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}

func main() {
	var cfg config
	sizes := flag.String("sizes", "10,100,1000,10000", "sizes of the VM-heavy stacks (resources), comma-separated; \"\" for none")
	par := flag.String("parallelism", "8,0", "apply --parallelism values to run, comma-separated (0 = as many as the plan has actions)")
	fast := flag.String("fast-sizes", "1000,10000", "sizes of the stacks of networks and floating IPs (one call each), comma-separated; \"\" for none")
	flag.IntVar(&cfg.fastP, "fast-parallelism", 10, "apply --parallelism of the fast stacks")
	flag.DurationVar(&cfg.applyBudget, "apply-budget", 5*time.Minute, "skip a VM-heavy apply whose lower bound alone is longer than this")
	flag.DurationVar(&cfg.latency, "latency", 20*time.Millisecond, "simulator latency added to every API call")
	flag.DurationVar(&cfg.ready, "ready-after", 2*time.Second, "how long a new VM stays creating")
	flag.IntVar(&cfg.applyMax, "apply-max", 10000, "apply only VM-heavy stacks of at most this many resources")
	flag.IntVar(&cfg.baselineP, "baseline-parallelism", 10, "parallelism of the per-resource GET baseline")
	flag.StringVar(&cfg.overlay, "overlay", "", "go build -overlay file for the idstack binary (measure a proposed change without editing the tree)")
	flag.StringVar(&cfg.bin, "bin", "", "use this idstack binary instead of building one (its peak RSS is then its getrusage, which counts the harness's own)")
	flag.StringVar(&cfg.out, "o", "", "also write the tables to this file")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (stacks, plans, states, logs)")
	flag.DurationVar(&cfg.timeout, "timeout", 20*time.Minute, "stop everything after this long")
	flag.StringVar(&cfg.profile, "profile", "", "write CPU profiles into this directory: bench.cpu (this process: simulator, refreshes) and one per idstack child (plan-N.cpu, apply-N-pP.cpu)")
	validateChild := flag.String("validate-child", "", "(used by the harness) time schema.Load of this file in this process and print the times")
	validateRuns := flag.Int("validate-runs", 6, "(with -validate-child) how many times")
	flag.Parse()
	if *validateChild != "" {
		if err := timeValidate(*validateChild, *validateRuns); err != nil {
			fatal(err)
		}
		return
	}
	var err error
	if cfg.sizes, err = intList(*sizes); err != nil {
		fatal(fmt.Errorf("-sizes: %w", err))
	}
	if cfg.parallelism, err = intList(*par); err != nil || len(cfg.parallelism) == 0 {
		fatal(fmt.Errorf("-parallelism: %w", cmp.Or(err, errors.New("empty list"))))
	}
	if cfg.fastSizes, err = intList(*fast); err != nil {
		fatal(fmt.Errorf("-fast-sizes: %w", err))
	}
	if len(cfg.sizes)+len(cfg.fastSizes) == 0 {
		fatal(errors.New("nothing to measure: -sizes and -fast-sizes are both empty"))
	}
	if cfg.fastP < 1 {
		fatal(errors.New("-fast-parallelism must be at least 1"))
	}
	if cfg.baselineP < 1 {
		fatal(fmt.Errorf("-baseline-parallelism must be at least 1"))
	}
	if err := run(cfg); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "idstack-bench: %v\n", err)
	os.Exit(1)
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 100000 {
			return nil, fmt.Errorf("%q: want a number from 0 to 100000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	if cfg.profile != "" {
		if err := os.MkdirAll(cfg.profile, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(cfg.profile, "bench.cpu"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	tmp, err := os.MkdirTemp("", "idstack-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(os.Stderr, "keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := cfg.bin
	if bin == "" {
		fmt.Fprintln(os.Stderr, "building idstack…")
		if bin, err = buildIdstack(ctx, tmp, cfg.overlay); err != nil {
			return err
		}
	}
	var results []*sizeResult
	for _, n := range cfg.sizes {
		if n < 1 {
			return fmt.Errorf("-sizes: %d: a stack has at least one resource", n)
		}
		fmt.Fprintf(os.Stderr, "── %d resources\n", n)
		r, err := measureSize(ctx, cfg, bin, tmp, n)
		if err != nil {
			return fmt.Errorf("%d resources: %w", n, err)
		}
		results = append(results, r)
	}
	var fasts []*fastResult
	for _, n := range cfg.fastSizes {
		if n < 1 {
			return fmt.Errorf("-fast-sizes: %d: a stack has at least one resource", n)
		}
		fmt.Fprintf(os.Stderr, "── %d fast resources\n", n)
		f, err := measureFast(ctx, cfg, bin, tmp, n)
		if err != nil {
			return fmt.Errorf("%d fast resources: %w", n, err)
		}
		fasts = append(fasts, f)
	}
	var w io.Writer = os.Stdout
	if cfg.out != "" {
		f, err := os.Create(cfg.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	report(w, cfg, results, fasts)
	return nil
}

// sizeResult is everything measured for one stack size.
type sizeResult struct {
	N      int
	Counts stackgen.Counts
	// Validate is the median of the warm runs of schema.Load (after the
	// first, which also grows the harness's heap), ValidateFirst the first.
	Validate, ValidateFirst time.Duration

	PlanFresh      *childRun
	PlanFreshCalls int
	Bound          bound

	Applies []applyResult
	Skipped []int // parallelisms whose apply was skipped (-apply-budget)

	PlanApplied      *childRun // nil when apply was skipped
	PlanAppliedCalls int
	Refresh          *refreshResult
	Baseline         *refreshResult
	Notes            []string
}

type applyResult struct {
	P       int // as given (0 = unbounded)
	Run     *childRun
	Exec    time.Duration // first write → exit
	Calls   int
	Polls   int // GET of one VM (readiness)
	Actions int
}

// loadStack is what `idstack validate` does with a bench stack file.
func loadStack(file string) (*spec.Stack, spec.Diagnostics) {
	noEnv := func(string) (string, bool) { return "", false }
	return schema.Load(file, spec.Options{LookupEnv: noEnv, Providers: providers, DefaultProvider: idcloudhost.Name})
}

// timeValidate loads file runs times and prints each load's time in
// nanoseconds, a line each: the harness's -validate-child.
func timeValidate(file string, runs int) error {
	for range runs {
		start := time.Now()
		_, diags := loadStack(file)
		took := time.Since(start)
		if diags.HasErrors() {
			return fmt.Errorf("the generated stack is not valid: %v", diags[0].Summary)
		}
		fmt.Println(took.Nanoseconds())
	}
	return nil
}

// validateInChild runs this program again as -validate-child: the times
// of runs loads of file in a fresh process.
func validateInChild(ctx context.Context, file string, runs int) ([]time.Duration, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-validate-child", file, "-validate-runs", strconv.Itoa(runs))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("timing validate: %w", err)
	}
	var times []time.Duration
	for _, line := range strings.Fields(string(out)) {
		ns, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("timing validate: %q: %w", line, err)
		}
		times = append(times, time.Duration(ns))
	}
	if len(times) != runs {
		return nil, fmt.Errorf("timing validate: %d times, want %d", len(times), runs)
	}
	return times, nil
}

func measureSize(ctx context.Context, cfg config, bin, tmp string, n int) (*sizeResult, error) {
	src, counts := stackgen.Generate(n, stackgen.Options{})
	res := &sizeResult{N: n, Counts: counts}

	// validate: schema.Load of the generated file (what `idstack validate`
	// does) in a process of its own: the first run, then the median of
	// five more (none for the largest stacks). The first pays for the
	// fresh memory its garbage needs (page faults: 8-14 µs a page on the
	// VM these tables come from), as a validate command does; the others
	// measure the code. Not in this process: its heap and goroutines
	// (simulators, the earlier sizes' leftovers) made the same load up
	// to 60 % slower here than alone.
	vdir := filepath.Join(tmp, fmt.Sprintf("validate-%d", n))
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return nil, err
	}
	file := filepath.Join(vdir, "stack.yaml")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		return nil, err
	}
	runs := 6
	if n > 1000 {
		runs = 1
	}
	times, err := validateInChild(ctx, file, runs)
	if err != nil {
		return nil, err
	}
	// The stack itself, for the refreshes below (not timed).
	stack, diags := loadStack(file)
	if diags.HasErrors() {
		return nil, fmt.Errorf("the generated stack is not valid: %v", diags[0].Summary)
	}
	res.ValidateFirst, res.Validate = times[0], times[0]
	if warm := times[1:]; len(warm) > 0 {
		sort.Slice(warm, func(i, j int) bool { return warm[i] < warm[j] })
		res.Validate = warm[len(warm)/2]
	}
	fmt.Fprintf(os.Stderr, "   validate %s (first run %s)\n", ms(res.Validate), ms(res.ValidateFirst))

	// The first world: fresh plan, then the first apply, then a plan with
	// nothing to do and the two refreshes.
	dir := func(name string) (string, error) {
		d := filepath.Join(tmp, fmt.Sprintf("%s-%d", name, n))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
		return d, os.WriteFile(filepath.Join(d, "stack.yaml"), src, 0o644)
	}
	newSim := func() (*simServer, error) {
		return startSim(sim.Options{Latency: cfg.latency, ReadyAfter: cfg.ready, Seed: 8})
	}
	s, err := newSim()
	if err != nil {
		return nil, err
	}
	defer s.close()
	d0, err := dir("world")
	if err != nil {
		return nil, err
	}
	res.PlanFresh, res.PlanFreshCalls, err = timePlan(ctx, s, bin, d0, cfg.profileFile("plan-%d", n), planRuns(n), "plan", "-f", "stack.yaml", "--format", "json")
	if err != nil {
		return nil, err
	}
	if res.Bound, err = criticalPath(res.PlanFresh.Stdout, cfg.latency, cfg.ready); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "   plan (fresh) %s (median of %d: %s), %d calls, %s RSS; critical path %s over %d actions\n",
		ms(res.PlanFresh.Wall), planRuns(n), res.PlanFresh.Spread, res.PlanFreshCalls, mib(res.PlanFresh.MaxRSS), ms(res.Bound.CriticalPath), res.Bound.Chain)

	// The applies to run: none above -apply-max, none whose lower bound
	// alone exceeds -apply-budget.
	var ps []int
	for _, p := range cfg.parallelism {
		switch b := res.Bound.withParallelism(p); {
		case n > cfg.applyMax:
		case b > cfg.applyBudget:
			res.Notes = append(res.Notes, fmt.Sprintf("apply at --parallelism %s skipped: its lower bound alone is %s (-apply-budget %s)", pName(p), ms(b), cfg.applyBudget))
			res.Skipped = append(res.Skipped, p)
		default:
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		took, err := populate(ctx, s, stack, d0, cfg.latency, cfg.ready)
		if err != nil {
			return nil, fmt.Errorf("populating the world: %w", err)
		}
		why := fmt.Sprintf("above %d resources (-apply-max)", cfg.applyMax)
		if n <= cfg.applyMax {
			why = "(-apply-budget)"
		}
		res.Notes = append(res.Notes, fmt.Sprintf("no apply ran %s: the plan with every resource live ran against a world made through the client at zero latency and a state written directly (bench/populate.go, %s)", why, ms(took)))
	}
	for i, p := range ps {
		as, ad := s, d0
		if i > 0 {
			if as, err = newSim(); err != nil {
				return nil, err
			}
			if ad, err = dir(fmt.Sprintf("apply-p%d", p)); err != nil {
				as.close()
				return nil, err
			}
		}
		ar, err := measureApply(ctx, as, bin, ad, cfg.profileFile("apply-%d-p%d", n, p), p, res.Bound.Actions)
		if i > 0 {
			as.close()
		}
		if err != nil {
			return nil, err
		}
		res.Applies = append(res.Applies, ar)
		fmt.Fprintf(os.Stderr, "   apply P=%s: %s (execution %s; bound %s), %d calls (%d VM polls), %s RSS\n",
			pName(p), ms(ar.Run.Wall), ms(ar.Exec), ms(res.Bound.withParallelism(p)), ar.Calls, ar.Polls, mib(ar.Run.MaxRSS))
	}

	res.PlanApplied, res.PlanAppliedCalls, err = timePlan(ctx, s, bin, d0, cfg.profileFile("plan-applied-%d", n), planRuns(n), "plan", "-f", "stack.yaml", "--detailed-exitcode")
	switch {
	case err != nil && res.PlanApplied != nil && res.PlanApplied.ExitCode == 2:
		res.Notes = append(res.Notes, "the plan against the live world still had changes (exit 2): "+firstLine(res.PlanApplied.Stdout))
	case err != nil:
		return nil, fmt.Errorf("plan after apply (want no changes): %w", err)
	}
	fmt.Fprintf(os.Stderr, "   plan (applied) %s (median of %d: %s), %d calls, %s RSS\n", ms(res.PlanApplied.Wall), planRuns(n), res.PlanApplied.Spread, res.PlanAppliedCalls, mib(res.PlanApplied.MaxRSS))

	rr, err := idstackRefresh(ctx, s, stack)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	res.Refresh = &rr
	br, err := baselineRefresh(ctx, s, stack, cfg.baselineP)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	res.Baseline = &br
	fmt.Fprintf(os.Stderr, "   refresh %s (%d calls, %d objects); baseline %s (%d calls)\n", ms(rr.Wall), rr.Calls, rr.Objects, ms(br.Wall), br.Calls)
	return res, nil
}

// planRuns is how many times the harness runs each plan: its wall time is
// the median of that many processes, since on a small VM one process's
// time varies by up to ±30 % from the next one's.
func planRuns(n int) int {
	if n > 1000 {
		return 3
	}
	return 5
}

// timePlan runs a plan command runs times in dir: the result is the first
// run's (its output, exit code and calls; only it writes a profile), with
// the median wall time of all runs, their spread and the highest peak RSS.
// An error (a plan with changes under --detailed-exitcode included) ends
// it with that run's result.
func timePlan(ctx context.Context, s *simServer, bin, dir, profile string, runs int, args ...string) (*childRun, int, error) {
	var first *childRun
	var calls int
	walls := make([]time.Duration, 0, runs)
	for i := range runs {
		c0 := s.sim.CallCount()
		r, err := runIdstack(ctx, bin, dir, s.url, profile, args...)
		if err != nil {
			return r, s.sim.CallCount() - c0, err
		}
		if i == 0 {
			first, calls, profile = r, s.sim.CallCount()-c0, ""
		}
		first.MaxRSS = max(first.MaxRSS, r.MaxRSS)
		walls = append(walls, r.Wall)
	}
	slices.Sort(walls)
	first.Wall = walls[len(walls)/2]
	first.Spread = ms(walls[0]) + "–" + ms(walls[len(walls)-1])
	return first, calls, nil
}

func measureApply(ctx context.Context, s *simServer, bin, dir, profile string, p, actions int) (applyResult, error) {
	flagP := p
	if p == 0 {
		flagP = max(actions, 1)
	}
	c0 := s.sim.CallCount()
	s.arm()
	run, err := runIdstack(ctx, bin, dir, s.url, profile, "apply", "-f", "stack.yaml", "--auto-approve", "--parallelism", strconv.Itoa(flagP))
	if err != nil {
		return applyResult{}, err
	}
	ar := applyResult{P: p, Run: run, Actions: actions}
	ar.Calls, _ = s.callsSince(c0)
	_, byPath := s.callsSince(c0)
	ar.Polls = byPath["GET /user-resource/vm"]
	if fw, ok := s.firstWriteAt(); ok {
		ar.Exec = run.End.Sub(fw)
	}
	if !strings.Contains(string(run.Stdout), "Apply complete") {
		return ar, fmt.Errorf("apply did not complete:\n%s", tail(string(run.Stdout), 2000))
	}
	return ar, nil
}

// profileFile names a child's CPU profile, "" without -profile.
func (c config) profileFile(format string, args ...any) string {
	if c.profile == "" {
		return ""
	}
	abs, err := filepath.Abs(c.profile)
	if err != nil {
		abs = c.profile
	}
	return filepath.Join(abs, fmt.Sprintf(format, args...)+".cpu")
}

// firstLine is the first line of a command's output that says something.
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func pName(p int) string {
	if p == 0 {
		return "∞"
	}
	return strconv.Itoa(p)
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mib(b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// machine describes where the numbers were taken.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
						mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
					}
				}
			}
		}
	}
	return fmt.Sprintf("%d CPUs (nproc), %s%s, %s %s/%s", runtime.NumCPU(), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
