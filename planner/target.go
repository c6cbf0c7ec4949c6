package planner

import (
	"fmt"
	"strings"
)

// target keeps only the actions of the targeted addresses and of what
// they depend on, transitively: declared references, and for objects the
// stack file no longer declares, the references recorded in the state.
func (b *builder) target() {
	if len(b.opts.Targets) == 0 {
		return
	}
	known := map[string]bool{}
	for _, a := range b.plan.Actions {
		known[a.Address] = true
	}
	if b.stack != nil {
		for _, r := range b.stack.Resources {
			known[r.Addr.String()] = true
		}
	}
	for _, a := range b.st.Addresses() {
		known[a] = true
	}
	keep := map[string]bool{}
	var visit func(addr string)
	visit = func(addr string) {
		if keep[addr] {
			return
		}
		keep[addr] = true
		for _, d := range b.refs[addr] {
			visit(d)
		}
		if r := b.st.Get(addr); r != nil && b.refs[addr] == nil {
			for _, d := range r.DependsOn {
				visit(d)
			}
		}
	}
	for _, t := range b.opts.Targets {
		if !known[t] {
			b.plan.Errors = append(b.plan.Errors, Problem{Address: t, Summary: fmt.Sprintf("--target %s: no such resource in the stack or its state", t),
				Detail: "give an address as KIND.NAME, e.g. vms.web (see idstack state list)"})
			continue
		}
		visit(t)
	}
	var kept []*Action
	for _, a := range b.plan.Actions {
		if keep[a.Address] {
			kept = append(kept, a)
		}
	}
	b.plan.Actions = kept
	for addr := range b.actions {
		if !keep[addr] {
			delete(b.actions, addr)
		}
	}
	b.plan.Warnings = append(b.plan.Warnings, Problem{Summary: "the plan is limited to " + strings.Join(b.opts.Targets, ", ") + " and what they depend on",
		Detail: "other changes are left for a full plan"})
}
