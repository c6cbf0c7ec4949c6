package iwinv

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// seen is what a fake handler saw of one call.
type seen struct {
	Method, Path, Query string
	Header              http.Header
	Form                map[string]string
	Body                string
}

// fake answers "METHOD /path" with scripted status and body, in order
// (the last answer repeats), and records the calls.
type fake struct {
	mu      sync.Mutex
	calls   []seen
	answers map[string][]answer
}

type answer struct {
	status int
	body   string
	header map[string]string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(b)}
	if ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		form, err := multipart.NewReader(strings.NewReader(string(b)), params["boundary"]).ReadForm(1 << 20)
		if err == nil {
			s.Form = map[string]string{}
			for k, v := range form.Value {
				s.Form[k] = v[0]
			}
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, s)
	key := r.Method + " " + r.URL.Path
	list := f.answers[key]
	var a answer
	switch {
	case len(list) == 0:
		a = answer{404, `{"code":"0x1","error_code":"NOT_FOUND","message":"no route ` + key + `","result":null}`, nil}
	case len(list) == 1:
		a = list[0]
	default:
		a, f.answers[key] = list[0], list[1:]
	}
	f.mu.Unlock()
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (f *fake) Calls() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.calls...)
}

// sleeps records the waits of a client instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// clockAt is a fixed clock at 2026-01-01T00:00:00Z (Unix 1767225600).
func clockAt() time.Time { return time.Unix(1767225600, 0) }

func newFake(t *testing.T, answers map[string][]answer, opts ...Option) (*Client, *fake, *sleeps) {
	t.Helper()
	f := &fake{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	opts = append([]Option{WithHTTPClient(srv.Client()), WithSleep(s.sleep), WithClock(clockAt), WithRateLimit(0, 0)}, opts...)
	return New(srv.URL, "sim-access-key", "sim-secret-key", opts...), f, s
}

func ok(result string) answer {
	return answer{200, `{"code":"0x00","error_code":"SUCCESS","message":"","result":` + result + `}`, nil}
}

func failing(status int, code api.ErrorCode, msg string) answer {
	return answer{status, `{"code":"` + code.Code + `","error_code":"` + code.Name + `","message":"` + msg + `","result":null}`, nil}
}

// TestSignature: every request carries the three headers, and the
// signature is the one computed by hand for that timestamp and path:
//
//	printf '%s' '1767225600/v1/zones' | openssl dgst -sha256 -hmac 'sim-secret-key'
//	→ 6072518255b2454272bb9e1738711e52f86dc70896145ca1ffdeb6617c8eb5ca
//
// whatever the query (not signed).
func TestSignature(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, map[string][]answer{"GET /v1/zones": {{200,
		`{"code":"0x00","error_code":"SUCCESS","message":"","result":[{"zone_id":"KR1-Z01","zone_name":"one","status":"active"}],"count":1,"page_no":1,"page_size":10,"total":1}`, nil}}})
	locs, err := c.Locations(context.Background())
	if err != nil || len(locs) != 1 || locs[0].Slug != "KR1-Z01" || !locs[0].Default {
		t.Fatalf("Locations = %+v, %v", locs, err)
	}
	got := f.Calls()[0]
	if got.Query != "page_no=1&page_size=10" {
		t.Errorf("query %q", got.Query)
	}
	for h, want := range map[string]string{
		api.HeaderTimestamp:  "1767225600",
		api.HeaderCredential: "sim-access-key",
		api.HeaderSignature:  "6072518255b2454272bb9e1738711e52f86dc70896145ca1ffdeb6617c8eb5ca",
	} {
		if v := got.Header.Get(h); v != want {
			t.Errorf("%s: %q, want %q", h, v, want)
		}
	}
}

// TestMultipartWrites: instance writes are multipart, names and
// descriptions URL-encoded once, as the reference asks.
func TestMultipartWrites(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, map[string][]answer{"PUT /v1/instances/i-1": {ok(`[]`)}})
	name, desc := "웹 서버", "a+b & c"
	if err := c.EditInstance(context.Background(), "i-1", &name, &desc); err != nil {
		t.Fatal(err)
	}
	got := f.Calls()[0]
	if got.Form["name"] != url.QueryEscape(name) || got.Form["description"] != "a%2Bb+%26+c" {
		t.Errorf("form %v", got.Form)
	}
	if !strings.Contains(got.Query, "fields=") {
		t.Errorf("query %q: an edit answers the instance as its fields mask asks", got.Query)
	}
}

