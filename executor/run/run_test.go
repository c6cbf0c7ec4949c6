package run_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
	"github.com/idstack/idstack/spec"
)

// The engine's run, tested with the fake cloud: no HTTP, no binary, no
// real cloud's words.

const twoServers = `provider: fake
stack: t
location: l1
servers:
  web: {size: 1, image: base}
  db: {size: 2, image: base}
addresses:
  ip: {server: web}
`

// world is one test's fake cloud, state directory and stack.
type world struct {
	t     *testing.T
	cloud *fake.Cloud
	dir   string
	mu    sync.Mutex
	notes []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return &world{t: t, cloud: fake.New(), dir: t.TempDir()}
}

func (w *world) stack(src string) *spec.Stack {
	w.t.Helper()
	s, diags := spec.LoadBytes(w.dir+"/t.yaml", []byte(src), spec.Options{
		Providers: map[string]*provider.Description{"fake": fake.Description}, DefaultProvider: "fake",
		LookupEnv: func(string) (string, bool) { return "", false },
	})
	if diags = append(diags, spec.Check(s)...); diags.HasErrors() {
		w.t.Fatal(diags)
	}
	return s
}

func (w *world) backend(s *spec.Stack) state.Backend {
	return state.NewLocal(w.dir, s.Name, s.Provider)
}

func (w *world) config(src string) run.Config {
	s := w.stack(src)
	return run.Config{
		Stack: s, Provider: w.cloud, Backend: w.backend(s), Parallelism: 4,
		CreateDeadline: func(provider.Kind) time.Duration { return 200 * time.Millisecond },
		Sink: func(e run.Event) {
			if e.Type == run.Note {
				w.mu.Lock()
				w.notes = append(w.notes, e.Message)
				w.mu.Unlock()
			}
		},
	}
}

func (w *world) apply(src string) run.Outcome {
	w.t.Helper()
	return run.Apply(context.Background(), w.config(src))
}

func (w *world) mustApply(src string, want run.Status) run.Outcome {
	w.t.Helper()
	out := w.apply(src)
	if out.Status != want {
		w.t.Fatalf("status %d, want %d: %v", out.Status, want, out.Err)
	}
	return out
}

// names lists the live objects as "kind/name", sorted.
func (w *world) names() []string {
	var out []string
	for _, o := range w.cloud.Objects() {
		out = append(out, string(o.Kind)+"/"+o.Name)
	}
	slices.Sort(out)
	return out
}

func (w *world) state(s string) *state.State {
	w.t.Helper()
	st, err := w.backend(w.stack(s)).Load()
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

// Creates and updates first, in dependency order; deletions last, after
// every one of them succeeded.
func TestTwoPhaseOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.mustApply(twoServers, run.Applied)
	// A new address, a replacement of web (its image), db removed.
	next := strings.NewReplacer("  db: {size: 2, image: base}\n", "", "web: {size: 1, image: base}", "web: {size: 1, image: new}",
		"  ip: {server: web}\n", "  ip: {server: web}\n  ip2: {server: web}\n").Replace(twoServers)
	start := len(w.cloud.Log())
	w.mustApply(next, run.Applied)
	var writes []string
	for _, c := range w.cloud.Log()[start:] {
		if !strings.HasPrefix(c, "List") && !strings.HasPrefix(c, "Get") {
			writes = append(writes, c)
		}
	}
	lastWrite := -1
	firstDelete := len(writes)
	for i, c := range writes {
		if strings.HasPrefix(c, "Delete") {
			firstDelete = min(firstDelete, i)
		} else {
			lastWrite = i
		}
	}
	if lastWrite > firstDelete || firstDelete == len(writes) {
		t.Errorf("a deletion ran before a create or update: %v", writes)
	}
	if got := w.names(); !slices.Equal(got, []string{"addresses/ip", "addresses/ip2", "servers/web"}) {
		t.Errorf("world %v", got)
	}
}

