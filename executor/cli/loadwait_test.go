//go:build unix

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
// was reading), where it used to be swallowed until the pipe closed. An
// apply's first Ctrl-C says that nothing has changed and the run stops
// (not what an interrupted apply undoes), and its second ends it at once.
func TestCtrlCWhileTheStackFileArrives(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc/PID/fd")
	}
	t.Parallel()
	for _, tc := range []struct {
		command string
		first   string // what the first Ctrl-C says ("": it ends the command)
	}{
		{"plan", ""},
		{"apply", "Interrupted: nothing has changed; the run stops. Interrupt again to stop at once."},
	} {
		t.Run(tc.command, func(t *testing.T) {
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
			cmd := exec.Command(buildBinary(t), "--endpoint", "sim", tc.command, "-f", file)
			cmd.Dir = dir
			p := startProc(t, cmd)
			// Reading: the process has the pipe open.
			waitUntil(t, 10*time.Second, "the command opens the stack file", func() bool {
				fds, _ := os.ReadDir(filepath.Join("/proc", p.pid(), "fd"))
				for _, fd := range fds {
					if l, _ := os.Readlink(filepath.Join("/proc", p.pid(), "fd", fd.Name())); l == file {
						return true
					}
				}
				return false
			})
			p.signal(syscall.SIGINT)
			if tc.first != "" {
				waitUntil(t, 10*time.Second, "the first Ctrl-C's message", func() bool { return strings.Contains(p.out.String(), tc.first) })
				p.signal(syscall.SIGINT)
			}
			if code := p.wait(10 * time.Second); code != 1 {
				t.Fatalf("exit %d after Ctrl-C, want 1; output:\n%s", code, p.out.String())
			}
			if out := p.out.String(); !strings.Contains(out, "interrupted while reading "+file) {
				t.Errorf("the output does not say what was interrupted:\n%s", out)
			}
		})
	}
}

func (p *proc) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }
