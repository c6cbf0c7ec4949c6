package iwinv

import (
	"context"
	"fmt"
	"slices"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// waitStatus polls an instance until its status is one of statuses.
func (c *Client) waitStatus(ctx context.Context, id string, statuses ...string) (api.Instance, error) {
	var in api.Instance
	err := c.waitFor(ctx, fmt.Sprintf("instance %s to be %v", id, statuses), func(ctx context.Context) (bool, string, error) {
		cur, err := c.GetInstance(ctx, id)
		if err != nil {
			return false, "", err
		}
		in = cur
		return slices.Contains(statuses, cur.Status), fmt.Sprintf("%q", cur.Status), nil
	})
	return in, err
}

// waitSettled waits for an instance to be active or shut off.
func (c *Client) waitSettled(ctx context.Context, id string) (api.Instance, error) {
	return c.waitStatus(ctx, id, api.StatusActive, api.StatusShutoff)
}

// setPower starts or shuts down an instance and waits until it is there.
// The action is not repeated blindly: after a failure the instance is read
// again (it may be on its way), and only a busy refusal or a transient
// failure of an unchanged instance makes the call again.
func (c *Client) setPower(ctx context.Context, id, want string) (api.Instance, error) {
	action, target := "start", api.StatusActive
	if want == powerStopped {
		action, target = "shutdown", api.StatusShutoff
	}
	for attempt := 1; ; attempt++ {
		in, err := c.waitSettled(ctx, id)
		if err != nil || in.Status == target {
			return in, err
		}
		err = c.InstanceAction(ctx, id, action, nil)
		if err == nil {
			return c.waitStatus(ctx, id, target)
		}
		if isNotFound(err) || ctx.Err() != nil || !(transient(err) || isBusy(err)) || attempt >= c.maxAttempts {
			return in, fmt.Errorf("instance %s: %s: %w", id, action, err)
		}
	}
}

// whenSettled makes a call that changes an instance; a busy refusal (409)
// is waited out and the call made again.
func (c *Client) whenSettled(ctx context.Context, id string, call func() error) error {
	return c.retryBusy(ctx, call, func(ctx context.Context) error {
		_, err := c.waitSettled(ctx, id)
		return err
	})
}

// retryBusy makes a call; after a busy refusal (409: nothing done) it
// waits with settle and makes it again, at most maxAttempts times.
func (c *Client) retryBusy(ctx context.Context, call func() error, settle func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || !isBusy(err) || attempt >= c.maxAttempts || ctx.Err() != nil {
			return err
		}
		if serr := settle(ctx); serr != nil {
			return fmt.Errorf("%w; waiting for it: %v", err, serr)
		}
	}
}

// rebuild rewrites the boot disk from image. It is never repeated: after
// an unknown outcome the instance tells whether it happened (its image).
func (c *Client) rebuild(ctx context.Context, id, image string) error {
	return c.changeOnce(ctx, id, "rebuild", api.FormImageID, image, func(in api.Instance) bool {
		return in.Image != nil && in.Image.ImageID == image
	})
}

// resize changes the flavor, confirmed the same way.
func (c *Client) resize(ctx context.Context, id, flavor string) error {
	return c.changeOnce(ctx, id, "resize", api.FormFlavorID, flavor, func(in api.Instance) bool {
		return in.Flavor != nil && in.Flavor.FlavorID == flavor
	})
}

func (c *Client) changeOnce(ctx context.Context, id, action, key, value string, done func(api.Instance) bool) error {
	err := c.whenSettled(ctx, id, func() error { return c.InstanceAction(ctx, id, action, []field{{key, value}}) })
	if err != nil && provider.OutcomeUnknown(err) && ctx.Err() == nil {
		if in, gerr := c.GetInstance(ctx, id); gerr == nil && done(in) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("instance %s: %s to %s: %w", id, action, value, err)
	}
	_, err = c.waitSettled(ctx, id)
	return err
}
