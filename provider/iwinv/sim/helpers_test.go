package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// fakeClock is a settable clock: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// clockStart is 2026-01-01T00:00:00Z, Unix 1767225600.
var clockStart = time.Unix(1767225600, 0).UTC()

func newClock() *fakeClock { return &fakeClock{t: clockStart} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a simulator with a fake clock behind a real HTTP server.
type env struct {
	t     *testing.T
	sim   *Server
	clock *fakeClock
	srv   *httptest.Server
}

const testReady = time.Minute

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := newClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.ReadyAfter == 0 {
		opts.ReadyAfter = testReady
	}
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: s, clock: clock, srv: srv}
}

// form is a multipart body: pairs of name, value.
type form []string

// answer is a decoded answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
	env    api.Envelope
}

// request builds a signed request (signature over the path, the clock's
// time).
func (e *env) request(method, path string, body any) *http.Request {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case form:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for i := 0; i+1 < len(b); i += 2 {
			_ = mw.WriteField(b[i], b[i+1])
		}
		mw.Close()
		rd, ct = &buf, mw.FormDataContentType()
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	u, _ := url.Parse(path)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCredential, DefaultAccessKey)
	req.Header.Set(api.HeaderSignature, api.Sign(DefaultSecretKey, ts, u.Path))
	return req
}

func (e *env) send(req *http.Request) answer {
	e.t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: b}
	if err := json.Unmarshal(b, &a.env); err != nil {
		e.t.Fatalf("%s %s: the answer is no envelope: %v\n%s", req.Method, req.URL.Path, err, b)
	}
	return a
}

func (e *env) do(method, path string, body any) answer {
	e.t.Helper()
	return e.send(e.request(method, path, body))
}

// must calls and checks the status and success.
func (e *env) must(status int, method, path string, body any) answer {
	e.t.Helper()
	a := e.do(method, path, body)
	if a.status != status || !a.env.OK() {
		e.t.Fatalf("%s %s = %d %s %s, want %d SUCCESS", method, path, a.status, a.env.ErrorCode, a.env.Message, status)
	}
	return a
}

// fails calls and checks the status and error code.
func (e *env) fails(status int, code api.ErrorCode, method, path string, body any) answer {
	e.t.Helper()
	a := e.do(method, path, body)
	if a.status != status || a.env.ErrorCode != code.Name || a.env.Code != code.Code {
		e.t.Fatalf("%s %s = %d %s (%s) %q, want %d %v", method, path, a.status, a.env.ErrorCode, a.env.Code, a.env.Message, status, code)
	}
	return a
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.env.Result, v); err != nil {
		t.Fatalf("decoding the result: %v\n%s", err, a.raw)
	}
}

// createInstance makes an instance in zone and returns its id (building).
func (e *env) createInstance(zone, name string) string {
	e.t.Helper()
	var acc []api.Accepted
	e.must(202, "POST", "/v1/instances", form{"zone_id", zone, "image_id", "img-ubuntu-2204", "flavor_id", "fl-std-1c1g", "name", name}).decode(e.t, &acc)
	if len(acc) != 1 || acc[0].Status != api.StatusBuilding {
		e.t.Fatalf("create answered %+v", acc)
	}
	return acc[0].InstanceID
}

// activeInstance makes an instance and lets it finish building.
func (e *env) activeInstance(zone, name string) string {
	id := e.createInstance(zone, name)
	e.clock.Advance(testReady)
	return id
}

func (e *env) instance(id string) api.Instance {
	e.t.Helper()
	var out []api.Instance
	e.must(200, "GET", "/v1/instances/"+id+"?fields="+strconv.Itoa(api.InstanceFields), nil).decode(e.t, &out)
	if len(out) != 1 {
		e.t.Fatalf("detail of %s: %d rows", id, len(out))
	}
	return out[0]
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
