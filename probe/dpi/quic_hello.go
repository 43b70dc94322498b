package dpi

import "encoding/binary"

// The handshake a QUIC client opens with: a TLS ClientHello carried in
// CRYPTO frames (IETF QUIC, T05x), or a Google CHLO message in a stream
// frame (Q024..Q050).

const (
	quicClientHello   = 1  // TLS handshake type
	quicExtServerName = 0  // TLS server_name extension
	quicExtALPN       = 16 // TLS application_layer_protocol_negotiation
	quicMaxFrags      = 32 // CRYPTO frames kept per packet
)

// quicHello parses a ClientHello that may come in pieces: CRYPTO frames out
// of order inside a packet, or a ClientHello larger than one packet. The
// parse moves one extension at a time, so that, given only the stream
// offset of the next extension header, it resumes with a later packet; the
// bodies it does not read (all but server_name and ALPN) may end in a later
// packet than their header.
type quicHello struct {
	next int // stream offset of the next extension header; 0 before the fixed part is parsed
	end  int // stream offset of the end of the extensions
	done bool
	sni  []byte // host name of server_name (aliases the packet)
	alpn []byte // first protocol of the ALPN list (aliases the packet)
}

// feed parses what data adds; data holds the stream bytes from offset base.
func (h *quicHello) feed(data []byte, base int) {
	if h.done {
		return
	}
	if h.next == 0 {
		if base != 0 {
			return
		}
		h.header(data)
		if h.next == 0 || h.done {
			return
		}
	}
	for h.next+4 <= h.end {
		i := h.next - base
		if i < 0 || i+4 > len(data) {
			return // the extension starts in bytes not received yet
		}
		typ := binary.BigEndian.Uint16(data[i:])
		l := int(binary.BigEndian.Uint16(data[i+2:]))
		if h.next+4+l > h.end {
			break // overruns the extensions: malformed
		}
		switch typ {
		case quicExtServerName, quicExtALPN:
			if i+4+l > len(data) {
				return // wait for the whole body
			}
			body := data[i+4 : i+4+l]
			if typ == quicExtServerName {
				h.sni = quicServerName(body)
			} else {
				h.alpn = quicFirstALPN(body)
			}
		}
		// Other bodies are skipped unread, even when they end in a
		// later packet (a post-quantum key_share often does).
		h.next += 4 + l
	}
	h.done = true
}

// header parses the fixed part of the ClientHello, up to the extensions.
func (h *quicHello) header(b []byte) {
	if len(b) < 4 {
		return
	}
	if b[0] != quicClientHello {
		h.done = true
		return
	}
	msgEnd := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
	off := 4 + 2 + 32 // type, length, legacy_version, random
	if off >= len(b) {
		return
	}
	off += 1 + int(b[off]) // legacy_session_id
	if off+2 > len(b) {
		return
	}
	off += 2 + int(binary.BigEndian.Uint16(b[off:])) // cipher_suites
	if off >= len(b) {
		return
	}
	off += 1 + int(b[off]) // legacy_compression_methods
	if off >= msgEnd {
		h.done = true // no extensions
		return
	}
	if off+2 > len(b) {
		return
	}
	h.next = off + 2
	// The state word keeps 16-bit offsets.
	h.end = min(off+2+int(binary.BigEndian.Uint16(b[off:])), msgEnd, 0xffff)
	if h.next >= h.end {
		h.done = true
	}
}

// quicServerName returns the host_name of a server_name extension.
func quicServerName(ext []byte) []byte {
	if len(ext) < 2 {
		return nil
	}
	list := ext[2:]
	if l := int(binary.BigEndian.Uint16(ext)); l < len(list) {
		list = list[:l]
	}
	for len(list) >= 3 {
		n := int(binary.BigEndian.Uint16(list[1:]))
		if 3+n > len(list) {
			return nil
		}
		if list[0] == 0 && n > 0 {
			return list[3 : 3+n]
		}
		list = list[3+n:]
	}
	return nil
}

