package idcloudhost

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// docPrices is the reference document's pricing policy (its example for
// GET /v1/pricing/policy), read as a plan reads it.
func docPrices(t *testing.T) *Prices {
	t.Helper()
	var p api.PricingPolicy
	if err := json.Unmarshal([]byte(example(t, "pricing_policy.json")), &p); err != nil {
		t.Fatal(err)
	}
	return PricesOf(p)
}

// TestPricesOfTheDocument: the document's policy, per hour: a CPU 0.00521
// (numCpus 1); RAM 0.00329 for 1024 MiB, so 0.00329/1024 per MiB (its 512
// MiB entry, 0.001645, is the same per MiB); main storage 0.0001 per GiB;
// backup 3.42e-05 per GiB; the Windows licence 0.00548 per core; object
// storage 3.42e-05 per GiB. Snapshots are not read.
func TestPricesOfTheDocument(t *testing.T) {
	got := docPrices(t)
	want := &Prices{CPU: 0.00521, RAMPerMiB: 0.00329 / 1024, Storage: 0.0001, Backup: 3.42e-05, WindowsPerCore: 0.00548, ObjectStorage: 3.42e-05, Missing: map[string]bool{}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("prices (-want +got):\n%s", d)
	}
	if perMiB512 := 0.001645 / 512; math.Abs(perMiB512-got.RAMPerMiB) > 1e-15 {
		t.Errorf("the 512 MiB entry gives %v per MiB, the 1 GiB entry %v", perMiB512, got.RAMPerMiB)
	}
}

