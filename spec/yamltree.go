package spec

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

var crlf, lf = []byte("\r\n"), []byte("\n")

// maxNodes bounds alias expansion ("billion laughs").
const maxNodes = 200000

type treeBuilder struct {
	filename string
	line0    int // lines before the text parsed (a piece of the file: see yamlcuts.go)
	anchors  map[string]*node
	count    int
	diags    Diagnostics
	nodes    []node  // see newNode
	entries  []entry // see newEntry
}

// parseYAML parses src into a node tree. A syntax error comes back as a
// diagnostic with its position; so does a file that nests deeper than
// MaxDepth or holds more than maxNodes values, found before it is parsed.
func parseYAML(filename string, src []byte) (root *node, diags Diagnostics) {
	return parseYAMLPieces(filename, src, piecesFor(len(src)))
}

// parseYAMLPieces is parseYAML that parses src in up to pieces pieces
// concurrently, where it can be cut (yamlcuts.go).
func parseYAMLPieces(filename string, src []byte, pieces int) (root *node, diags Diagnostics) {
	defer func() {
		// The YAML library is third-party code fed with user input: a panic
		// there is a bug of theirs, reported as an error of ours.
		if p := recover(); p != nil {
			root = nil
			diags.Errorf(&Range{Filename: filename, Start: Pos{1, 1}, End: Pos{1, 1}}, "", "cannot parse YAML: %v", p)
		}
	}()
	src = stripBOM(src)
	// The tokenizer counts the line break after a comment twice when it
	// is \r\n, so every position below it was off; nothing else reads
	// \r\n differently from \n (a lone \r stays a line break).
	if bytes.Contains(src, crlf) {
		src = bytes.ReplaceAll(src, crlf, lf)
	}
	var cuts *cutScan
	if pieces > 1 {
		cuts = &cutScan{}
	}
	if d := scanLimitsCuts(filename, src, MaxDepth, cuts); d != nil {
		return nil, Diagnostics{*d}
	}
	if ps := planPieces(len(src), cuts, pieces); ps != nil {
		if root, ok := parsePieces(filename, src, ps); ok {
			return root, nil
		}
	}
	tokens := lexer.Tokenize(string(src))
	if d := tokenLimits(filename, tokens, MaxDepth); d != nil {
		return nil, Diagnostics{*d}
	}
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, yamlErrorDiag(filename, err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &node{kind: mapNode, rng: Range{Filename: filename, Start: Pos{1, 1}, End: Pos{1, 1}}}, nil
	}
	b := &treeBuilder{filename: filename, anchors: map[string]*node{}}
	if len(docs) > 1 {
		r := b.rangeOf(docs[1].Body)
		b.diags.Errorf(&r, "put the whole stack in one YAML document", "more than one YAML document in %s", filename)
	}
	root = b.build(docs[0].Body)
	return root, b.diags
}

func yamlErrorDiag(filename string, err error) Diagnostics {
	var ds Diagnostics
	r := Range{Filename: filename, Start: Pos{1, 1}, End: Pos{1, 1}}
	msg := err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			r = tokenRange(filename, 0, tk)
		}
	}
	ds.Errorf(&r, "", "YAML syntax error: %s", msg)
	return ds
}

// tokenRange is where a token is, in a text that starts after line0 lines.
func tokenRange(filename string, line0 int, tk *token.Token) Range {
	p := tk.Position
	line, col := max(p.Line, 1)+line0, max(p.Column, 1)
	w := utf8.RuneCountInString(strings.TrimSpace(tk.Origin))
	if w == 0 || strings.Contains(strings.TrimSpace(tk.Origin), "\n") {
		w = utf8.RuneCountInString(tk.Value)
	}
	if strings.Contains(tk.Value, "\n") {
		w = 1
	}
	return Range{Filename: filename, Start: Pos{line, col}, End: Pos{line, col + max(w, 1)}}
}

func (b *treeBuilder) rangeOf(n ast.Node) Range {
	// A block mapping's own token is a ':'; it starts at its first key.
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
			return b.rangeOf(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			return b.rangeOf(m.Key)
		}
	}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			return tokenRange(b.filename, b.line0, tk)
		}
	}
	return Range{Filename: b.filename, Start: Pos{1, 1}, End: Pos{1, 1}}
}

