package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/sim"
)

func simCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:  "sim",
		Usage: "serve the idcloudhost API simulator over HTTP",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "address to listen on"},
			&cli.StringFlag{Name: "world", Usage: "load the world from `FILE` and save it there on exit"},
			&cli.DurationFlag{Name: "latency", Usage: "added to every call", EnvVars: []string{"IDSTACK_SIM_LATENCY"}},
			&cli.DurationFlag{Name: "ready-after", Value: 2 * time.Second, Usage: "how long a new VM stays creating", EnvVars: []string{"IDSTACK_SIM_READY_AFTER"}},
			&cli.StringFlag{Name: "quirks", Usage: "`live` behaves as the live service is known to (API-NOTES.md)", EnvVars: []string{"IDSTACK_SIM_QUIRKS"}},
			&cli.StringFlag{Name: "require-key", Usage: "accept only this API key (default: any)"},
		},
		Action: func(c *cli.Context) error {
			quirks := c.String("quirks")
			if quirks != "" && quirks != sim.QuirksLive {
				return exit(ExitError, fmt.Errorf("--quirks %q: allowed: live", quirks))
			}
			s := sim.New(sim.Options{Quirks: quirks, Latency: c.Duration("latency"), ReadyAfter: c.Duration("ready-after"), APIKey: c.String("require-key")})
			world := c.String("world")
			if world != "" {
				b, err := os.ReadFile(world)
				switch {
				case err == nil:
					if err := s.Load(bytes.NewReader(b)); err != nil {
						return exit(ExitError, fmt.Errorf("%s: %w", world, err))
					}
				case !errors.Is(err, fs.ErrNotExist):
					return exit(ExitError, err)
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(stdio.Out, "idcloudhost simulator listening on http://%s (Ctrl-C to stop)\n", c.String("listen"))
			if err := sim.Serve(ctx, c.String("listen"), s); err != nil {
				return exit(ExitError, err)
			}
			if world != "" {
				var buf bytes.Buffer
				if err := s.Save(&buf); err != nil {
					return exit(ExitError, err)
				}
				if err := state.WriteFileAtomic(world, buf.Bytes(), 0o600); err != nil {
					return exit(ExitError, err)
				}
				fmt.Fprintf(stdio.Out, "world saved to %s\n", world)
			}
			return nil
		},
	}
}
