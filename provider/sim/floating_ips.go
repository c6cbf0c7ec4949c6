package sim

import (
	"fmt"

	"github.com/idstack/idstack/provider/api"
)

// newFloatingIP reserves a public address in the call's location.
func (s *Server) newFloatingIP(c *call, name string, billing int) *FloatingIP {
	w := c.w
	w.PublicIPSeq++
	n := w.PublicIPSeq
	base := int(uint64(s.seed)%100) + 100
	addr := fmt.Sprintf("103.%d.%d.%d", base, 10+n/250, 2+n%250)
	ts := c.ts()
	f := FloatingIP{Location: c.loc, API: api.FloatingIP{
		ID: w.newID(), Address: addr, UserID: w.UserID, BillingAccountID: billing, Type: "public",
		Name: name, Enabled: true, CreatedAt: ts, UpdatedAt: ts,
	}}
	w.FloatingIPs = append(w.FloatingIPs, f)
	return &w.FloatingIPs[len(w.FloatingIPs)-1]
}

func (w *World) fip(loc, addr string) *FloatingIP {
	for i := range w.FloatingIPs {
		if w.FloatingIPs[i].Location == loc && w.FloatingIPs[i].API.Address == addr {
			return &w.FloatingIPs[i]
		}
	}
	return nil
}

// fipOf is the floating IP assigned to a resource, if any.
func (w *World) fipOf(uuid string) *FloatingIP {
	for i := range w.FloatingIPs {
		if a := w.FloatingIPs[i].API.AssignedTo; a != nil && *a == uuid {
			return &w.FloatingIPs[i]
		}
	}
	return nil
}

func (c *call) assignFIP(f *FloatingIP, v *VM) {
	uuid := v.API.UUID
	f.API.AssignedTo = &uuid
	f.API.AssignedToResourceType = "virtual_machine"
	f.API.AssignedToPrivateIP = v.API.PrivateIPv4
	f.API.UnassignedAt = ""
	f.API.UpdatedAt = c.ts()
}

func (c *call) unassignFIP(f *FloatingIP) {
	f.API.AssignedTo = nil
	f.API.AssignedToResourceType = ""
	f.API.AssignedToPrivateIP = ""
	f.API.UnassignedAt = c.ts()
	f.API.UpdatedAt = c.ts()
}

type fipBody struct {
	Name             *string `json:"name"`
	BillingAccountID flexInt `json:"billing_account_id"`
}

func postFIP(c *call) (result, *apiErr) {
	var b fipBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	// The document marks billing_account_id required here (only here).
	if !b.BillingAccountID.Set {
		return result{}, badRequest("billing_account_id is required: the billing account that pays for the address")
	}
	if !c.w.billingOK(b.BillingAccountID.V) {
		return result{}, billingErr()
	}
	billing := b.BillingAccountID.V
	name := ""
	if b.Name != nil {
		name = *b.Name
	}
	f := c.s.newFloatingIP(c, name, billing)
	return ok(f.API), nil
}

func listFIPs(c *call) (result, *apiErr) {
	billing, hasB, e := c.integer("billing_account_id")
	if e != nil {
		return result{}, e
	}
	vm := c.str("vm_uuid")
	out := []api.FloatingIP{}
	for _, f := range c.w.FloatingIPs {
		if f.Location != c.loc || (hasB && f.API.BillingAccountID != billing) {
			continue
		}
		if vm != "" && (f.API.AssignedTo == nil || *f.API.AssignedTo != vm) {
			continue
		}
		out = append(out, f.API)
	}
	return ok(out), nil
}

func (c *call) fipParam() (*FloatingIP, *apiErr) {
	addr := c.params["ip"]
	f := c.w.fip(c.loc, addr)
	if f == nil {
		return nil, notFound("Floating IP not found: %s", addr)
	}
	return f, nil
}

func getFIP(c *call) (result, *apiErr) {
	f, e := c.fipParam()
	if e != nil {
		return result{}, e
	}
	return ok(f.API), nil
}

func patchFIP(c *call) (result, *apiErr) {
	var b fipBody
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	f, e := c.fipParam()
	if e != nil {
		return result{}, e
	}
	if b.BillingAccountID.Set {
		if !c.w.billingOK(b.BillingAccountID.V) {
			return result{}, billingErr()
		}
		f.API.BillingAccountID = b.BillingAccountID.V
	}
	if b.Name != nil {
		f.API.Name = *b.Name
	}
	f.API.UpdatedAt = c.ts()
	return ok(f.API), nil
}

// deleteFIP releases an address (unassigning it first if needed).
func deleteFIP(c *call) (result, *apiErr) {
	f, e := c.fipParam()
	if e != nil {
		return result{}, e
	}
	for i := range c.w.FloatingIPs {
		if &c.w.FloatingIPs[i] == f {
			c.w.FloatingIPs = append(c.w.FloatingIPs[:i], c.w.FloatingIPs[i+1:]...)
			break
		}
	}
	for i := range c.w.LoadBalancers {
		if c.w.LoadBalancers[i].API.PublicAddress == f.API.Address {
			c.w.LoadBalancers[i].API.PublicAddress = ""
		}
	}
	return emptyOK(), nil
}

func assignFIPHandler(c *call) (result, *apiErr) {
	var b struct {
		VMUUID string `json:"vm_uuid"`
	}
	if e := c.jsonBody(&b); e != nil {
		return result{}, e
	}
	f, e := c.fipParam()
	if e != nil {
		return result{}, e
	}
	if b.VMUUID == "" {
		return result{}, badRequest("vm_uuid is required")
	}
	v := c.w.vm(c.loc, b.VMUUID)
	if v == nil {
		return result{}, notFound("No such virtual machine exists. %s", b.VMUUID)
	}
	if f.API.AssignedTo != nil {
		if *f.API.AssignedTo == b.VMUUID {
			return ok(f.API), nil
		}
		return result{}, conflict("Floating IP %s is already assigned to %s; unassign it first", f.API.Address, *f.API.AssignedTo)
	}
	if o := c.w.fipOf(b.VMUUID); o != nil {
		return result{}, conflict("Virtual machine %s already has floating IP %s", b.VMUUID, o.API.Address)
	}
	c.assignFIP(f, v)
	return ok(f.API), nil
}

func unassignFIPHandler(c *call) (result, *apiErr) {
	f, e := c.fipParam()
	if e != nil {
		return result{}, e
	}
	if f.API.AssignedTo == nil {
		return result{}, conflict("Floating IP %s is not assigned", f.API.Address)
	}
	if f.API.AssignedToResourceType == "load_balancer" {
		return result{}, conflict("Floating IP %s belongs to load balancer %s", f.API.Address, *f.API.AssignedTo)
	}
	c.unassignFIP(f)
	return ok(f.API), nil
}
