package state_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/planner/state/statetest"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// TestHibernationDecodes: a state with a hibernation reads back equal,
// one without it (the testdata's version 1 state of an earlier idstack)
// is awake, and a wrong hibernation is refused naming the entry and what
// is allowed.
func TestHibernationDecodes(t *testing.T) {
	t.Parallel()
	want := state.Expect{Stack: "shop", Provider: idcloudhost.Description()}
	since := time.Date(2025, 1, 6, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		h       any // the "hibernation" value; nil: left out
		want    *state.Hibernation
		problem string // in the error; "" none
	}{
		{name: "awake: no key"},
		{name: "whole stack", h: map[string]any{"since": since, "by": "ci@runner", "all": true, "vms": []string{"vms.web"}},
			want: &state.Hibernation{Since: since, By: "ci@runner", All: true, VMs: []string{"vms.web"}}},
		{name: "some VMs", h: map[string]any{"since": since, "by": "a@b", "vms": []string{"vms.db", "vms.web"}},
			want: &state.Hibernation{Since: since, By: "a@b", VMs: []string{"vms.db", "vms.web"}}},
		{name: "no since", h: map[string]any{"by": "a@b", "all": true, "vms": []string{}}, problem: "hibernation.since: missing"},
		{name: "nothing kept stopped", h: map[string]any{"since": since, "by": "a@b", "vms": []string{}}, problem: "hibernation.vms: empty"},
		{name: "not a VM", h: map[string]any{"since": since, "by": "a@b", "vms": []string{"disks.data"}}, problem: "hibernation.vms[0]: disks.data: a disk has no power switch (only vms can be hibernated)"},
		{name: "not an address", h: map[string]any{"since": since, "by": "a@b", "vms": []string{"web"}}, problem: "hibernation.vms[0]: address \"web\": want KIND.NAME"},
		{name: "wrong type", h: "yes", problem: "hibernation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			b, _ := json.Marshal(statetest.GoodState())
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if tc.h != nil {
				doc["hibernation"] = tc.h
			}
			b, _ = json.Marshal(doc)
			st, err := state.Decode("state file x", b, want)
			if tc.problem != "" {
				var inv *state.InvalidError
				if !errors.As(err, &inv) || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error %v, want one saying %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, st.Hibernation); d != "" {
				t.Errorf("hibernation (-want +got):\n%s", d)
			}
			if c := st.Clone(); !cmp.Equal(c.Hibernation, st.Hibernation) || (c.Hibernation != nil && &c.Hibernation.VMs[0] == &st.Hibernation.VMs[0]) {
				t.Errorf("Clone does not copy the hibernation deeply")
			}
		})
	}
}

// TestHibernationCovers: a whole-stack hibernation covers every VM, a
// partial one the listed VMs, none (nil) no VM.
func TestHibernationCovers(t *testing.T) {
	t.Parallel()
	var none *state.Hibernation
	some := &state.Hibernation{VMs: []string{"vms.db"}}
	all := &state.Hibernation{All: true}
	for _, tc := range []struct {
		h    *state.Hibernation
		addr string
		want bool
	}{{none, "vms.db", false}, {some, "vms.db", true}, {some, "vms.web", false}, {all, "vms.web", true}} {
		if got := tc.h.Covers(tc.addr); got != tc.want {
			t.Errorf("%+v covers %s: %v, want %v", tc.h, tc.addr, got, tc.want)
		}
	}
}
