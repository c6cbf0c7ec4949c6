package planner

import (
	"fmt"
	"strings"
)

// DOT renders the plan's graph in Graphviz's language: every action a
// node (deletions and old halves of replacements as their own nodes), an
// arrow from each step to the steps that wait for it. Unchanged resources
// that actions reference are shown in grey for context.
func (p *Plan) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n", p.Stack)
	colors := map[ActionType]string{Create: "darkgreen", Adopt: "darkgreen", Update: "goldenrod3", Start: "goldenrod3", Stop: "goldenrod3", Replace: "purple", Reinstall: "purple", Delete: "red3"}
	present := map[string]bool{}
	node := func(key, label, color string) {
		if present[key] {
			return
		}
		present[key] = true
		fmt.Fprintf(&b, "  %q [label=%q, color=%q, fontcolor=%q];\n", key, label, color, color)
	}
	for _, a := range p.Actions {
		if a.Phase1() {
			node(a.Address, a.Address+"\n"+string(a.Action), colors[a.Action])
		}
		if a.DeletesOld() {
			label := a.Address + "\ndelete"
			if a.Action == Replace {
				label = a.Address + "\ndelete old " + a.ID
			}
			node("delete "+a.Address, label, colors[Delete])
		}
	}
	for _, a := range p.Actions {
		if a.Phase1() {
			for _, ref := range a.References {
				node(ref, ref+"\nno change", "gray50")
				fmt.Fprintf(&b, "  %q -> %q;\n", ref, a.Address)
			}
		}
		if a.DeletesOld() {
			for _, d := range a.DeleteAfter {
				fmt.Fprintf(&b, "  %q -> %q;\n", "delete "+d, "delete "+a.Address)
			}
			if a.Action == Replace {
				fmt.Fprintf(&b, "  %q -> %q [style=dashed];\n", a.Address, "delete "+a.Address)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}
