package iwinv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// notFoundRule decides, per endpoint, which error answers mean "no such
// object": iwinv's 404 is not always absence, and absence is not always a
// 404 (an instance id of the wrong shape is 400 ID_INVALID).
type notFoundRule func(status int, code string) bool

// byID is the rule of a path that names an instance or a block storage:
// 404 NOT_FOUND, or 400 ID_INVALID (an id the API does not know the shape
// of: it names no object).
func byID(status int, code string) bool {
	return status == http.StatusNotFound && code == api.NotFound.Name ||
		status == http.StatusBadRequest && code == api.IDInvalid.Name
}

// by404 is the rule of a path whose missing object answers 404 NOT_FOUND
// (a security group's PUT and DELETE, a rule).
func by404(status int, code string) bool {
	return status == http.StatusNotFound && code == api.NotFound.Name
}

// Error is an error answer of the API: the shared *provider.APIError (its
// message names the error code) and the documented error_code, so that
// callers match codes without reading messages.
type Error struct {
	*provider.APIError
	Code string // "" for a code the table does not hold
}

func (e *Error) Error() string { return e.APIError.Error() }

// Unwrap lets errors.As find the *provider.APIError and errors.Is match
// provider.ErrNotFound.
func (e *Error) Unwrap() error { return e.APIError }

// decodeError turns an error answer into an *Error whose message names the
// documented error code. A body that is no envelope keeps its first 300
// characters (never more: answers may hold secrets).
func decodeError(method, path string, status int, header http.Header, body []byte, now time.Time, rule notFoundRule) *Error {
	e := &provider.APIError{Method: method, Path: path, Status: status}
	var env api.Envelope
	code := ""
	if err := json.Unmarshal(body, &env); err == nil && (env.Code != "" || env.ErrorCode != "") {
		if c, ok := api.LookupErrorCode(env.ErrorCode, env.Code); ok {
			code = c.Name
			e.Message = c.String()
		} else {
			e.Message = fmt.Sprintf("undocumented error %q (%s)", env.ErrorCode, env.Code)
		}
		if msg := strings.TrimSpace(env.Message); msg != "" {
			e.Message += ": " + clip(msg)
		}
	} else {
		e.Message = clip(string(body))
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if header != nil {
		e.RetryAfter = httpcall.RetryAfter(header.Get("Retry-After"), now)
	}
	if rule != nil && status != http.StatusOK {
		e.NotFound = rule(status, code)
	}
	switch status {
	case http.StatusUnauthorized:
		e.Message = "authentication failed (check IDSTACK_IWINV_ACCESS_KEY, IDSTACK_IWINV_SECRET_KEY and the clock, which must be within 5 minutes of the API's): " + e.Message
	case http.StatusForbidden:
		e.Message = "access denied (an API key may be restricted to source addresses): " + e.Message
	}
	return &Error{APIError: e, Code: code}
}

// codeOf is the documented error code of an error answer, "" when none.
func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isBusy: the instance (or volume, or group) is in a transition or in
// use; the same call may pass once it is done.
func isBusy(err error) bool {
	var apiErr *provider.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, provider.ErrNotFound) }

// transient: the same call may pass later (5xx, 429, no answer), unless
// the run was cancelled.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, provider.ErrGaveUp) {
		return false
	}
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Transient()
	}
	return true
}

// absent is the error of a read whose answer says "none" with a success
// (a security group detail answers an empty array).
func absent(method, path, what string) error {
	return &provider.APIError{Method: method, Path: path, Status: http.StatusOK, Message: what + " does not exist (empty result)", NotFound: true}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// notSentErr marks the error of a create that failed before its call was
// sent (a value the API would refuse, a read it needed first): known not
// to have happened, so the engine does not wait for it to appear.
func notSentErr(err error) error {
	if err == nil || errors.Is(err, provider.ErrNotSent) {
		return err
	}
	return fmt.Errorf("%w (%w)", err, provider.ErrNotSent)
}
