package iwinv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// simEnv is the simulator behind a real HTTP server and a client of it
// that polls in milliseconds and does not pace itself.
type simEnv struct {
	t   *testing.T
	sim *sim.Server
	c   *Client
}

func newSim(t *testing.T, opts sim.Options, copts ...Option) *simEnv {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	copts = append([]Option{WithHTTPClient(srv.Client()), WithRateLimit(0, 0),
		WithPoll(time.Millisecond, 5*time.Millisecond, 10*time.Second), WithRetry(4, time.Millisecond, 5*time.Millisecond)}, copts...)
	return &simEnv{t: t, sim: s, c: New(srv.URL, sim.DefaultAccessKey, sim.DefaultSecretKey, copts...)}
}

func (e *simEnv) must(obj provider.Object, err error) provider.Object {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return obj
}

// writes lists the calls other than GET, as "METHOD /path".
func (e *simEnv) writes() []string {
	var out []string
	for _, c := range e.sim.Calls() {
		if c.Method != http.MethodGet {
			out = append(out, c.Method+" "+c.Path)
		}
	}
	return out
}

// vm creates an instance and waits for it to run.
func (e *simEnv) vm(zone, name string) provider.Object {
	e.t.Helper()
	ctx := context.Background()
	obj := e.must(e.c.Create(ctx, VMs, zone, provider.Attrs{"name": name, "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204"}))
	if _, err := e.c.waitStatus(ctx, obj.ID, "active"); err != nil {
		e.t.Fatal(err)
	}
	return e.must(e.c.Get(ctx, VMs, zone, obj.ID))
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }

func isNotSent(err error) bool { return errors.Is(err, provider.ErrNotSent) }
