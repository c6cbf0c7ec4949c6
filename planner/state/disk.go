package state

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// DiskDeadline is how long the local backend waits for the disk to finish
// one write (a journal batch, a snapshot, the lock) before it gives up
// with an error. A disk or network filesystem that stops answering (a
// hung NFS mount, a dying disk) can block an fsync forever, and with it
// every step of an apply waiting for its journal: a minute is far beyond
// a healthy fsync, and the run then stops with an error instead of
// hanging.
const DiskDeadline = time.Minute

// checkDisk says what to do about a disk that does not answer.
const checkDisk = "check the disk, or the network mount it is on"

// disk does the local backend's writes, each in a goroutine of its own
// that the caller waits for at most deadline. The zero disk is the real
// one with the default deadline.
type disk struct {
	deadline time.Duration // 0: DiskDeadline
	// For tests: pause, when set, is called before each step that may
	// block on the disk ("fsync", "rename", "link", "remove", "read") with the
	// file's path; writes, when set, counts the writes under way, those
	// given up on included.
	pause  func(step, path string)
	writes *sync.WaitGroup
}

func (d disk) before(step, path string) {
	if d.pause != nil {
		d.pause(step, path)
	}
}

// noAnswer is do's error when the deadline passed: the write goes on, and
// may still end later.
type noAnswer struct {
	after time.Duration
	// committed: the write had begun its last step (a rename, a link):
	// that step may still happen.
	committed bool
}

func (e *noAnswer) Error() string { return fmt.Sprintf("no answer from the disk after %s", e.after) }

// A write's progress: the caller and the write race, by compare and swap,
// to move it on from writing.
const (
	writing   int32 = iota
	committed       // the write takes its last step, whatever the caller does
	abandoned       // the caller gave up: the write must not take it
)

// do runs write in a goroutine of its own and waits for it at most the
// deadline; then it returns a *noAnswer and leaves the write to end on its
// own, or never. A write whose last step must not happen once its caller
// has given up (a rename over a file a later write may have replaced)
// calls commit just before it, and stops if commit returns false.
func (d disk) do(write func(commit func() bool) error) error {
	after := d.deadline
	if after <= 0 {
		after = DiskDeadline
	}
	var progress atomic.Int32
	done := make(chan error, 1) // buffered: a write given up on still ends
	if d.writes != nil {
		d.writes.Add(1)
	}
	go func() {
		if d.writes != nil {
			defer d.writes.Done()
		}
		done <- write(func() bool { return progress.CompareAndSwap(writing, committed) })
	}()
	t := time.NewTimer(after)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
	}
	if progress.CompareAndSwap(writing, abandoned) {
		return &noAnswer{after: after}
	}
	select {
	case err := <-done: // committed, and ended meanwhile
		return err
	default:
		return &noAnswer{after: after, committed: true}
	}
}

func (d disk) sync(f *os.File) error {
	d.before("fsync", f.Name())
	return f.Sync()
}

// syncDir makes the names in a directory durable.
func (d disk) syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return d.sync(f)
}

// renames holds a mutex for each path this process writes atomically,
// taken for the rename: a write whose caller gave up during its rename
// (committed) ends it before a later write of the path renames, so the
// later file is the one left, however many Locals share the path.
var renames sync.Map // path → *sync.Mutex

// writeFileAtomic is WriteFileAtomic on d. A write whose caller gave up
// before its rename never renames: a later write may have put a newer
// file in place, which it must not replace.
func (d disk) writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	err := d.do(func(commit func() bool) error {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		tmp, err := d.writeSyncedTemp(path, data, perm)
		if err != nil {
			return err
		}
		defer os.Remove(tmp) // no-op after a successful rename
		mu, _ := renames.LoadOrStore(path, new(sync.Mutex))
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		if !commit() {
			return nil
		}
		d.before("rename", path)
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
		d.syncDir(dir) // make the rename itself durable
		return nil
	})
	if late, ok := err.(*noAnswer); ok {
		was := "the file is as it was, and this write will not change it later"
		if late.committed {
			was = "the file holds, whole, what it held or what this write wrote"
		}
		return fmt.Errorf("%s: %w; %s: %s", path, err, was, checkDisk)
	}
	return err
}

// writeSyncedTemp writes data to a new temp file beside path, synced to
// disk, and returns its name: the caller renames or links it into place.
func (d disk) writeSyncedTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = d.sync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// readFile reads a file, waiting for the disk at most the deadline (a
// read of a hung network mount blocks like a write). A missing file is
// fs.ErrNotExist, as from os.ReadFile.
func (d disk) readFile(path string) ([]byte, error) {
	var b []byte
	err := d.do(func(func() bool) error {
		d.before("read", path)
		var err error
		b, err = os.ReadFile(path)
		return err
	})
	if _, ok := err.(*noAnswer); ok {
		return nil, fmt.Errorf("reading %s: %w: %s", path, err, checkDisk)
	}
	return b, err
}

// remove removes a file, waiting for the disk at most the deadline. A
// remove given up on may still happen later.
func (d disk) remove(path string, mu *sync.Mutex) error {
	err := d.do(func(func() bool) error {
		if mu != nil {
			mu.Lock()
			defer mu.Unlock()
		}
		d.before("remove", path)
		return os.Remove(path)
	})
	if _, ok := err.(*noAnswer); ok {
		return fmt.Errorf("removing %s: %w; it may be removed later, or stay: %s", path, err, checkDisk)
	}
	return err
}
