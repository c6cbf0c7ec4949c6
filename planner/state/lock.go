package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockInfo says who holds a lock.
type LockInfo struct {
	Holder    string    `json:"holder"` // e.g. "idstack apply"
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	CreatedAt time.Time `json:"created_at"`
}

// LockedError is returned when another run holds the lock.
type LockedError struct {
	Path  string
	Info  LockInfo
	Stale bool // the holder is a dead process on this host
}

func (e *LockedError) Error() string {
	msg := fmt.Sprintf("state is locked by %q (pid %d on %s since %s; the lock is %s)", e.Info.Holder, e.Info.PID, e.Info.Host, e.Info.CreatedAt.Format(time.RFC3339), e.Path)
	if e.Stale {
		return msg + "; the lock is stale (that process is gone, or the lock is older than " + StaleAfter.String() + "): clear it with `idstack unlock`"
	}
	return msg + "; wait for it (--lock-timeout), or if that run is gone for good, clear the lock with `idstack unlock`"

}

// ErrNoLock is matched (errors.Is) by ReadLock's error when there is no lock.
var ErrNoLock = errors.New("no lock")

// LockReadError is ReadLock's error: no lock (Err is ErrNoLock), a lock
// that does not parse (Unreadable), or one that could not be read.
type LockReadError struct {
	Path       string // the lock file, or s3://BUCKET/KEY.lock
	Err        error
	Unreadable bool // it exists but is not a lock: torn, empty or edited
}

func (e *LockReadError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNoLock):
		return "no lock at " + e.Path
	case e.Unreadable:
		return fmt.Sprintf("the lock %s is unreadable (%v): remove it with `idstack unlock`", e.Path, e.Err)
	}
	return fmt.Sprintf("reading the lock %s: %v", e.Path, e.Err)
}

func (e *LockReadError) Unwrap() error { return e.Err }

// ParseLock reads a lock's content (a LockInfo as JSON); one that does not
// parse is a *LockReadError, Unreadable. path names the lock for errors.
func ParseLock(path string, data []byte) (LockInfo, error) {
	var info LockInfo
	if len(data) == 0 {
		return info, &LockReadError{Path: path, Err: errors.New("it is empty"), Unreadable: true}
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, &LockReadError{Path: path, Err: fmt.Errorf("not a lock: %v", err), Unreadable: true}
	}
	if info.Holder == "" && info.PID == 0 && info.Host == "" {
		return info, &LockReadError{Path: path, Err: errors.New("it names no holder, host or pid"), Unreadable: true}
	}
	return info, nil
}

// Lock takes the lock, waiting up to timeout for a holder to release it.
// The returned function releases it. Each write or remove of the lock file
// waits for the disk at most DiskDeadline.
func (l *Local) Lock(holder string, timeout time.Duration) (func() error, error) {
	host, _ := os.Hostname()
	info := LockInfo{Holder: holder, Host: host, PID: os.Getpid(), CreatedAt: time.Now().UTC()}
	b, _ := json.Marshal(info)
	deadline := time.Now().Add(timeout)
	for {
		err := l.disk.createWithContent(l.LockPath(), b)
		if err == nil {
			return l.removeLock, nil
		}
		if late, ok := err.(*noAnswer); ok {
			was := "it was not taken, and will not be later"
			if late.committed {
				was = fmt.Sprintf("it may be taken, by this run (pid %d): if so, clear it with `idstack unlock`", info.PID)
			}
			return nil, fmt.Errorf("taking the lock %s: %w; %s: %s", l.LockPath(), err, was, checkDisk)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		held, rerr := l.ReadLock()
		if errors.Is(rerr, ErrNoLock) && time.Now().Before(deadline.Add(time.Second)) {
			continue // released between our try and our read: try again at once
		}
		if rerr != nil {
			return nil, rerr
		}
		if time.Now().After(deadline) {
			return nil, &LockedError{Path: l.LockPath(), Info: held, Stale: IsStale(held, host)}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ReadLock returns who holds the lock; the error is a *LockReadError.
func (l *Local) ReadLock() (LockInfo, error) {
	b, err := l.disk.readFile(l.LockPath())
	if errors.Is(err, fs.ErrNotExist) {
		return LockInfo{}, &LockReadError{Path: l.LockPath(), Err: ErrNoLock}
	}
	if err != nil {
		return LockInfo{}, &LockReadError{Path: l.LockPath(), Err: err}
	}
	return ParseLock(l.LockPath(), b)
}

// Unlock removes the lock whoever holds it.
func (l *Local) Unlock() error {
	err := l.removeLock()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// removeLock removes the lock file, waiting for the disk at most
// DiskDeadline: a run that ends (after an error, perhaps one of the disk)
// must not hang there before it reports.
func (l *Local) removeLock() error {
	err := l.disk.remove(l.LockPath(), nil)
	var late *noAnswer
	if errors.As(err, &late) {
		return fmt.Errorf("%w; if the lock stays, clear it with `idstack unlock`", err)
	}
	return err
}

// IsStale reports whether a lock is stale: older than StaleAfter, or held
// by a process of this host (host) that is gone.
func IsStale(info LockInfo, host string) bool {
	if !info.CreatedAt.IsZero() && time.Since(info.CreatedAt) > StaleAfter {
		return true
	}
	if info.Host != host || info.PID <= 0 {
		return false
	}
	err := syscall.Kill(info.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}

// StaleAfter is the age past which a lock is reported as stale whoever
// holds it: no apply runs that long.
const StaleAfter = 12 * time.Hour

// createWithContent creates path with data, failing with fs.ErrExist if it
// exists: the data is written to a temp file first and hard-linked into
// place, so no reader ever sees an empty lock. A write given up on before
// the link never links: its caller was told the lock was not taken.
func (d disk) createWithContent(path string, data []byte) error {
	return d.do(func(commit func() bool) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		tmp, err := d.writeSyncedTemp(path, data, 0o600)
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		if !commit() {
			return nil
		}
		d.before("link", path)
		return os.Link(tmp, path)
	})
}
