package iwinv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// retryMode says whether a call may be repeated after a failure whose
// outcome is unknown. Every call names one.
type retryMode int

const (
	// idempotent calls (reads, edits that set a value, deletes, attach) are
	// repeated after a 5xx or no answer.
	idempotent retryMode = iota
	// once marks creates and actions (rebuild wipes a disk): after an
	// unknown outcome the caller reads the object instead.
	once
)

// request is one API call.
type request struct {
	method string
	path   string // "/v1/…": what is signed
	query  url.Values
	form   []field // a multipart body
	json   any     // a JSON body
	mode   retryMode
	// notFound decides which error answers mean the object is absent;
	// nil for calls that name none.
	notFound notFoundRule
}

// field is one multipart form field (ordered, unlike url.Values).
type field struct{ name, value string }

const maxBody = 16 << 20

// do performs one call: it signs it, paces it, sends it and decodes the
// envelope. A call refused with 429 or never sent is repeated whatever its
// mode (it did nothing); a 5xx or a lost answer only for an idempotent
// call. An error is an *Error (an error answer), or the transport's
// wrapped with provider.ErrNotSent when the call never left.
func (c *Client) do(ctx context.Context, req request) (*api.Envelope, error) {
	path := strings.TrimRight(req.path, "/")
	u := c.endpoint + path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	payload, contentType, err := encodeBody(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encoding the request: %w (%w)", req.method, path, err, provider.ErrNotSent)
	}
	for attempt := 1; ; attempt++ {
		if c.pace != nil {
			if err := c.pace.wait(ctx); err != nil {
				return nil, c.ctxErr(req.method, path, err, attempt)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, c.ctxErr(req.method, path, err, attempt)
		}
		start := c.now()
		resp, body, err := c.attempt(ctx, req.method, u, path, payload, contentType)
		var callErr error
		var env api.Envelope
		code := ""
		switch {
		case err != nil && httpcall.NotSent(err):
			callErr = fmt.Errorf("%s %s: %w (%w)", req.method, path, err, provider.ErrNotSent)
		case err != nil:
			callErr = fmt.Errorf("%s %s: %w", req.method, path, err)
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			e := decodeError(req.method, path, resp.StatusCode, resp.Header, body, c.now(), req.notFound)
			callErr, code = e, e.Code
		default:
			if derr := json.Unmarshal(body, &env); derr != nil {
				callErr = fmt.Errorf("%s %s: the answer (%d) is no envelope: %v", req.method, path, resp.StatusCode, derr)
			} else if !env.OK() {
				e := decodeError(req.method, path, resp.StatusCode, resp.Header, body, c.now(), nil)
				callErr, code = e, e.Code
			}
		}
		retry, wait := c.retry(req.mode, resp, callErr, attempt)
		if callErr != nil && !retry && attempt > 1 && c.maxAttempts > 1 && repeatable(req.mode, resp, callErr) {
			// Repeated as often as allowed: say so, so that callers do not
			// multiply the attempts by their own.
			callErr = fmt.Errorf("%w (tried %d times: %w)", callErr, attempt, provider.ErrGaveUp)
		}
		c.notify(CallInfo{Method: req.method, Path: path, Attempt: attempt, Status: httpcall.Status(resp), Code: code,
			Duration: c.now().Sub(start), Err: callErr, Retry: retry})
		if callErr == nil {
			return &env, nil
		}
		if !retry {
			return nil, callErr
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: %w (after: %v)", req.method, path, err, callErr)
		}
	}
}

// ctxErr is the error of a call its context ended before: never sent if
// it had not been tried yet.
func (c *Client) ctxErr(method, path string, err error, attempt int) error {
	if attempt == 1 {
		return fmt.Errorf("%s %s: %w (%w)", method, path, err, provider.ErrNotSent)
	}
	return fmt.Errorf("%s %s: %w", method, path, err)
}

// repeatable reports whether a failure is one the mode repeats.
func repeatable(mode retryMode, resp *http.Response, err error) bool {
	switch {
	case errors.Is(err, provider.ErrNotSent):
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, httpcall.ErrMethodRedirect)
	case resp != nil && resp.StatusCode == http.StatusTooManyRequests:
		return true
	case mode != idempotent:
		return false
	case resp == nil:
		return !errors.Is(err, context.Canceled)
	}
	return resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
}

// retry decides whether to try again, and after how long: Retry-After
// when the API sends one, else exponential backoff with full jitter.
func (c *Client) retry(mode retryMode, resp *http.Response, err error, attempt int) (bool, time.Duration) {
	if err == nil || attempt >= c.maxAttempts || !repeatable(mode, resp, err) {
		return false, 0
	}
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return true, time.Duration(apiErr.RetryAfter) * time.Second
	}
	return true, httpcall.Backoff(c.backoffMin, c.backoffMax, attempt)
}

// encodeBody builds the body once; every attempt sends the same bytes.
func encodeBody(req request) ([]byte, string, error) {
	switch {
	case req.form != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range req.form {
			if err := mw.WriteField(f.name, f.value); err != nil {
				return nil, "", err
			}
		}
		if err := mw.Close(); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), mw.FormDataContentType(), nil
	case req.json != nil:
		b, err := json.Marshal(req.json)
		return b, "application/json", err
	}
	return nil, "", nil
}

// attempt sends one signed request and reads the whole answer under the
// per-call timeout. The timestamp is taken per attempt: a repeat after a
// long backoff must not be refused as stale.
func (c *Client) attempt(ctx context.Context, method, u, path string, payload []byte, contentType string) (*http.Response, []byte, error) {
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
	ts := strconv.FormatInt(c.now().Unix(), 10)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCredential, c.accessKey)
	req.Header.Set(api.HeaderSignature, api.Sign(c.secretKey, ts, path))
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
