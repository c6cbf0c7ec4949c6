package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const specExample = `stack: shop-${var.env}
location: jkt01
billing_account: 129072
vars:
  env: {type: string}
networks:
  app:
    name: shop-${var.env}-net
  far:
    location: sgp01
    billing_account: 7
    lifecycle: {prevent_destroy: true, ignore_changes: [name]}
vms:
  web:
    name: shop-${var.env}-web
    vcpu: 2
    network: networks.app
    password: plain-Secr3t
    clone_from: {vm: 0b7e1ac8-4c8f-4a8e-9b1e-3c2d1f0a9e77}
  db:
    clone_from: {vm: web}
disks:
  data:
    source: {type: DISK, ref: other}
    attach_to: web
load_balancers:
  front:
    targets: [web, vms.db]
buckets:
  assets:
    name: shop-${var.env}-assets
`

// TestLoadResources checks what the planner consumes: addresses in file
// order, resolved location and billing account, fields, lifecycle and the
// references of reference fields.
func TestLoadResources(t *testing.T) {
	s, ds := loadBytes("idstack.yaml", []byte(specExample), Options{Vars: map[string]string{"env": "dev"}})
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	type res struct {
		Addr      string
		Loc       string
		BA        int
		Fields    []string
		Refs      map[string][]Ref
		Lifecycle Lifecycle
		Line      int
	}
	var got []res
	for _, r := range s.Resources {
		x := res{Addr: r.Addr.String(), Loc: r.Location, BA: intOf(r.Fields["billing_account"].V), Lifecycle: r.Lifecycle, Line: r.Range.Start.Line, Refs: map[string][]Ref{}}
		for _, f := range sortedFields(r) {
			if f == "billing_account" {
				continue // BA: the resource's own, else the stack's default
			}
			x.Fields = append(x.Fields, f)
			if refs := r.Fields[f].Refs; refs != nil {
				x.Refs[f] = refs
			}
		}
		got = append(got, x)
	}
	want := []res{
		{Addr: "networks.app", Loc: "jkt01", BA: 129072, Fields: []string{"name"}, Refs: map[string][]Ref{}, Line: 7},
		{Addr: "networks.far", Loc: "sgp01", BA: 7, Refs: map[string][]Ref{}, Line: 9,
			Lifecycle: Lifecycle{PreventDestroy: true, IgnoreChanges: []string{"name"}}},
		{Addr: "vms.web", Loc: "jkt01", BA: 129072, Fields: []string{"clone_from", "name", "network", "password", "vcpu"}, Line: 14,
			Refs: map[string][]Ref{"network": {{Addr: Address{Networks, "app"}}}}},
		{Addr: "vms.db", Loc: "jkt01", BA: 129072, Fields: []string{"clone_from"}, Line: 20,
			Refs: map[string][]Ref{"clone_from": {{Addr: Address{VMs, "web"}}}}},
		{Addr: "disks.data", Loc: "jkt01", BA: 129072, Fields: []string{"attach_to", "source"}, Line: 23,
			Refs: map[string][]Ref{"attach_to": {{Addr: Address{VMs, "web"}}}, "source": {{Addr: Address{Disks, "other"}}}}},
		{Addr: "load_balancers.front", Loc: "jkt01", BA: 129072, Fields: []string{"targets"}, Line: 27,
			Refs: map[string][]Ref{"targets": {{Addr: Address{VMs, "web"}}, {Addr: Address{VMs, "db"}}}}},
		{Addr: "buckets.assets", Loc: "", BA: 129072, Fields: []string{"name"}, Refs: map[string][]Ref{}, Line: 30},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	web := s.Lookup(Address{VMs, "web"})
	if !web.Fields["password"].Sensitive || web.Fields["name"].Sensitive {
		t.Errorf("password must be sensitive, name not: %+v", web.Fields)
	}
	if got := web.Fields["name"].V; got != "shop-dev-web" {
		t.Errorf("name = %q", got)
	}
	// Ranges: values and keys, by JSON pointer.
	wantRanges := map[string]Pos{
		"/vms/web":                        {15, 5},
		"/vms/web#key":                    {14, 3},
		"/vms/web/vcpu":                   {16, 11},
		"/vms/web/vcpu#key":               {16, 5},
		"/load_balancers/front/targets/1": {28, 20},
		"/networks/far/lifecycle/ignore_changes/0": {12, 57},
	}
	for ptr, pos := range wantRanges {
		if got := s.Ranges.At(ptr).Start; got != pos {
			t.Errorf("Ranges[%q] = %v, want %v", ptr, got, pos)
		}
	}
	if v, ok := s.At("/load_balancers/front/targets/1"); !ok || v != "vms.db" {
		t.Errorf("At = %v %v", v, ok)
	}
}

func TestYAMLProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"syntax error", "stack: a\nvms:\n  web: [1, 2\n", []string{"3:8: error: YAML syntax error: sequence end token ']' not found"}},
		{"duplicate key", "stack: a\nlocation: x\nstack: b\n", []string{`3:1: error: duplicate key "stack"`}},
		{"duplicate resource", "stack: a\nvms:\n  web: {}\n  web: {}\n", []string{`4:3: error: duplicate key "web"`}},
		{"not a mapping", "- a\n- b\n", []string{"1:1: error: the stack file is not a YAML mapping"}},
		{"two documents", "stack: a\n---\nstack: b\n", []string{"3:1: error: more than one YAML document in f.yaml"}},
		{"unknown alias", "stack: *nope\n", []string{"1:8: error: unknown alias *nope"}},
		{"anchors and merge keys", "stack: a\nx: &base {vcpu: 2}\nvms:\n  web:\n    <<: *base\n    ram: 1\n", nil},
		{"empty file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := loadBytes("f.yaml", []byte(tt.src), Options{})
			if diff := cmp.Diff(tt.want, brief(ds)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeKey(t *testing.T) {
	s, _ := loadBytes("f.yaml", []byte("stack: a\nx: &base {vcpu: 2, ram: 512}\nvms:\n  web:\n    <<: *base\n    ram: 1024\n"), Options{})
	web := s.Lookup(Address{VMs, "web"})
	got := map[string]any{"vcpu": web.Fields["vcpu"].V, "ram": web.Fields["ram"].V}
	if diff := cmp.Diff(map[string]any{"vcpu": 2, "ram": 1024}, got); diff != "" {
		t.Error(diff)
	}
}

func intOf(v any) int { n, _ := v.(int); return n }

// A file with Windows line breaks: positions are those of its lines (the
// tokenizer alone counts the \r\n after a comment as two lines).
func TestCRLFPositions(t *testing.T) {
	t.Parallel()
	src := "# a comment\r\n# another\r\nstack: s\r\nvms:\r\n  a: {}\r\n  # and one more\r\n  a: {}\r\n"
	_, ds := loadBytes("f.yaml", []byte(src), Options{})
	if len(ds) != 1 || ds[0].Range == nil || ds[0].Range.Start.Line != 7 || ds[0].Range.Start.Col != 3 {
		t.Fatalf("want one diagnostic at 7:3 (the second a:), got %v", ds)
	}
	if !strings.Contains(ds[0].Detail, "line 5") {
		t.Errorf("the first a: is on line 5: %q", ds[0].Detail)
	}
}
