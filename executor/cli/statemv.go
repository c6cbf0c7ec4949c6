package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/spec"
)

// stateMvCommand: `idstack state mv OLD NEW` renames an address in the
// state (state.Move), as `terraform state mv` does: the live object keeps
// its id, and once the stack file names it NEW the next plan has nothing
// to replace. The stack file and the state are chosen as by `state rm`
// (-f, its variables, the backend flags), the state is locked, and the
// change is one Save of the backend: atomic, for the local and the S3
// backends alike.
func stateMvCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "mv",
		Usage:     "rename an address in the state (the resource is kept: no replacement)",
		ArgsUsage: "OLD NEW",
		Flags:     append(stackFlags(), lockTimeoutFlag()),
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return exit(ExitError, errors.New("`idstack state mv` takes OLD NEW: the address in the state and its new name, e.g. idstack state mv vms.web vms.frontend"))
			}
			so, err := stackOptionsOf(c)
			if err != nil {
				return err
			}
			return runStateMv(c, stdio, so, c.Args().Get(0), c.Args().Get(1))
		},
	}
}

func runStateMv(c *cli.Context, stdio *IO, so stackOptions, from, to string) error {
	stack, err := loadStack(c.Context, stdio, so.stackArgs)
	if err != nil {
		return err
	}
	// The addresses' syntax, and NEW's kind, before the state is
	// touched; OLD is looked up in the state (which knows only good
	// addresses), so a misspelt kind there gets a "did you mean".
	var bad []string
	if _, err := spec.ParseAddress(from, nil); err != nil {
		bad = append(bad, err.Error())
	}
	if _, err := spec.ParseAddress(to, stack.Provider); err != nil {
		bad = append(bad, err.Error())
	}
	if len(bad) > 0 {
		return exit(ExitError, fmt.Errorf("state mv %s %s: %s", from, to, strings.Join(bad, "; ")))
	}
	if from == to {
		return exit(ExitError, fmt.Errorf("state mv %s %s: the old and the new address are the same", from, to))
	}
	b, err := backendFor(c.Context, connOf(c), so, stack)
	if err != nil {
		return exit(ExitError, err)
	}
	interrupted, unlock, err := lockState(b, "idstack state mv", c.Duration("lock-timeout"))
	if err != nil {
		return exitFor(so.File, err)
	}
	defer func() {
		if err := unlock(); err != nil {
			fmt.Fprintf(stdio.Err, "Warning: %v\n", err)
		}
	}()
	st, err := b.Load()
	if err != nil {
		return exit(ExitError, err)
	}
	if st.Get(from) == nil {
		detail := "see idstack state list"
		if s := planner.SuggestAddress(from, st.Addresses()); s != "" {
			detail = fmt.Sprintf("did you mean %s? (%s)", s, detail)
		}
		return exit(ExitError, fmt.Errorf("state mv %s %s: %s is not in the state of stack %q: %s", from, to, from, st.Stack, detail))
	}
	if fk, tk := addrKind(from), addrKind(to); fk != tk {
		return exit(ExitError, fmt.Errorf("state mv %s %s: a resource keeps its kind: %s is one of %s, %s would be one of %s (to change the kind, declare the new resource and let the plan create it)", from, to, from, fk, to, tk))
	}
	if r := st.Get(to); r != nil {
		return exit(ExitError, fmt.Errorf("state mv %s %s: %s is in the state of stack %q already (id %s): forget it first with idstack state rm %s, or pick another address", from, to, to, st.Stack, r.ID, to))
	}
	// An interrupted apply's creates name addresses: the next apply
	// recovers what they made under those. Moved now, the recovered
	// object would land at the old address.
	entries, err := b.ReadJournal()
	if err != nil {
		return exit(ExitError, err)
	}
	for _, in := range state.Open(entries) {
		if (in.Op == "create" || in.Op == "replace") && (in.Address == from || in.Address == to) {
			return exit(ExitError, fmt.Errorf("state mv %s %s: an interrupted apply was making %s (a %s whose outcome is unknown, in the journal of %s): finish it first with `idstack apply -f %s` and the stack file as it was, which recovers what it made, then move", from, to, in.Address, in.Op, b, so.File))
		}
	}
	id := st.Get(from).ID
	updated, err := st.Move(from, to)
	if err != nil {
		return exit(ExitError, fmt.Errorf("state mv %s %s: %w", from, to, err))
	}
	if err := interrupted(); err != nil {
		return exit(ExitError, fmt.Errorf("state mv %s %s: %w", from, to, err))
	}
	if err := b.Save(st); err != nil {
		return exit(ExitError, fmt.Errorf("state mv %s %s: writing the state %s: %w", from, to, b, err))
	}
	fmt.Fprintf(stdio.Out, "Moved %s to %s (id %s): the same live object, under its new address.\n", from, to, id)
	if len(updated) > 0 {
		fmt.Fprintf(stdio.Out, "The references to %s recorded by %s now name %s.\n", from, strings.Join(updated, ", "), to)
	}
	declared := map[string]bool{}
	for _, r := range stack.Resources {
		declared[r.Addr.String()] = true
	}
	if !declared[to] {
		fmt.Fprintf(stdio.Err, "Note: %s does not declare %s: the next plan deletes it unless the stack file names it so (rename %s to %s there).\n", so.File, to, from, to)
	}
	if declared[from] {
		fmt.Fprintf(stdio.Err, "Note: %s still declares %s: the next plan creates a new one unless the stack file renames it to %s.\n", so.File, from, to)
	}
	return nil
}

