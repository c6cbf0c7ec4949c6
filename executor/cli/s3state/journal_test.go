package s3state_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
)

// change journals one step's changes to st, as the executor does.
func change(t *testing.T, j state.Journal, st *state.State, cs ...state.Change) error {
	t.Helper()
	st.Apply(cs...)
	st.Serial++
	_, err := j.Append(state.Entry{Phase: state.PhaseState, Serial: st.Serial, Lineage: st.Lineage, Changes: cs})
	return err
}

func network(name, id string) *state.Resource {
	return &state.Resource{Address: "networks." + name, Kind: "networks", ID: id, Location: "jkt01", Name: name}
}

// keys lists the objects of the bucket under a prefix, in order.
func (w *s3World) keys(bucket, prefix string) []string {
	var out []string
	for _, o := range w.sim.World().Objects {
		if o.Bucket == bucket && strings.HasPrefix(o.Key, prefix) {
			out = append(out, o.Key)
		}
	}
	slices.Sort(out)
	return out
}

// TestS3StateIsTheSnapshotAndTheJournal: each batch of the journal is an
// object of its own, never rewritten; another run reads the snapshot with
// the journal's changes replayed; after a checkpoint and a clear, the
// snapshot alone.
func TestS3StateIsTheSnapshotAndTheJournal(t *testing.T) {
	t.Parallel()
	w := newS3World(t, "tfstate")
	b := w.backend(t, "tfstate", "ci/s.state.json", "s")
	st, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	j, err := b.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if err := change(t, j, st, state.Change{Put: network(n, "n-"+n)}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"ci/s.state.json.journal/0000000001.jsonl", "ci/s.state.json.journal/0000000002.jsonl", "ci/s.state.json.journal/0000000003.jsonl"}
	if got := w.keys("tfstate", "ci/"); !slices.Equal(got, want) {
		t.Fatalf("objects %v, want one per batch and no snapshot yet: %v", got, want)
	}
	read := func() *state.State {
		got, err := w.backend(t, "tfstate", "ci/s.state.json", "s").Load()
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if d := cmp.Diff(st, read()); d != "" {
		t.Fatalf("another run reads (-want +got):\n%s", d)
	}
	if err := b.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	if err := change(t, j, st, state.Change{Remove: "networks.a"}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(st, read()); d != "" {
		t.Fatalf("snapshot and journal (-want +got):\n%s", d)
	}
	if err := b.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	if err := b.ClearJournal(); err != nil {
		t.Fatal(err)
	}
	if got := w.keys("tfstate", "ci/"); !slices.Equal(got, []string{"ci/s.state.json"}) {
		t.Fatalf("after the clear: %v", got)
	}
	if d := cmp.Diff(st, read()); d != "" {
		t.Fatalf("the snapshot alone (-want +got):\n%s", d)
	}
}

// TestS3TwoRunsCannotBothWrite: two runs that read the same state cannot
// both journal a change: the second is told the state changed, whether
// the first is still journaling or has finished (written its snapshot and
// cleared the journal, so the key is free again).
func TestS3TwoRunsCannotBothWrite(t *testing.T) {
	t.Parallel()
	for _, finished := range []bool{false, true} {
		name := map[bool]string{false: "first still running", true: "first finished"}[finished]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newS3World(t, "tfstate")
			a, b := w.backend(t, "tfstate", "k", "s"), w.backend(t, "tfstate", "k", "s")
			sa, err := a.Load()
			if err != nil {
				t.Fatal(err)
			}
			sb, err := b.Load()
			if err != nil {
				t.Fatal(err)
			}
			ja, _ := a.OpenJournal()
			jb, _ := b.OpenJournal()
			if err := change(t, ja, sa, state.Change{Put: network("a", "n-a")}); err != nil {
				t.Fatal(err)
			}
			if finished {
				if err := a.Checkpoint(sa); err != nil {
					t.Fatal(err)
				}
				if err := a.ClearJournal(); err != nil {
					t.Fatal(err)
				}
			}
			err = change(t, jb, sb, state.Change{Put: network("b", "n-b")})
			if !errors.Is(err, state.ErrStateChanged) {
				t.Fatalf("the second run's change: %v, want ErrStateChanged", err)
			}
			if err := change(t, jb, sb, state.Change{Put: network("c", "n-c")}); !errors.Is(err, state.ErrStateChanged) {
				t.Fatalf("the second run's next change: %v, want ErrStateChanged", err)
			}
			// The first run's state, and nothing of the second's.
			got, err := w.backend(t, "tfstate", "k", "s").Load()
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(sa, got); d != "" {
				t.Errorf("the state after both (-first run's +read):\n%s", d)
			}
		})
	}
}

// TestOldS3StateIsReadAndConverted: a whole-object state of an earlier
// idstack (format 1) with its journal of that time (one object per run,
// an intent left open) reads as it is; this run's journal follows it, and
// the next snapshot is format 2.
func TestOldS3StateIsReadAndConverted(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile(filepath.Join("..", "..", "..", "planner", "state", "testdata", "v1-shop-staging.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := newS3World(t, "tfstate")
	w.putRaw(t, "tfstate", "shop.state.json", old)
	intent := `{"seq":1,"time":"2026-11-30T10:00:00Z","run":"0a1b2c3d4e5f","phase":"intent","op":"create","address":"vms.extra","kind":"vms","location":"jkt01","name":"extra"}` + "\n"
	w.putRaw(t, "tfstate", "shop.state.json.journal/0000000001-0a1b2c3d4e5f.jsonl", []byte(intent))
	b := w.backend(t, "tfstate", "shop.state.json", "shop-staging")
	st, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	var want state.State
	json.Unmarshal(old, &want)
	want.Version = state.FormatVersion
	if d := cmp.Diff(&want, st); d != "" {
		t.Fatalf("read (-want +got):\n%s", d)
	}
	entries, err := b.ReadJournal()
	if err != nil || len(state.Open(entries)) != 1 {
		t.Fatalf("the old journal's open intent: %+v, %v", entries, err)
	}
	j, err := b.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	if err := change(t, j, st, state.Change{Remove: "buckets.assets"}); err != nil {
		t.Fatal(err)
	}
	if got := w.keys("tfstate", "shop.state.json.journal/"); !slices.Equal(got, []string{"shop.state.json.journal/0000000001-0a1b2c3d4e5f.jsonl", "shop.state.json.journal/0000000002.jsonl"}) {
		t.Fatalf("journal objects %v", got)
	}
	if err := b.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	var top struct{ Version int }
	if err := json.Unmarshal(w.getRaw(t, "tfstate", "shop.state.json"), &top); err != nil || top.Version != state.FormatVersion {
		t.Fatalf("written as format %d (%v)", top.Version, err)
	}
}
