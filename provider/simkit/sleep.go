package simkit

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done; it reports whether d passed (always
// for d <= 0). Both simulators' latencies and blocking work wait with it.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
