package spec

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const interpHeader = `stack: s
vars:
  n: {type: number, default: 2}
  flag: {type: bool, default: true}
  owner: platform-team
  env: {type: string}
  secret: {type: string, default: Hunter2pass, sensitive: true}
vms:
  web:
    f: `

// TestInterpolation loads one field of vms.web written after interpHeader
// and compares its Value, or the diagnostics.
func TestInterpolation(t *testing.T) {
	files := map[string]string{
		"/stack/key.pub":       "ssh-ed25519 AAAA me\n",
		"/stack/sub/two.txt":   "line1\nline2\n\n",
		"/home/me/.ssh/id.pub": "ssh-rsa BBBB me\n",
		"/vars/prod.yaml":      "n: 8\nenv: prod\n",
		"/vars/bad.yaml":       "n: lots\nnope: 1\n",
	}
	env := map[string]string{"TOKEN": "t0k3n"}
	t.Setenv("HOME", "/home/me")
	tests := []struct {
		name      string
		field     string
		opts      Options
		want      Value // compared without Range
		wantDiags []string
	}{
		{name: "number var keeps its type", field: "${var.n}", want: Value{V: 2}},
		{name: "bool var keeps its type", field: "${var.flag}", want: Value{V: true}},
		{name: "short form is a default", field: "${var.owner}", want: Value{V: "platform-team"}},
		{name: "var inside a string", field: "vm-${var.n}-${var.owner}", want: Value{V: "vm-2-platform-team"}},
		{name: "spaces inside braces", field: "${ var.n }", want: Value{V: 2}},
		{name: "--var overrides the default", field: "${var.n}", opts: Options{Vars: map[string]string{"n": "4"}}, want: Value{V: 4}},
		{name: "--var float", field: "${var.n}", opts: Options{Vars: map[string]string{"n": "1.5"}}, want: Value{V: 1.5}},
		{name: "--var bool", field: "${var.flag}", opts: Options{Vars: map[string]string{"flag": "false"}}, want: Value{V: false}},
		{name: "var file sets a value", field: "${var.env}-${var.n}", opts: Options{VarFiles: []string{"/vars/prod.yaml"}}, want: Value{V: "prod-8"}},
		{name: "--var wins over a var file", field: "${var.n}", opts: Options{VarFiles: []string{"/vars/prod.yaml"}, Vars: map[string]string{"n": "9"}}, want: Value{V: 9}},
		{name: "sensitive var", field: "x${var.secret}", want: Value{V: "xHunter2pass", Sensitive: true}},
		{name: "env is sensitive", field: "${env.TOKEN}", want: Value{V: "t0k3n", Sensitive: true}},
		{name: "file relative to the stack, one newline trimmed", field: "${file.key.pub}", want: Value{V: "ssh-ed25519 AAAA me"}},
		{name: "file keeps other newlines", field: "${file.sub/two.txt}", want: Value{V: "line1\nline2\n"}},
		{name: "file under home", field: "${file.~/.ssh/id.pub}", want: Value{V: "ssh-rsa BBBB me"}},
		{name: "escape", field: "echo $${HOME} $$ $", want: Value{V: "echo ${HOME} $$ $"}},
		{name: "resource attribute is a ref", field: "ip=${vms.db.private_ipv4}",
			want: Value{V: "ip=${vms.db.private_ipv4}", Refs: []Ref{{Addr: Address{VMs, "db"}, Attr: "private_ipv4"}}}},
		{name: "plain string", field: "hello", want: Value{V: "hello"}},

		{name: "var with no value", field: "${var.env}", wantDiags: []string{`10:8: error: variable "env" has no value`}},
		{name: "unknown var", field: "a ${var.nn}", wantDiags: []string{`10:10: error: unknown variable "nn" in ${var.nn}`}},
		{name: "--var not a number", field: "${var.n}", opts: Options{Vars: map[string]string{"n": "abc"}},
			wantDiags: []string{`-: error: --var n=abc: variable n is a number`}},
		{name: "--var undeclared", field: "x", opts: Options{Vars: map[string]string{"nope": "1"}},
			wantDiags: []string{`-: error: --var nope: no variable "nope" is declared in the stack file`}},
		{name: "var file: bad value and undeclared name", field: "${var.n}", opts: Options{VarFiles: []string{"/vars/bad.yaml"}},
			wantDiags: []string{`1:4: error: variable n is a number: lots is not`, `2:1: warning: variable "nope" is not declared in the stack file; ignored`}},
		{name: "missing var file", field: "x", opts: Options{VarFiles: []string{"/vars/none.yaml"}},
			wantDiags: []string{`-: error: cannot read var file: open /vars/none.yaml: file does not exist`}},
		{name: "missing env", field: "p-${env.NOPE}", wantDiags: []string{`10:10: error: environment variable NOPE is not set`}},
		{name: "missing file", field: "${file.nope.pub}", wantDiags: []string{`10:8: error: file /stack/nope.pub does not exist (in ${file.nope.pub})`}},
		{name: "unknown namespace", field: "ab ${foo.bar}", wantDiags: []string{`10:11: error: unknown namespace "foo" in ${foo.bar}`}},
		{name: "unterminated", field: "ab ${var.n", wantDiags: []string{`10:11: error: unterminated ${ in string`}},
		{name: "column inside quotes", field: `"ab ${x}"`, wantDiags: []string{`10:12: error: unknown namespace "x" in ${x}`}},
		{name: "ref without attribute", field: "${vms.db}", wantDiags: []string{`10:8: error: want ${vms.NAME.ATTR} in ${vms.db}`}},
		{name: "empty", field: "${}", wantDiags: []string{`10:8: error: empty ${}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.ReadFile = fakeFS(files)
			opts.LookupEnv = fakeEnv(env)
			s, ds := loadBytes("/stack/idstack.yaml", []byte(interpHeader+tt.field+"\n"), opts)
			if diff := cmp.Diff(tt.wantDiags, brief(ds)); diff != "" {
				t.Fatalf("diagnostics (-want +got):\n%s", diff)
			}
			if tt.wantDiags != nil {
				return
			}
			r := s.Lookup(Address{VMs, "web"})
			got := r.Fields["f"]
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Value{}, "Range")); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStackNameAndTopLevel(t *testing.T) {
	src := "stack: shop-${var.env}\nlocation: ${var.loc}\nbilling_account: 42\nadopt: true\nvars:\n  env: {type: string}\n  loc: jkt02\n"
	s, ds := loadBytes("dir/idstack.yaml", []byte(src), Options{Vars: map[string]string{"env": "dev"}})
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	got := []any{s.Name, s.Location, s.Doc["billing_account"], s.Adopt, s.Dir, s.Doc["stack"]}
	want := []any{"shop-dev", "jkt02", 42, true, "dir", "shop-dev"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadFromDisk(t *testing.T) {
	s, ds := load(filepath.Join("..", "testdata", "spec", "example.yaml"), Options{
		Vars:      map[string]string{"env": "staging"},
		LookupEnv: fakeEnv(map[string]string{"SHOP_VM_PASSWORD": "Sup3rSecret"}),
	})
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	if got := s.Lookup(Address{VMs, "web"}).Fields["public_key"].V; got != "ssh-ed25519 AAAA test" {
		t.Errorf("public_key = %q", got)
	}
	if _, ok := s.Sources[filepath.Join("..", "testdata", "spec", "id_ed25519.pub")]; !ok {
		t.Errorf("the file read by ${file.…} is not in Sources: %v", s.Sources)
	}
}
