package executor

import (
	"sync"

	"github.com/idstack/idstack/planner/state"
)

// checkpointer writes snapshots of the state in the background, one at a
// time, so that reading the state replays a bounded part of the journal;
// no step waits for one. Snapshots are copies taken under the applier's
// lock, in the order of the changes, and written in that order.
type checkpointer struct {
	mu      sync.Mutex
	since   int           // changes since the last snapshot was taken
	changes int           // changes this apply made
	busy    chan struct{} // closed when the background write ends; nil when none runs
	err     error         // of the last background write
}

// due counts a change (under the applier's lock) and returns a copy of
// the state when a snapshot is due and none is being written.
func (c *checkpointer) due(opts Options, st *state.State) *state.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changes++
	c.since++
	if opts.Checkpoint == nil || c.busy != nil {
		return nil
	}
	every := opts.CheckpointEvery
	if every <= 0 {
		// As many changes as the state has records: a snapshot costs
		// O(records), so this is O(1) a change.
		every = max(1000, len(st.Resources))
	}
	if c.since < every {
		return nil
	}
	c.since = 0
	c.busy = make(chan struct{})
	return st.Clone()
}

// start writes a snapshot that due returned, in the background.
func (c *checkpointer) start(write func(*state.State) error, snap *state.State) {
	go func() {
		err := write(snap)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.err = err
		close(c.busy)
		c.busy = nil
	}()
}

// finalCheckpoint writes the state as the steps left it, after any
// background snapshot, when this apply changed it. Every step has ended:
// nothing changes the state meanwhile.
func (ap *applier) finalCheckpoint() error {
	c := &ap.ckpt
	c.mu.Lock()
	busy, changes := c.busy, c.changes
	c.mu.Unlock()
	if busy != nil {
		<-busy // bounded by the backend's own write (local: DiskDeadline; S3: its timeout)
	}
	if ap.opts.Checkpoint == nil || changes == 0 {
		return nil
	}
	return ap.opts.Checkpoint(ap.opts.State)
}
