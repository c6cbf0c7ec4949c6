package sim

import (
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/api"
)

func TestVMCreateValidation(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		reason string
		kv     []string
		want   string
	}{
		{"name too short", []string{"name", "ab"}, "name"},
		{"name with underscore", []string{"name", "web_1"}, "name"},
		{"name ends with dash", []string{"name", "web-"}, "name"},
		{"vcpu above 16", []string{"vcpu", "17"}, "vcpu"},
		{"vcpu zero", []string{"vcpu", "0"}, "vcpu"},
		{"ram below 512", []string{"ram", "256"}, "ram"},
		{"ram above 65536", []string{"ram", "70000"}, "ram"},
		{"disk below 20", []string{"disks", "10"}, "disks"},
		{"disk above 240", []string{"disks", "241"}, "disks"},
		{"windows needs 2 vcpu", []string{"os_name", "windows", "os_version", "2022", "vcpu", "1"}, "vcpu"},
		{"windows needs 1024 ram", []string{"os_name", "windows", "os_version", "2022", "ram", "512"}, "ram"},
		{"password without digit", []string{"password", "Secretsecret"}, "password"},
		{"password too short", []string{"password", "Ab1"}, "password"},
		{"unknown os", []string{"os_name", "plan9", "os_version", "4"}, "os_name"},
		{"unpublished version", []string{"os_version", "18.04"}, "os_version"},
		{"unknown pool", []string{"designated_pool_uuid", "00000000-0000-4000-8000-000000000000"}, "host pool"},
		{"unknown network", []string{"network_uuid", "00000000-0000-4000-8000-000000000000"}, "Network not found"},
		{"vcpu not a number", []string{"vcpu", "two"}, "whole number"},
		{"bad cloud_init", []string{"cloud_init", "{runcmd"}, "cloud_init"},
		{"unknown billing account", []string{"billing_account_id", "999"}, "Provided billing account is incorrect."},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			r := e.do("POST", "/v1/user-resource/vm", vmCreate(tt.kv...))
			if r.Status != 400 || !strings.Contains(r.errMsg(), tt.want) {
				t.Fatalf("status %d, message %q; want 400 mentioning %q", r.Status, r.errMsg(), tt.want)
			}
		})
	}
	if n := len(e.sim.World().VMs); n != 0 {
		t.Fatalf("%d VMs created by invalid requests", n)
	}
	// Windows without a username and with its minimums is fine.
	e.createVM("", "os_name", "windows", "os_version", "2022", "vcpu", "2", "ram", "1024", "username", "")
}

func TestVMCreateDefaultsAndPlacement(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("/jkt02", "designated_pool_uuid", PerformancePoolUUID)
	if vm.BillingAccount != DefaultBillingAccount || vm.DesignatedPoolName != "Performance" || vm.Status != "running" {
		t.Fatalf("unexpected VM: %+v", vm)
	}
	if len(vm.Storage) != 1 || !vm.Storage[0].Primary || vm.Storage[0].Size != 20 {
		t.Fatalf("storage %+v", vm.Storage)
	}
	// It is in jkt02's default network, with an address of its subnet.
	ns := e.networks("/jkt02")
	if len(ns) != 1 || !ns[0].IsDefault || ns[0].Name != "Default network" {
		t.Fatalf("networks %+v", ns)
	}
	if got := ns[0].VMUUIDs; len(got) != 1 || got[0] != vm.UUID || ns[0].ResourcesCount != 1 {
		t.Fatalf("network members %v (%d)", got, ns[0].ResourcesCount)
	}
	prefix := strings.TrimSuffix(ns[0].Subnet, "0/24")
	if !strings.HasPrefix(vm.PrivateIPv4, prefix) {
		t.Fatalf("private_ipv4 %s outside %s", vm.PrivateIPv4, ns[0].Subnet)
	}
	// Not visible from the default location.
	e.must(404, "GET", "/v1/user-resource/vm?uuid="+vm.UUID, nil)
	e.must(200, "GET", "/v1/jkt02/user-resource/vm?uuid="+vm.UUID, nil)
	var list []api.VM
	e.must(200, "GET", "/v1/user-resource/vm/list", nil).decode(t, &list)
	if len(list) != 0 {
		t.Fatalf("jkt01 lists %d VMs", len(list))
	}
}

