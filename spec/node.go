package spec

import "unicode/utf8"

// node is a YAML value with its place in the file: the loader's own small
// tree, so the rest of the package never touches goccy's AST.
type node struct {
	kind  nodeKind
	val   any  // scalars: string, int, float64, bool or nil
	isStr bool // a YAML string: interpolation applies
	// offset maps a byte offset in a string value to its column, when the
	// scalar sits on one line and its text is the value (plain, or quoted
	// with no escapes); otherwise errors point at the scalar's start.
	exact  bool
	quoted bool
	keys   []*entry        // mappings, in file order
	index  map[string]int  // key → its place in keys, once there are many (add)
	merged map[string]bool // keys that came from a merge key (<<): explicit ones win
	items  []*node         // sequences
	rng    Range
	// filled by interpolation
	sensitive  bool
	refs       []Ref
	unresolved bool // a ${var|env|file…} could not be resolved (reported); its placeholder stays
}

type nodeKind int

const (
	scalarNode nodeKind = iota
	mapNode
	seqNode
)

type entry struct {
	key    string
	keyRng Range
	val    *node
}

// get returns the entry of a mapping with the key, or nil.
func (n *node) get(key string) *entry {
	if n == nil || n.kind != mapNode {
		return nil
	}
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.keys[i]
		}
		return nil
	}
	for _, e := range n.keys {
		if e.key == key {
			return e
		}
	}
	return nil
}

// indexFrom is the number of keys from which a mapping indexes them:
// below it a scan is as fast, above it every key added (each checked
// for a duplicate with get) would make loading a mapping quadratic (the
// vms: of a stack of 10,000 resources has 4,000 keys).
const indexFrom = 16

// add appends an entry to a mapping, keeping its index.
func (n *node) add(e *entry) {
	n.keys = append(n.keys, e)
	switch {
	case n.index != nil:
		n.index[e.key] = len(n.keys) - 1
	case len(n.keys) >= indexFrom:
		n.index = make(map[string]int, 2*len(n.keys))
		for i, k := range n.keys {
			n.index[k.key] = i
		}
	}
}

// span is the place of the bytes [i, i+length) of a string scalar, when
// the scalar's text is its value; otherwise the whole scalar.
func (n *node) span(i, length int) Range {
	r := n.rng
	if !n.exact || n.kind != scalarNode {
		return r
	}
	s, _ := n.val.(string)
	if i < 0 || length < 0 || i+length > len(s) {
		return r
	}
	q := 0
	if n.quoted {
		q = 1
	}
	r.Start.Col += q + utf8.RuneCountInString(s[:i])
	r.End = r.Start
	r.End.Col += utf8.RuneCountInString(s[i : i+length])
	return r
}
