package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Entry is one line of the journal, the state's write-ahead log: an
// intent written (and synced) before a mutating call, the outcome written
// after it, or a "state" record: the changes one step made to the state.
// After a crash, intents without an outcome tell the next run what may
// exist without being in the state; completed entries of a failed run are
// what a rollback undoes; state records whose serial is above the
// snapshot's are replayed over it (Stored.State).
type Entry struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Run      string    `json:"run"`
	Phase    string    `json:"phase"`   // "intent", "outcome" or "state"
	Op       string    `json:"op"`      // create, update, delete, adopt, replace
	Address  string    `json:"address"` // the resource
	Kind     string    `json:"kind"`
	Location string    `json:"location,omitempty"`
	// Name is the live name a create gives (found by it after a crash).
	Name string `json:"name,omitempty"`
	// ID is the object acted on; for a create's outcome, the new object.
	ID string `json:"id,omitempty"`
	// Match are the non-secret create inputs that identify a nameless
	// object (a disk's size, source and billing account).
	Match map[string]any `json:"match,omitempty"`
	// Record is the state record the step writes (secrets hashed): a
	// recovered create is adopted with it.
	Record *Resource `json:"record,omitempty"`
	// Previous is the state record before the step (for rollback).
	Previous *Resource `json:"previous,omitempty"`
	// Before are the live values of the changed fields before an update
	// (secrets left out), After the values set: a rollback swaps them.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// WaitFor is the status the object was left in.
	WaitFor string `json:"wait_for,omitempty"`
	// Intent is, on an outcome, the Seq of the intent it closes.
	Intent int    `json:"intent,omitempty"`
	OK     bool   `json:"ok,omitempty"`
	Error  string `json:"error,omitempty"`
	// A state record: Changes make the state of Lineage go from serial
	// Serial-1 to Serial.
	Serial  int64    `json:"serial,omitempty"`
	Lineage string   `json:"lineage,omitempty"`
	Changes []Change `json:"changes,omitempty"`
}

// Entry phases.
const (
	PhaseIntent  = "intent"
	PhaseOutcome = "outcome"
	PhaseState   = "state"
)

// Journal is one run's part of the write-ahead log. Entries are numbered
// and queued in the order Add is called, and written in that order; one
// write (one fsync, one object) covers every entry queued meanwhile, so
// steps that finish together share it (group commit). Safe for concurrent
// use.
type Journal interface {
	// Add numbers an entry (and times it) and queues it; it is durable
	// once Commit of its Seq, or of a later one, has returned nil.
	Add(Entry) (Entry, error)
	// Commit returns once every entry up to seq is durable. After a
	// failed write nothing more becomes durable: every later Commit fails.
	Commit(seq int) error
	// Append is Add then Commit.
	Append(Entry) (Entry, error)
}

// fileJournal appends entries to a JSON-lines file, synced to disk with
// group commit.
type fileJournal struct {
	*GroupCommit
	path string
	disk disk
	mu   *sync.Mutex // the Local's journalMu
}

// JournalPath is where the local backend keeps a stack's journal.
func (l *Local) JournalPath() string { return filepath.Join(l.Dir, l.base()+".journal.jsonl") }

// OpenJournal opens (creating) a stack's journal for a new run. A torn
// last line (a run killed while writing it) is cut off first, so that
// this run's lines do not continue it. It waits for the disk at most
// DiskDeadline, an earlier journal's write given up on included.
func (l *Local) OpenJournal() (Journal, error) {
	var seq int
	err := l.disk.do(func(func() bool) error {
		l.journalMu.Lock()
		defer l.journalMu.Unlock()
		var err error
		seq, err = l.journalEnd()
		return err
	})
	if _, ok := err.(*noAnswer); ok {
		return nil, fmt.Errorf("opening the journal %s: %w (an earlier write of it may still be waiting): %s", l.JournalPath(), err, checkDisk)
	}
	if err != nil {
		return nil, err
	}
	j := &fileJournal{path: l.JournalPath(), disk: l.disk, mu: &l.journalMu}
	j.GroupCommit = NewGroupCommit(seq, NewRunID(), j.write)
	return j, nil
}

