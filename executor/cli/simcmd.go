package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
	"github.com/idstack/idstack/provider/sim"
)

const simDescription = `Serves the idcloudhost API of the reference document on --listen (port 0
picks a free one; the line "listening on http://ADDR" says which), or with
--provider iwinv the iwinv API (see below).

VM timing: as the document shows, a VM create answers "running" when the VM
is made, start and stop answer when done; each takes --ready-after, during
which the VM is creating, starting or stopping and refuses changes (409).
--async-vms answers them at once instead. --quirks live also hides a VM from
the list until its create finishes. --gateway-timeout D answers 504 to any
call still served after D while its work carries on (see /_sim/calls).

Faults, for testing clients (a fault spec is one line, as for --fail):

   [METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S] [param.NAME=VALUE]

   PATH is matched without /v1 and the location slug, * is one segment and
   a trailing /** any rest; STATUS defaults to 500; nth=N fails only the
   Nth matching call, times=N the first N, rate=R a seeded share of them;
   param.NAME=VALUE only the calls whose query or form holds it.

   --fail "POST /user-resource/vm=503"            every VM create fails
   --fail "POST /user-resource/vm/stop=400 param.uuid=UUID"   one VM's stop
   --fail "GET /network/networks=429 retry-after=2 times=1"
   --lost-response "PATCH /user-resource/vm"      commit, then drop the answer
   --transient-rate 0.1                           10% of all calls: 503 or 429

   The environment variables take several specs separated by commas.

A running simulator answers about itself under /_sim/ (not the API, not
counted, no latency or faults):

   GET /_sim/calls     the call counter and every call (DELETE resets it)
   GET /_sim/world     the whole world as JSON (the --world format)
   GET /_sim/faults    the faults; POST one as a spec; DELETE all or /_sim/faults/ID

iwinv (--provider iwinv): the API of IWINV-NOTES.md under /v1, every call
signed with the simulator's key pair (--access-key, --secret-key; the
defaults are printed at start), asynchronous operations answering 202 and
taking --ready-after, lists paginated, --rate-limit 60 for the API's limit
(default: none). Fault paths are matched after /v1 ("POST /instances=503
nth=2", "POST /block-storages"); the /_sim/ endpoints need the access key in
X-iwinv-Credential. --quirks, --async-vms, --gateway-timeout and
--require-key are idcloudhost's and refused.`

func simCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:        "sim",
		Usage:       "serve a cloud's API simulator over HTTP (idcloudhost; --provider iwinv)",
		Description: simDescription,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "provider", Value: defaultCloud, Usage: "the cloud whose API to serve: `NAME` is idcloudhost or iwinv", EnvVars: []string{"IDSTACK_SIM_PROVIDER"}},
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "`ADDR` to listen on (port 0: a free one)", EnvVars: []string{"IDSTACK_SIM_LISTEN"}},
			&cli.StringFlag{Name: "world", Usage: "load the world from `FILE` and save it there on exit", EnvVars: []string{"IDSTACK_SIM_WORLD"}},
			&cli.DurationFlag{Name: "latency", Usage: "`DURATION` added to every call", EnvVars: []string{"IDSTACK_SIM_LATENCY"}},
			&cli.DurationFlag{Name: "ready-after", Value: 2 * time.Second, Usage: "how long (`DURATION`) a VM create, start or stop takes; the call answers when done (iwinv: every asynchronous operation, answered 202 at once)", EnvVars: []string{"IDSTACK_SIM_READY_AFTER"}},
			&cli.BoolFlag{Name: "async-vms", Usage: "VM create, start and stop answer at once (creating, starting, stopping) and finish --ready-after later", EnvVars: []string{"IDSTACK_SIM_ASYNC_VMS"}},
			&cli.DurationFlag{Name: "gateway-timeout", Usage: "answer 504 to a call still served after `DURATION`, as a gateway does, while its work carries on (0: never)", EnvVars: []string{"IDSTACK_SIM_GATEWAY_TIMEOUT"}},
			&cli.StringFlag{Name: "quirks", Usage: "`live` behaves as the live service is known to (API-NOTES.md)", EnvVars: []string{"IDSTACK_SIM_QUIRKS"}},
			&cli.StringFlag{Name: "require-key", Usage: "accept only this API `KEY` (default: any)", EnvVars: []string{"IDSTACK_SIM_REQUIRE_KEY"}},
			&cli.Int64Flag{Name: "seed", Usage: "`N` seeds ids, addresses and fault rates", EnvVars: []string{"IDSTACK_SIM_SEED"}},
			&cli.StringSliceFlag{Name: "fail", Usage: "fail matching calls; `SPEC` is \"METHOD PATH[=STATUS] [nth=N] [times=N]…\" (repeatable)", EnvVars: []string{"IDSTACK_SIM_FAIL"}},
			&cli.StringSliceFlag{Name: "lost-response", Usage: "commit matching calls, then drop the connection; `SPEC` is \"METHOD PATH [nth=N] [times=N]\" (repeatable)", EnvVars: []string{"IDSTACK_SIM_LOST_RESPONSE"}},
			&cli.Float64Flag{Name: "transient-rate", Usage: "fail this share `R` (0–1) of all calls with 503 or 429, before they change anything", EnvVars: []string{"IDSTACK_SIM_TRANSIENT_RATE"}},
			&cli.IntFlag{Name: "transient-retry-after", Value: 1, Usage: "Retry-After `SECONDS` of the transient 429s (0: none)", EnvVars: []string{"IDSTACK_SIM_TRANSIENT_RETRY_AFTER"}},
			&cli.IntFlag{Name: "rate-limit", Usage: "iwinv: allow `N` calls a minute per key, then 429 (the API's is 60; 0: no limit)", EnvVars: []string{"IDSTACK_SIM_RATE_LIMIT"}},
			&cli.StringFlag{Name: "access-key", Usage: "iwinv: the simulator's access `KEY` (default " + iwinvsim.DefaultAccessKey + ")", EnvVars: []string{"IDSTACK_SIM_ACCESS_KEY"}},
			&cli.StringFlag{Name: "secret-key", Usage: "iwinv: the simulator's secret `KEY` (default " + iwinvsim.DefaultSecretKey + ")", EnvVars: []string{"IDSTACK_SIM_SECRET_KEY"}},
		},
		Action: func(c *cli.Context) error {
			switch p := c.String("provider"); p {
			case iwinv.Name:
				return runIwinvSim(c, stdio)
			case idcloudhost.Name:
				if err := refuseSimFlags(c, p, iwinvSimFlags); err != nil {
					return err
				}
			default:
				return exit(ExitError, fmt.Errorf("--provider %q: allowed: %s", p, strings.Join(cloudNames(), ", ")))
			}
			quirks := c.String("quirks")
			if quirks != "" && quirks != sim.QuirksLive {
				return exit(ExitError, fmt.Errorf("--quirks %q: allowed: live", quirks))
			}
			faults, err := simFaults(c)
			if err != nil {
				return exit(ExitError, err)
			}
			for _, name := range []string{"latency", "ready-after", "gateway-timeout"} {
				if d := c.Duration(name); d < 0 {
					return exit(ExitError, fmt.Errorf("--%s %v: want a duration of 0 or more", name, d))
				}
			}
			s := sim.New(sim.Options{Quirks: quirks, Latency: c.Duration("latency"), ReadyAfter: c.Duration("ready-after"),
				AsyncVMs: c.Bool("async-vms"), GatewayTimeout: c.Duration("gateway-timeout"),
				APIKey: c.String("require-key"), Seed: c.Int64("seed")})
			for _, f := range faults {
				s.AddFault(f)
			}
			return serveSim(c, stdio, s, func(ctx context.Context, ln net.Listener) error { return sim.Serve(ctx, ln, s) }, func(w io.Writer, addr string) {
				fmt.Fprintf(w, "idcloudhost simulator listening on http://%s (Ctrl-C to stop)\n", addr)
				if len(faults) > 0 {
					fmt.Fprintf(w, "%d fault(s) installed; see http://%s/_sim/faults\n", len(faults), addr)
				}
			})
		},
	}
}

// simWorld is what a simulator keeps between runs (--world).
type simWorld interface {
	Load(io.Reader) error
	Save(io.Writer) error
}

