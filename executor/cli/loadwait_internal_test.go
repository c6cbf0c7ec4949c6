//go:build unix

package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// silentPipe is a stack file that is a named pipe whose writer is open
// and never writes: reading it waits until the writer closes, which the
// test does at its end.
func silentPipe(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stack.yaml")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	w, err := os.OpenFile(p, os.O_RDWR, 0) // on Linux, O_RDWR does not wait for a reader
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return p
}

// TestLoadStackWaitsWithin: a stack file that never finishes arriving (a
// pipe whose writer hangs, a mount that stopped answering) ends the load
// at its deadline, or at once on an interrupt (the command's context),
// with an error naming the file. Not parallel: it sets loadDeadline.
func TestLoadStackWaitsWithin(t *testing.T) {
	defer func(d time.Duration) { loadDeadline = d }(loadDeadline)
	stdio := &IO{Err: io.Discard, LookupEnv: func(string) (string, bool) { return "", false }, Environ: func() []string { return nil }}
	for _, tc := range []struct {
		name     string
		deadline time.Duration
		cancel   bool
		want     string
	}{
		{"deadline", 200 * time.Millisecond, false, "not done after 200ms"},
		{"interrupt", time.Hour, true, "interrupted while reading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loadDeadline = tc.deadline
			file := silentPipe(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			done := make(chan error, 1)
			go func() {
				_, err := loadStack(ctx, stdio, stackArgs{File: file})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
					t.Errorf("got %v, want an error naming %s that says %q", err, file, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the load still waits after 10s")
			}
		})
	}
}
