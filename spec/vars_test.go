package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestVariableValues: a variable's default and its var file value are
// interpolated with the rules of the stack's own values (issue 11, item
// 7): never used as their text. vms.web.f reads ${var.x} after the vars
// of each case.
func TestVariableValues(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"/stack/key.pub":        "ssh-ed25519 AAAA stack\n",
		"/vars/key.pub":         "ssh-ed25519 BBBB vars\n",
		"/vars/env.yaml":        "x: \"${env.DB_PW2}\"\n",
		"/vars/file.yaml":       "x: ${file.key.pub}\n",
		"/vars/plain.yaml":      "x: plain-from-file\n",
		"/vars/ref.yaml":        "x: ${vms.db.private_ipv4}\n",
		"/vars/cycle.yaml":      "x: ${var.y}\n",
		"/vars/undeclared.yaml": "nope: ${env.DB_PW2}\n",
	}
	env := map[string]string{"DB_PW2": "Env-Passw0rd", "STAGE": "pr-7", "CPUS": "4", "SLASHED": "pr/7"}
	tests := []struct {
		name      string
		vars      string // the vars: block, indented by two
		opts      Options
		want      Value // of vms.web.f, without its range
		wantDiags []string
	}{
		{name: "env in a default is read and sensitive",
			vars: "  x: {type: string, default: \"${env.DB_PW2}\"}\n",
			want: Value{V: "Env-Passw0rd", Sensitive: true}},
		{name: "env in a short form default",
			vars: "  x: ${env.DB_PW2}\n",
			want: Value{V: "Env-Passw0rd", Sensitive: true}},
		{name: "sensitive through every variable that uses it",
			vars: "  pw: ${env.DB_PW2}\n  y: \"user:${var.pw}\"\n  x: ${var.y}\n",
			want: Value{V: "user:Env-Passw0rd", Sensitive: true}},
		{name: "a declared sensitive variable taints the ones that use it",
			vars: "  s: {type: string, default: Hunter2pass, sensitive: true}\n  x: \"${var.s}!\"\n",
			want: Value{V: "Hunter2pass!", Sensitive: true}},
		{name: "a var keeps its type through another",
			vars: "  n: {type: number, default: 3}\n  x: {type: number, default: \"${var.n}\"}\n",
			want: Value{V: 3}},
		{name: "an env value converted to the declared type",
			vars: "  x: {type: number, default: \"${env.CPUS}\"}\n",
			want: Value{V: 4, Sensitive: true}},
		{name: "file in a default is relative to the stack file",
			vars: "  x: ${file.key.pub}\n",
			want: Value{V: "ssh-ed25519 AAAA stack"}},
		{name: "escape stays literal",
			vars: "  x: \"a-$${env.DB_PW2}\"\n",
			want: Value{V: "a-${env.DB_PW2}"}},
		{name: "env in a var file value",
			vars: "  x: {type: string}\n", opts: Options{VarFiles: []string{"/vars/env.yaml"}},
			want: Value{V: "Env-Passw0rd", Sensitive: true}},
		{name: "file in a var file is relative to the var file",
			vars: "  x: {type: string}\n", opts: Options{VarFiles: []string{"/vars/file.yaml"}},
			want: Value{V: "ssh-ed25519 BBBB vars"}},
		{name: "a later var file's plain value replaces a default's template",
			vars: "  x: ${env.NOPE}\n", opts: Options{VarFiles: []string{"/vars/plain.yaml"}},
			want: Value{V: "plain-from-file"}},
		{name: "--var replaces a default's template (its cycle is never read)",
			vars: "  x: ${var.x}\n", opts: Options{Vars: map[string]string{"x": "cli"}},
			want: Value{V: "cli"}},
		{name: "--var is taken as it is, with a warning",
			vars: "  x: {type: string}\n", opts: Options{Vars: map[string]string{"x": "${env.DB_PW2}"}},
			want:      Value{V: "${env.DB_PW2}"},
			wantDiags: []string{"-: warning: --var x=${env.DB_PW2} is taken as it is: --var values are not interpolated"}},
		{name: "a var file's undeclared name is still only a warning",
			vars: "  x: a\n", opts: Options{VarFiles: []string{"/vars/undeclared.yaml"}},
			want:      Value{V: "a"},
			wantDiags: []string{`1:1: warning: variable "nope" is not declared in the stack file; ignored`}},

		{name: "self-reference",
			vars:      "  x: {type: string, default: \"${var.x}\"}\n",
			wantDiags: []string{"3:31: error: variable x refers to itself (in its default)"}},
		{name: "two variables in a cycle",
			vars:      "  x: ${var.y}\n  y: \"a-${var.x}\"\n",
			wantDiags: []string{"4:9: error: variables refer to each other in a cycle: x → y → x"}},
		{name: "three variables in a cycle, one reported",
			vars:      "  x: ${var.y}\n  y: ${var.z}\n  z: ${var.x}\n",
			wantDiags: []string{"5:6: error: variables refer to each other in a cycle: x → y → z → x"}},
		{name: "a cycle through a var file",
			vars: "  x: {type: string}\n  y: ${var.x}\n", opts: Options{VarFiles: []string{"/vars/cycle.yaml"}},
			wantDiags: []string{"4:6: error: variables refer to each other in a cycle: x → y → x"}},
		{name: "a resource attribute cannot be a default",
			vars:      "  x: {type: string, default: \"ip ${vms.db.private_ipv4}\"}\n",
			wantDiags: []string{"3:34: error: ${vms.db.private_ipv4} cannot be used in the value of variable x (default)"}},
		{name: "a resource attribute cannot be a var file value",
			vars: "  x: {type: string}\n", opts: Options{VarFiles: []string{"/vars/ref.yaml"}},
			wantDiags: []string{"1:4: error: ${vms.db.private_ipv4} cannot be used in the value of variable x (value in /vars/ref.yaml)"}},
		{name: "a missing env in a default is reported at the default",
			vars:      "  x: \"${env.NOPE}\"\n",
			wantDiags: []string{"3:7: error: environment variable NOPE is not set"}},
		{name: "an unknown variable in a default",
			vars:      "  x: ${var.nope}\n",
			wantDiags: []string{`3:6: error: unknown variable "nope" in ${var.nope}`}},
		{name: "a variable with no value used by a default",
			vars:      "  y: {type: string}\n  x: a-${var.y}\n",
			wantDiags: []string{`4:8: error: variable "y" has no value`}},
		{name: "an env value that is not a number, not echoed",
			vars:      "  x: {type: number, default: \"${env.DB_PW2}\"}\n",
			wantDiags: []string{"3:30: error: variable x is a number: its default gives (sensitive)"}},
		{name: "a file value that is not a number",
			vars:      "  x: {type: number, default: \"${file.key.pub}\"}\n",
			wantDiags: []string{`3:30: error: variable x is a number: its default gives "ssh-ed25519 AAAA stack"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "stack: s\nvars:\n" + tt.vars + "vms:\n  web:\n    f: ${var.x}\n"
			opts := tt.opts
			opts.ReadFile = fakeFS(files)
			opts.LookupEnv = fakeEnv(env)
			s, ds := loadBytes("/stack/idstack.yaml", []byte(src), opts)
			if diff := cmp.Diff(tt.wantDiags, brief(ds)); diff != "" {
				t.Fatalf("diagnostics (-want +got):\n%s\n%s", diff, src)
			}
			if ds.HasErrors() {
				return
			}
			got := s.Lookup(Address{VMs, "web"}).Fields["f"]
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Value{}, "Range")); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVariableDocumentKeepsText: the document (what the schema sees) keeps
// a default as written; the secret it reads is nowhere in it.
func TestVariableDocumentKeepsText(t *testing.T) {
	t.Parallel()
	src := "stack: s\nvars:\n  pw: ${env.DB_PW2}\nvms:\n  web: {password: \"${var.pw}\"}\n"
	s, ds := loadBytes("s.yaml", []byte(src), Options{LookupEnv: fakeEnv(map[string]string{"DB_PW2": "Env-Passw0rd"})})
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	if got, _ := s.At("/vars/pw"); got != "${env.DB_PW2}" {
		t.Errorf("vars/pw in the document = %v", got)
	}
	if got := s.Lookup(Address{VMs, "web"}).Fields["password"]; got.V != "Env-Passw0rd" || !got.Sensitive {
		t.Errorf("password = %+v", got)
	}
}

// IDSTACK_VAR_<name> sets a variable below --var-file and --var; a name
// the file does not declare is ignored; a wrong type is an error naming
// where it came from.
func TestVariablesFromTheEnvironment(t *testing.T) {
	t.Parallel()
	src := "stack: s-${var.env}\nvars:\n  env: {type: string}\n  n: {type: number, default: 1}\n  m: {type: number}\nvms:\n  a: {f: \"${var.n}-${var.m}\"}\n"
	files := map[string]string{"/v.yaml": "m: 3\n"}
	cases := []struct {
		name string
		env  map[string]string
		vars map[string]string
		want string
		errs []string
	}{
		{"from the environment", map[string]string{"env": "dev", "n": "2", "m": "9", "other": "x"}, nil, "s-dev 2-3", nil},
		{"--var wins", map[string]string{"env": "dev"}, map[string]string{"env": "prod"}, "s-prod 1-3", nil},
		{"wrong type", map[string]string{"env": "dev", "n": "two"}, nil, "", []string{"IDSTACK_VAR_n=two: variable n is a number"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, ds := loadBytes("/s.yaml", []byte(src), Options{EnvVars: tc.env, Vars: tc.vars, VarFiles: []string{"/v.yaml"},
				ReadFile: fakeFS(files), LookupEnv: fakeEnv(nil)})
			var got []string
			for _, d := range ds {
				got = append(got, d.Summary)
			}
			if tc.errs != nil {
				if len(got) == 0 || !strings.Contains(got[0], tc.errs[0]) {
					t.Errorf("diagnostics %q, want %q", got, tc.errs)
				}
				return
			}
			if len(ds) != 0 {
				t.Fatalf("diagnostics %q", got)
			}
			if v := s.Name + " " + s.Resources[0].Fields["f"].V.(string); v != tc.want {
				t.Errorf("got %q, want %q", v, tc.want)
			}
		})
	}
}
