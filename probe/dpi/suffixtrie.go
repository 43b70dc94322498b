package dpi

import "slices"

// nameMatcher finds the best server-name pattern for a host name, with
// nDPI's host-matching rules (its Aho-Corasick search and domain match
// handler), without allocating:
//
//   - A pattern that does not end in '.' or '-' ("google.com") must end the
//     name; one that does ("google.", "fbcdn-") may end anywhere in it.
//   - A pattern holding a '.' that does not itself start with '.' or '-'
//     must start the name or follow a '.' or '-' ("google.com" matches
//     "www.google.com" and "x-google.com", not "notgoogle.com"). A pattern
//     with no '.' at all ("fbcdn-", "goog") may start anywhere.
//   - A pattern equal to the whole name wins outright. Otherwise the
//     pattern of highest level wins (its number of labels, unless the
//     table gives one); among equal levels, the one nDPI's left-to-right
//     scan meets first: the one ending first, then the longest.
//
// Patterns anchored at the end of the name live in a trie of reversed
// strings walked from the last byte of the name; the few others live in
// forward tries walked from every start position (the start of the name
// and every '.' or '-' for those that need a boundary).
type nameMatcher struct {
	end  trie // end-anchored patterns, reversed
	midB trie // patterns ending in '.' or '-' that start at a boundary
	midF trie // patterns ending in '.' or '-' that start anywhere
	val  []nameValue
}

// nameValue is what a pattern maps to.
type nameValue struct {
	id       ProtoID
	cat      CategoryID
	level    uint8
	boundary bool // must start the name or follow '.' or '-'
}

// trie is a byte trie in flat arrays, its nodes numbered in depth-first
// order so that a walk down a chain reads neighbouring memory. Node 0 is
// the root, whose children are indexed directly by byte.
type trie struct {
	root  [256]int32 // children of the root
	nodes []trieNode
	label []byte       // edge bytes of nodes with 2 to denseMin-1 children
	next  []int32      // their targets
	dense [][256]int32 // children of busy nodes
}

// trieNode is a node. With one child (most nodes), one is its byte and
// first its index; with several, first indexes label/next (n edges) or,
// with n < 0, dense.
type trieNode struct {
	val   int32 // index+1 into nameMatcher.val, 0 = no pattern ends here
	first int32
	n     int16
	one   byte
}

// denseMin is the number of children from which a node gets a direct
// table instead of a scanned edge list.
const denseMin = 5

// child returns the child of node n (not the root) for byte c, or 0.
func (t *trie) child(n int32, c byte) int32 {
	nd := &t.nodes[n]
	switch {
	case nd.n == 1:
		if nd.one == c {
			return nd.first
		}
		return 0
	case nd.n < 0:
		return t.dense[nd.first][c]
	}
	end := int(nd.first) + int(nd.n)
	for i := int(nd.first); i < end; i++ {
		if t.label[i] == c {
			return t.next[i]
		}
	}
	return 0
}

// trieBuilder builds a trie with map-based edges, then flattens it.
type trieBuilder struct {
	kids []map[byte]int32
	vals []int32
}

func newTrieBuilder() *trieBuilder {
	return &trieBuilder{kids: []map[byte]int32{nil}, vals: []int32{0}}
}

// add inserts key with value index v (1-based); it reports false if the
// key was already present.
func (b *trieBuilder) add(key string, v int32) bool {
	n := int32(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if b.kids[n] == nil {
			b.kids[n] = make(map[byte]int32)
		}
		nx, ok := b.kids[n][c]
		if !ok {
			nx = int32(len(b.kids))
			b.kids = append(b.kids, nil)
			b.vals = append(b.vals, 0)
			b.kids[n][c] = nx
		}
		n = nx
	}
	if b.vals[n] != 0 {
		return false
	}
	b.vals[n] = v
	return true
}

func (b *trieBuilder) build() trie {
	// Number the nodes in depth-first order, children by byte.
	order := make([]int32, 0, len(b.kids))
	newID := make([]int32, len(b.kids))
	var visit func(n int32)
	visit = func(n int32) {
		newID[n] = int32(len(order))
		order = append(order, n)
		for _, c := range sortedKeys(b.kids[n]) {
			visit(b.kids[n][c])
		}
	}
	visit(0)
	var t trie
	t.nodes = make([]trieNode, len(order))
	for id, old := range order {
		kids := b.kids[old]
		nd := &t.nodes[id]
		nd.val = b.vals[old]
		switch {
		case id == 0:
			for c, nx := range kids {
				t.root[c] = newID[nx]
			}
		case len(kids) == 1:
			for c, nx := range kids {
				nd.one, nd.first, nd.n = c, newID[nx], 1
			}
		case len(kids) >= denseMin:
			var d [256]int32
			for c, nx := range kids {
				d[c] = newID[nx]
			}
			nd.first, nd.n = int32(len(t.dense)), -1
			t.dense = append(t.dense, d)
		case len(kids) > 1:
			nd.first, nd.n = int32(len(t.label)), int16(len(kids))
			for _, c := range sortedKeys(kids) {
				t.label = append(t.label, c)
				t.next = append(t.next, newID[kids[c]])
			}
		}
	}
	return t
}

