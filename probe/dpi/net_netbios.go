package dpi

import (
	"encoding/binary"
	"net/netip"
)

// NetBIOS over TCP/IP (RFC 1001/1002): the name service (UDP 137), the
// datagram service (UDP 138) and the session service (TCP 139). Datagrams
// carry SMB mailslot messages (browser announcements), which nDPI reports
// as NetBIOS.SMBv1.

const (
	netProtoSMBv1  ProtoID = 16 // SMBv1
	netProtoSMBv23 ProtoID = 41 // SMBv23
)

// netbiosNameLen is the length of an encoded NetBIOS name on the wire: a
// length byte (32), 32 half-byte characters 'A'..'P' and the root label.
const netbiosNameLen = 34

func dissectNetBIOS(c *ctx) verdict {
	b := c.payload
	if c.l4 == 6 {
		return netbiosSession(c, b)
	}
	switch c.p.DstPort {
	case 137:
		return netbiosNameService(c, b)
	case 138:
		return netbiosDatagram(c, b)
	}
	return notMine
}

// netbiosNameService recognises a name query, registration, release or
// refresh request (one question) and their responses (one answer).
func netbiosNameService(c *ctx, b []byte) verdict {
	if len(b) < 12+netbiosNameLen+4 {
		return notMine
	}
	flags := binary.BigEndian.Uint16(b[2:])
	qd, an := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:])
	ns, ar := binary.BigEndian.Uint16(b[8:]), binary.BigEndian.Uint16(b[10:])
	opcode := flags >> 11 & 0xf
	switch opcode {
	case 0, 5, 6, 7, 8, 9:
	default:
		return notMine
	}
	response := flags&0x8000 != 0
	if ns != 0 || (!response && (qd != 1 || an != 0 || ar > 1)) ||
		(response && (qd != 0 || an != 1 || ar != 0)) {
		return notMine
	}
	var name [16]byte
	n, ok := netbiosDecodeName(b[12:], &name)
	if !ok {
		return notMine
	}
	// The question or record class is IN; the type is normally NB (0x20)
	// or NBSTAT (0x21), but the encoded name is signature enough.
	off := 12 + netbiosNameLen
	rrType := binary.BigEndian.Uint16(b[off:])
	if binary.BigEndian.Uint16(b[off+2:]) != 1 {
		return notMine
	}
	c.set(ProtoNetBIOS)
	if n > 0 {
		host := netbiosLower(name[:n])
		c.st.ServerName = host
		netbiosLearn(c, b, off+4, opcode, response, rrType, host)
	}
	return matched
}

// netbiosLearn tells the learner whose name the message announces: a
// registration or refresh names its sender, a positive query response
// names the address in its record, or its sender when the record carries
// no address. Names validLearnedName refuses are not learned.
func netbiosLearn(c *ctx, b []byte, off int, opcode uint16, response bool, rrType uint16, host string) {
	if c.e.learner == nil || rrType != 0x20 {
		return
	}
	var owner netip.Addr
	switch {
	case !response && (opcode == 5 || opcode == 8 || opcode == 9):
		owner = c.p.Src
	case response && opcode == 0 && binary.BigEndian.Uint16(b[2:])&0xf == 0:
		// Answer: TTL (4), RDLENGTH (2), then NB flags (2) and an IPv4
		// address per entry.
		owner = c.p.Src
		if len(b) >= off+4+2+6 && binary.BigEndian.Uint16(b[off+4:]) >= 6 {
			if a := netip.AddrFrom4([4]byte(b[off+8 : off+12])); !a.IsUnspecified() {
				owner = a
			}
		}
	default:
		return
	}
	if owner.Is4() && validLearnedName(host) {
		c.e.learner.LearnName(owner, host, NameNetBIOS)
	}
}

// netbiosDatagram recognises a datagram-service message: its header
// repeats the sender's address and gives the length of what follows.
func netbiosDatagram(c *ctx, b []byte) verdict {
	if len(b) < 14 || b[0] < 0x10 || b[0] > 0x16 ||
		int(binary.BigEndian.Uint16(b[10:])) != len(b)-14 {
		// Query and error messages (0x13..0x16) are shorter and have no
		// length field; they are left to the port.
		return notMine
	}
	src := c.p.Src
	if !src.Is4() || [4]byte(b[4:8]) != src.As4() {
		return notMine
	}
	var name [16]byte
	n, _ := netbiosDecodeName(b[14:], &name)
	// Direct and broadcast datagrams (0x10..0x12) carry user data after
	// the source and destination names: an SMB mailslot message.
	if b[0] <= 0x12 && len(b) > 14+2*netbiosNameLen {
		c.setPair(ProtoNetBIOS, netProtoSMBv1)
		c.risk(RiskUnsafeProtocol)
	} else {
		c.set(ProtoNetBIOS)
	}
	if n > 0 {
		c.st.ServerName = netbiosLower(name[:n])
	}
	return matched
}

// netbiosSession recognises the session service: a session request to
// port 139, its responses, or a session message carrying SMB.
func netbiosSession(c *ctx, b []byte) verdict {
	if c.srvPort != 139 || len(b) < 4 || b[1]&0xfe != 0 {
		return notMine
	}
	n := int(b[1]&1)<<16 | int(binary.BigEndian.Uint16(b[2:]))
	switch b[0] {
	case 0x81: // session request: called and calling names
		if c.fromClient() && n == 2*netbiosNameLen && len(b) == 4+n {
			var name [16]byte
			if _, ok := netbiosDecodeName(b[4:], &name); ok {
				c.set(ProtoNetBIOS)
				return matched
			}
		}
	case 0x82, 0x85: // positive response, keepalive
		if n == 0 && len(b) == 4 {
			c.set(ProtoNetBIOS)
			return matched
		}
	case 0x00: // session message
		if len(b) >= 8 && n >= len(b)-4 && b[5] == 'S' && b[6] == 'M' && b[7] == 'B' {
			switch b[4] {
			case 0xff:
				c.setPair(ProtoNetBIOS, netProtoSMBv1)
				c.risk(RiskUnsafeProtocol)
				return matched
			case 0xfe:
				c.setPair(ProtoNetBIOS, netProtoSMBv23)
				return matched
			}
		}
	}
	return notMine
}

// netbiosDecodeName decodes the first-level encoded name at the start of
// b into out, without the trailing spaces and the suffix byte. It reports
// whether the encoding is valid; n is the decoded length.
func netbiosDecodeName(b []byte, out *[16]byte) (n int, ok bool) {
	if len(b) < netbiosNameLen || b[0] != 32 || b[33] != 0 {
		return 0, false
	}
	for i := range 16 {
		hi, lo := b[1+2*i], b[2+2*i]
		if hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P' {
			return 0, false
		}
		out[i] = (hi-'A')<<4 | (lo - 'A')
	}
	n = 15 // the 16th byte is the service suffix
	for n > 0 && (out[n-1] == ' ' || out[n-1] == 0) {
		n--
	}
	for i := range n {
		if out[i] < 0x20 || out[i] >= 0x7f {
			return 0, true // valid encoding, but not a printable host name
		}
	}
	return n, true
}

// netbiosLower returns b in lower case as a string.
func netbiosLower(b []byte) string {
	var buf [16]byte
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return string(buf[:len(b)])
}
