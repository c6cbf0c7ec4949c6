// Package executor applies a plan: it walks the plan's graph with bounded
// parallelism, waits for readiness, writes the state after every step and
// reports typed events for views. It knows nothing of YAML or rendering.
package executor

import (
	"context"
	"sync"
)

// node is one unit of work in a walk: a step of the planner's graph.
type node struct {
	key  string // names it in results
	deps []int  // indexes of the nodes it waits for
	run  func(ctx context.Context) error
}

// walk runs nodes in dependency order, at most parallelism at a time. A
// node whose dependency failed or was skipped is skipped. When a node
// fails, stop is closed or ctx ends, nothing new starts; running nodes
// finish (ctx reaches them; stop does not).
func walk(ctx context.Context, stop <-chan struct{}, nodes []*node, parallelism int) (failed map[string]error, skipped []string) {
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
	state := make([]int, len(nodes)) // 0 waiting, 1 running, 2 done, 3 failed/skipped
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	running := 0
	stopped := false
	remaining := len(nodes)

	start := func(i int) {
		n := nodes[i]
		state[i] = 1
		running++
		go func() {
			err := n.run(ctx)
			mu.Lock()
			running--
			remaining--
			if err != nil {
				state[i] = 3
				failed[n.key] = err
				stopped = true
			} else {
				state[i] = 2
			}
			cond.Broadcast()
			mu.Unlock()
		}()
	}

	mu.Lock()
	defer mu.Unlock()
	for remaining > 0 {
		if sched.Err() != nil {
			stopped = true
		}
		progressed := false
		for i, n := range nodes {
			if state[i] != 0 {
				continue
			}
			ready, dead := true, false
			for _, d := range n.deps {
				switch state[d] {
				case 0, 1:
					ready = false
				case 3:
					dead = true
				}
			}
			switch {
			case dead || (stopped && running == 0):
				state[i] = 3
				skipped = append(skipped, n.key)
				remaining--
				progressed = true
			case stopped:
				// finish what runs; start nothing
			case ready && running < parallelism:
				start(i)
				progressed = true
			}
		}
		if remaining == 0 {
			break
		}
		if !progressed {
			if running == 0 {
				// only unreachable nodes left (a dependency cycle): skip them
				for i, n := range nodes {
					if state[i] == 0 {
						state[i] = 3
						skipped = append(skipped, n.key)
						remaining--
					}
				}
				break
			}
			if sched.Err() != nil {
				cond.Wait() // only completions can change anything now
			} else {
				waitWithContext(sched, cond)
			}
		}
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