// quicFirstALPN returns the first protocol of an ALPN extension.
func quicFirstALPN(ext []byte) []byte {
	if len(ext) < 3 {
		return nil
	}
	n := int(ext[2])
	if 3+n > len(ext) {
		return nil
	}
	return ext[3 : 3+n]
}

// quicFrag is the data of one CRYPTO frame.
type quicFrag struct {
	off  int
	data []byte
}

// quicReadCrypto walks the frames of a decrypted Initial and feeds the
// CRYPTO data to h. It reports whether there was any, and returns the whole
// ClientHello message when the packet holds all of it.
func quicReadCrypto(p []byte, h *quicHello) (whole []byte, ok bool) {
	var fr [quicMaxFrags]quicFrag
	frags := fr[:0]
frames:
	for i := 0; i < len(p); {
		switch p[i] {
		case 0x00, 0x01: // PADDING, PING
			i++
		case 0x02, 0x03: // ACK, ACK with ECN counts
			n := quicSkipACK(p[i:])
			if n == 0 {
				break frames
			}
			i += n
		case 0x06: // CRYPTO: offset, length, data
			off, n1 := quicVarint(p[i+1:])
			if n1 == 0 {
				break frames
			}
			l, n2 := quicVarint(p[i+1+n1:])
			start := i + 1 + n1 + n2
			if n2 == 0 || l > uint64(len(p)-start) {
				break frames
			}
			if l > 0 && off+l <= quicMaxHello && len(frags) < quicMaxFrags {
				frags = append(frags, quicFrag{int(off), p[start : start+int(l)]})
			}
			i = start + int(l)
		default:
			// CONNECTION_CLOSE, or a frame an Initial may not carry.
			break frames
		}
	}
	if len(frags) == 0 {
		return nil, false
	}
	return quicAssemble(frags, h), true
}

// quicSkipACK returns the length of the ACK frame at the start of p, or 0.
func quicSkipACK(p []byte) int {
	i := 1
	// Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range.
	var fields [4]uint64
	for k := range fields {
		v, n := quicVarint(p[i:])
		if n == 0 {
			return 0
		}
		fields[k] = v
		i += n
	}
	ranges := fields[2] * 2 // Gap and ACK Range Length each
	if p[0] == 0x03 {
		ranges += 3 // ECT0, ECT1, ECN-CE counts
	}
	if ranges > uint64(len(p)) {
		return 0
	}
	for range ranges {
		_, n := quicVarint(p[i:])
		if n == 0 {
			return 0
		}
		i += n
	}
	return i
}

// quicAssemble joins the CRYPTO frames of a packet by offset and feeds the
// contiguous runs to h in stream order. It returns the whole handshake
// message when the run at offset 0 holds it.
func quicAssemble(frags []quicFrag, h *quicHello) []byte {
	if len(frags) == 1 {
		h.feed(frags[0].data, frags[0].off)
		if frags[0].off == 0 {
			return quicWholeMessage(frags[0].data)
		}
		return nil
	}
	for i := 1; i < len(frags); i++ { // insertion sort: few frames
		for j := i; j > 0 && frags[j].off < frags[j-1].off; j-- {
			frags[j], frags[j-1] = frags[j-1], frags[j]
		}
	}
	lo, hi := frags[0].off, 0
	for _, f := range frags {
		hi = max(hi, f.off+len(f.data))
	}
	buf := make([]byte, hi-lo)
	var whole []byte
	start, end := lo, lo
	for i, f := range frags {
		copy(buf[f.off-lo:], f.data)
		end = max(end, f.off+len(f.data))
		if i+1 < len(frags) && frags[i+1].off <= end {
			continue // the run goes on
		}
		run := buf[start-lo : end-lo]
		h.feed(run, start)
		if start == 0 {
			whole = quicWholeMessage(run)
		}
		if i+1 < len(frags) {
			start = frags[i+1].off
		}
	}
	return whole
}

