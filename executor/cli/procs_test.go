package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/sim"
)

// syncBuffer is an output buffer that a test may read while the process
// writing to it still runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is the idstack binary running against a test's simulator.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer // stdout and stderr, interleaved
	done chan struct{}
	err  error // of Wait, once done is closed
}

// start runs the built idstack binary in the test directory against the
// simulator, with extra environment variables (NAME=VALUE).
func (e *env) start(env []string, args ...string) *proc {
	e.t.Helper()
	conn := e.conn
	if conn == nil {
		conn = []string{"--api-key", "k"}
	}
	cmd := exec.Command(buildBinary(e.t), append(append([]string{"--endpoint", e.url}, conn...), args...)...)
	cmd.Dir = e.dir
	cmd.Env = os.Environ()
	for k, v := range e.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, env...)
	return startProc(e.t, cmd)
}

// startProc starts a command whose output is not redirected yet.
func startProc(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{t: t, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = p.out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = p.out
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// signal sends sig to the process.
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to end, at most within; it returns the exit
// code (-1 when a signal ended it). Past within it kills the process and
// fails the test.
func (p *proc) wait(within time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("the process did not end within %s; its output:\n%s", within, p.out.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// killed reports whether a signal ended the process (after wait).
func (p *proc) killed() bool {
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// kill ends the process with SIGKILL and waits for it. It reports whether
// the kill ended it (false: it had ended by itself before).
func (p *proc) kill() bool {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(10 * time.Second)
	return p.killed()
}

// waitUntil polls cond until it holds, failing the test with what after
// within.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pending counts the calls to method and path (a fault pattern: ids as
// *) that the simulator is still working on.
func pending(e *env, method, path string) int {
	n := 0
	for _, c := range e.sim.Calls() {
		if c.Pending && c.Method == method && pattern(c.Path) == path {
			n++
		}
	}
	return n
}

// waitPending waits until n calls to method and path are in progress.
func waitPending(t *testing.T, e *env, n int, method, path string, within time.Duration) {
	t.Helper()
	waitUntil(t, within, fmt.Sprintf("%d %s %s in progress", n, method, path), func() bool { return pending(e, method, path) >= n })
}

// callsTo lists the calls to method and path (a fault pattern).
func callsTo(e *env, method, path string) []sim.Call {
	var out []sim.Call
	for _, c := range e.sim.Calls() {
		if c.Method == method && pattern(c.Path) == path {
			out = append(out, c)
		}
	}
	return out
}

// vmsNamed counts the live VMs with a name.
func vmsNamed(w sim.World, name string) int {
	n := 0
	for _, v := range w.VMs {
		if v.API.Name == name {
			n++
		}
	}
	return n
}

// shopVMs are the VM names of the shop example.
var shopVMs = []string{"shop-staging-web-1", "shop-staging-web-2", "shop-staging-db"}

// assertShopVMs checks that the world holds each of the shop's VMs once
// and no other VM.
func assertShopVMs(t *testing.T, w sim.World) {
	t.Helper()
	for _, name := range shopVMs {
		if n := vmsNamed(w, name); n != 1 {
			t.Errorf("%d VMs named %s, want 1", n, name)
		}
	}
	if len(w.VMs) != len(shopVMs) {
		var names []string
		for _, v := range w.VMs {
			names = append(names, v.API.Name)
		}
		t.Errorf("%d VMs (%s), want the shop's %d", len(w.VMs), strings.Join(names, ", "), len(shopVMs))
	}
}

// concurrently runs one subtest per name, all at once, each in a
// goroutine of its own rather than with t.Parallel: these tests mostly
// wait (on the simulator's clock, on processes), and -parallel (GOMAXPROCS
// by default) would run them two at a time. The caller calls t.Parallel
// itself if it may run beside other tests.
func concurrently(t *testing.T, names []string, test func(t *testing.T, i int)) {
	t.Helper()
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, func(t *testing.T) { test(t, i) })
		}()
	}
	wg.Wait()
}

// eachMode runs a test once per simulator mode (simModes), at once, with
// opts in that mode.
func eachMode(t *testing.T, opts sim.Options, test func(t *testing.T, opts sim.Options)) {
	t.Helper()
	names := make([]string, len(simModes))
	for i, m := range simModes {
		names[i] = m.name
	}
	concurrently(t, names, func(t *testing.T, i int) {
		o := opts
		o.Quirks = simModes[i].quirks
		test(t, o)
	})
}

// live reports whether opts are the live service's behaviour.
func live(opts sim.Options) bool { return opts.Quirks == sim.QuirksLive }

// runWithin is env.run with a deadline: past within, the test fails at
// once (the command, in this process, cannot be killed: it ends when the
// test's simulator closes). It returns the exit code, the output and how
// long the command took.
func (e *env) runWithin(within time.Duration, args ...string) (int, string, string, time.Duration) {
	e.t.Helper()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		code, out, errs := e.run(args...)
		done <- result{code, out, errs}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err, time.Since(start)
	case <-time.After(within):
		e.t.Fatalf("idstack %s did not end within %s", strings.Join(args, " "), within)
		return 0, "", "", 0
	}
}

// mustRunWithin is mustRun with a deadline (runWithin).
func (e *env) mustRunWithin(within time.Duration, want int, args ...string) string {
	e.t.Helper()
	code, out, errs, _ := e.runWithin(within, args...)
	if code != want {
		e.t.Fatalf("idstack %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	return out + errs
}
