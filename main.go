// Command idstack keeps an idcloudhost.com account in the shape that a YAML
// stack file describes. See README.md.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"

	"github.com/idstack/idstack/executor/cli"
)

func main() {
	// A closed output pipe must not kill a run half-way (Go's default for
	// a write to a broken stdout): asked to be notified instead, writes
	// fail with EPIPE, which cli.KeepGoing absorbs.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	terminal := func() bool { return isatty.IsTerminal(os.Stdin.Fd()) }
	os.Exit(cli.Main(os.Args[1:], cli.IO{
		In: os.Stdin, Out: cli.KeepGoing(os.Stdout), Err: cli.KeepGoing(os.Stderr),
		LookupEnv: os.LookupEnv,
		Terminal:  terminal,
		Color:     isatty.IsTerminal(os.Stdout.Fd()),
	}))
}
