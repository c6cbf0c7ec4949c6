package spec

import (
	"fmt"
	"io/fs"
)

// fakeFS is a ReadFile over a map, so tests touch no disk.
func fakeFS(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("open %s: %w", p, fs.ErrNotExist)
	}
}

func fakeEnv(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// brief renders diagnostics as "line:col: severity: summary" for tables.
func brief(ds Diagnostics) []string {
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
