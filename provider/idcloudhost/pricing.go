package idcloudhost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// pricingPath is GET /v1/pricing/policy: global, read once per plan.
const pricingPath = "/pricing/policy"

// Prices is idcloudhost's price list, per hour, in the account's billing
// currency (the API does not name it), read from the pricing policy. A
// price the policy does not give is missing, never 0: whatever needs it
// is not priced.
type Prices struct {
	CPU            float64 // one vCPU
	RAMPerMiB      float64 // one MiB of memory
	Storage        float64 // one GiB of disk (the policy's main storage)
	Backup         float64 // one GiB of backup
	WindowsPerCore float64 // the Windows licence, per vCPU
	ObjectStorage  float64 // one GiB stored in object storage
	// Missing names the prices the policy lacks.
	Missing map[string]bool
}

// What Prices.Missing names, as a plan says it ("the price list has no
// CPU price").
const (
	priceCPU           = "CPU"
	priceRAM           = "RAM"
	priceStorage       = "storage"
	priceBackup        = "backup"
	priceWindows       = "Windows licence"
	priceObjectStorage = "object storage"
)

// PricingPolicy is GET /v1/pricing/policy.
func (c *Client) PricingPolicy(ctx context.Context) (api.PricingPolicy, error) {
	var out api.PricingPolicy
	err := c.do(ctx, idempotent, http.MethodGet, "", pricingPath, nil, &out)
	return out, err
}

// Prices reads the price list (provider.Pricer).
func (c *Client) Prices(ctx context.Context) (any, error) {
	p, err := c.PricingPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return PricesOf(p), nil
}

// PricesOf reads a pricing policy: a CPU entry's price is for its numCpus
// CPUs (the one for a single CPU when there are several), a RAM entry's
// for its megsRam MiB (the largest entry: the document's 1 GiB one, which
// costs twice its 512 MiB one), storage by the service it bills (main,
// backup; snapshots are not part of a stack), the Windows licence per
// core and object storage per GiB.
func PricesOf(p api.PricingPolicy) *Prices {
	out := &Prices{Missing: map[string]bool{}}
	found := map[string]bool{}
	cpus, megs := 0, 0
	for _, e := range p.Policy {
		if e.Price < 0 {
			continue
		}
		service := strings.ToLower(e.ServiceNameInUptime)
		switch strings.ToUpper(e.ResourceType) {
		case "CPU":
			if e.NumCPUs > 0 && (cpus == 0 || e.NumCPUs == 1) {
				out.CPU, cpus, found[priceCPU] = e.Price/float64(e.NumCPUs), e.NumCPUs, true
			}
		case "RAM":
			if e.MegsRAM > megs {
				out.RAMPerMiB, megs, found[priceRAM] = e.Price/float64(e.MegsRAM), e.MegsRAM, true
			}
		case "STORAGE":
			switch service {
			case "main":
				out.Storage, found[priceStorage] = e.Price, true
			case "backup":
				out.Backup, found[priceBackup] = e.Price, true
			}
		case "LICENSE":
			if service == "windows" {
				out.WindowsPerCore, found[priceWindows] = e.Price, true
			}
		case "OBJECT_STORAGE":
			out.ObjectStorage, found[priceObjectStorage] = e.Price, true
		}
	}
	for _, k := range []string{priceCPU, priceRAM, priceStorage, priceBackup, priceWindows, priceObjectStorage} {
		if !found[k] {
			out.Missing[k] = true
		}
	}
	return out
}

// notPricedByTheAPI is the estimate of what the policy has no entry for
// (floating IPs, load balancers): billed, but at a price the API does not
// publish.
const notPricedByTheAPI = "not priced by the API"

// bytesPerGiB: object storage is priced per GiB stored.
const bytesPerGiB = 1 << 30

func init() {
	vmKind.Price = priceVM
	diskKind.Price = priceDisk
	bucketKind.Price = priceBucket
	floatingIPKind.Price = notPriced
	loadBalancerKind.Price = notPriced
	// Networks: the API bills none (their billing_account is ignored),
	// so they have no cost line.
}

