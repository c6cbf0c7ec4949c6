// Package cli is idstack's command layer: flags (urfave/cli/v2), wiring of
// the concrete parts, views fed by plans and events, and exit codes. Every
// command is an options struct and a run function with injected streams,
// so tests drive it without a terminal.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

// Exit codes of SPEC §5.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitChanges     = 2 // plan has changes, none destructive (--detailed-exitcode)
	ExitDestructive = 3 // plan deletes, replaces or reinstalls (--detailed-exitcode)
	ExitPartial     = 4 // apply failed and not everything could be undone
)

// IO is what a command reads and writes.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// LookupEnv reads the environment (${env.X}, NO_COLOR); Environ lists
	// it (IDSTACK_VAR_<name>).
	LookupEnv func(string) (string, bool)
	Environ   func() []string
	// Terminal reports whether In is a terminal a person can answer on.
	Terminal func() bool
	// Color turns colour on (only for terminals; --no-color and NO_COLOR
	// turn it off).
	Color bool
}

// sharedFlag is one of urfave/cli's own flags (-h/--help, --version) made
// safe to use from several apps at once: BoolFlag.Apply records its
// default in the flag itself, and cli.HelpFlag is one shared value, so two
// commands run in one process (in tests) raced on it. Each Apply works on
// a copy instead.
type sharedFlag struct{ cli.BoolFlag }

func (h *sharedFlag) Apply(set *flag.FlagSet) error {
	c := h.BoolFlag
	return c.Apply(set)
}

func init() {
	cli.HelpFlag = &sharedFlag{cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help"}}
	cli.VersionFlag = &sharedFlag{cli.BoolFlag{Name: "version", Usage: "print the version"}}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, versionLine()) }
}

// Keys of the app's Metadata: what the global flags set up for the
// commands.
const (
	metaLog      = "log"      // *slog.Logger, when logging is on
	metaEndpoint = "endpoint" // *string, the endpoint a connection used
)

// exitError carries an exit code through urfave/cli.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exit returns an error that makes Main exit with code; a nil err prints
// nothing more.
func exit(code int, err error) error { return &exitError{code: code, err: err} }

// Main runs idstack with args (without the program name) and returns the
// exit code.
func Main(args []string, stdio IO) int {
	if stdio.LookupEnv == nil {
		stdio.LookupEnv = os.LookupEnv
	}
	if stdio.Environ == nil {
		stdio.Environ = os.Environ
	}
	if stdio.Terminal == nil {
		stdio.Terminal = func() bool { return false }
	}
	app := newApp(&stdio)
	args, err := normalizeArgs(app, args) // flags anywhere: args.go
	if err == nil {
		err = app.Run(append([]string{"idstack"}, args...))
	}
	if err == nil {
		return ExitOK
	}
	defer explainUnreachable(stdio.Err, err, *app.Metadata[metaEndpoint].(*string))
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stdio.Err, "Error: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stdio.Err, "Error: %v\n", err)
	return ExitError
}

func newApp(stdio *IO) *cli.App {
	app := &cli.App{
		Name:                 "idstack",
		Usage:                "keep a cloud account (idcloudhost, iwinv) in the shape of a YAML stack file",
		Writer:               stdio.Out,
		ErrWriter:            stdio.Err,
		Reader:               stdio.In,
		HideHelpCommand:      true,
		Version:              version(),
		EnableBashCompletion: false,
		ExitErrHandler:       func(*cli.Context, error) {}, // Main decides the exit code
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "endpoint", Usage: "API endpoint (default: the provider's), or `sim` for the embedded simulator", EnvVars: []string{"IDSTACK_ENDPOINT"}},
			&cli.StringFlag{Name: "api-key", Usage: "idcloudhost's API key (sent as the apikey header)", EnvVars: []string{"IDSTACK_API_KEY"}},
			&cli.StringFlag{Name: "iwinv-access-key", Usage: "iwinv's access key", EnvVars: []string{"IDSTACK_IWINV_ACCESS_KEY"}},
			&cli.StringFlag{Name: "iwinv-secret-key", Usage: "iwinv's secret key (signs every request; never sent)", EnvVars: []string{"IDSTACK_IWINV_SECRET_KEY"}},
			&cli.BoolFlag{Name: "no-color", Usage: "no colour in output (also NO_COLOR)"},
		}, logFlags()...),
		Metadata: map[string]any{metaEndpoint: new(string)},
		Before: func(c *cli.Context) error {
			stdio.Color = stdio.Color && !c.Bool("no-color") && !hasEnv(stdio, "NO_COLOR")
			log, closeLog, err := openLog(c.String("log-level"), c.String("log-file"), stdio.Err,
				[]string{c.String("api-key"), c.String("iwinv-access-key"), c.String("iwinv-secret-key")})
			if err != nil {
				return err
			}
			if log != nil {
				c.App.Metadata[metaLog] = log
				c.App.After = func(*cli.Context) error { return closeLog() }
			}
			return nil
		},
		Commands: []*cli.Command{
			validateCommand(stdio),
			planCommand(stdio),
			applyCommand(stdio),
			destroyCommand(stdio),
			showCommand(stdio),
			graphCommand(stdio),
			stateCommand(stdio),
			importCommand(stdio),
			unlockCommand(stdio),
			schemaCommand(stdio),
			simCommand(stdio),
			versionCommand(stdio),
			exportCommand(stdio),
			costCommand(stdio),
			stopCommand(stdio),
			startCommand(stdio),
			completionCommand(stdio),
			completeCommand(stdio),
		},
	}
	hideHelpCommands(app.Commands)
	return app
}

// hideHelpCommands keeps urfave/cli from giving every command a `help`
// subcommand: that one is a single shared value which each run writes to
// (a data race between two runs in one process), and it made `help` or
// `h` as an argument (`idstack state rm h`) show help instead. -h and
// --help still work everywhere.
func hideHelpCommands(cmds []*cli.Command) {
	for _, c := range cmds {
		c.HideHelpCommand = true
		hideHelpCommands(c.Subcommands)
	}
}

// stackFlags are the flags of every command that reads a stack file.
func stackFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Value: "idstack.yaml", Usage: "the stack file"},
		&cli.StringSliceFlag{Name: "var", Usage: "set a variable: `NAME=VALUE` (repeatable)"},
		&cli.StringSliceFlag{Name: "var-file", Usage: "read variables from a YAML `FILE` (repeatable)"},
	}, backendFlags()...)
}

// hasEnv reports whether an environment variable is set, even to "" (the
// NO_COLOR convention).
func hasEnv(stdio *IO, k string) bool {
	_, ok := stdio.LookupEnv(k)
	return ok
}

// targetFlag limits a plan to some addresses and their dependencies.
func targetFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "target", Usage: "limit the plan to `ADDR` (e.g. vms.web) and what it depends on (repeatable)"}
}
