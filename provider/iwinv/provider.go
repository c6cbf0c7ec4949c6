package iwinv

import (
	"context"
	"fmt"

	"github.com/idstack/idstack/provider"
)

// List returns every object of a kind in a location. Instances and block
// storages are one paginated list each (calls grow with pages, not
// objects); firewalls are account-wide and, because the API documents a
// group's rules and instances only per group, cost two calls per group
// besides the pages of groups.
func (c *Client) List(ctx context.Context, kind provider.Kind, location string) ([]provider.Object, error) {
	switch kind {
	case VMs:
		return c.listVMObjects(ctx, location)
	case Disks:
		return c.listDiskObjects(ctx, location)
	case Firewalls:
		return c.listFirewallObjects(ctx)
	}
	return nil, unknownKind(kind)
}

// Get reads one object; a missing one is an error matching
// provider.ErrNotFound.
func (c *Client) Get(ctx context.Context, kind provider.Kind, location, id string) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.getVMObject(ctx, id)
	case Disks:
		return c.getDiskObject(ctx, id)
	case Firewalls:
		return c.getFirewallObject(ctx, id)
	}
	return provider.Object{}, unknownKind(kind)
}

// Create makes one object. It is never repeated after an unknown outcome:
// the engine finds an instance or a firewall by name, a block storage by
// its size, type and instance.
func (c *Client) Create(ctx context.Context, kind provider.Kind, location string, attrs provider.Attrs) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.createVM(ctx, location, attrs)
	case Disks:
		return c.createDisk(ctx, location, attrs)
	case Firewalls:
		return c.createFirewall(ctx, attrs)
	}
	return provider.Object{}, unknownKind(kind)
}

// Update applies in-place changes and returns the object as it is after.
func (c *Client) Update(ctx context.Context, kind provider.Kind, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.updateVM(ctx, id, changes)
	case Disks:
		return c.updateDisk(ctx, location, id, changes)
	case Firewalls:
		return c.updateFirewall(ctx, id, changes)
	}
	return provider.Object{}, unknownKind(kind)
}

// Delete deletes one object and returns when it is gone; one that is
// already gone is no error.
func (c *Client) Delete(ctx context.Context, kind provider.Kind, location, id string) error {
	var err error
	switch kind {
	case VMs:
		err = c.deleteVM(ctx, id)
	case Disks:
		err = c.deleteDisk(ctx, id)
	case Firewalls:
		err = c.deleteFirewall(ctx, id)
	default:
		return unknownKind(kind)
	}
	if isNotFound(err) {
		return nil
	}
	return err
}

func unknownKind(k provider.Kind) error { return fmt.Errorf("iwinv has no kind %q", k) }
