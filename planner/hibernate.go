package planner

import (
	"fmt"
	"slices"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Hibernated is a plan's account of the stack's hibernation (state.
// Hibernation, recorded by `idstack stop`): since when and by whom, and
// the stack file's VMs the plan keeps stopped whatever their power: says.
// `idstack start` wakes them.
type Hibernated struct {
	Since time.Time `json:"since"`
	By    string    `json:"by"`
	// All: the whole stack is hibernated (a VM created meanwhile is
	// created and then stopped); otherwise only some VMs (stop --target).
	All bool `json:"all"`
	// VMs are the addresses kept stopped, sorted.
	VMs []string `json:"vms"`
}

// keepAsleep makes the desired power of a VM that a hibernation covers
// the kind's stopped value: plan and apply keep it stopped (and create a
// new one stopped) until `idstack start`. A VM stopped by hand while the
// stack is awake is drift as ever.
func (b *builder) keepAsleep(r *spec.Resource, ks *provider.KindSpec, want map[string]wanted) {
	addr := r.Addr.String()
	pw := ks.Power
	if pw == nil || b.opts.Destroy || !b.st.Hibernation.Covers(addr) {
		return
	}
	w, managed := want[pw.Field]
	if !managed {
		return // power: null: not managed, nothing to keep
	}
	if b.asleep == nil {
		b.asleep = map[string]bool{}
	}
	b.asleep[addr] = true
	if v, ok := w.known(); ok && v == pw.Stopped {
		return
	}
	want[pw.Field] = plain(pw.Stopped, false, w.rng)
}

// hibernated records the hibernation in the plan and says, on each action
// of a VM it keeps stopped, why the VM ends stopped.
func (b *builder) hibernated() {
	h := b.st.Hibernation
	if h == nil || b.opts.Destroy {
		return
	}
	hb := &Hibernated{Since: h.Since, By: h.By, All: h.All, VMs: []string{}}
	for addr := range b.asleep {
		hb.VMs = append(hb.VMs, addr)
	}
	slices.Sort(hb.VMs)
	b.plan.Hibernation = hb
	since := h.Since.UTC().Format("2006-01-02 15:04 UTC")
	for _, a := range b.plan.Actions {
		if !b.asleep[a.Address] || a.Deposed || a.Action == Delete {
			continue
		}
		ks := b.live.Kind(provider.Kind(a.Kind))
		switch {
		case a.Action == Create || a.Action == Replace:
			a.Notes = append(a.Notes, fmt.Sprintf("created and then stopped: the stack is hibernated (since %s); `idstack start` wakes it", since))
		case changesField(a, ks.Power.Field):
			a.Notes = append(a.Notes, fmt.Sprintf("kept stopped: the stack is hibernated (since %s); `idstack start` wakes it", since))
		}
	}
}

func changesField(a *Action, field string) bool {
	for _, c := range a.Changes {
		if c.Path == field {
			return true
		}
	}
	return false
}
