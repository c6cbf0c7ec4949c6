package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// call is one request being served.
type call struct {
	s      *Server
	w      *World
	r      *http.Request
	now    time.Time
	path   string // the URL path without /v1 ("/instances/{id}")
	params map[string]string
	query  url.Values
	form   url.Values // a multipart or urlencoded body
	body   []byte     // a JSON body
	isJSON bool
	// bodyErr is a body that could not be read or parsed: the call is
	// refused once it is authenticated.
	bodyErr error
}

const maxBody = 1 << 20

// newCall reads the request's body before the call waits for its
// latency: a handler may not read it after ServeHTTP returns.
func newCall(r *http.Request) *call {
	c := &call{r: r, query: r.URL.Query(), form: url.Values{}}
	if p := r.URL.Path; strings.HasPrefix(p, "/v1/") {
		c.path = strings.TrimRight(strings.TrimPrefix(p, "/v1"), "/")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		c.bodyErr = err
		return c
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(b)
	switch {
	case len(trimmed) == 0:
	case ct == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
		f, err := mr.ReadForm(maxBody)
		if err != nil {
			c.bodyErr = fmt.Errorf("malformed multipart body: %v", err)
			return c
		}
		for k, v := range f.Value {
			c.form[k] = v
		}
		_ = f.RemoveAll()
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(trimmed))
		if err != nil {
			c.bodyErr = fmt.Errorf("malformed form body: %v", err)
			return c
		}
		c.form = vals
	default: // JSON, declared or not
		c.body, c.isJSON = trimmed, true
	}
	return c
}

// str returns a form field (a multipart or urlencoded body).
func (c *call) str(name string) string { return strings.TrimSpace(c.form.Get(name)) }

// has reports whether a form field was sent at all.
func (c *call) has(name string) bool { return c.form.Has(name) }

// text returns a form field that the reference asks clients to
// URL-encode (names and descriptions): it is decoded once.
func (c *call) text(name string) (string, *apiErr) {
	v := c.form.Get(name)
	d, err := url.QueryUnescape(v)
	if err != nil {
		return "", checkParam("%s: not URL-encoded text: %v", name, err)
	}
	return d, nil
}

// decodeJSON reads a JSON body into v; a form body is refused, as the
// reference's JSON endpoints expect JSON.
func (c *call) decodeJSON(v any) *apiErr {
	if len(c.form) > 0 && !c.isJSON {
		return checkParam("this endpoint takes a JSON body")
	}
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return checkParam("malformed JSON body: %v", err)
	}
	return nil
}

// handler serves one route with the world locked.
type handler func(*call) (result, *apiErr)

// route is one documented endpoint, its path after /v1.
type route struct {
	method  string
	pattern []string // "{x}" binds x
	h       handler
}

func rt(method, path string, h handler) route {
	return route{method: method, pattern: strings.Split(strings.Trim(path, "/"), "/"), h: h}
}

func (r *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(r.pattern) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range r.pattern {
		switch {
		case strings.HasPrefix(p, "{"):
			if segs[i] == "" {
				return nil, false
			}
			params[strings.Trim(p, "{}")] = segs[i]
		case p != segs[i]:
			return nil, false
		}
	}
	return params, true
}

// resolve finds the route of a call.
func resolve(c *call) (*route, *apiErr) {
	if c.path == "" {
		return nil, notFound("no such endpoint: %s (paths start with /v1/)", c.r.URL.Path)
	}
	segs := strings.Split(strings.Trim(c.path, "/"), "/")
	methodSeen := false
	for i := range routes {
		r := &routes[i]
		params, ok := r.match(segs)
		if !ok {
			continue
		}
		if r.method != c.r.Method {
			methodSeen = true
			continue
		}
		c.params = params
		return r, nil
	}
	if methodSeen {
		return nil, &apiErr{status: http.StatusMethodNotAllowed, code: api.CheckParam, msg: "method " + c.r.Method + " is not allowed on /v1" + c.path}
	}
	return nil, notFound("no such endpoint: /v1%s", c.path)
}

// result is an answer: its status, its result and, for lists, the page.
type result struct {
	status int
	body   any
	count  *int
	page   *pageInfo
	// err is the documented error of an error answer.
	err *apiErr
	// retryAfter is sent as Retry-After (seconds).
	retryAfter int
	// doneAt is when the asynchronous work this call began ends (the call
	// log shows it pending until then).
	doneAt time.Time
}

