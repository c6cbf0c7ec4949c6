// Package httpcall is the HTTP plumbing every cloud client shares: one
// exchange with a bounded answer, whether a failed exchange can have
// reached the cloud, and the Retry-After header. What a client adds on
// top (authentication, its error envelope, which calls it retries) stays
// in the client.
package httpcall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrMethodRedirect: the server redirected a call with a status that makes
// the HTTP client change its method (a 301/302/303 turns a POST into a
// GET): the write was not made, and the answer is not the one asked for.
var ErrMethodRedirect = errors.New("the server redirected the request and the redirect changes the method; not following it")

// Exchange sends req and reads at most maxBody bytes of the answer. A
// transport error comes without its *url.Error wrapper (whose text repeats
// the URL), the cause kept for errors.Is.
func Exchange(c *http.Client, req *http.Request, maxBody int64) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, cleanURLError(err)
	}
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.Method != req.Method {
		return nil, nil, fmt.Errorf("%w to %s %s", ErrMethodRedirect, resp.Request.Method, resp.Request.URL.Redacted())
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp, b, nil
}

// NotSent reports whether an exchange's error happened before the request
// left: the connection could not be made (refused, no route, the name did
// not resolve), the URL cannot be used, or a redirect changed the method.
// Such a call had no effect.
func NotSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, ErrMethodRedirect) || strings.Contains(err.Error(), "unsupported protocol scheme")
}

func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Status is the answer's status code, 0 when no answer came.
func Status(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// RetryAfter reads a Retry-After header, delay-seconds or an HTTP date, as
// whole seconds from now (rounded up); 0 when absent, past or unreadable.
func RetryAfter(v string, now time.Time) int {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		return max(n, 0)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return int((t.Sub(now) + time.Second - 1) / time.Second)
	}
	return 0
}

// Sleep waits d or until ctx ends, whichever comes first, and returns
// ctx.Err() in the second case (also for d <= 0 when ctx has ended): the
// sleep of both clients' backoffs and polls.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the wait before attempt number attempt+1 (attempt counts
// from 1): exponential with full jitter, a random wait in
// [0, ExpBackoff(min, max, attempt)].
func Backoff(min, max time.Duration, attempt int) time.Duration {
	d := ExpBackoff(min, max, attempt)
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// ExpBackoff is min·2^(attempt-1), capped at max; 0 when min is not
// positive.
func ExpBackoff(min, max time.Duration, attempt int) time.Duration {
	if min <= 0 {
		return 0
	}
	if attempt < 1 {
		attempt = 1
	}
	d := min
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= max || d <= 0 {
			return max
		}
	}
	if max > 0 && d > max {
		return max
	}
	return d
}
