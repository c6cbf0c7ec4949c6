package idcloudhost

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason         string
		method         string
		status         int
		body           string
		want           string
		notFound       bool
		wantRetryAfter int
	}{
		{"document shape", "POST", 400, `{"errors": {"Error": "VM name is invalid"}}`, "VM name is invalid", false, 0},
		{"document shape: the VM delete example", "DELETE", 400, `{"errors": {"Error": "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc"}}`,
			"No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc", true, 0},
		{"live 400 not found on GET", "GET", 400, `{"message": "Network not found"}`, "Network not found", true, 0},
		{"400 not found on a POST is not NotFound", "POST", 400, `{"errors": {"Error": "No such virtual machine exists. x"}}`, "No such virtual machine exists. x", false, 0},
		{"plain 400 on GET is not NotFound", "GET", 400, `{"errors": {"Error": "invalid uuid"}}`, "invalid uuid", false, 0},
		{"message shape", "PATCH", 409, `{"message": "Network has resources"}`, "Network has resources", false, 0},
		{"other key with msg", "POST", 403, `{"errors": {"consumer::resource_forbidden": {"msg": "Billing account is not yours"}}}`,
			"access denied: the API key is wrong or may not use this resource or billing account: consumer::resource_forbidden: Billing account is not yours", false, 0},
		{"first key in document order", "POST", 400, `{"errors": {"zeta": "first", "alpha": "second"}}`, "zeta: first", false, 0},
		{"404", "GET", 404, `{"errors": {"Error": "Resource not found"}}`, "Resource not found", true, 0},
		{"404 without body", "DELETE", 404, ``, "Not Found", true, 0},
		{"missing key", "GET", 401, `{"message": "No API key found in request"}`,
			"authentication failed: no valid API key was sent (set IDSTACK_API_KEY or --api-key): No API key found in request", false, 0},
		{"wrong key", "GET", 403, `{"message": "Invalid authentication credentials"}`,
			"access denied: the API key is wrong or may not use this resource or billing account: Invalid authentication credentials", false, 0},
		{"html body", "GET", 502, `<html>Bad gateway</html>`, "<html>Bad gateway</html>", false, 0},
		{"429 with Retry-After", "GET", 429, `{"message": "slow down"}`, "slow down", false, 7},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			h := http.Header{}
			if tc.wantRetryAfter != 0 {
				h.Set("Retry-After", "7")
			}
			e := decodeError(tc.method, "/x", tc.status, h, []byte(tc.body), time.Now())
			want := &provider.APIError{Method: tc.method, Path: "/x", Status: tc.status, Message: tc.want, NotFound: tc.notFound, RetryAfter: tc.wantRetryAfter}
			if diff := cmp.Diff(want, e); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got := errors.Is(e, provider.ErrNotFound); got != tc.notFound {
				t.Errorf("errors.Is(ErrNotFound) = %v", got)
			}
		})
	}
}

