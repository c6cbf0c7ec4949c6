package idcloudhost

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/sim"
)

func (e *simEnv) vm(loc, name string) provider.Object {
	e.t.Helper()
	return e.must(e.c.Create(context.Background(), VMs, loc, provider.Attrs{
		"name": name, "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
		"username": "deploy", "password": "Secret123",
	}))
}

func TestSimDisks(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks})
		ctx := context.Background()
		const loc = "jkt01"
		web := e.vm(loc, "web-1")
		db := e.vm(loc, "db-1")

		d := e.must(e.c.Create(ctx, Disks, loc, provider.Attrs{
			"size": 30, "billing_account": sim.DefaultBillingAccount, "source": map[string]any{"type": "EMPTY"}, "attach_to": web.ID,
		}))
		if d.ID == "" || d.Attrs["size"] != 30 || d.Attrs["attached_to"] != web.ID || d.Attrs["source_type"] != "EMPTY" {
			t.Fatalf("disk = %+v", d)
		}
		list := e.must2(e.c.List(ctx, Disks, loc))
		if len(list) != 1 || list[0].Attrs["attached_to"] != web.ID || list[0].Attrs["status"] == "" {
			t.Fatalf("List(disks) = %+v", list)
		}

		// Grow while attached, change billing, move to another VM.
		d = e.must(e.c.Update(ctx, Disks, loc, d.ID, []provider.FieldChange{
			{Field: "size", Before: 30, After: 40},
			{Field: "billing_account", Before: sim.DefaultBillingAccount, After: sim.SecondBillingAccount},
		}))
		if d.Attrs["size"] != 40 || d.Attrs["billing_account"] != sim.SecondBillingAccount {
			t.Errorf("after grow = %+v", d.Attrs)
		}
		d = e.must(e.c.Update(ctx, Disks, loc, d.ID, []provider.FieldChange{{Field: "attached_to", Before: web.ID, After: db.ID}}))
		if d.Attrs["attached_to"] != db.ID {
			t.Errorf("after move = %+v", d.Attrs)
		}
		d = e.must(e.c.Update(ctx, Disks, loc, d.ID, []provider.FieldChange{{Field: "attached_to", Before: db.ID, After: ""}}))
		if d.Attrs["attached_to"] != "" {
			t.Errorf("after detach = %+v", d.Attrs)
		}
		if _, err := e.c.Update(ctx, Disks, loc, d.ID, []provider.FieldChange{{Field: "size", Before: 40, After: 50}}); err == nil {
			t.Error("a detached disk grew")
		}
		if _, err := e.c.Update(ctx, Disks, loc, d.ID, []provider.FieldChange{{Field: "size", Before: 40, After: 30}}); err == nil {
			t.Error("a disk shrank")
		}
		if err := e.c.Delete(ctx, Disks, loc, d.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, Disks, loc, d.ID); err != nil {
			t.Errorf("Delete(disk) again = %v", err)
		}
		if _, err := e.c.Get(ctx, Disks, loc, d.ID); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Get(deleted disk) = %v", err)
		}
		// A disk from an OS image.
		os := e.must(e.c.Create(ctx, Disks, loc, provider.Attrs{"size": 20, "source_type": "OS_BASE", "source_image": "ubuntu_22.04"}))
		if os.Attrs["source_type"] != "OS_BASE" || os.Attrs["source_image"] != "ubuntu_22.04" {
			t.Errorf("OS disk = %+v", os.Attrs)
		}
	})
}

func TestSimFloatingIPs(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks})
		ctx := context.Background()
		const loc = "jkt03"
		web := e.vm(loc, "web-1")
		other := e.vm(loc, "web-2")

		ip := e.must(e.c.Create(ctx, FloatingIPs, loc, provider.Attrs{
			"name": "web-ip", "billing_account": sim.DefaultBillingAccount, "assign_to": web.ID,
		}))
		if ip.ID == "" || ip.ID != ip.Attrs["address"] || ip.Attrs["assigned_to"] != web.ID || ip.Name != "web-ip" {
			t.Fatalf("ip = %+v", ip)
		}
		list := e.must2(e.c.List(ctx, FloatingIPs, loc))
		if len(list) != 1 || list[0].ID != ip.ID {
			t.Fatalf("List(floating_ips) = %+v", list)
		}
		ip = e.must(e.c.Update(ctx, FloatingIPs, loc, ip.ID, []provider.FieldChange{
			{Field: "name", Before: "web-ip", After: "web-ip-2"},
			{Field: "billing_account", Before: sim.DefaultBillingAccount, After: sim.SecondBillingAccount},
			{Field: "assigned_to", Before: web.ID, After: other.ID},
		}))
		want := provider.Attrs{"name": "web-ip-2", "address": ip.ID, "billing_account": sim.SecondBillingAccount, "assigned_to": other.ID, "assigned_to_resource_type": ip.Attrs["assigned_to_resource_type"]}
		if diff := cmp.Diff(want, ip.Attrs); diff != "" {
			t.Errorf("after update (-want +got):\n%s", diff)
		}
		ip = e.must(e.c.Update(ctx, FloatingIPs, loc, ip.ID, []provider.FieldChange{{Field: "assigned_to", Before: other.ID, After: ""}}))
		if ip.Attrs["assigned_to"] != "" {
			t.Errorf("after unassign = %+v", ip.Attrs)
		}
		if err := e.c.Delete(ctx, FloatingIPs, loc, ip.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, FloatingIPs, loc, ip.ID); err != nil {
			t.Errorf("Delete(ip) again = %v", err)
		}
	})
}

