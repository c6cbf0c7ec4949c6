package planner

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// WriteJSON writes the plan JSON of SPEC §6: byte for byte what
// encoding/json's Encoder writes with SetIndent("", "  ") (strings
// HTML-escaped, map keys sorted, a newline at the end), without its
// reflection and its second pass that indents. A plan of 1,000 creates is
// ~1.4 MB and took encoding/json ~30 ms; it is written here in one pass.
// The plan's own types are written field by field (planjson_test.go holds
// their fields to this list); a value of a type not known here goes
// through encoding/json. Nothing is written when the plan cannot be
// encoded (a NaN).
func (p *Plan) WriteJSON(w io.Writer) error {
	e := jsonWriter{buf: make([]byte, 0, 4<<10+1536*len(p.Actions))}
	e.plan(p)
	if e.err != nil {
		return e.err
	}
	e.buf = append(e.buf, '\n')
	_, err := w.Write(e.buf)
	return err
}

// jsonWriter appends indented JSON to buf; depth is the current nesting.
type jsonWriter struct {
	buf   []byte
	depth int
	err   error
}

// block is an object or array being written: n values so far.
type block struct {
	e     *jsonWriter
	n     int
	close byte
}

func (e *jsonWriter) open(c, close byte) block {
	e.buf = append(e.buf, c)
	e.depth++
	return block{e: e, close: close}
}

func (e *jsonWriter) object() block { return e.open('{', '}') }
func (e *jsonWriter) array() block  { return e.open('[', ']') }

// indent is a newline and the spaces of 32 levels.
const indent = "\n                                                                "

func (e *jsonWriter) newline() {
	if n := 1 + 2*e.depth; n <= len(indent) {
		e.buf = append(e.buf, indent[:n]...)
		return
	}
	e.buf = append(e.buf, '\n')
	for range e.depth {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// next starts the next element of an array.
func (b *block) next() {
	if b.n > 0 {
		b.e.buf = append(b.e.buf, ',')
	}
	b.n++
	b.e.newline()
}

// key starts a member named by a struct tag, written quoted with its
// colon and space: `"address": `.
func (b *block) key(quoted string) {
	b.next()
	b.e.buf = append(b.e.buf, quoted...)
}

// mapKey starts a member named by data.
func (b *block) mapKey(k string) {
	b.next()
	b.e.str(k)
	b.e.buf = append(b.e.buf, ':', ' ')
}

// str, optStr and optInt write a member whose value is a string or a
// whole number; the opt ones only when it is not empty (omitempty).
func (b *block) str(quoted, v string) {
	b.key(quoted)
	b.e.str(v)
}

func (b *block) optStr(quoted, v string) {
	if v != "" {
		b.str(quoted, v)
	}
}

func (b *block) optInt(quoted string, v int) {
	if v != 0 {
		b.key(quoted)
		b.e.int(int64(v))
	}
}

func (b *block) end() {
	b.e.depth--
	if b.n > 0 {
		b.e.newline()
	}
	b.e.buf = append(b.e.buf, b.close)
}

func (e *jsonWriter) null() { e.buf = append(e.buf, "null"...) }

func (e *jsonWriter) bool(v bool) { e.buf = strconv.AppendBool(e.buf, v) }

func (e *jsonWriter) int(v int64) { e.buf = strconv.AppendInt(e.buf, v, 10) }

// float is encoding/json's float64: like %g with ES6's exponent cutoffs.
func (e *jsonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.fallback(f) // its error
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9
		n := len(e.buf)
		if n >= 4 && e.buf[n-4] == 'e' && e.buf[n-3] == '-' && e.buf[n-2] == '0' {
			e.buf[n-2] = e.buf[n-1]
			e.buf = e.buf[:n-1]
		}
	}
}

// str is encoding/json's string with HTML escaping: <, > and & and the
// control characters as \u00XX (but \b \f \n \r \t), invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped.
func (e *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	buf := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '\\', '"':
				buf = append(buf, '\\', c)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	e.buf = append(buf, '"')
}

// strs is a []string: null when nil.
func (e *jsonWriter) strs(l []string) {
	if l == nil {
		e.null()
		return
	}
	b := e.array()
	for _, s := range l {
		b.next()
		e.str(s)
	}
	b.end()
}

// stringMap is a map[string]string, keys sorted: null when nil.
func (e *jsonWriter) stringMap(m map[string]string) { writeMap(e, m, e.str) }

// writeMap writes a map as encoding/json does: null when nil, else an
// object with its keys sorted, each value written by write.
func writeMap[V any](e *jsonWriter, m map[string]V, write func(V)) {
	if m == nil {
		e.null()
		return
	}
	keys := make([]string, 0, len(m)) // small ones stay on the stack
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := e.object()
	for _, k := range keys {
		b.mapKey(k)
		write(m[k])
	}
	b.end()
}

// value is an interface value: the JSON-like values of stacks and of the
// API; anything else goes through encoding/json.
func (e *jsonWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		e.null()
	case string:
		e.str(x)
	case bool:
		e.bool(x)
	case float64:
		e.float(x)
	case int:
		e.int(int64(x))
	case int64:
		e.int(x)
	case int32:
		e.int(int64(x))
	case []string:
		e.strs(x)
	case map[string]string:
		e.stringMap(x)
	case []any:
		if x == nil {
			e.null()
			return
		}
		b := e.array()
		for _, el := range x {
			b.next()
			e.value(el)
		}
		b.end()
	case map[string]any:
		writeMap(e, x, e.value)
	default:
		e.fallback(v)
	}
}

