package run_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/run"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/fake"
)

// orderedCloud is the fake cloud, watched: Locations answers only once a
// list has begun (when wait is set: a plan that lists the locations
// first never gets an answer), and no list answers for location l9.
type orderedCloud struct {
	*fake.Cloud
	wait   bool
	listed chan struct{}
	once   sync.Once
	mu     sync.Mutex
	order  []string
}

func newOrderedCloud(wait bool) *orderedCloud {
	return &orderedCloud{Cloud: fake.New(), wait: wait, listed: make(chan struct{})}
}

func (c *orderedCloud) List(ctx context.Context, kind provider.Kind, location string) ([]provider.Object, error) {
	c.mu.Lock()
	c.order = append(c.order, "list")
	c.mu.Unlock()
	c.once.Do(func() { close(c.listed) })
	if location == "l9" {
		return nil, fmt.Errorf("GET /%s/%s: 404 not found", location, kind)
	}
	return c.Cloud.List(ctx, kind, location)
}

func (c *orderedCloud) Locations(ctx context.Context) ([]provider.Location, error) {
	if c.wait {
		select {
		case <-c.listed:
		case <-time.After(10 * time.Second):
			return nil, errors.New("the locations were listed alone, before the refresh began")
		}
	}
	c.mu.Lock()
	c.order = append(c.order, "locations")
	c.mu.Unlock()
	return c.Cloud.Locations(ctx)
}

// TestLocationsAreListedWithTheRefresh: when every resource names its
// location, the list of locations is read while the refresh lists (one
// round of latency, not two); a location the account does not have is
// still the stack file's error, at its line, not the failed list's.
func TestLocationsAreListedWithTheRefresh(t *testing.T) {
	t.Parallel()
	t.Run("every location named", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		cfg := w.config(twoServers)
		c := newOrderedCloud(true)
		cfg.Provider = c
		p, err := run.Plan(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if n := len(p.Plan.Actions); n != 3 {
			t.Errorf("%d actions, want 3 creates", n)
		}
	})
	t.Run("an unknown location", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		cfg := w.config(strings.Replace(twoServers, "db: {size: 2, image: base}", "db: {size: 2, image: base, location: l9}", 1))
		c := newOrderedCloud(true)
		cfg.Provider = c
		var diags []string
		cfg.Sink = func(e run.Event) {
			if e.Type == run.Diagnostics {
				for _, d := range e.Diags {
					diags = append(diags, d.Summary)
				}
			}
		}
		p, err := run.Plan(context.Background(), cfg)
		t.Cleanup(func() { p.Close() }) // a failed plan still holds what it opened
		if !errors.Is(err, run.ErrDiagnostics) || len(diags) != 1 || !strings.Contains(diags[0], `unknown location "l9"`) {
			t.Fatalf("err %v, diagnostics %q: want the unknown location, not the list's 404", err, diags)
		}
	})
	t.Run("a resource in the account's default location", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		cfg := w.config(strings.Replace(twoServers, "location: l1\n", "", 1))
		c := newOrderedCloud(false)
		cfg.Provider = c
		p, err := run.Plan(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if len(c.order) == 0 || c.order[0] != "locations" {
			t.Errorf("calls %v: the default location must be known before the lists", c.order)
		}
		for _, a := range p.Plan.Actions {
			if a.Location != "l1" {
				t.Errorf("%s in %q, want the default l1", a.Address, a.Location)
			}
		}
	})
}
