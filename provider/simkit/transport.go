package simkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// ErrLostResponse is the transport error of a call whose answer was
// dropped (Fault.LostResponse) when a simulator is used in process: the
// handler aborted with http.ErrAbortHandler.
var ErrLostResponse = errors.New("sim: connection closed before the answer (lost response)")

// Transport returns an http.RoundTripper that serves requests with h in
// process, without a listener. The request's host is ignored.
func Transport(h http.Handler) http.RoundTripper { return transport{h} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(req *http.Request) (res *http.Response, err error) {
	// A RoundTripper must not change the request; the handler reads the body.
	r := req.Clone(req.Context())
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	} else {
		r.Body = http.NoBody
	}
	r.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				res, err = nil, ErrLostResponse
				return
			}
			res, err = nil, fmt.Errorf("sim: handler panic: %v", p)
		}
	}()
	t.h.ServeHTTP(rec, r)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	out := rec.Result()
	out.Request = req
	return out, nil
}

// Serve serves h on ln until ctx is done, then shuts down gracefully
// (calls in flight get 5 s to finish).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		return err
	}
}
