package state

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/idstack/idstack/provider"
)

// Local keeps the state in .idstack/<stack>.state.json beside the stack file.
type Local struct {
	Dir   string // the .idstack directory
	Stack string
	// Provider's kinds are the only ones a state may hold (nil: any).
	Provider *provider.Description

	disk disk // its writes, each waited for at most DiskDeadline
	// journalMu is held by whatever changes the journal file, for as long
	// as the disk takes: a write given up on ends before the next
	// journal opened reads where the file ends.
	journalMu sync.Mutex
}

// NewLocal returns the local backend for a stack whose file is in dir.
func NewLocal(stackDir, stack string, d *provider.Description) *Local {
	return &Local{Dir: filepath.Join(stackDir, ".idstack"), Stack: stack, Provider: d}
}

var unsafeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]`) })

func (l *Local) base() string { return safeName(l.Stack) }

func safeName(stack string) string { return unsafeName().ReplaceAllString(stack, "_") }

// Suffix ends the name of every state, a file or an object: the other
// stacks' states beside one are found by it (OtherStates).
const Suffix = ".state.json"

// FileName is a stack's state's name: its file in the .idstack directory,
// and the default key of its object in S3 storage.
func FileName(stack string) string { return safeName(stack) + Suffix }

// Path of the state file.
func (l *Local) Path() string { return filepath.Join(l.Dir, FileName(l.Stack)) }

// LockPath of the lock file.
func (l *Local) LockPath() string { return filepath.Join(l.Dir, l.base()+".lock") }

// Load reads the state: the snapshot, with the changes the journal holds
// since (Stored.State). A missing file is an empty state; one that does
// not validate is an *InvalidError.
func (l *Local) Load() (*State, error) {
	return l.disk.loadFiles("state file "+l.Path(), l.Path(), l.JournalPath(), Expect{Stack: l.Stack, Provider: l.Provider})
}

// loadFiles reads a state file and its journal: the journal first (see
// Stored).
func (d disk) loadFiles(where, path, journal string, want Expect) (*State, error) {
	entries, err := d.readJournal(journal)
	if err != nil {
		return nil, err
	}
	b, err := d.readFile(path)
	found := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return Stored{Where: where, LogWhere: "journal " + journal, Snapshot: b, Found: found, Log: entries}.State(want)
}

// Save writes the whole state as a change of its own (state rm, the
// adoptions of a recovery): its serial incremented, then Checkpoint.
func (l *Local) Save(s *State) error {
	s.Serial++
	if err := l.Checkpoint(s); err != nil {
		s.Serial--
		return err
	}
	return nil
}

// Checkpoint writes the state as it is as the snapshot: atomically (temp
// file, fsync, rename), mode 0600, waiting for the disk at most
// DiskDeadline. The journal's records up to its serial are no longer
// replayed.
func (l *Local) Checkpoint(s *State) error {
	s.Version = FormatVersion
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return l.disk.writeFileAtomic(l.Path(), append(b, '\n'), 0o600)
}

// WriteFileAtomic writes data so that a reader sees the old file or the new
// one, never half of either, even after a crash. It waits for the disk at
// most DiskDeadline.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return disk{}.writeFileAtomic(path, data, perm)
}
