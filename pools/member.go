package pools

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// MemberType is what a host pool member designates (rest-pools.md §1.1).
type MemberType string

const (
	// MAC is one MAC address, whatever the VLAN.
	MAC MemberType = "mac"
	// IP is a single address: an IPv4 /32 or IPv6 /128.
	IP MemberType = "ip"
	// Net is any shorter prefix.
	Net MemberType = "net"
)

// maxVLAN is the largest 802.1Q VLAN id.
const maxVLAN = 4095

// Member is a parsed, normalized host pool member.
type Member struct {
	// Key is the stored form: "AA:BB:CC:DD:EE:FF" or "ADDR/BITS@VLAN",
	// upper-cased, with the address masked to its prefix.
	Key    string
	Type   MemberType
	MAC    [6]byte      // MAC members
	Prefix netip.Prefix // IP and Net members
	VLAN   uint16       // IP and Net members
}

// ErrBadMember is wrapped by every member parsing error.
var ErrBadMember = errors.New("invalid pool member")

func badMember(s, why string) error {
	return fmt.Errorf("%w %q: %s", ErrBadMember, s, why)
}

// ParseMember parses a member as add/edit/host/pool accept it (strict):
// a MAC, or "addr/bits[@vlan]" where the prefix length is mandatory.
// With relaxed (bind/host/pool/member, get/host/pool_by_member) a bare
// address is a /32 or /128.
func ParseMember(s string, relaxed bool) (Member, error) {
	if s == "" {
		return Member{}, badMember(s, "empty")
	}
	if strings.ContainsAny(s, " '\t\r\n") {
		return Member{}, badMember(s, "spaces and quotes are not allowed")
	}
	if hw, err := net.ParseMAC(s); err == nil && len(hw) == 6 && len(s) == 17 && s[2] == ':' {
		var m Member
		copy(m.MAC[:], hw)
		m.Type = MAC
		m.Key = strings.ToUpper(hw.String())
		return m, nil
	}
	addrPart, vlanPart, hasVLAN := strings.Cut(s, "@")
	var vlan uint64
	if hasVLAN {
		v, err := strconv.ParseUint(vlanPart, 10, 16)
		if err != nil || v > maxVLAN {
			return Member{}, badMember(s, "VLAN must be a number from 0 to 4095")
		}
		vlan = v
	}
	var pfx netip.Prefix
	if strings.Contains(addrPart, "/") {
		p, err := netip.ParsePrefix(addrPart)
		if err != nil {
			return Member{}, badMember(s, "not an address/prefix")
		}
		pfx = p
	} else {
		if !relaxed {
			return Member{}, badMember(s, "the prefix length is required (e.g. /32); or give a MAC address")
		}
		a, err := netip.ParseAddr(addrPart)
		if err != nil {
			return Member{}, badMember(s, "not a MAC address, IP address or network")
		}
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	if pfx.Addr().Zone() != "" {
		return Member{}, badMember(s, "zones are not allowed")
	}
	if pfx.Addr().Is4In6() {
		// ::ffff:a.b.c.d is how the probe never stores a host; match the
		// IPv4 host by writing it as IPv4.
		return Member{}, badMember(s, "write IPv4-mapped addresses as IPv4")
	}
	pfx = pfx.Masked()
	m := Member{Prefix: pfx, VLAN: uint16(vlan), Type: Net}
	if pfx.IsSingleIP() {
		m.Type = IP
	}
	m.Key = strings.ToUpper(pfx.String()) + "@" + strconv.FormatUint(vlan, 10)
	return m, nil
}

// Details is a member as member_details and get/host/pool/members show it.
type Details struct {
	Member  string     `json:"member"`
	Type    MemberType `json:"type"`
	Name    string     `json:"name"`
	VLAN    int        `json:"vlan"`
	HostKey string     `json:"hostkey"`
}

// Details describes m (rest-pools.md §1.1).
func (m Member) Details() Details {
	d := Details{Member: m.Key, Type: m.Type, VLAN: int(m.VLAN)}
	switch m.Type {
	case MAC:
		d.Name = m.Key
	case IP:
		d.Name = strings.ToUpper(m.Prefix.Addr().String())
	default:
		d.Name = strings.ToUpper(m.Prefix.String())
	}
	d.HostKey = d.Name
	if m.VLAN != 0 {
		d.HostKey += "@" + strconv.Itoa(int(m.VLAN))
	}
	return d
}
