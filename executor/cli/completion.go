package cli

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/spec"
)

// Shell completion (SPEC §5). `idstack completion bash|zsh|fish` prints a
// small script; the script asks the binary itself what may come next
// (`idstack __complete -- WORD…`, the last word being the one under the
// cursor), so the answers follow the command definitions and the stack
// file: commands, flags, flag values (formats, providers, files) and the
// stack file's addresses after --target and `state show|rm|mv`.
//
// urfave/cli v2's own completion (--generate-bash-completion) completes
// commands and flags but not a flag's value, and its shell scripts are not
// part of the module; so the scripts are here and the answers are ours.

// filesDirective is the one answer that asks the shell for its own file
// name completion.
const filesDirective = ":files"

var completionScripts = map[string]string{
	"bash": `# idstack completion for bash. Load it with
#   source <(idstack completion bash)
# or save it as /etc/bash_completion.d/idstack.
_idstack() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -ra words <<< "$line"
    [[ "$line" =~ [[:space:]]$ ]] && words+=("")
    local cur="${words[${#words[@]}-1]}"
    local out
    out=$(idstack __complete -- "${words[@]:1}" 2>/dev/null) || return 0
    if [[ "$out" == ":files" ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "${cur#*=}"))
        return 0
    fi
    # bash splits a word at '=': only the part after it is replaced.
    local IFS=$'\n' c strip=""
    [[ "$cur" == *=* && "$COMP_WORDBREAKS" == *=* ]] && strip="${cur%%=*}="
    COMPREPLY=()
    for c in $out; do COMPREPLY+=("${c#"$strip"}"); done
}
complete -F _idstack idstack
`,
	"zsh": `#compdef idstack
# idstack completion for zsh. Load it with
#   source <(idstack completion zsh)
# (after compinit), or save it as _idstack in a directory of $fpath.
_idstack() {
    local out
    out=$(idstack __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    if [[ "$out" == ":files" ]]; then
        _files
        return
    fi
    [[ -n "$out" ]] || return 1
    local -a cands
    cands=("${(@f)out}")
    compadd -Q -- "${cands[@]}"
}
if (( $+functions[compdef] )); then
    compdef _idstack idstack
fi
`,
	"fish": `# idstack completion for fish. Load it with
#   idstack completion fish | source
# or save it as ~/.config/fish/completions/idstack.fish.
function __idstack_complete
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    set -l out (idstack __complete -- $args 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $out
end
complete -c idstack -f -a '(__idstack_complete)'
`,
}

func completionCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "SHELL",
		Action: func(c *cli.Context) error {
			sh := c.Args().First()
			script, ok := completionScripts[sh]
			if !ok {
				return exit(ExitError, fmt.Errorf("completion for %q: the shells are bash, zsh and fish (idstack completion bash)", sh))
			}
			_, err := fmt.Fprint(stdio.Out, script)
			return err
		},
	}
}

// completeCommand answers the scripts: one candidate per line.
func completeCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:            "__complete",
		Hidden:          true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			words := c.Args().Slice()
			if len(words) > 0 && words[0] == "--" {
				words = words[1:]
			}
			for _, s := range complete(c.App, stdio, words) {
				fmt.Fprintln(stdio.Out, s)
			}
			return nil
		},
	}
}

// complete lists what may replace the last word of words (the command line
// after the program name), filtered by what is typed of it.
func complete(app *cli.App, stdio *IO, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	levels := []*argLevel{{path: app.Name, flags: levelFlags(app.Flags, app.HideHelp, app.Version != "" && !app.HideVersion), subs: app.Commands}}
	var positionals []string
	sa := stackArgs{File: "idstack.yaml", Vars: map[string]string{}}
	var pending cli.Flag // a flag waiting for its value
	for _, w := range before {
		if pending != nil {
			noteFlag(&sa, pending, w)
			pending = nil
			continue
		}
		l := levels[len(levels)-1]
		switch {
		case w == "--":
			// what follows is positional; completion does not care
		case len(w) > 1 && w[0] == '-':
			name, hasValue, err := flagName(w)
			if err != nil {
				continue
			}
			_, f := lookupFlag(levels, name)
			if f == nil {
				continue
			}
			if hasValue {
				noteFlag(&sa, f, w[strings.IndexByte(w, '=')+1:])
			} else if takesValue(f) {
				pending = f
			}
		case len(positionals) == 0 && len(l.subs) > 0 && findCommand(l.subs, w) != nil:
			cmd := findCommand(l.subs, w)
			levels = append(levels, &argLevel{path: l.path + " " + cmd.Name, cmd: cmd, flags: levelFlags(cmd.Flags, cmd.HideHelp, false), subs: cmd.Subcommands})
		default:
			positionals = append(positionals, w)
		}
	}
	l := levels[len(levels)-1]
	if pending != nil {
		return flagValues(stdio, l, pending, sa, cur)
	}
	if len(cur) > 0 && cur[0] == '-' {
		if i := strings.IndexByte(cur, '='); i > 0 {
			name, _, _ := flagName(cur)
			if _, f := lookupFlag(levels, name); f != nil {
				var out []string
				for _, v := range flagValues(stdio, l, f, sa, cur[i+1:]) {
					if v == filesDirective {
						return []string{v}
					}
					out = append(out, cur[:i+1]+v)
				}
				return out
			}
			return nil
		}
		return flagNames(levels, cur)
	}
	if len(positionals) == 0 && len(l.subs) > 0 {
		var out []string
		for _, c := range l.subs {
			if !c.Hidden && strings.HasPrefix(c.Name, cur) {
				out = append(out, c.Name)
			}
		}
		return out
	}
	return positionalValues(stdio, l, len(positionals), sa, cur)
}

