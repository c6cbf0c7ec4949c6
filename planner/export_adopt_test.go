package planner

import (
	"github.com/idstack/idstack/provider/idcloudhost"
	"strings"
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
		return provider.Object{Kind: idcloudhost.Disks, Location: "jkt01", ID: id, Attrs: provider.Attrs{
			"size": size, "billing_account": 129072, "attached_to": attached, "source_type": typ}}
	}
	web := provider.Object{Kind: idcloudhost.VMs, Location: "jkt01", ID: "v1", Name: "vm-web", Attrs: provider.Attrs{"disk_uuid": "boot1"}}
	for _, tc := range []struct {
		name      string
		disks     []provider.Object
		owned     []string // disk ids the state owns (under other addresses)
		elsewhere []string // disk ids another stack's state owns
		vmKnown   bool     // the VM is live and known before apply
		handled   bool
		adopted   string
		problems  int
		warnings  int
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
		{name: "another stack's disk is refused", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY")}, elsewhere: []string{"d1"}, vmKnown: true, handled: true, problems: 1},
		{name: "another stack's disk is left alone", disks: []provider.Object{disk("d1", 50, "v1", "EMPTY"), disk("d2", 50, "v1", "EMPTY")}, elsewhere: []string{"d1"},
			vmKnown: true, handled: true, adopted: "d2", warnings: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := spec.LoadBytes("t.yaml", []byte(stack), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			st := state.New("t")
			for i, id := range tc.owned {
				st.Put(&state.Resource{Address: "disks.other" + string(rune('a'+i)), Kind: "disks", ID: id, Location: "jkt01"})
			}
			live := &Live{Provider: idcloudhost.Description(), Objects: map[Scope][]provider.Object{
				{Kind: idcloudhost.VMs, Location: "jkt01"}:   {web},
				{Kind: idcloudhost.Disks, Location: "jkt01"}: tc.disks,
			}}
			other := state.New("other")
			for i, id := range tc.elsewhere {
				other.Put(&state.Resource{Address: "disks.d" + string(rune('a'+i)), Kind: "disks", ID: id, Location: "jkt01"})
			}
			elsewhere := state.ElsewhereOf([]*state.Other{{Where: "state file other.state.json", State: other}}, nil)
			b := &builder{stack: s, st: st, live: live, opts: Options{Adopt: true, Elsewhere: elsewhere}, plan: &Plan{},
				objs: map[string]*provider.Object{}, actions: map[string]*Action{}, refs: map[string][]string{}}
			if tc.vmKnown {
				b.objs["vms.web"] = &web
			}
			r := s.Lookup(spec.Address{Kind: idcloudhost.Disks, Name: "data"})
			want, ok := b.desired(r)
			if !ok {
				t.Fatalf("desired: %+v", b.plan.Errors)
			}
			if got := b.adoptNameless(r, live.Kind(idcloudhost.Disks), want); got != tc.handled {
				t.Fatalf("adoptNameless = %v, want %v", got, tc.handled)
			}
			if len(b.plan.Errors) != tc.problems {
				t.Errorf("problems: %+v, want %d", b.plan.Errors, tc.problems)
			}
			if len(b.plan.Warnings) != tc.warnings {
				t.Errorf("warnings: %+v, want %d", b.plan.Warnings, tc.warnings)
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

// TestAdoptNeverTakesAnotherStacksObject: with --adopt, a live object
// that another stack's state owns is never adopted: alone it is a plan
// error naming that stack, its state and the way out; beside another
// object of the same name, that one is adopted and the plan warns.
func TestAdoptNeverTakesAnotherStacksObject(t *testing.T) {
	const stack = `stack: t
location: jkt01
networks:
  app: {name: shared-net}
`
	net := func(id string) provider.Object {
		return provider.Object{Kind: idcloudhost.Networks, Location: "jkt01", ID: id, Name: "shared-net", Attrs: provider.Attrs{"name": "shared-net"}}
	}
	other := state.New("prod")
	other.Put(&state.Resource{Address: "networks.main", Kind: "networks", ID: "n-prod", Location: "jkt01"})
	elsewhere := state.ElsewhereOf([]*state.Other{{Where: "state file .idstack/prod.state.json", State: other}},
		[]string{"another stack's state file .idstack/bad.state.json is invalid (…)"})
	for _, tc := range []struct {
		name     string
		live     []provider.Object
		opts     Options
		adopted  string
		errors   []string
		warnings []string
	}{
		{name: "another stack's object is refused", live: []provider.Object{net("n-prod")}, opts: Options{Adopt: true, Elsewhere: elsewhere},
			errors:   []string{`networks.app: the live network "shared-net" (id n-prod) belongs to stack "prod" (state file .idstack/prod.state.json, as networks.main); --adopt never takes over another stack's resource`},
			warnings: []string{"another stack's state file .idstack/bad.state.json is invalid (…): --adopt cannot tell what that stack owns"}},
		{name: "the free one of two is adopted", live: []provider.Object{net("n-prod"), net("n-free")}, opts: Options{Adopt: true, Elsewhere: elsewhere}, adopted: "n-free",
			warnings: []string{`networks.app: the live network "shared-net" (id n-prod) belongs to stack "prod" (state file .idstack/prod.state.json, as networks.main); it is left alone`,
				"another stack's state file .idstack/bad.state.json is invalid (…): --adopt cannot tell what that stack owns"}},
		{name: "an object no stack owns is adopted", live: []provider.Object{net("n-free")}, opts: Options{Adopt: true, Elsewhere: elsewhere}, adopted: "n-free",
			warnings: []string{"another stack's state file .idstack/bad.state.json is invalid (…): --adopt cannot tell what that stack owns"}},
		{name: "without --adopt it is the usual conflict", live: []provider.Object{net("n-prod")},
			errors: []string{`networks.app: a network named "shared-net" already exists in jkt01 (id n-prod) and this stack does not own it`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := spec.LoadBytes("t.yaml", []byte(stack), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			live := &Live{Provider: idcloudhost.Description(), Objects: map[Scope][]provider.Object{{Kind: idcloudhost.Networks, Location: "jkt01"}: tc.live}}
			p := Build(s, state.New("t"), live, tc.opts)
			var errs, warns, adopted []string
			for _, e := range p.Errors {
				errs = append(errs, e.Summary)
			}
			for _, w := range p.Warnings {
				warns = append(warns, w.Summary)
			}
			for _, a := range p.Actions {
				if a.Action == Adopt {
					adopted = append(adopted, a.ID)
				}
			}
			var wantAdopted []string
			if tc.adopted != "" {
				wantAdopted = []string{tc.adopted}
			}
			if d := cmp.Diff(tc.errors, errs); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.warnings, warns); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
			if d := cmp.Diff(wantAdopted, adopted); d != "" {
				t.Errorf("adopted (-want +got):\n%s", d)
			}
			if len(tc.errors) > 0 && len(p.Errors) > 0 && tc.opts.Adopt && !strings.Contains(p.Errors[0].Detail, "idstack state rm -f FILE networks.main") {
				t.Errorf("the refusal does not say the way out: %q", p.Errors[0].Detail)
			}
		})
	}
}
