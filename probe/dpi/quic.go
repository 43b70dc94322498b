package dpi

import "encoding/binary"

var quicDissectors = []dissector{
	{name: "QUIC", l4: onUDP, udpPorts: []uint16{443}, run: dissectQUIC},
}

// dissectQUIC recognises a QUIC long-header packet of a known version.
func dissectQUIC(c *ctx) verdict {
	if !isQUICLongHeader(c.payload) {
		return notMine
	}
	c.set(ProtoQUIC)
	return matched
}

// isQUICLongHeader recognises a QUIC long-header packet of a known version
// (RFC 9000 v1, RFC 9369 v2, IETF drafts, Google QUIC Q0xx).
func isQUICLongHeader(b []byte) bool {
	if len(b) < 7 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := binary.BigEndian.Uint32(b[1:])
	switch {
	case v == 0x00000001, v == 0x6b3343cf, v&0xffffff00 == 0xff000000:
	case b[1] == 'Q' && b[2] == '0' && b[3] >= '0' && b[3] <= '9' && b[4] >= '0' && b[4] <= '9':
		return true // gQUIC: connection id lengths are implicit
	default:
		return false
	}
	// Destination and source connection ids, at most 20 bytes each.
	dcil := int(b[5])
	if dcil > 20 || 6+dcil >= len(b) {
		return false
	}
	scil := int(b[6+dcil])
	return scil <= 20 && 7+dcil+scil <= len(b)
}
