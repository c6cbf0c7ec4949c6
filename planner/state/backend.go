package state

import (
	"errors"
	"time"
)

// Backend keeps one stack's state, its lock and its journal: a local
// directory (Local) or the cloud's S3 object storage, for CI (package
// executor/cli/s3state: it speaks HTTP, so only the command layer knows
// it).
type Backend interface {
	// Load reads the state: its snapshot, and the changes its journal
	// holds since (Stored.State); none yet is an empty state.
	Load() (*State, error)
	// Save writes the whole state as a change of its own (state rm, a
	// recovery's adoptions): its serial incremented, then Checkpoint.
	Save(*State) error
	// Checkpoint writes the state as it is (its serial that of the last
	// change journaled) as the snapshot, atomically: an apply's changes
	// are journaled one by one, and the whole state is written every so
	// many changes and at the end. A backend whose writes are
	// conditional (S3) fails with ErrStateChanged when another run wrote
	// the state since this one read it.
	Checkpoint(*State) error
	// Lock takes the stack's lock, waiting up to timeout for a holder; a
	// held lock is a *LockedError naming the holder.
	Lock(holder string, timeout time.Duration) (unlock func() error, err error)
	// ReadLock says who holds the lock.
	ReadLock() (LockInfo, error)
	// Unlock removes the lock whoever holds it (idstack unlock).
	Unlock() error
	// OpenJournal starts this run's part of the journal, the state's
	// write-ahead log; ReadJournal reads every run's entries;
	// ClearJournal drops them once the snapshot holds all they say and
	// no intent is open.
	OpenJournal() (Journal, error)
	ReadJournal() ([]Entry, error)
	ClearJournal() error
	// String says where the state is kept, for messages.
	String() string
}

// ErrStateChanged is matched (errors.Is) by Save's error when another run
// wrote the state since this one read it.
var ErrStateChanged = errors.New("the state was changed by another run since this one read it")

var _ Backend = (*Local)(nil)

// String names the state file.
func (l *Local) String() string { return l.Path() }
