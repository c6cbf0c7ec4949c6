package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

func TestAdoptDisk(t *testing.T) {
	const stack = `stack: t
location: jkt01
vms:
  web: {name: vm-web, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, username: deploy}
disks:
  data:
    size: 50
    source: {type: EMPTY}
    attach_to: web
`
	disk := func(id string, size int, attached, typ string) provider.Object {
		return provider.Object{Kind: provider.Disks, Location: "jkt01", ID: id, Attrs: provider.Attrs{
			"size": size, "billing_account": 129072, "attached_to": attached, "source_type": typ}}
	}
	web := provider.Object{Kind: provider.VMs, Location: "jkt01", ID: "v1", Name: "vm-web", Attrs: provider.Attrs{"disk_uuid": "boot1"}}
	for _, tc := range []struct {
		name     string
		disks    []provider.Object
		owned    []string // disk ids the state owns (under other addresses)
		vmKnown  bool     // the VM is live and known before apply
		handled  bool
		adopted  string
		problems int
	}{
		{name: "one match is adopted", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY"), disk("d2", 60, "v1", "EMPTY")}, vmKnown: true, handled: true, adopted: "d1"},
		{name: "the source type is compared in any case", disks: []provider.Object{disk("d1", 50, "v1", "empty")}, vmKnown: true, handled: true, adopted: "d1"},
		{name: "two matches are a problem", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY"), disk("d2", 50, "v1", "EMPTY")}, vmKnown: true, handled: true, problems: 1},
		{name: "an owned disk is not a match", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY"), disk("d2", 50, "v1", "EMPTY")}, owned: []string{"d2"}, vmKnown: true, handled: true, adopted: "d1"},
		{name: "the boot disk is never a match", disks: []provider.Object{disk("boot1", 50, "v1", "EMPTY")}, vmKnown: true},
		{name: "another size is not a match", disks: []provider.Object{disk("d1", 40, "v1", "EMPTY")}, vmKnown: true},
		{name: "another attachment is not a match", disks: []provider.Object{disk("d1", 50, "", "EMPTY")}, vmKnown: true},
		{name: "another source is not a match", disks: []provider.Object{disk("d1", 50, "v1", "OS_BASE")}, vmKnown: true},
		{name: "a VM created by the plan has no disk yet", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := spec.LoadBytes("t.yaml", []byte(stack), spec.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			st := state.New("t")
			for i, id := range tc.owned {
				st.Put(&state.Resource{Address: "disks.other" + string(rune('a'+i)), Kind: "disks", ID: id, Location: "jkt01"})
			}
			live := &Live{Objects: map[Scope][]provider.Object{
				{Kind: provider.VMs, Location: "jkt01"}:   {web},
				{Kind: provider.Disks, Location: "jkt01"}: tc.disks,
			}}
			b := &builder{stack: s, st: st, live: live, opts: Options{Adopt: true}, plan: &Plan{},
				objs: map[string]*provider.Object{}, actions: map[string]*Action{}, refs: map[string][]string{}}
			if tc.vmKnown {
				b.objs["vms.web"] = &web
			}
			r := s.Lookup(spec.Address{Kind: spec.Disks, Name: "data"})
			want, ok := b.desired(r)
			if !ok {
				t.Fatalf("desired: %+v", b.plan.Errors)
			}
			if got := b.adoptDisk(r, want); got != tc.handled {
				t.Fatalf("adoptDisk = %v, want %v", got, tc.handled)
			}
			if len(b.plan.Errors) != tc.problems {
				t.Errorf("problems: %+v, want %d", b.plan.Errors, tc.problems)
			}
			var got []string
			for _, a := range b.plan.Actions {
				if a.Action != Adopt || len(a.Changes) != 0 {
					t.Errorf("%s: %s with %+v, want an adoption without changes", a.Address, a.Action, a.Changes)
				}
				got = append(got, a.ID)
			}
			var wantIDs []string
			if tc.adopted != "" {
				wantIDs = []string{tc.adopted}
			}
			if d := cmp.Diff(wantIDs, got); d != "" {
				t.Errorf("adopted (-want +got):\n%s", d)
			}
		})
	}
}
