package idcloudhost

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// oneVM is a hand-written fake of the VM endpoints holding one VM, with the
// API's rules: vcpu/ram only while stopped, a no-op resize refused, the
// password only while running, backup a toggle. Stop and start take effect
// after `lag` reads, as on a slow service.
type oneVM struct {
	mu      sync.Mutex
	vm      api.VM
	pending string // status reached after lag more reads
	lag     int
}

func newOneVM(t *testing.T) *oneVM {
	var vm api.VM
	mustJSON(t, example(t, "vm_create.json"), &vm)
	return &oneVM{vm: vm}
}

func (f *oneVM) answer() (int, string) {
	b, _ := json.Marshal(f.vm)
	return 200, string(b)
}

func (f *oneVM) routes() map[string]func(request) (int, string) {
	lock := func(h func(r request) (int, string)) func(request) (int, string) {
		return func(r request) (int, string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return h(r)
		}
	}
	bad := func(msg string) (int, string) { return 400, `{"errors": {"Error": "` + msg + `"}}` }
	return map[string]func(request) (int, string){
		"GET /v1/jkt01/user-resource/vm": lock(func(r request) (int, string) {
			if f.pending != "" {
				if f.lag--; f.lag < 0 {
					f.vm.Status, f.pending = f.pending, ""
				}
			}
			return f.answer()
		}),
		"GET /v1/jkt01/network/networks": fixed(200, `[{"uuid": "net-1", "name": "app", "vm_uuids": ["fc880f74-cf03-4a7a-93da-74c506157023"], "resources_count": 1}]`),
		"POST /v1/jkt01/user-resource/vm/stop": lock(func(r request) (int, string) {
			if f.vm.Status != "running" {
				return bad("VM is not running")
			}
			f.vm.Status, f.pending, f.lag = "stopping", "stopped", 2
			return f.answer()
		}),
		"POST /v1/jkt01/user-resource/vm/start": lock(func(r request) (int, string) {
			if f.vm.Status != "stopped" {
				return bad("VM is not stopped")
			}
			f.vm.Status, f.pending, f.lag = "starting", "running", 1
			return f.answer()
		}),
		"PATCH /v1/jkt01/user-resource/vm": lock(func(r request) (int, string) {
			if n := r.Form.Get("name"); n != "" {
				f.vm.Name = n
			}
			if r.Form.Has("vcpu") || r.Form.Has("ram") {
				if f.vm.Status != "stopped" {
					return bad("vcpu and ram can only be changed when the machine is stopped")
				}
				vcpu, _ := strconv.Atoi(r.Form.Get("vcpu"))
				ram, _ := strconv.Atoi(r.Form.Get("ram"))
				if (vcpu == 0 || vcpu == f.vm.VCPU) && (ram == 0 || ram == f.vm.Memory) {
					return bad("nothing to change")
				}
				if vcpu != 0 {
					f.vm.VCPU = vcpu
				}
				if ram != 0 {
					f.vm.Memory = ram
				}
			}
			return f.answer()
		}),
		"POST /v1/jkt01/user-resource/vm/backup": lock(func(r request) (int, string) {
			f.vm.Backup = !f.vm.Backup
			return f.answer()
		}),
		"PATCH /v1/jkt01/user-resource/vm/storage": lock(func(r request) (int, string) {
			size, _ := strconv.Atoi(r.Form.Get("size_gb"))
			if r.Form.Get("disk_uuid") != f.vm.Storage[0].UUID || size < f.vm.Storage[0].Size {
				return bad("bad resize")
			}
			f.vm.Storage[0].Size = size
			b, _ := json.Marshal(f.vm.Storage[0])
			return 200, string(b)
		}),
		"PATCH /v1/jkt01/user-resource/vm/user": lock(func(r request) (int, string) {
			if f.vm.Status != "running" {
				return bad("VM must be running")
			}
			if r.Form.Get("username") != f.vm.Username || r.Form.Get("password") == "" {
				return bad("bad user")
			}
			return 200, `{"success": true}`
		}),
		"POST /v1/jkt01/user-resource/resource_billing": lock(func(r request) (int, string) {
			f.vm.BillingAccount, _ = strconv.Atoi(r.Form.Get("billing_account_id"))
			return f.answer()
		}),
	}
}

// callsOf lists the calls as "METHOD /path form"; the last two (the final
// read of the VM and of the networks, made concurrently) are sorted.
func callsOf(rec *recorder) []string {
	out := calls(rec)
	if n := len(out); n >= 2 && out[n-1] == "GET /network/networks" || n >= 2 && out[n-2] == "GET /network/networks" {
		slices.Sort(out[n-2:])
	}
	return out
}

