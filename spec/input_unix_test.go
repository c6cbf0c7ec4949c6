//go:build unix

package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFIFOs: a FIFO with no writer blocks open(2) forever; the loader
// opens without blocking. ${file.…} refuses it; a var file may be a pipe
// (--var-file <(sops -d …)), and one with no writer reads as empty.
func TestFIFOs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, ds := loadFile(t, dir, "stack: s\nvms:\n  a: {f: \"${file.fifo}\"}\n", Options{})
	want := []string{"3:11: error: file " + fifo + " is a FIFO (named pipe), not a regular file (in ${file.fifo})"}
	if d := cmp.Diff(want, brief(ds)); d != "" {
		t.Errorf("${file.fifo} (-want +got):\n%s", d)
	}
	s, ds := loadFile(t, dir, "stack: s\nvars: {x: a}\n", Options{VarFiles: []string{fifo}})
	if len(ds) != 0 || s == nil {
		t.Errorf("--var-file FIFO with no writer: %v", ds)
	}
}

// TestVarFileFromAPipe: what process substitution gives, a pipe under
// /dev/fd, is read.
func TestVarFileFromAPipe(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/fd is Linux's")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		fmt.Fprint(w, "x: from-a-pipe\n")
		w.Close()
	}()
	p := fmt.Sprintf("/proc/self/fd/%d", r.Fd())
	s, ds := loadFile(t, t.TempDir(), "stack: s\nvars: {x: a}\nvms:\n  a: {f: \"${var.x}\"}\n", Options{VarFiles: []string{p}})
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	if got := s.Lookup(Address{VMs, "a"}).Fields["f"].V; got != "from-a-pipe" {
		t.Errorf("f = %v", got)
	}
}
