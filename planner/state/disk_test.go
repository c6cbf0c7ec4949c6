package state

import (
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testDeadline is the deadline of the tests' disks: short, yet far beyond
// the healthy writes the tests also make.
const testDeadline = 500 * time.Millisecond

// stuckDisk holds one step (an fsync, a rename…) of the files whose path
// has part, while on, until the test lets it go: a disk that stops
// answering.
type stuckDisk struct {
	step, part string
	on         atomic.Bool
	hung       chan string   // each path as its step starts to hang
	freed      chan struct{} // closed: the hung steps go on
	free       func()
	writes     sync.WaitGroup
}

// stuckLocal is a local backend on a stuckDisk, in a directory of its own.
func stuckLocal(t *testing.T, step, part string) (*Local, *stuckDisk) {
	l := NewLocal(t.TempDir(), "s", nil)
	s := &stuckDisk{step: step, part: part, hung: make(chan string, 16), freed: make(chan struct{})}
	s.free = sync.OnceFunc(func() { close(s.freed) })
	// Registered after TempDir's: the writes end before it removes them.
	t.Cleanup(func() { s.free(); s.writes.Wait() })
	l.disk = disk{deadline: testDeadline, writes: &s.writes, pause: func(step, path string) {
		if step == s.step && strings.Contains(path, s.part) && s.on.Load() {
			s.hung <- path
			<-s.freed
		}
	}}
	return l, s
}

// letGo lets the hung steps go on, and returns once every write given up
// on has ended.
func (s *stuckDisk) letGo(t *testing.T) {
	t.Helper()
	s.on.Store(false)
	s.free()
	ended := make(chan struct{})
	go func() { s.writes.Wait(); close(ended) }()
	within(t, ended, "the writes given up on, once the disk answers")
}

// async runs f in a goroutine: a test waits for it with within, so that a
// wait that never ends fails the test instead of hanging it.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting after 10s", what)
		panic("unreachable")
	}
}

// wantNoAnswer fails the test unless err is a deadline's, saying says.
func wantNoAnswer(t *testing.T, err error, says ...string) {
	t.Helper()
	var late *noAnswer
	if !errors.As(err, &late) {
		t.Fatalf("got %v, want no answer from the disk", err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error does not say %q: %v", s, err)
		}
	}
}

// noTempFiles fails the test if a write left a temp file in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("a temp file is left: %s", e.Name())
		}
	}
}

// TestJournalWriteHasADeadline: a journal write the disk does not finish
// fails, within the deadline, the Commit that started it and the one
// waiting for it, and every later one. A journal opened meanwhile (a
// rollback's) fails too rather than number after a file about to grow;
// once the write lands, late, the journal reads whole and the next
// journal continues it.
func TestJournalWriteHasADeadline(t *testing.T) {
	t.Parallel()
	l, stuck := stuckLocal(t, "fsync", ".journal.jsonl")
	j, err := l.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Append(Entry{Phase: PhaseIntent, Address: "networks.a"}); err != nil {
		t.Fatal(err)
	}
	stuck.on.Store(true)
	second, _ := j.Add(Entry{Phase: PhaseIntent, Address: "networks.b"})
	writing := async(func() error { return j.Commit(second.Seq) })
	within(t, stuck.hung, "the write of entry 2")
	third, _ := j.Add(Entry{Phase: PhaseIntent, Address: "networks.c"})
	waiting := async(func() error { return j.Commit(third.Seq) }) // on the Cond, for the hung write

	err = within(t, writing, "the Commit that writes")
	wantNoAnswer(t, err, l.JournalPath(), "nothing after entry 1 is known to be durable")
	if err2 := within(t, waiting, "the Commit waiting for the write"); err2 != err {
		t.Errorf("the Commit waiting for the write: %v, want the same error", err2)
	}
	if _, err3 := j.Append(Entry{Phase: PhaseIntent, Address: "networks.d"}); err3 != err {
		t.Errorf("a later Append: %v, want the same error", err3)
	}
	opening := async(func() error { _, err := l.OpenJournal(); return err })
	wantNoAnswer(t, within(t, opening, "opening the journal while a write hangs"), l.JournalPath())

	stuck.letGo(t)
	j, err = l.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	if e, err := j.Append(Entry{Phase: PhaseIntent, Address: "networks.e"}); err != nil || e.Seq != 3 {
		t.Fatalf("the next journal's first entry: %d (%v), want 3: after the late write's", e.Seq, err)
	}
	entries, err := l.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Address)
		if e.Seq != len(got) {
			t.Errorf("entry %d of the journal is numbered %d", len(got), e.Seq)
		}
	}
	if strings.Join(got, " ") != "networks.a networks.b networks.e" {
		t.Errorf("the journal holds %v, want a, b (written late), e", got)
	}
}

