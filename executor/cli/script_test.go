package cli_test

import (
	"os"
	"path/filepath"
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
	testscript.Main(m, map[string]func(){
		"idstack": func() {
			os.Exit(cli.Main(os.Args[1:], cli.IO{
				In: os.Stdin, Out: os.Stdout, Err: os.Stderr, LookupEnv: os.LookupEnv,
				Terminal: func() bool { return isatty.IsTerminal(os.Stdin.Fd()) },
			}))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: newcomers' sessions written
// down, against the embedded simulator. Each script starts with the
// examples/ directory copied into its work directory.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("..", "..", "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			entries, err := os.ReadDir(filepath.Join("..", "..", "examples"))
			if err != nil {
				return err
			}
			for _, e := range entries {
				if e.IsDir() {
					continue
				}
				b, err := os.ReadFile(filepath.Join("..", "..", "examples", e.Name()))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, e.Name()), b, 0o600); err != nil {
					return err
				}
			}
			env.Setenv("IDSTACK_SIM_READY_AFTER", "50ms")
			return nil
		},
	})
}