// A failure at each create of a fresh stack rolls everything back: the
// world and the state are as before, the outcome says so.
func TestFailureAtEachStepRollsBack(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 3; n++ {
		t.Run(fmt.Sprint("create ", n), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			var calls sync.Mutex
			made := 0
			w.cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
				calls.Lock()
				made++
				mine := made
				calls.Unlock()
				if mine == n {
					return provider.Object{}, &provider.APIError{Status: 422, Message: "injected"}
				}
				name, _ := attrs["name"].(string)
				return w.cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: name, Status: "running", Attrs: attrs}, 0), nil
			}
			cfg := w.config(twoServers)
			cfg.Parallelism = 1
			out := run.Apply(context.Background(), cfg)
			if n == 1 && out.Status == run.NotRun {
				return // the first create failed: nothing was made
			}
			if out.Status != run.RolledBack || !strings.Contains(out.Err.Error(), "injected") {
				t.Fatalf("status %d: %v", out.Status, out.Err)
			}
			if got := w.names(); len(got) != 0 {
				t.Errorf("left after the rollback: %v", got)
			}
			if st := w.state(twoServers); len(st.Resources) != 0 {
				t.Errorf("the state still owns %v", st.Addresses())
			}
		})
	}
	t.Run("update", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.mustApply(twoServers, run.Applied)
		w.cloud.OnDelete = func(context.Context, string) error { return errors.New("no delete expected") }
		fail := true
		w.cloud.OnUpdate = func(_ context.Context, id string, changes []provider.FieldChange) (provider.Object, error) {
			if fail && changes[0].Field == "server" {
				fail = false
				return provider.Object{}, &provider.APIError{Status: 422, Message: "injected"}
			}
			w.cloud.Modify(id, func(o *provider.Object) {
				for _, c := range changes {
					o.Attrs[c.Field] = c.After
				}
			})
			return w.cloud.Get(context.Background(), "", "l1", id)
		}
		// db grows (a restart), ip moves to db: the move fails.
		next := strings.NewReplacer("db: {size: 2", "db: {size: 3", "ip: {server: web}", "ip: {server: db}").Replace(twoServers)
		cfg := w.config(next)
		cfg.Parallelism = 1
		out := run.Apply(context.Background(), cfg)
		if out.Status != run.RolledBack {
			t.Fatalf("status %d: %v", out.Status, out.Err)
		}
		for _, o := range w.cloud.Objects() {
			if o.Name == "db" && o.Attrs["size"] != 2 {
				t.Errorf("db's size is %v after the rollback, want 2", o.Attrs["size"])
			}
		}
	})
}

// An interrupted apply left a create open (its answer never came, the
// object appears only after some lists): the next apply waits for it and
// adopts it, never creating it twice.
func TestRecoveryOfAnOpenIntent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.stack(twoServers)
	b := w.backend(s)
	j, err := b.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Append(state.Entry{Phase: "intent", Op: "create", Address: "servers.web", Kind: "servers", Location: "l1", Name: "web",
		Record: &state.Resource{Address: "servers.web", Kind: "servers", Location: "l1", Name: "web"}}); err != nil {
		t.Fatal(err)
	}
	w.cloud.Put(provider.Object{Kind: fake.Servers, Location: "l1", Name: "web", Status: "running",
		Attrs: provider.Attrs{"name": "web", "size": 1, "image": "base", "power": "running"}}, 2)
	cfg := w.config(twoServers)
	cfg.CreateDeadline = func(provider.Kind) time.Duration { return time.Minute }
	out := run.Apply(context.Background(), cfg)
	if out.Status != run.Applied {
		t.Fatalf("status %d: %v", out.Status, out.Err)
	}
	if got := w.names(); !slices.Equal(got, []string{"addresses/ip", "servers/db", "servers/web"}) {
		t.Errorf("world %v (a duplicate?)", got)
	}
	if n := w.cloud.Count("Create servers"); n != 1 {
		t.Errorf("%d server creates, want 1 (db only)", n)
	}
	if !slices.ContainsFunc(w.notes, func(n string) bool { return strings.Contains(n, "Recovered from an interrupted apply: servers.web") }) {
		t.Errorf("notes %q", w.notes)
	}
}

