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
	msg := fmt.Sprintf("state is locked by %q (pid %d on %s since %s)", e.Info.Holder, e.Info.PID, e.Info.Host, e.Info.CreatedAt.Format(time.RFC3339))
	if e.Stale {
		return msg + "; the lock is stale (that process is gone, or the lock is older than " + StaleAfter.String() + "): clear it with `idstack unlock`"
	}
	return msg + "; wait for it (--lock-timeout), or if that run is gone for good, clear the lock with `idstack unlock`"

}

// Lock takes the lock, waiting up to timeout for a holder to release it.
// The returned function releases it.
func (l *Local) Lock(holder string, timeout time.Duration) (func() error, error) {
	host, _ := os.Hostname()
	info := LockInfo{Holder: holder, Host: host, PID: os.Getpid(), CreatedAt: time.Now().UTC()}
	b, _ := json.Marshal(info)
	if err := os.MkdirAll(filepath.Dir(l.LockPath()), 0o700); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		err := createWithContent(l.LockPath(), b)
		if err == nil {
			return func() error { return os.Remove(l.LockPath()) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		held, rerr := l.ReadLock()
		if rerr != nil {
			return nil, rerr
		}
		if time.Now().After(deadline) {
			return nil, &LockedError{Path: l.LockPath(), Info: held, Stale: stale(held, host)}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ReadLock returns who holds the lock.
func (l *Local) ReadLock() (LockInfo, error) {
	var info LockInfo
	b, err := os.ReadFile(l.LockPath())
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("lock file %s is unreadable (%v): remove it with `idstack unlock`", l.LockPath(), err)
	}
	return info, nil
}

// Unlock removes the lock whoever holds it.
func (l *Local) Unlock() error {
	err := os.Remove(l.LockPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// stale reports whether the holder is a process of this host that is gone.
func stale(info LockInfo, host string) bool {
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
// place, so no reader ever sees an empty lock.
func createWithContent(path string, data []byte) error {
	tmp, err := writeSyncedTemp(path, data, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}
