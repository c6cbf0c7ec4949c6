package idcloudhost

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
)

// simEnv is the simulator behind a real HTTP server and a client of it that
// polls fast.
type simEnv struct {
	t   *testing.T
	sim *sim.Server
	c   *Client
}

func newSim(t *testing.T, opts sim.Options, copts ...Option) *simEnv {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	if opts.APIKey == "" {
		opts.APIKey = "sim-key"
	}
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	copts = append([]Option{WithHTTPClient(srv.Client()), WithPoll(time.Millisecond, 5*time.Millisecond, 10*time.Second), WithRetry(4, time.Millisecond, 5*time.Millisecond)}, copts...)
	return &simEnv{t: t, sim: s, c: New(srv.URL, opts.APIKey, copts...)}
}

// writes lists the calls other than GET, as "METHOD /path".
func (e *simEnv) writes() []string {
	var out []string
	for _, c := range e.sim.Calls() {
		if c.Method != http.MethodGet {
			out = append(out, c.Method+" "+c.Path)
		}
	}
	return out
}

func (e *simEnv) must(obj provider.Object, err error) provider.Object {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return obj
}

func forBothQuirks(t *testing.T, f func(t *testing.T, quirks string)) {
	for _, q := range []string{"", sim.QuirksLive} {
		name := "document"
		if q != "" {
			name = q
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, q)
		})
	}
}

func TestSimVMAndNetworkLifecycle(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks, ReadyAfter: 20 * time.Millisecond})
		ctx := context.Background()
		const loc = "jkt02"

		net := e.must(e.c.Create(ctx, Networks, loc, provider.Attrs{"name": "shop-net"}))
		if net.Name != "shop-net" || net.Attrs["is_default"] != false || net.ID == "" {
			t.Fatalf("network = %+v", net)
		}

		vm := e.must(e.c.Create(ctx, VMs, loc, provider.Attrs{
			"name": "shop-web", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 2, "ram": 2048, "disk": 20,
			"network": net.ID, "pool": "General", "username": "deploy", "password": "Secret123", "backup": false,
			"cloud_init": map[string]any{"runcmd": []any{"/firstboot"}},
		}))
		if vm.ID == "" || vm.Attrs["network"] != net.ID || vm.Attrs["pool"] != sim.GeneralPoolUUID {
			t.Fatalf("vm = %+v", vm)
		}
		ready := e.must(e.c.WaitVM(ctx, loc, vm.ID, "running"))
		if ready.Status != "running" || ready.Attrs["power"] != "running" {
			t.Fatalf("ready = %+v", ready)
		}

		// The network attribute comes from the join, on List and Get.
		vms, err := e.c.List(ctx, VMs, loc)
		if err != nil || len(vms) != 1 || vms[0].Attrs["network"] != net.ID || vms[0].Attrs["disk"] != 20 || vms[0].Attrs["username"] != "deploy" {
			t.Fatalf("List(vms) = %+v, %v", vms, err)
		}
		nets, err := e.c.List(ctx, Networks, loc)
		if err != nil || len(nets) != 2 {
			t.Fatalf("List(networks) = %+v, %v", nets, err)
		}
		for _, n := range nets {
			if n.ID == net.ID && !slices.Equal(n.Attrs["vm_uuids"].([]any), []any{vm.ID}) {
				t.Errorf("network vm_uuids = %v", n.Attrs["vm_uuids"])
			}
		}

		// vcpu on a running VM: stop, patch, start again.
		e.sim.ResetCalls()
		up := e.must(e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{
			{Field: "vcpu", Before: 2, After: 4}, {Field: "ram", Before: 2048, After: 2048},
		}))
		if up.Attrs["vcpu"] != 4 || up.Status != "running" || up.Attrs["network"] != net.ID {
			t.Errorf("after resize = %+v", up)
		}
		want := []string{"POST /user-resource/vm/stop", "PATCH /user-resource/vm", "POST /user-resource/vm/start"}
		if got := e.writes(); !slices.Equal(got, want) {
			t.Errorf("writes = %v, want %v", got, want)
		}

		// Backup: read, then toggle only if it differs — twice asked, once toggled.
		e.sim.ResetCalls()
		for range 2 {
			up = e.must(e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{{Field: "backup", Before: false, After: true}}))
		}
		if up.Attrs["backup"] != true {
			t.Errorf("backup = %v", up.Attrs["backup"])
		}
		if got := e.writes(); !slices.Equal(got, []string{"POST /user-resource/vm/backup"}) {
			t.Errorf("writes = %v", got)
		}

		// In place: name, disk, billing account, password; then stop.
		up = e.must(e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{
			{Field: "name", Before: "shop-web", After: "shop-web-2"},
			{Field: "disk", Before: 20, After: 40},
			{Field: "billing_account", Before: sim.DefaultBillingAccount, After: sim.SecondBillingAccount},
			{Field: "password", After: "Secret456"},
		}))
		if up.Name != "shop-web-2" || up.Attrs["disk"] != 40 || up.Attrs["billing_account"] != sim.SecondBillingAccount {
			t.Errorf("after in-place update = %+v", up)
		}
		up = e.must(e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{{Field: "power", Before: "running", After: "stopped"}}))
		if up.Status != "stopped" || up.Attrs["power"] != "stopped" {
			t.Errorf("after stop = %+v", up)
		}
		// ram while stopped stays stopped.
		up = e.must(e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{{Field: "ram", Before: 2048, After: 4096}}))
		if up.Status != "stopped" || up.Attrs["ram"] != 4096 {
			t.Errorf("after ram = %+v", up)
		}
		if _, err := e.c.Update(ctx, VMs, loc, vm.ID, []provider.FieldChange{{Field: "disk", Before: 40, After: 30}}); err == nil {
			t.Error("disk shrank")
		}

		// The network is not empty: its refusal surfaces as the APIError.
		var ae *provider.APIError
		if err := e.c.Delete(ctx, Networks, loc, net.ID); !errors.As(err, &ae) || ae.NotFound {
			t.Errorf("Delete(non-empty network) = %v", err)
		}

		if err := e.c.Delete(ctx, VMs, loc, vm.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, VMs, loc, vm.ID); err != nil {
			t.Errorf("Delete(vm) again = %v", err)
		}
		if _, err := e.c.Get(ctx, VMs, loc, vm.ID); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Get(deleted vm) = %v", err)
		}

		e.must(e.c.Update(ctx, Networks, loc, net.ID, []provider.FieldChange{{Field: "name", Before: "shop-net", After: "shop-net-2"}}))
		if n := e.must(e.c.Get(ctx, Networks, loc, net.ID)); n.Name != "shop-net-2" {
			t.Errorf("renamed network = %+v", n)
		}
		if err := e.c.Delete(ctx, Networks, loc, net.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, Networks, loc, net.ID); err != nil {
			t.Errorf("Delete(network) again = %v", err)
		}
		if _, err := e.c.Get(ctx, Networks, loc, net.ID); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Get(deleted network) = %v", err)
		}
		// The default network is refused.
		for _, n := range e.must2(e.c.List(ctx, Networks, loc)) {
			if err := e.c.Delete(ctx, Networks, loc, n.ID); !errors.As(err, &ae) || ae.NotFound {
				t.Errorf("Delete(default network) = %v", err)
			}
		}
	})
}

