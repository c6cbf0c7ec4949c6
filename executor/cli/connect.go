package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
)

// connection is a provider and what must happen when the run ends.
type connection struct {
	Provider provider.Provider
	Close    func() error
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
		return &connection{Provider: idcloudhost.New(endpoint, key), Close: func() error { return nil }}, nil
	}
	worldFile := filepath.Join(stackDir, ".idstack", "sim-world.json")
	opts, err := embeddedSimOptions(stdio)
	if err != nil {
		return nil, err
	}
	s := sim.New(opts)
	if b, err := os.ReadFile(worldFile); err == nil {
		if err := s.Load(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("simulator world %s: %w", worldFile, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	if key == "" {
		key = "sim"
	}
	client := idcloudhost.New("http://"+ln.Addr().String(), key, idcloudhost.WithPoll(50*time.Millisecond, time.Second, 10*time.Minute))
	return &connection{Provider: client, Close: func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		var buf bytes.Buffer
		if err := s.Save(&buf); err != nil {
			return err
		}
		return state.WriteFileAtomic(worldFile, buf.Bytes(), 0o600)
	}}, nil
}

// embeddedSimOptions reads the IDSTACK_SIM_* variables that shape the
// embedded simulator (as for `idstack sim`): how long VM create, start
// and stop take (default 1 s), asynchronous VMs, latency, gateway timeout
// and quirks.
func embeddedSimOptions(stdio *IO) (sim.Options, error) {
	opts := sim.Options{ReadyAfter: time.Second}
	for _, d := range []struct {
		name string
		into *time.Duration
	}{{"IDSTACK_SIM_READY_AFTER", &opts.ReadyAfter}, {"IDSTACK_SIM_LATENCY", &opts.Latency}, {"IDSTACK_SIM_GATEWAY_TIMEOUT", &opts.GatewayTimeout}} {
		if v, ok := stdio.LookupEnv(d.name); ok && v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < 0 {
				return opts, fmt.Errorf("%s=%q: want a duration such as 500ms", d.name, v)
			}
			*d.into = dur
		}
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
