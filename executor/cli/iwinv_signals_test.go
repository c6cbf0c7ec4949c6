package cli_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// TestIwinvSIGTERMRollsBack: SIGTERM (a cancelled CI job) sent while the
// iwinv example's instances are being created stops the apply, lets the
// creates finish and rolls everything back: exit 1, the world as before.
func TestIwinvSIGTERMRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{Latency: 2 * time.Millisecond, ReadyAfter: 300 * time.Millisecond})
	f := iwinvExample(t, e)
	before := e.iw.World()
	p := e.start(nil, "apply", "-f", f, "--auto-approve")
	waitUntil(t, 20*time.Second, "an instance create in progress", func() bool { return iwinvCallPending(e, "/instances") })
	p.signal(syscall.SIGTERM)
	code := p.wait(30 * time.Second)
	out := p.out.String()
	if code != 1 || !strings.Contains(out, "Rolled back: the cloud is as it was before this apply") || strings.Contains(out, "Apply complete") {
		t.Fatalf("exit %d, want 1 and a rollback\n%s", code, out)
	}
	after := e.iw.World()
	if d := cmp.Diff(before, after, sameIwinvWorld); d != "" {
		t.Errorf("the world differs from before (-before +after):\n%s\n%s", d, out)
	}
	assertIwinvStateAgrees(t, e, before, after)
}

// TestIwinvClosedOutputPipeDoesNotStopApply: `idstack apply | head -1` on
// iwinv: the reader goes away after the first line, and the apply still
// finishes (exit 0), its state saved and its lock released.
func TestIwinvClosedOutputPipeDoesNotStopApply(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	e := newIwinvEnv(t, iwinvsim.Options{ReadyAfter: 300 * time.Millisecond})
	f := iwinvExample(t, e)
	args := append(append([]string{"--endpoint", e.url}, e.conn...), "apply", "-f", f, "--auto-approve")
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "IDSTACK_IWINV_RATE_LIMIT=0", "IDSTACK_IWINV_POLL=10ms")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	p := startProc(t, cmd)
	w.Close()
	if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	r.Close() // every later write fails
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d after the output pipe closed; stderr:\n%s", code, p.out.String())
	}
	assertIwinvExample(t, e.iw.World())
	if st := readState(t, e.dir, iwinvStack); len(st.Resources) != 4 {
		t.Errorf("the state owns %v, want the example's 4", st.Addresses())
	}
	if _, err := os.Stat(filepath.Join(e.dir, ".idstack", iwinvStack+".lock")); !os.IsNotExist(err) {
		t.Errorf("the lock is still there: %v", err)
	}
}

var listeningRe = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// TestIwinvSimStopsOnSIGTERM: `idstack sim --provider iwinv` run as a
// process stops on SIGTERM (or Ctrl-C), saving its world, even when the
// reader of its output has gone away (exit 0, not killed by SIGPIPE).
func TestIwinvSimStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			world := filepath.Join(t.TempDir(), "world.json")
			cmd := exec.Command(buildBinary(t), "sim", "--provider", "iwinv", "--listen", "127.0.0.1:0", "--world", world)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout = w
			p := startProc(t, cmd)
			w.Close()
			line, err := bufio.NewReader(r).ReadString('\n')
			if err != nil || !listeningRe.MatchString(line) {
				t.Fatalf("first line %q: %v", line, err)
			}
			base := listeningRe.FindStringSubmatch(line)[1]
			r.Close() // "world saved to …" will find no reader
			e := &env{t: t, url: base, dir: t.TempDir(), conn: []string{"--iwinv-access-key", iwinvsim.DefaultAccessKey, "--iwinv-secret-key", iwinvsim.DefaultSecretKey},
				vars: map[string]string{"IDSTACK_IWINV_RATE_LIMIT": "0", "IDSTACK_IWINV_POLL": "10ms"}}
			f := e.write("fw.yaml", "provider: iwinv\nstack: fw\nfirewalls:\n  web: {name: kept, icmp: true}\n")
			e.mustRun(0, "apply", "-f", f, "--auto-approve")
			p.signal(sig)
			if code := p.wait(20 * time.Second); code != 0 {
				t.Fatalf("exit %d on %v; stderr:\n%s", code, sig, p.out.String())
			}
			b, err := os.ReadFile(world)
			if err != nil || !strings.Contains(string(b), `"title": "kept"`) {
				t.Fatalf("the world was not saved on %v: %v\n%s", sig, err, b)
			}
		})
	}
}
