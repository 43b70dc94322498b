package dpi

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
)

// BitTorrent: the peer wire handshake over TCP (BEP 3), and over UDP the
// DHT (KRPC, BEP 5), the tracker protocol (BEP 15), local service discovery
// (BEP 14) and uTP (BEP 29). HTTP trackers and web seeds are HTTP
// requests: the HTTP dissector labels them.

var (
	btProtocol = []byte("BitTorrent protocol")
	btSearch   = []byte("BT-SEARCH * HTTP/1.1\r\n")
	// Every KRPC message is a dictionary with the sender's 20-byte node id
	// and a "y" key saying whether it is a query, a response or an error.
	krpcID   = []byte("2:id20:")
	krpcType = []byte("1:y1:")
)

// udpTrackerMagic is the protocol id that opens a UDP tracker connect
// request.
const udpTrackerMagic = 0x41727101980

func dissectBitTorrent(c *ctx) verdict {
	if c.l4 == 6 {
		return bitTorrentTCP(c)
	}
	return bitTorrentUDP(c)
}

// bitTorrentTCP recognises the handshake: the length byte 19, the protocol
// name, 8 reserved bytes, the 20-byte info hash and the peer id. Some
// clients send the length byte in a segment of its own.
func bitTorrentTCP(c *ctx) verdict {
	b := c.payload
	if c.pkts() > 1 {
		// Only reached after a lone length byte: the name follows.
		if bytes.HasPrefix(b, btProtocol) {
			bitTorrentFound(c, b[len(btProtocol):])
			return matched
		}
		return notMine
	}
	if b[0] != 19 {
		return notMine
	}
	if len(b) == 1 {
		return needMore
	}
	if len(b) > len(btProtocol) && bytes.Equal(b[1:1+len(btProtocol)], btProtocol) {
		bitTorrentFound(c, b[1+len(btProtocol):])
		return matched
	}
	return notMine
}

// bitTorrentFound labels the flow and records the info hash that follows
// the reserved bytes of a handshake (rest starts at the reserved bytes).
func bitTorrentFound(c *ctx, rest []byte) {
	c.set(protoBitTorrent)
	if len(rest) >= 8+20 {
		c.info().Text = hex.EncodeToString(rest[8 : 8+20])
	}
}

// bitTorrentUDP recognises the UDP protocols. Like nDPI it looks at flows
// between high ports only: peers never use well-known ports, and services
// that do (DNS, NTP...) would otherwise be at risk.
func bitTorrentUDP(c *ctx) verdict {
	if c.cliPort < 1024 || c.srvPort < 1024 {
		return notMine
	}
	b := c.payload
	if isKRPC(b) || isUDPTrackerConnect(b) || bytes.HasPrefix(b, btSearch) {
		c.set(protoBitTorrent)
		return matched
	}
	switch utpPacket(b) {
	case utpControl:
		c.set(protoBitTorrent)
		return matched
	case utpData:
		// A data packet alone has too weak a header to be sure. Three in a
		// row are, when each direction keeps its connection id and numbers
		// its packets one by one (two of the three share a direction).
		if !utpInSequence(c, b) {
			return notMine
		}
		if c.pkts() >= 3 {
			c.set(protoBitTorrent)
			return matched
		}
		return needMore
	}
	return notMine
}

// utpInSequence checks a DATA packet against the previous one of its
// direction, remembered in the scratch word (connection id and sequence
// number, 32 bits per direction).
func utpInSequence(c *ctx, b []byte) bool {
	cur := uint64(binary.BigEndian.Uint16(b[2:]))<<16 | uint64(binary.BigEndian.Uint16(b[16:]))
	shift := 32 * uint(c.dir&1)
	st := c.scratch()
	prev := *st >> shift & 0xffffffff
	if prev != 0 && (prev>>16 != cur>>16 || uint16(prev)+1 != uint16(cur)) {
		return false
	}
	*st = *st&^(0xffffffff<<shift) | cur<<shift
	return true
}

// isKRPC reports whether b is a bencoded DHT message.
func isKRPC(b []byte) bool {
	if len(b) < 20 || b[0] != 'd' || b[len(b)-1] != 'e' || !bytes.Contains(b, krpcID) {
		return false
	}
	i := bytes.Index(b, krpcType)
	if i < 0 || i+len(krpcType) >= len(b) {
		return false
	}
	switch b[i+len(krpcType)] {
	case 'q', 'r', 'e':
		return true
	}
	return false
}

// isUDPTrackerConnect reports whether b is a UDP tracker connect request:
// the protocol id, action 0 (connect) and a transaction id.
func isUDPTrackerConnect(b []byte) bool {
	return len(b) == 16 && binary.BigEndian.Uint64(b) == udpTrackerMagic &&
		binary.BigEndian.Uint32(b[8:]) == 0
}

// uTP packet kinds.
const (
	utpNone    = iota // not uTP
	utpControl        // a SYN, STATE, FIN or RESET packet: header only
	utpData           // a DATA packet
)

// utpPacket checks a uTP version 1 header: type and version, the chain of
// extensions, non-zero connection id and timestamp; control packets carry
// no data and a SYN has no timestamp difference yet.
func utpPacket(b []byte) int {
	const hdr = 20
	if len(b) < hdr || b[0]&0x0f != 1 {
		return utpNone
	}
	typ := b[0] >> 4
	if typ > 4 {
		return utpNone
	}
	off, ext := hdr, b[1]
	for n := 0; ext != 0; n++ {
		// Known extensions: 1 selective ack, 2 extension bits.
		if ext > 2 || n == 4 || off+2 > len(b) {
			return utpNone
		}
		ext = b[off]
		off += 2 + int(b[off+1])
		if off > len(b) {
			return utpNone
		}
	}
	if binary.BigEndian.Uint16(b[2:]) == 0 || binary.BigEndian.Uint32(b[4:]) == 0 {
		return utpNone
	}
	if typ != 0 {
		if off != len(b) || (typ == 4 && binary.BigEndian.Uint32(b[8:]) != 0) {
			return utpNone
		}
		return utpControl
	}
	if off == len(b) || binary.BigEndian.Uint32(b[12:]) == 0 {
		return utpNone
	}
	return utpData
}
