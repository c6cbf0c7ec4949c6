package schema

import (
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// The tests validate stack files of idcloudhost, the first provider.
var testDesc = idcloudhost.Description()

func withProvider(o spec.Options) spec.Options {
	if o.Providers == nil {
		o.Providers = map[string]*provider.Description{idcloudhost.Name: testDesc}
		o.DefaultProvider = idcloudhost.Name
	}
	return o
}

func loadStack(path string, o spec.Options) (*spec.Stack, spec.Diagnostics) {
	return Load(path, withProvider(o))
}

func loadStackBytes(name string, src []byte, o spec.Options) (*spec.Stack, spec.Diagnostics) {
	return LoadBytes(name, src, withProvider(o))
}
