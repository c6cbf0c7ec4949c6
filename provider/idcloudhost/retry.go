package idcloudhost

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/idstack/idstack/provider/httpcall"
)

// CheckRetry decides, after an attempt of an idempotent call, whether to try
// again (in the style of hashicorp/go-retryablehttp). resp is nil when no
// answer came (err is then the transport error, a timeout included); when
// resp is set its body has already been read. A non-nil error stops the
// retries and is returned to the caller instead of the attempt's own error.
type CheckRetry func(ctx context.Context, resp *http.Response, err error) (bool, error)

// Backoff returns how long to wait before attempt number attempt+1
// (attempt counts from 1) given the bounds and the last answer, if any.
type Backoff func(min, max time.Duration, attempt int, resp *http.Response) time.Duration

// DefaultCheckRetry retries connection errors and timeouts, 429 and 5xx
// (except 501), and never once ctx is done.
func DefaultCheckRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var certErr *x509.UnknownAuthorityError
		if errors.As(err, &certErr) || errors.Is(err, ErrMethodRedirect) || strings.Contains(err.Error(), "unsupported protocol scheme") {
			return false, nil
		}
		return true, nil
	}
	if resp == nil {
		return false, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return true, nil
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
		return true, nil
	}
	return false, nil
}

// DefaultBackoff honours Retry-After on 429 and 503 answers; otherwise it is
// exponential with full jitter: a random wait in [0, min(max, min·2^(attempt-1))].
func DefaultBackoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if s := httpcall.RetryAfter(resp.Header.Get("Retry-After"), time.Now()); s > 0 {
			return time.Duration(s) * time.Second
		}
	}
	return httpcall.Backoff(min, max, attempt)
}
