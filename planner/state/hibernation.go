package state

import (
	"fmt"
	"slices"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Hibernation is what `idstack stop` records in the state: the stack's VMs
// (its objects of kinds with a power switch, provider.Power) are stopped
// on purpose and kept stopped by plan and apply until `idstack start`
// wakes them. A state without it (every state of an earlier idstack) is
// awake.
type Hibernation struct {
	// Since is when the stack was first stopped, By who stopped it
	// (user@host).
	Since time.Time `json:"since"`
	By    string    `json:"by"`
	// All: the whole stack is hibernated: every VM of it is kept stopped,
	// one created while it sleeps too. Otherwise only the VMs listed are
	// (a --target stop).
	All bool `json:"all,omitempty"`
	// VMs are the addresses the stops stopped or found stopped, sorted.
	VMs []string `json:"vms"`
}

// Covers reports whether a VM at addr is kept stopped (nil: none is).
func (h *Hibernation) Covers(addr string) bool {
	if h == nil {
		return false
	}
	return h.All || slices.Contains(h.VMs, addr)
}

// Clone returns a copy (nil for nil).
func (h *Hibernation) Clone() *Hibernation {
	if h == nil {
		return nil
	}
	c := *h
	c.VMs = slices.Clone(h.VMs)
	return &c
}

// validateHibernation lists what is wrong with a state's hibernation.
func validateHibernation(h *Hibernation, d *provider.Description) []Fault {
	if h == nil {
		return nil
	}
	var faults []Fault
	add := func(entry, format string, args ...any) {
		faults = append(faults, Fault{Entry: entry, Problem: fmt.Sprintf(format, args...)})
	}
	if h.Since.IsZero() {
		add("hibernation.since", "missing (when `idstack stop` hibernated the stack, e.g. \"2025-01-06T20:00:00Z\")")
	}
	if !h.All && len(h.VMs) == 0 {
		add("hibernation.vms", "empty: a hibernation keeps the whole stack (\"all\": true) or some VMs stopped; remove \"hibernation\" to wake the stack")
	}
	for i, addr := range h.VMs {
		a, err := spec.ParseAddress(addr, d)
		if err != nil {
			add(fmt.Sprintf("hibernation.vms[%d]", i), "%v", err)
			continue
		}
		if ks := d.Kind(a.Kind); ks != nil && ks.Power == nil {
			add(fmt.Sprintf("hibernation.vms[%d]", i), "%s: a %s has no power switch (only %s can be hibernated)", addr, ks.Singular, powerKindNames(d))
		}
	}
	return faults
}

func powerKindNames(d *provider.Description) string {
	var names []string
	for _, ks := range d.PowerKinds() {
		names = append(names, string(ks.Kind))
	}
	if len(names) == 0 {
		return "no kind of provider " + d.Name
	}
	return joinAnd(names)
}
