package s3state_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/executor/cli/s3state"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
)

// s3World is a simulator over real HTTP with one bucket, and what an S3
// client needs to reach it (read through the API as idstack does).
type s3World struct {
	sim    *sim.Server
	api    *idcloudhost.Client
	access idcloudhost.S3Access
}

func newS3World(t *testing.T, bucket string) *s3World {
	t.Helper()
	s := sim.New(sim.Options{Seed: 1})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	api := idcloudhost.New(srv.URL, "test-key")
	ctx := context.Background()
	if _, err := api.CreateBucket(ctx, bucket, 0); err != nil {
		t.Fatal(err)
	}
	access, err := api.S3Access(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + sim.S3Prefix; access.Endpoint != want {
		t.Fatalf("S3 endpoint %q, want %q", access.Endpoint, want)
	}
	return &s3World{sim: s, api: api, access: access}
}

func (w *s3World) backend(t *testing.T, bucket, key, stack string) *s3state.Backend {
	t.Helper()
	b, err := s3state.New(s3state.Config{Endpoint: w.access.Endpoint, AccessKey: w.access.AccessKey, SecretKey: w.access.SecretKey, Bucket: bucket, Key: key, Provider: idcloudhost.Description()}, stack)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestS3StateRoundTrip(t *testing.T) {
	w := newS3World(t, "tfstate")
	b := w.backend(t, "tfstate", "", "shop-staging")
	if b.String() != "s3://tfstate/shop-staging.state.json" {
		t.Errorf("String() = %q", b.String())
	}
	st, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Serial != 0 || len(st.Resources) != 0 || st.Stack != "shop-staging" {
		t.Fatalf("a missing state should load empty: %+v", st)
	}
	st.Put(&state.Resource{Address: "networks.app", Kind: "networks", ID: "n-1", Location: "jkt01", Name: "app"})
	if err := b.Save(st); err != nil {
		t.Fatal(err)
	}
	st.Put(&state.Resource{Address: "vms.web", Kind: "vms", ID: "v-1", Location: "jkt01", Name: "web"})
	if err := b.Save(st); err != nil { // a second save: If-Match on the first's ETag
		t.Fatal(err)
	}
	// Another run, another process: nothing shared but the storage.
	got, err := w.backend(t, "tfstate", "", "shop-staging").Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, got); diff != "" {
		t.Errorf("state read back differs (-saved +read):\n%s", diff)
	}
	if got.Serial != 2 {
		t.Errorf("serial %d after two saves, want 2", got.Serial)
	}
	// The API sees the object in the bucket.
	bk, err := w.api.GetBucket(context.Background(), "tfstate")
	if err != nil {
		t.Fatal(err)
	}
	if bk.NumObjects != 1 || bk.SizeBytes == 0 {
		t.Errorf("bucket through the API: %d objects, %d bytes; want 1 and more than 0", bk.NumObjects, bk.SizeBytes)
	}
}

// Two runs read the same state; the first to save wins, the second is
// told the state changed under it, whatever the order of their reads.
func TestS3StateSaveIsConditional(t *testing.T) {
	for _, first := range []string{"", "existing"} {
		t.Run("state "+map[string]string{"": "missing", "existing": "existing"}[first], func(t *testing.T) {
			w := newS3World(t, "tfstate")
			if first != "" {
				b := w.backend(t, "tfstate", "k", "s")
				st, _ := b.Load()
				if err := b.Save(st); err != nil {
					t.Fatal(err)
				}
			}
			a, b := w.backend(t, "tfstate", "k", "s"), w.backend(t, "tfstate", "k", "s")
			sa, err := a.Load()
			if err != nil {
				t.Fatal(err)
			}
			sb, err := b.Load()
			if err != nil {
				t.Fatal(err)
			}
			sa.Put(&state.Resource{Address: "vms.a", Kind: "vms", ID: "v-a"})
			sb.Put(&state.Resource{Address: "vms.b", Kind: "vms", ID: "v-b"})
			if err := a.Save(sa); err != nil {
				t.Fatal(err)
			}
			serial := sb.Serial
			err = b.Save(sb)
			if !errors.Is(err, state.ErrStateChanged) {
				t.Fatalf("second writer: %v, want ErrStateChanged", err)
			}
			if sb.Serial != serial {
				t.Errorf("a failed save changed the serial %d → %d", serial, sb.Serial)
			}
			if err := a.Save(sa); err != nil {
				t.Fatalf("the winner goes on saving: %v", err)
			}
		})
	}
}

// Many runs take the same lock at once: exactly one wins; the others are
// told who holds it.
func TestS3LockExactlyOneWins(t *testing.T) {
	w := newS3World(t, "tfstate")
	const n = 8
	var wg sync.WaitGroup
	unlocks := make([]func() error, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := w.backend(t, "tfstate", "k", "s")
			<-start
			unlocks[i], errs[i] = b.Lock("idstack apply", 0)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i := range n {
		if errs[i] == nil {
			won++
			continue
		}
		var le *state.LockedError
		if !errors.As(errs[i], &le) || le.Info.Holder != "idstack apply" || le.Info.PID == 0 || le.Path != "s3://tfstate/k.lock" {
			t.Errorf("loser %d: %v, want a LockedError naming the holder", i, errs[i])
		}
	}
	if won != 1 {
		t.Fatalf("%d runs took the lock, want exactly 1", won)
	}
	for _, u := range unlocks {
		if u != nil {
			if err := u(); err != nil {
				t.Fatal(err)
			}
		}
	}
	u, err := w.backend(t, "tfstate", "k", "s").Lock("idstack apply", 0)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	u()
}

func TestS3LockWaitsForTheHolder(t *testing.T) {
	w := newS3World(t, "tfstate")
	a, b := w.backend(t, "tfstate", "k", "s"), w.backend(t, "tfstate", "k", "s")
	release, err := a.Lock("idstack apply", 0)
	if err != nil {
		t.Fatal(err)
	}
	info, err := b.ReadLock()
	if err != nil || info.Holder != "idstack apply" {
		t.Fatalf("ReadLock: %+v, %v", info, err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		release()
	}()
	t0 := time.Now()
	u, err := b.Lock("idstack destroy", 10*time.Second)
	if err != nil {
		t.Fatalf("waiting for the lock: %v", err)
	}
	if d := time.Since(t0); d < 250*time.Millisecond {
		t.Errorf("took the lock after %s, before the holder released it", d)
	}
	u()
}

// A run whose lock was cleared by `idstack unlock` and taken by another
// does not remove the other's lock when it finishes.
func TestS3ReleaseLeavesAnotherRunsLock(t *testing.T) {
	w := newS3World(t, "tfstate")
	a, b := w.backend(t, "tfstate", "k", "s"), w.backend(t, "tfstate", "k", "s")
	releaseA, err := a.Lock("idstack apply", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
	releaseB, err := b.Lock("idstack destroy", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := releaseA(); err == nil {
		t.Errorf("releasing a lock that is no longer ours should fail")
	}
	if info, err := a.ReadLock(); err != nil || info.Holder != "idstack destroy" {
		t.Fatalf("the other run's lock is gone: %+v, %v", info, err)
	}
	if err := releaseB(); err != nil {
		t.Fatal(err)
	}
}

func TestS3Journal(t *testing.T) {
	w := newS3World(t, "tfstate")
	b := w.backend(t, "tfstate", "k", "s")
	j1, err := b.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	e1, err := j1.Append(state.Entry{Phase: "intent", Op: "create", Address: "vms.web", Kind: "vms", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j1.Append(state.Entry{Phase: "outcome", Op: "create", Address: "vms.web", Kind: "vms", ID: "v-1", Intent: e1.Seq, OK: true}); err != nil {
		t.Fatal(err)
	}
	j2, err := w.backend(t, "tfstate", "k", "s").OpenJournal() // a later run
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j2.Append(state.Entry{Phase: "intent", Op: "create", Address: "vms.db", Kind: "vms", Name: "db"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int
	var addrs []string
	for _, e := range got {
		seqs, addrs = append(seqs, e.Seq), append(addrs, e.Address)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, seqs); diff != "" {
		t.Errorf("sequence numbers (-want +got):\n%s", diff)
	}
	if open := state.Open(got); len(open) != 1 || open[0].Address != "vms.db" {
		t.Errorf("open intents %+v, want the db's only", open)
	}
	if got[0].Run == got[2].Run {
		t.Errorf("two runs share a run id %q", got[0].Run)
	}
	_ = addrs
	if err := b.ClearJournal(); err != nil {
		t.Fatal(err)
	}
	if got, err := b.ReadJournal(); err != nil || len(got) != 0 {
		t.Fatalf("after ClearJournal: %d entries, %v", len(got), err)
	}
}

// Without one of the account's keys the storage answers 403 and the
// backend says so.
func TestS3UnknownKeyIsRefused(t *testing.T) {
	w := newS3World(t, "tfstate")
	b, err := s3state.New(s3state.Config{Endpoint: w.access.Endpoint, AccessKey: "NOTAKEY", SecretKey: "x", Bucket: "tfstate"}, "s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Load()
	if err == nil || !strings.Contains(err.Error(), "InvalidAccessKeyId") {
		t.Fatalf("Load with an unknown key: %v, want InvalidAccessKeyId", err)
	}
}

func TestS3MissingBucket(t *testing.T) {
	w := newS3World(t, "tfstate")
	b := w.backend(t, "nosuchbucket", "k", "s")
	if _, err := b.Load(); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Load from a missing bucket: %v, want NoSuchBucket", err)
	}
}

// lossyTransport makes the first request whose method and path match, then
// drops its answer with a connection reset, as a network can: the S3
// client sends the request again.
type lossyTransport struct {
	mu     sync.Mutex
	method string
	suffix string
	done   bool
}

func (l *lossyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && !l.done && r.Method == l.method && strings.HasSuffix(r.URL.Path, l.suffix) {
		l.done = true
		res.Body.Close()
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	}
	return res, err
}

// A conditional write whose answer is lost is sent again and fails its
// own condition: the backend sees that the object is its own.
func TestS3LostAnswers(t *testing.T) {
	w := newS3World(t, "tfstate")
	lossy := func(method, suffix string) *s3state.Backend {
		b, err := s3state.New(s3state.Config{Endpoint: w.access.Endpoint, AccessKey: w.access.AccessKey, SecretKey: w.access.SecretKey,
			Bucket: "tfstate", Key: "k", HTTPClient: &http.Client{Transport: &lossyTransport{method: method, suffix: suffix}}}, "s")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := lossy("PUT", "/k.lock")
	unlock, err := b.Lock("idstack apply", 0)
	if err != nil {
		t.Fatalf("a lock whose answer was lost: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	b = lossy("PUT", "/k")
	st, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Save(st); err != nil {
		t.Fatalf("a save whose answer was lost: %v", err)
	}
	if err := b.Save(st); err != nil {
		t.Fatalf("the next save: %v", err)
	}
	if got, _ := w.backend(t, "tfstate", "k", "s").Load(); got.Serial != 2 {
		t.Fatalf("serial %d, want 2", got.Serial)
	}
}