// TestErrorAnswers: the envelope's error code becomes the error's code and
// message; absence is decided per endpoint.
func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		route     string
		answer    answer
		call      func(c *Client) error
		code      string
		notFound  bool
		unknown   bool // provider.OutcomeUnknown
		inMessage string
	}{
		{name: "an instance 404 NOT_FOUND is absence", route: "GET /v1/instances/i-1", answer: failing(404, api.NotFound, "gone"),
			call: func(c *Client) error { _, err := c.GetInstance(context.Background(), "i-1"); return err },
			code: "NOT_FOUND", notFound: true, inMessage: "NOT_FOUND (0x1): gone"},
		{name: "an instance id the API cannot read (ID_INVALID) is absence", route: "GET /v1/instances/i-1", answer: failing(400, api.IDInvalid, "bad id"),
			call: func(c *Client) error { _, err := c.GetInstance(context.Background(), "i-1"); return err },
			code: "ID_INVALID", notFound: true},
		{name: "a busy instance is not absence", route: "POST /v1/instances/i-1/start", answer: failing(409, api.DeletedOrWorkingInstance, "working"),
			call: func(c *Client) error { return c.InstanceAction(context.Background(), "i-1", "start", nil) },
			code: "DELETED_OR_WORKING_INSTANCE", inMessage: "DELETED_OR_WORKING_INSTANCE (0x13)"},
		{name: "a 404 from a list is not absence of anything", route: "GET /v1/instances", answer: failing(404, api.NotFound, "?"),
			call: func(c *Client) error { _, err := c.ListInstances(context.Background(), "z"); return err }, code: "NOT_FOUND"},
		{name: "ID_INVALID in a create names no object", route: "POST /v1/instances", answer: failing(400, api.IDInvalid, "image"),
			call: func(c *Client) error { _, err := c.CreateInstance(context.Background(), nil); return err }, code: "ID_INVALID"},
		{name: "a security group detail with no row is absence", route: "GET /v1/security-groups/FIREWALL-X", answer: ok(`[]`),
			call: func(c *Client) error { _, err := c.GetGroup(context.Background(), "FIREWALL-X"); return err }, notFound: true},
		{name: "rules of a missing group (CHECK_PARAM) alone are not absence", route: "GET /v1/security-groups/FIREWALL-X/rules",
			answer: failing(400, api.CheckParam, "no group"),
			call: func(c *Client) error {
				_, err := listAll[api.Rule](context.Background(), c, groupPath("FIREWALL-X")+"/rules", nil)
				return err
			}, code: "CHECK_PARAM"},
		{name: "a business error in a 200 is an error", route: "GET /v1/zones", answer: answer{200, `{"code":"0xe","error_code":"CHECK_PARAM","message":"odd","result":null}`, nil},
			call: func(c *Client) error { _, err := c.ListZones(context.Background()); return err }, code: "CHECK_PARAM"},
		{name: "an undocumented code is named as such", route: "GET /v1/zones", answer: answer{400, `{"code":"0x99","error_code":"SOMETHING_NEW","message":"?","result":null}`, nil},
			call: func(c *Client) error { _, err := c.ListZones(context.Background()); return err }, inMessage: `undocumented error "SOMETHING_NEW" (0x99)`},
		{name: "a garbled code is not trusted", route: "GET /v1/zones", answer: answer{400, `{"code":"0x2","error_code":"NOT_FOUND","message":"?","result":null}`, nil},
			call: func(c *Client) error { _, err := c.ListZones(context.Background()); return err }, inMessage: "undocumented error"},
		{name: "a gateway's page is clipped", route: "POST /v1/instances", answer: answer{502, "<html>" + strings.Repeat("x", 1000) + "</html>", nil},
			call:    func(c *Client) error { _, err := c.CreateInstance(context.Background(), nil); return err },
			unknown: true, inMessage: "…"},
		{name: "a refused signature says what to check", route: "GET /v1/zones", answer: failing(401, api.CheckSignature, "stale"),
			call: func(c *Client) error { _, err := c.ListZones(context.Background()); return err }, code: "CHECK_SIGNATURE", inMessage: "the clock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, map[string][]answer{tc.route: {tc.answer}}, WithRetry(1, 0, 0))
			err := tc.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			if got := codeOf(err); got != tc.code {
				t.Errorf("code %q, want %q (%v)", got, tc.code, err)
			}
			if got := errors.Is(err, provider.ErrNotFound); got != tc.notFound {
				t.Errorf("ErrNotFound %v, want %v (%v)", got, tc.notFound, err)
			}
			if got := provider.OutcomeUnknown(err); got != tc.unknown {
				t.Errorf("OutcomeUnknown %v, want %v (%v)", got, tc.unknown, err)
			}
			if !strings.Contains(err.Error(), tc.inMessage) {
				t.Errorf("%q does not say %q", err, tc.inMessage)
			}
			if len(err.Error()) > 600 {
				t.Errorf("a %d-character error", len(err.Error()))
			}
		})
	}
}