type pageInfo struct{ no, size, total int }

// rows is a successful answer whose result is an array with its count.
func rows[T any](status int, list []T) result {
	if list == nil {
		list = []T{}
	}
	n := len(list)
	return result{status: status, body: list, count: &n}
}

// text is a successful answer whose result is a text (an action's).
func text(status int, msg string) result { return result{status: status, body: msg} }

// apiErr is an error answer: its HTTP status and documented code.
type apiErr struct {
	status     int
	code       api.ErrorCode
	msg        string
	retryAfter int
}

func errf(status int, code api.ErrorCode, format string, a ...any) *apiErr {
	return &apiErr{status: status, code: code, msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *apiErr {
	return errf(http.StatusNotFound, api.NotFound, format, a...)
}

func checkParam(format string, a ...any) *apiErr {
	return errf(http.StatusBadRequest, api.CheckParam, format, a...)
}

func badRequest(code api.ErrorCode, format string, a ...any) *apiErr {
	return errf(http.StatusBadRequest, code, format, a...)
}

func missing(name string) *apiErr {
	return badRequest(api.RequiredPostParamMissing, "%s is required", name)
}

func busy(format string, a ...any) *apiErr {
	return errf(http.StatusConflict, api.DeletedOrWorkingInstance, format, a...)
}

func inUse(format string, a ...any) *apiErr {
	return errf(http.StatusConflict, api.InUse, format, a...)
}

func errorResult(e *apiErr) result { return result{status: e.status, err: e, retryAfter: e.retryAfter} }

// reply is an answer ready to write.
type reply struct {
	status     int
	retryAfter int
	body       []byte
	abort      bool // drop the connection (a lost response)
}

func (rep reply) write(rw http.ResponseWriter) {
	if rep.abort {
		panic(http.ErrAbortHandler)
	}
	if rep.retryAfter > 0 {
		rw.Header().Set("Retry-After", fmt.Sprint(rep.retryAfter))
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(rep.status)
	_, _ = rw.Write(rep.body)
}

// finish records a call and encodes its answer in the envelope; lost
// drops it after the change is made. Called with the lock held.
func (s *Server) finish(c *call, res result, lost bool) reply {
	env := api.Envelope{Code: api.SuccessCode, ErrorCode: api.SuccessErrorCode}
	code := ""
	if res.err != nil {
		env.Code, env.ErrorCode, env.Message = res.err.code.Code, res.err.code.Name, res.err.msg
		code = res.err.code.Name
		env.Result = json.RawMessage("null")
	} else {
		b, err := json.Marshal(res.body)
		if err != nil {
			res.status, env.Code, env.ErrorCode, env.Message = http.StatusInternalServerError, api.DevCheckReturn.Code, api.DevCheckReturn.Name, "sim: cannot encode the answer"
			b = []byte("null")
		}
		env.Result = b
		env.Count = res.count
		if p := res.page; p != nil {
			env.PageNo, env.PageSize, env.Total = &p.no, &p.size, &p.total
		}
	}
	s.record(c, res.status, code, lost, res.doneAt)
	b, _ := json.Marshal(env)
	return reply{status: res.status, retryAfter: res.retryAfter, body: append(b, '\n'), abort: lost}
}

// paginate answers one page of a list: page_no (or page) from 1,
// page_size from 1 to api.MaxPageSize (def when absent).
func paginate[T any](c *call, list []T, def int) (result, *apiErr) {
	no, e := c.positive(c.query.Get(api.PageParam), c.query.Get(api.PageAlias), 1)
	if e != nil {
		return result{}, e
	}
	size, e := c.positive(c.query.Get(api.PageSizeParam), "", def)
	if e != nil {
		return result{}, e
	}
	if size > api.MaxPageSize {
		return result{}, checkParam("page_size %d: at most %d", size, api.MaxPageSize)
	}
	from := min((no-1)*size, len(list))
	to := min(from+size, len(list))
	res := rows(http.StatusOK, list[from:to])
	res.page = &pageInfo{no: no, size: size, total: len(list)}
	return res, nil
}

// positive reads a whole number ≥ 1 from v (or alt when v is empty).
func (c *call) positive(v, alt string, def int) (int, *apiErr) {
	if v == "" {
		v = alt
	}
	if v == "" {
		return def, nil
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || n < 1 || fmt.Sprint(n) != v {
		return 0, checkParam("%q: want a whole number of 1 or more", v)
	}
	return n, nil
}