// TestEstimates is each rule of the estimate with the document's prices,
// the expected figures worked out by hand (per hour; a month is 730
// hours):
//
//	CPU 0.00521 per vCPU, RAM 0.00329/1024 per MiB, storage 0.0001 per
//	GiB, backup 0.0000342 per GiB, Windows 0.00548 per core, object
//	storage 0.0000342 per GiB.
func TestEstimates(t *testing.T) {
	prices := docPrices(t)
	noWindows := *prices
	noWindows.Missing = map[string]bool{priceWindows: true}
	vm := func(vcpu, ram, disk int, more ...any) map[string]any {
		v := map[string]any{"vcpu": vcpu, "ram": ram, "disk": disk, "os_name": "ubuntu", "backup": false, "power": "running"}
		for i := 0; i+1 < len(more); i += 2 {
			v[more[i].(string)] = more[i+1]
		}
		return v
	}
	const gib = 1 << 30
	tests := []struct {
		reason  string
		kind    provider.Kind
		values  map[string]any
		obj     *provider.Object
		prices  *Prices
		hourly  float64 // worked out by hand, in the comment
		monthly float64 // hourly × 730
		want    provider.Estimate
	}{
		// 1 × 0.00521 + 1024 × 0.00329/1024 + 20 × 0.0001 = 0.00521 + 0.00329 + 0.002 = 0.0105; × 730 = 7.665
		{reason: "running VM: vCPUs, RAM per MiB, boot disk per GiB", kind: VMs, values: vm(1, 1024, 20),
			hourly: 0.0105, monthly: 7.665},
		// 0.0105 + 0.00521 = 0.01571; × 730 = 11.4683 (3.8033 more: one CPU × 730)
		{reason: "a second vCPU adds one CPU's price", kind: VMs, values: vm(2, 1024, 20),
			hourly: 0.01571, monthly: 11.4683},
		// 0.00521 + 512 × 0.00329/1024 (= 0.001645, the 512 MiB entry) + 0.002 = 0.008855; × 730 = 6.46415
		{reason: "RAM is priced per MiB: 512 MiB is the policy's 512 MiB entry", kind: VMs, values: vm(1, 512, 20),
			hourly: 0.008855, monthly: 6.46415},
		// 2 × 0.00521 + 4096 × 0.00329/1024 + 40 × 0.0001 + 40 × 0.0000342
		// = 0.01042 + 0.01316 + 0.004 + 0.001368 = 0.028948; × 730 = 21.13204
		{reason: "backup adds the backup price per GiB of boot disk", kind: VMs, values: vm(2, 4096, 40, "backup", true),
			hourly: 0.028948, monthly: 21.13204},
		// 2 × 0.00521 + 2048 × 0.00329/1024 + 40 × 0.0001 + 2 × 0.00548
		// = 0.01042 + 0.00658 + 0.004 + 0.01096 = 0.03196; × 730 = 23.3308
		{reason: "a Windows image adds the licence per core", kind: VMs, values: vm(2, 2048, 40, "os_name", "windows"),
			hourly: 0.03196, monthly: 23.3308},
		// 20 × 0.0001 = 0.002; × 730 = 1.46
		{reason: "a stopped VM is its storage only", kind: VMs, values: vm(1, 1024, 20, "power", "stopped"),
			hourly: 0.002, monthly: 1.46, want: provider.Estimate{Note: "stopped: storage only"}},
		// 40 × 0.0001 + 40 × 0.0000342 = 0.004 + 0.001368 = 0.005368; × 730 = 3.91864
		{reason: "a stopped VM keeps its backups' storage", kind: VMs, values: vm(2, 4096, 40, "power", "stopped", "backup", true),
			hourly: 0.005368, monthly: 3.91864, want: provider.Estimate{Note: "stopped: storage only"}},
		// 40 × 0.0001 = 0.004; × 730 = 2.92 (no licence while stopped)
		{reason: "a stopped Windows VM pays no licence", kind: VMs, values: vm(2, 2048, 40, "power", "stopped", "os_name", "windows"),
			prices: &noWindows, hourly: 0.004, monthly: 2.92, want: provider.Estimate{Note: "stopped: storage only"}},
		// values as YAML and JSON give them: float64 from a number variable or a state file
		{reason: "numbers from JSON or a number variable", kind: VMs, values: vm(0, 0, 0, "vcpu", 1.0, "ram", 1024.0, "disk", 20.0),
			hourly: 0.0105, monthly: 7.665},
		{reason: "a value known only after apply is not priced", kind: VMs, values: vm(1, 1024, 20, "vcpu", "(known after apply)"),
			want: provider.Estimate{Unpriced: "vcpu is known only after apply"}},
		{reason: "a price the policy lacks is never 0", kind: VMs, values: vm(2, 2048, 40, "os_name", "windows"), prices: &noWindows,
			want: provider.Estimate{Unpriced: "the price list has no Windows licence price"}},
		// 50 × 0.0001 = 0.005; × 730 = 3.65
		{reason: "a disk is its GiB at the storage price", kind: Disks, values: map[string]any{"size": 50, "attach_to": "v1"},
			hourly: 0.005, monthly: 3.65},
		// 10 GiB × 0.0000342 = 0.000342; × 730 = 0.24966
		{reason: "a bucket is what it stores now at the object-storage price", kind: Buckets, values: map[string]any{"name": "b"},
			obj:    &provider.Object{Kind: Buckets, ID: "b", Attrs: provider.Attrs{"name": "b", "size_bytes": 10 * gib}},
			hourly: 0.000342, monthly: 0.24966, want: provider.Estimate{UsageBased: true, Note: "usage-based: 10.00 GiB stored now"}},
		{reason: "a new bucket is usage-based: 0 until it stores data", kind: Buckets, values: map[string]any{"name": "b"},
			want: provider.Estimate{UsageBased: true, Note: "usage-based: 0 until it stores data"}},
		{reason: "a floating IP is not priced by the API", kind: FloatingIPs, values: map[string]any{"name": "ip"},
			want: provider.Estimate{Unpriced: "not priced by the API"}},
		{reason: "a load balancer is not priced by the API", kind: LoadBalancers, values: map[string]any{"name": "lb"},
			want: provider.Estimate{Unpriced: "not priced by the API"}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			p := tt.prices
			if p == nil {
				p = prices
			}
			price := Description().Kind(tt.kind).Price
			got := price(tt.values, tt.obj, p)
			if math.Abs(got.Hourly-tt.hourly) > 1e-12 || math.Abs(got.Hourly*730-tt.monthly) > 1e-9 {
				t.Errorf("%v an hour (%v a month), want %v (%v)", got.Hourly, got.Hourly*730, tt.hourly, tt.monthly)
			}
			got.Hourly, tt.want.Hourly = 0, 0
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("estimate (-want +got):\n%s", d)
			}
		})
	}
	if Description().Kind(Networks).Price != nil {
		t.Errorf("networks are not billed: they should have no price")
	}
}

// TestPricesReadsThePolicyOnce: the price list is one global GET (no
// location in the path).
func TestPricesReadsThePolicyOnce(t *testing.T) {
	c, rec, _ := newFake(t, map[string]func(request) (int, string){"GET /v1/pricing/policy": file(t, "pricing_policy.json")})
	var pricer provider.Pricer = c
	got, err := pricer.Prices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(docPrices(t), got); d != "" {
		t.Errorf("prices (-want +got):\n%s", d)
	}
	if calls := rec.Calls(); len(calls) != 1 || calls[0].Path != "/v1/pricing/policy" || calls[0].APIKey != "secret-key" {
		t.Errorf("calls: %+v", calls)
	}
}