// noteFlag keeps what completion needs of a flag already given: the stack
// file and its variables, to read the addresses.
func noteFlag(sa *stackArgs, f cli.Flag, v string) {
	switch f.Names()[0] {
	case "file":
		sa.File = v
	case "var":
		if k, val, ok := strings.Cut(v, "="); ok {
			sa.Vars[k] = val
		}
	case "var-file":
		sa.VarFiles = append(sa.VarFiles, v)
	}
}

// flagNames are the flags of every level, innermost first, that start
// with what is typed.
func flagNames(levels []*argLevel, cur string) []string {
	var out []string
	for i := len(levels) - 1; i >= 0; i-- {
		for _, f := range levels[i].flags {
			for _, n := range f.Names() {
				if d := dashed(n); strings.HasPrefix(d, cur) && !slices.Contains(out, d) && (len(n) > 1 || cur != "--") {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// fileFlags take a file name.
var fileFlags = []string{"file", "var-file", "out", "output", "world"}

// choicesRE reads the choices a flag's usage lists ("text | json | markdown").
var choicesRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*[a-z0-9-]+(?:\s*\|\s*[a-z0-9-]+)+`) })

func flagValues(stdio *IO, l *argLevel, f cli.Flag, sa stackArgs, cur string) []string {
	name := f.Names()[0]
	var all []string
	switch {
	case name == "target":
		all = stackAddresses(stdio, sa)
	case name == "provider":
		all = cloudNames()
	case name == "endpoint":
		all = []string{"sim"}
	case slices.Contains(fileFlags, name):
		return []string{filesDirective}
	default:
		if u, ok := f.(interface{ GetUsage() string }); ok {
			if m := choicesRE().FindString(u.GetUsage()); m != "" {
				for _, c := range strings.Split(m, "|") {
					all = append(all, strings.TrimSpace(c))
				}
			}
		}
	}
	return withPrefix(all, cur)
}

// positionalValues completes the n-th argument of a command.
func positionalValues(stdio *IO, l *argLevel, n int, sa stackArgs, cur string) []string {
	if l.cmd == nil {
		return nil
	}
	words := strings.Fields(l.cmd.ArgsUsage)
	if n >= len(words) {
		return nil
	}
	if out, ok := addressCandidates(stdio, l, strings.Trim(words[n], "[]"), sa); ok {
		return withPrefix(out, cur)
	}
	switch strings.Trim(words[n], "[]") {
	case "ADDR", "OLD", "NEW":
		return withPrefix(stackAddresses(stdio, sa), cur)
	case "PLAN", "FILE":
		return []string{filesDirective}
	case "SHELL":
		return withPrefix(slices.Sorted(maps.Keys(completionScripts)), cur)
	}
	return nil
}

// stackAddresses are the addresses of the stack file, read as the command
// would read it (its variables, the environment's); a file that cannot be
// read has none, and nothing is printed.
func stackAddresses(stdio *IO, sa stackArgs) []string {
	opts := spec.Options{Vars: sa.Vars, VarFiles: sa.VarFiles, EnvVars: envVars(stdio), LookupEnv: stdio.LookupEnv,
		Providers: descriptions(), DefaultProvider: defaultCloud}
	stack, _ := spec.Load(sa.File, opts)
	if stack == nil {
		return nil
	}
	out := make([]string, 0, len(stack.Resources))
	for _, r := range stack.Resources {
		out = append(out, r.Addr.String())
	}
	sort.Strings(out)
	return out
}

func withPrefix(all []string, cur string) []string {
	var out []string
	for _, s := range all {
		if strings.HasPrefix(s, cur) {
			out = append(out, s)
		}
	}
	return out
}
