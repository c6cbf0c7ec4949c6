package idcloudhost

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/providertest"
	"github.com/idstack/idstack/provider/sim"
)

// TestContract runs the provider contract suite against the client and the
// simulator: in the document's behaviour (VM calls answer when done), the
// same with asynchronous VM calls (a VM is listed "creating" and becomes
// ready later), and in the live service's (a VM whose create is not done
// is not listed; 400 for a missing VM or network).
func TestContract(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts sim.Options
	}{
		{"document", sim.Options{ReadyAfter: 5 * time.Millisecond}},
		{"document-async", sim.Options{ReadyAfter: 20 * time.Millisecond, AsyncVMs: true}},
		{"live", sim.Options{Quirks: sim.QuirksLive, ReadyAfter: 5 * time.Millisecond}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			providertest.Run(t, contractHarness(mode.opts))
		})
	}
}

// contractRoutes are, per kind, the API calls that read it whole, read
// one object of it and create one: "METHOD /path" as the simulator's
// faults match them.
var contractRoutes = map[provider.Kind]struct{ list, get, create string }{
	VMs:           {"GET /user-resource/vm/list", "GET /user-resource/vm", "POST /user-resource/vm"},
	Networks:      {"GET /network/networks", "GET /network/network/*", "POST /network/network"},
	Disks:         {"GET /storage/disks", "GET /storage/disks/*", "POST /storage/disks"},
	FloatingIPs:   {"GET /network/ip_addresses", "GET /network/ip_addresses/*", "POST /network/ip_addresses"},
	LoadBalancers: {"GET /network/load_balancers", "GET /network/load_balancers/*", "POST /network/load_balancers"},
	Buckets:       {"GET /storage/bucket/list", "GET /storage/bucket", "PUT /storage/bucket"},
}

func contractHarness(opts sim.Options) providertest.Harness {
	return providertest.Harness{
		New: func(t *testing.T) providertest.Env {
			e := newSim(t, opts)
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
					if kind != VMs { // only VM creates take time
						return false
					}
					e.sim.SetReadyAfter(d)
					return true
				},
			}
		},
		Unreachable: func(t *testing.T) provider.Provider {
			return New(providertest.RefusingEndpoint(t), "sim-key", WithRetry(3, time.Millisecond, 2*time.Millisecond))
		},
		Facts: func(k provider.Kind) providertest.Facts {
			// The facts come from the description.
			ks := Description().Kind(k)
			f := providertest.Facts{Global: ks.Global, Named: ks.NameField != ""}
			if ks.ReadyField != "" {
				f.Ready = []string{ks.ReadyDefault}
			}
			return f
		},
		Kinds: []providertest.Kind{
			{
				Kind: VMs, Location: "jkt02",
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
						"username": "deploy", "password": "Secret123"}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: Networks, Location: "jkt02",
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: Disks, Location: "jkt02",
				Attrs: func(testing.TB, provider.Provider, string) provider.Attrs {
					return provider.Attrs{"size": 20, "billing_account": sim.DefaultBillingAccount}
				},
				Change:    providertest.Change{Field: "billing_account", To: sim.SecondBillingAccount},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: FloatingIPs, Location: "jkt02",
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "billing_account": sim.DefaultBillingAccount}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "192.0.2.254",
			},
			{
				Kind: LoadBalancers, Location: "jkt02",
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "billing_account": sim.DefaultBillingAccount,
						"rules": []any{map[string]any{"source_port": 80, "target_port": 8080}}}
				},
				Change:    providertest.Change{Field: "name", To: "pt-renamed"},
				MissingID: "00000000-0000-4000-8000-00000000dead",
			},
			{
				Kind: Buckets,
				Attrs: func(_ testing.TB, _ provider.Provider, name string) provider.Attrs {
					return provider.Attrs{"name": name, "billing_account": sim.DefaultBillingAccount}
				},
				Change:    providertest.Change{Field: "billing_account", To: sim.SecondBillingAccount},
				MissingID: "pt-no-such-bucket",
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
		key := c.Method + " " + "/" + strings.Trim(c.Path, "/")
		status := c.Status
		if c.Outcome != 0 {
			status = c.Outcome
		}
		out = append(out, providertest.Call{
			Text:   fmt.Sprintf("%s → %d", key, c.Status),
			Write:  c.Method != http.MethodGet,
			Create: creates[key],
			OK:     status >= 200 && status <= 299,
		})
	}
	return out
}
