package probe

import (
	"encoding/binary"
	"net/netip"
	"sort"
	"sync"
)

// BcastDomain is one IPv4 broadcast domain detected on an interface
// (spec A.5) and the number of ARP frames and broadcast flows mapped to it.
type BcastDomain struct {
	Prefix netip.Prefix
	Hits   uint64
}

// bcastDomains is the interface's list of broadcast domains. The writer
// adds pairs; readers list domains and test addresses. Domains are few (one
// per LAN segment seen), so a slice beats a map for the membership test
// every host answer makes.
type bcastDomains struct {
	mu   sync.RWMutex
	list []BcastDomain
}

var linkLocal4 = netip.MustParsePrefix("169.254.0.0/16")

// domainOf maps a pair of IPv4 addresses seen talking on one segment to the
// smallest network containing both (starting from /28), or false when the
// pair says nothing: same address, an ARP probe (0.0.0.0), a link-local
// address, or a network of /16 or wider.
func domainOf(a, b netip.Addr) (netip.Prefix, bool) {
	if !a.Is4() || !b.Is4() || linkLocal4.Contains(a) || linkLocal4.Contains(b) {
		return netip.Prefix{}, false
	}
	x, y := ip4Uint(a), ip4Uint(b)
	lo, hi := min(x, y), max(x, y)
	d := hi - lo
	if d == 0 || lo == 0 {
		return netip.Prefix{}, false
	}
	bits := 28
	mask := ^uint32(0) << (32 - bits)
	for d&mask != 0 && bits > 16 {
		bits--
		mask <<= 1
	}
	netw := x & y & mask
	if lo&mask != hi&mask {
		bits--
		mask <<= 1
		netw = lo & mask
	}
	if bits <= 16 {
		return netip.Prefix{}, false
	}
	var o [4]byte
	binary.BigEndian.PutUint32(o[:], netw)
	return netip.PrefixFrom(netip.AddrFrom4(o), bits), true
}

func ip4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// add records one pair of addresses seen on the segment.
func (d *bcastDomains) add(a, b netip.Addr) {
	p, ok := domainOf(a.Unmap(), b.Unmap())
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.list {
		if d.list[i].Prefix == p {
			d.list[i].Hits++
			return
		}
	}
	d.list = append(d.list, BcastDomain{Prefix: p, Hits: 1})
}

// contains reports whether ip falls in a detected domain (IPv4 only).
func (d *bcastDomains) contains(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.Is4() {
		return false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	for i := range d.list {
		if d.list[i].Prefix.Contains(ip) {
			return true
		}
	}
	return false
}

// BcastDomains lists the detected broadcast domains by network address.
func (ifc *Interface) BcastDomains() []BcastDomain {
	d := &ifc.bcast
	d.mu.RLock()
	out := append([]BcastDomain(nil), d.list...)
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if c := out[i].Prefix.Addr().Compare(out[j].Prefix.Addr()); c != 0 {
			return c < 0
		}
		return out[i].Prefix.Bits() < out[j].Prefix.Bits()
	})
	return out
}

// InBcastDomain reports whether ip belongs to a broadcast domain of the
// interface (a host's broadcast_domain_host flag).
func (ifc *Interface) InBcastDomain(ip netip.Addr) bool { return ifc.bcast.contains(ip) }
