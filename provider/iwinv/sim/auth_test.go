package sim

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestAuthentication: the simulator accepts a request signed by hand and
// refuses a missing header, a wrong key or signature and a stale or future
// timestamp with the documented envelope.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	// printf '%s' '1767225600/v1/zones' | openssl dgst -sha256 -hmac 'sim-secret-key'
	const handSigned = "6072518255b2454272bb9e1738711e52f86dc70896145ca1ffdeb6617c8eb5ca"
	for _, tc := range []struct {
		name   string
		path   string
		edit   func(e *env, r *http.Request)
		status int
		code   api.ErrorCode // zero: accepted
	}{
		{name: "signed by hand (openssl)", path: "/v1/zones", edit: func(_ *env, r *http.Request) {
			r.Header.Set(api.HeaderTimestamp, "1767225600")
			r.Header.Set(api.HeaderSignature, handSigned)
		}, status: 200},
		{name: "the query is not signed", path: "/v1/zones?page_no=1&page_size=5", edit: func(_ *env, r *http.Request) {
			r.Header.Set(api.HeaderTimestamp, "1767225600")
			r.Header.Set(api.HeaderSignature, handSigned)
		}, status: 200},
		{name: "a trailing slash is not signed", path: "/v1/zones/", edit: func(_ *env, r *http.Request) {
			r.Header.Set(api.HeaderTimestamp, "1767225600")
			r.Header.Set(api.HeaderSignature, handSigned)
		}, status: 200},
		{name: "uppercase hex is the same signature", path: "/v1/zones", edit: func(_ *env, r *http.Request) {
			r.Header.Set(api.HeaderSignature, "6072518255B2454272BB9E1738711E52F86DC70896145CA1FFDEB6617C8EB5CA")
		}, status: 200},
		{name: "4m59s late is in the window", path: "/v1/zones", edit: func(e *env, r *http.Request) { e.clock.Advance(299 * time.Second) }, status: 200},
		{name: "no credential", path: "/v1/zones", edit: func(_ *env, r *http.Request) { r.Header.Del(api.HeaderCredential) },
			status: 401, code: api.CheckCredential},
		{name: "an unknown access key", path: "/v1/zones", edit: func(_ *env, r *http.Request) { r.Header.Set(api.HeaderCredential, "someone-else") },
			status: 401, code: api.CheckCredential},
		{name: "no timestamp", path: "/v1/zones", edit: func(_ *env, r *http.Request) { r.Header.Del(api.HeaderTimestamp) },
			status: 401, code: api.CheckSignature},
		{name: "no signature", path: "/v1/zones", edit: func(_ *env, r *http.Request) { r.Header.Del(api.HeaderSignature) },
			status: 401, code: api.CheckSignature},
		{name: "a timestamp that is no number", path: "/v1/zones", edit: func(_ *env, r *http.Request) { r.Header.Set(api.HeaderTimestamp, "yesterday") },
			status: 401, code: api.CheckSignature},
		{name: "stale: 5m01s behind the server", path: "/v1/zones", edit: func(e *env, r *http.Request) { e.clock.Advance(301 * time.Second) },
			status: 401, code: api.CheckSignature},
		{name: "future: 5m01s ahead of the server", path: "/v1/zones", edit: func(e *env, r *http.Request) {
			ts := strconv.FormatInt(e.clock.Now().Add(301*time.Second).Unix(), 10)
			r.Header.Set(api.HeaderTimestamp, ts)
			r.Header.Set(api.HeaderSignature, api.Sign(DefaultSecretKey, ts, "/v1/zones"))
		}, status: 401, code: api.CheckSignature},
		{name: "signed with another secret", path: "/v1/zones", edit: func(e *env, r *http.Request) {
			r.Header.Set(api.HeaderSignature, api.Sign("wrong-secret", r.Header.Get(api.HeaderTimestamp), "/v1/zones"))
		}, status: 401, code: api.InvalidSignature},
		{name: "signed over another path", path: "/v1/zones", edit: func(e *env, r *http.Request) {
			r.Header.Set(api.HeaderSignature, api.Sign(DefaultSecretKey, r.Header.Get(api.HeaderTimestamp), "/v1/images"))
		}, status: 401, code: api.InvalidSignature},
		{name: "signed with the query", path: "/v1/zones?page_no=1", edit: func(e *env, r *http.Request) {
			r.Header.Set(api.HeaderSignature, api.Sign(DefaultSecretKey, r.Header.Get(api.HeaderTimestamp), "/v1/zones?page_no=1"))
		}, status: 401, code: api.InvalidSignature},
		{name: "unsigned calls to unknown paths are refused as unsigned", path: "/v1/nothing", edit: func(_ *env, r *http.Request) { r.Header.Del(api.HeaderSignature) },
			status: 401, code: api.CheckSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			req := e.request("GET", tc.path, nil)
			tc.edit(e, req)
			a := e.send(req)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.code == (api.ErrorCode{}) {
				if !a.env.OK() {
					t.Fatalf("refused: %s", a.raw)
				}
				return
			}
			if a.env.Code != tc.code.Code || a.env.ErrorCode != tc.code.Name || a.env.Message == "" {
				t.Fatalf("answer %s, want %v with a message", a.raw, tc.code)
			}
			if calls := e.sim.Calls(); len(calls) != 1 || calls[0].Code != tc.code.Name {
				t.Errorf("call log %+v, want the refusal recorded", calls)
			}
		})
	}
}

// TestRateLimit: with the limit on, the 61st call within a minute is 429
// LIMIT_EXCEEDED with Retry-After and changes nothing; a minute later
// calls pass again.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{RateLimit: APIRateLimit})
	for i := range APIRateLimit {
		if i == 30 {
			e.clock.Advance(20 * time.Second)
		}
		e.must(200, "GET", "/v1/zones", nil)
	}
	a := e.fails(http.StatusTooManyRequests, api.LimitExceeded, "POST", "/v1/instances",
		form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-std-1c1g"})
	if got := a.header.Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After %q, want 40 (the first call leaves the window 40 s later)", got)
	}
	if n := len(e.sim.World().Instances); n != 0 {
		t.Errorf("a rate-limited create made %d instances", n)
	}
	e.clock.Advance(40 * time.Second)
	for range 30 { // the first 30 left the window
		e.must(200, "GET", "/v1/zones", nil)
	}
	e.fails(http.StatusTooManyRequests, api.LimitExceeded, "GET", "/v1/zones", nil)
	e.sim.SetRateLimit(0)
	e.must(200, "GET", "/v1/zones", nil)
}
