package cli

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/spec"
)

// Flags anywhere (SPEC §5).
//
// urfave/cli v2 reads a command's flags only up to its first positional
// argument, and reads the global flags only before the command name: in
// `idstack state rm vms.db -f other.yaml` the -f was silently dropped, and
// `idstack plan --endpoint sim` was refused. v2 has no option for this (v1's
// argument reordering is gone, v3's rules differ), so normalizeArgs rewrites
// the command line before app.Run, using the app's own flag definitions, into
// the order v2 reads:
//
//	[global flags] COMMAND [its flags] [SUBCOMMAND [its flags]] [--] [positionals]
//
// The rules:
//   - A flag is looked up from the innermost command outwards (subcommand,
//     command, then the global flags) and moved to the end of that level's
//     flags. So after the command name every enclosing level's flags are
//     accepted too, global ones included; an inner flag of the same name wins.
//     A subcommand's own flags stand after the subcommand's name.
//   - Spellings are the flag package's: -f v, -f=v, --file v, --file=v
//     (one dash or two). A flag that takes a value takes the next argument,
//     whatever it looks like (--parallelism -1). A boolean flag takes no
//     separate value (--auto-approve plan.bin keeps plan.bin positional) but
//     accepts --auto-approve=false. A flag that lacks its value is an error.
//   - Flags keep their relative order, so repeatable flags (--var, --target)
//     keep theirs, and a flag given twice, e.g. --endpoint before and after
//     the command, is set twice in command-line order: the last one wins, as
//     in the flag package.
//   - `--` ends flag parsing: what follows is positional even if it starts
//     with `-`. A lone `-` is positional.
//   - The first positional of a command that has subcommands names the
//     subcommand when one has that name; otherwise (an unknown command, or
//     `help`) the rest is left for urfave/cli to judge.
//   - An unknown flag is an error that names it and the command (with a
//     "did you mean" when a defined flag is close); it is never ignored.
//     So is a positional beyond what the command's ArgsUsage names.
//   - -h/--help is a flag of every level, so it works anywhere: it shows the
//     help of the innermost command named, and the positionals are dropped
//     (urfave/cli would take the first one for a help topic).
func normalizeArgs(app *cli.App, args []string) ([]string, error) {
	levels := []*argLevel{{path: app.Name, flags: levelFlags(app.Flags, app.HideHelp, app.Version != "" && !app.HideVersion), subs: app.Commands}}
	var positionals []string
	dashdash, help := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		cur := levels[len(levels)-1]
		switch {
		case a == "--":
			dashdash = true
			positionals = append(positionals, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			name, hasValue, err := flagName(a)
			if err != nil {
				return nil, err
			}
			at, f := lookupFlag(levels, name)
			if f == nil {
				return nil, unknownFlag(levels, a, name)
			}
			at.out = append(at.out, a)
			if f == cli.HelpFlag {
				help = true
				if hasValue {
					help, _ = strconv.ParseBool(a[strings.IndexByte(a, '=')+1:])
				}
			}
			if !hasValue && takesValue(f) {
				if i+1 == len(args) {
					// Not left to the flag package: once moved in front,
					// the flag would take a positional for its value.
					return nil, exit(ExitError, fmt.Errorf("flag %s of `%s` needs a value", a, at.path))
				}
				i++
				at.out = append(at.out, args[i])
			}
		case len(positionals) == 0 && len(cur.subs) > 0:
			cmd := findCommand(cur.subs, a)
			if cmd == nil {
				if len(levels) == 1 {
					// No such command (or `help`): urfave/cli says so.
					return append(cur.out, args[i:]...), nil
				}
				positionals = append(positionals, a)
				continue
			}
			if cmd.SkipFlagParsing {
				cur.out = append(cur.out, args[i:]...)
				i = len(args)
				continue
			}
			levels = append(levels, &argLevel{path: cur.path + " " + cmd.Name, cmd: cmd, flags: levelFlags(cmd.Flags, cmd.HideHelp, false), subs: cmd.Subcommands, out: []string{a}})
		default:
			positionals = append(positionals, a)
		}
	}
	var out []string
	for _, l := range levels {
		out = append(out, l.out...)
	}
	if help {
		// urfave/cli would read the first positional as a help topic.
		return out, nil
	}
	if err := checkArgCount(levels[len(levels)-1], positionals); err != nil {
		return nil, err
	}
	if dashdash {
		out = append(out, "--")
	}
	return append(out, positionals...), nil
}

