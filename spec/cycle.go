package spec

import (
	"sort"
	"strings"
)

type depEdge struct {
	to    Address
	field string
}

// cycles reports each reference cycle once, listing its edges, at the
// field of its first resource in file order.
func (c *checker) cycles() {
	index := map[Address]int{}
	for i, r := range c.s.Resources {
		index[r.Addr] = i
	}
	edges := map[Address][]depEdge{}
	for _, r := range c.s.Resources {
		seen := map[depEdge]bool{}
		for _, f := range sortedFields(r) {
			for _, ref := range r.Fields[f].Refs {
				e := depEdge{to: ref.Addr, field: f}
				if _, ok := index[ref.Addr]; ok && !seen[e] {
					seen[e] = true
					edges[r.Addr] = append(edges[r.Addr], e)
				}
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[Address]int{}
	var stack []Address
	var stackEdges []depEdge
	reported := map[string]bool{}
	var visit func(a Address)
	visit = func(a Address) {
		color[a] = grey
		stack = append(stack, a)
		for _, e := range edges[a] {
			switch color[e.to] {
			case white:
				stackEdges = append(stackEdges, e)
				visit(e.to)
				stackEdges = stackEdges[:len(stackEdges)-1]
			case grey:
				start := 0
				for i, s := range stack {
					if s == e.to {
						start = i
					}
				}
				c.reportCycle(stack[start:], append(append([]depEdge{}, stackEdges[start:]...), e), index, reported)
			}
		}
		stack = stack[:len(stack)-1]
		color[a] = black
	}
	for _, r := range c.s.Resources {
		if color[r.Addr] == white {
			visit(r.Addr)
		}
	}
}

func (c *checker) reportCycle(nodes []Address, edges []depEdge, index map[Address]int, reported map[string]bool) {
	// Rotate so the cycle starts at its first resource in file order.
	first := 0
	for i, n := range nodes {
		if index[n] < index[nodes[first]] {
			first = i
		}
	}
	nodes = append(append([]Address{}, nodes[first:]...), nodes[:first]...)
	edges = append(append([]depEdge{}, edges[first:]...), edges[:first]...)
	keys := make([]string, len(nodes))
	for i, n := range nodes {
		keys[i] = n.String()
	}
	sorted := append([]string{}, keys...)
	sort.Strings(sorted)
	if id := strings.Join(sorted, " "); reported[id] {
		return
	} else {
		reported[id] = true
	}
	var lines []string
	for i, e := range edges {
		lines = append(lines, "  "+keys[i]+" → "+e.to.String()+" (by "+e.field+")")
	}
	r := c.s.Lookup(nodes[0])
	p := resPtr(r) + "/" + escapePointer(edges[0].field)
	c.errorf(c.at(p, r.Range), p, "references must not form a cycle; the cycle:\n"+strings.Join(lines, "\n"),
		"reference cycle: %s → %s", strings.Join(keys, " → "), keys[0])
}
