package iwinv

import (
	"context"
	"fmt"
	"time"
)

// waitFor polls check until it reports done, with growing intervals
// (pollMin doubling to pollMax), for as long as ctx allows and at most the
// wait timeout. check returns the state it saw; when the wait ends first,
// the error names what was waited for and the last state seen. A check
// error ends the wait at once.
func (c *Client) waitFor(ctx context.Context, what string, check func(context.Context) (done bool, state string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, c.waitTimeout)
	defer cancel()
	start := c.now()
	interval := c.pollMin
	last := "unknown"
	for {
		done, state, err := check(ctx)
		if state != "" {
			last = state
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("waiting for %s: still %s after %s: %w", what, last, c.now().Sub(start).Round(time.Millisecond), ctx.Err())
		case err != nil:
			return fmt.Errorf("waiting for %s: %w", what, err)
		case done:
			return nil
		}
		if err := c.sleep(ctx, interval); err != nil {
			return fmt.Errorf("waiting for %s: still %s after %s: %w", what, last, c.now().Sub(start).Round(time.Millisecond), err)
		}
		interval = min(2*interval, c.pollMax)
	}
}
