package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCtrlCWhileTheStackFileArrives: `idstack plan -f <(producer)` whose
// producer hangs: Ctrl-C ends the command at once (exit 1, saying what it
// was reading), where it used to be swallowed until the pipe closed.
func TestCtrlCWhileTheStackFileArrives(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc/PID/fd")
	}
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "stack.yaml")
	if err := syscall.Mkfifo(file, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	w, err := os.OpenFile(file, os.O_RDWR, 0) // the producer: open, silent
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd := exec.Command(buildBinary(t), "--endpoint", "sim", "plan", "-f", file)
	cmd.Dir = dir
	p := startProc(t, cmd)
	// Reading: the process has the pipe open.
	waitUntil(t, 10*time.Second, "the plan opens the stack file", func() bool {
		fds, _ := os.ReadDir(filepath.Join("/proc", p.pid(), "fd"))
		for _, fd := range fds {
			if l, _ := os.Readlink(filepath.Join("/proc", p.pid(), "fd", fd.Name())); l == file {
				return true
			}
		}
		return false
	})
	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 1 {
		t.Fatalf("exit %d after Ctrl-C, want 1; output:\n%s", code, p.out.String())
	}
	if out := p.out.String(); !strings.Contains(out, "interrupted while reading "+file) {
		t.Errorf("the output does not say what was interrupted:\n%s", out)
	}
}

func (p *proc) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }
