package dpi

import (
	"bytes"
	"encoding/binary"
)

// RakNet, the UDP game networking library (Minecraft Bedrock, Roblox and
// others). A message type byte opens every datagram; offline messages have
// fixed sizes, frame sets and ACK/NACKs can be walked to their exact end.
// An ACK that does so is conclusive on its own; otherwise plain RakNet is
// classified once a few packets in a row have fitted. The variant used by
// Roblox is told by its first, full-MTU packet carrying the
// offline-message magic.
// Reference: https://wiki.vg/Raknet_Protocol

// rakNetMagic is the "offline message" magic of RakNet.
var rakNetMagic = []byte{0x00, 0xff, 0xff, 0x00, 0xfe, 0xfe, 0xfe, 0xfe,
	0xfd, 0xfd, 0xfd, 0xfd, 0x12, 0x34, 0x56, 0x78}

// rakNetMaxMTU is the largest MTU RakNet supports.
const rakNetMaxMTU = 1500

// rakNetCustomBit in the scratch word marks a flow whose first packet was
// the full-MTU variant: it is RakNet even if later packets do not parse.
const rakNetCustomBit = 1

func dissectRakNet(c *ctx) verdict {
	p := c.payload
	custom := false
	if c.pkts() == 1 {
		if rakNetIsCustom(p) {
			custom = true
			*c.scratch() = rakNetCustomBit
		}
	} else {
		custom = gamePeek(c)&rakNetCustomBit != 0
	}
	required, ok := rakNetCheck(p)
	if !ok {
		if custom {
			c.set(protoRakNet)
			return matched
		}
		return notMine
	}
	if c.pkts() < required {
		return needMore
	}
	c.set(protoRakNet)
	return matched
}

// rakNetIsCustom reports whether a first packet is a full-MTU datagram
// with the offline magic at one of the offsets the variant uses.
func rakNetIsCustom(p []byte) bool {
	if len(p) < 1200 {
		return false
	}
	for _, off := range [...]int{1, 9, 17, 32} {
		if bytes.Equal(p[off:off+len(rakNetMagic)], rakNetMagic) {
			return true
		}
	}
	return false
}

// rakNetAddrLen returns the address length of the RakNet address whose
// version byte is at off (4 or 16), or 0.
func rakNetAddrLen(p []byte, off int) int {
	if off+1 >= len(p) {
		return 0
	}
	switch p[off] {
	case 4:
		return 4
	case 6:
		return 16
	}
	return 0
}

// rakNetCheck validates one datagram. It reports whether it is a
// well-formed RakNet message and how many packets of the flow must have
// been seen before the flow is classified: 0 when this message alone is
// conclusive (an ACK or NACK that parses to its exact end).
func rakNetCheck(p []byte) (required int, ok bool) {
	n := len(p)
	if n < 7 {
		return 0, false
	}
	be16 := binary.BigEndian.Uint16
	switch op := p[0]; op {
	case 0x00: // connected ping
		return 6, n == 8
	case 0x01, 0x02: // unconnected ping
		return 6, n == 32
	case 0x03: // connected pong
		return 6, n == 16
	case 0x05: // open connection request 1
		return 6, n >= 18 && p[17] <= 10
	case 0x06: // open connection reply 1
		return 4, n == 28 && p[25] <= 1 && be16(p[26:]) <= rakNetMaxMTU
	case 0x07: // open connection request 2
		a := rakNetAddrLen(p, 17)
		if !(a == 16 && n == 46 || a == 4 && n == 34) {
			return 0, false
		}
		return 3, be16(p[20+a:]) <= rakNetMaxMTU
	case 0x08: // open connection reply 2
		a := rakNetAddrLen(p, 25)
		if !(a == 16 && n == 47 || a == 4 && n == 35) {
			return 0, false
		}
		return 3, be16(p[28+a:]) <= rakNetMaxMTU
	case 0x09: // connection request
		return 6, n == 16
	case 0x10, 0x13: // connection request accepted, new incoming connection
		off := 4
		if op == 0x10 {
			off += 2 // system index
		}
		for range 10 {
			off += 3 + rakNetAddrLen(p, off)
		}
		return 3, off+16 == n
	case 0x15: // disconnect
		return 8, true
	case 0x19: // incompatible protocol version
		return 3, n == 25 && p[17] <= 10
	case 0x1c: // unconnected pong with its server name
		if n < 35 {
			return 0, false
		}
		motd := int(be16(p[33:]))
		return 3, motd != 0 && motd+35 == n
	case 0xa0, 0xc0: // NACK, ACK
		return 0, rakNetAckOK(p)
	case 0xfe: // game packet
		return 8, true
	}
	if p[0] >= 0x80 && p[0] <= 0x8d {
		// A frame set that walks to its exact end still counts as one
		// connected message: three of them are needed, as for the
		// handshake (nDPI's results do not classify a lone frame set).
		return 3, rakNetFrameSetOK(p)
	}
	return 0, false
}

// rakNetFrameSetOK walks the frames of a frame set (header: type and a
// 24-bit sequence number) and reports whether they end exactly at the end
// of the datagram.
func rakNetFrameSetOK(p []byte) bool {
	n := len(p)
	off := 4
	for {
		flags := p[off]
		if flags&0x0f != 0 {
			return false
		}
		size := int(binary.BigEndian.Uint16(p[off+1:])) / 8 // length in bits
		if size == 0 {
			return false
		}
		switch rel := flags >> 5; rel {
		case 1: // unreliable sequenced
			off += 3
		case 2: // reliable
			off += 3
		case 3: // reliable ordered
			off += 3 + 4
		case 4: // reliable sequenced
			off += 3 + 3
		case 7: // reliable ordered with ack receipt
			off += 4
		}
		if flags&0x10 != 0 { // fragmented
			off += 10
		}
		off += size + 3
		if off+3 > n {
			return off == n
		}
	}
}

// rakNetAckOK walks the records of an ACK or NACK (a count, then ranges
// or single sequence numbers) and reports whether they end exactly at the
// end of the datagram.
func rakNetAckOK(p []byte) bool {
	n := len(p)
	count := int(binary.BigEndian.Uint16(p[1:]))
	off, i := 3, 0
	for {
		switch p[off] {
		case 0x00: // range: two 24-bit sequence numbers
			off += 7
		case 0x01: // single sequence number
			off += 4
		default:
			return false
		}
		i++
		if i >= count || off+4 > n {
			break
		}
	}
	return i == count && off == n
}
