package iwinv

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// TestDescription: what the engine reads of each kind.
func TestDescription(t *testing.T) {
	t.Parallel()
	d := Description()
	if d.Name != "iwinv" || strings.Join(d.KindNames(), ",") != "vms,disks,firewalls" {
		t.Fatalf("description %s %v", d.Name, d.KindNames())
	}
	for _, ks := range d.Kinds {
		for _, f := range ks.Fields {
			if f.Doc == "" {
				t.Errorf("%s.%s has no doc", ks.Kind, f.Name)
			}
			if f.Ref != "" && d.Kind(f.Ref) == nil {
				t.Errorf("%s.%s refers to unknown kind %s", ks.Kind, f.Name, f.Ref)
			}
			if f.Change == provider.Reinstall && (f.Destructive == "" || f.UndoNote == "" || f.ChangeReason == "") {
				t.Errorf("%s.%s reinstalls without saying what it destroys", ks.Kind, f.Name)
			}
		}
	}
	vm, disk, fw := d.Kind(VMs), d.Kind(Disks), d.Kind(Firewalls)
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"vms name field", vm.NameField, "name"},
		{"vms readiness", vm.ReadyField + "/" + vm.ReadyDefault, "power/running"},
		{"flavor: a resize in place", vm.Field("flavor").Change, provider.Restart},
		{"image: a rebuild", vm.Field("image").Change, provider.Reinstall},
		{"name and description in place", vm.Field("name").Change + vm.Field("description").Change, provider.InPlace},
		{"ssh_key replaces", vm.Field("ssh_key").Change, provider.Replace},
		{"disks are nameless", disk.NameField + strings.Join(disk.MatchFields, ","), "size,type,attach_to"},
		{"disk size replaces (no resize API)", disk.Field("size").Change, provider.Replace},
		{"disk attach_to required, with a reason", disk.Field("attach_to").Required && disk.Field("attach_to").RequiredWhy != "", true},
		{"firewalls are global", fw.Global, true},
		{"rules compared by item", strings.Join(fw.Field("rules").Keys, ","), "direction,protocol,port,source,description"},
		{"attach_to a list of vms", string(fw.Field("attach_to").Ref) + "/" + string(fw.Field("attach_to").Type), "vms/array"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	power := vm.Field("power")
	for _, note := range []string{power.CreateNote(powerStopped), power.ChangeNote(powerRunning, powerStopped)} {
		if !strings.Contains(note, "power switch") || !strings.Contains(note, "billing") {
			t.Errorf("power note %q: want the power switch and the billing", note)
		}
	}
	if power.CreateNote(powerRunning) != "" || power.ChangeNote(powerStopped, powerRunning) != "" {
		t.Error("a note on starting an instance")
	}
}

func TestCheckFirewall(t *testing.T) {
	t.Parallel()
	r := func(kv ...string) any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	base := []string{"direction", "in", "protocol", "tcp", "port", "22", "source", "0.0.0.0/0"}
	with := func(k, v string) any {
		kv := append([]string{}, base...)
		for i := 0; i < len(kv); i += 2 {
			if kv[i] == k {
				kv[i+1] = v
			}
		}
		return r(kv...)
	}
	for _, tc := range []struct {
		name   string
		rules  []any
		fields []string
	}{
		{"a good rule", []any{r(base...)}, nil},
		{"a range", []any{with("port", "8000-8100")}, nil},
		{"a descending range", []any{with("port", "8100-8000")}, []string{"rules.0.port"}},
		{"port 0", []any{with("port", "0")}, []string{"rules.0.port"}},
		{"port 65536", []any{with("port", "1-65536")}, []string{"rules.0.port"}},
		{"IPv6", []any{with("source", "2001:db8::/32")}, []string{"rules.0.source"}},
		{"a bare address", []any{with("source", "192.0.2.1")}, []string{"rules.0.source"}},
		{"a bad prefix", []any{with("source", "10.0.0.0/33")}, []string{"rules.0.source"}},
		{"icmp", []any{with("protocol", "icmp")}, []string{"rules.0.protocol"}},
		{"a duplicate", []any{r(base...), with("direction", "out"), r(base...)}, []string{"rules.2"}},
	} {
		probs := checkFirewall(provider.Written{Address: "firewalls.web", Values: map[string]any{"rules": tc.rules}})
		var fields []string
		for _, p := range probs {
			fields = append(fields, p.Field)
			if p.Summary == "" || p.Allowed == "" || !strings.Contains(p.Summary, "firewalls.web") {
				t.Errorf("%s: problem %+v", tc.name, p)
			}
		}
		if d := cmp.Diff(tc.fields, fields); d != "" {
			t.Errorf("%s: problems (-want +got):\n%s", tc.name, d)
		}
	}
	if p := checkFirewall(provider.Written{Values: map[string]any{"rules": "not a list"}}); p != nil {
		t.Errorf("a value of the wrong type is the schema's to report: %+v", p)
	}
}

// testCatalog is the simulator's first zone, as Catalog reads it.
func testCatalog() *Catalog {
	w := sim.New(sim.Options{}).World()
	c := &Catalog{Zone: sim.DefaultZone, StorageTypes: w.StorageTypes, SSHKeys: w.SSHKeys, UserScripts: w.UserScripts}
	for _, f := range w.Flavors {
		for _, z := range f.Zones {
			if z == sim.DefaultZone {
				c.Flavors = append(c.Flavors, f)
			}
		}
	}
	c.Images = w.Images
	return c
}