// quicWholeMessage returns the handshake message at the start of b when b
// holds all of it.
func quicWholeMessage(b []byte) []byte {
	if len(b) < 4 {
		return nil
	}
	n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
	if n > len(b) {
		return nil
	}
	return b[:n]
}

// gquicClearPayload returns the frames of a Google QUIC packet up to Q046,
// which travel in clear after a 12-byte message authentication hash; b is
// an Initial (at least quicMinInitial bytes).
func gquicClearPayload(b []byte, v uint32) []byte {
	if v == gquicQ046 {
		// Flags, version, connection id lengths (0x50: an 8-byte
		// destination id only), the id, a 4-byte packet number.
		if b[5] != 0x50 {
			return nil
		}
		return b[1+4+1+8+4+12:]
	}
	// Flags, 8-byte connection id, version, 1-byte packet number; before
	// Q034 a private flags byte.
	off := 1 + 8 + 4 + 1 + 12
	if gquicNum(v) <= 33 {
		off++
	}
	return b[off:]
}

// gquicSkipAck skips the padding and an ACK frame Google QUIC may put
// before the handshake data, and returns the offset of the next frame.
func gquicSkipAck(p []byte) int {
	i := 0
	for i < len(p) && p[i] == 0 {
		i++
	}
	if i < len(p) {
		switch p[i] {
		case 0x40:
			i += 6
		case 0x60:
			i += 9
		}
	}
	return i
}

// gquicStreamData returns the data of the crypto stream frame (stream 1)
// of a Google QUIC packet up to Q046.
func gquicStreamData(p []byte, v uint32) []byte {
	i := gquicSkipAck(p)
	if i >= len(p) {
		return nil
	}
	// Stream frame with a data length, a 1-byte stream id and no (0xa0)
	// or a 2-byte (0xa4) offset.
	f := p[i]
	if f != 0xa0 && f != 0xa4 {
		return nil
	}
	offLen := int(f&0x1c) >> 2
	if offLen > 0 {
		offLen++
	}
	if i+2+offLen+2 > len(p) || p[i+1] != 0x01 {
		return nil
	}
	i += 2 + offLen
	n := int(binary.LittleEndian.Uint16(p[i:]))
	if v >= gquicQ039 {
		n = int(binary.BigEndian.Uint16(p[i:]))
	}
	i += 2
	if n > len(p)-i {
		return nil
	}
	return p[i : i+n]
}

// gquicCryptoFrame returns the data of the CRYPTO frame (type 0x08) of a
// decrypted Q050/T05x Initial.
func gquicCryptoFrame(p []byte) []byte {
	i := gquicSkipAck(p)
	if i+1+16 >= len(p) || p[i] != 0x08 {
		return nil
	}
	i++
	_, n := quicVarint(p[i:]) // offset
	i += n
	l, n := quicVarint(p[i:])
	i += n
	if n == 0 || l > uint64(len(p)-i) {
		return nil
	}
	return p[i : i+int(l)]
}

// gquicCHLOSNI returns the SNI tag of a Google QUIC CHLO message: "CHLO",
// a tag count (16-bit little endian), 2 bytes of padding, then per tag its
// name and the end offset of its value (32-bit little endian), then the
// values.
func gquicCHLOSNI(d []byte) []byte {
	if len(d) < 8 || string(d[:4]) != "CHLO" {
		return nil
	}
	tags := int(binary.LittleEndian.Uint16(d[4:]))
	values := 8 + 8*tags
	prev := 0
	for i := range tags {
		at := 8 + 8*i
		if at+8 >= len(d) {
			break
		}
		end := int(binary.LittleEndian.Uint32(d[at+4:]))
		if end < prev || end > len(d)-values {
			break
		}
		if string(d[at:at+4]) == "SNI\x00" {
			return d[values+prev : values+end]
		}
		prev = end
	}
	return nil
}