func addrKind(addr string) string {
	k, _, _ := strings.Cut(addr, ".")
	return k
}

// completionState reads, for completion, the addresses a stack's local
// state records; ok is false when it cannot be read (or the state is
// kept elsewhere: a remote state is never fetched to complete a word).
func completionState(stdio *IO, sa stackArgs) (stackAddrs, stateAddrs []string, ok bool) {
	opts := spec.Options{Vars: sa.Vars, VarFiles: sa.VarFiles, EnvVars: envVars(stdio), LookupEnv: stdio.LookupEnv,
		Providers: descriptions(), DefaultProvider: defaultCloud}
	stack, _ := spec.Load(sa.File, opts)
	if stack == nil {
		return nil, nil, false
	}
	for _, r := range stack.Resources {
		stackAddrs = append(stackAddrs, r.Addr.String())
	}
	slices.Sort(stackAddrs)
	if _, remote := s3SettingsFor(stackOptions{stackArgs: sa}, stack); remote {
		return stackAddrs, nil, false
	}
	st, err := state.NewLocal(stack.Dir, stack.Name, stack.Provider).Load()
	if err != nil {
		return stackAddrs, nil, false
	}
	return stackAddrs, st.Addresses(), true
}

// addressCandidates completes OLD of `state mv` and ADDR of `state show`
// and `state rm` (the state's addresses), NEW (the stack file's that the
// state does not record yet) and ADDR of `import` (likewise); nil, false
// for any other argument.
func addressCandidates(stdio *IO, l *argLevel, word string, sa stackArgs) ([]string, bool) {
	isMv := strings.HasSuffix(l.path, " state mv")
	isImport := strings.HasSuffix(l.path, " import")
	// state show and rm act on the state: what it holds, which may be an
	// address the stack file no longer names.
	inStateOnly := strings.HasSuffix(l.path, " state show") || strings.HasSuffix(l.path, " state rm")
	if !(isMv && (word == "OLD" || word == "NEW")) && !((isImport || inStateOnly) && word == "ADDR") {
		return nil, false
	}
	inFile, inState, ok := completionState(stdio, sa)
	if word == "OLD" || inStateOnly {
		if ok && len(inState) > 0 {
			return inState, true
		}
		return inFile, true // no state yet, or unreadable: the file's addresses
	}
	var out []string
	for _, a := range inFile {
		if !slices.Contains(inState, a) {
			out = append(out, a)
		}
	}
	return out, true
}
