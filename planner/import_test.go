package planner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// Import's checks and its record, on a refresh made by hand (the CLI
// tests run it against both simulators).
func TestImport(t *testing.T) {
	t.Parallel()
	const file = `stack: t
location: jkt01
networks:
  app: {name: t-app}
vms:
  web: {name: t-web, os_name: ubuntu, os_version: "22.04", vcpu: 1, ram: 1024, disk: 20, network: app, username: deploy, password: Passw0rd-x, cloud_init: {runcmd: [x]}}
disks:
  data: {size: 50, attach_to: web}
  spare: {size: 20, location: sgp01}
`
	d := idcloudhost.Description()
	stack, diags := spec.LoadBytes("t.yaml", []byte(file), spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: d}, DefaultProvider: idcloudhost.Name})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	net := provider.Object{Kind: idcloudhost.Networks, Location: "jkt01", ID: "n1", Name: "t-app"}
	vm := provider.Object{Kind: idcloudhost.VMs, Location: "jkt01", ID: "v1", Name: "hand-made", Attrs: provider.Attrs{"name": "hand-made", "disk_uuid": "boot1", "network": "n1"}}
	disk := func(id, loc string) provider.Object {
		return provider.Object{Kind: idcloudhost.Disks, Location: loc, ID: id, Attrs: provider.Attrs{"size": 50, "attached_to": "v1"}}
	}
	newLive := func() *planner.Live {
		return &planner.Live{Provider: d, Objects: map[planner.Scope][]provider.Object{
			{Kind: idcloudhost.Networks, Location: "jkt01"}: {net},
			{Kind: idcloudhost.VMs, Location: "jkt01"}:      {vm},
			{Kind: idcloudhost.Disks, Location: "jkt01"}:    {disk("d1", "jkt01"), disk("boot1", "jkt01"), disk("d3", "jkt01")},
			{Kind: idcloudhost.Disks, Location: "sgp01"}:    {disk("s1", "sgp01")},
		}}
	}
	newState := func() *state.State {
		st := state.New("t")
		st.Put(&state.Resource{Address: "networks.app", Kind: "networks", ID: "n1", Location: "jkt01"})
		st.Deposed = append(st.Deposed, &state.Resource{Address: "disks.old", Kind: "disks", ID: "d3", Location: "jkt01"})
		return st
	}
	other := state.New("theirs")
	other.Put(&state.Resource{Address: "disks.x", Kind: "disks", ID: "s1", Location: "sgp01"})
	elsewhere := state.ElsewhereOf([]*state.Other{{Where: "state file theirs.state.json", State: other}}, nil)

	for _, tc := range []struct {
		why, addr, id string
		want          []string // in the error; none: imported
	}{
		{"a VM by id, whatever its name", "vms.web", "v1", nil},
		{"a disk by id", "disks.data", "d1", nil},
		{"not declared", "disks.date", "d1", []string{"disks.date is not declared in t.yaml", "did you mean disks.data?"}},
		{"not an address", "web", "v1", []string{`address "web": want KIND.NAME`}},
		{"in the state already", "networks.app", "n1", []string{`networks.app is in the state of stack "t" already (id n1)`}},
		{"unknown id", "disks.data", "zz", []string{`no live disk has the id "zz" in jkt01`}},
		{"in another location", "disks.data", "s1", []string{"it is in sgp01", "set location: sgp01 on it"}},
		{"an id of another kind", "disks.data", "v1", []string{`no live disk has the id "v1" in jkt01`}},
		{"a deposed object", "disks.data", "d3", []string{"the old half of disks.old's replacement"}},
		{"another stack's", "disks.spare", "s1", []string{`belongs to stack "theirs" (state file theirs.state.json, as disks.x)`}},
		{"a VM's boot disk", "disks.data", "boot1", []string{"is part of another object"}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			st := newState()
			rec, err := planner.Import(stack, st, newLive(), tc.addr, tc.id, elsewhere)
			if len(tc.want) > 0 {
				var ie *planner.ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v, want an *ImportError", err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v\nwant %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Address != tc.addr || rec.ID != tc.id || rec.Location != "jkt01" {
				t.Errorf("record %+v", rec)
			}
		})
	}

	// The record of a VM: its live name, its references, and the fields
	// the API does not report, as declared (the secret hashed).
	st := newState()
	rec, err := planner.Import(stack, st, newLive(), "vms.web", "v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := rec.Inputs["password"].(string)
	if !state.HashMatches(pw, "Passw0rd-x") {
		t.Errorf("password input %q is not the declared secret's hash", pw)
	}
	delete(rec.Inputs, "password")
	want := &state.Resource{Address: "vms.web", Kind: "vms", ID: "v1", Location: "jkt01", Name: "hand-made",
		Inputs:    map[string]any{"cloud_init": map[string]any{"runcmd": []any{"x"}}, "reserve_public_ip": false},
		DependsOn: []string{"networks.app"}}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	// With it, the plan updates the name in place: no create.
	st.Put(rec)
	p := planner.Build(stack, st, newLive(), planner.Options{Targets: []string{"vms.web"}})
	var got []string
	for _, a := range p.Actions {
		got = append(got, string(a.Action)+" "+a.Address)
	}
	if len(p.Actions) != 1 || p.Actions[0].Action != planner.Update || p.Actions[0].Changes[0].Path != "name" {
		t.Errorf("plan after import: %v %+v", got, p.Errors)
	}
}