// serveSim loads the world from --world, listens on --listen, says where
// (banner), serves until Ctrl-C or SIGTERM, and saves the world back.
func serveSim(c *cli.Context, stdio *IO, s simWorld, serve func(context.Context, net.Listener) error, banner func(w io.Writer, addr string)) error {
	world := c.String("world")
	if world != "" {
		if err := loadWorld(s, world); err != nil {
			return exit(ExitError, err)
		}
	}
	parent := c.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return exit(ExitError, err)
	}
	// The banner is written at once: whoever reads the output as soon as
	// it says where the simulator listens reads all of it.
	var b bytes.Buffer
	banner(&b, ln.Addr().String())
	_, _ = stdio.Out.Write(b.Bytes())
	if err := serve(ctx, ln); err != nil {
		return exit(ExitError, err)
	}
	if world != "" {
		if err := saveWorld(s, world); err != nil {
			return exit(ExitError, err)
		}
		fmt.Fprintf(stdio.Out, "world saved to %s\n", world)
	}
	return nil
}

// simFaults reads --fail, --lost-response and --transient-rate for the
// idcloudhost simulator.
func simFaults(c *cli.Context) ([]sim.Fault, error) {
	return faultFlags(c, sim.ParseFault, func(f sim.Fault) bool { return f.LostResponse }, sim.TransientFaults)
}

// faultFlags reads --fail, --lost-response and --transient-rate with a
// simulator's own fault parser: both simulators take the same spec
// ("[METHOD] PATH[=STATUS] [nth=N] [times=N] [rate=R] [retry-after=S]
// [lost]"), each matching its own API's paths.
func faultFlags[F any](c *cli.Context, parse func(string) (F, error), lost func(F) bool, transient func(rate float64, retryAfter int) []F) ([]F, error) {
	var out []F
	// A blank spec is none: IDSTACK_SIM_FAIL= turns the faults off.
	for _, spec := range c.StringSlice("fail") {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		f, err := parse(spec)
		if err != nil {
			return nil, fmt.Errorf("--fail: %w", err)
		}
		if lost(f) {
			return nil, fmt.Errorf("--fail %q: use --lost-response for a lost response", spec)
		}
		out = append(out, f)
	}
	for _, spec := range c.StringSlice("lost-response") {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		f, err := parse(spec + " lost")
		if err != nil {
			return nil, fmt.Errorf("--lost-response: %w", err)
		}
		out = append(out, f)
	}
	rate := c.Float64("transient-rate")
	if rate < 0 || rate > 1 {
		return nil, fmt.Errorf("--transient-rate %v: want a share from 0 to 1", rate)
	}
	if ra := c.Int("transient-retry-after"); ra < 0 {
		return nil, fmt.Errorf("--transient-retry-after %d: want 0 or more seconds", ra)
	}
	return append(out, transient(rate, c.Int("transient-retry-after"))...), nil
}

// refuseSimFlags fails when a flag of another cloud's simulator is set
// (on the command line or by its variable): it would do nothing.
func refuseSimFlags(c *cli.Context, provider string, names []string) error {
	for _, name := range names {
		if c.IsSet(name) {
			return exit(ExitError, fmt.Errorf("--%s (or its variable %s) does not apply to the %s simulator: it is %s", name, simFlagEnv(c, name), provider, simFlagOwner(name)))
		}
	}
	return nil
}

// The flags only one simulator has.
var (
	idcloudhostSimFlags = []string{"quirks", "async-vms", "gateway-timeout", "require-key"}
	iwinvSimFlags       = []string{"rate-limit", "access-key", "secret-key"}
)

func simFlagOwner(name string) string {
	if slices.Contains(iwinvSimFlags, name) {
		return "iwinv's (--provider iwinv)"
	}
	return "idcloudhost's"
}

// simFlagEnv is the variable that sets a flag of the sim command.
func simFlagEnv(c *cli.Context, name string) string {
	for _, f := range c.Command.Flags {
		if ev, ok := f.(interface{ GetEnvVars() []string }); ok && slices.Contains(f.Names(), name) && len(ev.GetEnvVars()) > 0 {
			return ev.GetEnvVars()[0]
		}
	}
	return "none"
}