// A create of an interrupted apply whose object never appears is waited
// for until its deadline, and only then made.
func TestAnOpenIntentsDeadlineExpires(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.stack(twoServers)
	j, _ := w.backend(s).OpenJournal()
	// Timed from before the intent: the deadline counts from the intent,
	// and setting up the run may take a while on a loaded machine.
	start := time.Now()
	j.Append(state.Entry{Phase: "intent", Op: "create", Address: "servers.web", Kind: "servers", Location: "l1", Name: "web",
		Record: &state.Resource{Address: "servers.web", Kind: "servers", Location: "l1", Name: "web"}})
	cfg := w.config(twoServers)
	cfg.CreateDeadline = func(provider.Kind) time.Duration { return 150 * time.Millisecond }
	out := run.Apply(context.Background(), cfg)
	if out.Status != run.Applied {
		t.Fatalf("status %d: %v", out.Status, out.Err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("planned after %s, before the create's deadline", took)
	}
	if got := w.names(); !slices.Equal(got, []string{"addresses/ip", "servers/db", "servers/web"}) {
		t.Errorf("world %v", got)
	}
}

// The first interrupt, while creates are in flight, stops scheduling and
// rolls back; a second one (the context) stops at once, leaving the create
// it cut open for the next run, which adopts it.
func TestInterrupts(t *testing.T) {
	t.Parallel()
	t.Run("first", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		stop := make(chan struct{})
		var once sync.Once
		w.cloud.OnCreate = func(_ context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
			once.Do(func() { close(stop) }) // the interrupt comes while the first create runs
			name, _ := attrs["name"].(string)
			return w.cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: name, Status: "running", Attrs: attrs}, 0), nil
		}
		cfg := w.config(twoServers)
		cfg.Stop = stop
		out := run.Apply(context.Background(), cfg)
		if out.Status != run.RolledBack || out.Result == nil || !out.Result.Interrupted {
			t.Fatalf("status %d: %v", out.Status, out.Err)
		}
		if got := w.names(); len(got) != 0 {
			t.Errorf("left after the rollback: %v", got)
		}
	})
	t.Run("second", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		ctx, cancel := context.WithCancel(context.Background())
		w.cloud.OnCreate = func(cctx context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error) {
			name, _ := attrs["name"].(string)
			// The cloud carries on; the answer is cut off.
			w.cloud.Put(provider.Object{Kind: kind, Location: "l1", Name: name, Status: "running", Attrs: attrs}, 0)
			cancel()
			<-cctx.Done()
			return provider.Object{}, cctx.Err()
		}
		cfg := w.config(twoServers)
		cfg.Parallelism = 1
		out := run.Apply(ctx, cfg)
		if out.Status != run.Incomplete || !strings.Contains(out.Err.Error(), "waits for it") {
			t.Fatalf("status %d: %v", out.Status, out.Err)
		}
		w.cloud.OnCreate = nil
		w.mustApply(twoServers, run.Applied)
		if got := w.names(); !slices.Equal(got, []string{"addresses/ip", "servers/db", "servers/web"}) {
			t.Errorf("world %v (a duplicate?)", got)
		}
		if !slices.ContainsFunc(w.notes, func(n string) bool { return strings.Contains(n, "Recovered from an interrupted apply") }) {
			t.Errorf("the next apply did not adopt the cut create: %q", w.notes)
		}
	})
}

// Nothing to do is nothing done; a plan with an error changes nothing.
func TestNothingToDoAndPlanErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.mustApply(twoServers, run.Applied)
	w.mustApply(twoServers, run.NothingToDo)
	// A replacement of db refused by prevent_destroy: a plan error.
	bad := strings.Replace(twoServers, "db: {size: 2, image: base}", "db: {size: 2, image: other, lifecycle: {prevent_destroy: true}}", 1)
	out := w.apply(bad)
	if out.Status != run.NotRun || !strings.Contains(out.Err.Error(), "cannot be applied") {
		t.Fatalf("status %d: %v", out.Status, out.Err)
	}
}