// The URL, headers and both encodings.
func TestDoBuildsRequests(t *testing.T) {
	t.Parallel()
	c, rec, _ := newFake(t, map[string]func(request) (int, string){
		"DELETE /v1/user-resource/vm":                   fixed(200, ""),
		"PATCH /v1/jkt02/network/network/n-1":           fixed(200, `{"uuid": "n-1", "name": "b"}`),
		"DELETE /v1/jkt02/storage/disks/d-1":            fixed(204, ""),
		"DELETE /v1/storage/bucket":                     fixed(204, ""),
		"POST /v1/jkt02/network/network":                fixed(200, `{"uuid": "n-2", "name": "a b&c"}`),
		"DELETE /v1/jkt02/network/ip_addresses/1.2.3.4": fixed(200, ""),
	})
	ctx := context.Background()
	if err := c.Delete(ctx, VMs, "", "u-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RenameNetwork(ctx, "jkt02", "n-1", "b"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteDisk(ctx, "jkt02", "d-1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, Buckets, "jkt02", "assets"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, Networks, "jkt02", provider.Attrs{"name": "a b&c"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, FloatingIPs, "jkt02", "1.2.3.4"); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	type seen struct{ Method, Path, Query, ContentType, Body string }
	var got []seen
	for _, c := range calls {
		if c.APIKey != "secret-key" {
			t.Errorf("apikey = %q", c.APIKey)
		}
		got = append(got, seen{c.Method, c.Path, c.Query, c.ContentType, c.Body})
	}
	want := []seen{
		{"DELETE", "/v1/user-resource/vm", "", "application/x-www-form-urlencoded", "uuid=u-1"},
		{"PATCH", "/v1/jkt02/network/network/n-1", "", "application/json", `{"name":"b"}`},
		{"DELETE", "/v1/jkt02/storage/disks/d-1", "", "", ""},
		{"DELETE", "/v1/storage/bucket", "name=assets", "", ""},
		{"POST", "/v1/jkt02/network/network", "name=a+b%26c", "", ""},
		{"DELETE", "/v1/jkt02/network/ip_addresses/1.2.3.4", "", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestNotFoundAnswers(t *testing.T) {
	t.Parallel()
	c, _, _ := newFake(t, map[string]func(request) (int, string){
		"GET /v1/jkt01/user-resource/vm":       fixed(400, `{"errors": {"Error": "No such virtual machine exists. u-1"}}`),
		"GET /v1/jkt01/network/networks":       fixed(200, `[]`),
		"DELETE /v1/jkt01/user-resource/vm":    fixed(400, `{"errors": {"Error": "No such virtual machine exists. u-1"}}`),
		"GET /v1/jkt01/network/network/n-1":    fixed(400, `{"message": "Network not found"}`),
		"DELETE /v1/jkt01/network/network/n-1": fixed(404, `{"message": "Network not found"}`),
		"DELETE /v1/jkt01/network/network/n-2": fixed(400, `{"message": "Default network cannot be deleted"}`),
	})
	ctx := context.Background()
	if _, err := c.Get(ctx, VMs, "jkt01", "u-1"); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Get(vm) = %v, want ErrNotFound", err)
	}
	if err := c.Delete(ctx, VMs, "jkt01", "u-1"); err != nil {
		t.Errorf("Delete(vm) of a missing VM = %v", err)
	}
	if _, err := c.Get(ctx, Networks, "jkt01", "n-1"); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Get(network) = %v, want ErrNotFound", err)
	}
	if err := c.Delete(ctx, Networks, "jkt01", "n-1"); err != nil {
		t.Errorf("Delete(network) of a missing network = %v", err)
	}
	err := c.Delete(ctx, Networks, "jkt01", "n-2")
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "Default network cannot be deleted" || ae.NotFound {
		t.Errorf("Delete(default network) = %#v", err)
	}
}

func TestRetriesGETOn503And429(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, _, ns := newFake(t, map[string]func(request) (int, string){
		"GET /v1/jkt01/network/networks": func(request) (int, string) {
			switch n.Add(1) {
			case 1:
				return 503, `{"message": "upstream unavailable"}`
			case 2:
				return 500, `{"errors": {"Error": "internal"}}`
			}
			return 200, `[]`
		},
	}, WithRetry(5, 100*time.Millisecond, time.Second))
	if _, err := c.ListNetworks(context.Background(), "jkt01"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("attempts = %d, want 3", n.Load())
	}
	waits := ns.Waits()
	if len(waits) != 2 || waits[0] > 100*time.Millisecond || waits[1] > 200*time.Millisecond {
		t.Errorf("waits = %v, want 2 within [0,100ms] and [0,200ms]", waits)
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	rec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
			_, _ = w.Write([]byte(`{"message": "Too many requests"}`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	})
	srv := httptest.NewServer(rec)
	defer srv.Close()
	ns := &noSleep{}
	c := New(srv.URL, "k", WithSleep(ns.sleep), WithRetry(3, time.Millisecond, 10*time.Millisecond))
	if _, err := c.ListVMs(context.Background(), "jkt01"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{3 * time.Second}, ns.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	var infos []CallInfo
	c, _, _ := newFake(t, map[string]func(request) (int, string){
		"GET /v1/jkt01/network/networks": func(request) (int, string) { n.Add(1); return 502, `{"message": "bad gateway"}` },
	}, WithRetry(4, time.Millisecond, time.Millisecond), WithObserver(func(ci CallInfo) { infos = append(infos, ci) }))
	_, err := c.ListNetworks(context.Background(), "jkt01")
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != 502 || !ae.Transient() {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 4 || len(infos) != 4 || !infos[2].Retry || infos[3].Retry || infos[3].Attempt != 4 || infos[0].Status != 502 {
		t.Errorf("attempts = %d, infos = %+v", n.Load(), infos)
	}
}

func TestCreateIsNeverRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	h := func(request) (int, string) { n.Add(1); return 503, `{"message": "unavailable"}` }
	c, rec, ns := newFake(t, map[string]func(request) (int, string){
		"POST /v1/jkt01/user-resource/vm":        h,
		"POST /v1/jkt01/network/network":         h,
		"POST /v1/jkt01/storage/disks":           h,
		"POST /v1/jkt01/network/ip_addresses/":   h,
		"POST /v1/jkt01/network/load_balancers":  h,
		"PUT /v1/storage/bucket":                 h,
		"POST /v1/jkt01/user-resource/vm/backup": h,
	})
	ctx := context.Background()
	for _, k := range []provider.Kind{VMs, Networks, Disks, FloatingIPs, LoadBalancers, Buckets} {
		if _, err := c.Create(ctx, k, "jkt01", provider.Attrs{"name": "web-1", "size": 20}); err == nil {
			t.Errorf("Create(%s) succeeded", k)
		}
	}
	if _, err := c.ToggleVMBackup(ctx, "jkt01", "u"); err == nil {
		t.Error("toggle succeeded")
	}
	if n.Load() != 7 || len(ns.Waits()) != 0 {
		t.Errorf("calls = %d (want 7, one each), waits = %v; calls: %+v", n.Load(), ns.Waits(), rec.Calls())
	}
}

func TestConnectionErrorsAndTimeoutsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	block := make(chan struct{})
	defer close(block)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select { // the first attempt hangs past the per-call timeout
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	ns := &noSleep{}
	c := New(srv.URL, "k", WithSleep(ns.sleep), WithCallTimeout(50*time.Millisecond))
	if _, err := c.ListDisks(context.Background(), "jkt01"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d", n.Load())
	}

	// A refused connection is retried too, then reported.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ns2 := &noSleep{}
	c2 := New("http://"+addr, "k", WithSleep(ns2.sleep), WithRetry(3, time.Millisecond, time.Millisecond))
	if _, err := c2.ListDisks(context.Background(), "jkt01"); err == nil || !strings.Contains(err.Error(), "GET /storage/disks") {
		t.Errorf("err = %v", err)
	}
	if len(ns2.Waits()) != 2 {
		t.Errorf("waits = %v, want 2", ns2.Waits())
	}
}

func TestContextCancellationStopsRetries(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	c, _, _ := newFake(t, map[string]func(request) (int, string){
		"GET /v1/jkt01/network/networks": func(request) (int, string) { n.Add(1); return 503, `{}` },
	}, WithRetry(10, time.Hour, time.Hour), WithSleep(func(ctx context.Context, d time.Duration) error {
		cancel()
		return httpcall.Sleep(ctx, d)
	}))
	_, err := c.ListNetworks(ctx, "jkt01")
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Errorf("err = %v after %d attempts", err, n.Load())
	}
}

func TestBackoffBounded(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt < 70; attempt++ {
		for range 20 {
			d := DefaultBackoff(100*time.Millisecond, 5*time.Second, attempt, nil)
			if d < 0 || d > 5*time.Second {
				t.Fatalf("attempt %d: %v out of [0, 5s]", attempt, d)
			}
		}
	}
	resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"12"}}}
	if got := DefaultBackoff(time.Millisecond, time.Second, 1, resp); got != 12*time.Second {
		t.Errorf("Retry-After: %v", got)
	}
}

