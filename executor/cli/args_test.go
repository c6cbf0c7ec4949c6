package cli

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestNormalizeArgs checks the rewritten command line (args.go) over the
// real app's flag definitions.
func TestNormalizeArgs(t *testing.T) {
	t.Parallel()
	app := newApp(&IO{})
	for _, tc := range []struct {
		name    string
		args    string // split on spaces; "''" is an empty argument
		want    string
		wantErr string // a substring of the error, when one is expected
	}{
		// Flags after positionals.
		{"flag after positional", "state rm vms.db -f other.yaml", "state rm -f other.yaml vms.db", ""},
		{"flags around positional", "state show -f a.yaml vms.web --var x=1", "state show -f a.yaml --var x=1 vms.web", ""},
		{"apply plan then int flag", "apply plan.bin --parallelism 4", "apply --parallelism 4 plan.bin", ""},
		{"show plan then format", "show plan.bin --format json", "show --format json plan.bin", ""},
		{"already in order", "plan -f x.yaml --target vms.a", "plan -f x.yaml --target vms.a", ""},
		{"no args", "", "", ""},
		{"command alone", "plan", "plan", ""},
		{"subcommand alone", "state list", "state list", ""},

		// Global flags after the command name.
		{"global after command", "plan -f x.yaml --endpoint sim", "--endpoint sim plan -f x.yaml", ""},
		{"global after subcommand", "state rm vms.db --api-key k -f o.yaml", "--api-key k state rm -f o.yaml vms.db", ""},
		{"global bool after command", "validate --no-color", "--no-color validate", ""},
		{"global before stays", "--endpoint sim plan", "--endpoint sim plan", ""},
		{"global before and after: both, in order (last wins)", "--endpoint a plan --endpoint b", "--endpoint a --endpoint b plan", ""},
		{"global = form after sim", "sim --listen 127.0.0.1:0 --api-key=k", "--api-key=k sim --listen 127.0.0.1:0", ""},

		// Spellings.
		{"= form", "state rm vms.db --file=o.yaml", "state rm --file=o.yaml vms.db", ""},
		{"short = form", "state rm vms.db -f=o.yaml", "state rm -f=o.yaml vms.db", ""},
		{"single-dash long", "state rm vms.db -file o.yaml", "state rm -file o.yaml vms.db", ""},
		{"global = form", "plan --endpoint=sim", "--endpoint=sim plan", ""},
		{"value that looks like a flag", "apply --parallelism -1 p.bin", "apply --parallelism -1 p.bin", ""},
		{"value that is --", "plan -f -- --target a", "plan -f -- --target a", ""},
		{"empty value", "apply -f '' x", "apply -f '' x", ""},

		// Booleans take no separate value.
		{"bool then positional", "apply --auto-approve plan.bin", "apply --auto-approve plan.bin", ""},
		{"positional then bool", "apply plan.bin --auto-approve", "apply --auto-approve plan.bin", ""},
		{"bool =false", "apply plan.bin --auto-approve=false", "apply --auto-approve=false plan.bin", ""},
		{"bool then false is positional", "apply --no-rollback false", "apply --no-rollback false", ""},

		// Repeatable flags keep their order.
		{"repeatables keep order", "plan --target b -f s.yaml --var x=1 --target a --var=y=2 --target c", "plan --target b -f s.yaml --var x=1 --target a --var=y=2 --target c", ""},
		{"repeatables around positional", "apply p.bin --var x=1 --var x=2", "apply --var x=1 --var x=2 p.bin", ""},

		// -- ends the flags.
		{"-- makes the rest positional", "state rm -f o.yaml -- -weird", "state rm -f o.yaml -- -weird", ""},
		{"-- after a positional", "state rm -f o.yaml -- --format", "state rm -f o.yaml -- --format", ""},

		// Positionals beyond what a command takes.
		{"stray stack file", "state rm vms.db other.yaml", "", `unexpected argument "other.yaml": ` + "`idstack state rm` takes ADDR (a stack file is given with -f)"},
		{"argument to a command that takes none", "plan other.yaml", "", "`idstack plan` takes no argument"},
		{"two plans", "apply p1 p2", "", `unexpected argument "p2"`},
		{"-- then nothing", "state list --", "state list --", ""},
		{"lone dash is positional", "show - --format json", "show --format json -", ""},

		// Unknown flags are refused, naming them.
		{"unknown after positional", "state rm vms.db --force", "", "unknown flag --force for `idstack state rm`"},
		{"unknown with value", "plan --bogus=1", "", "unknown flag --bogus for `idstack plan`"},
		{"unknown before command", "--bogus plan", "", "unknown flag --bogus for `idstack`"},
		{"did you mean", "plan --taget vms.a", "", "Did you mean --target?"},
		{"did you mean (swap)", "state rm vms.db --fiel o.yaml", "", "Did you mean --file?"},
		{"did you mean a global", "plan --endpiont sim", "", "Did you mean --endpoint?"},
		{"did you mean a short", "plan -F x.yaml", "", "Did you mean -f?"},
		{"no wild guess", "plan --zzzzzz", "", "for `idstack plan` (see idstack plan --help)"},
		{"another command's flag", "plan --parallelism 2", "", "unknown flag --parallelism for `idstack plan`"},
		{"subcommand flag before subcommand", "state -f o.yaml rm vms.db", "", "it is a flag of `idstack state list|show|rm|…`; put it after that name"},
		{"value missing after positional", "state rm vms.db -f", "", "flag -f of `idstack state rm` needs a value"},
		{"global value missing", "plan --endpoint", "", "flag --endpoint of `idstack` needs a value"},
		{"bad syntax", "plan ---f x", "", "bad flag syntax: ---f"},
		{"flag after -- is not looked at", "state rm -- --bogus", "state rm -- --bogus", ""},

		// Help anywhere.
		{"help after positional", "state rm vms.db --help", "state rm --help", ""},
		{"short help after positional", "apply plan.bin -h", "apply -h", ""},
		{"help before subcommand", "state -h rm", "state -h rm", ""},
		{"help before command", "--help plan", "--help plan", ""},
		{"help=false runs", "show p.bin --help=false", "show --help=false p.bin", ""},

		// Left to urfave/cli: unknown commands, help command.
		{"unknown command", "plna --bogus", "plna --bogus", ""},
		{"help command", "help plan", "help plan", ""},
		{"unknown subcommand is positional", "state frob --no-color", "--no-color state frob", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := normalizeArgs(app, splitArgs(tc.args))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("normalizeArgs(%q) = %q, %v; want an error containing %q", tc.args, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("normalizeArgs(%q): %v", tc.args, err)
			}
			if want := splitArgs(tc.want); !slices.Equal(got, want) {
				t.Fatalf("normalizeArgs(%q)\n got %q\nwant %q", tc.args, got, want)
			}
		})
	}
}

