// Package idcloudhost is the HTTP client of the idcloudhost.com API and
// idstack's provider.Provider for it. Every call goes through one do() that
// builds the location-prefixed URL, authenticates, encodes the body (form or
// JSON, as each endpoint demands), decodes both error shapes into
// *provider.APIError and retries transient failures of idempotent calls.
package idcloudhost

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
	"github.com/idstack/idstack/provider/httpcall"
)

// Client talks to one idcloudhost endpoint with one API key. It is safe for
// concurrent use; its configuration never changes after New.
type Client struct {
	endpoint string
	apiKey   string

	httpClient  *http.Client
	callTimeout time.Duration

	maxAttempts int
	backoffMin  time.Duration
	backoffMax  time.Duration
	checkRetry  CheckRetry
	backoff     Backoff

	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
	observe func(CallInfo)

	pollMin     time.Duration
	pollMax     time.Duration
	waitTimeout time.Duration

	// The global image list, read once (Catalog).
	images     singleflight.Group
	imagesMu   sync.Mutex
	imagesRead []api.VMImage
}

var _ provider.Provider = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// DefaultEndpoint is the live service.
const DefaultEndpoint = "https://api.idcloudhost.com"

// Defaults. VM calls on the live service are synchronous and slow (a create
// takes ~30 s), so the per-call timeout allows minutes.
const (
	DefaultCallTimeout = 5 * time.Minute
	DefaultMaxAttempts = 5
	DefaultBackoffMin  = 500 * time.Millisecond
	DefaultBackoffMax  = 30 * time.Second
	DefaultPollMin     = 2 * time.Second
	DefaultPollMax     = 15 * time.Second
	DefaultWaitTimeout = 15 * time.Minute
)

// New returns a client of the API at endpoint (e.g.
// "https://api.idcloudhost.com"; a trailing "/v1" is tolerated) that sends
// apiKey in the apikey header.
func New(endpoint, apiKey string, opts ...Option) *Client {
	endpoint = strings.TrimRight(endpoint, "/")
	endpoint = strings.TrimSuffix(endpoint, "/v1")
	c := &Client{
		endpoint:    endpoint,
		apiKey:      apiKey,
		httpClient:  &http.Client{Transport: pooledTransport()},
		callTimeout: DefaultCallTimeout,
		maxAttempts: DefaultMaxAttempts,
		backoffMin:  DefaultBackoffMin,
		backoffMax:  DefaultBackoffMax,
		checkRetry:  DefaultCheckRetry,
		backoff:     DefaultBackoff,
		sleep:       httpcall.Sleep,
		now:         time.Now,
		pollMin:     DefaultPollMin,
		pollMax:     DefaultPollMax,
		waitTimeout: DefaultWaitTimeout,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithHTTPClient sets the *http.Client (transport, proxies, TLS).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.httpClient = h
		}
	}
}

// WithCallTimeout bounds each attempt of each call (default 5 minutes);
// 0 means no bound beyond the caller's context.
func WithCallTimeout(d time.Duration) Option { return func(c *Client) { c.callTimeout = d } }

// WithRetry sets the number of attempts of a retryable call (1 disables
// retries) and the bounds of the exponential backoff between them.
func WithRetry(maxAttempts int, min, max time.Duration) Option {
	return func(c *Client) {
		if maxAttempts < 1 {
			maxAttempts = 1
		}
		c.maxAttempts, c.backoffMin, c.backoffMax = maxAttempts, min, max
	}
}

// WithCheckRetry replaces the retry decision (DefaultCheckRetry). It is
// consulted only for idempotent calls: a create or a toggle never retries.
func WithCheckRetry(f CheckRetry) Option {
	return func(c *Client) {
		if f != nil {
			c.checkRetry = f
		}
	}
}

// WithBackoff replaces the wait between attempts (DefaultBackoff).
func WithBackoff(f Backoff) Option {
	return func(c *Client) {
		if f != nil {
			c.backoff = f
		}
	}
}

// WithSleep replaces the sleep between attempts and polls (tests). It must
// return ctx.Err() when ctx ends first.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if f != nil {
			c.sleep = f
		}
	}
}

// WithClock replaces time.Now (tests); it measures call durations and the
// deadline of WaitVM.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithPoll sets the first and the longest interval between the polls of
// WaitVM, and the longest total wait when the context has no deadline
// (default 2 s, 15 s, 15 minutes).
func WithPoll(min, max, total time.Duration) Option {
	return func(c *Client) { c.pollMin, c.pollMax, c.waitTimeout = min, max, total }
}

// CallInfo describes one attempt of one call, for verbose logs. It never
// holds the API key, request bodies (passwords) or response bodies.
type CallInfo struct {
	Method   string
	Location string
	Path     string // API path without the location, e.g. "/user-resource/vm"
	Attempt  int    // 1 for the first attempt
	Status   int    // 0 when no answer came
	Duration time.Duration
	Err      error // the error of this attempt, nil on success
	Retry    bool  // another attempt follows
}

// WithObserver sets a function called after every attempt of every call.
// It may be called from several goroutines at once.
func WithObserver(f func(CallInfo)) Option { return func(c *Client) { c.observe = f } }

// pooledTransport is the default transport with more idle connections
// kept per host: an apply has up to --parallelism calls in flight, and
// the default's 2 made every other call dial a new connection (and the
// server accept one): 3–5 % of an apply of 1,000 fast resources.
func pooledTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// CloseIdleConnections closes the connections kept open for later calls
// (http.Client.CloseIdleConnections): a server shutting down gracefully
// waits for them otherwise.
func (c *Client) CloseIdleConnections() { c.httpClient.CloseIdleConnections() }
