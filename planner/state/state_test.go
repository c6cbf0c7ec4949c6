package state

import (
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

func TestSaveLoadRoundTripIsAtomicAndPrivate(t *testing.T) {
	l := NewLocal(t.TempDir(), "shop/staging", nil) // a slash must not escape .idstack
	st := New("shop/staging")
	st.Put(&Resource{Address: "vms.web", Kind: "vms", ID: "v1", Location: "jkt01", Inputs: map[string]any{"password": Hash("Secret-1")}})
	if err := l.Save(st); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(st); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 2 || got.Get("vms.web").ID != "v1" || got.Lineage != st.Lineage {
		t.Fatalf("round trip: %+v", got)
	}
	if !HashMatches(got.Get("vms.web").Inputs["password"], "Secret-1") || HashMatches(got.Get("vms.web").Inputs["password"], "Secret-2") {
		t.Fatal("hash does not match its secret only")
	}
	entries, _ := os.ReadDir(l.Dir)
	for _, e := range entries {
		if e.Name() != "shop_staging.state.json" {
			t.Errorf("stray file %s (temp files must not survive)", e.Name())
		}
	}
}

func TestLoadRejectsACorruptState(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	if err := WriteFileAtomic(l.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(); err == nil {
		t.Fatal("a corrupt state loaded")
	}
}

func TestOnlyOneLockHolder(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Lock("idstack apply", 0); err == nil {
				mu.Lock()
				held++
				mu.Unlock()
			} else {
				var le *LockedError
				if !errors.As(err, &le) || le.Info.Holder != "idstack apply" {
					t.Errorf("want a LockedError naming the holder, got %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if held != 1 {
		t.Fatalf("%d holders, want 1", held)
	}
}

func TestLockWaitsForTheHolder(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	unlock, err := l.Lock("first", 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(300 * time.Millisecond); unlock() }()
	second, err := l.Lock("second", 5*time.Second)
	if err != nil {
		t.Fatalf("second run did not get the lock after the first released it: %v", err)
	}
	second()
}

func TestStaleLockOfADeadProcess(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	host, _ := os.Hostname()
	b, _ := json.Marshal(LockInfo{Holder: "idstack apply", Host: host, PID: 1 << 30, CreatedAt: time.Now()})
	if err := WriteFileAtomic(l.LockPath(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := l.Lock("idstack apply", 0)
	var le *LockedError
	if !errors.As(err, &le) || !le.Stale {
		t.Fatalf("want a stale LockedError, got %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock("idstack apply", 0); err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
}

func TestOldLockIsStaleWhoeverHoldsIt(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	b, _ := json.Marshal(LockInfo{Holder: "idstack apply", Host: "another-host", PID: 42, CreatedAt: time.Now().Add(-StaleAfter - time.Minute)})
	if err := WriteFileAtomic(l.LockPath(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := l.Lock("idstack apply", 0)
	var le *LockedError
	if !errors.As(err, &le) || !le.Stale {
		t.Fatalf("want a stale LockedError for a lock older than %s, got %v", StaleAfter, err)
	}
	fresh, _ := json.Marshal(LockInfo{Holder: "idstack apply", Host: "another-host", PID: 42, CreatedAt: time.Now()})
	WriteFileAtomic(l.LockPath(), fresh, 0o600)
	if _, err := l.Lock("idstack apply", 0); !errors.As(err, &le) || le.Stale {
		t.Fatalf("a fresh lock of another host is not stale: %v", err)
	}
}

func TestJournalIgnoresATornLastLineAndFindsOpenIntents(t *testing.T) {
	l := NewLocal(t.TempDir(), "s", nil)
	j, err := l.OpenJournal()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := j.Append(Entry{Phase: "intent", Op: "create", Address: "vms.a", Name: "a"})
	j.Append(Entry{Phase: "outcome", Op: "create", Intent: in.Seq, ID: "v1", OK: true})
	open2, _ := j.Append(Entry{Phase: "intent", Op: "create", Address: "vms.b", Name: "b"})
	// A crash while writing the next line leaves half of it.
	f, _ := os.OpenFile(l.JournalPath(), os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString(`{"seq": 4, "phase": "outc`)
	f.Close()
	entries, err := l.ReadJournal()
	if err != nil {
		t.Fatalf("a torn last line must be ignored: %v", err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	got := Open(entries)
	if len(got) != 1 || got[0].Seq != open2.Seq || got[0].Address != "vms.b" {
		t.Fatalf("open intents: %+v", got)
	}
	if err := l.ClearJournal(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := l.ReadJournal(); len(entries) != 0 {
		t.Fatal("the journal survived ClearJournal")
	}
}
