package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner/state"
)

// stackBackend opens the state of the stack named by -f (variables are
// needed: the stack name may use them).
func stackBackend(c *cli.Context, stdio *IO) (state.Backend, error) {
	so, err := stackOptionsOf(c)
	if err != nil {
		return nil, err
	}
	stack, err := loadStack(c.Context, stdio, so.stackArgs)
	if err != nil {
		return nil, err
	}
	b, err := backendFor(c.Context, connOf(c), so, stack)
	if err != nil {
		return nil, exit(ExitError, err)
	}
	return b, nil
}

func unlockCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "unlock",
		Usage: "remove a stale lock of the stack's state",
		Flags: stackFlags(),
		Action: func(c *cli.Context) error {
			b, err := stackBackend(c, stdio)
			if err != nil {
				return err
			}
			info, rerr := b.ReadLock()
			var le *state.LockReadError
			if errors.As(rerr, &le) && errors.Is(rerr, state.ErrNoLock) {
				fmt.Fprintf(stdio.Out, "No lock held on %s (there is no %s): nothing to remove.\n", b, le.Path)
				return nil
			}
			if err := b.Unlock(); err != nil {
				if rerr != nil {
					err = fmt.Errorf("%v; removing it failed too: %w", rerr, err)
				}
				return exit(ExitError, err)
			}
			switch {
			case errors.As(rerr, &le) && le.Unreadable:
				fmt.Fprintf(stdio.Out, "The lock %s was unreadable (%v); removed it.\n", le.Path, le.Err)
			case errors.As(rerr, &le):
				fmt.Fprintf(stdio.Out, "The lock %s could not be read (%v); removed it.\n", le.Path, le.Err)
			case rerr != nil:
				fmt.Fprintf(stdio.Out, "The lock of %s could not be read (%v); removed it.\n", b, rerr)
			default:
				fmt.Fprintf(stdio.Out, "Removed the lock of %q (pid %d on %s since %s) on %s.\n", info.Holder, info.PID, info.Host, info.CreatedAt.Format(time.RFC3339), b)
			}
			return nil
		},
	}
}

func stateCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "state",
		Usage: "read or edit what the stack owns",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the owned addresses with their live ids",
				Flags: stackFlags(),
				Action: func(c *cli.Context) error {
					_, st, err := openState(c, stdio)
					if err != nil {
						return err
					}
					for _, a := range st.Addresses() {
						r := st.Get(a)
						fmt.Fprintf(stdio.Out, "%s\t%s\t%s\n", a, r.ID, r.Location)
					}
					for _, r := range st.Deposed {
						fmt.Fprintf(stdio.Out, "%s (deposed)\t%s\t%s\n", r.Address, r.ID, r.Location)
					}
					return nil
				},
			},
			{
				Name:      "show",
				Usage:     "show one owned resource as recorded (secrets are hashes)",
				ArgsUsage: "ADDR",
				Flags:     stackFlags(),
				Action: func(c *cli.Context) error {
					_, st, err := openState(c, stdio)
					if err != nil {
						return err
					}
					r := st.Get(c.Args().First())
					if r == nil {
						return exit(ExitError, fmt.Errorf("%q is not in the state of stack %q (see idstack state list)", c.Args().First(), st.Stack))
					}
					enc := json.NewEncoder(stdio.Out)
					enc.SetIndent("", "  ")
					return enc.Encode(r)
				},
			},
			{
				Name:      "rm",
				Usage:     "forget a resource without deleting it (it stays in the cloud)",
				ArgsUsage: "ADDR",
				Flags:     append(stackFlags(), lockTimeoutFlag()),
				Action: func(c *cli.Context) error {
					b, err := stackBackend(c, stdio)
					if err != nil {
						return err
					}
					interrupted, unlock, err := lockState(b, "idstack state rm", c.Duration("lock-timeout"))
					if err != nil {
						return exit(ExitError, err)
					}
					defer unlock()
					addr := c.Args().First()
					st, err := b.Load()
					// A state made invalid by this record alone (null, a
					// duplicate id…) is repaired by forgetting it.
					var inv *state.InvalidError
					if errors.As(err, &inv) {
						fixed, ferr := inv.Without(addr)
						if ferr != nil {
							return exit(ExitError, ferr) // what would still be wrong
						}
						if err := interrupted(); err != nil {
							return exit(ExitError, err)
						}
						if err := b.Save(fixed); err != nil {
							return exit(ExitError, err)
						}
						fmt.Fprintf(stdio.Out, "Forgot %s, which made the state invalid; whatever it named is left in the cloud.\n", addr)
						return nil
					}
					if err != nil {
						return exit(ExitError, err)
					}
					r := st.Get(addr)
					if r == nil {
						return exit(ExitError, fmt.Errorf("%q is not in the state of stack %q (see idstack state list)", addr, st.Stack))
					}
					st.Remove(addr)
					if err := interrupted(); err != nil {
						return exit(ExitError, err)
					}
					if err := b.Save(st); err != nil {
						return exit(ExitError, err)
					}
					fmt.Fprintf(stdio.Out, "Forgot %s (%s); it is left in the cloud.\n", addr, r.ID)
					return nil
				},
			},
			stateMvCommand(stdio),
		},
	}
}

func openState(c *cli.Context, stdio *IO) (state.Backend, *state.State, error) {
	b, err := stackBackend(c, stdio)
	if err != nil {
		return nil, nil, err
	}
	st, err := b.Load()
	if err != nil {
		return nil, nil, exit(ExitError, err)
	}
	return b, st, nil
}

// lockState takes the stack's lock for an edit of the state (state rm,
// state mv) and catches SIGINT and SIGTERM from then on, so that a
// cancelled CI job never leaves the lock behind: the edit is one Save, and
// interrupted, asked just before it, says whether a signal came (the edit
// is then given up, nothing changed); a signal during the Save waits for
// it. release stops catching and removes the lock.
func lockState(b state.Backend, holder string, timeout time.Duration) (interrupted func() error, release func() error, err error) {
	unlock, err := b.Lock(holder, timeout)
	if err != nil {
		return nil, nil, err
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	interrupted = func() error {
		select {
		case sig := <-sigs:
			return fmt.Errorf("interrupted (%v) before the state was written: nothing changed", sig)
		default:
			return nil
		}
	}
	release = func() error {
		signal.Stop(sigs)
		return unlock()
	}
	return interrupted, release, nil
}
