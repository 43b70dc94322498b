package dpi

import (
	"bytes"
	"encoding/binary"
)

// Single-packet game signatures. Each of these games is told by its first
// payload packet alone, so they share one dissector that looks at that
// packet and rules the flow out otherwise.

// dissectGameSignatures checks the first payload packet of a flow against
// the one-packet signatures of Riot, Gaijin, NetEase and Among Us games
// (UDP) and Tencent games and MapleStory (TCP).
func dissectGameSignatures(c *ctx) verdict {
	if c.pkts() > 1 {
		return notMine
	}
	var app ProtoID
	if c.l4 == 6 {
		app = tcpGameApp(c.payload)
	} else {
		app = udpGameApp(c.payload, c.fromClient())
	}
	if app == ProtoUnknown {
		return notMine
	}
	c.set(app)
	return matched
}

// udpGameApp names the game whose first UDP packet p is, or Unknown.
func udpGameApp(p []byte, fromClient bool) ProtoID {
	n := len(p)
	be32 := binary.BigEndian.Uint32
	le32 := binary.LittleEndian.Uint32
	switch {
	// Riot Games (League of Legends, Valorant): packets end with the
	// words 0xaaaaaaaa 0xbbbbbbbb, or a 53-byte handshake ends with a
	// fixed 8-byte trailer.
	case n > 8 && be32(p[n-8:]) == 0xaaaaaaaa && be32(p[n-4:]) == 0xbbbbbbbb,
		n == 53 && be32(p[n-8:]) == 0x3cb11f2d && be32(p[n-4:]) == 0xea23460c:
		return protoRiotGames
	// Gaijin (War Thunder): a 52-byte session hello, or the plain-text
	// telemetry events of its launcher and client.
	case n == 52 && p[0] == 0x8f && p[1] == 0xff && p[2] == 0 && be32(p[4:]) == 0x82ff0001,
		n > 100 && (gameHasPrefix(p, "embeddedupdater.") ||
			gameHasPrefix(p, "app.start") || gameHasPrefix(p, "app.stage")):
		return protoGaijin
	// NetEase games: a 12-byte client hello (Lost Light, Badlanders,
	// Naraka), and the fixed first words of Lost Light and Naraka.
	case n == 12 && fromClient && p[0] == 0x01 && binary.LittleEndian.Uint16(p[2:]) == 0x01d0 &&
		le32(p[8:]) == 0x01010100,
		n >= 30 && be32(p) == 0xb3af8de8,
		n > 30 && le32(p) == 0x0c080807:
		return protoNetEaseGames
	// Among Us: the first handshake message (Hazel Hello, message id 1)
	// with its fixed version bytes.
	case n > 9 && be32(p) == 0x08000100 && be32(p[4:]) == 0x80d90203:
		return protoAmongUs
	}
	return ProtoUnknown
}

// tcpGameApp names the game whose first TCP packet p is, or Unknown.
func tcpGameApp(p []byte) ProtoID {
	n := len(p)
	be16 := binary.BigEndian.Uint16
	be32 := binary.BigEndian.Uint32
	if n == 16 {
		// MapleStory login: a 16-byte hello with one of three headers,
		// 0x0100 and an ASCII '2' or '3'.
		switch be32(p) {
		case 0x0e003a00, 0x0e003b00, 0x0e004200:
			if be16(p[4:]) == 0x0100 && (p[6] == '2' || p[6] == '3') {
				return protoMapleStory
			}
		}
		return ProtoUnknown
	}
	if n <= 50 {
		return ProtoUnknown
	}
	// Tencent games (PUBG Mobile, Honor of Kings and others): one of a
	// few fixed headers, or a length-prefixed zlib stream.
	w0 := be32(p)
	switch {
	case w0 == 0x3366000b && be16(p[4:]) == 0x000b,
		w0 == 0x4366aa00 && be32(p[12:]) == 0x10e68601,
		w0 == 0xaa000000 && be32(p[10:]) == 0x10e68601,
		be16(p) == 0 && int(be16(p[2:])) == n-4 && be16(p[4:]) == 0x7801,
		w0 == 0x4215f787 && be16(p[6:]) == 0:
		return protoTencentGames
	}
	return ProtoUnknown
}

// Valve: the Steam client's LAN discovery (Remote Play, local game
// transfers), Steam Datagram Relay pings, and the Source engine (Half-Life
// 2 and mods) server query exchange.

// steamDiscoveryMagic opens every Steam LAN discovery datagram (sent to
// UDP 27036): four 0xff bytes and a fixed protocol signature.
var steamDiscoveryMagic = []byte{0xff, 0xff, 0xff, 0xff, 0x21, 0x4c, 0x5f, 0xa0}

