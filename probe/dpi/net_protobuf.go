package dpi

// Protocol Buffers sent raw over TCP or UDP have no header; nDPI
// recognises them structurally: a packet that parses as a run of fields
// (tag varint with a non-zero field number and a wire type of varint,
// 64-bit, length-delimited or 32-bit) is promising, and enough fields in
// one packet, or fields in every one of the first packets, make the flow.

const protoProtobuf ProtoID = 353 // Protobuf

const (
	protobufMaxFields  = 32
	protobufManyFields = 8 // with a length-delimited field: enough at once
	protobufMinFields  = 2 // per packet, once protobufMinPackets were seen
	protobufMinPackets = 4
	protobufMaxPackets = 8
)

func dissectProtobuf(c *ctx) verdict {
	b := c.payload
	// A datagram with an RTP version 2 header would parse as a field with
	// a two-byte tag; it is left to the RTP dissector.
	if c.l4 == 17 && len(b) >= 12 && b[0]&0xc0 == 0x80 {
		return notMine
	}
	fields, lenFields, complete, ok := protobufScan(b)
	if !ok {
		return notMine
	}
	// Plain text parses as fields too (most letters are valid tags): one
	// packet is enough only when it does not start as text.
	if (fields >= protobufManyFields && lenFields > 0 && protobufBinary(b)) ||
		(c.pkts() >= protobufMinPackets && fields >= protobufMinFields) {
		c.set(protoProtobuf)
		return matched
	}
	if complete && fields > 0 && c.pkts() <= protobufMaxPackets {
		return needMore
	}
	return notMine
}

// protobufScan parses up to protobufMaxFields fields of b. ok is false
// when a field is invalid; complete is false when the last
// length-delimited field runs past the packet.
func protobufScan(b []byte) (fields, lenFields int, complete, ok bool) {
	off := 0
	for fields < protobufMaxFields {
		tag, n := protobufVarint(b[off:])
		if n == 0 {
			break // end of the packet (or a truncated tag)
		}
		off += n
		field := tag >> 3
		if field == 0 || field > 1<<29-1 {
			return 0, 0, false, false
		}
		switch tag & 7 {
		case 0: // varint
			_, n := protobufVarint(b[off:])
			if n == 0 {
				return 0, 0, false, false
			}
			off += n
		case 1: // 64-bit
			if off+8 > len(b) {
				return 0, 0, false, false
			}
			off += 8
		case 2: // length-delimited
			l, n := protobufVarint(b[off:])
			if n == 0 {
				// The length itself is cut: wait for more.
				return fields, lenFields, true, true
			}
			if l == 0 || l > 1<<31-1 {
				return 0, 0, false, false
			}
			off += n
			lenFields++
			if uint64(len(b)-off) < l {
				fields++
				return fields, lenFields, false, true
			}
			off += int(l)
		case 5: // 32-bit
			if off+4 > len(b) {
				return 0, 0, false, false
			}
			off += 4
		default: // groups (deprecated) and invalid wire types
			return 0, 0, false, false
		}
		fields++
	}
	return fields, lenFields, true, true
}

// protobufVarint decodes a varint (at most 10 bytes) at the start of b; n
// is 0 when b ends before the varint does or the varint is too long.
func protobufVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 10 && i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// protobufBinary reports whether the first bytes of b have one that text
// would not (a control character other than white space, or a non-ASCII
// byte).
func protobufBinary(b []byte) bool {
	if len(b) > 16 {
		b = b[:16]
	}
	for _, x := range b {
		if (x < 0x20 && x != '\t' && x != '\n' && x != '\r') || x >= 0x7f {
			return true
		}
	}
	return false
}
