package spec

import (
	"slices"
	"sort"
	"strings"
)

type depEdge struct {
	to    Address
	field string
}

// cycles reports each reference cycle once, listing its edges, at the
// field of its first resource in file order. Resources are numbered (the
// last of an address, as index holds it) so the walk indexes slices, not
// maps of addresses; only the fields that hold references are sorted.
func (c *checker) cycles() {
	res := c.s.Resources
	index := make(map[Address]int, len(res))
	for i, r := range res {
		index[r.Addr] = i
	}
	type edge struct {
		to    int
		field string
	}
	edges := make([][]edge, len(res))
	var fields []string
	for _, r := range res {
		fields = fields[:0]
		for f, v := range r.Fields {
			if len(v.Refs) > 0 {
				fields = append(fields, f)
			}
		}
		if len(fields) == 0 {
			continue
		}
		sort.Strings(fields)
		from := index[r.Addr]
		base := len(edges[from]) // r's own edges follow (another resource of its address may have some)
		var seen map[edge]bool   // r's edges, once there are many
		for _, f := range fields {
			for _, ref := range r.Fields[f].Refs {
				to, ok := index[ref.Addr]
				if !ok {
					continue
				}
				e := edge{to, f}
				own := edges[from][base:]
				if seen == nil && len(own) > 16 {
					seen = make(map[edge]bool, 2*len(own))
					for _, o := range own {
						seen[o] = true
					}
				}
				if seen != nil && seen[e] || seen == nil && slices.Contains(own, e) {
					continue
				}
				if seen != nil {
					seen[e] = true
				}
				edges[from] = append(edges[from], e)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(res))
	var stack []int
	var stackEdges []depEdge
	var reported map[string]bool
	var visit func(a int)
	visit = func(a int) {
		color[a] = grey
		stack = append(stack, a)
		for _, e := range edges[a] {
			switch color[e.to] {
			case white:
				stackEdges = append(stackEdges, depEdge{to: res[e.to].Addr, field: e.field})
				visit(e.to)
				stackEdges = stackEdges[:len(stackEdges)-1]
			case grey:
				start := 0
				for i, s := range stack {
					if s == e.to {
						start = i
					}
				}
				nodes := make([]Address, 0, len(stack)-start)
				for _, n := range stack[start:] {
					nodes = append(nodes, res[n].Addr)
				}
				if reported == nil {
					reported = map[string]bool{}
				}
				c.reportCycle(nodes, append(append([]depEdge{}, stackEdges[start:]...), depEdge{to: res[e.to].Addr, field: e.field}), index, reported)
			}
		}
		stack = stack[:len(stack)-1]
		color[a] = black
	}
	for _, r := range res {
		if a := index[r.Addr]; color[a] == white {
			visit(a)
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
