package cli

import (
	"sort"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// The clouds idstack manages, by the name a stack file gives (provider:):
// each one's description (the schema, validate and plan read it; no account
// needed) and how a run connects to it.
var clouds = map[string]*provider.Description{
	idcloudhost.Name: idcloudhost.Description(),
}

// defaultCloud is the provider of a stack file that names none.
const defaultCloud = idcloudhost.Name

// cloudNames lists the providers, sorted.
func cloudNames() []string {
	names := make([]string, 0, len(clouds))
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