// checkArgCount refuses more positionals than a command's ArgsUsage names
// ("[PLAN]": at most one; none when it names none; "…" for any number):
// a stray argument is never ignored (`idstack state rm vms.db other.yaml`
// would edit ./idstack.yaml's stack).
func checkArgCount(l *argLevel, positionals []string) error {
	if l.cmd == nil || len(l.subs) > 0 || l.cmd.SkipFlagParsing {
		return nil
	}
	words := strings.Fields(l.cmd.ArgsUsage)
	for _, w := range words {
		if strings.Contains(w, "…") || strings.Contains(w, "...") {
			return nil
		}
	}
	if len(positionals) <= len(words) {
		return nil
	}
	extra := positionals[len(words)]
	want := "no argument"
	if len(words) > 0 {
		want = strings.Join(words, " ")
	}
	hint := ""
	if strings.HasSuffix(extra, ".yaml") || strings.HasSuffix(extra, ".yml") {
		hint = " (a stack file is given with -f)"
	}
	return exit(ExitError, fmt.Errorf("unexpected argument %q: `%s` takes %s%s", extra, l.path, want, hint))
}

// argLevel is the application or one (sub)command on the command line.
type argLevel struct {
	path  string         // "idstack state rm", for messages
	cmd   *cli.Command   // nil for the application
	flags []cli.Flag     // its flags, help included
	subs  []*cli.Command // its subcommands
	out   []string       // its name as written (but the app's) and its flags
}

// levelFlags are a level's flags as urfave/cli completes them at run time
// (with the help flag, and the version flag on the app when it has one).
func levelFlags(flags []cli.Flag, hideHelp, version bool) []cli.Flag {
	all := append([]cli.Flag(nil), flags...)
	if !hideHelp && cli.HelpFlag != nil {
		all = append(all, cli.HelpFlag)
	}
	if version && cli.VersionFlag != nil {
		all = append(all, cli.VersionFlag)
	}
	return all
}

// flagName splits -name, --name or --name=value as the flag package does.
func flagName(a string) (name string, hasValue bool, err error) {
	name = strings.TrimPrefix(a[1:], "-")
	if name == "" || name[0] == '-' || name[0] == '=' {
		return "", false, exit(ExitError, fmt.Errorf("bad flag syntax: %s", a))
	}
	if i := strings.IndexByte(name, '='); i >= 0 {
		return name[:i], true, nil
	}
	return name, false, nil
}

// lookupFlag finds a flag name from the innermost level outwards.
func lookupFlag(levels []*argLevel, name string) (*argLevel, cli.Flag) {
	for i := len(levels) - 1; i >= 0; i-- {
		for _, f := range levels[i].flags {
			for _, n := range f.Names() {
				if n == name {
					return levels[i], f
				}
			}
		}
	}
	return nil, nil
}

// takesValue reports whether a flag reads the next argument as its value.
func takesValue(f cli.Flag) bool {
	if v, ok := f.(interface{ TakesValue() bool }); ok {
		return v.TakesValue()
	}
	return true
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// unknownFlag is the error of a flag no level defines: it names the flag
// and the command, suggests a close one, and says when the flag belongs to
// a subcommand not named yet.
func unknownFlag(levels []*argLevel, arg, name string) error {
	cur := levels[len(levels)-1]
	msg := fmt.Sprintf("unknown flag %s for `%s`", strings.SplitN(arg, "=", 2)[0], cur.path)
	var names []string
	for _, l := range levels {
		for _, f := range l.flags {
			names = append(names, f.Names()...)
		}
	}
	if s := closest(name, names); s != "" {
		msg += fmt.Sprintf(". Did you mean %s?", dashed(s))
	} else {
		var owners []string
		for _, c := range cur.subs {
			for _, f := range c.Flags {
				if slices.Contains(f.Names(), name) && !slices.Contains(owners, c.Name) {
					owners = append(owners, c.Name)
				}
			}
		}
		if len(owners) > 3 {
			owners = append(owners[:3], "…")
		}
		if len(owners) > 0 {
			msg += fmt.Sprintf(": it is a flag of `%s %s`; put it after that name", cur.path, strings.Join(owners, "|"))
		}
	}
	return exit(ExitError, errors.New(msg+fmt.Sprintf(" (see %s --help)", cur.path)))
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// closest is the defined flag name nearest to a mistyped one: a few typing
// mistakes away (spec.Suggest, the stack file's own "did you mean"), or
// one it is the start of; "" when none is close.
func closest(name string, names []string) string {
	if len(name) < 2 { // one letter is too little to guess from, but its case
		for _, n := range names {
			if strings.EqualFold(n, name) {
				return n
			}
		}
		return ""
	}
	if s := spec.Suggest(strings.ToLower(name), names); s != "" {
		return s
	}
	if len(name) >= 3 {
		sort.Strings(names)
		for _, n := range names {
			if strings.HasPrefix(n, name) {
				return n
			}
		}
	}
	return ""
}
