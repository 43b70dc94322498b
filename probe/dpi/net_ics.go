package dpi

import "encoding/binary"

// Industrial control protocols over TCP: Modbus/TCP (and Schneider's
// UMAS, carried in Modbus function 90) and the protocols riding on
// ISO-TSAP (TPKT + COTP, RFC 1006): Siemens S7Comm and S7CommPlus on port
// 102, and MMS (ISO 9506-1).

const (
	protoModbus     ProtoID = 44  // Modbus
	protoS7Comm     ProtoID = 249 // S7Comm
	protoS7CommPlus ProtoID = 361 // S7CommPlus
	protoUMAS       ProtoID = 364 // UMAS
	protoMMS        ProtoID = 366 // ISO9506-1-MMS
)

// dissectModbus recognises a Modbus/TCP ADU on port 502: the MBAP header
// (transaction id, protocol id 0, length of the rest, unit id) followed
// by a function code.
func dissectModbus(c *ctx) verdict {
	b := c.payload
	if !c.hasPort(502) || len(b) < 8 || b[2] != 0 || b[3] != 0 ||
		int(binary.BigEndian.Uint16(b[4:])) != len(b)-6 {
		return notMine
	}
	if b[7] == 0x5a {
		c.setPair(protoModbus, protoUMAS)
	} else {
		c.set(protoModbus)
	}
	return matched
}

// dissectISOTSAP looks inside TPKT packets: S7Comm (protocol id 0x32
// with a known PDU type) and S7CommPlus (0x72 at the start and at the
// trailer) on port 102, and the MMS initiate request, sent in the first
// session (ISO 8327 CONNECT/ACCEPT) data packets. The COTP connection
// packets that precede them are waited through.
func dissectISOTSAP(c *ctx) verdict {
	b := c.payload
	if len(b) < 7 || b[0] != 3 || b[1] != 0 || int(binary.BigEndian.Uint16(b[2:])) != len(b) {
		return notMine
	}
	if c.hasPort(102) && len(b) > 17 {
		switch {
		case b[7] == 0x72 && b[len(b)-4] == 0x72:
			c.set(protoS7CommPlus)
			return matched
		case b[7] == 0x32 && (b[8] <= 3 || b[8] == 7) && b[9] == 0 && b[10] == 0:
			c.set(protoS7Comm)
			return matched
		}
	}
	if c.fromClient() && mmsInitiate(b) {
		c.set(protoMMS)
		return matched
	}
	if c.dirPkts() > 2 {
		return notMine
	}
	return needMore
}

// mmsInitiate checks for a COTP data packet carrying an ISO 8327 session
// CONNECT (13) or ACCEPT (14) SPDU whose length covers the packet, and
// the encoding of the MMS initiate PDU near its end (nDPI's markers).
func mmsInitiate(b []byte) bool {
	n := len(b)
	if n <= 60 || b[4] != 2 || b[5] != 0xf0 || b[6] != 0x80 || (b[7] != 13 && b[7] != 14) ||
		int(b[8]) != n-9 {
		return false
	}
	return (b[n-37] == 0x80 && b[n-36] == 0x02) || (b[n-38] == 0x80 && b[n-37] == 0x03) ||
		(b[n-40] == 0x80 && b[n-39] == 0x02)
}
