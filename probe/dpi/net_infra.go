package dpi

import "encoding/binary"

// Infrastructure protocols with a self-describing header: RADIUS, BGP,
// the AFS RX transport and Google Nest's log sink.

const (
	protoBGP         ProtoID = 13  // BGP
	protoNestLogSink ProtoID = 43  // NestLogSink
	protoRadius      ProtoID = 146 // Radius
	protoRX          ProtoID = 223 // RX
)

// radiusCodes lists the RADIUS packet codes (RFC 2865/2866, 5176).
var radiusCodes = [256]bool{1: true, 2: true, 3: true, 4: true, 5: true, 11: true, 12: true, 13: true,
	40: true, 41: true, 42: true, 43: true, 44: true, 45: true}

// dissectRadius recognises a RADIUS packet: a known code, a length equal
// to the datagram's, the 16-byte authenticator and attributes that exactly
// fill the rest.
func dissectRadius(c *ctx) verdict {
	b := c.payload
	if len(b) < 20 || len(b) > 4096 || !radiusCodes[b[0]] || int(binary.BigEndian.Uint16(b[2:])) != len(b) {
		return notMine
	}
	for off := 20; off < len(b); {
		if off+2 > len(b) || b[off] == 0 || b[off+1] < 2 {
			return notMine
		}
		off += int(b[off+1])
		if off > len(b) {
			return notMine
		}
	}
	c.set(protoRadius)
	return matched
}

// dissectBGP recognises a BGP message: the 16-byte all-ones marker, a
// length between the header size and the largest message, and a message
// type (OPEN .. ROUTE-REFRESH).
func dissectBGP(c *ctx) verdict {
	b := c.payload
	if len(b) < 19 {
		return notMine
	}
	for _, x := range b[:16] {
		if x != 0xff {
			return notMine
		}
	}
	if n := binary.BigEndian.Uint16(b[16:]); n < 19 || b[18] < 1 || b[18] > 5 {
		return notMine
	}
	c.set(protoBGP)
	return matched
}

// RX header: epoch (4), connection id (4), call (4), sequence (4),
// serial (4), type, flags, user status, security index, checksum (2),
// service id (2).
const rxHeaderLen = 28

// rxFlags lists the flag combinations seen in RX headers.
var rxFlags = [256]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 9: true, 33: true, 34: true}

// dissectRX recognises the RX transport of AFS: a header with a packet
// type of 1..13, a plausible flag set and security index, and the same
// epoch and connection id in both directions. The scratch word keeps the
// first side's epoch and connection id.
func dissectRX(c *ctx) verdict {
	b := c.payload
	if len(b) < rxHeaderLen || b[20] < 1 || b[20] > 13 || !rxFlags[b[21]] || b[23] > 3 {
		return notMine
	}
	id := binary.BigEndian.Uint64(b)
	s := c.scratch()
	if c.st.dirPkts[c.dir^1] == 0 {
		*s = id
		return needMore
	}
	if *s != id {
		return notMine
	}
	c.set(protoRX)
	return matched
}

// dissectNestLogSink recognises the log upload protocol of Google Nest
// devices on port 11095: records whose second to fourth bytes carry a
// small type, a flags byte of 0x00 or 0x10 and the constant 0x13. Three
// such packets make the flow.
func dissectNestLogSink(c *ctx) verdict {
	b := c.payload
	if !c.hasPort(11095) || len(b) < 8 {
		return notMine
	}
	if b[1] <= 2 && (b[2] == 0x00 || b[2] == 0x10) && b[3] == 0x13 {
		s := c.scratch()
		*s++
		if *s >= 3 {
			c.set(protoNestLogSink)
			return matched
		}
	} else if c.pkts() > 8 {
		return notMine
	}
	return needMore
}
