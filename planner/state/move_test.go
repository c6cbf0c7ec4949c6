package state

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMove(t *testing.T) {
	t.Parallel()
	newState := func() *State {
		s := New("t")
		s.Put(&Resource{Address: "vms.web", Kind: "vms", ID: "v1", Location: "l", DependsOn: []string{"networks.app"}})
		s.Put(&Resource{Address: "vms.db", Kind: "vms", ID: "v2", Location: "l"})
		s.Put(&Resource{Address: "disks.data", Kind: "disks", ID: "d1", Location: "l", DependsOn: []string{"vms.web"}})
		// Refers to both: the moved reference is not doubled.
		s.Put(&Resource{Address: "disks.both", Kind: "disks", ID: "d2", Location: "l", DependsOn: []string{"vms.front", "vms.web"}})
		s.Deposed = []*Resource{{Address: "vms.web", Kind: "vms", ID: "v0", Location: "l"}, {Address: "disks.old", Kind: "disks", ID: "d0", Location: "l", DependsOn: []string{"vms.web"}}}
		return s
	}
	s := newState()
	updated, err := s.Move("vms.web", "vms.front")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"disks.both", "disks.data", "disks.old (deposed)"}, updated); diff != "" {
		t.Errorf("updated (-want +got):\n%s", diff)
	}
	want := newState()
	want.Resources["vms.front"] = &Resource{Address: "vms.front", Kind: "vms", ID: "v1", Location: "l", DependsOn: []string{"networks.app"}}
	delete(want.Resources, "vms.web")
	want.Resources["disks.data"].DependsOn = []string{"vms.front"}
	want.Resources["disks.both"].DependsOn = []string{"vms.front"}
	want.Deposed[0].Address = "vms.front"
	want.Deposed[1].DependsOn = []string{"vms.front"}
	want.Lineage = s.Lineage
	if diff := cmp.Diff(want, s, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if faults := Validate(s, Expect{Stack: "t"}); len(faults) > 0 {
		t.Errorf("the moved state does not validate: %+v", faults)
	}

	for _, tc := range []struct{ from, to, want string }{
		{"vms.nope", "vms.x", `"vms.nope" is not in the state`},
		{"vms.web", "vms.db", `"vms.db" is in the state of stack "t" already (id v2)`},
		{"vms.web", "disks.web", "of different kinds (vms, disks)"},
	} {
		s := newState()
		before := s.Clone()
		_, err := s.Move(tc.from, tc.to)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Move(%s, %s) = %v, want %q", tc.from, tc.to, err, tc.want)
		}
		if diff := cmp.Diff(before, s, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Move(%s, %s) changed the state:\n%s", tc.from, tc.to, diff)
		}
	}
}