func TestVCPUChangeRefusedWhileRunning(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	r := e.must(409, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "vcpu", "4"))
	if !strings.Contains(r.errMsg(), "stopped") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(409, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "ram", "4096"))
	// A rename is fine while running.
	e.must(200, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "name", "web-2"))
	e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
	var got api.VM
	e.must(200, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "vcpu", "4", "ram", "4096")).decode(t, &got)
	if got.VCPU != 4 || got.Memory != 4096 || got.Name != "web-2" || got.Status != "stopped" {
		t.Fatalf("after resize: %+v", got)
	}
}

func TestNoOpResizeRefused(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
	r := e.must(400, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "vcpu", "2"))
	if !strings.Contains(r.errMsg(), "already") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(400, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "ram", "2048"))
	e.must(400, "PATCH", "/v1/user-resource/vm", form("uuid", vm.UUID, "vcpu", "17"))
}

func TestPasswordChangeNeedsRunningVM(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID))
	r := e.must(409, "PATCH", "/v1/user-resource/vm/user", form("uuid", vm.UUID, "username", "deploy", "password", "Newpass123"))
	if !strings.Contains(r.errMsg(), "running") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(200, "POST", "/v1/user-resource/vm/start", form("uuid", vm.UUID))
	before := e.sim.World().VMs[0].PasswordHash
	var ok api.Success
	e.must(200, "PATCH", "/v1/user-resource/vm/user", form("uuid", vm.UUID, "username", "deploy", "password", "Newpass123")).decode(t, &ok)
	if !ok.Success || e.sim.World().VMs[0].PasswordHash == before {
		t.Fatal("password not changed")
	}
	e.must(400, "PATCH", "/v1/user-resource/vm/user", form("uuid", vm.UUID, "username", "deploy", "password", "weak"))
	e.must(400, "PATCH", "/v1/user-resource/vm/user", form("uuid", vm.UUID, "username", "nobody", "password", "Newpass123"))
}

func TestBackupToggles(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	for i, want := range []bool{true, false, true} {
		var got api.VM
		e.must(200, "POST", "/v1/user-resource/vm/backup", form("uuid", vm.UUID)).decode(t, &got)
		if got.Backup != want {
			t.Fatalf("toggle %d: backup %v, want %v", i, got.Backup, want)
		}
	}
}

func TestReservePublicIPTrap(t *testing.T) {
	e := newEnv(t, Options{})
	// reserve_public_ip defaults to True, as the document says.
	form := vmCreate()
	form.Del("reserve_public_ip")
	var vm api.VM
	e.must(200, "POST", "/v1/user-resource/vm", form).decode(t, &vm)
	var fips []api.FloatingIP
	e.must(200, "GET", "/v1/network/ip_addresses?vm_uuid="+vm.UUID, nil).decode(t, &fips)
	if len(fips) != 1 || fips[0].AssignedTo == nil || *fips[0].AssignedTo != vm.UUID {
		t.Fatalf("floating IPs of the VM: %+v", fips)
	}
	e.must(200, "DELETE", "/v1/user-resource/vm", formValues("uuid", vm.UUID))
	// The address stays reserved (and billed) after the VM is gone.
	e.must(200, "GET", "/v1/network/ip_addresses", nil).decode(t, &fips)
	if len(fips) != 1 || fips[0].AssignedTo != nil || fips[0].BillingAccountID != DefaultBillingAccount {
		t.Fatalf("after delete: %+v", fips)
	}
}

