package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
	"github.com/idstack/idstack/spec"
)

// connection is a provider and what must happen when the run ends.
type connection struct {
	Provider provider.Provider
	Close    func() error
	Endpoint string // the endpoint it talks to, for messages
}

// simEndpoint is the --endpoint value that embeds the simulator.
const simEndpoint = "sim"

// connectIDCloudHost makes idcloudhost's provider for --endpoint
// (IDSTACK_ENDPOINT) and --api-key (IDSTACK_API_KEY). With "sim" it starts the
// embedded simulator on a loopback port, its world kept in
// <stackDir>/.idstack/sim-world.json between runs, and talks to it over
// real HTTP through the same client as for the cloud.
func connectIDCloudHost(conn connOptions, stdio *IO, stackDir string) (*connection, error) {
	endpoint, key := conn.Endpoint, conn.APIKey
	if endpoint == "" {
		endpoint = idcloudhost.DefaultEndpoint
	}
	if endpoint != simEndpoint {
		if key == "" {
			return nil, errors.New("no API key: set IDSTACK_API_KEY or --api-key (or use --endpoint sim for the built-in simulator)")
		}
		return &connection{Provider: idcloudhost.New(endpoint, key, idcloudhostObserver(conn.Log)), Close: func() error { return nil }, Endpoint: endpoint}, nil
	}
	opts, err := embeddedSimOptions(stdio)
	if err != nil {
		return nil, err
	}
	s := sim.New(opts)
	addr, stop, err := serveEmbedded(s, filepath.Join(stackDir, ".idstack", "sim-world.json"))
	if err != nil {
		return nil, err
	}
	if key == "" {
		key = "sim"
	}
	client := idcloudhost.New("http://"+addr, key, idcloudhost.WithPoll(50*time.Millisecond, time.Second, 10*time.Minute), idcloudhostObserver(conn.Log))
	return &connection{Provider: client, Endpoint: "the built-in simulator", Close: func() error { return stop(client.CloseIdleConnections) }}, nil
}

// embeddedSim is a simulator served for one run, its world kept in a file.
type embeddedSim interface {
	http.Handler
	simWorld
}

// serveEmbedded serves a simulator on a loopback port for one run (the
// client talks to it over real HTTP, as to the cloud), its world read
// from worldFile first when there is one. stop shuts it down, first
// closing the client's idle connections (closeIdle), which a graceful
// shutdown would otherwise wait 5 s for, then writes the simulator's
// world to worldFile atomically, for the next run.
func serveEmbedded(s embeddedSim, worldFile string) (addr string, stop func(closeIdle func()) error, err error) {
	if err := loadWorld(s, worldFile); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func(closeIdle func()) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closeIdle()
		srv.Shutdown(ctx)
		return saveWorld(s, worldFile)
	}, nil
}

// loadWorld reads a simulator's world from file; none yet is the empty
// world.
func loadWorld(s simWorld, file string) error {
	b, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	}
	if err := s.Load(bytes.NewReader(b)); err != nil {
		return fmt.Errorf("simulator world %s: %w", file, err)
	}
	return nil
}

// saveWorld writes a simulator's world to file, atomically.
func saveWorld(s simWorld, file string) error {
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		return err
	}
	return state.WriteFileAtomic(file, buf.Bytes(), 0o600)
}

// envDuration is a duration an environment variable may set.
type envDuration struct {
	name string
	into *time.Duration
}

// readEnvDurations sets each duration whose variable is set (and not
// empty); a negative or malformed one is an error.
func readEnvDurations(stdio *IO, ds ...envDuration) error {
	for _, d := range ds {
		if v, ok := stdio.LookupEnv(d.name); ok && v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < 0 {
				return fmt.Errorf("%s=%q: want a duration such as 500ms", d.name, v)
			}
			*d.into = dur
		}
	}
	return nil
}

// embeddedSimOptions reads the IDSTACK_SIM_* variables that shape the
// embedded simulator (as for `idstack sim`): how long VM create, start
// and stop take (default 1 s), asynchronous VMs, latency, gateway timeout
// and quirks.
func embeddedSimOptions(stdio *IO) (sim.Options, error) {
	opts := sim.Options{ReadyAfter: time.Second}
	if err := readEnvDurations(stdio, envDuration{"IDSTACK_SIM_READY_AFTER", &opts.ReadyAfter},
		envDuration{"IDSTACK_SIM_LATENCY", &opts.Latency}, envDuration{"IDSTACK_SIM_GATEWAY_TIMEOUT", &opts.GatewayTimeout}); err != nil {
		return opts, err
	}
	if v, ok := stdio.LookupEnv("IDSTACK_SIM_ASYNC_VMS"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return opts, fmt.Errorf("IDSTACK_SIM_ASYNC_VMS=%q: want true or false", v)
		}
		opts.AsyncVMs = b
	}
	if v, ok := stdio.LookupEnv("IDSTACK_SIM_QUIRKS"); ok && v != "" {
		if v != sim.QuirksLive {
			return opts, fmt.Errorf("IDSTACK_SIM_QUIRKS=%q: allowed: live", v)
		}
		opts.Quirks = v
	}
	return opts, nil
}

// checkEndpoint refuses an --endpoint that is neither a URL nor "sim"
// (`--endpoint simm`, `--endpoint api.idcloudhost.com`): the client would
// fail on it call after call with an unhelpful "unsupported protocol".
func checkEndpoint(endpoint string) error {
	if endpoint == "" || endpoint == simEndpoint {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	hint := "give a URL such as https://api.example.com, or sim for the built-in simulator"
	if err == nil && u.Scheme == "" && u.Host == "" && strings.Contains(u.Path, ".") {
		hint = fmt.Sprintf("a URL starts with https:// (https://%s?), or give sim for the built-in simulator", strings.TrimSuffix(endpoint, "/"))
	} else if s := spec.Suggest(strings.ToLower(endpoint), []string{simEndpoint}); s != "" {
		hint = "did you mean sim (the built-in simulator)? Or give a URL such as https://api.example.com"
	}
	return exit(ExitError, fmt.Errorf("--endpoint %q (or IDSTACK_ENDPOINT) is not a URL: %s", endpoint, hint))
}

// explainUnreachable adds, under an error that comes from a connection
// that could not be made (refused, no route, a name that does not
// resolve), which endpoint was tried and how to choose another.
func explainUnreachable(w io.Writer, err error, endpoint string) {
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "dial" {
		return
	}
	if endpoint == "" {
		endpoint = "the endpoint"
	}
	fmt.Fprintf(w, "idstack could not connect to %s. Check the address and the network, or choose another endpoint with --endpoint URL or IDSTACK_ENDPOINT (--endpoint sim runs the built-in simulator).\n", endpoint)
}
