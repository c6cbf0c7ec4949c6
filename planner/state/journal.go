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

// Entry is one line of the journal: an intent written (and synced) before
// a mutating call, or the outcome written after it. After a crash, intents
// without an outcome tell the next run what may exist without being in the
// state; completed entries of a failed run are what a rollback undoes.
type Entry struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Run      string    `json:"run"`
	Phase    string    `json:"phase"`   // "intent" or "outcome"
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
}

// Journal records entries durably: Append returns once the entry would
// survive a crash.
type Journal interface {
	Append(Entry) (Entry, error)
}

// fileJournal appends entries to a JSON-lines file, each synced to disk
// before Append returns.
type fileJournal struct {
	mu   sync.Mutex
	path string
	run  string
	seq  int
}

// JournalPath is where the local backend keeps a stack's journal.
func (l *Local) JournalPath() string { return filepath.Join(l.Dir, l.base()+".journal.jsonl") }

// OpenJournal opens (creating) a stack's journal for a new run.
func (l *Local) OpenJournal() (Journal, error) {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := l.ReadJournal()
	if err != nil {
		return nil, err
	}
	j := &fileJournal{path: l.JournalPath(), run: NewRunID()}
	if n := len(entries); n > 0 {
		j.seq = entries[n-1].Seq
	}
	return j, nil
}

// Append writes an entry and syncs it.
func (j *fileJournal) Append(e Entry) (Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, b, err := EncodeEntry(e, j.seq+1, j.run)
	if err != nil {
		return e, err
	}
	j.seq++
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return e, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return e, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return e, err
	}
	return e, f.Close()
}

// ReadJournal reads the stack's journal (none: no entries).
func (l *Local) ReadJournal() ([]Entry, error) { return ReadJournalFile(l.JournalPath()) }

// ClearJournal removes the journal once the state holds everything it says.
func (l *Local) ClearJournal() error {
	err := os.Remove(l.JournalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ReadJournalFile reads every complete entry; a torn last line (a crash
// while writing it) is ignored: its call was never made.
func ReadJournalFile(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
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
		if e.Phase == "outcome" {
			done[key{e.Run, e.Intent}] = true
		}
	}
	var out []Entry
	for _, e := range entries {
		if e.Phase == "intent" && !done[key{e.Run, e.Seq}] {
			out = append(out, e)
		}
	}
	return out
}