func TestDeleteVMCleansUp(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	other := e.createVM("", "name", "web-2")
	// A standalone disk attached, a floating IP assigned, a load balancer target.
	var d api.Disk
	e.must(200, "POST", "/v1/storage/disks", form("size_gb", "30")).decode(t, &d)
	e.must(200, "POST", "/v1/user-resource/vm/storage/attach", form("uuid", vm.UUID, "storage_uuid", d.UUID))
	var added api.Storage
	e.must(200, "POST", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "size_gb", "40")).decode(t, &added)
	var fip api.FloatingIP
	e.must(200, "POST", "/v1/network/ip_addresses", map[string]any{"name": "web-ip", "billing_account_id": DefaultBillingAccount}).decode(t, &fip)
	e.must(200, "POST", "/v1/network/ip_addresses/"+fip.Address+"/assign", map[string]any{"vm_uuid": vm.UUID})
	var lb api.LoadBalancer
	e.must(200, "POST", "/v1/network/load_balancers", map[string]any{
		"display_name": "front", "reserve_public_ip": false,
		"rules":   []map[string]any{{"source_port": 80, "target_port": 8080}},
		"targets": []map[string]any{{"target_uuid": vm.UUID, "target_type": "vm"}, {"target_uuid": other.UUID, "target_type": "vm"}},
	}).decode(t, &lb)
	if len(lb.Targets) != 2 {
		t.Fatalf("targets %+v", lb.Targets)
	}

	e.must(200, "DELETE", "/v1/user-resource/vm", formValues("uuid", vm.UUID))

	e.must(404, "GET", "/v1/user-resource/vm?uuid="+vm.UUID, nil)
	ns := e.networks("")
	if len(ns[0].VMUUIDs) != 1 || ns[0].VMUUIDs[0] != other.UUID || ns[0].ResourcesCount != 2 {
		t.Fatalf("network after delete: %+v", ns[0])
	}
	var gotD api.Disk
	e.must(200, "GET", "/v1/storage/disks/"+d.UUID, nil).decode(t, &gotD)
	w := e.sim.World()
	if w.Disks[0].AttachedTo != "" || len(w.Disks) != 1 {
		t.Fatalf("disks after delete: %+v", w.Disks)
	}
	e.must(404, "GET", "/v1/storage/disks/"+added.UUID, nil)
	var gotF api.FloatingIP
	e.must(200, "GET", "/v1/network/ip_addresses/"+fip.Address, nil).decode(t, &gotF)
	if gotF.AssignedTo != nil || gotF.UnassignedAt == "" {
		t.Fatalf("floating IP after delete: %+v", gotF)
	}
	var gotLB api.LoadBalancer
	e.must(200, "GET", "/v1/network/load_balancers/"+lb.UUID, nil).decode(t, &gotLB)
	if len(gotLB.Targets) != 1 || gotLB.Targets[0].TargetUUID != other.UUID {
		t.Fatalf("LB targets after delete: %+v", gotLB.Targets)
	}
}

func TestUnknownVM(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.must(404, "POST", "/v1/user-resource/vm/start", form("uuid", "aaaaaaaa-0000-bbbb-1111-cccccccccccc"))
	if r.errMsg() != "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc" {
		t.Fatalf("message %q", r.errMsg())
	}
	// resource_billing checks the VM before the billing account, as the document's example.
	r = e.must(404, "POST", "/v1/user-resource/resource_billing", form("billing_account_id", "0", "uuid", "aaaaaaaa-0000-bbbb-1111-cccccccccccc"))
	if r.errMsg() != "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc" {
		t.Fatalf("resource_billing of a missing VM: message %q", r.errMsg())
	}
	vm := e.createVM("")
	r = e.must(400, "POST", "/v1/user-resource/resource_billing", form("billing_account_id", "5", "uuid", vm.UUID))
	if r.errMsg() != "Provided billing account is incorrect." {
		t.Fatalf("message %q", r.errMsg())
	}
	var moved api.VM
	e.must(200, "POST", "/v1/user-resource/resource_billing", form("billing_account_id", "129188", "uuid", vm.UUID)).decode(t, &moved)
	if moved.BillingAccount != SecondBillingAccount {
		t.Fatalf("billing %d", moved.BillingAccount)
	}
	var res []api.VM
	e.must(200, "GET", "/v1/user-resource/billing_resources?id=129188", nil).decode(t, &res)
	if len(res) != 1 || res[0].UUID != vm.UUID {
		t.Fatalf("billing resources %+v", res)
	}
}

