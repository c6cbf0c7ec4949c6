//go:build !unix

package spec

import "os"

// openNoBlock opens a file for reading (the file systems of these systems
// have no FIFOs that could block the open).
func openNoBlock(path string) (*os.File, error) {
	return os.Open(path)
}
