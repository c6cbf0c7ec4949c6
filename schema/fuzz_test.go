package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/spec"
)

// FuzzValidate: loading, checking and validating any input never panics
// and never reports a problem outside the file.
func FuzzValidate(f *testing.F) {
	for _, name := range []string{"three_errors.yaml", "../spec/example.yaml"} {
		if src, err := os.ReadFile(filepath.Join("..", "testdata", "schema", name)); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(header + okVM + "    vcpu: .inf\n    ram: .nan\n    disk: 1e400\n"))
	f.Add([]byte("stack: s\ndisks:\n  d: {size: -1, source: {type: DISK}}\nload_balancers: {lb: {rules: [{}], targets: [a, a]}}\n"))
	f.Add([]byte("stack: s\nvars: {\"1x\": 2, b: [1]}\nbuckets: {b: {location: x, name: ~}}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := spec.Options{
			LookupEnv: func(string) (string, bool) { return "", false },
			ReadFile:  func(string) ([]byte, error) { return nil, os.ErrNotExist },
		}
		_, ds := loadStackBytes("f.yaml", src, opts)
		// The YAML lexer also counts a lone \r as a line break.
		lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") + 1
		for _, d := range ds {
			if d.Range != nil && (d.Range.Start.Line < 1 || d.Range.Start.Line > lines+1) {
				t.Errorf("diagnostic out of the file: %+v", d)
			}
		}
	})
}