func (b *treeBuilder) errorf(n ast.Node, detail, format string, args ...any) {
	r := b.rangeOf(n)
	b.diags.Errorf(&r, detail, format, args...)
}

func (b *treeBuilder) build(n ast.Node) *node {
	b.count++
	if b.count > maxNodes {
		if b.count == maxNodes+1 {
			b.errorf(n, "", "document too large (more than %d values after aliases)", maxNodes)
		}
		return b.newNode(node{kind: scalarNode, rng: b.rangeOf(n)})
	}
	switch n := n.(type) {
	case nil:
		return b.newNode(node{kind: scalarNode})
	case *ast.DocumentNode:
		return b.build(n.Body)
	case *ast.MappingNode:
		out := b.newNode(node{kind: mapNode, rng: b.rangeOf(n)})
		for _, mv := range n.Values {
			b.addEntry(out, mv)
		}
		return out
	case *ast.MappingValueNode:
		out := b.newNode(node{kind: mapNode, rng: b.rangeOf(n.Key)})
		b.addEntry(out, n)
		return out
	case *ast.SequenceNode:
		out := b.newNode(node{kind: seqNode, rng: b.rangeOf(n)})
		for _, v := range n.Values {
			out.items = append(out.items, b.build(v))
		}
		return out
	case *ast.AnchorNode:
		v := b.build(n.Value)
		if n.Name != nil {
			b.anchors[n.Name.String()] = v
		}
		return v
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.String()
		}
		a, ok := b.anchors[name]
		if !ok {
			b.errorf(n, "define the anchor (&"+name+") before this alias", "unknown alias *%s", name)
			return b.newNode(node{kind: scalarNode, rng: b.rangeOf(n)})
		}
		// A copy: interpolation rewrites nodes in place.
		return b.copyNode(a)
	case *ast.TagNode:
		return b.buildTagged(n)
	case *ast.LiteralNode:
		s := ""
		if n.Value != nil {
			s = n.Value.Value
		}
		return b.newNode(node{kind: scalarNode, val: s, isStr: true, rng: b.rangeOf(n)})
	case *ast.StringNode:
		return b.stringNode(n)
	case *ast.IntegerNode:
		return b.newNode(node{kind: scalarNode, val: intValue(n.Value), rng: b.rangeOf(n)})
	case *ast.FloatNode:
		return b.newNode(node{kind: scalarNode, val: n.Value, rng: b.rangeOf(n)})
	case *ast.InfinityNode, *ast.NanNode:
		// Not JSON numbers: kept as their text, so the schema reports them.
		text := ".inf"
		if tk := n.GetToken(); tk != nil {
			text = tk.Value
		}
		return b.newNode(node{kind: scalarNode, val: text, rng: b.rangeOf(n)})
	case *ast.BoolNode:
		return b.newNode(node{kind: scalarNode, val: n.Value, rng: b.rangeOf(n)})
	case *ast.NullNode:
		return b.newNode(node{kind: scalarNode, val: nil, rng: b.rangeOf(n)})
	case ast.ScalarNode:
		return b.newNode(node{kind: scalarNode, val: n.GetValue(), rng: b.rangeOf(n)})
	default:
		b.errorf(n, "", "unsupported YAML construct (%s)", n.Type())
		return b.newNode(node{kind: scalarNode, rng: b.rangeOf(n)})
	}
}

func (b *treeBuilder) copyNode(n *node) *node {
	b.count++
	if b.count > maxNodes {
		return b.newNode(node{kind: scalarNode, rng: n.rng})
	}
	c := b.newNode(*n)
	c.keys, c.index, c.items = nil, nil, nil
	for _, e := range n.keys {
		c.add(b.newEntry(entry{key: e.key, keyRng: e.keyRng, val: b.copyNode(e.val)}))
	}
	for _, it := range n.items {
		c.items = append(c.items, b.copyNode(it))
	}
	return c
}

// newNode and newEntry hand out the tree's nodes and entries from blocks
// of many: one allocation for each block, not for each value.
func (b *treeBuilder) newNode(n node) *node {
	if len(b.nodes) == cap(b.nodes) {
		b.nodes = make([]node, 0, slabSize)
	}
	b.nodes = append(b.nodes, n)
	return &b.nodes[len(b.nodes)-1]
}

