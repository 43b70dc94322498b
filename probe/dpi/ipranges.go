package dpi

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"net/netip"
	"path"
	"sort"
	"strings"
	"sync"
)

// Address classification: the address ranges of nDPI's IP lists (the
// host_protocol_list of ndpi_content_match.c.inc and the generated lists of
// src/lib/inc_generated: cloud providers, ASNs of large services), kept in
// ipranges/<Protocol>.txt, one CIDR prefix per line.

//go:embed ipranges/*.txt
var ipRangesFS embed.FS

var builtinIPRanges struct {
	once sync.Once
	t    *ipTable
}

func loadedIPRanges() *ipTable {
	builtinIPRanges.once.Do(func() {
		builtinIPRanges.t = mustParse(parseIPRanges(ipRangesFS))
	})
	return builtinIPRanges.t
}

// ipPrefix is one prefix of the table and its service.
type ipPrefix struct {
	p  netip.Prefix
	id ProtoID
}

// parseIPRanges reads every ipranges/*.txt file: the file name is a
// protocol name of protocols.tsv, each line a prefix ("1.2.3.0/24",
// "2001:db8::/32"; a bare address is a /32 or /128), '#' starts a comment.
// The same prefix may not be given twice.
func parseIPRanges(fsys embed.FS) (*ipTable, error) {
	loadBuiltin()
	byName := make(map[string]ProtoID, len(builtin.protos))
	for _, p := range builtin.protos {
		byName[strings.ToLower(p.Name)] = p.ID
	}
	files, err := fsys.ReadDir("ipranges")
	if err != nil {
		return nil, err
	}
	var all []ipPrefix
	seen := map[netip.Prefix]string{}
	for _, f := range files {
		name := f.Name()
		proto, ok := strings.CutSuffix(name, ".txt")
		if !ok {
			continue
		}
		id, ok := byName[strings.ToLower(proto)]
		if !ok || id == ProtoUnknown {
			return nil, fmt.Errorf("ipranges/%s: unknown protocol %q", name, proto)
		}
		data, err := fsys.ReadFile(path.Join("ipranges", name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			s := sc.Text()
			if i := strings.IndexByte(s, '#'); i >= 0 {
				s = s[:i]
			}
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			p, err := parsePrefixOrAddr(s)
			if err != nil {
				return nil, fmt.Errorf("ipranges/%s line %d: %v", name, line, err)
			}
			if other, dup := seen[p]; dup {
				return nil, fmt.Errorf("ipranges/%s line %d: %s already listed in %s", name, line, p, other)
			}
			seen[p] = name
			all = append(all, ipPrefix{p, id})
		}
	}
	return newIPTable(all), nil
}

// parsePrefixOrAddr parses a prefix or a lone address, which must not
// have host bits set past the prefix length.
func parsePrefixOrAddr(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%s has host bits set", s)
	}
	return p, nil
}

// matchIPTable returns the service an address belongs to, from the
// address-range table (the most specific prefix), or ProtoUnknown.
func matchIPTable(a netip.Addr) ProtoID {
	if !a.IsValid() {
		return ProtoUnknown
	}
	return loadedIPRanges().lookup(a.Unmap())
}

// ipTable holds the prefixes flattened into disjoint sorted ranges, one
// slice set per family, searched by binary search.
type ipTable struct {
	v4start, v4end []uint32
	v4id           []ProtoID
	v6start, v6end []u128
	v6id           []ProtoID
	n              int // prefixes loaded
}

// u128 is an IPv6 address as a number.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) addOne() u128 {
	if a.lo == ^uint64(0) {
		return u128{a.hi + 1, 0}
	}
	return u128{a.hi, a.lo + 1}
}

func (a u128) subOne() u128 {
	if a.lo == 0 {
		return u128{a.hi - 1, ^uint64(0)}
	}
	return u128{a.hi, a.lo - 1}
}

func addrU128(a netip.Addr) u128 {
	b := a.As16()
	var x u128
	for i := 0; i < 8; i++ {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x
}

// prefixRange is the first and last address of a prefix, as numbers in a
// 128-bit space (IPv4 addresses in the low 32 bits).
func prefixRange(p netip.Prefix) (first, last u128) {
	if p.Addr().Is4() {
		b := p.Addr().As4()
		v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		host := uint64(1)<<(32-p.Bits()) - 1
		return u128{0, v}, u128{0, v | host}
	}
	first = addrU128(p.Addr())
	last = first
	switch bits := p.Bits(); {
	case bits <= 64:
		last.hi |= ^uint64(0) >> bits // a shift by 64 gives 0
		last.lo = ^uint64(0)
	default:
		last.lo |= ^uint64(0) >> (bits - 64)
	}
	return first, last
}

// segment is a range of addresses with one service.
type segment struct {
	first, last u128
	id          ProtoID
}

// flatten turns prefixes of one family (which nest or are disjoint, never
// overlap partially) into disjoint sorted segments where the longest
// prefix wins, merging neighbours of the same service.
func flatten(ps []ipPrefix) []segment {
	type span struct {
		first, last u128
		id          ProtoID
	}
	spans := make([]span, len(ps))
	for i, p := range ps {
		f, l := prefixRange(p.p)
		spans[i] = span{f, l, p.id}
	}
	// Outer prefixes before the ones they contain.
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].first != spans[j].first {
			return spans[i].first.less(spans[j].first)
		}
		return spans[j].last.less(spans[i].last)
	})
	var out []segment
	emit := func(f, l u128, id ProtoID) {
		if l.less(f) {
			return
		}
		if n := len(out); n > 0 && out[n-1].id == id && out[n-1].last.addOne() == f {
			out[n-1].last = l
			return
		}
		out = append(out, segment{f, l, id})
	}
	var stack []span
	var pos u128 // first address not yet emitted
	closeTop := func() {
		top := stack[len(stack)-1]
		emit(pos, top.last, top.id)
		pos = top.last.addOne()
		stack = stack[:len(stack)-1]
	}
	for _, s := range spans {
		for len(stack) > 0 && stack[len(stack)-1].last.less(s.first) {
			closeTop()
		}
		if len(stack) > 0 && pos.less(s.first) {
			emit(pos, s.first.subOne(), stack[len(stack)-1].id)
		}
		pos = s.first
		stack = append(stack, s)
	}
	for len(stack) > 0 {
		closeTop()
	}
	return out
}

func newIPTable(ps []ipPrefix) *ipTable {
	var v4, v6 []ipPrefix
	for _, p := range ps {
		if p.p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	t := &ipTable{n: len(ps)}
	for _, s := range flatten(v4) {
		t.v4start = append(t.v4start, uint32(s.first.lo))
		t.v4end = append(t.v4end, uint32(s.last.lo))
		t.v4id = append(t.v4id, s.id)
	}
	for _, s := range flatten(v6) {
		t.v6start = append(t.v6start, s.first)
		t.v6end = append(t.v6end, s.last)
		t.v6id = append(t.v6id, s.id)
	}
	return t
}

// lookup returns the service of an (unmapped) address.
func (t *ipTable) lookup(a netip.Addr) ProtoID {
	if a.Is4() {
		b := a.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		// The last segment starting at or before v.
		lo, hi := 0, len(t.v4start)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if t.v4start[m] <= v {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo > 0 && v <= t.v4end[lo-1] {
			return t.v4id[lo-1]
		}
		return ProtoUnknown
	}
	v := addrU128(a)
	lo, hi := 0, len(t.v6start)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !v.less(t.v6start[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo > 0 && !t.v6end[lo-1].less(v) {
		return t.v6id[lo-1]
	}
	return ProtoUnknown
}
