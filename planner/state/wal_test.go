package state_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// net is a network record at an address.
func net(name, id string) *state.Resource {
	return &state.Resource{Address: "networks." + name, Kind: "networks", ID: id, Location: "jkt01", Name: name}
}

// change journals one step's changes to st, as the executor does: the
// state changed in memory, its serial one higher, the record committed.
func change(t *testing.T, j state.Journal, st *state.State, cs ...state.Change) {
	t.Helper()
	st.Apply(cs...)
	st.Serial++
	if _, err := j.Append(state.Entry{Phase: state.PhaseState, Serial: st.Serial, Lineage: st.Lineage, Changes: cs}); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, l *state.Local) *state.State {
	t.Helper()
	st, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStateIsTheSnapshotAndTheJournal: a step's change is durable as a
// record of the journal; reading replays the records the snapshot does
// not hold; a checkpoint writes the whole state, after which its records
// are skipped. Both files are private.
func TestStateIsTheSnapshotAndTheJournal(t *testing.T) {
	t.Parallel()
	l := state.NewLocal(t.TempDir(), "s", idcloudhost.Description())
	st := load(t, l)
	j, err := l.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	change(t, j, st, state.Change{Put: net("a", "n-a")})
	change(t, j, st, state.Change{Put: net("b", "n-b")})
	// No snapshot yet (a first run killed here): the journal alone is
	// the state, with its lineage.
	if _, err := os.Stat(l.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a snapshot before any checkpoint: %v", err)
	}
	if got := load(t, l); cmp.Diff(st, got) != "" {
		t.Fatalf("read from the journal alone (-want +got):\n%s", cmp.Diff(st, got))
	}
	if err := l.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	change(t, j, st, state.Change{Remove: "networks.a"})
	change(t, j, st, state.Change{Depose: "networks.b"}, state.Change{Put: net("b", "n-b2")})
	got := load(t, l)
	if d := cmp.Diff(st, got); d != "" {
		t.Fatalf("snapshot + journal (-want +got):\n%s", d)
	}
	if got.Serial != 4 || got.Get("networks.a") != nil || len(got.Deposed) != 1 || got.Deposed[0].ID != "n-b" {
		t.Fatalf("replayed %+v", got)
	}
	for _, p := range []string{l.Path(), l.JournalPath()} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", p, err, fi.Mode().Perm())
		}
	}
	// Once the snapshot holds everything, the journal is cleared.
	if err := l.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	if err := l.ClearJournal(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(st, load(t, l)); d != "" {
		t.Fatalf("after the last checkpoint (-want +got):\n%s", d)
	}
}

// TestTornLastRecordIsIgnored: a run killed while writing a record leaves
// half a line: it is not part of the state (its step had not gone on),
// and the next run's journal does not continue it.
func TestTornLastRecordIsIgnored(t *testing.T) {
	t.Parallel()
	l := state.NewLocal(t.TempDir(), "s", idcloudhost.Description())
	st := load(t, l)
	j, _ := l.OpenJournal()
	change(t, j, st, state.Change{Put: net("a", "n-a")})
	f, err := os.OpenFile(l.JournalPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":2,"phase":"state","serial":2,"changes":[{"put":{"address":"networks.b","ki`)
	f.Close()
	if d := cmp.Diff(st, load(t, l)); d != "" {
		t.Fatalf("with a torn record (-want +got):\n%s", d)
	}
	j, err = l.OpenJournal() // the next run
	if err != nil {
		t.Fatal(err)
	}
	change(t, j, st, state.Change{Put: net("c", "n-c")})
	got := load(t, l)
	if d := cmp.Diff(st, got); d != "" || got.Get("networks.b") != nil {
		t.Fatalf("the next run's record after a torn one (-want +got):\n%s", d)
	}
}

// TestJournalMustContinueTheState: records that do not follow the
// snapshot (a state restored from a copy, another stack's journal) are
// refused, never applied to the wrong state.
func TestJournalMustContinueTheState(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(st *state.State)
		want  string
	}{
		{"a change missing", func(st *state.State) { st.Serial = 2 }, "the state is at serial 2 and the journal's next change is 4"},
		{"another state's journal", func(st *state.State) { st.Lineage = "0000000000000000" }, "belongs to another state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := state.NewLocal(t.TempDir(), "s", idcloudhost.Description())
			st := load(t, l)
			j, _ := l.OpenJournal()
			change(t, j, st, state.Change{Put: net("a", "n-a")})
			change(t, j, st, state.Change{Put: net("b", "n-b")})
			old := st.Clone() // serial 2
			change(t, j, st, state.Change{Put: net("c", "n-c")})
			if err := l.Checkpoint(st); err != nil {
				t.Fatal(err)
			}
			l.ClearJournal()
			j, _ = l.OpenJournal()
			change(t, j, st, state.Change{Put: net("d", "n-d")}) // serial 4
			old.Serial = 3
			tc.spoil(old)
			if err := l.Checkpoint(old); err != nil {
				t.Fatal(err)
			}
			_, err := l.Load()
			var inv *state.InvalidError
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), l.JournalPath()) {
				t.Fatalf("got %v, want an InvalidError naming the journal: %q", err, tc.want)
			}
		})
	}
}

// TestOldStateIsReadAndConverted: a whole-file state of an earlier idstack
// (format 1, testdata/) reads as it is; the next write is format 2.
func TestOldStateIsReadAndConverted(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile(filepath.Join("testdata", "v1-shop-staging.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	l := state.NewLocal(t.TempDir(), "shop-staging", idcloudhost.Description())
	if err := state.WriteFileAtomic(l.Path(), old, 0o600); err != nil {
		t.Fatal(err)
	}
	st := load(t, l)
	var want state.State
	if err := json.Unmarshal(old, &want); err != nil {
		t.Fatal(err)
	}
	if want.Version != 1 || len(want.Resources) != 8 {
		t.Fatalf("the fixture is not a format 1 state of 8 resources: version %d, %d resources", want.Version, len(want.Resources))
	}
	want.Version = state.FormatVersion
	if d := cmp.Diff(&want, st); d != "" {
		t.Fatalf("read (-want +got):\n%s", d)
	}
	// The next run journals a change on top of it and checkpoints.
	j, err := l.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	change(t, j, st, state.Change{Remove: "buckets.assets"})
	if got := load(t, l); got.Serial != want.Serial+1 || got.Get("buckets.assets") != nil {
		t.Fatalf("format 1 snapshot + journal: serial %d, want %d", got.Serial, want.Serial+1)
	}
	if err := l.Checkpoint(st); err != nil {
		t.Fatal(err)
	}
	var top struct{ Version int }
	b, _ := os.ReadFile(l.Path())
	if err := json.Unmarshal(b, &top); err != nil || top.Version != state.FormatVersion {
		t.Fatalf("written as format %d (%v), want %d", top.Version, err, state.FormatVersion)
	}
}