// sortedKeys returns the bytes of a node's children in order (scanning all
// 256 values per node made loading the table slow).
func sortedKeys(m map[byte]int32) []byte {
	keys := make([]byte, 0, len(m))
	for c := range m {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	return keys
}

// isNameSep reports whether c separates the parts of a name for nDPI's
// host matching.
func isNameSep(c byte) bool { return c == '.' || c == '-' }

// domainLevel is nDPI's domain level of a pattern: its number of labels
// ("a." and ".a." are 1, "a.b" is 2), 0 for malformed ones ("a..b").
func domainLevel(p string) uint8 {
	level, state := 1, 0
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '.':
			switch state {
			case 0:
				state = 1
			case 2:
				state = 3
			default:
				return 0
			}
		case p[i] == '-' && (state == 1 || state == 3):
			return 0
		default:
			if state == 3 {
				level++
			}
			state = 2
		}
	}
	if state < 2 {
		return 0
	}
	return uint8(level)
}

// nameMatcherBuilder collects patterns.
type nameMatcherBuilder struct {
	end, midB, midF *trieBuilder
	val             []nameValue
}

func newNameMatcherBuilder() *nameMatcherBuilder {
	return &nameMatcherBuilder{end: newTrieBuilder(), midB: newTrieBuilder(), midF: newTrieBuilder()}
}

// add registers a lower-case pattern; level 0 means nDPI's domain level.
// It reports false for a duplicate pattern.
func (b *nameMatcherBuilder) add(p string, v nameValue) bool {
	if p == "" {
		return false
	}
	if v.level == 0 {
		v.level = domainLevel(p)
	}
	hasDot := false
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			hasDot = true
		}
	}
	v.boundary = hasDot && !isNameSep(p[0])
	b.val = append(b.val, v)
	idx := int32(len(b.val))
	if isNameSep(p[len(p)-1]) {
		if v.boundary {
			return b.midB.add(p, idx)
		}
		return b.midF.add(p, idx)
	}
	r := make([]byte, len(p))
	for i := range p {
		r[len(p)-1-i] = p[i]
	}
	return b.end.add(string(r), idx)
}

func (b *nameMatcherBuilder) build() *nameMatcher {
	return &nameMatcher{end: b.end.build(), midB: b.midB.build(), midF: b.midF.build(), val: b.val}
}

// cand is the best pattern found so far, in nDPI's order: the highest
// level, then the one its left-to-right scan meets first (the one ending
// first, then the longest).
type cand struct {
	v        nameValue
	end, len int
	found    bool
}

// offer considers v, matched at name[s:end].
func (b *cand) offer(v nameValue, s, end int) {
	l := end - s
	if !b.found || v.level > b.v.level ||
		(v.level == b.v.level && (end < b.end || (end == b.end && l > b.len))) {
		*b = cand{v: v, end: end, len: l, found: true}
	}
}

// nameMatch is the result of a lookup: the best service pattern, and the
// best category-only pattern (nDPI keeps those in a second automaton,
// consulted when the first finds nothing).
type nameMatch struct {
	proto, cat cand
}

func (r *nameMatch) offer(v nameValue, s, end int) {
	if v.id != ProtoUnknown {
		r.proto.offer(v, s, end)
	} else {
		r.cat.offer(v, s, end)
	}
}

// walk offers the patterns of t found at name[s:], starting from the
// root's child n for name[s].
func (m *nameMatcher) walk(t *trie, name string, s int, n int32, r *nameMatch) {
	for i := s + 1; ; i++ {
		if vi := t.nodes[n].val; vi != 0 {
			r.offer(m.val[vi-1], s, i)
		}
		if i == len(name) {
			return
		}
		if n = t.child(n, name[i]); n == 0 {
			return
		}
	}
}

// match finds the best patterns for a lower-case name.
func (m *nameMatcher) match(name string) nameMatch {
	var r nameMatch
	for s := 0; s < len(name); s++ {
		c := name[s]
		if n := m.midB.root[c]; n != 0 && (s == 0 || isNameSep(name[s-1])) {
			m.walk(&m.midB, name, s, n, &r)
		}
		if n := m.midF.root[c]; n != 0 {
			m.walk(&m.midF, name, s, n, &r)
		}
	}
	// Patterns anchored at the end all end last and are met shortest
	// first here, the reverse of nDPI's order: offering them with
	// increasing start and equal end gives the same choice, since a
	// longer pattern of equal level wins. One equal to the whole name
	// wins outright.
	var n int32
	for i := len(name) - 1; i >= 0; i-- {
		if i == len(name)-1 {
			n = m.end.root[name[i]]
		} else {
			n = m.end.child(n, name[i])
		}
		if n == 0 {
			break
		}
		vi := m.end.nodes[n].val
		if vi == 0 {
			continue
		}
		v := m.val[vi-1]
		switch {
		case i == 0:
			c := cand{v: v, end: len(name), len: len(name), found: true}
			if v.id != ProtoUnknown {
				r.proto = c
			} else {
				r.cat = c
			}
		case v.boundary && !isNameSep(name[i-1]):
		default:
			r.offer(v, i, len(name))
		}
	}
	return r
}
