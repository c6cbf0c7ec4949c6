package state_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/idcloudhost"
)

// TestKilledWriterLeavesAStateThatParses (SPEC §3): a process that
// journals changes from four goroutines at once and checkpoints now and
// then is killed with SIGKILL at a random moment, many times. Each time,
// the snapshot on disk parses and is private, and the state read back
// (snapshot and journal) holds every change whose commit had returned
// before the kill: after every step the state on disk says what exists.
func TestKilledWriterLeavesAStateThatParses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process many times")
	}
	t.Parallel()
	rng := rand.New(rand.NewPCG(17, uint64(time.Now().UnixNano())))
	for trial := range 20 {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestJournalWriterProcess$")
		cmd.Env = append(os.Environ(), "IDSTACK_TEST_WRITER_DIR="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of committed changes (early ones
		// included: before the first snapshot, during a checkpoint).
		killAt := 1 + rng.IntN(300)
		committed := map[string]bool{}
		sc := bufio.NewScanner(out)
		killed := false
		deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		for sc.Scan() {
			committed[sc.Text()] = true
			if !killed && len(committed) >= killAt {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true // lines already written still count: their commits returned
			}
		}
		deadline.Stop()
		cmd.Wait()
		if !killed {
			t.Fatalf("trial %d: the writer ended before it was killed", trial)
		}
		l := state.NewLocal(dir, "k", idcloudhost.Description())
		if b, err := os.ReadFile(l.Path()); err == nil {
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("trial %d: the snapshot does not parse: %v", trial, err)
			}
			if fi, _ := os.Stat(l.Path()); fi.Mode().Perm() != 0o600 {
				t.Errorf("trial %d: snapshot mode %v", trial, fi.Mode().Perm())
			}
		}
		st, err := l.Load()
		if err != nil {
			t.Fatalf("trial %d: killed after %d commits, the state does not read: %v", trial, len(committed), err)
		}
		for addr := range committed {
			if st.Get(addr) == nil {
				t.Fatalf("trial %d: %s was committed before the kill and is not in the state (serial %d)", trial, addr, st.Serial)
			}
		}
	}
}

// TestJournalWriterProcess is the process TestKilledWriterLeavesAStateThatParses
// kills: it journals changes as an apply does until it is killed, and
// prints each address once its change is committed.
func TestJournalWriterProcess(t *testing.T) {
	dir := os.Getenv("IDSTACK_TEST_WRITER_DIR")
	if dir == "" {
		t.Skip("run by TestKilledWriterLeavesAStateThatParses")
	}
	l := state.NewLocal(dir, "k", idcloudhost.Description())
	st, err := l.Load()
	if err != nil {
		fatalf("load: %v", err)
	}
	j, err := l.OpenJournal()
	if err != nil {
		fatalf("journal: %v", err)
	}
	var mu sync.Mutex // the executor's lock: the state and the queue order
	var outMu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				addr := "networks.w" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				r := &state.Resource{Address: addr, Kind: "networks", ID: fmt.Sprintf("n-%d-%d", w, i), Location: "jkt01"}
				mu.Lock()
				st.Apply(state.Change{Put: r})
				st.Serial++
				e, err := j.Add(state.Entry{Phase: state.PhaseState, Serial: st.Serial, Lineage: st.Lineage, Changes: []state.Change{{Put: r}}})
				var snap *state.State
				if st.Serial%50 == 0 {
					snap = st.Clone()
				}
				mu.Unlock()
				if err == nil {
					err = j.Commit(e.Seq)
				}
				if err != nil {
					fatalf("commit: %v", err)
				}
				outMu.Lock()
				fmt.Fprintln(os.Stdout, addr)
				outMu.Unlock()
				if snap != nil {
					if err := l.Checkpoint(snap); err != nil {
						fatalf("checkpoint: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(3)
}
