// Package iwinv is the HTTP client of iwinv's IaaS API and idstack's
// provider.Provider for it. Every call goes through one do() that signs
// the request (HMAC-SHA256 over timestamp + path), paces itself to the
// API's 60 requests a minute, encodes the body (multipart for instances
// and block storages, JSON for security groups), decodes the envelope and
// its error codes into *provider.APIError, and repeats what may be
// repeated: reads after a transient failure, any call refused with 429 or
// never sent. A create is never repeated after an unknown outcome.
//
// Asynchronous calls (202) are acknowledgements: the client polls the
// object until it reaches the status the call leads to, every wait with a
// deadline. Instance reads never ask for the default account's password or
// the console link, and the client has nowhere to keep them.
package iwinv

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
)

// DefaultEndpoint is the API's address.
const DefaultEndpoint = "https://api-kr.iwinv.kr"

// Client talks to one iwinv endpoint with one API key. It is safe for
// concurrent use; its configuration never changes after New.
type Client struct {
	endpoint  string
	accessKey string
	secretKey string

	httpClient  *http.Client
	callTimeout time.Duration

	maxAttempts int
	backoffMin  time.Duration
	backoffMax  time.Duration

	pageSize int
	pace     *pacer // nil: unpaced

	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
	observe func(CallInfo)

	pollMin     time.Duration
	pollMax     time.Duration
	waitTimeout time.Duration
}

var _ provider.Provider = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// Defaults.
const (
	DefaultCallTimeout = 2 * time.Minute
	DefaultMaxAttempts = 5
	DefaultBackoffMin  = 500 * time.Millisecond
	DefaultBackoffMax  = 30 * time.Second
	DefaultPageSize    = 10
	DefaultPerMinute   = 60 // the API's limit per key
	DefaultBurst       = 10
	DefaultPollMin     = 2 * time.Second
	DefaultPollMax     = 15 * time.Second
	DefaultWaitTimeout = 15 * time.Minute
)

// New returns a client of the API at endpoint (DefaultEndpoint; a
// trailing "/v1" is tolerated) that signs with accessKey and secretKey.
func New(endpoint, accessKey, secretKey string, opts ...Option) *Client {
	endpoint = strings.TrimSuffix(strings.TrimRight(endpoint, "/"), "/v1")
	c := &Client{
		endpoint:    endpoint,
		accessKey:   accessKey,
		secretKey:   secretKey,
		httpClient:  &http.Client{},
		callTimeout: DefaultCallTimeout,
		maxAttempts: DefaultMaxAttempts,
		backoffMin:  DefaultBackoffMin,
		backoffMax:  DefaultBackoffMax,
		pageSize:    DefaultPageSize,
		sleep:       httpcall.Sleep,
		now:         time.Now,
		pollMin:     DefaultPollMin,
		pollMax:     DefaultPollMax,
		waitTimeout: DefaultWaitTimeout,
	}
	paced := true
	perMinute, burst := DefaultPerMinute, DefaultBurst
	for _, o := range opts {
		o(c)
	}
	if c.pace != nil {
		paced, perMinute, burst = c.pace.perMinute > 0, c.pace.perMinute, c.pace.burst
	}
	c.pace = nil
	if paced {
		c.pace = newPacer(perMinute, burst, c.now, c.sleep)
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

// WithCallTimeout bounds each attempt of each call (default 2 minutes);
// 0 means no bound beyond the caller's context.
func WithCallTimeout(d time.Duration) Option { return func(c *Client) { c.callTimeout = d } }

// WithRetry sets the attempts of a call that may be repeated (1: none)
// and the bounds of the exponential backoff between them.
func WithRetry(maxAttempts int, min, max time.Duration) Option {
	return func(c *Client) {
		c.maxAttempts, c.backoffMin, c.backoffMax = max1(maxAttempts), min, max
	}
}

// WithPageSize sets the rows asked for per page of a list (default 10,
// the API's; at most 100).
func WithPageSize(n int) Option {
	return func(c *Client) { c.pageSize = min(max1(n), 100) }
}

// WithRateLimit paces the client to perMinute calls a minute with bursts
// of burst (default 60 and 10: the API allows 60 a minute per key; a 429
// is still waited out). perMinute 0 turns pacing off (tests).
func WithRateLimit(perMinute, burst int) Option {
	return func(c *Client) { c.pace = &pacer{perMinute: max(perMinute, 0), burst: max1(burst)} }
}

// WithSleep replaces the sleep of backoffs, pacing and polls (tests). It
// must return ctx.Err() when ctx ends first.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if f != nil {
			c.sleep = f
		}
	}
}

// WithClock replaces time.Now: the requests' timestamps, pacing and the
// deadlines of waits.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithPoll sets the first and the longest interval between the polls of
// an asynchronous call, and the longest wait, whatever the context's
// deadline (default 2 s, 15 s, 15 minutes; it must be positive: a wait
// of total 0 ends at once).
func WithPoll(min, max, total time.Duration) Option {
	return func(c *Client) { c.pollMin, c.pollMax, c.waitTimeout = min, max, total }
}

// CallInfo describes one attempt of one call, for verbose logs. It never
// holds keys, signatures, request bodies or answers (an instance read may
// hold a password).
type CallInfo struct {
	Method   string
	Path     string // e.g. "/v1/instances/{id}", without the query
	Attempt  int    // 1 for the first attempt
	Status   int    // 0 when no answer came
	Code     string // the envelope's error_code on an error answer
	Duration time.Duration
	Err      error // this attempt's error, nil on success
	Retry    bool  // another attempt follows
}

// WithObserver sets a function called after every attempt of every call,
// from any goroutine.
func WithObserver(f func(CallInfo)) Option { return func(c *Client) { c.observe = f } }

func max1(n int) int { return max(n, 1) }

// CloseIdleConnections closes the connections kept open for later calls
// (http.Client.CloseIdleConnections): a server shutting down gracefully
// waits for them otherwise.
func (c *Client) CloseIdleConnections() { c.httpClient.CloseIdleConnections() }
