package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// buildIdstack builds the idstack binary once into dir, with an optional
// -overlay file (to measure a proposed change without editing the tree).
func buildIdstack(ctx context.Context, dir, overlay string) (string, error) {
	bin := filepath.Join(dir, "idstack")
	args := []string{"build", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleRoot()
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
	MaxRSS     int64 // bytes, from getrusage(RUSAGE_CHILDREN) of this child
	Stdout     []byte
	Stderr     []byte
	ExitCode   int
}

// runIdstack runs the binary in dir against the simulator at endpoint and
// measures its wall time and peak RSS.
func runIdstack(ctx context.Context, bin, dir, endpoint string, args ...string) (*childRun, error) {
	all := append([]string{"--endpoint", endpoint, "--api-key", "bench", "--no-color"}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
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
