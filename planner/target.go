package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/idstack/idstack/spec"
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
	// keep maps each kept address to the target that pulled it in.
	keep := map[string]string{}
	var visit func(addr, target string)
	visit = func(addr, target string) {
		if keep[addr] != "" {
			return
		}
		keep[addr] = target
		for _, d := range b.refs[addr] {
			visit(d, target)
		}
		if r := b.st.Get(addr); r != nil && b.refs[addr] == nil {
			for _, d := range r.DependsOn {
				visit(d, target)
			}
		}
	}
	targeted := map[string]bool{}
	for _, t := range b.opts.Targets {
		if !known[t] {
			b.plan.Errors = append(b.plan.Errors, unknownTarget(t, known))
			continue
		}
		targeted[t] = true
		visit(t, t)
	}
	var kept []*Action
	for _, a := range b.plan.Actions {
		if keep[a.Address] == "" {
			continue
		}
		kept = append(kept, a)
		if !targeted[a.Address] && a.Action.Destructive() {
			// Not asked for, easy to miss: said above the plan.
			b.plan.Cautions = append(b.plan.Cautions, Problem{Address: a.Address,
				Summary: fmt.Sprintf("%s would be %s: --target %s depends on it, so it is planned too", a.Address, pastTense[a.Action], keep[a.Address]),
				Detail:  "leave the target out, or change the stack file, if this is not what you want"})
		}
	}
	b.plan.Actions = kept
	for addr := range b.actions {
		if keep[addr] == "" {
			delete(b.actions, addr)
		}
	}
	b.plan.Warnings = append(b.plan.Warnings, Problem{Summary: "the plan is limited to " + strings.Join(b.opts.Targets, ", ") + " and what they depend on",
		Detail: "other changes are left for a full plan"})
}

// pastTense of the destructive actions, for cautions.
var pastTense = map[ActionType]string{Delete: "deleted", Replace: "replaced", Reinstall: "reinstalled"}

// unknownTarget is the error of a --target that names nothing, with the
// closest address when one is close (a typo, or the kind's name in the
// singular).
func unknownTarget(t string, known map[string]bool) Problem {
	addrs := make([]string, 0, len(known))
	for a := range known {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	detail := "give an address as KIND.NAME, e.g. vms.web (see idstack state list)"
	if s := SuggestAddress(t, addrs); s != "" {
		detail = fmt.Sprintf("did you mean %s? (idstack state list shows the addresses)", s)
	}
	return Problem{Address: t, Summary: fmt.Sprintf("--target %s: no such resource in the stack or its state", t), Detail: detail}
}

// SuggestAddress is the address of addrs a few typing mistakes from t, or
// the one whose name matches when only the kind is misspelt ("vm.web");
// "" when none is close: the "did you mean" of every command that takes
// one.
func SuggestAddress(t string, addrs []string) string {
	if s := spec.Suggest(t, addrs); s != "" {
		return s
	}
	kind, name, _ := strings.Cut(t, ".")
	var found string
	for _, a := range addrs {
		k, n, _ := strings.Cut(a, ".")
		if n == name && spec.Suggest(kind, []string{k}) != "" {
			if found != "" {
				return "" // ambiguous
			}
			found = a
		}
	}
	return found
}
