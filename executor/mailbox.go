package executor

import (
	"sync"
	"time"
)

// mailbox hands events to the view from one goroutine of its own, in the
// order they were posted: a step posts and goes on, so a slow terminal
// (or a view that blocks) never holds a step, a lock or a slot. It is
// unbounded on purpose: a bounded channel would make a step wait once it
// was full, which is what it is there to prevent; it holds a few events
// per step at most.
type mailbox struct {
	deliver func(Event)

	mu     sync.Mutex
	queue  []Event
	closed bool
	wake   chan struct{} // a post or the close, for the deliverer
	done   chan struct{} // closed when every event has been delivered
	// dropped: close stopped waiting for a view that hung; nothing more
	// is delivered (the caller has moved on and renders other things).
	dropped bool
}

func newMailbox(deliver func(Event)) *mailbox {
	m := &mailbox{deliver: deliver, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go m.run()
	return m
}

// post queues an event; it never blocks on the view.
func (m *mailbox) post(e Event) {
	m.mu.Lock()
	if !m.closed {
		m.queue = append(m.queue, e)
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default: // already woken
	}
}

// run delivers events until the mailbox is closed and empty.
func (m *mailbox) run() {
	defer close(m.done)
	for {
		m.mu.Lock()
		batch, closed, dropped := m.queue, m.closed, m.dropped
		m.queue = nil
		m.mu.Unlock()
		for _, e := range batch {
			if dropped {
				break
			}
			m.deliver(e)
			m.mu.Lock()
			dropped = m.dropped
			m.mu.Unlock()
		}
		if dropped || (closed && len(batch) == 0) {
			return
		}
		if len(batch) == 0 {
			<-m.wake
		}
	}
}

// drainTimeout bounds how long Apply waits for the view to take the last
// events: a view that does not return in that long is stuck (a terminal
// that stopped reading), and the apply's result matters more.
const drainTimeout = time.Minute

// close waits until every event posted has been delivered, or timeout;
// after a timeout the rest are dropped. It reports whether all were
// delivered.
func (m *mailbox) close(timeout time.Duration) bool {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-m.done:
		return true
	case <-t.C:
		m.mu.Lock()
		m.dropped = true
		m.mu.Unlock()
		return false
	}
}
