package executor

import (
	"testing"
	"time"
)

// TestMailboxDeliversInOrder: every event posted, in order, by the time
// close returns.
func TestMailboxDeliversInOrder(t *testing.T) {
	var got []string
	m := newMailbox(func(e Event) { got = append(got, e.Address) })
	for _, a := range []string{"a", "b", "c"} {
		m.post(Event{Address: a})
	}
	if !m.close(10 * time.Second) {
		t.Fatal("close timed out")
	}
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Fatalf("delivered %v", got)
	}
}

// TestMailboxGivesUpOnAStuckView: a view that never returns holds close
// up to its timeout only; nothing more is delivered after it.
func TestMailboxGivesUpOnAStuckView(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	m := newMailbox(func(Event) { <-stuck })
	m.post(Event{Address: "a"})
	m.post(Event{Address: "b"})
	start := time.Now()
	if m.close(50 * time.Millisecond) {
		t.Fatal("close says every event was delivered to a stuck view")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("close took %s", took)
	}
}