func dissectValve(c *ctx) verdict {
	p := c.payload
	n := len(p)
	if n > len(steamDiscoveryMagic) && bytes.HasPrefix(p, steamDiscoveryMagic) {
		c.set(protoSteam)
		return matched
	}
	// An SDR relay ping: message type 1, then the "sdping" tag.
	if n >= 8 && p[0] == 0x01 && string(p[2:8]) == "sdping" {
		c.set(protoSteamDatagramRelay)
		return matched
	}
	// Source engine: an out-of-band datagram (0xffffffff) ending with
	// "000\0", answered in kind from the other side. The scratch word
	// keeps 1 + the direction of the first one.
	hl2 := n >= 20 && binary.BigEndian.Uint32(p) == 0xffffffff &&
		binary.BigEndian.Uint32(p[n-4:]) == 0x30303000
	if !hl2 {
		return notMine
	}
	seen := gamePeek(c)
	switch {
	case seen == 0:
		*c.scratch() = 1 + uint64(c.dir)
		return needMore
	case seen != 1+uint64(c.dir):
		c.set(protoHalfLife2)
		return matched
	}
	return notMine
}

// dissectEpicGames recognises Epic Games' (Fortnite, Unreal Engine)
// connection handshake: the first packet has a 32-bit header with bit 3
// clear followed by zeros at bytes 10-33; the peer answers with the same
// header with bit 3 set. The scratch word keeps the header and 1 + the
// direction of the first packet.
func dissectEpicGames(c *ctx) verdict {
	p := c.payload
	if c.pkts() == 1 {
		if len(p) < 34 || p[3]&0x08 != 0 || !gameAllZero(p[10:34]) {
			return notMine
		}
		*c.scratch() = uint64(binary.BigEndian.Uint32(p)) | (1+uint64(c.dir))<<32
		return needMore
	}
	s := gamePeek(c)
	if s>>32 != 1+uint64(c.dir) {
		// The reply, from the other side.
		if len(p) > 4 && binary.BigEndian.Uint32(p) == uint32(s)|0x08 {
			c.set(protoEpicGames)
			return matched
		}
		return notMine
	}
	if c.pkts() >= 4 {
		return notMine
	}
	return needMore
}

// gameHasPrefix is bytes.HasPrefix for a string prefix.
func gameHasPrefix(p []byte, prefix string) bool {
	return len(p) >= len(prefix) && string(p[:len(prefix)]) == prefix
}

func gameAllZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// dissectActivision recognises Activision's (Call of Duty) UDP game
// protocol: the first packet each way opens with 0x0c02 or 0x0d02
// (depending on nDPI's port-ordered direction), later ones with 0x29 or
// 0x28. A first packet carrying the known session marker at byte 17 is
// enough; otherwise the flow is classified after five conforming packets.
func dissectActivision(c *ctx) verdict {
	p := c.payload
	if len(p) < 18 {
		return notMine
	}
	d := gameNDPIDir(c)
	if c.dirPkts() == 1 {
		want := uint16(0x0c02)
		if d == 1 {
			want = 0x0d02
		}
		if binary.BigEndian.Uint16(p) != want || len(p) < 29 {
			return notMine
		}
		if binary.BigEndian.Uint16(p[17:]) == 0xc0a8 && binary.BigEndian.Uint32(p[19:]) == 0x0015020c {
			c.set(protoActivision)
			return matched
		}
	} else if (d == 0 && p[0] != 0x29) || (d == 1 && p[0] != 0x28) {
		return notMine
	}
	if c.pkts() > 4 {
		c.set(protoActivision)
		return matched
	}
	return needMore
}

// codLoadout names a loadout prefab in Call of Duty: Mobile's game state.
var codLoadout = []byte("LOC_PREFAB_LOADOUTNAME_1")

// dissectCoDMobile recognises Call of Duty: Mobile within its first four
// packets: the 12-byte "ping" keepalive of its UDP port 7500, or a large
// 0xce-typed game packet naming a loadout prefab.
func dissectCoDMobile(c *ctx) verdict {
	p := c.payload
	if len(p) == 12 && c.hasPort(7500) && string(p[8:]) == "ping" {
		c.set(protoCoDMobile)
		return matched
	}
	if len(p) > 350 && p[0] == 0xce && bytes.Contains(p, codLoadout) {
		c.set(protoCoDMobile)
		return matched
	}
	if c.pkts() >= 4 {
		return notMine
	}
	return needMore
}
