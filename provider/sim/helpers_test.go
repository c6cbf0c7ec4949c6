package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/api"
)

// fakeClock is a settable clock for readiness tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

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

// env is a simulator behind a real HTTP server.
type env struct {
	t   *testing.T
	sim *Server
	srv *httptest.Server
	key string
	// client, when set, replaces the server's client (s.Client(): in process).
	client *http.Client
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	key := opts.APIKey
	if key == "" {
		key = "test-key"
	}
	return &env{t: t, sim: s, srv: srv, key: key}
}

// resp is an answer of the simulator.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// strict decodes with DisallowUnknownFields.
func (r resp) strict(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("strict decode %s: %v", r.Body, err)
	}
}

// errMsg is the message of either error shape.
func (r resp) errMsg() string {
	var env struct {
		Errors  map[string]string `json:"errors"`
		Message string            `json:"message"`
	}
	_ = json.Unmarshal(r.Body, &env)
	if env.Message != "" {
		return env.Message
	}
	return env.Errors["Error"]
}

// do sends a request; body is url.Values (form), a string (raw) or any
// other value (JSON).
func (e *env) do(method, path string, body any) resp {
	e.t.Helper()
	r, err := e.send(context.Background(), method, path, body)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// send is do with a context, for any goroutine: it reports errors.
func (e *env) send(ctx context.Context, method, path string, body any) (resp, error) {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			return resp{}, err
		}
		rd, ct = bytes.NewReader(js), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, rd)
	if err != nil {
		return resp{}, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if e.key != "-" {
		req.Header.Set("apikey", e.key)
	}
	client := e.client
	if client == nil {
		client = e.srv.Client()
	}
	res, err := client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}, err
}

// goSend sends a request in the background; the channel gets its answer.
func (e *env) goSend(ctx context.Context, method, path string, body any) <-chan sent {
	ch := make(chan sent, 1)
	go func() {
		r, err := e.send(ctx, method, path, body)
		ch <- sent{r, err}
	}()
	return ch
}

type sent struct {
	resp
	err error
}

// hold makes the simulator's blocking calls wait for release instead of
// their time; each wait reports the duration it was asked for on asked.
func (e *env) hold() (asked <-chan time.Duration, release func()) {
	gate := make(chan struct{})
	ch := make(chan time.Duration, 16)
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	e.t.Cleanup(release)
	e.sim.mu.Lock()
	e.sim.wait = func(d time.Duration) {
		select {
		case ch <- d:
		default:
		}
		<-gate
	}
	e.sim.mu.Unlock()
	return ch, release
}

// waitCall waits until the call log has a call of method and path for
// which ok holds, and returns it (at most 10 s).
func (e *env) waitCall(method, path string, ok func(Call) bool) Call {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, c := range e.sim.Calls() {
			if c.Method == method && c.Path == path && ok(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no %s %s as wanted within 10 s; calls: %+v", method, path, e.sim.Calls())
		}
		time.Sleep(time.Millisecond)
	}
}

func pending(c Call) bool { return c.Pending }
func done(c Call) bool    { return !c.Pending }

// must sends a request and fails the test unless the status is want.
func (e *env) must(want int, method, path string, body any) resp {
	e.t.Helper()
	r := e.do(method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// vmForm is a valid VM create form with overrides.
func vmCreate(kv ...string) url.Values {
	v := form("name", "web-1", "os_name", "ubuntu", "os_version", "22.04", "disks", "20",
		"vcpu", "2", "ram", "2048", "username", "deploy", "password", "Secret123",
		"reserve_public_ip", "false")
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func (e *env) createVM(prefix string, kv ...string) api.VM {
	e.t.Helper()
	var vm api.VM
	e.must(200, "POST", "/v1"+prefix+"/user-resource/vm", vmCreate(kv...)).decode(e.t, &vm)
	return vm
}

func (e *env) getVM(uuid string) api.VM {
	e.t.Helper()
	var vm api.VM
	e.must(200, "GET", "/v1/user-resource/vm?uuid="+uuid, nil).decode(e.t, &vm)
	return vm
}

func (e *env) networks(prefix string) []api.Network {
	e.t.Helper()
	var ns []api.Network
	e.must(200, "GET", "/v1"+prefix+"/network/networks", nil).decode(e.t, &ns)
	return ns
}

// formValues is a form for DELETE bodies.
func formValues(kv ...string) url.Values { return form(kv...) }
