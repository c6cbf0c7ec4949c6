package idcloudhost

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// request is what a fake handler saw of one call.
type request struct {
	Method, Path, Query, ContentType, APIKey string
	Body                                     string
	Form                                     url.Values
}

// recorder is a hand-written handler: "METHOD /path" → a status and body.
type recorder struct {
	mu     sync.Mutex
	calls  []request
	routes map[string]func(r request) (int, string)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	req := request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), APIKey: r.Header.Get("apikey"), Body: string(b),
	}
	if req.ContentType == "application/x-www-form-urlencoded" {
		req.Form, _ = url.ParseQuery(string(b))
	}
	rec.mu.Lock()
	rec.calls = append(rec.calls, req)
	h := rec.routes[r.Method+" "+r.URL.Path]
	rec.mu.Unlock()
	if h == nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"errors": {"Error": "no route `+r.Method+" "+r.URL.Path+`"}}`)
		return
	}
	status, body := h(req)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (rec *recorder) Calls() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]request(nil), rec.calls...)
}

// example reads a documented example body from testdata/examples.
func example(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func file(t testing.TB, name string) func(request) (int, string) {
	body := example(t, name)
	return func(request) (int, string) { return 200, body }
}

func fixed(status int, body string) func(request) (int, string) {
	return func(request) (int, string) { return status, body }
}

// noSleep records the waits instead of sleeping.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *noSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *noSleep) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newFake starts a recorder server and a client of it that never sleeps.
func newFake(t *testing.T, routes map[string]func(request) (int, string), opts ...Option) (*Client, *recorder, *noSleep) {
	t.Helper()
	rec := &recorder{routes: routes}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	ns := &noSleep{}
	opts = append([]Option{WithSleep(ns.sleep), WithHTTPClient(srv.Client())}, opts...)
	return New(srv.URL, "secret-key", opts...), rec, ns
}
