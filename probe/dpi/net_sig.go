package dpi

import (
	"bytes"
	"encoding/binary"
)

// Protocols recognised from the header of one packet, grouped in a single
// dissector (one slot of the per-flow exclusion bitmap): each check is a
// few byte comparisons and decides on the packet it sees, so the group
// rules a flow out on its first payload packet.

const (
	protoHPVirtGrp   ProtoID = 256 // HP_VIRTGRP
	protoTPLinkSHP   ProtoID = 332 // TPLINK_SHP
	protoCollectd    ProtoID = 298 // collectd
	protoCAN         ProtoID = 352 // Controller_Area_Network
	protoRipeAtlas   ProtoID = 417 // RipeAtlas
	protoXiaomi      ProtoID = 287 // Xiaomi
	protoRoughtime   ProtoID = 383 // Roughtime
	protoLDP         ProtoID = 409 // LDP
	protoCeph        ProtoID = 381 // Ceph
	protoUFTP        ProtoID = 373 // UFTP
	protoHARTIP      ProtoID = 72  // HART-IP
	protoFINS        ProtoID = 362 // FINS
	protoIEEEC37118  ProtoID = 367 // IEEE-C37118
	protoIEC62056    ProtoID = 379 // IEC62056
	protoCorba       ProtoID = 168 // Corba
	protoATG         ProtoID = 423 // ATG
	protoSLP         ProtoID = 347 // Service_Location_Protocol
	protoJRMI        ProtoID = 416 // JRMI
	protoOpenFlow    ProtoID = 374 // OpenFlow
	protoKismet      ProtoID = 309 // Kismet
	protoCPHA        ProtoID = 53  // CPHA
	protoRTPS        ProtoID = 359 // RTPS
	protoMPEGTS      ProtoID = 198 // MPEG_TS
	protoBeckhoffADS ProtoID = 365 // BeckhoffADS
	protoDNP3        ProtoID = 244 // DNP3
)

// netSig is one member of the signature group; run answers matched (after
// classifying the flow) or notMine.
type netSig struct {
	l4  l4Mask
	run func(c *ctx, b []byte) verdict
}

// netSigs is the group, most specific signatures first.
var netSigs = [...]netSig{
	{onTCP, sigHPVirtGrp},
	{onTCP, sigXiaomi},
	{onTCP, sigCeph},
	{onTCP, sigATG},
	{onTCP, sigJRMI},
	{onTCP, sigKismet},
	{onTCP, sigBeckhoffADS},
	{onBoth, sigDNP3},
	{onUDP, sigCPHA},
	{onUDP, sigRTPS},
	{onUDP, sigMPEGTS},
	{onBoth, sigCorba},
	{onBoth, sigCAN},
	{onUDP, sigRipeAtlas},
	{onUDP, sigCollectd},
	{onBoth, sigLDP},
	{onBoth, sigFINS},
	{onBoth, sigIEEEC37118},
	{onBoth, sigIEC62056},
	{onBoth, sigHARTIP},
	{onBoth, sigRoughtime},
	{onBoth, sigSLP},
	{onTCP, sigOpenFlow},
	{onUDP, sigUFTP},
	{onBoth, sigTPLinkSHP},
}

// The ports of the members, as hints.
var (
	netSigTCPPorts = []uint16{5223, 5222, 6789, 3300, 10001, 1099, 2501, 48898, 20000,
		646, 9600, 4712, 4059, 4060, 5094, 2002, 427, 6653, 6633, 9999}
	netSigUDPPorts = []uint16{25826, 20000, 646, 8116, 7400, 7401, 7410, 9600, 4712, 4713, 4059, 5094, 2002, 427, 1044,
		9999}
)

func dissectNetSignatures(c *ctx) verdict {
	mask := onTCP
	if c.l4 == 17 {
		mask = onUDP
	}
	for _, sig := range netSigs {
		if sig.l4&mask != 0 && sig.run(c, c.payload) == matched {
			return matched
		}
	}
	return notMine
}

// sigHPVirtGrp: HP virtual machine group management opens its TCP
// connection with a record of type 0x16 whose 16-bit length (bytes 1..2)
// is the packet's and whose byte 3 is zero.
func sigHPVirtGrp(c *ctx, b []byte) verdict {
	if c.pkts() == 1 && len(b) >= 4 && b[0] == 0x16 && b[3] == 0 &&
		int(binary.BigEndian.Uint16(b[1:])) == len(b) {
		c.set(protoHPVirtGrp)
		return matched
	}
	return notMine
}

