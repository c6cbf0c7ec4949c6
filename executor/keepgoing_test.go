package executor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWalkKeepGoing: with keepGoing a failed node skips only the nodes
// that wait for it, the independent ones still start (one at a time
// here, so each starts after the failure); without it the failure stops
// scheduling.
func TestWalkKeepGoing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		keepGoing   bool
		stop        <-chan struct{}
		wantRan     []string
		wantSkipped []string
	}{
		{"keep going", true, nil, []string{"a", "b", "d"}, []string{"c"}},
		{"stop at the first failure", false, nil, []string{"a", "b"}, []string{"c", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var ran []string
			mk := func(key string, err error, deps ...int) *node {
				return &node{key: key, deps: deps, run: func(context.Context) error {
					mu.Lock()
					ran = append(ran, key)
					mu.Unlock()
					return err
				}}
			}
			boom := errors.New("boom")
			// b fails; c depends on b; d is independent.
			nodes := []*node{mk("a", nil), mk("b", boom), mk("c", nil, 1), mk("d", nil)}
			failed, skipped := walkAll(context.Background(), tc.stop, nodes, 1, tc.keepGoing)
			slices.Sort(ran)
			if d := cmp.Diff(tc.wantRan, ran); d != "" {
				t.Errorf("ran (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantSkipped, skipped); d != "" {
				t.Errorf("skipped (-want +got):\n%s", d)
			}
			if tc.stop == nil && !errors.Is(failed["b"], boom) {
				t.Errorf("failed %v, want b's error", failed)
			}
		})
	}
}
