package dpi

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// eDonkey, Gnutella, Tinc, OICQ and KCP.

// dissectEDonkey recognises the eDonkey/eMule TCP framing: a protocol byte
// (0xe3 eDonkey, 0xc5 eMule extensions, 0xd4 eMule compressed), the
// little-endian length of the rest (opcode and data), the opcode. The
// first message of a connection (a hello, a login) fits in one segment,
// so the length must match the payload exactly.
func dissectEDonkey(c *ctx) verdict {
	b := c.payload
	if len(b) < 6 {
		return notMine
	}
	switch b[0] {
	case 0xe3, 0xc5, 0xd4:
	default:
		return notMine
	}
	if binary.LittleEndian.Uint32(b[1:]) != uint32(len(b)-5) {
		return notMine
	}
	c.set(protoEDonkey)
	c.risk(RiskUnsafeProtocol)
	return matched
}

var (
	gnutellaConnect  = []byte("GNUTELLA CONNECT/")
	gnutellaResponse = []byte("GNUTELLA/")
)

// dissectGnutella recognises the Gnutella handshake: "GNUTELLA CONNECT/0.6"
// from the connecting servent, "GNUTELLA/0.6 200 OK" in reply; or its TLS
// variant (LimeWire's), whose ClientHello offers nothing but anonymous
// Diffie-Hellman with AES-128. A one-byte payload (a keep-alive) is
// skipped, as nDPI does.
func dissectGnutella(c *ctx) verdict {
	b := c.payload
	if bytes.HasPrefix(b, gnutellaConnect) || bytes.HasPrefix(b, gnutellaResponse) || gnutellaTLSHello(b) {
		c.set(protoGnutella)
		return matched
	}
	if len(b) < 2 && c.pkts() < 3 {
		return needMore
	}
	return notMine
}

// gnutellaTLSHello reports whether b is a TLS record holding a ClientHello
// whose only cipher suite is TLS_DH_anon_WITH_AES_128_CBC_SHA (0x0034),
// with the null compression only.
func gnutellaTLSHello(b []byte) bool {
	// Record header (5), handshake header (4), version (2), random (32).
	const sidAt = 5 + 4 + 2 + 32
	if len(b) < sidAt+1 || b[0] != 0x16 || b[1] != 3 || b[5] != 1 {
		return false
	}
	i := sidAt + 1 + int(b[sidAt]) // past the session id
	return i+6 <= len(b) && string(b[i:i+6]) == "\x00\x02\x00\x34\x01\x00"
}

// Tinc (1.0) opens its meta connection over TCP with two text lines from
// each side: the ID line "0 <name> 17\n" (17 is the protocol version) and
// the METAKEY line "1 <cipher> <digest> <mac length> <compression>
// <hex key>\n". The VPN packets then flow over UDP between the same hosts,
// to the port of the TCP server: a host seen in a Tinc handshake is
// remembered so that its UDP flow can be recognised from the first packet.
func dissectTinc(c *ctx) verdict {
	if c.l4 == 17 {
		if c.pkts() == 1 && c.e.tinc.match(c) {
			c.set(protoTINC)
			return matched
		}
		return notMine
	}
	b := c.payload
	if c.pkts() == 1 {
		// Cheap rejection before any state is kept.
		if !tincIDLine(b) {
			return notMine
		}
		*c.scratch() = 1
		return needMore
	}
	st := c.scratch()
	switch {
	case *st < 2 && tincIDLine(b):
	case *st >= 2 && tincMetaKeyLine(b):
	default:
		return notMine
	}
	*st++
	if *st < 4 {
		return needMore
	}
	c.set(protoTINC)
	c.e.tinc.add(c.clientAddr(), c.serverAddr(), c.srvPort)
	return matched
}

// tincIDLine reports whether b is "0 <name> 17\n".
func tincIDLine(b []byte) bool {
	if len(b) < 7 || b[0] != '0' || b[1] != ' ' || b[2] == ' ' {
		return false
	}
	sp := bytes.IndexByte(b[3:], ' ')
	return sp >= 0 && string(b[3+sp+1:]) == "17\n"
}

// tincMetaKeyLine reports whether b starts with "1 ", four numbers, each
// followed by a space, then an upper-case hexadecimal key and a newline.
func tincMetaKeyLine(b []byte) bool {
	if len(b) < 12 || b[0] != '1' || b[1] != ' ' {
		return false
	}
	i := 2
	for n := 0; n < 4; n++ {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start || i == len(b) || b[i] != ' ' {
			return false
		}
		i++
	}
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] >= 'A' && b[i] <= 'F') {
		i++
	}
	return i < len(b) && b[i] == '\n'
}

// tincPeer is a Tinc meta connection: its client, its server and the
// server's port.
type tincPeer struct {
	cli, srv netip.Addr
	port     uint16
}

// tincPeerCache remembers the latest Tinc meta connections of an engine
// (as nDPI keeps one per detection module). An entry is used once, as in
// nDPI. Like the engine, it is used by one goroutine.
type tincPeerCache struct {
	live int // entries in use, to skip the scan when there are none
	ring [32]tincPeer
	next int
}

func (t *tincPeerCache) add(cli, srv netip.Addr, port uint16) {
	if !t.ring[t.next].cli.IsValid() {
		t.live++
	}
	t.ring[t.next] = tincPeer{cli, srv, port}
	t.next = (t.next + 1) % len(t.ring)
}

// match reports (and forgets) whether the UDP flow of c joins the two
// hosts of a remembered meta connection, on the meta server's port at its
// side.
func (t *tincPeerCache) match(c *ctx) bool {
	if t.live == 0 {
		return false
	}
	a, b := c.clientAddr(), c.serverAddr()
	for i := range t.ring {
		e := &t.ring[i]
		if !e.cli.IsValid() {
			continue
		}
		if (e.cli == a && e.srv == b && e.port == c.srvPort) || (e.cli == b && e.srv == a && e.port == c.cliPort) {
			*e = tincPeer{}
			t.live--
			return true
		}
	}
	return false
}

// dissectOICQ recognises a QQ (OICQ) UDP packet: the start byte 0x02, the
// client version, a command in the known ranges, a sequence number, and
// the end byte 0x03. Like nDPI, only the version seen from the client it
// knows (0x3b0b) is accepted: other values of these bytes are too common.
func dissectOICQ(c *ctx) verdict {
	b := c.payload
	if len(b) < 8 || b[0] != 0x02 || b[len(b)-1] != 0x03 || binary.BigEndian.Uint16(b[1:]) != 0x3b0b {
		return notMine
	}
	if cmd := binary.BigEndian.Uint16(b[3:]); cmd == 0 || (cmd > 0x00b5 && cmd != 0x03f7) {
		return notMine
	}
	c.set(protoOICQ)
	return matched
}

// dissectKCP recognises a KCP segment (the ARQ protocol used by many games
// and tunnels): a 24-byte header — conversation id, command (81 push, 82
// ack, 83 window probe, 84 window size), fragment, window, timestamp,
// sequence and unacknowledged numbers, then the little-endian data length,
// which must account for the rest of the payload.
func dissectKCP(c *ctx) verdict {
	b := c.payload
	const hdr = 24
	if len(b) < hdr || b[4] < 81 || b[4] > 84 {
		return notMine
	}
	if uint64(binary.LittleEndian.Uint32(b[20:]))+hdr != uint64(len(b)) {
		return notMine
	}
	c.set(protoKCP)
	return matched
}
