package spec

import (
	"fmt"
	"io/fs"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
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

// The tests load stack files of idcloudhost, the first provider: its
// description is the test's, named by the constants below (the engine
// itself names no kind).
const (
	VMs           = idcloudhost.VMs
	Disks         = idcloudhost.Disks
	Networks      = idcloudhost.Networks
	FloatingIPs   = idcloudhost.FloatingIPs
	LoadBalancers = idcloudhost.LoadBalancers
	Buckets       = idcloudhost.Buckets
)

var testKinds = idcloudhost.Description().KindNames()

// withProvider gives options the idcloudhost description, the default.
func withProvider(o Options) Options {
	if o.Providers == nil {
		o.Providers = map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}
		o.DefaultProvider = idcloudhost.Name
	}
	return o
}

func loadBytes(filename string, src []byte, o Options) (*Stack, Diagnostics) {
	return LoadBytes(filename, src, withProvider(o))
}

func load(path string, o Options) (*Stack, Diagnostics) { return Load(path, withProvider(o)) }
