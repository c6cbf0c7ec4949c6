package iwinv

import (
	"context"
	"github.com/idstack/idstack/provider/iwinv/sim"
	"sync"
	"testing"
	"time"
)

// manualClock is a clock that moves only when a sleep is asked of it:
// pacing is checked without waiting.
type manualClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (m *manualClock) now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *manualClock) sleep(ctx context.Context, d time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.slept = append(m.slept, d)
	m.t = m.t.Add(d)
	return ctx.Err()
}

// TestPacer: 60 a minute with bursts of 10 lets 10 calls through at once,
// then one a second; an idle spell refills the bucket, never beyond the
// burst.
func TestPacer(t *testing.T) {
	t.Parallel()
	m := &manualClock{t: clockAt()}
	p := newPacer(60, 10, m.now, m.sleep)
	ctx := context.Background()
	start := m.now()
	for range 15 {
		if err := p.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.now().Sub(start); got != 5*time.Second {
		t.Errorf("15 calls took %s, want 5s (10 at once, then 1 a second)", got)
	}
	if len(m.slept) != 5 {
		t.Errorf("slept %v, want 5 waits", m.slept)
	}
	m.t = m.t.Add(time.Hour) // idle: the bucket refills to 10, no more
	m.slept = nil
	for range 11 {
		_ = p.wait(ctx)
	}
	if len(m.slept) != 1 || m.slept[0] != time.Second {
		t.Errorf("after an idle hour, 11 calls slept %v; want one wait of 1s", m.slept)
	}
	// Within any minute after the burst, at most 60 + burst calls pass.
	m.slept = nil
	from := m.now()
	n := 0
	for m.now().Sub(from) < time.Minute {
		_ = p.wait(ctx)
		n++
	}
	if n > 61 {
		t.Errorf("%d calls in a minute of steady pacing", n)
	}
}

// TestPacedClient: a client paces its calls by default and not with
// WithRateLimit(0, …); a cancelled wait is a call never sent.
func TestPacedClient(t *testing.T) {
	t.Parallel()
	m := &manualClock{t: clockAt()}
	c, f, _ := newFake(t, map[string][]answer{"GET /v1/zones": {ok(`[]`)}}, WithClock(m.now), WithSleep(m.sleep), WithRateLimit(60, 2))
	for range 4 {
		if _, err := c.ListZones(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.Calls()) != 4 || len(m.slept) != 2 {
		t.Errorf("%d calls, waits %v; want 4 calls and 2 waits of 1s", len(f.Calls()), m.slept)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ListZones(ctx); !isNotSent(err) {
		t.Errorf("a call cancelled while paced: %v", err)
	}
	unpaced, f2, s := newFake(t, map[string][]answer{"GET /v1/zones": {ok(`[]`)}})
	for range 30 {
		_, _ = unpaced.ListZones(context.Background())
	}
	if len(f2.Calls()) != 30 || len(s.all()) != 0 {
		t.Errorf("unpaced: %d calls, waits %v", len(f2.Calls()), s.all())
	}
}

// TestPacedAgainstTheLimit: a client paced at the API's 60 a minute,
// against a simulator that enforces it, on one clock that moves only
// when the client waits: 150 reads all succeed, the few 429s its burst may
// draw are waited out by their Retry-After, and the whole takes about what
// the limit allows (at least 2 minutes: 60 calls a minute).
func TestPacedAgainstTheLimit(t *testing.T) {
	t.Parallel()
	m := &manualClock{t: clockAt()}
	e := newSim(t, sim.Options{RateLimit: sim.APIRateLimit, Now: m.now},
		WithClock(m.now), WithSleep(m.sleep), WithRateLimit(DefaultPerMinute, DefaultBurst), WithRetry(5, time.Second, time.Minute))
	for i := range 150 {
		if _, err := e.c.ListZones(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	limited := 0
	for _, c := range e.sim.Calls() {
		if c.Status == 429 {
			limited++
		}
	}
	took := m.now().Sub(clockAt())
	if took < 2*time.Minute || took > 3*time.Minute {
		t.Errorf("150 calls took %s of waiting (%d refused with 429)", took, limited)
	}
	t.Logf("150 calls: %s of waiting, %d refused with 429 and repeated", took, limited)
}
