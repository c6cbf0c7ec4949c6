package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder makes nodes that note when they start and end.
type recorder struct {
	mu      sync.Mutex
	started []string
	ended   map[string]bool
	running atomic.Int32
	peak    atomic.Int32
	deps    map[string][]string // by key: the keys a node waits for
}

// linked turns the recorded dependency keys into the indexes a walk reads.
func (r *recorder) linked(nodes []*node) []*node {
	at := map[string]int{}
	for i, n := range nodes {
		at[n.key] = i
	}
	for _, n := range nodes {
		for _, d := range r.deps[n.key] {
			n.deps = append(n.deps, at[d])
		}
	}
	return nodes
}

func (r *recorder) node(key string, deps []string, d time.Duration, err error) *node {
	if r.deps == nil {
		r.deps = map[string][]string{}
	}
	r.deps[key] = deps
	return &node{key: key, run: func(ctx context.Context) error {
		r.mu.Lock()
		r.started = append(r.started, key)
		for _, dep := range deps {
			if !r.ended[dep] {
				r.mu.Unlock()
				return errors.New(key + " started before " + dep + " ended")
			}
		}
		r.mu.Unlock()
		if n := r.running.Add(1); n > r.peak.Load() {
			r.peak.Store(n)
		}
		time.Sleep(d)
		r.running.Add(-1)
		r.mu.Lock()
		r.ended[key] = true
		r.mu.Unlock()
		return err
	}}
}

func TestWalk(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name        string
		nodes       func(r *recorder) []*node
		parallelism int
		stopAfter   time.Duration // close stop this long after the start (0: never)
		wantFailed  []string
		wantSkipped []string
		maxPeak     int32
	}{
		{
			name: "dependencies go first",
			nodes: func(r *recorder) []*node {
				return []*node{r.node("vm", []string{"net"}, 5*time.Millisecond, nil), r.node("net", nil, 5*time.Millisecond, nil),
					r.node("disk", []string{"vm"}, 0, nil)}
			},
			parallelism: 8,
		},
		{
			name: "dependents of a failure are skipped, others finish",
			nodes: func(r *recorder) []*node {
				return []*node{r.node("net", nil, 0, boom), r.node("vm", []string{"net"}, 0, nil), r.node("bucket", nil, 20*time.Millisecond, nil)}
			},
			parallelism: 8,
			wantFailed:  []string{"net"},
			wantSkipped: []string{"vm"},
		},
		{
			name: "parallelism bounds the steps at once",
			nodes: func(r *recorder) []*node {
				var ns []*node
				for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
					ns = append(ns, r.node(k, nil, 15*time.Millisecond, nil))
				}
				return ns
			},
			parallelism: 3,
			maxPeak:     3,
		},
		{
			name: "the nodes of a dependency cycle are skipped, the others run",
			nodes: func(r *recorder) []*node {
				return []*node{r.node("a", []string{"b"}, 0, nil), r.node("b", []string{"a"}, 0, nil), r.node("c", nil, 0, nil),
					r.node("d", []string{"c"}, 0, nil)}
			},
			parallelism: 8,
			wantSkipped: []string{"a", "b"},
		},
		{
			name: "stop lets running steps finish and starts nothing new",
			nodes: func(r *recorder) []*node {
				return []*node{r.node("slow", nil, 60*time.Millisecond, nil), r.node("after", []string{"slow"}, 0, nil)}
			},
			parallelism: 8,
			stopAfter:   10 * time.Millisecond,
			wantSkipped: []string{"after"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{ended: map[string]bool{}}
			stop := make(chan struct{})
			if tc.stopAfter > 0 {
				time.AfterFunc(tc.stopAfter, func() { close(stop) })
			}
			failed, skipped := walk(context.Background(), stop, r.linked(tc.nodes(r)), tc.parallelism)
			var gotFailed []string
			for k, err := range failed {
				if err != boom {
					t.Errorf("%s: %v", k, err)
				}
				gotFailed = append(gotFailed, k)
			}
			sort.Strings(gotFailed)
			sort.Strings(skipped)
			if d := cmp.Diff(tc.wantFailed, gotFailed); d != "" {
				t.Errorf("failed (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantSkipped, skipped); d != "" {
				t.Errorf("skipped (-want +got):\n%s", d)
			}
			if tc.maxPeak > 0 && r.peak.Load() > tc.maxPeak {
				t.Errorf("%d steps ran at once, want at most %d", r.peak.Load(), tc.maxPeak)
			}
			if tc.stopAfter > 0 && !r.ended["slow"] {
				t.Error("a running step was not let finish")
			}
		})
	}
}

// BenchmarkWalk: the scheduling cost of a walk of n independent steps
// that do nothing, at parallelism 10.
//
//	go test ./executor -run '^$' -bench Walk
func BenchmarkWalk(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			nodes := make([]*node, n)
			for i := range nodes {
				nodes[i] = &node{key: fmt.Sprint(i), run: func(context.Context) error { return nil }}
				if i >= 10 {
					nodes[i].deps = []int{i - 10}
				}
			}
			for b.Loop() {
				walk(context.Background(), nil, nodes, 10)
			}
		})
	}
}

// TestFinishGivesTheSlotBack: a node's finish runs after its slot is
// free (at parallelism 1, the next node starts meanwhile), and its
// dependents wait for it.
func TestFinishGivesTheSlotBack(t *testing.T) {
	bStarted := make(chan struct{})
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	a := &node{key: "a", run: func(context.Context) error { note("a"); return nil }}
	a.finish = func(err error) error {
		select {
		case <-bStarted:
		case <-time.After(10 * time.Second):
			return errors.New("b did not start while a finished")
		}
		note("a finished")
		return err
	}
	b := &node{key: "b", run: func(context.Context) error { note("b"); close(bStarted); return nil }}
	c := &node{key: "c", deps: []int{0}, run: func(context.Context) error { note("c"); return nil }}
	failed, skipped := walk(context.Background(), nil, []*node{a, b, c}, 1)
	if len(failed) != 0 || len(skipped) != 0 {
		t.Fatalf("failed %v, skipped %v", failed, skipped)
	}
	if i, j := slices.Index(order, "a finished"), slices.Index(order, "c"); i < 0 || j < i {
		t.Errorf("order %v: c must start after a finished", order)
	}
}
