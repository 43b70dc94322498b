package pools

import (
	"net/netip"

	"github.com/gaissmai/bart"
)

// Matcher answers "which host pool does this host belong to" (rest-pools.md
// §1.5). It is immutable once built, so the capture goroutines and the REST
// handlers share it without locks; a pool change publishes a new one.
type Matcher struct {
	macs map[[6]byte]uint16
	// nets holds one longest-prefix-match table per VLAN, IPv4 and IPv6
	// together (bart keeps the two families apart internally).
	nets    map[uint16]*bart.Table[uint16]
	members int
}

// buildMatcher indexes the members of the host pools.
func buildMatcher(pools map[int]*Pool) *Matcher {
	m := &Matcher{macs: map[[6]byte]uint16{}, nets: map[uint16]*bart.Table[uint16]{}}
	for _, p := range pools {
		for _, mem := range p.members {
			m.members++
			if mem.Type == MAC {
				m.macs[mem.MAC] = uint16(p.ID)
				continue
			}
			t := m.nets[mem.VLAN]
			if t == nil {
				t = new(bart.Table[uint16])
				m.nets[mem.VLAN] = t
			}
			t.Insert(mem.Prefix, uint16(p.ID))
		}
	}
	return m
}

// NewMatcher builds a matcher from members (strict form) by host pool
// id, outside any Manager: for tools, tests and benchmarks.
func NewMatcher(members map[int][]string) (*Matcher, error) {
	ps := map[int]*Pool{}
	for id, ms := range members {
		p := &Pool{Kind: Host, ID: id}
		for _, s := range ms {
			mem, err := ParseMember(s, false)
			if err != nil {
				return nil, err
			}
			p.members = append(p.members, mem)
		}
		ps[id] = p
	}
	return buildMatcher(ps), nil
}

// PoolOf is the pool of a host: its MAC when that is a member (special
// and broadcast MACs never are), else the longest prefix containing the
// address in the host's VLAN, else 0 (Default).
func (m *Matcher) PoolOf(mac [6]byte, ip netip.Addr, vlan uint16) uint16 {
	if m == nil {
		return 0
	}
	if len(m.macs) > 0 && !specialMAC(mac) {
		if id, ok := m.macs[mac]; ok {
			return id
		}
	}
	if t := m.nets[vlan]; t != nil {
		if id, ok := t.Lookup(ip.Unmap()); ok {
			return id
		}
	}
	return 0
}

// Members is the number of members indexed.
func (m *Matcher) Members() int {
	if m == nil {
		return 0
	}
	return m.members
}

// specialMAC: all-zero, broadcast and multicast MACs identify no device.
func specialMAC(mac [6]byte) bool {
	return mac == [6]byte{} || mac[0]&1 == 1
}
