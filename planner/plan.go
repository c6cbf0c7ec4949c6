// Package planner turns a stack, its state and the live objects into a plan:
// a value that lists ordered actions with their reasons, field changes and
// dependencies. It speaks neither HTTP nor terminal.
package planner

import (
	"sort"
	"strings"

	"github.com/idstack/idstack/planner/state"
)

// FormatVersion of the plan JSON (SPEC §6).
const FormatVersion = "1"

// ActionType is the closed set of things a plan can do to a resource.
type ActionType string

// The actions of SPEC §4.
const (
	Create    ActionType = "create"
	Update    ActionType = "update"
	Replace   ActionType = "replace"
	Reinstall ActionType = "reinstall"
	Delete    ActionType = "delete"
	Adopt     ActionType = "adopt"
	Start     ActionType = "start"
	Stop      ActionType = "stop"
)

// Destructive reports whether the action loses a live object or its data.
func (t ActionType) Destructive() bool {
	return t == Delete || t == Replace || t == Reinstall
}

// Plan is the whole plan of one run.
type Plan struct {
	FormatVersion string    `json:"format_version"`
	Stack         string    `json:"stack"`
	Destroy       bool      `json:"destroy,omitempty"`
	Rollback      bool      `json:"rollback,omitempty"` // undoes a failed apply
	Summary       Summary   `json:"summary"`
	Actions       []*Action `json:"actions"`
	// Errors stop the plan from being applied (conflicts, refused changes).
	Errors []Problem `json:"errors,omitempty"`
	// Warnings are shown but do not stop an apply.
	Warnings []Problem `json:"warnings,omitempty"`
	// Cautions are shown above the plan: destructive changes a person did
	// not ask for by name (a target's dependency that would be replaced).
	Cautions []Problem `json:"cautions,omitempty"`
	// Names maps the ids of the stack's VMs and networks to their
	// addresses, so references read as "networks.app (uuid)".
	Names map[string]string `json:"names,omitempty"`
	// Labels maps catalogue ids in the changes to what the stack file
	// would say (a host pool's uuid to "General (default)").
	Labels map[string]string `json:"labels,omitempty"`
	// Cost is the monthly estimate before and after, from the cloud's
	// price list (cost.go); nil when the provider has none.
	Cost *Cost `json:"cost,omitempty"`
	// Hibernation is set while the stack is hibernated (idstack stop):
	// the plan keeps its VMs stopped (hibernate.go).
	Hibernation *Hibernated `json:"hibernation,omitempty"`
}

// Show formats a value for a plan line, naming the stack's own VMs and
// networks where a value is one of their ids, and catalogue ids by their
// labels.
func (p *Plan) Show(v any) string {
	if s, ok := v.(string); ok && p.Labels[s] != "" {
		return p.Labels[s]
	}
	name := func(x any) (string, bool) {
		s, ok := x.(string)
		if !ok {
			return "", false
		}
		addr, ok := p.Names[s]
		return addr + " (" + s + ")", ok
	}
	if s, ok := name(v); ok {
		return s
	}
	if l, ok := v.([]any); ok && len(p.Names) > 0 {
		parts := make([]string, len(l))
		named := false
		for i, x := range l {
			if s, ok := name(x); ok {
				parts[i], named = s, true
			} else {
				parts[i] = Show(x)
			}
		}
		if named {
			return "[" + strings.Join(parts, ", ") + "]"
		}
	}
	return Show(v)
}

// Problem is an error or warning about one resource, with the place in the
// stack file when there is one.
type Problem struct {
	Address string `json:"address,omitempty"`
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

// Summary counts actions by type.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Replace   int `json:"replace"`
	Reinstall int `json:"reinstall"`
	Delete    int `json:"delete"`
	Adopt     int `json:"adopt"`
	Start     int `json:"start,omitempty"`
	Stop      int `json:"stop,omitempty"`
}

// Action is one step of a plan.
type Action struct {
	Address   string     `json:"address"`
	Kind      string     `json:"kind"`
	Action    ActionType `json:"action"`
	Location  string     `json:"location"`
	ID        string     `json:"id,omitempty"` // the live object acted on (update, delete, old half of replace)
	DependsOn []string   `json:"depends_on"`
	Changes   []Change   `json:"changes"`
	Notes     []string   `json:"notes"`
	// Reason says why, for replace/reinstall/delete (e.g. "network can only
	// be set at creation").
	Reason string `json:"reason,omitempty"`

	// What the executor needs; not part of the SPEC §6 keys.
	Name    string           `json:"name,omitempty"`     // the live name the object gets
	Desired map[string]Input `json:"-"`                  // inputs for create and state
	WaitFor string           `json:"wait_for,omitempty"` // status to wait for after the action
	Forget  bool             `json:"forget,omitempty"`   // delete from state only (object gone or undeletable)
	Deposed bool             `json:"deposed,omitempty"`  // deletes the deposed old half of a replacement
	Before  map[string]any   `json:"-"`                  // live values of the changed fields (secrets left out), and of what an undo restores
	// References are every address the resource refers to (recorded in
	// the state so later deletions are ordered even without the file).
	References []string `json:"references,omitempty"`
	// Restore is, in a rollback plan, the state record the step puts back
	// once done (the earlier record of an updated or replaced object).
	Restore *state.Resource `json:"restore,omitempty"`
	// DeleteAfter orders the deletion half (delete, old half of replace):
	// it waits for the deletions of these addresses.
	DeleteAfter []string `json:"delete_after,omitempty"`
	// Cost is what the object costs before and after the action, for a
	// kind the cloud's price list prices.
	Cost *ResourceCost `json:"cost,omitempty"`
}

