package idcloudhost

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/httpcall"
)

// decodeError turns an error answer into *provider.APIError. It reads both
// shapes of the service — {"errors": {"Error": "…"}} (any key; the value a
// string or an object with "msg") and {"message": "…"} — and falls back to
// the body's text or the status text.
func decodeError(method, path string, status int, header http.Header, body []byte, now time.Time) *provider.APIError {
	e := &provider.APIError{Method: method, Path: path, Status: status}
	e.Message = errorMessage(body)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if header != nil {
		e.RetryAfter = httpcall.RetryAfter(header.Get("Retry-After"), now)
	}
	switch {
	case status == http.StatusNotFound:
		// An unknown location slug is a 404 too, but says nothing of the
		// object: it must not read as "already deleted".
		e.NotFound = !strings.Contains(strings.ToLower(e.Message), "location")
	case status == http.StatusBadRequest && (method == http.MethodGet || method == http.MethodDelete):
		// The live service answers 400 "No such virtual machine exists" or
		// "… not found" for a GET or DELETE of a VM or network that is gone.
		e.NotFound = saysNotFound(e.Message)
	}
	switch status {
	case http.StatusUnauthorized:
		e.Message = "authentication failed: no valid API key was sent (set IDSTACK_API_KEY or --api-key): " + e.Message
	case http.StatusForbidden:
		e.Message = "access denied: the API key is wrong or may not use this resource or billing account: " + e.Message
	}
	return e
}

func saysNotFound(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"no such", "not found", "does not exist", "doesn't exist", "not exist"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// errorMessage extracts the message of an error body, "" when none.
func errorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return clip(string(body))
	}
	if raw, ok := top["errors"]; ok {
		if key, msg := firstValue(raw); msg != "" {
			if key != "" && key != "Error" && key != "error" {
				return key + ": " + msg
			}
			return msg
		}
	}
	for _, k := range []string{"message", "error", "msg", "detail"} {
		if raw, ok := top[k]; ok {
			if _, msg := firstValue(raw); msg != "" {
				return msg
			}
		}
	}
	return clip(string(body))
}

// firstValue reads the message of a JSON value: a string as is, the first
// element of an array, the first member of an object in document order (or
// its "msg"/"message" member when it is an object itself). It returns the
// member's key when the value was an object.
func firstValue(raw json.RawMessage) (key, msg string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", ""
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return "", s
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil && len(arr) > 0 {
			return firstValue(arr[0])
		}
		return "", ""
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", ""
		}
		for _, k := range []string{"msg", "message"} {
			if v, ok := obj[k]; ok {
				if _, m := firstValue(v); m != "" {
					return "", m
				}
			}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil { // '{'
			return "", ""
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return "", ""
			}
			k, _ := t.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return "", ""
			}
			if _, m := firstValue(v); m != "" {
				return k, m
			}
		}
		return "", ""
	default:
		return "", clip(string(raw))
	}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