// fallback writes a value through encoding/json, indented as if it were
// part of the whole document (MarshalIndent with the current indentation
// as prefix writes exactly that).
func (e *jsonWriter) fallback(v any) {
	if e.err != nil {
		return
	}
	prefix := make([]byte, 2*e.depth)
	for i := range prefix {
		prefix[i] = ' '
	}
	b, err := json.MarshalIndent(v, string(prefix), "  ")
	if err != nil {
		e.err = err
		return
	}
	e.buf = append(e.buf, b...)
}

func (e *jsonWriter) plan(p *Plan) {
	b := e.object()
	b.str(`"format_version": `, p.FormatVersion)
	b.str(`"stack": `, p.Stack)
	if p.Destroy {
		b.key(`"destroy": `)
		e.bool(true)
	}
	if p.Rollback {
		b.key(`"rollback": `)
		e.bool(true)
	}
	b.key(`"summary": `)
	e.summary(&p.Summary)
	b.key(`"actions": `)
	if p.Actions == nil {
		e.null()
	} else {
		l := e.array()
		for _, a := range p.Actions {
			l.next()
			e.action(a)
		}
		l.end()
	}
	for _, ps := range []struct {
		key  string
		list []Problem
	}{{`"errors": `, p.Errors}, {`"warnings": `, p.Warnings}, {`"cautions": `, p.Cautions}} {
		if len(ps.list) > 0 {
			b.key(ps.key)
			l := e.array()
			for i := range ps.list {
				l.next()
				e.problem(&ps.list[i])
			}
			l.end()
		}
	}
	if len(p.Names) > 0 {
		b.key(`"names": `)
		e.stringMap(p.Names)
	}
	if len(p.Labels) > 0 {
		b.key(`"labels": `)
		e.stringMap(p.Labels)
	}
	if p.Cost != nil {
		b.key(`"cost": `)
		e.cost(p.Cost)
	}
	if p.Hibernation != nil {
		b.key(`"hibernation": `)
		e.fallback(p.Hibernation)
	}
	b.end()
}

func (e *jsonWriter) summary(s *Summary) {
	b := e.object()
	for _, c := range []struct {
		key string
		n   int
	}{{`"create": `, s.Create}, {`"update": `, s.Update}, {`"replace": `, s.Replace}, {`"reinstall": `, s.Reinstall}, {`"delete": `, s.Delete}, {`"adopt": `, s.Adopt}} {
		b.key(c.key)
		e.int(int64(c.n))
	}
	b.optInt(`"start": `, s.Start)
	b.optInt(`"stop": `, s.Stop)
	b.end()
}

