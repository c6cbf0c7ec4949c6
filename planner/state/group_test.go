package state

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// TestGroupCommitCoalescesWrites: steps that commit while a write is in
// progress share the next write; every entry is written once, in order,
// with no gap.
func TestGroupCommitCoalescesWrites(t *testing.T) {
	t.Parallel()
	const n = 20
	allAdded := make(chan struct{})
	var mu sync.Mutex
	var batches []Batch
	g := NewGroupCommit(5, "r", func(b Batch) error {
		if b.N == 0 {
			select { // hold the first write until every step has queued
			case <-allAdded:
			case <-time.After(10 * time.Second):
				return errors.New("the steps never queued their entries")
			}
		}
		mu.Lock()
		batches = append(batches, b)
		mu.Unlock()
		return nil
	})
	var added, done sync.WaitGroup
	added.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			e, err := g.Add(Entry{Phase: PhaseIntent})
			added.Done()
			if err == nil {
				err = g.Commit(e.Seq)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	added.Wait()
	close(allAdded)
	done.Wait()
	next := 6
	for _, b := range batches {
		if b.First != next {
			t.Fatalf("a batch starts at %d, want %d: %+v", b.First, next, batches)
		}
		entries, err := ParseJournal("batch", b.Data)
		if err != nil || len(entries) != b.Last-b.First+1 || entries[0].Seq != b.First {
			t.Fatalf("batch %d–%d holds %+v (%v)", b.First, b.Last, entries, err)
		}
		next = b.Last + 1
	}
	if next != 6+n {
		t.Fatalf("written up to %d, want %d", next-1, 5+n)
	}
	if len(batches) != 2 {
		t.Errorf("%d writes for %d steps that committed during the first: want 2 (the first, then all the others at once)", len(batches), n)
	}
}

// TestGroupCommitFailureIsFinal: after a failed write nothing more
// becomes durable: a later write would leave a gap in the log.
func TestGroupCommitFailureIsFinal(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk full")
	g := NewGroupCommit(0, "r", func(b Batch) error {
		if b.N == 1 {
			return boom
		}
		return nil
	})
	if _, err := g.Append(Entry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Append(Entry{}); !errors.Is(err, boom) {
		t.Fatalf("the failed write: %v", err)
	}
	if _, err := g.Append(Entry{}); !errors.Is(err, boom) {
		t.Fatalf("a write after a failed one: %v, want the same failure", err)
	}
	if err := g.Commit(1); err != nil {
		t.Errorf("an entry written before the failure: %v", err)
	}
}

// TestCommitSoonRidesOnTheNextWrite: a commit that can wait leaves its
// write to the next step's commit (one write for both), and writes alone
// when none comes within its patience.
func TestCommitSoonRidesOnTheNextWrite(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	writes := 0
	g := NewGroupCommit(0, "r", func(b Batch) error {
		mu.Lock()
		writes++
		mu.Unlock()
		return nil
	})
	finished, _ := g.Add(Entry{Phase: PhaseOutcome})
	done := make(chan error, 1)
	go func() { done <- g.CommitSoon(finished.Seq, 10*time.Second) }()
	intent, _ := g.Add(Entry{Phase: PhaseIntent})
	if err := g.Commit(intent.Seq); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CommitSoon did not return once the next write covered its entry")
	}
	alone, _ := g.Add(Entry{Phase: PhaseOutcome})
	if err := g.CommitSoon(alone.Seq, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if writes != 2 {
		t.Errorf("%d writes, want 2: one for the first two entries, one for the last", writes)
	}
}
