// Package executor applies a plan: it walks the plan's graph with bounded
// parallelism, waits for readiness, writes the state after every step and
// reports typed events for views. It knows nothing of YAML or rendering.
package executor

import (
	"container/heap"
	"context"
	"slices"
	"sync"

	"github.com/idstack/idstack/planner/intheap"
)

// node is one unit of work in a walk: a step of the planner's graph.
type node struct {
	key  string // names it in results
	deps []int  // indexes of the nodes it waits for
	run  func(ctx context.Context) error
	// finish, if set, ends the node after run has returned and given
	// its slot back (a step's last journal write): the node's dependents
	// wait for it, the nodes that wait for a slot do not. It returns the
	// node's error, given run's.
	finish func(error) error
}

// walk runs nodes in dependency order, at most parallelism at a time
// (finish does not count), the ready ones in the order given. A node whose dependency failed or was
// skipped is skipped. When a node fails, stop is closed or ctx ends,
// nothing new starts; running nodes finish (ctx reaches them; stop does
// not). Skipped keys come back in the order of the nodes.
//
// Each node's dependencies are counted down as they end and a ready node
// waits in a heap by index: O((nodes + edges) log nodes) for the whole
// walk, where scanning every node at each step's end would be quadratic
// (10,000 nodes: 10⁸ checks).
func walk(ctx context.Context, stop <-chan struct{}, nodes []*node, parallelism int) (failed map[string]error, skipped []string) {
	return walkAll(ctx, stop, nodes, parallelism, false)
}

// walkAll is walk; with keepGoing, a node's failure skips only the nodes
// that wait for it, and the others still start (a batch of independent
// jobs: one VM's failed stop does not stop the rest).
func walkAll(ctx context.Context, stop <-chan struct{}, nodes []*node, parallelism int, keepGoing bool) (failed map[string]error, skipped []string) {
	if parallelism < 1 {
		parallelism = 1
	}
	// sched ends when scheduling must stop: ctx ends or stop is closed.
	sched, cancel := context.WithCancel(ctx)
	defer cancel()
	if stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-sched.Done():
			}
		}()
	}
	failed = map[string]error{}
	n := len(nodes)
	waiting := make([]int, n) // dependencies not yet ended
	dependents := make([][]int, n)
	ready := &intheap.Heap{}
	for i, nd := range nodes {
		for _, d := range nd.deps {
			waiting[i]++
			dependents[d] = append(dependents[d], i)
		}
	}
	for i := range nodes {
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	state := make([]int, n) // 0 waiting, 1 running, 2 done, 3 failed/skipped
	var skippedAt []int
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	running := 0   // in run: holding a slot
	finishing := 0 // in finish
	stopped := false
	remaining := n

	// skip marks a node that has not started, and every node that waits
	// for it, as skipped.
	skip := func(i int) {
		for todo := []int{i}; len(todo) > 0; {
			j := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if state[j] != 0 {
				continue
			}
			state[j] = 3
			skippedAt = append(skippedAt, j)
			remaining--
			todo = append(todo, dependents[j]...)
		}
	}
	start := func(i int) {
		nd := nodes[i]
		state[i] = 1
		running++
		go func() {
			err := nd.run(ctx)
			mu.Lock()
			running--
			if err != nil && !keepGoing {
				stopped = true // nothing new starts while it finishes
			}
			if nd.finish != nil {
				finishing++
				cond.Broadcast() // its slot is free
				mu.Unlock()
				err = nd.finish(err)
				mu.Lock()
				finishing--
			}
			defer mu.Unlock()
			remaining--
			if err != nil {
				state[i] = 3
				failed[nd.key] = err
				stopped = stopped || !keepGoing
				for _, j := range dependents[i] {
					skip(j)
				}
			} else {
				state[i] = 2
				for _, j := range dependents[i] {
					if waiting[j]--; waiting[j] == 0 && state[j] == 0 {
						heap.Push(ready, j)
					}
				}
			}
			cond.Broadcast()
		}()
	}

	mu.Lock()
	defer mu.Unlock()
	for remaining > 0 {
		if sched.Err() != nil {
			stopped = true
		}
		if !stopped {
			for running < parallelism && ready.Len() > 0 {
				if i := heap.Pop(ready).(int); state[i] == 0 {
					start(i)
				}
			}
		}
		if running == 0 && (stopped || finishing == 0) {
			// Stopped, or only nodes of a dependency cycle are left
			// (none can start): skip the rest, and wait for the nodes
			// that are finishing.
			for i := range nodes {
				skip(i)
			}
			if remaining == 0 {
				break
			}
		}
		if sched.Err() != nil {
			cond.Wait() // only completions can change anything now
		} else {
			waitWithContext(sched, cond)
		}
	}
	slices.Sort(skippedAt)
	for _, i := range skippedAt {
		skipped = append(skipped, nodes[i].key)
	}
	return failed, skipped
}

// waitWithContext waits on cond, waking up too when ctx ends.
func waitWithContext(ctx context.Context, cond *sync.Cond) {
	stop := context.AfterFunc(ctx, func() {
		cond.L.Lock()
		cond.Broadcast()
		cond.L.Unlock()
	})
	cond.Wait()
	stop()
}