func (e *jsonWriter) action(a *Action) {
	if a == nil {
		e.null()
		return
	}
	b := e.object()
	b.str(`"address": `, a.Address)
	b.str(`"kind": `, a.Kind)
	b.key(`"action": `)
	e.str(string(a.Action))
	b.str(`"location": `, a.Location)
	b.optStr(`"id": `, a.ID)
	b.key(`"depends_on": `)
	e.strs(a.DependsOn)
	b.key(`"changes": `)
	if a.Changes == nil {
		e.null()
	} else {
		l := e.array()
		for i := range a.Changes {
			l.next()
			e.change(&a.Changes[i])
		}
		l.end()
	}
	b.key(`"notes": `)
	e.strs(a.Notes)
	optional := func(key, s string) {
		if s != "" {
			b.key(key)
			e.str(s)
		}
	}
	optional(`"reason": `, a.Reason)
	optional(`"name": `, a.Name)
	optional(`"wait_for": `, a.WaitFor)
	if a.Forget {
		b.key(`"forget": `)
		e.bool(true)
	}
	if a.Deposed {
		b.key(`"deposed": `)
		e.bool(true)
	}
	if len(a.References) > 0 {
		b.key(`"references": `)
		e.strs(a.References)
	}
	if a.Restore != nil {
		b.key(`"restore": `)
		e.fallback(a.Restore)
	}
	if len(a.DeleteAfter) > 0 {
		b.key(`"delete_after": `)
		e.strs(a.DeleteAfter)
	}
	if a.Cost != nil {
		b.key(`"cost": `)
		e.resourceCost(a.Cost)
	}
	b.end()
}

func (e *jsonWriter) change(c *Change) {
	b := e.object()
	b.str(`"path": `, c.Path)
	b.key(`"before": `)
	e.value(c.Before)
	b.key(`"after": `)
	e.value(c.After)
	b.optStr(`"mode": `, c.Mode)
	b.end()
}

func (e *jsonWriter) problem(p *Problem) {
	b := e.object()
	b.optStr(`"address": `, p.Address)
	b.str(`"summary": `, p.Summary)
	b.optStr(`"detail": `, p.Detail)
	b.optStr(`"file": `, p.File)
	b.optInt(`"line": `, p.Line)
	b.optInt(`"column": `, p.Column)
	b.end()
}

func (e *jsonWriter) amount(a *Amount) {
	b := e.object()
	b.key(`"hourly": `)
	e.float(a.Hourly)
	b.key(`"monthly": `)
	e.float(a.Monthly)
	b.optStr(`"note": `, a.Note)
	if a.UsageBased {
		b.key(`"usage_based": `)
		e.bool(true)
	}
	b.end()
}

func (e *jsonWriter) resourceCost(c *ResourceCost) {
	b := e.object()
	if c.Before != nil {
		b.key(`"before": `)
		e.amount(c.Before)
	}
	if c.After != nil {
		b.key(`"after": `)
		e.amount(c.After)
	}
	if c.MonthlyChange != nil {
		b.key(`"monthly_change": `)
		e.float(*c.MonthlyChange)
	}
	b.optStr(`"not_priced": `, c.NotPriced)
	b.end()
}

func (e *jsonWriter) cost(c *Cost) {
	b := e.object()
	b.optInt(`"hours_per_month": `, c.HoursPerMonth)
	if c.Before != nil {
		b.key(`"before": `)
		e.amount(c.Before)
	}
	if c.After != nil {
		b.key(`"after": `)
		e.amount(c.After)
	}
	if c.MonthlyChange != nil {
		b.key(`"monthly_change": `)
		e.float(*c.MonthlyChange)
	}
	if len(c.NotPriced) > 0 {
		b.key(`"not_priced": `)
		e.strs(c.NotPriced)
	}
	if len(c.UsageBased) > 0 {
		b.key(`"usage_based": `)
		e.strs(c.UsageBased)
	}
	b.optStr(`"error": `, c.Error)
	b.end()
}