func TestVMStorageNeverShrinks(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	var st api.Storage
	e.must(200, "POST", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "size_gb", "50")).decode(t, &st)
	if st.Primary || st.Size != 50 || st.Name != "vdb" {
		t.Fatalf("added storage %+v", st)
	}
	r := e.must(400, "PATCH", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "disk_uuid", st.UUID, "size_gb", "40"))
	if !strings.Contains(r.errMsg(), "cannot be smaller") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(200, "PATCH", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "disk_uuid", st.UUID, "size_gb", "60")).decode(t, &st)
	if st.Size != 60 {
		t.Fatalf("grown to %d", st.Size)
	}
	boot := vm.Storage[0].UUID
	e.must(400, "PATCH", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "disk_uuid", boot, "size_gb", "10"))
	e.must(200, "PATCH", "/v1/user-resource/vm/storage", form("uuid", vm.UUID, "disk_uuid", boot, "size_gb", "30"))
	e.must(400, "DELETE", "/v1/user-resource/vm/storage", formValues("uuid", vm.UUID, "storage_uuid", boot))
	e.must(200, "DELETE", "/v1/user-resource/vm/storage", formValues("uuid", vm.UUID, "storage_uuid", st.UUID))
	got := e.getVM(vm.UUID)
	if len(got.Storage) != 1 || got.Storage[0].Size != 30 {
		t.Fatalf("storage after: %+v", got.Storage)
	}
}

func TestReplicasReinstallClone(t *testing.T) {
	e := newEnv(t, Options{})
	vm := e.createVM("")
	var st api.Storage
	e.must(200, "POST", "/v1/user-resource/vm/replica", form("uuid", vm.UUID)).decode(t, &st)
	if len(st.Replica) != 1 || st.Replica[0].Type != "snapshot" {
		t.Fatalf("replica %+v", st)
	}
	var reps []api.Replica
	e.must(200, "GET", "/v1/user-resource/vm/replica?uuid="+vm.UUID, nil).decode(t, &reps)
	if len(reps) != 1 {
		t.Fatalf("replicas %+v", reps)
	}
	e.must(200, "POST", "/v1/user-resource/vm/rebuild", form("uuid", vm.UUID, "replica_uuid", reps[0].UUID))
	e.must(200, "DELETE", "/v1/user-resource/vm/replica", formValues("replica_uuid", reps[0].UUID))
	var re api.VM
	e.must(200, "POST", "/v1/user-resource/vm/reinstall", form("uuid", vm.UUID, "os_name", "debian", "os_version", "12")).decode(t, &re)
	if re.OSName != "debian" || re.OSVersion != "12" {
		t.Fatalf("reinstall %+v", re)
	}
	e.must(400, "POST", "/v1/user-resource/vm/reinstall", form("uuid", vm.UUID, "os_version", "99"))
	var cl api.VM
	e.must(200, "POST", "/v1/user-resource/vm/clone", form("uuid", vm.UUID, "name", "web-clone")).decode(t, &cl)
	if cl.UUID == vm.UUID || cl.Name != "web-clone" || cl.OSName != "debian" || cl.PrivateIPv4 == vm.PrivateIPv4 {
		t.Fatalf("clone %+v", cl)
	}
}

func TestVMCreateFromDiskAndReplica(t *testing.T) {
	e := newEnv(t, Options{})
	var d api.Disk
	e.must(200, "POST", "/v1/storage/disks", form("source_image_type", "OS_BASE", "source_image", "debian_12", "size_gb", "25")).decode(t, &d)
	vm := e.createVM("", "disk_uuid", d.UUID, "disks", "")
	if vm.Storage[0].UUID != d.UUID || vm.Storage[0].Size != 25 || !vm.Storage[0].Primary {
		t.Fatalf("boot disk %+v", vm.Storage[0])
	}
	// The disk became the VM's boot disk: it is no longer a standalone disk.
	e.must(404, "GET", "/v1/storage/disks/"+d.UUID, nil)
	var st api.Storage
	e.must(200, "POST", "/v1/user-resource/vm/replica", form("uuid", vm.UUID)).decode(t, &st)
	cp := e.createVM("", "name", "web-copy", "source_uuid", vm.UUID, "source_replica", st.Replica[0].UUID, "disks", "")
	if cp.Storage[0].Size != 25 {
		t.Fatalf("copy %+v", cp.Storage[0])
	}
	e.must(400, "POST", "/v1/user-resource/vm", vmCreate("name", "web-bad", "source_uuid", vm.UUID, "source_replica", "nope"))
}
