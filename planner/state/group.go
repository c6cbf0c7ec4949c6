package state

import (
	"fmt"
	"sync"
	"time"
)

// GroupCommit is the writing half of a Journal that any backend can use:
// it numbers, times and encodes entries in the order they are added, and
// writes them in batches, one write at a time. A Commit that finds a write
// in progress waits for it and then writes, in one batch, everything
// queued meanwhile: at parallelism P one write (one fsync, one object)
// covers up to P steps, and no step holds a lock while it waits.
//
// A failed write is final: the entries after the last good write are not
// durable, and a later write would leave a gap in the log, so every
// Commit after it fails with the same error.
type GroupCommit struct {
	write func(Batch) error

	mu      sync.Mutex
	done    *sync.Cond // signalled when a write ends
	run     string
	seq     int    // the last Seq given
	queue   []byte // encoded entries not yet written
	first   int    // Seq of the first entry in queue
	durable int    // every entry up to this Seq is written
	writing bool
	writes  int
	err     error
}

// Batch is one write of a journal: whole JSON lines.
type Batch struct {
	Data        []byte
	First, Last int // the Seq of its first and last entry
	// N counts the run's writes from 0: the first may have to create
	// the log.
	N int
}

// NewGroupCommit starts a run's journal whose entries follow lastSeq;
// write makes a batch durable.
func NewGroupCommit(lastSeq int, run string, write func(Batch) error) *GroupCommit {
	g := &GroupCommit{write: write, run: run, seq: lastSeq, durable: lastSeq}
	g.done = sync.NewCond(&g.mu)
	return g
}

// Add numbers an entry and queues it.
func (g *GroupCommit) Add(e Entry) (Entry, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return e, g.err
	}
	e, line, err := EncodeEntry(e, g.seq+1, g.run)
	if err != nil {
		return e, fmt.Errorf("encoding a journal entry: %w", err)
	}
	g.seq++
	if len(g.queue) == 0 {
		g.first = g.seq
	}
	g.queue = append(g.queue, line...)
	return e, nil
}

// Commit returns once every entry up to seq is durable.
func (g *GroupCommit) Commit(seq int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.durable < seq {
		if g.err != nil {
			return g.err
		}
		if g.writing {
			g.done.Wait() // a write is bounded by the backend's own I/O (and timeout)
			continue
		}
		b := Batch{Data: g.queue, First: g.first, Last: g.seq, N: g.writes}
		g.queue, g.writing = nil, true
		g.mu.Unlock()
		err := g.write(b)
		g.mu.Lock()
		g.writing = false
		g.writes++
		if err != nil {
			g.err = err
		} else {
			g.durable = b.Last
		}
		g.done.Broadcast()
	}
	return nil
}

// CommitSoon is Commit for an entry nothing waits to call on: it leaves
// the write to another step's Commit for up to patience (the next
// step's intent, usually within microseconds), and writes itself only
// if none comes. Halving the writes of a busy journal halves the time
// the steps that must write (an intent before its call) wait for it.
func (g *GroupCommit) CommitSoon(seq int, patience time.Duration) error {
	g.mu.Lock()
	if g.durable < seq && g.err == nil {
		expired := false
		t := time.AfterFunc(patience, func() {
			g.mu.Lock()
			expired = true
			g.done.Broadcast()
			g.mu.Unlock()
		})
		for g.durable < seq && g.err == nil && !expired {
			g.done.Wait() // a write ended, or patience ran out
		}
		t.Stop()
	}
	g.mu.Unlock()
	return g.Commit(seq)
}

// Append adds an entry and commits it.
func (g *GroupCommit) Append(e Entry) (Entry, error) {
	e, err := g.Add(e)
	if err != nil {
		return e, err
	}
	return e, g.Commit(e.Seq)
}
