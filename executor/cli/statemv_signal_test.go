package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
)

// gate holds the reads of one object (the state snapshot) while armed,
// until released.
type gate struct {
	next    http.Handler
	suffix  string
	armed   atomic.Bool
	held    chan struct{} // closed when a read is held
	release chan struct{}
	once    atomic.Bool
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.armed.Load() && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, g.suffix) {
		if g.once.CompareAndSwap(false, true) {
			close(g.held)
		}
		select {
		case <-g.release:
		case <-time.After(30 * time.Second):
		}
	}
	g.next.ServeHTTP(w, r)
}

// TestStateMvSIGTERMLeavesNoLock: SIGTERM (a cancelled CI job) while
// `idstack state mv` holds the lock of a state kept in S3 (here while it
// reads the state): it exits 1, not killed by the signal, changes nothing
// and removes its lock, so the next apply is not blocked.
func TestStateMvSIGTERMLeavesNoLock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	s := sim.New(sim.Options{Seed: 1, ReadyAfter: 20 * time.Millisecond})
	g := &gate{next: s, suffix: "remote/dev.state.json", held: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	if _, err := idcloudhost.New(srv.URL, "k").CreateBucket(context.Background(), "idstack-state", 0); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: s, url: srv.URL, dir: t.TempDir()}
	f := e.write("remote.yaml", `stack: remote
location: jkt01
backend:
  s3: {bucket: idstack-state, key: remote/dev.state.json}
networks:
  app: {name: remote-app}
`)
	e.mustRun(0, "apply", "-f", f, "--auto-approve")
	before := stateObject(t, s)

	g.armed.Store(true)
	p := e.start(nil, "state", "mv", "networks.app", "networks.main", "-f", f)
	select {
	case <-g.held:
	case <-time.After(20 * time.Second):
		t.Fatalf("state mv never read the state\n%s", p.out.String())
	}
	p.signal(syscall.SIGTERM)
	time.AfterFunc(200*time.Millisecond, func() { close(g.release) }) // the read answers after the signal
	if code := p.wait(20 * time.Second); code != cli.ExitError || p.killed() {
		t.Fatalf("exit %d (killed by the signal: %v), want 1\n%s", code, p.killed(), p.out.String())
	}
	if out := p.out.String(); !strings.Contains(out, "nothing changed") {
		t.Errorf("state mv does not say it changed nothing:\n%s", out)
	}
	for _, o := range s.World().Objects {
		if strings.HasSuffix(o.Key, ".lock") {
			t.Errorf("lock %s left behind\n%s", o.Key, p.out.String())
		}
	}
	if after := stateObject(t, s); after != before {
		t.Errorf("the interrupted state mv changed the state:\n%s", after)
	}
}

func stateObject(t *testing.T, s *sim.Server) string {
	t.Helper()
	for _, o := range s.World().Objects {
		if o.Bucket == "idstack-state" && o.Key == "remote/dev.state.json" {
			return string(o.Data)
		}
	}
	t.Fatal("no state object")
	return ""
}
