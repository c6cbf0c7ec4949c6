package cli

import (
	"sort"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
)

// cloud is one cloud idstack manages: its provider's description (the
// schema, validate and plan read it; no account needed) and how a run
// connects to it (its own flags and variables: endpoint, credentials, its
// embedded simulator).
type cloud struct {
	desc    *provider.Description
	connect func(conn connOptions, stdio *IO, stackDir string) (*connection, error)
}

// clouds by the name a stack file gives (provider:).
var clouds = map[string]cloud{
	idcloudhost.Name: {desc: idcloudhost.Description(), connect: connectIDCloudHost},
	iwinv.Name:       {desc: iwinv.Description(), connect: connectIwinv},
}

// defaultCloud is the provider of a stack file that names none.
const defaultCloud = idcloudhost.Name

// descriptions are the clouds' descriptions, for the loader.
func descriptions() map[string]*provider.Description {
	out := make(map[string]*provider.Description, len(clouds))
	for n, c := range clouds {
		out[n] = c.desc
	}
	return out
}

// connect makes the provider of a stack's cloud.
func connect(conn connOptions, stdio *IO, d *provider.Description, stackDir string) (*connection, error) {
	if err := checkEndpoint(conn.Endpoint); err != nil {
		return nil, err
	}
	c, err := clouds[d.Name].connect(conn, stdio, stackDir)
	if err == nil && conn.endpoint != nil {
		*conn.endpoint = c.Endpoint
	}
	return c, err
}

// cloudNames lists the providers, sorted.
func cloudNames() []string {
	names := make([]string, 0, len(clouds))
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