func TestCheckVMCatalog(t *testing.T) {
	t.Parallel()
	cat := testCatalog()
	for _, tc := range []struct {
		name     string
		values   map[string]any
		problems []string // field: did-you-mean choice
		replace  map[string]any
	}{
		{name: "ids", values: map[string]any{"flavor": "fl-std-2c4g", "image": "img-rocky-9"}},
		{name: "names become ids", values: map[string]any{"flavor": "std-2c4g", "image": "Rocky Linux 9", "ssh_key": "deploy", "user_script": "install-nginx"},
			replace: map[string]any{"flavor": "fl-std-2c4g", "image": "img-rocky-9", "ssh_key": "key-7f3a91", "user_script": "us-1001"}},
		{name: "a typo is a problem with a choice", values: map[string]any{"flavor": "STD-2C4", "image": "Ubuntu 22.04"},
			problems: []string{"flavor"}, replace: map[string]any{"image": "img-ubuntu-2204"}},
		{name: "a flavor of the other zone", values: map[string]any{"flavor": "CPU-8C16G"}, problems: []string{"flavor"}},
		{name: "Windows on 1 vCPU", values: map[string]any{"flavor": "STD-1C1G", "image": "Windows Server 2022"}, problems: []string{"flavor"},
			replace: map[string]any{"flavor": "fl-std-1c1g", "image": "img-win-2022"}},
		{name: "an unknown key", values: map[string]any{"ssh_key": "deplyo"}, problems: []string{"ssh_key"}},
	} {
		probs, replace := checkVMCatalog(tc.values, cat)
		var fields []string
		for _, p := range probs {
			fields = append(fields, p.Field)
			if p.Value != "" && len(p.Choices) == 0 {
				t.Errorf("%s: %+v has no choices to suggest from", tc.name, p)
			}
		}
		if d := cmp.Diff(tc.problems, fields); d != "" {
			t.Errorf("%s: problems (-want +got):\n%s", tc.name, d)
		}
		if d := cmp.Diff(tc.replace, replace); d != "" {
			t.Errorf("%s: replacements (-want +got):\n%s", tc.name, d)
		}
	}
	probs, _ := checkVMCatalog(map[string]any{"flavor": "STD-2C4"}, cat)
	if len(probs) != 1 || probs[0].Value != "STD-2C4" || !strings.Contains(probs[0].Allowed, "STD-2C4G") || !strings.Contains(probs[0].Summary, sim.DefaultZone) {
		t.Errorf("problem %+v: want the value, the zone and the names allowed", probs)
	}
}

func TestCheckDiskCatalog(t *testing.T) {
	t.Parallel()
	cat := testCatalog()
	cat2 := *cat
	cat2.Zone = sim.SecondZone
	for _, tc := range []struct {
		name     string
		cat      *Catalog
		values   map[string]any
		problems []string
		replace  map[string]any
	}{
		{"fits", cat, map[string]any{"type": "SSD", "size": 100}, nil, nil},
		{"lowercase type", cat, map[string]any{"type": "hdd", "size": 100}, nil, map[string]any{"type": "HDD"}},
		{"too small", cat, map[string]any{"type": "SSD", "size": 5}, []string{"size"}, nil},
		{"HDD is not in the second zone", &cat2, map[string]any{"type": "HDD", "size": 100}, []string{"type"}, nil},
	} {
		probs, replace := checkDiskCatalog(tc.values, tc.cat)
		var fields []string
		for _, p := range probs {
			fields = append(fields, p.Field)
		}
		if d := cmp.Diff(tc.problems, fields); d != "" {
			t.Errorf("%s: problems (-want +got):\n%s", tc.name, d)
		}
		if d := cmp.Diff(tc.replace, replace); d != "" {
			t.Errorf("%s: replacements (-want +got):\n%s", tc.name, d)
		}
	}
}

// fakeLive is a refresh for the hooks.
type fakeLive struct{ objs []provider.Object }

func (f fakeLive) Objects(provider.Kind, string) []provider.Object { return f.objs }
func (f fakeLive) Catalog(string) any                              { return nil }

func TestDiskMatching(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	disk := func(id string, size int, typ, at string, created time.Time) provider.Object {
		return provider.Object{Kind: Disks, ID: id, Attrs: provider.Attrs{"size": size, "type": typ, "attach_to": at, "created_at": created.Format(api.CreatedAtLayout)}}
	}
	creating := func(o provider.Object) provider.Object {
		o.Status = api.StorageCreating
		return o
	}
	match := map[string]any{"size": 20.0, "type": "SSD", "attach_to": "i-1"}
	for _, tc := range []struct {
		name string
		o    provider.Object
		want bool
	}{
		{"made since", disk("d", 20, "SSD", "i-1", since.Add(time.Second)), true},
		{"a second early (clocks differ)", disk("d", 20, "SSD", "i-1", since.Add(-time.Second)), true},
		{"made before", disk("d", 20, "SSD", "i-1", since.Add(-time.Minute)), false},
		{"another size", disk("d", 30, "SSD", "i-1", since), false},
		{"another instance", disk("d", 20, "SSD", "i-2", since), false},
		{"still being created", creating(disk("d", 20, "SSD", "i-1", since.Add(time.Second))), false},
	} {
		if got := diskMade(tc.o, match, since); got != tc.want {
			t.Errorf("%s: diskMade = %v", tc.name, got)
		}
	}
	live := fakeLive{objs: []provider.Object{disk("b", 20, "SSD", "i-1", since), disk("a", 20, "SSD", "i-1", since), disk("c", 20, "HDD", "i-1", since), disk("d", 20, "SSD", "", since)}}
	got := adoptableDisks(map[string]any{"size": 20, "attach_to": "i-1", "type": "ssd"}, "z", live)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("adoptable %+v, want a and b", got)
	}
	if adoptableDisks(map[string]any{"size": 20}, "z", live) != nil {
		t.Error("adoptable without knowing the instance")
	}
}