func TestObserverNeverSeesSecrets(t *testing.T) {
	t.Parallel()
	var infos []CallInfo
	c, _, _ := newFake(t, map[string]func(request) (int, string){
		"PATCH /v1/jkt01/user-resource/vm/user": fixed(200, `{"success": true}`),
	}, WithObserver(func(ci CallInfo) { infos = append(infos, ci) }))
	if err := c.SetVMPassword(context.Background(), "jkt01", "u-1", "deploy", "Sup3rSecret"); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 {
		t.Fatalf("infos = %+v", infos)
	}
	s := strings.ToLower(strings.Join([]string{infos[0].Method, infos[0].Location, infos[0].Path}, " "))
	if strings.Contains(s, "sup3rsecret") || strings.Contains(s, "secret-key") || infos[0].Status != 200 || infos[0].Path != "/user-resource/vm/user" {
		t.Errorf("info = %+v", infos[0])
	}
}

func TestRedirectChangingTheMethodIsAnError(t *testing.T) {
	t.Parallel()
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/") {
			posts.Add(1)
			http.Redirect(w, r, strings.TrimSuffix(r.URL.Path, "/"), http.StatusMovedPermanently)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c := New(srv.URL, "k")
	_, err := c.CreateFloatingIP(context.Background(), "jkt01", "ip", 1)
	if err == nil || !strings.Contains(err.Error(), "redirect") || posts.Load() != 1 {
		t.Errorf("err = %v, posts = %d", err, posts.Load())
	}
}

func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{`{"errors": {"Error": "x"}}`, `{"message": "y"}`, `{"errors": {"k": {"msg": "z"}}}`, `{"errors": []}`, `{"errors": {"a": null}}`, `nope`, ``} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := decodeError("GET", "/p", status, nil, []byte(body), time.Now())
		if e.Message == "" && http.StatusText(status) != "" {
			t.Errorf("no message for %d %q", status, body)
		}
	})
}
