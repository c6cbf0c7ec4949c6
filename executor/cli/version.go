package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is the module's version from the build information: a tag for a
// released build, "(devel)" for a build from a clone.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// versionLine says what this idstack is: its version, the commit it was
// built from (with -dirty when the tree had changes), the Go version and
// the clouds it speaks.
func versionLine() string {
	commit, goVersion := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			commit = rev
			if len(commit) > 12 {
				commit = commit[:12]
			}
			if modified == "true" {
				commit += "-dirty"
			}
		}
	}
	return fmt.Sprintf("idstack %s (commit %s, built with %s; providers %s)", version(), commit, strings.TrimSpace(goVersion), strings.Join(cloudNames(), ", "))
}

func versionCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the commit and the Go version",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintln(stdio.Out, versionLine())
			return err
		},
	}
}
