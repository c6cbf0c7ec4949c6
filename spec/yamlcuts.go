package spec

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
)

// A large stack file is parsed in pieces, concurrently. The YAML library
// is the slow part of a load (tokens, then an AST, about 40 ms and 21 MB
// for the 200 KB of a 1,000-resource stack), and a stack file is mostly
// a few top-level mappings of many entries, each of which parses the same
// on its own. The file is cut only at the start of a line that begins a
// top-level key, or an entry of a top-level key's mapping, with nothing
// open there (no quote, flow collection or block scalar), and only when
// it has no anchor, alias, tag, directive or second document. Each piece
// becomes a tree on its own, and the trees are joined: a piece that
// starts inside a top-level key adds its entries to that key's mapping.
// Anything unexpected (a piece that does not parse, is not a mapping, a
// key already there, any diagnostic) and the whole file is parsed again
// in one go, so errors read exactly as they always do.

// minPieceBytes is the smallest piece worth a goroutine of its own:
// below it, starting the piece costs more than it saves.
const minPieceBytes = 16 << 10

// maxPieces bounds the pieces of one file.
const maxPieces = 16

// piecesFor is how many pieces a file of n bytes is cut into: a few per
// CPU, so that CPUs finish together; none on one CPU, where they would
// only take turns.
func piecesFor(n int) int {
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 {
		return 1
	}
	return max(1, min(4*procs, n/minPieceBytes, maxPieces))
}

// cut is a place where a file may be cut.
type cut struct {
	off, line int // the start of its line: byte offset, line number (from 1)
	// head is where the line of its top-level key starts: off itself for
	// a top-level key, else the key whose mapping holds the entry
	head int
}

func (c cut) top() bool { return c.head == c.off }

// cutScan collects the cuts while scanLimits reads the file.
type cutScan struct {
	none  bool  // the file may not be cut (see limitScan.noCuts)
	cuts  []cut // where a piece may start, in order
	head  int   // the current top-level key's line
	inner int   // the indentation of the current top-level key's entries (0: not seen yet)
	// header: the current top-level line is "KEY:" alone, and its
	// mapping's entries may be cut apart
	header bool
}

// line is called for every line that starts a node in block context,
// with its indentation. A file whose top level, or a top-level mapping
// with cuts, holds anything but "name:" lines at its indentation is
// not cut at all: a piece would read such a file differently.
func (c *cutScan) line(off, lineNo, ind int, l []byte) {
	k := simpleKey(l[ind:])
	switch {
	case ind == 0 && k == 0:
		c.none = true
	case ind == 0:
		c.cuts = append(c.cuts, cut{off: off, line: lineNo, head: off})
		c.head, c.header = off, restIsComment(l[k:])
		c.inner = 0
	case !c.header:
	case c.inner == 0:
		// The first entry fixes the indentation, and stays with its
		// header: a piece that ends at "KEY:" would make its value null.
		// It is a "name:" too, or the value is not a block mapping.
		c.inner, c.header = ind, k > 0
	case ind < c.inner || ind == c.inner && k == 0:
		c.none = true
	case ind == c.inner:
		c.cuts = append(c.cuts, cut{off: off, line: lineNo, head: c.head})
	}
}

// simpleKey is the length of a line's leading "name:" (a plain key of
// letters, digits and _ . -, followed by a space or the line's end), or 0.
func simpleKey(l []byte) int {
	if len(l) == 0 || !isKeyStart(l[0]) {
		return 0
	}
	for i := 1; i < len(l); i++ {
		switch c := l[i]; {
		case c == ':':
			if i+1 == len(l) || isSpace(l[i+1]) {
				return i + 1
			}
			return 0
		case isKeyStart(c) || c == '.' || c == '-':
		default:
			return 0
		}
	}
	return 0
}

func isKeyStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// restIsComment: what follows a key on its line is blanks and perhaps a
// comment.
func restIsComment(l []byte) bool {
	for _, c := range l {
		if c == '#' {
			return true
		}
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// piece is a part of the file parsed on its own: from its cut to end.
type piece struct {
	cut
	end int
}

// planPieces cuts a file of n bytes into about want pieces of similar
// size, or returns nil when it cannot be cut.
func planPieces(n int, cs *cutScan, want int) []piece {
	if cs == nil || cs.none || want < 2 {
		return nil
	}
	ps := []piece{{cut: cut{line: 1}}}
	j := 1 // the first piece holds the first key at least
	for p := 1; p < want; p++ {
		target := n * p / want
		for j < len(cs.cuts) && cs.cuts[j].off < target {
			j++
		}
		if j >= len(cs.cuts) {
			break
		}
		if last := &ps[len(ps)-1]; last.off < cs.cuts[j].off {
			last.end = cs.cuts[j].off
			ps = append(ps, piece{cut: cs.cuts[j]})
		}
	}
	if len(ps) < 2 {
		return nil
	}
	ps[len(ps)-1].end = n
	return ps
}

// pieceTree is what one piece became.
type pieceTree struct {
	root          *node
	nodes, values int // the tree's nodes and the tokenizer's values
	tokens        int
	ok            bool
}

// parsePieces parses the pieces concurrently and joins their trees; ok
// is false when the file must be parsed in one go.
func parsePieces(filename string, src []byte, ps []piece) (*node, bool) {
	trees := make([]pieceTree, len(ps))
	var wg sync.WaitGroup
	var taken atomic.Int32
	// As many workers as CPUs take the pieces in turn: more at once would
	// hold more of the parser's garbage alive, and fresh memory is what
	// costs most in a short-lived process (page faults).
	for range min(runtime.GOMAXPROCS(0), len(ps)) {
		wg.Go(func() {
			for i := int(taken.Add(1)) - 1; i < len(ps); i = int(taken.Add(1)) - 1 {
				var next *piece
				if i+1 < len(ps) {
					next = &ps[i+1]
				}
				trees[i] = parsePiece(filename, src, ps[i], next)
			}
		})
	}
	wg.Wait()
	var nodes, values, tokens int
	var root *node
	for i, t := range trees {
		if !t.ok {
			return nil, false
		}
		nodes, values, tokens = nodes+t.nodes, values+t.values, tokens+t.tokens
		if i == 0 {
			root = t.root
			continue
		}
		keys := t.root.keys
		if !ps[i].top() {
			// Its first key is its header: the entries go on the mapping
			// of the top level's last key, which is that key.
			last := root.keys[len(root.keys)-1]
			if len(keys) == 0 || keys[0].key != last.key || last.val.kind != mapNode || keys[0].val.kind != mapNode ||
				!addAll(last.val, keys[0].val.keys) {
				return nil, false
			}
			keys = keys[1:]
		}
		if !addAll(root, keys) {
			return nil, false
		}
	}
	if nodes > maxNodes || values > maxNodes || tokens >= maxTokens {
		return nil, false
	}
	return root, true
}

// addAll adds entries to a mapping; false at a key it already has (a
// duplicate: the whole parse words it).
func addAll(m *node, entries []*entry) bool {
	for _, e := range entries {
		if m.get(e.key) != nil {
			return false
		}
		m.add(e)
	}
	return true
}

// lineAt is the line of src that starts at off, with its line break.
func lineAt(src []byte, off int) []byte {
	end := off
	for end < len(src) && src[end] != '\n' && src[end] != '\r' {
		end++
	}
	if end < len(src) {
		return src[off : end+1]
	}
	return append(src[off:end:end], '\n')
}

// parsePiece parses one piece into a tree of its own; ok is false at the first
// sign of anything the whole parse might read differently. The parser
// places some values by what comes after them (a plain scalar over
// several lines, an empty value), so the piece is parsed with the line
// that follows it (the next piece's first, if any), dropped after;
// and a piece inside a key with that key's line before it, so its
// entries are read as the whole parse reads them.
func parsePiece(filename string, src []byte, p piece, next *piece) (t pieceTree) {
	defer func() {
		if recover() != nil {
			t = pieceTree{}
		}
	}()
	var text []byte
	line0 := p.line - 1
	if !p.top() {
		text = append(text, lineAt(src, p.head)...)
		line0--
	}
	text = append(text, src[p.off:p.end]...)
	if next != nil {
		text = append(text, lineAt(src, next.off)...)
	}
	tokens := lexer.Tokenize(string(text))
	d, values := tokenCheck(filename, tokens, MaxDepth)
	if d != nil {
		return pieceTree{}
	}
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return pieceTree{}
	}
	var body []*node
	b := &treeBuilder{filename: filename, anchors: map[string]*node{}, line0: line0}
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			body = append(body, b.build(doc.Body))
		}
	}
	if len(body) != 1 || len(b.diags) > 0 || body[0].kind != mapNode || len(body[0].merged) > 0 {
		return pieceTree{}
	}
	root := body[0]
	if next != nil && !dropLast(root, next) {
		return pieceTree{}
	}
	return pieceTree{root: root, nodes: b.count, values: values, tokens: len(tokens), ok: true}
}

// dropLast takes the next piece's first line, parsed after the piece,
// out of its tree: the last entry of the top level, or of the last
// top-level key's mapping.
func dropLast(root *node, next *piece) bool {
	m := root
	if !next.top() && len(m.keys) > 0 {
		m = m.keys[len(m.keys)-1].val
	}
	if m.kind != mapNode || len(m.keys) == 0 || len(m.merged) > 0 {
		return false
	}
	last := m.keys[len(m.keys)-1]
	if last.keyRng.Start.Line != next.line {
		return false
	}
	m.keys = m.keys[:len(m.keys)-1]
	if m.index != nil {
		delete(m.index, last.key)
		if len(m.keys) < indexFrom {
			m.index = nil
		}
	}
	return true
}