// journalEnd cuts off the journal's torn last line, if any, and returns
// the Seq of its last entry.
func (l *Local) journalEnd() (int, error) {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(l.JournalPath())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	entries, err := ParseJournal(l.JournalPath(), b)
	if err != nil {
		return 0, err
	}
	if whole := bytes.LastIndexByte(b, '\n') + 1; whole < len(b) {
		if err := os.Truncate(l.JournalPath(), int64(whole)); err != nil {
			return 0, err
		}
	}
	if n := len(entries); n > 0 {
		return entries[n-1].Seq, nil
	}
	return 0, nil
}

// write appends a batch of lines and syncs them, waiting for the disk at
// most the deadline. A write given up on may still land later, and that
// is safe: GroupCommit makes its failure final, so this journal writes
// nothing after it, and the next journal opened on the file waits for it
// (mu) before it reads where the file ends: nothing lands after a line it
// should precede, and no Seq is given twice.
func (j *fileJournal) write(b Batch) error {
	err := j.disk.do(func(func() bool) error {
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.append(b)
	})
	if _, ok := err.(*noAnswer); ok {
		return fmt.Errorf("%s: %w; nothing after entry %d is known to be durable: %s; the next run reads the journal to find what this one did", j.path, err, b.First-1, checkDisk)
	}
	return err
}

// append writes a batch. The file is opened for each batch rather than
// held: a journal cleared at the end of a run is never written through a
// stale descriptor. The first write of a run also syncs the directory,
// which makes a newly created file's name durable.
func (j *fileJournal) append(b Batch) error {
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b.Data)
	if err == nil {
		err = j.disk.sync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && b.N == 0 {
		err = j.disk.syncDir(filepath.Dir(j.path))
	}
	return err
}

// ReadJournal reads the stack's journal (none: no entries).
func (l *Local) ReadJournal() ([]Entry, error) { return l.disk.readJournal(l.JournalPath()) }

// ClearJournal removes the journal once the state holds everything it
// says, waiting for the disk at most DiskDeadline.
func (l *Local) ClearJournal() error {
	err := l.disk.remove(l.JournalPath(), &l.journalMu)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ReadJournalFile reads every complete entry; a torn last line (a crash
// while writing it) is ignored: its call was never made.
func ReadJournalFile(path string) ([]Entry, error) { return disk{}.readJournal(path) }

// readJournal is ReadJournalFile waiting for the disk at most d's deadline.
func (d disk) readJournal(path string) ([]Entry, error) {
	b, err := d.readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseJournal(path, b)
}

// NewRunID names a run in its journal entries (Entry.Run).
func NewRunID() string { return randomHex(6) }

// EncodeEntry numbers an entry of a run (and times it if it has no time)
// and encodes it as one JSON line, the journal's format.
func EncodeEntry(e Entry, seq int, run string) (Entry, []byte, error) {
	e.Seq, e.Run = seq, run
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b, err := json.Marshal(e)
	return e, append(b, '\n'), err
}

// ParseJournal reads JSON lines of entries (from EncodeEntry); a torn
// last line (a crash while writing it) is ignored: its call was never
// made. name says where they were read, for errors.
func ParseJournal(name string, b []byte) ([]Entry, error) {
	var out []Entry
	lines := bytes.Split(b, []byte("\n"))
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			if i == len(lines)-1 {
				break // torn last line: no newline was written after it
			}
			return nil, fmt.Errorf("journal %s line %d: %w", name, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Open returns the intents that have no outcome: calls whose effect is
// unknown.
func Open(entries []Entry) []Entry {
	type key struct {
		run string
		seq int
	}
	done := map[key]bool{}
	for _, e := range entries {
		if e.Phase == PhaseOutcome {
			done[key{e.Run, e.Intent}] = true
		}
	}
	var out []Entry
	for _, e := range entries {
		if e.Phase == PhaseIntent && !done[key{e.Run, e.Seq}] {
			out = append(out, e)
		}
	}
	return out
}
