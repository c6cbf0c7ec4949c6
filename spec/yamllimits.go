package spec

import (
	"fmt"
	"unicode/utf8"

	"github.com/goccy/go-yaml/token"
)

// The YAML parser's time and memory grow with the square of the nesting:
// 20,000 nested "[" (40 KB) take 4 s and 850 MB, "- - - …" as much. So
// the text is held to MaxDepth, maxNodes and maxTokens twice before it is
// parsed:
//
//   - scanLimits reads the bytes once, knowing just enough YAML to tell
//     structure from text (quotes, comments, block scalars, plain
//     scalars), and stops where a limit is first crossed: a file of
//     8 MiB of "[" is refused in a few milliseconds, before the tokenizer (whose
//     cost is linear, about 250 bytes and 1.5 µs a token) sees it.
//   - tokenLimits counts the same on the tokenizer's tokens, which the
//     parser then reads: it is exact where scanLimits's reading of YAML
//     and the parser's could differ, so no text that slips past the first
//     count reaches the parser.

var tooManyDetail = fmt.Sprintf("a stack file or a var file holds at most %d values (keys, scalars, lists and mappings)", maxNodes)

// maxTokens bounds what the tokenizer makes of a file (about 250 bytes
// and 1.5 µs a token): values, indicators (- ? : , [ ] { }), anchors,
// tags and comments. A stack of 10,000 resources is 281,000 tokens;
// 8 MiB of "#" lines, 4 million comments, took 4.7 s and 1.4 GB.
const maxTokens = 1000000

var tooManyTokensDetail = fmt.Sprintf("a stack file or a var file holds at most %d tokens (values, indicators such as - : , [ {, anchors, tags and comments)", maxTokens)

const depthDetail = "mappings and lists nest at most %d deep in a stack file or a var file (a real stack nests about 8); flatten the structure"

// limitScan is the state of scanLimits.
type limitScan struct {
	flow   int   // open flow collections: [ and {
	block  []int // indentation (in spaces) of the open block nodes, increasing
	quote  byte  // inside a quoted scalar: ' or "
	plain  bool  // inside a plain scalar
	parent int   // a continuation line of the plain scalar is indented more than this
	// a block scalar (| or >): its lines are indented more than parent;
	// content is the indentation of its first line (-1: not seen yet)
	lit             bool
	litParent, litN int
	values, tokens  int
	maxDepth        int

	// Where the file may be cut for a parallel parse (see yamlcuts.go),
	// when cuts is not nil.
	cuts   *cutScan
	off    int // the byte offset of the current line
	lineNo int // its number, from 1
}

// limitError is where a limit is crossed: byte offset in the line.
type limitError struct {
	off     int
	summary string
	detail  string
}

// scanLimits finds the first place where src nests deeper than maxDepth
// or holds more than maxNodes values, or returns nil.
func scanLimits(filename string, src []byte, maxDepth int) *Diagnostic {
	return scanLimitsCuts(filename, src, maxDepth, nil)
}

