package dpi

import (
	"bytes"
	"encoding/binary"
)

// Protocols recognised by a fixed signature at the start of the payload.

// isSSHBanner recognises the SSH identification string ("SSH-2.0-...").
func isSSHBanner(b []byte) bool {
	return len(b) >= 8 && bytes.HasPrefix(b, []byte("SSH-")) &&
		(bytes.HasPrefix(b[4:], []byte("2.0-")) || bytes.HasPrefix(b[4:], []byte("1.")))
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

// inspectSignature classifies payloads with a fixed signature. It reports
// whether the payload matched.
func (e *Engine) inspectSignature(st *State, p *Packet) bool {
	var app ProtoID
	switch {
	case p.L4Proto == 6 && isSSHBanner(p.Payload):
		app = ProtoSSH
	case p.L4Proto == 17 && isQUICLongHeader(p.Payload):
		app = ProtoQUIC
	default:
		return false
	}
	e.set(st, ProtoUnknown, app, ConfidenceDPI)
	st.Done = true
	return true
}
