package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// family groups routes by the kind of resource they serve; with Quirks
// "live" it selects the error shape.
type family int

const (
	famOther family = iota
	famVM
	famNetwork
	famDisk
	famFIP
	famLB
	famBucket
	famAuth
)

// handler serves one route with the world locked.
type handler func(*call) (result, *apiErr)

// route is one documented endpoint.
type route struct {
	method  string
	pattern []string // path segments after /v1 and the slug; "{x}" binds x
	global  bool     // no location
	fam     family
	live400 bool // with Quirks "live", not found answers 400
	h       handler
}

func (rt *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.pattern) {
		return nil, false
	}
	var params map[string]string
	for i, p := range rt.pattern {
		if strings.HasPrefix(p, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(p, "{}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

func lr(method, path string, fam family, h handler) route {
	return route{method: method, pattern: strings.Split(strings.Trim(path, "/"), "/"), fam: fam, h: h}
}

func gr(method, path string, fam family, h handler) route {
	rt := lr(method, path, fam, h)
	rt.global = true
	return rt
}

// call is one request being served.
type call struct {
	s      *Server
	w      *World
	r      *http.Request
	rt     *route
	now    time.Time
	loc    string // "" for global routes
	path   string // without /v1 and the slug
	params map[string]string
	form   url.Values // query, then form body
	body   []byte
	isJSON bool
	// rec is the call's entry in the call log; lost and gateway say that
	// its client left or the gateway answered before the API.
	rec     *Call
	lost    bool
	gateway bool
}

// readBody reads the body and parses it as the endpoint expects: a form
// body (also for DELETE, which net/http does not parse) is merged with the
// query; a JSON body is kept for json(), and is not a form.
func (c *call) readBody() error {
	b, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("cannot read the request body: %v", err)
	}
	c.body = b
	c.form = url.Values{}
	for k, v := range c.r.URL.Query() {
		c.form[k] = v
	}
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(b)
	switch {
	case ct == "application/json" || (ct == "" && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		c.isJSON = true
	case len(trimmed) > 0 && (ct == "" || ct == "application/x-www-form-urlencoded"):
		vals, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return fmt.Errorf("malformed form body: %v", err)
		}
		for k, v := range vals {
			c.form[k] = append(v, c.form[k]...)
		}
	}
	return nil
}

// result is a successful answer.
type result struct {
	code       int
	body       any
	empty      bool
	isErr      bool
	retryAfter int
	// wait and then make a handler block without the lock (a synchronous
	// VM call): the server sleeps wait, then calls then for the answer.
	wait time.Duration
	then handler
}

func ok(body any) result  { return result{code: http.StatusOK, body: body} }
func emptyOK() result     { return result{code: http.StatusOK, empty: true} }
func noContent() result   { return result{code: http.StatusNoContent, empty: true} }
func successTrue() result { return ok(map[string]bool{"success": true}) }
func errResult(code int, msg string) result {
	return result{code: code, body: msg, isErr: true}
}

// apiErr is an error answer.
type apiErr struct {
	code     int
	msg      string
	notFound bool
}

func badRequest(format string, a ...any) *apiErr {
	return &apiErr{code: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) *apiErr {
	return &apiErr{code: http.StatusConflict, msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *apiErr {
	return &apiErr{code: http.StatusNotFound, msg: fmt.Sprintf(format, a...), notFound: true}
}

func billingErr() *apiErr { return badRequest("Provided billing account is incorrect.") }

// str returns a form value.
func (c *call) str(name string) string { return strings.TrimSpace(c.form.Get(name)) }

// integer parses a whole-number form field; present is false when absent
// or empty.
func (c *call) integer(name string) (v int, present bool, e *apiErr) {
	s := c.str(name)
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, true, badRequest("%s must be a whole number, got %q", name, s)
	}
	return n, true, nil
}

// boolean parses a true/false form field with its default.
func (c *call) boolean(name string, def bool) (bool, *apiErr) {
	s := c.str(name)
	if s == "" {
		return def, nil
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, badRequest("%s must be true or false, got %q", name, s)
}

// jsonBody decodes the JSON body into v (a nil or empty body is {}).
func (c *call) jsonBody(v any) *apiErr {
	if !c.isJSON || len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return badRequest("malformed JSON body: %v", err)
	}
	return nil
}

// flexInt is a JSON whole number that may also come as a string.
type flexInt struct {
	V   int
	Set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%s is not a whole number", b)
	}
	f.V, f.Set = n, true
	return nil
}

// flexBool is a JSON boolean that may also come as a string ("true").
type flexBool struct {
	V   bool
	Set bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(string(b), `"`))
	switch s {
	case "null", "":
		return nil
	case "true", "1":
		f.V, f.Set = true, true
	case "false", "0":
		f.V, f.Set = false, true
	default:
		return fmt.Errorf("%s is not a boolean", b)
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func (c *call) ts() string      { return c.now.UTC().Format(tsLayout) }
func (c *call) tsJava() string  { return c.now.UTC().Format(tsJavaLayout) }
func (c *call) tsMicro() string { return c.now.UTC().Format(tsMicro) }

// billing reads billing_account_id: the account's default when absent and
// optional, an error when absent and required, and the document's error
// when it is not one of the account's billing accounts.
func (c *call) billing(required bool) (int, *apiErr) {
	id, has, e := c.integer("billing_account_id")
	switch {
	case e != nil:
		return 0, e
	case !has && required:
		return 0, badRequest("billing_account_id is required")
	case !has:
		return c.w.defaultBilling(), nil
	case !c.w.billingOK(id):
		return 0, billingErr()
	}
	return id, nil
}