func splitArgs(s string) []string {
	args := strings.Fields(s)
	for i, a := range args {
		if a == "''" {
			args[i] = ""
		}
	}
	return args
}

// TestNormalizeArgsLevels checks the rules no real command shows yet: an
// inner flag shadows an outer one of the same name, a command's own flags
// are accepted after its subcommand's name, SkipFlagParsing is respected,
// and the app's --version flag is known when the app has a version.
func TestNormalizeArgsLevels(t *testing.T) {
	t.Parallel()
	app := &cli.App{
		Name:    "x",
		Version: "1.0",
		Flags:   []cli.Flag{&cli.StringFlag{Name: "mode"}, &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}}},
		Commands: []*cli.Command{
			{Name: "run", Aliases: []string{"r"}, ArgsUsage: "ARG…", Flags: []cli.Flag{&cli.BoolFlag{Name: "mode"}}}, // shadows the global --mode
			{Name: "grp", Flags: []cli.Flag{&cli.StringFlag{Name: "ctx"}}, Subcommands: []*cli.Command{
				{Name: "sub", ArgsUsage: "A", Flags: []cli.Flag{&cli.IntFlag{Name: "n"}}},
			}},
			{Name: "raw", SkipFlagParsing: true},
		},
	}
	for _, tc := range [][2]string{
		{"run a --mode b", "run --mode a b"},                       // --mode is run's boolean here
		{"--mode m run a", "--mode m run a"},                       // the global before the command
		{"r a -q", "-q r a"},                                       // command alias, global alias
		{"grp sub a --ctx c -n 2 -q", "-q grp --ctx c sub -n 2 a"}, // each flag to its level
		{"raw a --anything -q", "raw a --anything -q"},             // SkipFlagParsing
		{"run --version", "--version run"},
	} {
		got, err := normalizeArgs(app, splitArgs(tc[0]))
		if err != nil || !slices.Equal(got, splitArgs(tc[1])) {
			t.Errorf("normalizeArgs(%q) = %q, %v; want %q", tc[0], got, err, tc[1])
		}
	}
}

// TestUnknownFlagExits checks the error path through Main: exit 1, the
// flag named on stderr, nothing run.
func TestUnknownFlagExits(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := Main([]string{"state", "rm", "vms.db", "--forse"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != ExitError || !strings.Contains(errb.String(), "unknown flag --forse for `idstack state rm`") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
}