// sigXiaomi: the Xiaomi push protocol (TCP 5222) frames its messages with
// the magic 0xC2FE0005, a payload length and the constant 0x00020016.
func sigXiaomi(c *ctx, b []byte) verdict {
	if len(b) < 12 || binary.BigEndian.Uint32(b) != 0xc2fe0005 ||
		binary.BigEndian.Uint32(b[8:]) != 0x00020016 || int(binary.BigEndian.Uint32(b[4:]))+12 != len(b) {
		return notMine
	}
	c.set(protoXiaomi)
	if c.srvPort == 5222 && c.fromClient() {
		xiaomiMetadata(c, b)
	}
	return matched
}

// xiaomiMetadata walks the client's TLV list (from offset 16) for the
// server name (type 0x3a, "host[:port]").
func xiaomiMetadata(c *ctx, b []byte) {
	for off := 16; off+1 < len(b); {
		t, n := b[off], int(b[off+1])
		off += 2
		if t == 0x28 || t == 0x08 { // varint fields, not TLVs
			continue
		}
		if off+n >= len(b) {
			return
		}
		if t == 0x3a && n > 0 {
			v := b[off : off+n]
			if i := bytes.IndexByte(v, ':'); i >= 0 {
				v = v[:i]
			}
			if len(v) > 0 {
				c.st.ServerName = string(v)
			}
			return
		}
		off += n
	}
}

// sigCeph: both sides of a Ceph connection start with the banner
// "ceph v<version>".
func sigCeph(c *ctx, b []byte) verdict {
	if len(b) > 6 && bytes.HasPrefix(b, []byte("ceph v")) {
		c.set(protoCeph)
		return matched
	}
	return notMine
}

// sigATG: automatic tank gauges (Veeder-Root, TCP 10001) take commands
// of SOH, 'I' or 'S' (either case) and a code, ended by CR LF.
func sigATG(c *ctx, b []byte) verdict {
	if len(b) >= 8 && c.hasPort(10001) && b[0] == 0x01 &&
		(b[1] == 'I' || b[1] == 'i' || b[1] == 'S' || b[1] == 's') &&
		b[len(b)-2] == '\r' && b[len(b)-1] == '\n' {
		c.set(protoATG)
		return matched
	}
	return notMine
}

// sigJRMI: Java RMI streams open with "JRMI", version 2 and a protocol
// byte (0x4b stream, 0x4c single op, 0x4d multiplex).
func sigJRMI(c *ctx, b []byte) verdict {
	if len(b) >= 7 && string(b[:4]) == "JRMI" && b[4] == 0 && b[5] == 2 && b[6] >= 0x4b && b[6] <= 0x4d {
		c.set(protoJRMI)
		return matched
	}
	return notMine
}

// sigCorba: CORBA's GIOP messages start with "GIOP" and a 1.x version;
// over UDP multicast they are wrapped in MIOP (version byte 0x10).
func sigCorba(c *ctx, b []byte) verdict {
	if len(b) >= 12 && ((c.l4 == 6 && string(b[:4]) == "GIOP" && b[4] == 1 && b[5] <= 3) ||
		(c.l4 == 17 && string(b[:4]) == "MIOP" && b[4] == 0x10)) {
		c.set(protoCorba)
		return matched
	}
	return notMine
}

// sigCAN: CAN bus frames tunnelled over IP start with the signature
// "ISO11898", a version (1) and a frame count.
func sigCAN(c *ctx, b []byte) verdict {
	if len(b) < 10 || string(b[:8]) != "ISO11898" {
		return notMine
	}
	c.set(protoCAN)
	if b[8] != 1 {
		c.risk(RiskMalformedPacket)
	}
	return matched
}

// sigRipeAtlas: RIPE Atlas probes' UDP measurement packets are 25 bytes
// starting with "MGLNDD".
func sigRipeAtlas(c *ctx, b []byte) verdict {
	if len(b) == 25 && string(b[:6]) == "MGLNDD" {
		c.set(protoRipeAtlas)
		return matched
	}
	return notMine
}

// collectdType reports whether t is a part type of collectd's binary
// protocol.
func collectdType(t uint16) bool {
	switch t {
	case 0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009,
		0x0100, 0x0101, 0x0200, 0x0210:
		return true
	}
	return false
}

