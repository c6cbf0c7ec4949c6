package cli_test

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/mattn/go-isatty"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/idstack/idstack/executor/cli"
)

// TestMain lets the scripts run the real idstack command in a subprocess.
// A create whose outcome is unknown is waited for until its deadline
// (default minutes); the simulator's creates take at most a second or two
// here, so the tests' runs (in process and the built binary) wait 3 s.
func TestMain(m *testing.M) {
	os.Setenv("IDSTACK_CREATE_DEADLINE", "3s")
	testscript.Main(waitBound{m}, map[string]func(){
		"idstack": func() {
			os.Exit(cli.Main(os.Args[1:], cli.IO{
				In: os.Stdin, Out: os.Stdout, Err: os.Stderr, LookupEnv: os.LookupEnv,
				Terminal: func() bool { return isatty.IsTerminal(os.Stdin.Fd()) },
			}))
		},
	})
}

// waitBound runs the tests with -parallel 4×GOMAXPROCS unless -parallel
// is given. These tests mostly wait, on the simulators' clocks, on
// subprocesses and on each other's retries, not on the CPU (the package
// keeps 2 CPUs less than a fifth busy): at the default, GOMAXPROCS, a
// 2-CPU machine ran them two at a time and the package took 80 s instead
// of 30.
type waitBound struct{ m *testing.M }

func (w waitBound) Run() int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
	return w.m.Run()
}

// TestScripts runs testdata/script/*.txtar: newcomers' sessions written
// down, against the embedded simulator. Each script starts with the
// files of examples/ copied into its work directory, and those of
// examples/iwinv/ into iwinv/.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("..", "..", "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			for _, dir := range []string{"", "iwinv"} {
				if err := copyFiles(filepath.Join("..", "..", "examples", dir), filepath.Join(env.WorkDir, dir)); err != nil {
					return err
				}
			}
			env.Setenv("IDSTACK_SIM_READY_AFTER", "50ms")
			return nil
		},
	})
}

// copyFiles copies the files of a directory (not its subdirectories).
func copyFiles(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
