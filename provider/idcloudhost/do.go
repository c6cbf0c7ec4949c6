package idcloudhost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
)

// retryMode says whether a call may be repeated after a transient failure.
// Every call names one explicitly.
type retryMode int

const (
	// idempotent calls (GET, DELETE, PATCH/PUT or POST that set a value) are
	// retried on transient failures.
	idempotent retryMode = iota
	// once marks calls that create something or toggle a state: they are
	// never repeated, the caller decides what to do after a failure.
	once
)

const maxBody = 32 << 20

// ErrMethodRedirect: a redirect changed a call's method; the call was not
// made (httpcall.ErrMethodRedirect).
var ErrMethodRedirect = httpcall.ErrMethodRedirect

// do performs one API call: {endpoint}/v1[/{location}]{path}. path starts
// with "/" and may carry a query string. body is nil (no body), url.Values
// (form-encoded) or anything else (JSON). A 2xx answer is decoded into out
// when out is non-nil and the body is not empty; any other answer becomes a
// *provider.APIError. Transient failures of idempotent calls are retried.
func (c *Client) do(ctx context.Context, mode retryMode, method, location, path string, body, out any) error {
	if isGlobal(path) {
		location = ""
	}
	u := c.endpoint + "/v1"
	if location != "" {
		u += "/" + url.PathEscape(location)
	}
	u += path
	apiPath := path
	if i := strings.IndexByte(apiPath, '?'); i >= 0 {
		apiPath = apiPath[:i]
	}

	var payload []byte
	var contentType string
	switch b := body.(type) {
	case nil:
	case url.Values:
		payload, contentType = []byte(b.Encode()), "application/x-www-form-urlencoded"
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			return fmt.Errorf("%s %s: encoding the request: %w", method, apiPath, err)
		}
		contentType = "application/json"
	}

	attempts := c.maxAttempts
	if mode != idempotent || attempts < 1 {
		attempts = 1
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if attempt == 1 {
				return fmt.Errorf("%s %s: %w (%w)", method, apiPath, err, provider.ErrNotSent)
			}
			return fmt.Errorf("%s %s: %w", method, apiPath, err)
		}
		start := c.now()
		resp, respBody, err := c.attempt(ctx, method, u, payload, contentType)
		var callErr error
		switch {
		case err != nil && httpcall.NotSent(err):
			callErr = fmt.Errorf("%s %s: %w (%w)", method, apiPath, err, provider.ErrNotSent)
		case err != nil:
			callErr = fmt.Errorf("%s %s: %w", method, apiPath, err)
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			callErr = decodeError(method, apiPath, resp.StatusCode, resp.Header, respBody, c.now())
		}

		retry := false
		if callErr != nil && mode == idempotent {
			ok, stop := c.checkRetry(ctx, resp, err)
			if stop != nil {
				c.notify(CallInfo{Method: method, Location: location, Path: apiPath, Attempt: attempt, Status: httpcall.Status(resp), Duration: c.now().Sub(start), Err: callErr})
				if ctx.Err() != nil {
					return fmt.Errorf("%s %s: %w", method, apiPath, stop)
				}
				return stop
			}
			retry = ok && attempt < attempts
			if ok && !retry && attempts > 1 {
				// Repeated as often as allowed: say so, so that callers
				// do not multiply the attempts by their own.
				callErr = fmt.Errorf("%w (tried %d times: %w)", callErr, attempt, provider.ErrGaveUp)
			}
		}
		c.notify(CallInfo{Method: method, Location: location, Path: apiPath, Attempt: attempt, Status: httpcall.Status(resp), Duration: c.now().Sub(start), Err: callErr, Retry: retry})

		if callErr == nil {
			if out == nil || len(bytes.TrimSpace(respBody)) == 0 {
				return nil
			}
			if err := json.Unmarshal(respBody, out); err != nil {
				return fmt.Errorf("%s %s: decoding the answer (%d): %w", method, apiPath, resp.StatusCode, err)
			}
			return nil
		}
		if !retry {
			return callErr
		}
		if err := c.sleep(ctx, c.backoff(c.backoffMin, c.backoffMax, attempt, resp)); err != nil {
			return fmt.Errorf("%s %s: %w (after: %v)", method, apiPath, err, callErr)
		}
	}
}

// attempt sends one request and reads the whole answer under the per-call
// timeout.
func (c *Client) attempt(ctx context.Context, method, u string, payload []byte, contentType string) (*http.Response, []byte, error) {
	actx := ctx
	if c.callTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.callTimeout)
		defer cancel()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("apikey", c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "idstack")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return httpcall.Exchange(c.httpClient, req, maxBody)
}

func (c *Client) notify(ci CallInfo) {
	if c.observe != nil {
		c.observe(ci)
	}
}

// isGlobal reports whether an API path ignores locations: the configuration
// endpoints, object storage (bucket names are global) and the price list.
func isGlobal(path string) bool {
	return strings.HasPrefix(path, "/config/") || strings.HasPrefix(path, "/storage/bucket") ||
		strings.HasPrefix(path, "/storage/api/") || strings.HasPrefix(path, "/storage/user") || strings.HasPrefix(path, "/pricing/")
}