// sigCollectd: collectd's network plugin sends a sequence of parts (type,
// length including the 4-byte header); at least three valid parts, or a
// single encrypted part covering the datagram with a plausible user name
// length, make the packet.
func sigCollectd(c *ctx, b []byte) verdict {
	parts, off := 0, 0
	var host []byte
	for parts < 5 && off+4 <= len(b) {
		t := binary.BigEndian.Uint16(b[off:])
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		if n < 4 || off+n > len(b) || !collectdType(t) {
			break
		}
		if t == 0x0210 { // encrypted (AES-256): user name length, name, IV, ...
			if off != 0 || n != len(b) || len(b) < 6 || int(binary.BigEndian.Uint16(b[4:]))+6+16 > len(b) {
				return notMine
			}
			c.set(protoCollectd)
			return matched
		}
		if t == 0x0000 && n > 4 {
			host = b[off+4 : off+n]
		}
		parts++
		off += n
	}
	if parts < 3 {
		return notMine
	}
	c.set(protoCollectd)
	if i := bytes.IndexByte(host, 0); i >= 0 {
		host = host[:i]
	}
	if len(host) > 0 && len(host) < 256 {
		c.st.ServerName = string(host)
	}
	return matched
}

// sigLDP: an LDP PDU has version 1 and a length covering the rest of the
// packet; over UDP it carries a Hello (0x0100), over TCP a session
// message (initialization, keepalive, address, label ... or a vendor
// message 0x3e00..0x3eff).
func sigLDP(c *ctx, b []byte) verdict {
	if len(b) < 20 || binary.BigEndian.Uint16(b) != 1 || int(binary.BigEndian.Uint16(b[2:])) != len(b)-4 {
		return notMine
	}
	t := binary.BigEndian.Uint16(b[10:]) & 0x7fff // the top bit is the U bit
	ok := false
	if c.l4 == 17 {
		ok = t == 0x0100
	} else {
		switch t {
		case 0x0200, 0x0201, 0x0202, 0x0300, 0x0301, 0x0400, 0x0401, 0x0402, 0x0403, 0x0404,
			0x0500, 0x0501, 0x0700, 0x0701, 0x0702, 0x0703:
			ok = true
		default:
			ok = t >= 0x3e00 && t <= 0x3eff
		}
	}
	if !ok {
		return notMine
	}
	c.set(protoLDP)
	return matched
}

// sigFINS: Omron FINS over TCP has the "FINS" magic; over UDP a 10-byte
// header whose control field, reserved byte, gateway count and network
// and unit addresses only take a few values.
func sigFINS(c *ctx, b []byte) verdict {
	if c.l4 == 6 {
		if len(b) >= 20 && string(b[:4]) == "FINS" {
			c.set(protoFINS)
			return matched
		}
		return notMine
	}
	if len(b) <= 10 || (b[0] != 0x80 && b[0] != 0xc0 && b[0] != 0xc1) || b[1] != 0 || b[2] != 2 ||
		b[3] > 0x7f || b[6] > 0x7f || !finsUnit(b[5]) || !finsUnit(b[8]) {
		return notMine
	}
	c.set(protoFINS)
	return matched
}

func finsUnit(u byte) bool { return u == 0 || u == 0xfe || u == 0xe1 || (u >= 0x10 && u <= 0x1f) }

// sigIEEEC37118: synchrophasor frames start with the sync byte 0xAA and
// a frame type (0..5), give their own size, and end with a CRC-CCITT.
func sigIEEEC37118(c *ctx, b []byte) verdict {
	if len(b) < 17 || b[0] != 0xaa || b[1]>>4 > 5 || int(binary.BigEndian.Uint16(b[2:])) != len(b) ||
		crc16CCITTFalse(b[:len(b)-2]) != binary.BigEndian.Uint16(b[len(b)-2:]) {
		return notMine
	}
	c.set(protoIEEEC37118)
	return matched
}

