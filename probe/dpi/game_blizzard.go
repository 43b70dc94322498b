package dpi

import (
	"bytes"
	"encoding/binary"
)

// Blizzard games: StarCraft II (Battle.net on port 1119) and World of
// Warcraft (login and realm servers on 3724 and neighbours).

const blizzardPort = 1119

// starcraftLogin are the two forms of the first message a StarCraft II
// client sends to the Battle.net logon service.
var starcraftLogin = [2][]byte{
	[]byte("\x4a\x00\x00\x0a\x66\x02\x0a\xed\x2d\x66"),
	[]byte("\x49\x00\x00\x0a\x66\x02\x0a\xed\x2d\x66"),
}

// starcraftUDPSizes is the size sequence of a StarCraft II game session
// on UDP 1119 (the second-to-last step also accepts 85 bytes).
var starcraftUDPSizes = [...]int{20, 20, 75, 20, 548, 548, 548, 484}

// dissectStarcraft recognises StarCraft II: on TCP, the client's logon
// message to port 1119; on UDP 1119, the game's packet-size pattern (the
// port is Blizzard's, the sizes tell StarCraft from other Blizzard games).
// The scratch word keeps the UDP pattern step.
func dissectStarcraft(c *ctx) verdict {
	p := c.payload
	if c.l4 == 6 {
		if c.p.DstPort == blizzardPort &&
			(bytes.HasPrefix(p, starcraftLogin[0]) || bytes.HasPrefix(p, starcraftLogin[1])) {
			c.set(protoStarcraft)
			return matched
		}
		return notMine
	}
	if !c.hasPort(blizzardPort) {
		return notMine
	}
	step := gamePeek(c)
	if step >= uint64(len(starcraftUDPSizes)) {
		return notMine
	}
	want := starcraftUDPSizes[step]
	if len(p) == want || (step == 2 && len(p) == 85) {
		if int(step) == len(starcraftUDPSizes)-1 {
			c.set(protoStarcraft)
			return matched
		}
		*c.scratch() = step + 1
	}
	return needMore
}

// World of Warcraft.

// wowPort reports whether port is one of WoW's well-known server ports.
func wowPort(port uint16) bool {
	switch port {
	case 3724, 6112, 6113, 6114, 4000, blizzardPort:
		return true
	}
	return false
}

// wowKeyTail is a fixed 18-byte block near the end of a 325-byte realm
// handshake message.
var wowKeyTail = []byte("\x94\xec\xff\xfd\x67\x62\xd4\x67\xfb\xf9\xdd\xbd\xfd\x01\xc0\x8f\xf9\x81")

// WoW handshake stages kept in the scratch word.
const (
	wowStart  = 0
	wowMaybe  = 1 // a 41-byte server hello, waiting for the client's answer
	wowLikely = 2 // waiting for a short final packet
)

// dissectWorldOfWarcraft recognises the WoW client: the plain-text
// connection banner, the login challenge naming "WoW", or the realm
// handshake (length-prefixed messages from a WoW port, then a short
// final packet).
func dissectWorldOfWarcraft(c *ctx) verdict {
	p := c.payload
	n := len(p)
	sp, dp := c.p.SrcPort, c.p.DstPort
	be16 := binary.BigEndian.Uint16
	be32 := binary.BigEndian.Uint32
	switch {
	case n == 50 && string(p[2:30]) == "WORLD OF WARCRAFT CONNECTION",
		dp == 3724 && n > 40 && n < 70 && (string(p[4:7]) == "WoW" || string(p[5:8]) == "WoW"),
		sp == 3724 && n == 8 && be32(p) == 0x0006ec01:
		c.set(protoWorldOfWarcraft)
		return matched
	}
	stage := gamePeek(c)
	selfLen := n >= 2 && int(be16(p)) == n-2 // a length-prefixed message
	switch stage {
	case wowStart:
		if wowPort(sp) && n >= 14 && selfLen {
			w := be16(p[2:])
			switch {
			case be32(p[2:]) == 0xec010100:
				*c.scratch() = wowLikely
				return needMore
			case n == 41 && (w == 0x0085 || w == 0x0034 || w == 0x1960):
				*c.scratch() = wowMaybe
				return needMore
			}
		}
		if dp == blizzardPort && n >= 77 && be32(p) == 0x40000aed && be32(p[4:]) == 0xea070aed {
			c.set(protoWorldOfWarcraft)
			return matched
		}
	case wowMaybe:
		if n == 325 && selfLen && be16(p[4:]) == 0 &&
			(be16(p[n-3:]) == 0x2331 || be16(p[67:]) == 0x2331) &&
			(bytes.Equal(p[n-18:], wowKeyTail) || bytes.Equal(p[n-30:n-12], wowKeyTail)) {
			c.set(protoWorldOfWarcraft)
			return matched
		}
		if n > 32 && selfLen && (be16(p[4:]) == 0 || be32(p[2:]) == 0x12050000) {
			*c.scratch() = wowLikely
			return needMore
		}
	case wowLikely:
		switch {
		case n == 4, n > 4 && n <= 16 && p[4] == 0x0c:
			c.set(protoWorldOfWarcraft)
			return matched
		case c.pkts() < 3:
			return needMore
		}
	}
	return notMine
}
