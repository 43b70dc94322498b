package dpi

import (
	"encoding/binary"
	"net/netip"
)

// DHCP (BOOTP with the DHCP magic cookie, UDP 67/68), DHCPv6 (UDP
// 546/547) and NTP (UDP 123). nDPI looks for them on their ports only:
// the signatures are short.

const protoDHCPv6 ProtoID = 103 // DHCPV6

// dhcpMagic is the DHCP magic cookie that ends the BOOTP header.
const dhcpMagic = 0x63825363

func dhcpPort(p uint16) bool { return p == 67 || p == 68 }

func dissectDHCP(c *ctx) verdict {
	b := c.payload
	if !dhcpPort(c.cliPort) || !dhcpPort(c.srvPort) {
		return notMine
	}
	// op (1 request, 2 reply), htype, hlen, hops, then at 236 the cookie;
	// at least one option (the message type) follows.
	if len(b) < 244 || (b[0] != 1 && b[0] != 2) || b[2] > 16 ||
		binary.BigEndian.Uint32(b[236:]) != dhcpMagic {
		return notMine
	}
	c.set(ProtoDHCP)
	dhcpOptions(c, b)
	return matched
}

// dhcpOptions records the client's host name (option 12) and passes it to
// the learner with the client's address when the message names one.
func dhcpOptions(c *ctx, b []byte) {
	var host []byte
	var requested []byte
	for off := 240; off < len(b); {
		code := b[off]
		if code == 0 { // pad
			off++
			continue
		}
		if code == 255 || off+1 >= len(b) {
			break
		}
		n := int(b[off+1])
		if off+2+n > len(b) {
			break
		}
		v := b[off+2 : off+2+n]
		switch code {
		case 12:
			host = v
		case 50:
			requested = v
		}
		off += 2 + n
	}
	if len(host) == 0 || len(host) > 64 {
		return
	}
	for _, ch := range host {
		if ch <= ' ' || ch >= 0x7f {
			return
		}
	}
	name := dhcpLower(host)
	c.st.ServerName = name
	if c.e.learner == nil || b[0] != 1 {
		return
	}
	addr := netip.AddrFrom4([4]byte(b[12:16])) // ciaddr
	if addr.IsUnspecified() && len(requested) == 4 {
		addr = netip.AddrFrom4([4]byte(requested))
	}
	if !addr.IsUnspecified() {
		c.e.learner.LearnName(addr, name, NameDHCP)
	}
}

func dhcpLower(b []byte) string {
	out := make([]byte, len(b))
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		out[i] = ch
	}
	return string(out)
}

// dissectDHCPv6 recognises a DHCPv6 message between the client port 546
// and the server port 547 (or between relays on 547): a message type
// (1..13 in RFC 8415, up to 36 with later extensions) and a transaction id.
func dissectDHCPv6(c *ctx) verdict {
	b := c.payload
	ok := (c.cliPort == 546 && c.srvPort == 547) || (c.cliPort == 547 && c.srvPort == 546) ||
		(c.cliPort == 547 && c.srvPort == 547)
	if !ok || len(b) < 4 || b[0] < 1 || b[0] > 13 {
		return notMine
	}
	c.set(protoDHCPv6)
	return matched
}

// dissectNTP recognises an NTP message on port 123: a full-size header
// (48 bytes) whose version field is at most 4.
func dissectNTP(c *ctx) verdict {
	b := c.payload
	if !c.hasPort(123) || len(b) < 48 {
		return notMine
	}
	if v := b[0] >> 3 & 7; v > 4 {
		return notMine
	}
	c.set(ProtoNTP)
	return matched
}
