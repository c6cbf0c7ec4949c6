package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/provider/iwinv"
	"github.com/idstack/idstack/provider/iwinv/api"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// runIwinvSim is `idstack sim --provider iwinv`: the iwinv simulator
// (provider/iwinv/sim) on --listen, with the flags both simulators share
// and iwinv's own (--rate-limit, --access-key, --secret-key). The flags
// of idcloudhost's simulator are refused: they would do nothing.
func runIwinvSim(c *cli.Context, stdio *IO) error {
	if err := refuseSimFlags(c, iwinv.Name, idcloudhostSimFlags); err != nil {
		return err
	}
	faults, err := faultFlags(c, iwinvsim.ParseFault, func(f iwinvsim.Fault) bool { return f.LostResponse }, iwinvsim.TransientFaults)
	if err != nil {
		return exit(ExitError, err)
	}
	for _, name := range []string{"latency", "ready-after"} {
		if d := c.Duration(name); d < 0 {
			return exit(ExitError, fmt.Errorf("--%s %v: want a duration of 0 or more", name, d))
		}
	}
	if n := c.Int("rate-limit"); n < 0 {
		return exit(ExitError, fmt.Errorf("--rate-limit %d: want calls a minute, 0 or more (the API allows %d; 0: no limit)", n, iwinvsim.APIRateLimit))
	}
	for _, name := range []string{"access-key", "secret-key"} {
		if c.IsSet(name) && c.String(name) == "" {
			return exit(ExitError, fmt.Errorf("--%s is empty: give a key, or leave the flag out for the default", name))
		}
	}
	opts := iwinvsim.Options{AccessKey: c.String("access-key"), SecretKey: c.String("secret-key"), Latency: c.Duration("latency"),
		ReadyAfter: c.Duration("ready-after"), RateLimit: c.Int("rate-limit"), Seed: c.Int64("seed")}
	if opts.AccessKey == "" {
		opts.AccessKey = iwinvsim.DefaultAccessKey
	}
	if opts.SecretKey == "" {
		opts.SecretKey = iwinvsim.DefaultSecretKey
	}
	s := iwinvsim.New(opts)
	for _, f := range faults {
		s.AddFault(f)
	}
	return serveSim(c, stdio, s, func(ctx context.Context, ln net.Listener) error { return iwinvsim.Serve(ctx, ln, s) }, func(w io.Writer, addr string) {
		fmt.Fprintf(w, "iwinv simulator listening on http://%s (Ctrl-C to stop)\n", addr)
		fmt.Fprintf(w, "its key pair: access key %s, secret key %s\n", opts.AccessKey, opts.SecretKey)
		pace := ""
		if opts.RateLimit == 0 {
			// No limit here: the client need not pace itself to the API's.
			pace = " IDSTACK_IWINV_RATE_LIMIT=0"
		} else {
			fmt.Fprintf(w, "rate limit: %d calls a minute per key (429 beyond)\n", opts.RateLimit)
		}
		fmt.Fprintf(w, "use it with: export IDSTACK_ENDPOINT=http://%s IDSTACK_IWINV_ACCESS_KEY=%s IDSTACK_IWINV_SECRET_KEY=%s%s\n",
			addr, shellWord(opts.AccessKey), shellWord(opts.SecretKey), pace)
		if len(faults) > 0 {
			fmt.Fprintf(w, "%d fault(s) installed; see http://%s/_sim/faults (with the header %s: %s)\n", len(faults), addr, api.HeaderCredential, opts.AccessKey)
		}
	})
}

var plainWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._:/=+@%-]+$`) })

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if plainWord().MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
