package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// planJSON is the part of `idstack plan --format json` (SPEC §6) the
// bound needs.
type planJSON struct {
	Summary map[string]int `json:"summary"`
	Actions []struct {
		Address   string   `json:"address"`
		Kind      string   `json:"kind"`
		Action    string   `json:"action"`
		DependsOn []string `json:"depends_on"`
		WaitFor   string   `json:"wait_for"`
		Changes   []struct {
			Path  string `json:"path"`
			After any    `json:"after"`
		} `json:"changes"`
	} `json:"actions"`
}

// bound is the apply's lower bound computed from a plan's graph.
type bound struct {
	Actions      int
	CriticalPath time.Duration // longest chain, unbounded parallelism
	Work         time.Duration // sum of every action's own duration
	Chain        int           // actions on the critical path
	Calls        int           // API calls of the apply besides readiness polls
}

// withParallelism is the lower bound with at most p actions at once: a
// step holds its slot while it waits for readiness, so no schedule beats
// max(critical path, work / p).
func (b bound) withParallelism(p int) time.Duration {
	if p <= 0 || p >= b.Actions {
		return b.CriticalPath
	}
	w := b.Work / time.Duration(p)
	if w > b.CriticalPath {
		return w
	}
	return b.CriticalPath
}

// actionCost is the least time one create can take against the simulator
// with per-call latency lat and VM ready delay ready, and the sequential
// API calls it makes (the client's code, provider/idcloudhost):
//
//	networks, buckets, load_balancers  1 call (POST; the load balancer's
//	                                   rules and targets go in its body)
//	disks                              POST, then POST vm/storage/attach when attach_to
//	floating_ips                       POST, then POST …/assign when assign_to
//	vms                                POST, then GET networks (the VM's network),
//	                                   then readiness: the VM is "creating" for
//	                                   ready after the POST is served, and a GET
//	                                   sees "running" only when sent after that:
//	                                   max(2·lat, ready) + lat
func actionCost(kind, action string, linked bool, lat, ready time.Duration) (time.Duration, int, error) {
	if action != "create" {
		return 0, 0, fmt.Errorf("the bound models creates only, got %s of %s", action, kind)
	}
	switch kind {
	case "networks", "buckets", "load_balancers":
		return lat, 1, nil
	case "disks", "floating_ips":
		if linked {
			return 2 * lat, 2, nil
		}
		return lat, 1, nil
	case "vms":
		return max(2*lat, ready) + lat, 2, nil
	}
	return 0, 0, fmt.Errorf("unknown kind %q", kind)
}

// criticalPath computes the bound of a plan of creates.
func criticalPath(planOut []byte, lat, ready time.Duration) (bound, error) {
	var p planJSON
	if err := json.Unmarshal(planOut, &p); err != nil {
		return bound{}, fmt.Errorf("reading the plan JSON: %w", err)
	}
	type nodeT struct {
		cost   time.Duration
		deps   []string
		finish time.Duration
		chain  int
		state  int // 0 new, 1 visiting, 2 done
	}
	nodes := map[string]*nodeT{}
	var b bound
	for _, a := range p.Actions {
		linked := false
		for _, c := range a.Changes {
			// An unassigned floating IP plans assign_to as "".
			if (c.Path == "attach_to" || c.Path == "assign_to") && c.After != nil && c.After != "" {
				linked = true
			}
		}
		cost, calls, err := actionCost(a.Kind, a.Action, linked, lat, ready)
		if err != nil {
			return bound{}, fmt.Errorf("%s: %w", a.Address, err)
		}
		nodes[a.Address] = &nodeT{cost: cost, deps: a.DependsOn}
		b.Actions++
		b.Work += cost
		b.Calls += calls
	}
	// Earliest finish of each action; iterative DFS, bounded by the node
	// count (a cycle is an error, not a hang).
	var visit func(addr string, depth int) (time.Duration, int, error)
	visit = func(addr string, depth int) (time.Duration, int, error) {
		n := nodes[addr]
		if n == nil {
			return 0, 0, nil
		}
		switch n.state {
		case 2:
			return n.finish, n.chain, nil
		case 1:
			return 0, 0, fmt.Errorf("dependency cycle through %s", addr)
		}
		if depth > len(nodes) {
			return 0, 0, fmt.Errorf("dependency chain longer than the plan at %s", addr)
		}
		n.state = 1
		var start time.Duration
		chain := 0
		for _, d := range n.deps {
			f, c, err := visit(d, depth+1)
			if err != nil {
				return 0, 0, err
			}
			if f > start {
				start, chain = f, c
			}
		}
		n.finish, n.chain, n.state = start+n.cost, chain+1, 2
		return n.finish, n.chain, nil
	}
	for addr := range nodes {
		f, c, err := visit(addr, 0)
		if err != nil {
			return bound{}, err
		}
		if f > b.CriticalPath {
			b.CriticalPath, b.Chain = f, c
		}
	}
	return b, nil
}