// TestRetries: reads are repeated after 5xx; creates never after a 5xx,
// but after a 429 (it did nothing), waiting Retry-After; an exhausted
// read says ErrGaveUp; a refused connection ErrNotSent.
func TestRetries(t *testing.T) {
	t.Parallel()
	create := func(c *Client) error {
		_, err := c.CreateInstance(context.Background(), []field{{"zone_id", "z"}})
		return err
	}
	list := func(c *Client) error { _, err := c.ListZones(context.Background()); return err }
	zones := ok(`[]`)
	created := answer{202, `{"code":"0x00","error_code":"SUCCESS","message":"","result":[{"instance_id":"i-1","status":"building"}],"count":1}`, nil}
	busy := func(retryAfter string) answer {
		a := failing(429, api.LimitExceeded, "slow down")
		if retryAfter != "" {
			a.header = map[string]string{"Retry-After": retryAfter}
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		route    string
		answers  []answer
		call     func(*Client) error
		calls    int
		wantErr  bool
		gaveUp   bool
		unknown  bool
		minSleep time.Duration
	}{
		{name: "a read through two 503s", route: "GET /v1/zones", answers: []answer{failing(503, api.DevCheckReturn, "x"), failing(503, api.DevCheckReturn, "x"), zones},
			call: list, calls: 3},
		{name: "a read that keeps failing gives up", route: "GET /v1/zones", answers: []answer{failing(500, api.DevCheckReturn, "x")},
			call: list, calls: 4, wantErr: true, gaveUp: true, unknown: true},
		{name: "a read refused (400) is not repeated", route: "GET /v1/zones", answers: []answer{failing(400, api.CheckParam, "x")},
			call: list, calls: 1, wantErr: true},
		{name: "a create after a 503 is not repeated", route: "POST /v1/instances", answers: []answer{failing(503, api.DevCheckReturn, "x"), created},
			call: create, calls: 1, wantErr: true, unknown: true},
		{name: "a create after a 429 is repeated after Retry-After", route: "POST /v1/instances", answers: []answer{busy("7"), created},
			call: create, calls: 2, minSleep: 7 * time.Second},
		{name: "a create rate-limited to the end is known not done", route: "POST /v1/instances", answers: []answer{busy("")},
			call: create, calls: 4, wantErr: true, gaveUp: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, f, s := newFake(t, map[string][]answer{tc.route: tc.answers}, WithRetry(4, time.Millisecond, 4*time.Millisecond))
			err := tc.call(c)
			if n := len(f.Calls()); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			if (err != nil) != tc.wantErr || errors.Is(err, provider.ErrGaveUp) != tc.gaveUp || provider.OutcomeUnknown(err) != tc.unknown {
				t.Errorf("error %v: want error %v, gave up %v, unknown %v", err, tc.wantErr, tc.gaveUp, tc.unknown)
			}
			if tc.minSleep > 0 && !containsDuration(s.all(), tc.minSleep) {
				t.Errorf("sleeps %v, want one of %v", s.all(), tc.minSleep)
			}
		})
	}
}

func containsDuration(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// TestNotSent: a call to an endpoint that refuses connections never had
// an effect, even a create (repeated, since it was never sent).
func TestNotSent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	c := New(u, "k", "s", WithRateLimit(0, 0), WithRetry(3, time.Millisecond, time.Millisecond))
	_, err := c.CreateInstance(context.Background(), nil)
	if !errors.Is(err, provider.ErrNotSent) || provider.OutcomeUnknown(err) {
		t.Errorf("create to a closed port: %v (ErrNotSent %v, unknown %v)", err, errors.Is(err, provider.ErrNotSent), provider.OutcomeUnknown(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ListZones(ctx); !errors.Is(err, provider.ErrNotSent) {
		t.Errorf("a cancelled call: %v, want ErrNotSent", err)
	}
}

// TestNoSecrets: an instance read never asks for the default account or
// the console link, and a server that sends them anyway leaves no trace
// in the object or the call log.
func TestNoSecrets(t *testing.T) {
	t.Parallel()
	const password, console = "Sup3r-Secret-pw", "https://console.invalid/vnc/secret-token"
	detail := `[{"instance_id":"i-1","name":"web","description":null,"status":"active","ip":["10.0.0.4"],
		"zone":{"zone_id":"KR1-Z01","zone_name":"one"},"flavor":{"flavor_id":"f","name":"F"},"image":{"image_id":"i","name":"I"},
		"default_account":{"username":"root","password":"` + password + `"},"vnc":{"url":"` + console + `"}}]`
	var infos []CallInfo
	var mu sync.Mutex
	c, f, _ := newFake(t, map[string][]answer{"GET /v1/instances/i-1": {ok(detail)}}, WithObserver(func(ci CallInfo) {
		mu.Lock()
		infos = append(infos, ci)
		mu.Unlock()
	}))
	obj, err := c.Get(context.Background(), VMs, "KR1-Z01", "i-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(obj)
	mu.Lock()
	ib, _ := json.Marshal(infos)
	mu.Unlock()
	for _, s := range []string{password, console, "default_account", "vnc"} {
		if strings.Contains(string(b), s) || strings.Contains(string(ib), s) {
			t.Errorf("%q kept: object %s, calls %s", s, b, ib)
		}
	}
	q, _ := url.ParseQuery(f.Calls()[0].Query)
	var mask int
	_, _ = fmtSscan(q.Get("fields"), &mask)
	if mask == 0 || mask&(api.FieldDefaultAccount|api.FieldVNC) != 0 {
		t.Errorf("fields mask %d asks for secrets (or nothing)", mask)
	}
	if obj.Status != "running" || obj.Attrs["power"] != "running" || obj.Attrs["ip"] != "10.0.0.4" {
		t.Errorf("object %+v", obj)
	}
}