// scanLimitsCuts is scanLimits that also finds where src may be cut into
// pieces parsed on their own (into cuts, when not nil).
func scanLimitsCuts(filename string, src []byte, maxDepth int, cuts *cutScan) *Diagnostic {
	s := &limitScan{litN: -1, maxDepth: maxDepth, cuts: cuts}
	line := 1
	for start := 0; start < len(src); line++ {
		end := start
		for end < len(src) && src[end] != '\n' && src[end] != '\r' {
			end++
		}
		s.off, s.lineNo = start, line
		if e := s.line(src[start:end]); e != nil {
			col := 1 + utf8.RuneCount(src[start:start+e.off])
			return &Diagnostic{Severity: Error, Summary: e.summary, Detail: e.detail,
				Range: &Range{Filename: filename, Start: Pos{line, col}, End: Pos{line, col + 1}}}
		}
		// \r\n, \n and a lone \r each end a line (as for the YAML lexer).
		if end < len(src) && src[end] == '\r' && end+1 < len(src) && src[end+1] == '\n' {
			end++
		}
		start = end + 1
	}
	return nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// marker: a document start or end (--- or ...) at the start of a line.
func marker(l []byte) bool {
	if len(l) < 3 || !(string(l[:3]) == "---" || string(l[:3]) == "...") {
		return false
	}
	return len(l) == 3 || isSpace(l[3])
}

// opensNode: a line that starts with a collection or an indicator.
// Where a plain scalar may go on over it, the tokenizer does not always
// agree; reading it as structure can only count too much.
func opensNode(l []byte) bool {
	switch c := l[0]; {
	case c == '[' || c == '{':
		return true
	case c == '-' || c == '?' || c == ':':
		return len(l) == 1 || isSpace(l[1])
	}
	return false
}

// noCuts: the file holds what a piece cannot be parsed without (an
// anchor, alias or tag, several documents, a directive).
func (s *limitScan) noCuts() {
	if s.cuts != nil {
		s.cuts.none = true
	}
}

func (s *limitScan) depthError(off int) *limitError {
	return &limitError{off: off, summary: fmt.Sprintf("nesting deeper than %d levels", s.maxDepth), detail: fmt.Sprintf(depthDetail, s.maxDepth)}
}

// push opens a block node at indentation col, closing those at col or
// deeper.
func (s *limitScan) push(col int) *limitError {
	for len(s.block) > 0 && s.block[len(s.block)-1] >= col {
		s.block = s.block[:len(s.block)-1]
	}
	s.block = append(s.block, col)
	if len(s.block)+s.flow > s.maxDepth {
		return s.depthError(col)
	}
	return nil
}

// parentIndent is the indentation of the block node that holds the
// current one (the top of the stack).
func (s *limitScan) parentIndent() int {
	if len(s.block) < 2 {
		return -1
	}
	return s.block[len(s.block)-2]
}

func (s *limitScan) token(off int) *limitError {
	s.tokens++
	if s.tokens > maxTokens {
		return &limitError{off: off, summary: fmt.Sprintf("document too large (more than %d tokens)", maxTokens), detail: tooManyTokensDetail}
	}
	return nil
}

func (s *limitScan) value(off int) *limitError {
	s.values++
	if s.values > maxNodes {
		return &limitError{off: off, summary: fmt.Sprintf("document too large (more than %d values)", maxNodes), detail: tooManyDetail}
	}
	return nil
}

// line reads one line (without its line break).
func (s *limitScan) line(l []byte) *limitError {
	ind := 0
	for ind < len(l) && l[ind] == ' ' {
		ind++
	}
	if s.lit {
		switch {
		case isBlank(l):
			return nil
		case s.litN < 0 && ind > s.litParent:
			s.litN = ind
			return nil
		case s.litN >= 0 && ind >= s.litN:
			return nil
		}
		s.lit = false
	}
	i := 0
	switch {
	case s.quote != 0: // a quoted scalar goes on
	case s.flow > 0: // lines go on inside the flow collection
		i = ind
	case isBlank(l[ind:]):
		return nil // no structure, a plain scalar may go on after it
	case l[ind] == '#':
		return s.token(ind) // a comment: the same
	case ind == 0 && marker(l):
		s.noCuts()
		s.block, s.plain = s.block[:0], false
		if e := s.token(0); e != nil {
			return e
		}
		i = 3
	case ind == 0 && l[0] == '%':
		s.noCuts()
		return s.directive(l)
	case s.plain && ind > s.parent && !opensNode(l[ind:]):
		i = ind // the plain scalar goes on
	default:
		// A line that starts a node in block context: outside quotes,
		// flow collections and block scalars, not a plain scalar going on.
		if s.cuts != nil {
			s.cuts.line(s.off, s.lineNo, ind, l)
		}
		s.plain = false
		if e := s.push(ind); e != nil {
			return e
		}
		i = ind
	}
	return s.inline(l, i)
}

// directive reads a line that starts with "%". The tokenizer reads "%"
// alone and goes on with the rest as it comes; no real directive has a
// bracket, so every "[" or "{" on the line counts as an opening one, and
// none as closing (which can only count too much).
func (s *limitScan) directive(l []byte) *limitError {
	s.plain = false
	if e := s.push(0); e != nil {
		return e
	}
	for i, c := range l {
		if c == '[' || c == '{' {
			s.flow++
			if len(s.block)+s.flow > s.maxDepth {
				return s.depthError(i)
			}
		}
		if c != ' ' && c != '\t' {
			if e := s.token(i); e != nil {
				return e
			}
		}
	}
	return nil
}

// inline reads a line from byte i on.
func (s *limitScan) inline(l []byte, i int) *limitError {
	space := true // the byte before i is a space or the line's start
	start := !s.plain && s.quote == 0
	for i < len(l) {
		c := l[i]
		switch s.quote {
		case '"':
			for i < len(l) && l[i] != '"' {
				if l[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(l) {
				return nil // goes on on the next line
			}
			s.quote, start, space = 0, false, false
			i++
			continue
		case '\'':
			for i < len(l) && (l[i] != '\'' || i+1 < len(l) && l[i+1] == '\'') {
				if l[i] == '\'' {
					i++
				}
				i++
			}
			if i >= len(l) {
				return nil
			}
			s.quote, start, space = 0, false, false
			i++
			continue
		}
		if isSpace(c) {
			space = true
			i++
			continue
		}
		if c == '#' && space {
			s.plain = false
			return s.token(i) // a comment
		}
		space = false
		next := byte(' ')
		if i+1 < len(l) {
			next = l[i+1]
		}
		if s.plain {
			switch {
			case c == ':' && (isSpace(next) || s.flow > 0 && isFlowIndicator(next)):
				s.plain = false // a mapping value: handled below
			case s.flow > 0 && isFlowIndicator(c):
				s.plain = false
			default:
				i++
				continue
			}
		}
		if e := s.token(i); e != nil {
			return e
		}
		switch {
		case c == '[' || c == '{':
			// Even where no node may start ("a"[): the tokenizer opens a
			// collection there, and the parser's cost comes before its error.
			s.flow++
			if len(s.block)+s.flow > s.maxDepth {
				return s.depthError(i)
			}
			if e := s.value(i); e != nil {
				return e
			}
			start = true
		case c == ']' || c == '}':
			if s.flow > 0 {
				s.flow--
			}
			start = false
		case c == ',' && s.flow > 0:
			start = true
		case (c == '-' || c == '?' || c == ':') && (isSpace(next) || s.flow > 0 && c != '-' && isFlowIndicator(next)),
			c == ':' && s.flow > 0 && !start:
			// An indicator: in a block, the node after it on this line
			// nests inside (- - - x is three lists).
			start = true
			if s.flow == 0 {
				j := i + 1
				for j < len(l) && isSpace(l[j]) {
					j++
				}
				if j < len(l) && l[j] != '#' {
					if e := s.push(j); e != nil {
						return e
					}
				}
			}
		case (c == '|' || c == '>') && s.flow == 0 && start:
			// A block scalar: the rest of the line is its header.
			s.lit, s.litParent, s.litN = true, s.parentIndent(), -1
			for _, h := range l[i+1:] {
				if h >= '1' && h <= '9' {
					s.litN = s.litParent + int(h-'0')
					if s.litParent < 0 {
						s.litN = int(h - '0')
					}
				}
				if h == '#' {
					break
				}
			}
			return s.value(i)
		case c == '"' || c == '\'':
			s.quote = c
			if e := s.value(i); e != nil {
				return e
			}
		case (c == '&' || c == '!') && start:
			// An anchor or a tag (they end before a flow indicator): the
			// node follows.
			s.noCuts()
			for i+1 < len(l) && !isSpace(l[i+1]) && !isFlowIndicator(l[i+1]) {
				i++
			}
		case c == '*' && start:
			s.noCuts()
			for i+1 < len(l) && !isSpace(l[i+1]) && !isFlowIndicator(l[i+1]) {
				i++
			}
			start = false
			if e := s.value(i); e != nil {
				return e
			}
		default:
			s.plain, s.parent, start = true, s.parentIndent(), false
			if s.flow > 0 {
				s.parent = -1
			}
			if e := s.value(i); e != nil {
				return e
			}
		}
		i++
	}
	return nil
}

// tokenLimits holds the tokenizer's tokens to the same limits: flow
// collections by their brackets, block nodes by the column of the first
// token of a line and of the token after an indicator (- ? :).
func tokenLimits(filename string, toks token.Tokens, maxDepth int) *Diagnostic {
	d, _ := tokenCheck(filename, toks, maxDepth)
	return d
}

// tokenCheck is tokenLimits that also counts the values.
func tokenCheck(filename string, toks token.Tokens, maxDepth int) (*Diagnostic, int) {
	flow, values, line := 0, 0, 0
	var block []int
	after := false // the previous token was a block indicator
	for n, tk := range toks {
		if tk == nil || tk.Position == nil {
			continue
		}
		p := tk.Position
		at := func() *Range {
			line, col := max(p.Line, 1), max(p.Column, 1)
			return &Range{Filename: filename, Start: Pos{line, col}, End: Pos{line, col + 1}}
		}
		if n >= maxTokens {
			return &Diagnostic{Severity: Error, Summary: fmt.Sprintf("document too large (more than %d tokens)", maxTokens), Detail: tooManyTokensDetail, Range: at()}, values
		}
		if tk.Type == token.CommentType {
			continue
		}
		first := p.Line != line
		line = p.Line
		if flow == 0 && (first || after) && tk.Type != token.SequenceEndType && tk.Type != token.MappingEndType {
			for len(block) > 0 && block[len(block)-1] >= p.Column {
				block = block[:len(block)-1]
			}
			block = append(block, p.Column)
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			if flow > 0 {
				flow--
			}
		case token.DocumentHeaderType, token.DocumentEndType:
			block = block[:0]
		}
		if len(block)+flow > maxDepth {
			return &Diagnostic{Severity: Error, Summary: fmt.Sprintf("nesting deeper than %d levels", maxDepth), Detail: fmt.Sprintf(depthDetail, maxDepth), Range: at()}, values
		}
		if isValueToken(tk.Type) {
			if values++; values > maxNodes {
				return &Diagnostic{Severity: Error, Summary: fmt.Sprintf("document too large (more than %d values)", maxNodes), Detail: tooManyDetail, Range: at()}, values
			}
		}
		after = flow == 0 && (tk.Type == token.SequenceEntryType || tk.Type == token.MappingKeyType || tk.Type == token.MappingValueType)
	}
	return nil, values
}

// isValueToken: a token that becomes one value of the tree (block
// collections, not counted, only make the count lower than the tree's).
func isValueToken(t token.Type) bool {
	switch t {
	case token.SequenceStartType, token.MappingStartType, token.AliasType,
		token.SingleQuoteType, token.DoubleQuoteType, token.StringType,
		token.NullType, token.ImplicitNullType, token.InfinityType, token.NanType,
		token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType,
		token.FloatType, token.BoolType:
		return true
	}
	return false
}
