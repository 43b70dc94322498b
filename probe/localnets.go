package probe

import "net/netip"

// LocalNets is the ordered list of local networks (-m). Its index is the
// local_network_id reported for hosts. Immutable after creation, so it is
// shared between goroutines without locking.
type LocalNets struct {
	nets  []netip.Prefix
	names []string
}

// defaultLocalNets apply when -m is not given (spec A.2).
var defaultLocalNets = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("fe80::/10"),
}

// NewLocalNets builds the table. With no prefixes the defaults are used.
// names gives the text shown for each network (e.g. "192.168.1.0/24"); when
// nil the canonical prefix text is used.
func NewLocalNets(prefixes []netip.Prefix, names []string) *LocalNets {
	if len(prefixes) == 0 {
		prefixes = defaultLocalNets
		names = nil
	}
	ln := &LocalNets{}
	for i, p := range prefixes {
		ln.nets = append(ln.nets, p.Masked())
		name := p.Masked().String()
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		ln.names = append(ln.names, name)
	}
	return ln
}

// Find returns the index of the first local network containing addr, or -1.
func (ln *LocalNets) Find(addr netip.Addr) int {
	addr = addr.Unmap()
	for i, p := range ln.nets {
		if p.Contains(addr) {
			return i
		}
	}
	return -1
}

// Name of the local network with the given index ("" when out of range).
func (ln *LocalNets) Name(id int) string {
	if id < 0 || id >= len(ln.names) {
		return ""
	}
	return ln.names[id]
}

// Prefix of the local network with the given index.
func (ln *LocalNets) Prefix(id int) (netip.Prefix, bool) {
	if id < 0 || id >= len(ln.nets) {
		return netip.Prefix{}, false
	}
	return ln.nets[id], true
}

// Len is the number of local networks.
func (ln *LocalNets) Len() int { return len(ln.nets) }

// isBroadcastIn reports whether addr is the network or broadcast address of
// the local network id when its prefix is /1../30 (spec A.2).
func (ln *LocalNets) isBroadcastIn(id int, addr netip.Addr) bool {
	p, ok := ln.Prefix(id)
	if !ok || !addr.Is4() || !p.Addr().Is4() || p.Bits() < 1 || p.Bits() > 30 {
		return false
	}
	a := ipv4Uint(addr)
	mask := uint32(0xffffffff) << (32 - p.Bits())
	net := ipv4Uint(p.Addr()) & mask
	return a == net || a == net|^mask
}

func ipv4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// IsMulticast reports IPv4 224.0.0.0/4 and IPv6 ff00::/8.
func IsMulticast(a netip.Addr) bool { return a.Unmap().IsMulticast() }

// IsPrivate reports the private ranges of spec A.2.
func IsPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		switch {
		case b[0] == 10, b[0] == 127:
			return true
		case b[0] == 172 && b[1]&0xf0 == 16:
			return true
		case b[0] == 192 && b[1] == 168:
			return true
		case b[0] == 169 && b[1] == 254:
			return true
		}
		return a == netip.IPv4Unspecified() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	return a.IsLinkLocalUnicast()
}

// IPKey is ntopng's numeric host key (spec A.3).
func IPKey(a netip.Addr) uint64 {
	a = a.Unmap()
	if a.Is4() {
		return uint64(ipv4Uint(a))
	}
	b := a.As16()
	var sum uint64
	for i := 0; i < 4; i++ {
		// Words as stored in memory (network order bytes) read as a
		// little-endian 32-bit integer on the reference's x86 hosts.
		w := uint64(b[i*4]) | uint64(b[i*4+1])<<8 | uint64(b[i*4+2])<<16 | uint64(b[i*4+3])<<24
		sum += w << (2 * uint(i))
	}
	return sum
}

var broadcastV4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})
