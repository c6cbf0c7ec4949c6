package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/schema")

// golden compares got with testdata/schema/NAME (or rewrites it with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "schema", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestGolden formats the diagnostics of every testdata/schema/*.yaml.
// three_errors.yaml: an unknown field, a value out of range and a dangling
// reference are all reported at once, each at its line and column.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "schema", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			vars := map[string]map[string]string{"many_errors.yaml": {"env": "test"}}
			s, ds := loadStack(path, spec.Options{Vars: vars[name], LookupEnv: func(string) (string, bool) { return "", false }})
			if s == nil {
				t.Fatal(ds)
			}
			var b bytes.Buffer
			spec.Format(&b, ds, s.Sources)
			// Golden output names the file without the ../ of the test's directory.
			golden(t, strings.TrimSuffix(name, ".yaml")+".golden", bytes.ReplaceAll(b.Bytes(), []byte(path), []byte(name)))
			if name == "three_errors.yaml" && len(ds) != 3 {
				t.Errorf("want 3 diagnostics, got %d:\n%s", len(ds), b.String())
			}
		})
	}
}

// brief renders diagnostics as "line:col: severity: summary" for tables.
func brief(ds spec.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		pos := "-"
		if d.Range != nil {
			pos = fmt.Sprintf("%d:%d", d.Range.Start.Line, d.Range.Start.Col)
		}
		out = append(out, fmt.Sprintf("%s: %s: %s", pos, d.Severity, d.Summary))
	}
	return out
}

const header = "stack: s\nlocation: jkt01\n"

const okVM = `vms:
  web1:
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 2
    ram: 2048
    disk: 20
    username: deploy
`

func TestValidate(t *testing.T) {
	tests := []struct {
		name, src   string // src follows header
		want        []string
		wantDetails []string // substrings of the first diagnostic's detail
	}{
		{name: "valid", src: okVM},
		{name: "unknown field", src: okVM + "    vpcu: 2\n",
			want:        []string{`11:5: error: unknown field "vpcu" in vms.web1`},
			wantDetails: []string{"allowed: name, description, os_name,", `did you mean "vcpu"?`}},
		{name: "unknown top-level key", src: "vm:\n  a: {}\n",
			want:        []string{`3:1: error: unknown field "vm" in the stack file`},
			wantDetails: []string{`did you mean "vms"?`}},
		{name: "out of range", src: okVM + "    power: running\n",
			want: nil},
		{name: "above the maximum", src: strings.Replace(okVM, "vcpu: 2", "vcpu: 64", 1),
			want:        []string{"7:11: error: vcpu: 64 is more than 16"},
			wantDetails: []string{"allowed: 1–16"}},
		{name: "below the minimum", src: strings.Replace(okVM, "ram: 2048", "ram: 256", 1),
			want:        []string{"8:10: error: ram: 256 is less than 512"},
			wantDetails: []string{"allowed: 512–65536"}},
		{name: "wrong type", src: strings.Replace(okVM, "vcpu: 2", "vcpu: two", 1),
			want:        []string{`7:11: error: vcpu: expected an integer, got the string "two"`},
			wantDetails: []string{"allowed: an integer, 1–16"}},
		{name: "unquoted version", src: strings.Replace(okVM, `"22.04"`, "22.04", 1),
			want:        []string{`6:17: error: os_version: expected a string, got 22.04`},
			wantDetails: []string{`write it in quotes, e.g. "22.04"`}},
		{name: "enum", src: okVM + "    power: on\n",
			want:        []string{`11:12: error: power: "on" is not allowed`},
			wantDetails: []string{"allowed: running, stopped"}},
		{name: "missing required", src: "vms:\n  web1:\n    os_name: ubuntu\n    username: u\n",
			want:        []string{"4:3: error: vms.web1: missing required fields os_version, vcpu, ram, disk"},
			wantDetails: []string{"required: os_name, os_version, vcpu, ram, disk"}},
		{name: "missing stack", src: "vms: {}\n",
			want: nil}, // header has stack:
		{name: "OS_BASE needs an image", src: "disks:\n  d: {size: 30, source: {type: OS_BASE}}\n",
			want: []string{"4:17: error: disks.d.source: missing required field image"}},
		{name: "DISK needs ref or uuid", src: "disks:\n  d: {size: 30, source: {type: DISK}}\n",
			want: []string{"4:17: error: source: needs one of ref, uuid"}},
		{name: "disk source type", src: "disks:\n  d: {size: 30, source: {type: BLANK}}\n",
			want:        []string{`4:32: error: source.type: "BLANK" is not allowed`},
			wantDetails: []string{"allowed: EMPTY, OS_BASE, DISK, SNAPSHOT"}},
		{name: "ports", src: "load_balancers:\n  lb:\n    rules: [{source_port: 0, target_port: 70000}]\n",
			want: []string{
				"5:27: error: rules[0].source_port: 0 is less than 1",
				"5:43: error: rules[0].target_port: 70000 is more than 65535",
			}},
		{name: "nested unknown field", src: okVM + "    cloud_init: {runcmd: [a], packages: [b]}\n",
			want: []string{`11:31: error: unknown field "packages" in vms.web1.cloud_init`}},
		{name: "bucket location is reported once", src: "buckets:\n  logs: {location: jkt01}\n",
			want: []string{"4:10: error: location is not allowed on a bucket (buckets.logs)"}},
		{name: "password value is not echoed", src: okVM + "    password: 12345\n",
			want: []string{"11:15: error: password: expected a string, got (sensitive)"}},
		{name: "clone_from replica", src: okVM + "    clone_from: {vm: web1, replica: newest}\n",
			want: []string{
				`11:17: error: reference cycle: vms.web1 → vms.web1`,
				`11:37: error: clone_from.replica: "newest" is not in the allowed form`,
			}},
		{name: "var declarations", src: "vars:\n  a: {type: text}\n  b: {type: string, secret: true}\n",
			want: []string{
				`4:13: error: variable a: unknown type "text"`,
				`5:21: error: unknown field "secret" in variable b`,
			}},
		{name: "all errors at once", src: strings.Replace(okVM, "disk: 20", "disk: 500", 1) + "    backup: yes please\n    network: nope\n",
			want: []string{
				"9:11: error: disk: 500 is more than 240",
				"11:13: error: backup: expected true or false, got the string \"yes please\"",
				"12:14: error: vms.web1.network: networks.nope does not exist",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := loadStackBytes("v.yaml", []byte(header+tt.src), spec.Options{})
			if diff := cmp.Diff(tt.want, brief(ds)); diff != "" {
				t.Fatalf("(-want +got):\n%s\n%s", diff, ds.Error())
			}
			for _, w := range tt.wantDetails {
				if !strings.Contains(ds[0].Detail, w) {
					t.Errorf("detail %q does not contain %q", ds[0].Detail, w)
				}
			}
		})
	}
}

