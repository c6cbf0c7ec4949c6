package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// PowerOptions say what a power batch does: `idstack stop` (Stop) or
// `idstack start`, for the stack's VMs or the targeted ones.
type PowerOptions struct {
	Stop    bool
	Targets []string
}

// PowerBatch is what `idstack stop` or `idstack start` does: a plan with
// one stop (or start) action per VM that is not as wanted yet, each
// independent of the others, costed like any plan; and the VMs it leaves
// alone, with why. The VMs are those of the stack file whose kind has a
// power switch (provider.Power), or the targeted ones.
type PowerBatch struct {
	Plan *Plan
	// Covered are the VMs the batch is about, in file order: the actions'
	// and those skipped as already stopped (started).
	Covered []string
	// Skipped are the VMs left alone, in file order.
	Skipped []PowerSkip
	// VMs are every VM of the stack file (with a power switch), sorted.
	VMs []string
}

// PowerSkip is a VM a power batch leaves alone.
type PowerSkip struct {
	Address string `json:"address"`
	ID      string `json:"id,omitempty"`
	Why     string `json:"why"`
}

// Power builds a power batch from the stack, its state and the refresh. It
// never calls the API. A target that is not a VM of the stack file is an
// error of the plan.
func Power(stack *spec.Stack, st *state.State, live *Live, opts PowerOptions) *PowerBatch {
	b := newBuilder(stack, st, live, Options{})
	pb := &PowerBatch{Plan: b.plan}
	declared := map[string]*spec.Resource{}
	var order []*spec.Resource
	known := map[string]bool{}
	for _, r := range stack.Resources {
		addr := r.Addr.String()
		known[addr] = true
		if ks := live.Kind(r.Addr.Kind); ks != nil && ks.Power != nil {
			declared[addr] = r
			order = append(order, r)
			pb.VMs = append(pb.VMs, addr)
		}
	}
	slices.Sort(pb.VMs)
	if len(opts.Targets) > 0 {
		wanted := map[string]bool{}
		for _, t := range opts.Targets {
			switch {
			case declared[t] != nil:
				wanted[t] = true
			case known[t]:
				b.plan.Errors = append(b.plan.Errors, Problem{Address: t,
					Summary: fmt.Sprintf("--target %s: it has no power switch: stop and start act on %s", t, powerKinds(live.Provider)),
					Detail:  "give the address of a VM of the stack file, e.g. " + firstOr(pb.VMs, "vms.web")})
			default:
				p := unknownTarget(t, known)
				p.Summary = fmt.Sprintf("--target %s: no such resource in the stack file", t)
				b.plan.Errors = append(b.plan.Errors, p)
			}
		}
		order = slices.DeleteFunc(order, func(r *spec.Resource) bool { return !wanted[r.Addr.String()] })
	}
	for _, r := range order {
		b.powerAction(pb, r, opts.Stop)
	}
	b.names()
	b.plan.summarize()
	b.estimate()
	return pb
}

// powerAction plans the stop (start) of one VM, or says why it is left
// alone.
func (b *builder) powerAction(pb *PowerBatch, r *spec.Resource, stop bool) {
	addr := r.Addr.String()
	kind := r.Addr.Kind
	ks := b.live.Kind(kind)
	pw := ks.Power
	skip := func(id, why string) { pb.Skipped = append(pb.Skipped, PowerSkip{Address: addr, ID: id, Why: why}) }
	want, act := pw.Stopped, Stop
	if !stop {
		want, act = pw.Running, Start
		if v, set := r.Fields[pw.Field]; set && v.V == pw.Stopped {
			skip("", fmt.Sprintf("%s: %s in the stack file", pw.Field, pw.Stopped))
			return
		}
	}
	sr := b.st.Get(addr)
	if sr == nil {
		skip("", "not created yet (`idstack apply` creates it)")
		return
	}
	obj := b.live.Find(kind, sr.Location, sr.ID)
	if obj == nil {
		skip(sr.ID, fmt.Sprintf("%s %s was deleted outside idstack (`idstack apply` creates it again)", ks.Singular, sr.ID))
		return
	}
	pb.Covered = append(pb.Covered, addr)
	if obj.Status == want {
		skip(obj.ID, "already "+want)
		return
	}
	field := ks.Field(pw.Field)
	before := any(obj.Status)
	if field != nil && field.Live != "" {
		if v, ok := obj.Attrs[field.Live]; ok && v != want {
			before = v // the live value, unless the object is on its way there
		}
	}
	// The state's record is kept as it is but for the power: the other
	// inputs are what was last applied, not what the file says now.
	desired := make(map[string]Input, len(sr.Inputs)+1)
	for k, v := range sr.Inputs {
		desired[k] = Input{Value: v}
	}
	desired[pw.Field] = Input{Value: want}
	a := &Action{Address: addr, Kind: string(kind), Action: act, Location: sr.Location, ID: obj.ID, Name: obj.Name,
		Changes: []Change{{Path: pw.Field, Before: before, After: want, Mode: provider.InPlace.String()}},
		Desired: desired, WaitFor: want, Before: map[string]any{pw.Field: before}, References: slices.Clone(sr.DependsOn)}
	if a.Name == "" {
		a.Name = sr.Name
	}
	if field != nil && field.ChangeNote != nil {
		if note := field.ChangeNote(before, want); note != "" {
			a.Notes = append(a.Notes, note)
		}
	}
	b.objs[addr] = obj
	b.add(a)
}

// powerKinds names the kinds with a power switch ("vms").
func powerKinds(d *provider.Description) string {
	var names []string
	for _, ks := range d.PowerKinds() {
		names = append(names, string(ks.Kind))
	}
	if len(names) == 0 {
		return "nothing: provider " + d.Name + " has no kind with a power switch"
	}
	return strings.Join(names, ", ")
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}
