package httpcall

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want int
	}{
		{"7", 7}, {" 3 ", 3}, {"-2", 0}, {"", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := RetryAfter(tt.v, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

// TestExchange: the answer is read up to the bound; a redirect that turns
// a POST into a GET is refused as not sent; a refused connection is not
// sent either, and its error does not repeat the URL's wrapper.
func TestExchange(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, b, err := Exchange(srv.Client(), req, 10)
	if err != nil || Status(resp) != 200 || len(b) != 10 {
		t.Fatalf("bounded read: %v, %d, %d bytes", err, Status(resp), len(b))
	}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/moved", strings.NewReader("a"))
	if _, _, err := Exchange(srv.Client(), req, 10); !errors.Is(err, ErrMethodRedirect) || !NotSent(err) {
		t.Errorf("a redirect to GET: %v", err)
	}
	srv.Close()
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	_, _, err = Exchange(srv.Client(), req, 10)
	if err == nil || !NotSent(err) || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("a refused connection: %v (not sent: %v)", err, err != nil && NotSent(err))
	}
	if Status(nil) != 0 {
		t.Error("Status(nil)")
	}
}

func TestExpBackoff(t *testing.T) {
	t.Parallel()
	if got := ExpBackoff(100*time.Millisecond, 5*time.Second, 3); got != 400*time.Millisecond {
		t.Errorf("expBackoff(3) = %v", got)
	}
}
