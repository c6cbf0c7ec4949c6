package spec

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/spec/diagnostics")

// TestDiagnosticsGolden renders the diagnostics of the loader's own
// limits and of variables as a user sees them (Format, with the offending
// line), against testdata/spec/diagnostics/NAME.golden (-update rewrites).
func TestDiagnosticsGolden(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"/stack/big.pem":       strings.Repeat("x", MaxFileSize+1),
		"/stack/env/prod.yaml": "\uFEFFregion: ${var.zone}\nzone: ${var.region}\n",
	}
	env := map[string]string{"DB_PW2": "Env-Passw0rd"}
	tests := []struct {
		name string
		src  string
		opts Options
	}{
		{name: "nested_brackets", src: "stack: s\nvms:\n  web:\n    cloud_init: {runcmd: " + strings.Repeat("[", 20000) + "\n"},
		{name: "variable_cycles", src: `stack: shop
vars:
  pw: {type: string, default: "${var.pw}"}
  a: ${var.b}
  b: "x-${var.a}"
vms:
  web: {name: web-01, username: deploy, password: "${var.pw}", description: "${var.a}"}
`},
		{name: "variable_default_attribute", src: `stack: shop
vars:
  db_ip: {type: string, default: "${vms.db.private_ipv4}"}
  pw: ${env.DB_PW2}
vms:
  web: {name: web-01, username: deploy, description: "db at ${var.db_ip}", password: "${var.pw}"}
`},
		{name: "var_file_cycle", src: "stack: shop\nvars:\n  region: jkt\n  zone: {type: string}\n", opts: Options{VarFiles: []string{"/stack/env/prod.yaml"}}},
		{name: "file_too_large", src: "stack: shop\nvms:\n  web:\n    name: web-01\n    username: deploy\n    public_key: ${file.big.pem}\n"},
		{name: "bom", src: "\uFEFFstack: shop-${var.env}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			opts.ReadFile, opts.LookupEnv = fakeFS(files), fakeEnv(env)
			s, ds := loadBytes("/stack/idstack.yaml", []byte(tt.src), opts)
			ds = append(ds, Check(s)...)
			ds.Sort()
			sources := map[string][]byte{"/stack/idstack.yaml": []byte(tt.src)}
			if s != nil {
				sources = s.Sources
			}
			var b bytes.Buffer
			Format(&b, ds, sources)
			got := b.Bytes()
			if bytes.Contains(got, []byte("Env-Passw0rd")) {
				t.Error("a secret is in the diagnostics")
			}
			path := filepath.Join("..", "testdata", "spec", "diagnostics", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./spec -run TestDiagnosticsGolden -update)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, d)
			}
		})
	}
}
