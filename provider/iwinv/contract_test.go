package iwinv

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
	"github.com/idstack/idstack/provider/providertest"
)

// TestContract runs the provider contract suite against the client and
// the simulator: with the API's page size (10), and with pages of 2 so
// that every list crosses pages.
func TestContract(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name     string
		pageSize int
	}{{"pages-of-10", 10}, {"pages-of-2", 2}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			providertest.Run(t, contractHarness(mode.pageSize))
		})
	}
}

// Instances the contract's disks attach to: made in the world of every
// test, so that a disk's in-place change (attach_to) has somewhere to go.
const (
	contractZone = sim.DefaultZone
	diskHostA    = "00000000-0000-4000-8000-00000000a11a"
	diskHostB    = "00000000-0000-4000-8000-00000000b22b"
)

// contractRoutes are, per kind, the API calls that read it whole, read
// one object of it and create one, as the simulator's faults match them.
var contractRoutes = map[provider.Kind]struct{ list, get, create string }{
	VMs:       {"GET /instances", "GET /instances/*", "POST /instances"},
	Disks:     {"GET /block-storages", "GET /block-storages/*", "POST /block-storages"},
	Firewalls: {"GET /security-groups", "GET /security-groups/*", "POST /security-groups"},
}

func contractHarness(pageSize int) providertest.Harness {
	return providertest.Harness{
		New: func(t *testing.T) providertest.Env {
			e := newSim(t, sim.Options{ReadyAfter: 5 * time.Millisecond}, WithPageSize(pageSize))
			e.sim.Mutate(func(w *sim.World) {
				for _, id := range []string{diskHostA, diskHostB} {
					w.Instances = append(w.Instances, sim.Instance{ID: id, Name: "host-" + id[len(id)-4:], Status: api.StatusActive,
						Zone: contractZone, Flavor: "fl-std-1c1g", Image: "img-ubuntu-2204", IP: []string{}})
				}
			})
			return providertest.Env{
				Provider: e.c,
				Calls:    func() []providertest.Call { return contractCalls(e.sim.Calls()) },
				Fail: func(kind provider.Kind, op providertest.Op, f providertest.Failure) {
					r := contractRoutes[kind]
					route := map[providertest.Op]string{providertest.OpList: r.list, providertest.OpGet: r.get, providertest.OpCreate: r.create}[op]
					method, path, _ := strings.Cut(route, " ")
					status := map[providertest.Failure]int{
						providertest.ServerError: http.StatusServiceUnavailable,
						providertest.RateLimited: http.StatusTooManyRequests,
						providertest.Refused:     http.StatusBadRequest,
					}[f]
					e.sim.AddFault(sim.Fault{Method: method, Path: path, Status: status, Times: 1})
				},
				LoseAnswer: func(kind provider.Kind) {
					method, path, _ := strings.Cut(contractRoutes[kind].create, " ")
					e.sim.AddFault(sim.Fault{Method: method, Path: path, LostResponse: true, Times: 1})
				},
				Slow: func(kind provider.Kind, d time.Duration) bool {
					if kind == Firewalls { // security groups are made at once
						return false
					}
					e.sim.SetReadyAfter(d)
					return true
				},
			}
		},
		Unreachable: func(t *testing.T) provider.Provider {
			return New(providertest.RefusingEndpoint(t), "k", "s", WithRateLimit(0, 0), WithRetry(3, time.Millisecond, 2*time.Millisecond))
		},
		Facts: func(k provider.Kind) providertest.Facts {
			// The facts come from the description.
			ks := Description().Kind(k)
			f := providertest.Facts{Global: ks.Global, Named: ks.NameField != "", PageSize: pageSize}
			if ks.ReadyField != "" {
				f.Ready = []string{ks.ReadyDefault}
			}
			if k == Firewalls {
				// A group's rules and instances are documented only per
				// group: two calls per firewall.
				f.CallsPerObject = 2
			}
			return f
		},
		Kinds: []providertest.Kind{
			{
				Kind: VMs, Location: contractZone,
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204", "power": "running"}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: Disks, Location: contractZone,
				Attrs: func(testing.TB, provider.Provider, string) provider.Attrs {
					return provider.Attrs{"size": 20, "type": "SSD", "attach_to": diskHostA}
				},
				Change:    providertest.Change{Field: "attach_to", To: diskHostB},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: Firewalls,
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "description": "contract", "icmp": true,
						"rules":     []any{map[string]any{"direction": "in", "protocol": "tcp", "port": "22", "source": "0.0.0.0/0"}},
						"attach_to": []any{diskHostA}}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "FIREWALL-DEADBEEF00",
			},
		},
	}
}

// contractCalls turns the simulator's call log into the suite's words.
func contractCalls(calls []sim.Call) []providertest.Call {
	creates := map[string]provider.Kind{}
	for k, r := range contractRoutes {
		creates[r.create] = k
	}
	out := make([]providertest.Call, 0, len(calls))
	for _, c := range calls {
		key := c.Method + " " + c.Path
		out = append(out, providertest.Call{
			Text:   fmt.Sprintf("%s → %d", key, c.Status),
			Write:  c.Method != http.MethodGet,
			Create: creates[key],
			OK:     c.Status >= 200 && c.Status <= 299,
		})
	}
	return out
}