// TestSnapshotWriteHasADeadline: a snapshot the disk does not finish
// fails within the deadline, saying what the file holds; once it ends,
// late, it never replaces a snapshot a later write was told it wrote, and
// leaves no temp file.
func TestSnapshotWriteHasADeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, step string
		says       string // what the state file holds
		landed     int64  // the serial it holds in the end
	}{
		{"given up before its rename", "fsync", "the file is as it was, and this write will not change it later", 3},
		// The rename may happen: the newer write waits for it, and is
		// given up on in turn.
		{"given up during its rename", "rename", "the file holds, whole, what it held or what this write wrote", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, stuck := stuckLocal(t, tc.step, ".state.json")
			st := New("s")
			if err := l.Save(st); err != nil {
				t.Fatal(err)
			}
			stuck.on.Store(true)
			older := st.Clone()
			older.Serial = 2
			err := within(t, async(func() error { return l.Checkpoint(older) }), "a snapshot the disk does not finish")
			wantNoAnswer(t, err, l.Path(), tc.says)

			stuck.on.Store(false)
			newer := st.Clone()
			newer.Serial = 3
			newerErr := within(t, async(func() error { return l.Checkpoint(newer) }), "a newer snapshot")
			stuck.letGo(t)
			got, err := l.Load()
			if err != nil {
				t.Fatal(err)
			}
			if newerErr == nil && got.Serial != newer.Serial {
				t.Fatalf("the file holds serial %d: the snapshot given up on replaced the newer one written since", got.Serial)
			}
			if got.Serial != tc.landed {
				t.Errorf("the file holds serial %d, want %d (the newer write: %v)", got.Serial, tc.landed, newerErr)
			}
			noTempFiles(t, l.Dir)
		})
	}
}

// TestLockWriteHasADeadline: taking or releasing the lock on a disk that
// does not answer fails within the deadline, saying whether the lock may
// be held; a lock given up on before its link never appears.
func TestLockWriteHasADeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, step string
		release    bool   // release the lock (taken first), rather than take it
		says       string // what the error says of the lock
		held       bool   // the lock is there in the end
	}{
		{"taking it, given up before its link", "fsync", false, "it was not taken, and will not be later", false},
		{"taking it, given up during its link", "link", false, "it may be taken, by this run", true},
		{"releasing it", "remove", true, "if the lock stays, clear it with `idstack unlock`", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, stuck := stuckLocal(t, tc.step, ".lock")
			var unlock func() error
			if tc.release {
				var err error
				if unlock, err = l.Lock("idstack apply", 0); err != nil {
					t.Fatal(err)
				}
			}
			stuck.on.Store(true)
			err := within(t, async(func() error {
				if tc.release {
					return unlock()
				}
				_, err := l.Lock("idstack apply", 0)
				return err
			}), "the lock's write")
			wantNoAnswer(t, err, l.LockPath(), tc.says)

			stuck.letGo(t)
			_, err = l.ReadLock()
			if held := !errors.Is(err, ErrNoLock); held != tc.held {
				t.Errorf("the lock is held: %v (%v), want %v", held, err, tc.held)
			}
			noTempFiles(t, l.Dir)
		})
	}
}

// TestReadsHaveADeadline: a read of the state, the journal or the lock
// that the disk does not answer (a hung network mount blocks a read as it
// does a write) fails within the deadline, naming the file.
func TestReadsHaveADeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, part string
		read       func(l *Local) error
	}{
		{"the state's snapshot", Suffix, func(l *Local) error { _, err := l.Load(); return err }},
		{"the journal, read with the state", ".journal", func(l *Local) error { _, err := l.Load(); return err }},
		{"the journal", ".journal", func(l *Local) error { _, err := l.ReadJournal(); return err }},
		{"the lock", ".lock", func(l *Local) error { _, err := l.ReadLock(); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, stuck := stuckLocal(t, "read", tc.part)
			if err := l.Save(New("s")); err != nil {
				t.Fatal(err)
			}
			j, err := l.OpenJournal()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := j.Append(Entry{Phase: PhaseIntent, Op: "create", Address: "networks.a", Kind: "networks"}); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Lock("idstack apply", 0); err != nil {
				t.Fatal(err)
			}
			stuck.on.Store(true)
			err = within(t, async(func() error { return tc.read(l) }), "the read")
			wantNoAnswer(t, err, tc.part)
			stuck.letGo(t)
			if err := tc.read(l); err != nil {
				t.Errorf("once the disk answers: %v", err)
			}
		})
	}
}
