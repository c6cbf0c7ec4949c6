package sim

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// authenticate checks the three headers, the clock window and the
// signature over timestamp + path (the canonical path: no query, no
// trailing slash). Called with the lock held.
func (s *Server) authenticate(c *call) *apiErr {
	h := c.r.Header
	cred := h.Get(api.HeaderCredential)
	if cred == "" {
		return errf(http.StatusUnauthorized, api.CheckCredential, "the %s header is missing", api.HeaderCredential)
	}
	if cred != s.accessKey {
		return errf(http.StatusUnauthorized, api.CheckCredential, "unknown access key")
	}
	ts, sig := h.Get(api.HeaderTimestamp), h.Get(api.HeaderSignature)
	switch {
	case ts == "":
		return errf(http.StatusUnauthorized, api.CheckSignature, "the %s header is missing", api.HeaderTimestamp)
	case sig == "":
		return errf(http.StatusUnauthorized, api.CheckSignature, "the %s header is missing", api.HeaderSignature)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errf(http.StatusUnauthorized, api.CheckSignature, "%s %q is not Unix seconds", api.HeaderTimestamp, ts)
	}
	if skew := c.now.Sub(time.Unix(sec, 0)); skew > api.ClockWindow*time.Second || skew < -api.ClockWindow*time.Second {
		return errf(http.StatusUnauthorized, api.CheckSignature, "the timestamp is %s off the server's clock (at most %d s allowed)", skew.Round(time.Second), api.ClockWindow)
	}
	canonical := strings.TrimRight(c.r.URL.Path, "/")
	want := api.Sign(s.secretKey, ts, canonical)
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(want)) {
		return errf(http.StatusUnauthorized, api.InvalidSignature, "the signature does not match")
	}
	return nil
}

// limit applies the rate limit: at most RateLimit calls of the key in any
// 60 seconds. A refused call is answered 429 with Retry-After (when the
// oldest call of the window leaves it) and does not count.
func (s *Server) limit(c *call) *apiErr {
	if s.rateLimit <= 0 {
		return nil
	}
	cut := c.now.Add(-time.Minute)
	kept := s.hits[:0]
	for _, t := range s.hits {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	s.hits = kept
	if len(s.hits) >= s.rateLimit {
		wait := s.hits[0].Add(time.Minute).Sub(c.now)
		e := errf(http.StatusTooManyRequests, api.LimitExceeded, "at most %d requests per minute", s.rateLimit)
		e.retryAfter = int((wait + time.Second - 1) / time.Second)
		return e
	}
	s.hits = append(s.hits, c.now)
	return nil
}