func calls(rec *recorder) []string {
	var out []string
	for _, c := range rec.Calls() {
		s := c.Method + " " + strings.TrimPrefix(c.Path, "/v1/jkt01")
		if c.Form != nil {
			delete(c.Form, "uuid")
			if len(c.Form) > 0 {
				s += " " + c.Form.Encode()
			}
		}
		out = append(out, s)
	}
	return out
}

func TestVMUpdateVCPUStopsPatchesStarts(t *testing.T) {
	t.Parallel()
	f := newOneVM(t)
	c, rec, _ := newFake(t, f.routes())
	obj, err := c.Update(context.Background(), VMs, "jkt01", f.vm.UUID, []provider.FieldChange{
		{Field: "vcpu", Before: 2, After: 4},
		{Field: "ram", Before: 2048, After: 2048}, // unchanged: not sent
	})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Attrs["vcpu"] != 4 || obj.Attrs["ram"] != 2048 || obj.Status != "running" || obj.Attrs["network"] != "net-1" {
		t.Errorf("object = %+v", obj)
	}
	want := []string{
		"GET /user-resource/vm",          // read first
		"POST /user-resource/vm/stop",    // stop
		"GET /user-resource/vm",          // stopping
		"GET /user-resource/vm",          // stopping
		"GET /user-resource/vm",          // stopped
		"PATCH /user-resource/vm vcpu=4", // only what differs
		"POST /user-resource/vm/start",
		"GET /user-resource/vm", // starting
		"GET /user-resource/vm", // running
		"GET /network/networks", // the final read, joined with the networks
		"GET /user-resource/vm",
	}
	if diff := cmp.Diff(want, callsOf(rec)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestVMUpdateResizeAndStopStaysStopped(t *testing.T) {
	t.Parallel()
	f := newOneVM(t)
	c, rec, _ := newFake(t, f.routes())
	obj, err := c.Update(context.Background(), VMs, "jkt01", f.vm.UUID, []provider.FieldChange{
		{Field: "ram", Before: 2048, After: 4096.0},
		{Field: "power", Before: "running", After: "stopped"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Attrs["ram"] != 4096 || obj.Attrs["power"] != "stopped" {
		t.Errorf("object = %+v", obj.Attrs)
	}
	for _, call := range callsOf(rec) {
		if strings.Contains(call, "/start") {
			t.Errorf("started again: %v", callsOf(rec))
		}
	}
}

func TestVMUpdateNoOpResizeNotSent(t *testing.T) {
	t.Parallel()
	f := newOneVM(t)
	c, rec, _ := newFake(t, f.routes())
	if _, err := c.Update(context.Background(), VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "vcpu", Before: 1, After: 2}}); err != nil {
		t.Fatal(err)
	}
	for _, call := range callsOf(rec) {
		if !strings.HasPrefix(call, "GET") {
			t.Errorf("unexpected write %q", call)
		}
	}
}

func TestVMUpdateBackupReadsBeforeToggling(t *testing.T) {
	t.Parallel()
	f := newOneVM(t) // backup false
	c, rec, _ := newFake(t, f.routes())
	ctx := context.Background()
	obj, err := c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "backup", Before: false, After: true}})
	if err != nil || obj.Attrs["backup"] != true {
		t.Fatalf("obj = %+v, err = %v", obj.Attrs, err)
	}
	// Asked again (a retried apply, stale Before): no toggle back.
	obj, err = c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "backup", Before: false, After: true}})
	if err != nil || obj.Attrs["backup"] != true {
		t.Fatalf("obj = %+v, err = %v", obj.Attrs, err)
	}
	n := 0
	for _, call := range callsOf(rec) {
		if call == "POST /user-resource/vm/backup" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("toggled %d times: %v", n, callsOf(rec))
	}
}

