package idcloudhost

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/idstack/idstack/provider"
)

// List returns every object of a kind in a location with a fixed number of
// calls (VMs and disks are joined with one list of networks or VMs).
func (c *Client) List(ctx context.Context, kind provider.Kind, location string) ([]provider.Object, error) {
	switch kind {
	case VMs:
		return c.listVMObjects(ctx, location)
	case Networks:
		return c.listNetworkObjects(ctx, location)
	case Disks:
		return c.listDiskObjects(ctx, location)
	case FloatingIPs:
		return c.listFloatingIPObjects(ctx, location)
	case LoadBalancers:
		return c.listLoadBalancerObjects(ctx, location)
	case Buckets:
		return c.listBucketObjects(ctx)
	}
	return nil, unknownKind(kind)
}

// Get reads one object; a missing one gives an error matching
// provider.ErrNotFound.
func (c *Client) Get(ctx context.Context, kind provider.Kind, location, id string) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.getVMObject(ctx, location, id)
	case Networks:
		n, err := c.GetNetwork(ctx, location, id)
		if err != nil {
			return provider.Object{}, err
		}
		return networkObject(location, n), nil
	case Disks:
		return c.getDiskObject(ctx, location, id)
	case FloatingIPs:
		ip, err := c.GetFloatingIP(ctx, location, id)
		if err != nil {
			return provider.Object{}, err
		}
		return floatingIPObject(location, ip), nil
	case LoadBalancers:
		lb, err := c.GetLoadBalancer(ctx, location, id)
		if err != nil {
			return provider.Object{}, err
		}
		return loadBalancerObject(location, lb), nil
	case Buckets:
		b, err := c.GetBucket(ctx, id)
		if err != nil {
			return provider.Object{}, err
		}
		return bucketObject(b), nil
	}
	return provider.Object{}, unknownKind(kind)
}

// Create creates one object from its attributes. It is never retried: after
// an unknown outcome the caller looks the name up.
func (c *Client) Create(ctx context.Context, kind provider.Kind, location string, attrs provider.Attrs) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.createVM(ctx, location, attrs)
	case Networks:
		return c.createNetwork(ctx, location, attrs)
	case Disks:
		return c.createDisk(ctx, location, attrs)
	case FloatingIPs:
		return c.createFloatingIP(ctx, location, attrs)
	case LoadBalancers:
		return c.createLoadBalancer(ctx, location, attrs)
	case Buckets:
		return c.createBucket(ctx, attrs)
	}
	return provider.Object{}, unknownKind(kind)
}

// Update applies in-place changes and returns the object as it is after.
func (c *Client) Update(ctx context.Context, kind provider.Kind, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	switch kind {
	case VMs:
		return c.updateVM(ctx, location, id, changes)
	case Networks:
		return c.updateNetwork(ctx, location, id, changes)
	case Disks:
		return c.updateDisk(ctx, location, id, changes)
	case FloatingIPs:
		return c.updateFloatingIP(ctx, location, id, changes)
	case LoadBalancers:
		return c.updateLoadBalancer(ctx, location, id, changes)
	case Buckets:
		return c.updateBucket(ctx, id, changes)
	}
	return provider.Object{}, unknownKind(kind)
}

// Delete deletes one object; one that is already gone is not an error.
func (c *Client) Delete(ctx context.Context, kind provider.Kind, location, id string) error {
	var err error
	switch kind {
	case VMs:
		err = c.whenSettled(ctx, location, id, func() error { return c.DeleteVM(ctx, location, id) })
	case Networks:
		err = c.DeleteNetwork(ctx, location, id)
	case Disks:
		err = c.deleteDisk(ctx, location, id)
	case FloatingIPs:
		err = c.DeleteFloatingIP(ctx, location, id)
	case LoadBalancers:
		err = c.DeleteLoadBalancer(ctx, location, id)
	case Buckets:
		err = c.DeleteBucket(ctx, id)
	default:
		return unknownKind(kind)
	}
	if isNotFound(err) {
		return nil
	}
	return err
}

func unknownKind(k provider.Kind) error { return fmt.Errorf("unknown kind %q", k) }

// both runs two calls concurrently and returns the first error to occur;
// the other call is cancelled when one fails.
func both(ctx context.Context, f, g func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	run := func(h func(context.Context) error) {
		defer wg.Done()
		if err := h(ctx); err != nil {
			once.Do(func() { first = err; cancel() })
		}
	}
	wg.Add(2)
	go run(g)
	run(f)
	wg.Wait()
	return first
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, provider.ErrNotFound) }

// confirm turns the failure of a call into success when a fresh read shows
// that its effect is already in place: a repeated idempotent write that the
// API refuses as a no-op (a resize to the current size), or a create-like
// call whose answer was lost after the change was made. A failed read keeps
// the call's own error.
func confirm(ctx context.Context, err error, done func(context.Context) (bool, error)) error {
	if err == nil || ctx.Err() != nil || isNotFound(err) {
		return err
	}
	ok, rerr := done(ctx)
	if rerr == nil && ok {
		return nil
	}
	return err
}
