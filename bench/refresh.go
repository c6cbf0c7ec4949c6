package main

import (
	"context"
	"fmt"
	"time"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// refreshResult is one timed refresh.
type refreshResult struct {
	Wall    time.Duration
	Calls   int
	Objects int
}

// idstackRefresh times planner.Refresh of a stack's scopes in process (the
// refresh of `idstack plan`: each kind listed once per location, with the
// parallelism the CLI uses).
func idstackRefresh(ctx context.Context, s *simServer, stack *spec.Stack) (refreshResult, error) {
	client := idcloudhost.New(s.url, "bench")
	scopes := planner.Scopes(stack.Provider, stack, state.New(stack.Name))
	n0 := s.sim.CallCount()
	start := time.Now()
	live, err := planner.Refresh(ctx, client, scopes, 8)
	wall := time.Since(start)
	if err != nil {
		return refreshResult{}, err
	}
	objs := 0
	for _, o := range live.Objects {
		objs += len(o)
	}
	return refreshResult{Wall: wall, Calls: s.sim.CallCount() - n0, Objects: objs}, nil
}

// target is one live object to read in the baseline.
type target struct {
	kind     provider.Kind
	location string
	id       string
}

// baselineRefresh reads every live object of the stack with its own GET,
// parallelism fixed at 10: the way Terraform refreshes. The objects are
// found first with lists (not timed); default networks are left out.
func baselineRefresh(ctx context.Context, s *simServer, stack *spec.Stack, parallelism int) (refreshResult, error) {
	client := idcloudhost.New(s.url, "bench")
	var targets []target
	for _, sc := range planner.Scopes(stack.Provider, stack, state.New(stack.Name)) {
		objs, err := client.List(ctx, sc.Kind, sc.Location)
		if err != nil {
			return refreshResult{}, fmt.Errorf("listing %s: %w", sc, err)
		}
		for _, o := range objs {
			if sc.Kind == idcloudhost.Networks && o.Attrs["is_default"] == true {
				continue
			}
			targets = append(targets, target{sc.Kind, sc.Location, o.ID})
		}
	}
	get := func(t target) error {
		var err error
		switch t.kind {
		case idcloudhost.VMs:
			_, err = client.GetVM(ctx, t.location, t.id)
		case idcloudhost.Networks:
			_, err = client.GetNetwork(ctx, t.location, t.id)
		case idcloudhost.Disks:
			_, err = client.GetDisk(ctx, t.location, t.id)
		case idcloudhost.FloatingIPs:
			_, err = client.GetFloatingIP(ctx, t.location, t.id)
		case idcloudhost.LoadBalancers:
			_, err = client.GetLoadBalancer(ctx, t.location, t.id)
		case idcloudhost.Buckets:
			_, err = client.GetBucket(ctx, t.id)
		default:
			err = fmt.Errorf("unknown kind %s", t.kind)
		}
		return err
	}
	n0 := s.sim.CallCount()
	start := time.Now()
	err := forEach(ctx, targets, parallelism, func(t target) error {
		if err := get(t); err != nil {
			return fmt.Errorf("GET %s %s: %w", t.kind, t.id, err)
		}
		return nil
	})
	wall := time.Since(start)
	if err != nil {
		return refreshResult{}, err
	}
	return refreshResult{Wall: wall, Calls: s.sim.CallCount() - n0, Objects: len(targets)}, nil
}
