package planner

import (
	"container/heap"
	"slices"
	"strings"

	"github.com/idstack/idstack/planner/intheap"
)

// Graph is a generic dependency graph of named nodes: it knows nothing of
// resources. An edge from A to B says A depends on B (B goes first).
// Nodes are kept by their index in the given order.
type Graph struct {
	nodes []string
	index map[string]int
	deps  [][]int // node → the nodes it depends on, in the order added
}

// NewGraph makes a graph of the nodes, in the order given (the order that
// ties are broken by).
func NewGraph(nodes []string) *Graph {
	g := &Graph{nodes: make([]string, 0, len(nodes)), index: make(map[string]int, len(nodes))}
	for _, n := range nodes {
		if _, ok := g.index[n]; !ok {
			g.index[n] = len(g.nodes)
			g.nodes = append(g.nodes, n)
		}
	}
	g.deps = make([][]int, len(g.nodes))
	return g
}

// Edge records that from depends on to. Unknown nodes are ignored.
func (g *Graph) Edge(from, to string) {
	f, ok := g.index[from]
	if !ok {
		return
	}
	t, ok := g.index[to]
	if !ok || from == to {
		return
	}
	if !slices.Contains(g.deps[f], t) {
		g.deps[f] = append(g.deps[f], t)
	}
}

// CycleError lists the edges of a dependency cycle.
type CycleError struct{ Edges [][2]string }

func (e *CycleError) Error() string {
	parts := make([]string, len(e.Edges))
	for i, ed := range e.Edges {
		parts[i] = ed[0] + " → " + ed[1]
	}
	return "dependency cycle: " + strings.Join(parts, ", ")
}

// Order returns the nodes so that each comes after its dependencies,
// stable in the given order otherwise (Kahn's algorithm).
func (g *Graph) Order() ([]string, error) {
	pending := make([]int, len(g.nodes))
	users := make([][]int, len(g.nodes))
	for n, deps := range g.deps {
		pending[n] = len(deps)
		for _, d := range deps {
			users[d] = append(users[d], n)
		}
	}
	// ready is a min-heap of node indexes: the earliest-given ready node
	// goes next, in O(log n) per node.
	ready := &intheap.Heap{}
	for n := range g.nodes {
		if pending[n] == 0 {
			heap.Push(ready, n)
		}
	}
	out := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(int)
		out = append(out, g.nodes[n])
		for _, u := range users[n] {
			pending[u]--
			if pending[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(out) < len(g.nodes) {
		return nil, &CycleError{Edges: g.cycle(pending)}
	}
	return out, nil
}

// cycle finds one cycle among the nodes left with unmet dependencies.
func (g *Graph) cycle(pending []int) [][2]string {
	start := -1
	for n := range g.nodes {
		if pending[n] > 0 {
			start = n
			break
		}
	}
	if start < 0 {
		return nil
	}
	seen := map[int]int{}
	path := []int{start}
	for n := start; ; {
		seen[n] = len(path) - 1
		next := -1
		for _, d := range g.deps[n] {
			if pending[d] > 0 {
				next = d
				break
			}
		}
		if i, ok := seen[next]; ok {
			var edges [][2]string
			cyc := append(path[i:], next)
			for j := 0; j+1 < len(cyc); j++ {
				edges = append(edges, [2]string{g.nodes[cyc[j]], g.nodes[cyc[j+1]]})
			}
			return edges
		}
		path = append(path, next)
		n = next
		if next < 0 || len(path) > len(g.nodes)+1 {
			return nil
		}
	}
}
