package iwinv

import (
	"context"
	"sync"
	"time"
)

// pacer is a token bucket: burst calls at once, then one every
// minute/perMinute. A call reserves its slot before it waits (the bucket
// may go below zero), so concurrent callers queue in order and nothing
// is held while they sleep. A cancelled wait gives its slot up to no one:
// pacing errs on the slow side.
type pacer struct {
	perMinute int
	burst     int
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newPacer(perMinute, burst int, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{perMinute: perMinute, burst: burst, now: now, sleep: sleep, tokens: float64(burst), last: now()}
}

// interval is the time one token takes to come back.
func (p *pacer) interval() time.Duration { return time.Minute / time.Duration(p.perMinute) }

// reserve takes a token and returns how long to wait for it.
func (p *pacer) reserve() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if elapsed := now.Sub(p.last); elapsed > 0 {
		p.tokens = min(float64(p.burst), p.tokens+float64(elapsed)/float64(p.interval()))
		p.last = now
	}
	p.tokens--
	if p.tokens >= 0 {
		return 0
	}
	return time.Duration(-p.tokens * float64(p.interval()))
}

// wait blocks until the caller may make a call, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d := p.reserve(); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}
