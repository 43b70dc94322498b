package dpi

import "encoding/binary"

// Protocols encoded in ASN.1 BER: SNMP, LDAP (and CLDAP over UDP) and
// Kerberos. Each is recognised from the first elements of its outer
// structure, which are fixed by the protocol's ASN.1 module.

const (
	protoSNMP     ProtoID = 14  // SNMP
	protoKerberos ProtoID = 111 // Kerberos
	protoLDAP     ProtoID = 112 // LDAP
)

// berHeader reads the identifier and length octets of the element at
// b[off:] (single-octet tags, definite lengths of up to 4 octets). It
// returns the tag, the offset of the contents and their length; the
// contents may extend past the end of b.
func berHeader(b []byte, off int) (tag byte, start, n int, ok bool) {
	if off+2 > len(b) {
		return 0, 0, 0, false
	}
	tag = b[off]
	l := int(b[off+1])
	start = off + 2
	if l < 0x80 {
		return tag, start, l, true
	}
	k := l & 0x7f
	if k == 0 || k > 4 || start+k > len(b) {
		return 0, 0, 0, false
	}
	n = 0
	for _, x := range b[start : start+k] {
		n = n<<8 | int(x)
	}
	if n < 0 || n > 1<<24 {
		return 0, 0, 0, false
	}
	return tag, start + k, n, true
}

// berSmallInt reads an INTEGER of 1 to 4 octets at b[off:] and returns its
// value and the offset after it.
func berSmallInt(b []byte, off int) (v, next int, ok bool) {
	tag, start, n, ok := berHeader(b, off)
	if !ok || tag != 0x02 || n < 1 || n > 4 || start+n > len(b) {
		return 0, 0, false
	}
	for _, x := range b[start : start+n] {
		v = v<<8 | int(x)
	}
	return v, start + n, true
}

// dissectSNMP recognises an SNMP message: SEQUENCE { version INTEGER
// (0 v1, 1 v2c, 3 v3), ... } where v1/v2c continue with the community
// OCTET STRING and a PDU (context tags 0..8), and v3 with the
// msgGlobalData SEQUENCE.
func dissectSNMP(c *ctx) verdict {
	b := c.payload
	tag, start, n, ok := berHeader(b, 0)
	if !ok || tag != 0x30 || start+n != len(b) {
		return notMine
	}
	ver, off, ok := berSmallInt(b, start)
	if !ok {
		return notMine
	}
	switch ver {
	case 0, 1:
		tag, cs, cn, ok := berHeader(b, off)
		if !ok || tag != 0x04 || cs+cn >= len(b) {
			return notMine
		}
		pdu := b[cs+cn]
		if pdu < 0xa0 || pdu > 0xa8 {
			return notMine
		}
	case 3:
		if tag, _, _, ok := berHeader(b, off); !ok || tag != 0x30 {
			return notMine
		}
	default:
		return notMine
	}
	c.set(protoSNMP)
	return matched
}

// ldapOps lists the LDAPMessage protocolOp tags (application class).
var ldapOps = [256]bool{
	0x60: true, 0x61: true, 0x42: true, 0x63: true, 0x64: true, 0x65: true,
	0x73: true, 0x66: true, 0x67: true, 0x68: true, 0x69: true, 0x4a: true,
	0x6b: true, 0x6c: true, 0x6d: true, 0x6e: true, 0x6f: true, 0x50: true,
	0x77: true, 0x78: true, 0x79: true,
}

// dissectLDAP recognises an LDAPMessage: SEQUENCE { messageID INTEGER,
// protocolOp [APPLICATION n] ... }. The same encoding is used by CLDAP
// over UDP.
func dissectLDAP(c *ctx) verdict {
	b := c.payload
	tag, start, n, ok := berHeader(b, 0)
	if !ok || tag != 0x30 || (c.l4 == 17 && start+n != len(b)) || start+n < len(b) && b[start+n] != 0x30 {
		return notMine
	}
	_, off, ok := berSmallInt(b, start)
	if !ok || off >= len(b) || !ldapOps[b[off]] {
		return notMine
	}
	if _, os, on, ok := berHeader(b, off); !ok || os+on > start+n {
		return notMine
	}
	c.set(protoLDAP)
	return matched
}

// Kerberos message types are ASN.1 application tags: the constructed tag
// 0x60|n for message type n.
var krbTypes = [32]bool{10: true, 11: true, 12: true, 13: true, 14: true, 15: true, 20: true, 21: true, 22: true, 30: true}

// dissectKerberos recognises a Kerberos V5 message: over TCP behind the
// 4-byte record length, the application tag of the message type, a
// SEQUENCE, and the protocol version number 5 followed by the message
// type again.
func dissectKerberos(c *ctx) verdict {
	b := c.payload
	if c.l4 == 6 {
		if len(b) < 4 || b[0]&0x80 != 0 || int(binary.BigEndian.Uint32(b)) < len(b)-4 {
			return notMine
		}
		b = b[4:]
	}
	if len(b) < 8 || b[0]&0xe0 != 0x60 || !krbTypes[b[0]&0x1f] {
		return notMine
	}
	mt := int(b[0] & 0x1f)
	_, start, n, ok := berHeader(b, 0)
	if !ok || (c.l4 == 17 && start+n != len(b)) {
		return notMine
	}
	tag, off, _, ok := berHeader(b, start)
	if !ok || tag != 0x30 {
		return notMine
	}
	// KDC-REQ numbers its fields from 1 (pvno [1], msg-type [2]); the
	// other messages from 0.
	first := byte(0xa0)
	if mt == 10 || mt == 12 {
		first = 0xa1
	}
	tag, vs, _, ok := berHeader(b, off)
	if !ok || tag != first {
		return notMine
	}
	pvno, next, ok := berSmallInt(b, vs)
	if !ok || pvno != 5 {
		return notMine
	}
	tag, ts, _, ok := berHeader(b, next)
	if !ok || tag != first+1 {
		return notMine
	}
	if v, _, ok := berSmallInt(b, ts); !ok || v != mt {
		return notMine
	}
	c.set(protoKerberos)
	return matched
}