// priceVM: a running VM is its vCPUs, its memory (per MiB) and its boot
// disk (per GiB), plus backup storage per GiB when backup is on and the
// Windows licence per vCPU for a Windows image; a stopped VM is its
// storage only (boot disk and backups).
func priceVM(values map[string]any, _ *provider.Object, prices any) provider.Estimate {
	p, _ := prices.(*Prices)
	if p == nil {
		return provider.Estimate{Unpriced: "no price list"}
	}
	vcpu, okCPU := count(values["vcpu"])
	ram, okRAM := count(values["ram"])
	disk, okDisk := count(values["disk"])
	backup, _ := values["backup"].(bool)
	osName, _ := values["os_name"].(string)
	stopped := values["power"] == statusStopped
	windows := strings.EqualFold(osName, "windows")
	need := []string{priceStorage}
	if backup {
		need = append(need, priceBackup)
	}
	if !stopped {
		need = append(need, priceCPU, priceRAM)
		if windows {
			need = append(need, priceWindows)
		}
	}
	for _, f := range []struct {
		ok   bool
		name string
	}{{okDisk, "disk"}, {okCPU || stopped, "vcpu"}, {okRAM || stopped, "ram"}} {
		if !f.ok {
			return provider.Estimate{Unpriced: fmt.Sprintf("%s is known only after apply", f.name)}
		}
	}
	if e, missing := p.lacks(need...); missing {
		return e
	}
	hourly := disk * p.Storage
	if backup {
		hourly += disk * p.Backup
	}
	if stopped {
		return provider.Estimate{Hourly: hourly, Note: "stopped: storage only"}
	}
	hourly += vcpu*p.CPU + ram*p.RAMPerMiB
	if windows {
		hourly += vcpu * p.WindowsPerCore
	}
	return provider.Estimate{Hourly: hourly}
}

// priceDisk: a disk is its size in GiB, attached or not.
func priceDisk(values map[string]any, _ *provider.Object, prices any) provider.Estimate {
	p, _ := prices.(*Prices)
	if p == nil {
		return provider.Estimate{Unpriced: "no price list"}
	}
	size, ok := count(values["size"])
	if !ok {
		return provider.Estimate{Unpriced: "size is known only after apply"}
	}
	if e, missing := p.lacks(priceStorage); missing {
		return e
	}
	return provider.Estimate{Hourly: size * p.Storage}
}

// priceBucket: a bucket is what it stores now (the API's size_bytes, in
// GiB) at the object-storage price; a new one stores nothing yet.
func priceBucket(_ map[string]any, obj *provider.Object, prices any) provider.Estimate {
	p, _ := prices.(*Prices)
	if p == nil {
		return provider.Estimate{Unpriced: "no price list"}
	}
	if e, missing := p.lacks(priceObjectStorage); missing {
		return e
	}
	if obj == nil {
		return provider.Estimate{UsageBased: true, Note: "usage-based: 0 until it stores data"}
	}
	size, _ := count(obj.Attrs["size_bytes"])
	gib := size / bytesPerGiB
	return provider.Estimate{Hourly: gib * p.ObjectStorage, UsageBased: true,
		Note: "usage-based: " + strconv.FormatFloat(gib, 'f', 2, 64) + " GiB stored now"}
}

// notPriced: billed, but the policy has no price for it.
func notPriced(map[string]any, *provider.Object, any) provider.Estimate {
	return provider.Estimate{Unpriced: notPricedByTheAPI}
}

// lacks is the estimate of something whose price the policy lacks.
func (p *Prices) lacks(names ...string) (provider.Estimate, bool) {
	for _, n := range names {
		if p.Missing[n] {
			return provider.Estimate{Unpriced: "the price list has no " + n + " price"}, true
		}
	}
	return provider.Estimate{}, false
}

// count reads a number of a value as YAML, JSON, a state file or the
// client gives it; ok is false for anything else (not known yet).
func count(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
