package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// benchMain replaces main.go in the binary the harness builds: the same
// program, writing a CPU profile to $IDSTACK_BENCH_CPUPROFILE when it is
// set, and its own peak RSS (VmHWM) to $IDSTACK_BENCH_RSS at exit. The
// child's getrusage is no measure of it: Go starts a child with vfork, and
// Linux counts the harness's own peak RSS into the child's at exec.
const benchMain = `package main

import (
	"bytes"
	"os"
	"runtime/pprof"

	"github.com/mattn/go-isatty"

	"github.com/idstack/idstack/executor/cli"
)

func main() {
	if p := os.Getenv("IDSTACK_BENCH_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run()
				pprof.StopCPUProfile()
				f.Close()
				exit(code)
			}
		}
	}
	exit(run())
}

func exit(code int) {
	if p := os.Getenv("IDSTACK_BENCH_RSS"); p != "" {
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range bytes.Split(b, []byte("\n")) {
				if bytes.HasPrefix(line, []byte("VmHWM:")) {
					os.WriteFile(p, bytes.TrimSpace(line[len("VmHWM:"):]), 0o644)
				}
			}
		}
	}
	os.Exit(code)
}

func run() int {
	terminal := func() bool { return isatty.IsTerminal(os.Stdin.Fd()) }
	return cli.Main(os.Args[1:], cli.IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		LookupEnv: os.LookupEnv,
		Terminal:  terminal,
		Color:     isatty.IsTerminal(os.Stdout.Fd()),
	})
}
`

// buildIdstack builds the idstack binary once into dir, with an optional
// -overlay file (to measure a proposed change without editing the tree)
// and benchMain for main.go.
func buildIdstack(ctx context.Context, dir, overlay string) (string, error) {
	bin := filepath.Join(dir, "idstack")
	root := moduleRoot()
	// Built as README's Install builds a release: static, stripped.
	args := []string{"build", "-trimpath", "-ldflags=-s -w", "-o", bin}
	{
		replace := map[string]string{}
		if overlay != "" {
			var o struct{ Replace map[string]string }
			b, err := os.ReadFile(overlay)
			if err != nil {
				return "", err
			}
			if err := json.Unmarshal(b, &o); err != nil {
				return "", fmt.Errorf("-overlay %s: %w", overlay, err)
			}
			replace = o.Replace
		}
		mainFile := filepath.Join(dir, "bench_main.go")
		if err := os.WriteFile(mainFile, []byte(benchMain), 0o644); err != nil {
			return "", err
		}
		replace[filepath.Join(root, "main.go")] = mainFile
		b, err := json.Marshal(map[string]any{"Replace": replace})
		if err != nil {
			return "", err
		}
		overlay = filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(overlay, b, 0o644); err != nil {
			return "", err
		}
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	return bin, nil
}

// moduleRoot finds the directory of go.mod from the working directory.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// childRun is what one idstack child process did.
type childRun struct {
	Start, End time.Time
	Wall       time.Duration
	// MaxRSS is the child's peak RSS in bytes: its VmHWM when it is a
	// binary the harness built, else its getrusage (which counts the
	// harness's own peak RSS too, see benchMain).
	MaxRSS   int64
	Spread   string // timePlan: its fastest and slowest run, "min–max"
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// runIdstack runs the binary in dir against the simulator at endpoint and
// measures its wall time and peak RSS.
// With profile set, the child writes its CPU profile there (a binary
// built with -profile).
func runIdstack(ctx context.Context, bin, dir, endpoint, profile string, args ...string) (*childRun, error) {
	all := append([]string{"--endpoint", endpoint, "--api-key", "bench", "--no-color"}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if profile != "" {
		cmd.Env = append(cmd.Env, "IDSTACK_BENCH_CPUPROFILE="+profile)
	}
	rssFile := filepath.Join(dir, ".bench-rss")
	os.Remove(rssFile)
	cmd.Env = append(cmd.Env, "IDSTACK_BENCH_RSS="+rssFile)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	r := &childRun{Start: time.Now()}
	err := cmd.Run()
	r.End = time.Now()
	r.Wall = r.End.Sub(r.Start)
	r.Stdout, r.Stderr = out.Bytes(), errb.Bytes()
	if cmd.ProcessState != nil {
		r.ExitCode = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
		}
		var kib int64
		if b, err := os.ReadFile(rssFile); err == nil {
			if _, err := fmt.Sscanf(string(b), "%d kB", &kib); err == nil {
				r.MaxRSS = kib * 1024
			}
		}
	}
	if err != nil {
		return r, fmt.Errorf("idstack %s: %w\n%s", strings.Join(args, " "), err, tail(errb.String(), 2000))
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
