package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
)

// committedSchemas are the editor schemas the examples point at
// (# yaml-language-server: $schema=…), one per provider.
var committedSchemas = map[string]*provider.Description{
	filepath.Join("..", "examples", "idstack.schema.json"):        idcloudhost.Description(),
	filepath.Join("..", "examples", "iwinv", "iwinv.schema.json"): iwinv.Description(),
}

// TestCommittedSchemasAreCurrent: each committed schema is what `idstack
// schema --provider P` prints (regenerate with -update).
func TestCommittedSchemasAreCurrent(t *testing.T) {
	for path, d := range committedSchemas {
		want := JSON(d)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./schema -update writes it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from `idstack schema --provider %s`: run go test ./schema -update", path, d.Name)
		}
	}
}

// editorValidate validates a stack file as an editor does: the YAML as
// written (before interpolation) against the editor schema.
func editorValidate(t *testing.T, sch *jsonschema.Schema, src []byte) error {
	t.Helper()
	j, err := yaml.YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	return sch.Validate(doc)
}

func editorSchema(t *testing.T, d *provider.Description) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(schemaURL, bytes.NewReader(JSON(d))); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestEditorSeesNoErrorInValidFiles: every example and valid testdata
// stack file, as written (typed fields holding ${…}), validates against
// the editor schema, as yaml-language-server would check it; a wrong type
// is still an error there.
func TestEditorSeesNoErrorInValidFiles(t *testing.T) {
	for _, tc := range []struct {
		d        *provider.Description
		files    []string
		patterns []string
		min      int
	}{
		{idcloudhost.Description(), []string{filepath.Join("..", "testdata", "spec", "example.yaml")}, []string{"*.yaml", "envs/stack.yaml"}, 4},
		{iwinv.Description(), nil, []string{"iwinv/*.yaml"}, 1},
	} {
		sch := editorSchema(t, tc.d)
		files := tc.files
		for _, pattern := range tc.patterns {
			m, _ := filepath.Glob(filepath.Join("..", "examples", pattern))
			files = append(files, m...)
		}
		if len(files) < tc.min {
			t.Fatalf("%s: only %d files", tc.d.Name, len(files))
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := editorValidate(t, sch, src); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	iw := editorSchema(t, iwinv.Description())
	wrongRule := "provider: iwinv\nstack: s\nfirewalls:\n  web: {rules: [{direction: sideways, protocol: tcp, port: \"22\", source: 0.0.0.0/0}]}\n"
	if err := editorValidate(t, iw, []byte(wrongRule)); err == nil || !strings.Contains(err.Error(), "direction") {
		t.Errorf("direction: sideways: %v, want an error at direction", err)
	}
	sch := editorSchema(t, idcloudhost.Description())
	wrong := "stack: s\nvms:\n  web: {os_name: ubuntu, os_version: \"22.04\", vcpu: two, ram: 1024, disk: 20}\n"
	if err := editorValidate(t, sch, []byte(wrong)); err == nil || !strings.Contains(err.Error(), "vcpu") {
		t.Errorf("vcpu: two: %v, want an error at vcpu", err)
	}
	templated := "stack: s\nvms:\n  web: {os_name: ubuntu, os_version: \"22.04\", vcpu: \"${var.n}\", ram: 1024, disk: 20, power: \"${var.p}\"}\n"
	if err := editorValidate(t, sch, []byte(templated)); err != nil {
		t.Errorf("interpolated values: %v", err)
	}
}
