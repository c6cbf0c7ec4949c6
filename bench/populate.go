package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// populate makes the world a stack describes without idstack apply (for
// sizes where apply is skipped): every resource created through the client
// with the simulator's latency and ready delay at zero, and a state that
// owns them written beside the stack file, so that plan and the refreshes
// can be measured against a world of that size. It returns how long it
// took.
func populate(ctx context.Context, s *simServer, stack *spec.Stack, dir string, lat, ready time.Duration) (time.Duration, error) {
	start := time.Now()
	s.sim.SetLatency(0)
	s.sim.SetReadyAfter(0)
	defer func() {
		s.sim.SetLatency(lat)
		s.sim.SetReadyAfter(ready)
	}()
	client := idcloudhost.New(s.url, "bench")
	st := state.New(stack.Name)
	var mu sync.Mutex
	ids := map[string]string{} // address → live id

	// Kinds in dependency order; the resources of one kind have no
	// references among themselves that a create needs (a web VM's
	// cloud_init reads the db VM's address only as text here).
	for _, kind := range []spec.Kind{idcloudhost.Networks, idcloudhost.Buckets, idcloudhost.VMs, idcloudhost.Disks, idcloudhost.FloatingIPs, idcloudhost.LoadBalancers} {
		var rs []*spec.Resource
		for _, r := range stack.Resources {
			if r.Addr.Kind == kind {
				rs = append(rs, r)
			}
		}
		err := forEach(ctx, rs, 32, func(r *spec.Resource) error {
			mu.Lock()
			attrs := provider.Attrs{}
			var deps []string
			for f, v := range r.Fields {
				var refIDs []any
				for _, ref := range v.Refs {
					if ref.Attr == "" {
						refIDs = append(refIDs, ids[ref.Addr.String()])
						deps = append(deps, ref.Addr.String())
					}
				}
				switch {
				case len(refIDs) > 0 && f == "targets":
					attrs[f] = refIDs
				case len(refIDs) > 0:
					attrs[f] = refIDs[0]
				default:
					attrs[f] = v.V
				}
			}
			mu.Unlock()
			loc := r.Location
			if stack.Provider.Kind(kind).Global {
				loc = ""
			}
			obj, err := client.Create(ctx, provider.Kind(kind), loc, attrs)
			if err != nil {
				return fmt.Errorf("creating %s: %w", r.Addr, err)
			}
			name := obj.Name
			if n, ok := attrs["name"].(string); ok && name == "" {
				name = n
			}
			mu.Lock()
			ids[r.Addr.String()] = obj.ID
			st.Put(&state.Resource{Address: r.Addr.String(), Kind: string(kind), ID: obj.ID, Location: loc, Name: name, DependsOn: deps})
			mu.Unlock()
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if err := state.NewLocal(dir, stack.Name, stack.Provider).Save(st); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// forEach runs f on every item, at most parallelism at once, and returns
// the first error (the others still finish).
func forEach[T any](ctx context.Context, items []T, parallelism int, f func(T) error) error {
	work := make(chan T)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := f(it); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		work <- it
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}