func TestMissingStack(t *testing.T) {
	_, ds := loadStackBytes("v.yaml", []byte("location: jkt01\n"), spec.Options{})
	want := []string{"1:1: error: the stack file: missing required field stack"}
	if diff := cmp.Diff(want, brief(ds)); diff != "" {
		t.Error(diff)
	}
}

// TestFieldsMatchSchema holds the schema to spec.Fields, the list the
// planner and the checks use.
func TestFieldsMatchSchema(t *testing.T) {
	c, err := load(testDesc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ks := range testDesc.Kinds {
		if diff := cmp.Diff(spec.Fields(testDesc, ks.Kind), c.order["/$defs/"+ks.SchemaName]); diff != "" {
			t.Errorf("%s: spec.Fields (-) vs schema (+):\n%s", ks.Kind, diff)
		}
		if ref := c.node("/properties/" + string(ks.Kind) + "/additionalProperties")["$ref"]; ref != "#/$defs/"+ks.SchemaName {
			t.Errorf("%s: resources are %v", ks.Kind, ref)
		}
	}
	var top []string
	for _, p := range c.order[""] {
		if testDesc.Kind(spec.Kind(p)) == nil {
			top = append(top, p)
		}
	}
	if diff := cmp.Diff(spec.TopLevelKeys(testDesc), top); diff != "" {
		t.Errorf("top level keys (-spec +schema):\n%s", diff)
	}
}

// TestEveryPropertyHasADescription: editors show them.
func TestEveryPropertyHasADescription(t *testing.T) {
	c, err := load(testDesc)
	if err != nil {
		t.Fatal(err)
	}
	for owner, props := range c.order {
		if strings.Contains(owner, "/allOf/") { // conditions, not fields
			continue
		}
		for _, p := range props {
			ptr := owner + "/properties/" + escape(p)
			n := c.node(ptr)
			if ref, ok := n["$ref"].(string); ok && n["description"] == nil {
				n = c.node(strings.TrimPrefix(ref, "#"))
			}
			if d, _ := n["description"].(string); d == "" {
				t.Errorf("%s has no description", ptr)
			}
		}
	}
}

func TestJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(JSON(testDesc), &v); err != nil {
		t.Fatal(err)
	}
	if v["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Errorf("$schema = %v", v["$schema"])
	}
}

// TestSpecExample: the stack file of SPEC §1 is valid.
func TestSpecExample(t *testing.T) {
	s, ds := loadStack(filepath.Join("..", "testdata", "spec", "example.yaml"), spec.Options{
		Vars:      map[string]string{"env": "staging"},
		LookupEnv: func(string) (string, bool) { return "Sup3rSecret", true },
	})
	if len(ds) != 0 {
		var b bytes.Buffer
		spec.Format(&b, ds, s.Sources)
		t.Fatal(b.String())
	}
	if len(s.Resources) != 7 {
		t.Errorf("%d resources", len(s.Resources))
	}
}
