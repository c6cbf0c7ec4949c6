package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/idstack/idstack/provider/iwinv"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// connectIwinv makes iwinv's provider for --endpoint (IDSTACK_ENDPOINT,
// default https://api-kr.iwinv.kr) and the account's key pair
// (--iwinv-access-key and --iwinv-secret-key, IDSTACK_IWINV_ACCESS_KEY and
// IDSTACK_IWINV_SECRET_KEY), paced and polling as iwinvClientOptions
// says. With "sim" it starts the embedded iwinv
// simulator, its world kept in <stackDir>/.idstack/iwinv-sim-world.json
// between runs, and talks to it over real HTTP through the same client.
func connectIwinv(conn connOptions, stdio *IO, stackDir string) (*connection, error) {
	if conn.Endpoint != simEndpoint {
		if conn.IwinvAccessKey == "" || conn.IwinvSecretKey == "" {
			return nil, errors.New("no iwinv API key: set IDSTACK_IWINV_ACCESS_KEY and IDSTACK_IWINV_SECRET_KEY (or --iwinv-access-key and --iwinv-secret-key), or use --endpoint sim for the built-in simulator")
		}
		endpoint := conn.Endpoint
		if endpoint == "" {
			endpoint = iwinv.DefaultEndpoint
		}
		opts, err := iwinvClientOptions(stdio)
		if err != nil {
			return nil, err
		}
		return &connection{Provider: iwinv.New(endpoint, conn.IwinvAccessKey, conn.IwinvSecretKey, append(opts, iwinvObserver(conn.Log))...), Close: func() error { return nil }, Endpoint: endpoint}, nil
	}
	opts, err := embeddedIwinvSimOptions(stdio)
	if err != nil {
		return nil, err
	}
	s := iwinvsim.New(opts)
	addr, stop, err := serveEmbedded(s, filepath.Join(stackDir, ".idstack", "iwinv-sim-world.json"))
	if err != nil {
		return nil, err
	}
	// The embedded simulator limits nothing: no pacing.
	client := iwinv.New("http://"+addr, iwinvsim.DefaultAccessKey, iwinvsim.DefaultSecretKey,
		iwinv.WithPoll(50*time.Millisecond, time.Second, 10*time.Minute), iwinv.WithRateLimit(0, 0), iwinvObserver(conn.Log))
	return &connection{Provider: client, Endpoint: "the built-in simulator", Close: func() error { return stop(client.CloseIdleConnections) }}, nil
}

// embeddedIwinvSimOptions reads IDSTACK_SIM_READY_AFTER and
// IDSTACK_SIM_LATENCY for the embedded iwinv simulator (ready after 1 s by
// default).
func embeddedIwinvSimOptions(stdio *IO) (iwinvsim.Options, error) {
	opts := iwinvsim.Options{ReadyAfter: time.Second}
	err := readEnvDurations(stdio, envDuration{"IDSTACK_SIM_READY_AFTER", &opts.ReadyAfter}, envDuration{"IDSTACK_SIM_LATENCY", &opts.Latency})
	return opts, err
}

// iwinvClientOptions reads how the client paces itself and polls, for an
// endpoint other than the embedded simulator:
//
//   - IDSTACK_IWINV_RATE_LIMIT: the calls a minute it allows itself
//     (default 60, the API's limit per key; 0: no pacing, for a simulator
//     without --rate-limit). A 429 is waited out either way.
//   - IDSTACK_IWINV_POLL: the first interval between the polls of an
//     asynchronous call (default 2s; it doubles up to 15s, or to the
//     interval when that is longer).
func iwinvClientOptions(stdio *IO) ([]iwinv.Option, error) {
	var opts []iwinv.Option
	if v, ok := stdio.LookupEnv("IDSTACK_IWINV_RATE_LIMIT"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("IDSTACK_IWINV_RATE_LIMIT=%q: want calls a minute, 0 or more (the API allows %d; 0: no pacing)", v, iwinv.DefaultPerMinute)
		}
		opts = append(opts, iwinv.WithRateLimit(n, iwinv.DefaultBurst))
	}
	if v, ok := stdio.LookupEnv("IDSTACK_IWINV_POLL"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("IDSTACK_IWINV_POLL=%q: want a duration such as 500ms", v)
		}
		opts = append(opts, iwinv.WithPoll(d, max(d, iwinv.DefaultPollMax), iwinv.DefaultWaitTimeout))
	}
	return opts, nil
}