// crc16CCITTFalse is CRC-16/CCITT-FALSE (poly 0x1021, init 0xffff).
func crc16CCITTFalse(b []byte) uint16 {
	crc := uint16(0xffff)
	for _, x := range b {
		crc ^= uint16(x) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// sigIEC62056: DLMS/COSEM over HDLC: a frame between 0x7E flags, of
// format type 0xA, with a valid frame check sequence.
func sigIEC62056(c *ctx, b []byte) verdict {
	if len(b) < 9 || b[0] != 0x7e || b[1] != 0xa0 || b[len(b)-1] != 0x7e ||
		crc16X25(b[1:len(b)-3]) != binary.LittleEndian.Uint16(b[len(b)-3:]) {
		return notMine
	}
	c.set(protoIEC62056)
	return matched
}

// crc16X25 is the HDLC frame check sequence (CRC-16/X-25).
func crc16X25(b []byte) uint16 {
	crc := uint16(0xffff)
	for _, x := range b {
		crc ^= uint16(x)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x8408
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// sigHARTIP: HART-IP has an 8-byte header: version 1 or 2, a message
// type (request, response, publish, NAK), a message id (0..5) and a
// length equal to the packet's.
func sigHARTIP(c *ctx, b []byte) verdict {
	if len(b) < 8 || (b[0] != 1 && b[0] != 2) || int(binary.BigEndian.Uint16(b[6:])) != len(b) {
		return notMine
	}
	if t := b[1] & 0xf; (t > 2 && t != 15) || b[2] > 5 {
		return notMine
	}
	c.set(protoHARTIP)
	return matched
}

// roughtimeTag reports whether t is a tag of Roughtime messages.
func roughtimeTag(t uint32) bool {
	switch t {
	case 0x00444150, 0x00474953, 0x00524556, 0x31545544, 0x434e4f4e, 0x454c4544,
		0x48544150, 0x49415444, 0x49444152, 0x4b425550, 0x5041454c, 0x5044494d,
		0x50455253, 0x544e494d, 0x544f4f52, 0x54524543, 0x5458414d, 0x58444e49,
		0xff444150, 0xff474953, 0xff524556, 0x7a7a7a7a:
		return true
	}
	return false
}

// sigRoughtime: a Roughtime message is a tag-value map: a little-endian
// tag count N, N-1 offsets and N known tags.
func sigRoughtime(c *ctx, b []byte) verdict {
	if len(b) < 8 {
		return notMine
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 1 || n > 22 || len(b) < 4+(n-1)*4+n*4 {
		return notMine
	}
	if n > 1 {
		last := int(binary.LittleEndian.Uint32(b[4+(n-2)*4:]))
		if last < 0 || len(b) < 4+(n-1)*4+last {
			return notMine
		}
	}
	tags := b[4+(n-1)*4:]
	for i := range n {
		if !roughtimeTag(binary.LittleEndian.Uint32(tags[4*i:])) {
			return notMine
		}
	}
	c.set(protoRoughtime)
	return matched
}

// sigSLP: Service Location Protocol. Version 2 (RFC 2608): function
// 1..11, a 24-bit length equal to the packet's, flags with only the top
// three bits used, and a language tag; version 1 (RFC 2165): function
// 1..10, a 16-bit length and a dialect of 0.
func sigSLP(c *ctx, b []byte) verdict {
	switch {
	case len(b) >= 16 && b[0] == 2 && b[1] >= 1 && b[1] <= 11 &&
		int(b[2])<<16|int(b[3])<<8|int(b[4]) == len(b) && b[6] == 0 && b[5]&0x1f == 0 &&
		14+int(binary.BigEndian.Uint16(b[12:])) <= len(b):
	case len(b) >= 12 && b[0] == 1 && b[1] >= 1 && b[1] <= 10 &&
		int(binary.BigEndian.Uint16(b[2:])) == len(b) && b[5] == 0 && b[4]&0x07 == 0:
	default:
		return notMine
	}
	c.set(protoSLP)
	return matched
}

// sigOpenFlow: OpenFlow messages have a version, a type, a length
// covering at least the 8-byte header and a transaction id. Versions 1..3
// are left out: their first four bytes look like a TPKT header (RDP,
// ISO-TSAP), which has version 3 and the same length field.
func sigOpenFlow(c *ctx, b []byte) verdict {
	if len(b) < 8 || b[0] < 4 || b[0] > 6 || b[1] > 35 {
		return notMine
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < 8 || n > len(b) || (n < len(b) && !openflowNext(b[n:], b[0])) {
		return notMine
	}
	c.set(protoOpenFlow)
	return matched
}

// openflowNext checks that b starts with another message of the same
// version, for segments carrying several messages.
func openflowNext(b []byte, ver byte) bool {
	return len(b) >= 4 && b[0] == ver && int(binary.BigEndian.Uint16(b[2:])) >= 8
}

// sigUFTP: UFTP (versions 4 and 5: first byte 0x40 or 0x50) starts with
// a function code that the message body repeats at offset 16.
func sigUFTP(c *ctx, b []byte) verdict {
	if len(b) > 23 && (b[0] == 0x40 || b[0] == 0x50) && b[1] < 22 && b[15] == 0 && b[16] == b[1] {
		c.set(protoUFTP)
		return matched
	}
	return notMine
}

// sigTPLinkSHP: the TP-Link smart home protocol sends JSON obfuscated by
// an autokey XOR (initial key 171); over TCP behind a 4-byte length. The
// decoded text must open a JSON object.
func sigTPLinkSHP(c *ctx, b []byte) verdict {
	if c.l4 == 6 {
		if len(b) < 6 || int(binary.BigEndian.Uint32(b)) != len(b)-4 {
			return notMine
		}
		b = b[4:]
	}
	if len(b) < 2 {
		return notMine
	}
	key := byte(171)
	for i := 0; i < len(b) && i < 8; i++ {
		ch := b[i] ^ key
		key = b[i]
		switch {
		case i == 0 && ch != '{':
			return notMine
		case i == 1 && ch != '"' && ch != '}':
			return notMine
		case ch < 0x20 || ch >= 0x7f:
			return notMine
		}
	}
	c.set(protoTPLinkSHP)
	return matched
}

// sigKismet: the Kismet server greets its clients with "*KISMET: ".
func sigKismet(c *ctx, b []byte) verdict {
	if bytes.HasPrefix(b, []byte("*KISMET: ")) {
		c.set(protoKismet)
		return matched
	}
	return notMine
}

// sigBeckhoffADS: ADS/AMS over TCP: a 6-byte AMS/TCP header (reserved
// zero, little-endian length of the rest) and a 32-byte AMS header whose
// data length matches, with a command id up to 9, the request/response
// state flags of TCP (4 or 5) and a known error code.
func sigBeckhoffADS(c *ctx, b []byte) verdict {
	if len(b) < 38 || b[0] != 0 || b[1] != 0 ||
		int(binary.LittleEndian.Uint32(b[2:])) != len(b)-6 ||
		int(binary.LittleEndian.Uint32(b[26:])) != len(b)-38 {
		return notMine
	}
	flags := binary.LittleEndian.Uint16(b[24:])
	if binary.LittleEndian.Uint16(b[22:]) > 9 || (flags != 4 && flags != 5) ||
		binary.LittleEndian.Uint32(b[30:]) > 0x1e {
		return notMine
	}
	c.set(protoBeckhoffADS)
	return matched
}

// sigCPHA: Check Point cluster (high availability) packets go from
// 0.0.0.0, port 8116 to port 8116, and start with the magic 0x1a90.
func sigCPHA(c *ctx, b []byte) verdict {
	if len(b) > 20 && b[0] == 0x1a && b[1] == 0x90 && c.p.SrcPort == 8116 && c.p.DstPort == 8116 &&
		c.p.Src.Is4() && c.p.Src.IsUnspecified() {
		c.set(protoCPHA)
		return matched
	}
	return notMine
}

// sigRTPS: DDS's Real-Time Publish-Subscribe messages start with "RTPS"
// and a protocol version (major 1 or 2).
func sigRTPS(c *ctx, b []byte) verdict {
	if len(b) >= 16 && string(b[:4]) == "RTPS" && (b[4] == 1 || b[4] == 2) {
		c.set(protoRTPS)
		return matched
	}
	return notMine
}

// sigMPEGTS: an MPEG transport stream datagram is a whole number of
// 188-byte packets, each starting with the sync byte 0x47.
func sigMPEGTS(c *ctx, b []byte) verdict {
	if len(b) == 0 || len(b)%188 != 0 {
		return notMine
	}
	for off := 0; off < len(b); off += 188 {
		if b[off] != 0x47 {
			return notMine
		}
	}
	c.set(protoMPEGTS)
	return matched
}

// sigDNP3: DNP3 link-layer frames start with 0x05 0x64, a length (at
// least the 5 header octets it counts), control, destination and source
// addresses, and a CRC of those 8 octets.
func sigDNP3(c *ctx, b []byte) verdict {
	if len(b) < 10 || b[0] != 0x05 || b[1] != 0x64 || b[2] < 5 ||
		crc16DNP(b[:8]) != binary.LittleEndian.Uint16(b[8:]) {
		return notMine
	}
	c.set(protoDNP3)
	return matched
}

// crc16DNP is the DNP3 CRC (polynomial 0x3D65, reflected, inverted).
func crc16DNP(b []byte) uint16 {
	var crc uint16
	for _, x := range b {
		crc ^= uint16(x)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xa6bc
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}