func TestSimLoadBalancers(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks})
		ctx := context.Background()
		const loc = "sgp01"
		net := e.must(e.c.Create(ctx, Networks, loc, provider.Attrs{"name": "lb-net"}))
		web := e.must(e.c.Create(ctx, VMs, loc, provider.Attrs{
			"name": "web-1", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
			"username": "deploy", "password": "Secret123", "network": net.ID,
		}))
		web2 := e.must(e.c.Create(ctx, VMs, loc, provider.Attrs{
			"name": "web-2", "os_name": "ubuntu", "os_version": "22.04", "vcpu": 1, "ram": 1024, "disk": 20,
			"username": "deploy", "password": "Secret123", "network": net.ID,
		}))

		lb := e.must(e.c.Create(ctx, LoadBalancers, loc, provider.Attrs{
			"name": "front", "network": net.ID, "billing_account": sim.DefaultBillingAccount, "reserve_public_ip": false,
			"rules": []any{map[string]any{"source_port": 80, "target_port": 8080}}, "targets": []any{web.ID},
		}))
		if lb.ID == "" || lb.Name != "front" || lb.Attrs["network"] != net.ID || len(lb.Attrs["rules"].([]any)) != 1 ||
			!slices.Equal(lb.Attrs["targets"].([]any), []any{web.ID}) {
			t.Fatalf("lb = %+v", lb)
		}
		lb = e.must(e.c.Update(ctx, LoadBalancers, loc, lb.ID, []provider.FieldChange{
			{Field: "name", Before: "front", After: "front-2"},
			{Field: "billing_account", Before: sim.DefaultBillingAccount, After: sim.SecondBillingAccount},
			{Field: "rules", Before: lb.Attrs["rules"], After: []any{
				map[string]any{"source_port": 443, "target_port": 8443}, map[string]any{"source_port": 80.0, "target_port": 8080.0},
			}},
			{Field: "targets", Before: []any{web.ID}, After: []any{web2.ID}},
		}))
		rules := map[[2]int]bool{}
		for _, r := range lb.Attrs["rules"].([]any) {
			m := r.(map[string]any)
			rules[[2]int{m["source_port"].(int), m["target_port"].(int)}] = true
			if m["uuid"] == "" {
				t.Errorf("rule without uuid: %v", m)
			}
		}
		if lb.Name != "front-2" || lb.Attrs["billing_account"] != sim.SecondBillingAccount || len(rules) != 2 || !rules[[2]int{443, 8443}] ||
			!slices.Equal(lb.Attrs["targets"].([]any), []any{web2.ID}) {
			t.Errorf("after update = %+v", lb)
		}
		lb = e.must(e.c.Update(ctx, LoadBalancers, loc, lb.ID, []provider.FieldChange{
			{Field: "rules", Before: lb.Attrs["rules"], After: []any{map[string]any{"source_port": 443, "target_port": 8443}}},
		}))
		if r := lb.Attrs["rules"].([]any); len(r) != 1 || r[0].(map[string]any)["source_port"] != 443 {
			t.Errorf("after removing a rule = %+v", lb.Attrs["rules"])
		}
		if got := e.must2(e.c.List(ctx, LoadBalancers, loc)); len(got) != 1 || got[0].Name != "front-2" {
			t.Errorf("List(load_balancers) = %+v", got)
		}
		if err := e.c.Delete(ctx, LoadBalancers, loc, lb.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, LoadBalancers, loc, lb.ID); err != nil {
			t.Errorf("Delete(lb) again = %v", err)
		}
	})
}

