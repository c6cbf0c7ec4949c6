//go:build unix

package spec

import (
	"os"
	"syscall"
)

// openNoBlock opens a file for reading without blocking: opening a FIFO
// that has no writer returns at once (and reads end of file) instead of
// waiting for one forever.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
