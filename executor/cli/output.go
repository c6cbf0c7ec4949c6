package cli

import (
	"errors"
	"io"
	"sync"
	"syscall"
)

// KeepGoing wraps an output stream so that its reader going away (a closed
// pipe: `idstack apply | head`; a terminal that hung up) never stops a
// run: from the first such failure on, output is dropped and the run
// finishes, saves its state and unlocks. Other write errors (a full disk
// under `> plan.json`) are still returned. The process must not die of
// SIGPIPE either (main asks to be notified of it instead).
func KeepGoing(w io.Writer) io.Writer { return &keepGoing{w: w} }

type keepGoing struct {
	mu   sync.Mutex
	w    io.Writer
	gone bool
}

func (k *keepGoing) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gone {
		return len(p), nil
	}
	n, err := k.w.Write(p)
	if err != nil && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.EIO) || errors.Is(err, io.ErrClosedPipe)) {
		k.gone = true
		return len(p), nil
	}
	return n, err
}
