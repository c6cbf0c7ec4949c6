package spec

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in the input: what, why and where.
type Diagnostic struct {
	Severity Severity
	Summary  string // what is wrong, one line
	Detail   string // what is allowed / how to fix it
	Range    *Range // where; nil when the problem has no place in a file
	Path     string // JSON pointer of the value in the document, when known
}

// Diagnostics is a list of problems, reported all at once.
type Diagnostics []Diagnostic

// Errors says how many errors there are, in words ("1 error", "3 errors").
func (ds Diagnostics) Errors() string {
	n := 0
	for _, d := range ds {
		if d.Severity == Error {
			n++
		}
	}
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errorf appends an error diagnostic at r (which may be nil).
func (ds *Diagnostics) Errorf(r *Range, detail, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Summary: fmt.Sprintf(format, args...), Detail: detail, Range: r})
}

// Sort orders diagnostics by file, line and column (those without a place last).
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		default:
			return a.Start.Col < b.Start.Col
		}
	})
}

// Error makes Diagnostics usable as an error (plain text, no sources).
func (ds Diagnostics) Error() string {
	var b strings.Builder
	Format(&b, ds, nil)
	return strings.TrimRight(b.String(), "\n")
}

// Format writes each diagnostic as
//
//	file:line:col: error: summary
//	  12 |     vcpu: 64
//	     |           ^^
//	  detail
//
// showing the offending line when its source is in sources.
func Format(w io.Writer, ds Diagnostics, sources map[string][]byte) {
	for _, d := range ds {
		if d.Range == nil {
			fmt.Fprintf(w, "%s: %s\n", d.Severity, d.Summary)
		} else {
			r := d.Range
			fmt.Fprintf(w, "%s:%d:%d: %s: %s\n", r.Filename, r.Start.Line, r.Start.Col, d.Severity, d.Summary)
			if line, ok := sourceLine(sources[r.Filename], r.Start.Line); ok {
				width := 1
				if r.End.Line == r.Start.Line && r.End.Col > r.Start.Col {
					width = r.End.Col - r.Start.Col
				}
				line, col, width := window(line, r.Start.Col, width)
				num := fmt.Sprint(r.Start.Line)
				fmt.Fprintf(w, "  %s | %s\n", num, line)
				fmt.Fprintf(w, "  %s | %s%s\n", strings.Repeat(" ", len(num)), caretIndent(line, col), strings.Repeat("^", width))
			}
		}
		if d.Detail != "" {
			for _, l := range strings.Split(d.Detail, "\n") {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
}

func sourceLine(src []byte, n int) (string, bool) {
	if src == nil || n < 1 {
		return "", false
	}
	lines := strings.Split(string(src), "\n")
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// maxShown is the most of a line a diagnostic shows: a line of 20,000 "["
// is shown around its column.
const maxShown = 160

// window cuts a long line to maxShown runes around col (1-based), marking
// the cuts with "…", and moves col and the caret's width to match.
func window(line string, col, width int) (string, int, int) {
	runes := []rune(line)
	if len(runes) <= maxShown {
		return line, col, width
	}
	start := max(0, min(col-1-maxShown/2, len(runes)-maxShown))
	end := start + maxShown
	shown := string(runes[start:end])
	col -= start
	if start > 0 {
		shown = "…" + shown
		col++
	}
	if end < len(runes) {
		shown += "…"
	}
	width = max(1, min(width, len([]rune(shown))-col+1))
	return shown, col, width
}

// caretIndent keeps tabs so the caret lines up under the column.
func caretIndent(line string, col int) string {
	var b strings.Builder
	for i, r := range []rune(line) {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
	}
	for i := len([]rune(line)); i < col-1; i++ {
		b.WriteRune(' ')
	}
	return b.String()
}