func TestSimBuckets(t *testing.T) {
	t.Parallel()
	forBothQuirks(t, func(t *testing.T, quirks string) {
		e := newSim(t, sim.Options{Quirks: quirks})
		ctx := context.Background()
		b := e.must(e.c.Create(ctx, Buckets, "jkt02", provider.Attrs{"name": "shop-assets", "billing_account": sim.DefaultBillingAccount}))
		want := provider.Object{Kind: Buckets, ID: "shop-assets", Name: "shop-assets", Attrs: provider.Attrs{
			"name": "shop-assets", "billing_account": sim.DefaultBillingAccount, "num_objects": 0, "size_bytes": 0}}
		if diff := cmp.Diff(want, b); diff != "" {
			t.Errorf("create (-want +got):\n%s", diff)
		}
		if got := e.must2(e.c.List(ctx, Buckets, "")); len(got) != 1 || got[0].ID != "shop-assets" {
			t.Errorf("List(buckets) = %+v", got)
		}
		b = e.must(e.c.Update(ctx, Buckets, "", "shop-assets", []provider.FieldChange{{Field: "billing_account", Before: sim.DefaultBillingAccount, After: sim.SecondBillingAccount}}))
		if b.Attrs["billing_account"] != sim.SecondBillingAccount {
			t.Errorf("after update = %+v", b)
		}
		if _, err := e.c.Create(ctx, Buckets, "", provider.Attrs{"name": "shop-assets"}); err == nil {
			t.Error("created a bucket twice")
		}
		for _, c := range e.sim.Calls() {
			if c.Location != "" {
				t.Errorf("bucket call with a location: %+v", c)
			}
		}
		if err := e.c.Delete(ctx, Buckets, "", "shop-assets"); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Delete(ctx, Buckets, "", "shop-assets"); err != nil {
			t.Errorf("Delete(bucket) again = %v", err)
		}
		if _, err := e.c.Get(ctx, Buckets, "", "shop-assets"); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Get(deleted bucket) = %v", err)
		}
	})
}

func TestSimVMCloneFromLatestReplica(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var forms []url.Values
	capture := roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/user-resource/vm") {
			b, _ := io.ReadAll(r.Body)
			f, _ := url.ParseQuery(string(b))
			mu.Lock()
			forms = append(forms, f)
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	e := newSim(t, sim.Options{}, WithHTTPClient(&http.Client{Transport: capture}))
	ctx := context.Background()
	src := e.vm("jkt01", "src-1")
	attrs := provider.Attrs{"name": "copy-1", "vcpu": 1, "ram": 1024, "disk": 20, "username": "deploy", "password": "Secret123",
		"clone_from": map[string]any{"vm": src.ID}}
	if _, err := e.c.Create(ctx, VMs, "jkt01", attrs); err == nil || !strings.Contains(err.Error(), "no snapshot or backup") {
		t.Fatalf("clone without a replica: %v", err)
	}
	for range 2 { // two snapshots; the newest is used
		if err := e.c.do(ctx, once, "POST", "jkt01", vmPath+"/replica", url.Values{"uuid": {src.ID}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	vm, err := e.c.GetVM(ctx, "jkt01", src.ID)
	if err != nil || len(vm.Storage[0].Replica) != 2 {
		t.Fatalf("replicas = %+v, %v", vm.Storage, err)
	}
	latest := vm.Storage[0].Replica[0]
	for _, r := range vm.Storage[0].Replica {
		if r.CreatedAt > latest.CreatedAt {
			latest = r
		}
	}
	cp := e.must(e.c.Create(ctx, VMs, "jkt01", attrs))
	if cp.Attrs["os_name"] != "ubuntu" || len(e.sim.World().VMs) != 2 {
		t.Errorf("clone = %+v", cp.Attrs)
	}
	mu.Lock()
	defer mu.Unlock()
	last := forms[len(forms)-1]
	if last.Get("source_uuid") != src.ID || last.Get("source_replica") != latest.UUID {
		t.Errorf("form = %v, want source %s replica %s", last, src.ID, latest.UUID)
	}
}

func TestSimDeleteAttachedDisk(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	web := e.vm("jkt01", "web-1")
	d := e.must(e.c.Create(ctx, Disks, "jkt01", provider.Attrs{"size": 30, "attach_to": web.ID}))
	if err := e.c.Delete(ctx, Disks, "jkt01", d.ID); err != nil {
		t.Fatal(err)
	}
	if w := e.sim.World(); len(w.Disks) != 0 {
		t.Errorf("disks left: %+v", w.Disks)
	}
}
