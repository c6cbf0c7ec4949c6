// Command idstack keeps an idcloudhost.com account in the shape that a YAML
// stack file describes. See README.md.
package main

import (
	"os"

	"github.com/mattn/go-isatty"

	"github.com/idstack/idstack/executor/cli"
)

func main() {
	terminal := func() bool { return isatty.IsTerminal(os.Stdin.Fd()) }
	os.Exit(cli.Main(os.Args[1:], cli.IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		LookupEnv: os.LookupEnv,
		Terminal:  terminal,
		Color:     isatty.IsTerminal(os.Stdout.Fd()),
	}))
}