func (b *treeBuilder) newEntry(e entry) *entry {
	if len(b.entries) == cap(b.entries) {
		b.entries = make([]entry, 0, slabSize)
	}
	b.entries = append(b.entries, e)
	return &b.entries[len(b.entries)-1]
}

const slabSize = 256

func (b *treeBuilder) stringNode(n *ast.StringNode) *node {
	out := b.newNode(node{kind: scalarNode, val: n.Value, isStr: true, rng: b.rangeOf(n)})
	if tk := n.Token; tk != nil {
		origin := strings.TrimSpace(tk.Origin)
		switch tk.Type {
		case token.SingleQuoteType, token.DoubleQuoteType:
			out.quoted = true
			out.exact = len(origin) >= 2 && origin[1:len(origin)-1] == n.Value
		default:
			out.exact = origin == n.Value
		}
		if strings.Contains(n.Value, "\n") {
			out.exact = false
		}
	}
	return out
}

// buildTagged honours the standard scalar tags; others are kept as is.
func (b *treeBuilder) buildTagged(n *ast.TagNode) *node {
	v := b.build(n.Value)
	if n.Start == nil || v.kind != scalarNode {
		return v
	}
	switch n.Start.Value {
	case "!!str":
		if !v.isStr {
			text := ""
			if n.Value != nil {
				if tk := n.Value.GetToken(); tk != nil {
					text = tk.Value
				}
			}
			v.val, v.isStr, v.exact = text, true, false
		}
	case "!!int":
		if s, ok := v.val.(string); ok {
			if i, err := strconv.Atoi(s); err == nil {
				v.val, v.isStr = i, false
			}
		}
	case "!!float":
		switch x := v.val.(type) {
		case int:
			v.val = float64(x)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				v.val, v.isStr = f, false
			}
		}
	}
	return v
}

func (b *treeBuilder) addEntry(m *node, mv *ast.MappingValueNode) {
	if mv == nil {
		return
	}
	if mv.Key != nil && mv.Key.IsMergeKey() {
		b.merge(m, b.build(mv.Value), mv)
		return
	}
	var keyNode ast.Node = mv.Key
	if k, ok := keyNode.(*ast.MappingKeyNode); ok { // "? key" form
		keyNode = k.Value
	}
	var name string
	if sk, ok := keyNode.(*ast.StringNode); ok && b.count < maxNodes {
		b.count++ // counted as build counts it, with no node made
		name = sk.Value
	} else {
		key := b.build(keyNode)
		if key.kind != scalarNode {
			b.errorf(mv.Key, "use a string as a key", "a mapping key must be a scalar")
			return
		}
		name = scalarText(key.val)
	}
	e := b.newEntry(entry{key: name, keyRng: b.rangeOf(keyNode), val: b.build(mv.Value)})
	if e.val.rng.Filename == "" || isImplicitNull(mv.Value) {
		// An empty value: point at the key. (The parser places its
		// implicit null one or two columns after the colon, depending on
		// what follows.)
		e.val.rng = e.keyRng
	}
	if prev := m.get(name); prev != nil && m.merged[name] {
		*prev = *e
		delete(m.merged, name)
		return
	} else if prev != nil {
		b.diags.Errorf(&e.keyRng, fmt.Sprintf("first defined at line %d; keep one of them", prev.keyRng.Start.Line), "duplicate key %q", name)
		return
	}
	m.add(e)
}

func isImplicitNull(n ast.Node) bool {
	if n == nil {
		return false
	}
	tk := n.GetToken()
	_, null := n.(*ast.NullNode)
	return null && tk != nil && tk.Type == token.ImplicitNullType
}

// merge applies a "<<: *anchor" merge key: keys already set win.
func (b *treeBuilder) merge(m *node, src *node, at ast.Node) {
	srcs := []*node{src}
	if src.kind == seqNode {
		srcs = src.items
	}
	for _, s := range srcs {
		if s.kind != mapNode {
			b.errorf(at, "", "a merge key (<<) needs a mapping or a list of mappings")
			continue
		}
		for _, e := range s.keys {
			if m.get(e.key) == nil {
				m.add(e)
				if m.merged == nil {
					m.merged = map[string]bool{}
				}
				m.merged[e.key] = true
			}
		}
	}
}

func intValue(v any) any {
	switch x := v.(type) {
	case int64:
		return int(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int(x)
	case int:
		return x
	}
	return v
}

// scalarText is how a scalar reads as a key or in a string.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}