func TestVMUpdateInPlaceFields(t *testing.T) {
	t.Parallel()
	f := newOneVM(t)
	c, rec, _ := newFake(t, f.routes())
	obj, err := c.Update(context.Background(), VMs, "jkt01", f.vm.UUID, []provider.FieldChange{
		{Field: "name", Before: "Ubuntu-16-04", After: "web-2"},
		{Field: "disk", Before: 20, After: 30},
		{Field: "billing_account", Before: 6, After: 7},
		{Field: "password", Before: nil, After: "Passw0rdX"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := provider.Attrs{"name": "web-2", "disk": 30, "billing_account": 7}
	for k, v := range want {
		if obj.Attrs[k] != v {
			t.Errorf("%s = %v, want %v", k, obj.Attrs[k], v)
		}
	}
	wantCalls := []string{
		"GET /user-resource/vm",
		"PATCH /user-resource/vm name=web-2",
		"PATCH /user-resource/vm/storage disk_uuid=fc880f74-cf03-4a7a-93da-74c506157023&size_gb=30",
		"POST /user-resource/resource_billing billing_account_id=7",
		"PATCH /user-resource/vm/user password=Passw0rdX&username=example",
		"GET /network/networks",
		"GET /user-resource/vm",
	}
	if diff := cmp.Diff(wantCalls, callsOf(rec)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestVMUpdateRefusals(t *testing.T) {
	t.Parallel()
	f := newOneVM(t)
	c, _, _ := newFake(t, f.routes())
	ctx := context.Background()
	if _, err := c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "disk", Before: 20, After: 10}}); err == nil || !strings.Contains(err.Error(), "shrink") {
		t.Errorf("shrink: %v", err)
	}
	if _, err := c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "os_name", Before: "ubuntu", After: "debian"}}); err == nil {
		t.Error("os_name changed in place")
	}
	f.mu.Lock()
	f.vm.Status = "stopped"
	f.mu.Unlock()
	// A stopped VM is started for a password change, then stopped again.
	obj, err := c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "password", After: "Passw0rdX"}})
	if err != nil || obj.Status != "stopped" {
		t.Errorf("password on a stopped VM: %+v %v", obj, err)
	}
	// With power: running in the same update, it starts first.
	obj, err = c.Update(ctx, VMs, "jkt01", f.vm.UUID, []provider.FieldChange{{Field: "password", After: "Passw0rdX"}, {Field: "power", Before: "stopped", After: "running"}})
	if err != nil || obj.Status != "running" {
		t.Errorf("password + power: %+v %v", obj, err)
	}
}

func TestVMCreateForm(t *testing.T) {
	t.Parallel()
	var vm api.VM
	mustJSON(t, example(t, "vm_create.json"), &vm)
	vm.Status = "creating"
	created, _ := json.Marshal(vm)
	c, rec, _ := newFake(t, map[string]func(request) (int, string){
		"POST /v1/jkt01/user-resource/vm":            fixed(200, string(created)),
		"GET /v1/jkt01/user-resource/host_pool/list": file(t, "host_pools.json"),
		"GET /v1/jkt01/network/networks":             fixed(200, `[]`),
	})
	obj, err := c.Create(context.Background(), VMs, "jkt01", provider.Attrs{
		"name": "Ubuntu-16-04", "os_name": "ubuntu", "os_version": "16.04", "vcpu": 2, "ram": 2048.0, "disk": int64(20),
		"network": "50341410-9e88-4af2-a21e-b8c898e33e52", "pool": "performance", "username": "example", "password": "Password123",
		"public_key": "ssh-ed25519 AAAA", "backup": false, "billing_account": 6, "description": "web",
		"cloud_init": map[string]any{"runcmd": []any{"/firstboot"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Status != "creating" || obj.ID != vm.UUID || obj.Attrs["network"] != "50341410-9e88-4af2-a21e-b8c898e33e52" {
		t.Errorf("object = %+v", obj)
	}
	var form map[string][]string
	for _, call := range rec.Calls() {
		if call.Method == "POST" {
			form = call.Form
		}
	}
	want := map[string][]string{
		"name": {"Ubuntu-16-04"}, "os_name": {"ubuntu"}, "os_version": {"16.04"}, "vcpu": {"2"}, "ram": {"2048"}, "disks": {"20"},
		"network_uuid": {"50341410-9e88-4af2-a21e-b8c898e33e52"}, "designated_pool_uuid": {"d2fc6881-9316-46d7-b515-b6cddaeee927"},
		"username": {"example"}, "password": {"Password123"}, "public_key": {"ssh-ed25519 AAAA"}, "backup": {"false"},
		"billing_account_id": {"6"}, "description": {"web"}, "reserve_public_ip": {"false"},
		"cloud_init": {`{"runcmd":["/firstboot"]}`},
	}
	if diff := cmp.Diff(want, form); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
}

func TestNetworkCreateChecksName(t *testing.T) {
	t.Parallel()
	c, _, _ := newFake(t, map[string]func(request) (int, string){
		"POST /v1/jkt01/network/network": func(r request) (int, string) {
			// The name got lost on the way: the default network comes back.
			return 200, `{"uuid": "def-1", "name": "Default network", "is_default": true, "vm_uuids": []}`
		},
	})
	_, err := c.Create(context.Background(), Networks, "jkt01", provider.Attrs{"name": "app"})
	if err == nil || !strings.Contains(err.Error(), "not adopting") {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Create(context.Background(), Networks, "jkt01", provider.Attrs{}); err == nil {
		t.Error("a network without a name was created")
	}
}
