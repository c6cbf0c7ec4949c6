package planner

import (
	"container/heap"
	"strings"

	"github.com/idstack/idstack/planner/intheap"
)

// Graph is a generic dependency graph of named nodes: it knows nothing of
// resources. An edge from A to B says A depends on B (B goes first).
type Graph struct {
	nodes []string
	index map[string]int
	deps  map[string][]string
}

// NewGraph makes a graph of the nodes, in the order given (the order that
// ties are broken by).
func NewGraph(nodes []string) *Graph {
	g := &Graph{index: map[string]int{}, deps: map[string][]string{}}
	for _, n := range nodes {
		if _, ok := g.index[n]; !ok {
			g.index[n] = len(g.nodes)
			g.nodes = append(g.nodes, n)
		}
	}
	return g
}

// Edge records that from depends on to. Unknown nodes are ignored.
func (g *Graph) Edge(from, to string) {
	if _, ok := g.index[from]; !ok {
		return
	}
	if _, ok := g.index[to]; !ok || from == to {
		return
	}
	g.deps[from] = appendUnique(g.deps[from], to)
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
	pending := map[string]int{}
	users := map[string][]string{}
	for _, n := range g.nodes {
		pending[n] = len(g.deps[n])
		for _, d := range g.deps[n] {
			users[d] = append(users[d], n)
		}
	}
	// ready is a min-heap of node indexes: the earliest-given ready node
	// goes next, in O(log n) per node.
	ready := &intheap.Heap{}
	for i, n := range g.nodes {
		if pending[n] == 0 {
			heap.Push(ready, i)
		}
	}
	out := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		n := g.nodes[heap.Pop(ready).(int)]
		out = append(out, n)
		for _, u := range users[n] {
			pending[u]--
			if pending[u] == 0 {
				heap.Push(ready, g.index[u])
			}
		}
	}
	if len(out) < len(g.nodes) {
		return nil, &CycleError{Edges: g.cycle(pending)}
	}
	return out, nil
}

// cycle finds one cycle among the nodes left with unmet dependencies.
func (g *Graph) cycle(pending map[string]int) [][2]string {
	var start string
	for _, n := range g.nodes {
		if pending[n] > 0 {
			start = n
			break
		}
	}
	seen := map[string]int{}
	path := []string{start}
	for n := start; ; {
		seen[n] = len(path) - 1
		var next string
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
				edges = append(edges, [2]string{cyc[j], cyc[j+1]})
			}
			return edges
		}
		path = append(path, next)
		n = next
		if len(path) > len(g.nodes)+1 {
			return nil
		}
	}
}