func (e *simEnv) must2(objs []provider.Object, err error) []provider.Object {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return objs
}

func TestSimVMCreateStopped(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks, ReadyAfter: 10 * time.Millisecond})
		vm := e.must(e.c.Create(context.Background(), VMs, "", provider.Attrs{
			"name": "cold-1", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
			"username": "deploy", "password": "Secret123", "power": "stopped",
		}))
		if vm.Status != "stopped" || vm.Attrs["network"] == "" {
			t.Errorf("vm = %+v", vm)
		}
		if w := e.sim.World(); len(w.FloatingIPs) != 0 {
			t.Errorf("a floating IP was reserved: %+v", w.FloatingIPs)
		}
	})
}

// A name lost on the way gives the default network back: an error, never
// an adoption.
func TestSimNetworkCreateLostName(t *testing.T) {
	t.Parallel()
	s := sim.New(sim.Options{Seed: 3})
	srv := httptest.NewServer(s)
	defer srv.Close()
	strip := roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/network/network") {
			r.URL.RawQuery = ""
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := New(srv.URL, "k", WithHTTPClient(&http.Client{Transport: strip}))
	_, err := c.Create(context.Background(), Networks, "jkt01", provider.Attrs{"name": "app"})
	if err == nil || !strings.Contains(err.Error(), "not adopting") {
		t.Errorf("err = %v", err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSimRetriesAndCreatesOnce(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	e.sim.AddFault(sim.Fault{Method: "GET", Path: "/user-resource/vm/list", Status: 503, Times: 2})
	e.sim.AddFault(sim.Fault{Method: "GET", Path: "/network/networks", Status: 429, RetryAfter: 0, Times: 1})
	if _, err := e.c.List(ctx, VMs, "jkt01"); err != nil {
		t.Fatalf("List with transient faults: %v", err)
	}
	e.sim.ResetCalls()
	e.sim.AddFault(sim.Fault{Method: "POST", Path: "/user-resource/vm", Status: 503, Times: 1})
	_, err := e.c.Create(ctx, VMs, "jkt01", provider.Attrs{
		"name": "web-1", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20, "username": "u", "password": "Secret123",
	})
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != 503 {
		t.Fatalf("create = %v", err)
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /user-resource/vm"}) {
		t.Errorf("writes = %v (a create must not be retried)", got)
	}
}

func TestSimAuthErrors(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	srvURL := e.c.endpoint
	for _, tc := range []struct {
		key    string
		status int
		word   string
	}{{"", 401, "authentication failed"}, {"wrong", 403, "access denied"}} {
		c := New(srvURL, tc.key)
		_, err := c.List(context.Background(), Networks, "jkt01")
		var ae *provider.APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || !strings.Contains(ae.Message, tc.word) {
			t.Errorf("key %q: %v", tc.key, err)
		}
	}
}

func TestSimCatalogAndLocations(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	locs, err := e.c.Locations(ctx)
	if err != nil || len(locs) != 4 || locs[0].Slug != "jkt01" || !locs[0].Default {
		t.Fatalf("locations = %+v, %v", locs, err)
	}
	c, err := e.c.Catalog(ctx, "sgp01")
	if err != nil {
		t.Fatal(err)
	}
	cat := c.(*Catalog)
	if len(cat.Pools) != 2 || cat.Pools[0].UUID != sim.GeneralPoolUUID || !cat.Pools[0].Default {
		t.Errorf("pools = %+v", cat.Pools)
	}
	for _, im := range cat.Images {
		if im.OSName == "ubuntu" && slices.Contains(im.Versions, "18.04") {
			t.Errorf("an unpublished version is listed: %+v", im)
		}
	}
	if len(cat.Images) == 0 {
		t.Error("no images")
	}
}

// A call whose answer is lost after the change was made: a toggle is not
// repeated (the VM is read instead), and a retried resize that the API then
// refuses as a no-op is recognised as done.
func TestSimLostAnswers(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	vm := e.vm("jkt01", "web-1")

	e.sim.ResetCalls()
	e.sim.AddFault(sim.Fault{Method: "POST", Path: "/user-resource/vm/backup", LostResponse: true, Times: 1})
	up := e.must(e.c.Update(ctx, VMs, "jkt01", vm.ID, []provider.FieldChange{{Field: "backup", Before: false, After: true}}))
	if up.Attrs["backup"] != true {
		t.Errorf("backup = %v", up.Attrs["backup"])
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /user-resource/vm/backup"}) {
		t.Errorf("writes = %v (the toggle must not be repeated)", got)
	}

	e.sim.ResetCalls()
	e.sim.AddFault(sim.Fault{Method: "PATCH", Path: "/user-resource/vm", LostResponse: true, Times: 1})
	up = e.must(e.c.Update(ctx, VMs, "jkt01", vm.ID, []provider.FieldChange{{Field: "vcpu", Before: 1, After: 2}}))
	if up.Attrs["vcpu"] != 2 || up.Status != "running" {
		t.Errorf("after resize = %+v", up)
	}
	want := []string{"POST /user-resource/vm/stop", "PATCH /user-resource/vm", "PATCH /user-resource/vm", "POST /user-resource/vm/start"}
	if got := e.writes(); !slices.Equal(got, want) {
		t.Errorf("writes = %v, want %v", got, want)
	}
}

func TestSimUnknownLocationIsNotNotFound(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	_, err := e.c.Get(context.Background(), Networks, "nowhere", "x")
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.NotFound || errors.Is(err, provider.ErrNotFound) {
		t.Errorf("err = %#v", err)
	}
	if err := e.c.Delete(context.Background(), Networks, "nowhere", "x"); err == nil {
		t.Error("Delete in an unknown location succeeded")
	}
}