// Phase1 reports whether the action creates or changes (as opposed to a
// pure deletion, which runs only after every first-phase action succeeded).
func (a *Action) Phase1() bool { return a.Action != Delete }

// DeletesOld reports whether the action has a deletion half.
func (a *Action) DeletesOld() bool { return a.Action == Delete || a.Action == Replace }

// Change is one field's change. Before/After hold Sensitive or Unknown
// markers in place of secrets and values known only after apply.
type Change struct {
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Mode says how the field changes: in-place, restart, replace, reinstall.
	Mode string `json:"mode,omitempty"`
}

// Markers shown in place of values.
const (
	Sensitive  = "(sensitive)"
	KnownAfter = "(known after apply)"
)

// Input is a desired value as the executor needs it: a plain value, a
// reference to resolve to another resource's id, or a template with
// ${KIND.NAME.ATTR} placeholders.
type Input struct {
	Value any      `json:"value,omitempty"`
	Refs  []string `json:"refs,omitempty"` // reference field: addresses whose ids make the value
	List  bool     `json:"list,omitempty"` // Refs make a list (load balancer targets)
	// RefKey: Value is an object and the id of Refs[0] goes in at this key,
	// in place of the key RefFrom that named it (a disk's source.ref
	// becomes source.uuid; a VM's clone_from.vm is replaced in place).
	RefKey   string `json:"ref_key,omitempty"`
	RefFrom  string `json:"ref_from,omitempty"`
	Template bool   `json:"template,omitempty"`
	// Attrs are the KIND.NAME.ATTR placeholders of a template that are
	// references (literal ${…} text, written $${…}, is left alone).
	Attrs     []string `json:"attrs,omitempty"`
	Sensitive bool     `json:"sensitive,omitempty"`
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool { return len(p.Actions) > 0 }

// HasDestructive reports whether any action deletes, replaces or reinstalls.
func (p *Plan) HasDestructive() bool {
	for _, a := range p.Actions {
		if a.Action.Destructive() {
			return true
		}
	}
	return false
}

// Action returns the action for an address, or nil.
func (p *Plan) Action(addr string) *Action {
	for _, a := range p.Actions {
		if a.Address == addr && !a.Deposed {
			return a
		}
	}
	return nil
}

func (p *Plan) summarize() {
	var s Summary
	for _, a := range p.Actions {
		switch a.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Reinstall:
			s.Reinstall++
		case Delete:
			s.Delete++
		case Adopt:
			s.Adopt++
		case Start:
			s.Start++
		case Stop:
			s.Stop++
		}
	}
	p.Summary = s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Step is one unit of an apply: the first half of an action (a create,
// update, adoption, start, stop, reinstall, or the new half of a
// replacement) or its deletion half, with the steps of the same phase it
// waits for (indexes into that phase).
type Step struct {
	Action *Action
	Delete bool // the deletion half: a removed resource, a deposed object, the old half of a replacement
	Deps   []int
}

// Key names the step in results ("vms.web", "delete vms.web").
func (s Step) Key() string {
	if s.Delete {
		return "delete " + s.Action.Address
	}
	return s.Action.Address
}

// Steps is the plan's graph as the executor walks it, in two phases: first
// every create, update and new half of a replacement, each after what it
// references; then the deletions, each after the deletions of what
// referenced it. The planner's order is kept; a dependency on something
// outside the phase (unchanged, or not in a --target plan) is no edge.
func (p *Plan) Steps() (first, second []Step) {
	index := func(steps []Step) map[string]int {
		m := map[string]int{}
		for i, s := range steps {
			m[s.Action.Address] = i
		}
		return m
	}
	for _, a := range p.Actions {
		if a.Phase1() {
			first = append(first, Step{Action: a})
		}
	}
	for _, a := range p.Actions {
		if a.DeletesOld() {
			second = append(second, Step{Action: a, Delete: true})
		}
	}
	link := func(steps []Step, deps func(*Action) []string) {
		at := index(steps)
		for i := range steps {
			for _, d := range deps(steps[i].Action) {
				if j, ok := at[d]; ok && j != i {
					steps[i].Deps = append(steps[i].Deps, j)
				}
			}
		}
	}
	link(first, func(a *Action) []string { return a.DependsOn })
	link(second, func(a *Action) []string { return a.DeleteAfter })
	return first, second
}
