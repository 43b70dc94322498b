package dpi

import "encoding/binary"

// RTP and RTCP (RFC 3550). Their header has no magic: version 2, a known
// payload type and a length that fits are all there is, so nDPI wants
// three RTP packets (whose sequence number moves) or four RTCP packets
// among the first few of the flow before it believes it.

// rtpKind results.
const (
	rtpNone = iota
	rtpIsRTP
	rtpIsRTCP
)

// rtpKind tells whether p looks like an RTP or an RTCP packet and returns
// the RTP sequence number.
func rtpKind(p []byte) (kind int, seq uint16) {
	if len(p) < 2 || p[0]&0xC0 != 0x80 { // version 2
		return rtpNone, 0
	}
	// Static payload types (RFC 3551) and the dynamic range.
	if pt := p[1] & 0x7F; (pt <= 34 || pt >= 96) && len(p) >= 12 {
		n := 12 + 4*int(p[0]&0x0F) // CSRC list
		if p[0]&0x10 != 0 {        // header extension
			n += 4
			if n > len(p) {
				return rtpNone, 0
			}
			n += 4 * int(binary.BigEndian.Uint16(p[n-2:]))
		}
		if n > len(p) {
			return rtpNone, 0
		}
		return rtpIsRTP, binary.BigEndian.Uint16(p[2:])
	}
	// RTCP packet types 192-213 (200 SR, 201 RR, 202 SDES, 203 BYE, ...);
	// a compound datagram holds several, the first must fit.
	if p[1] >= 192 && p[1] <= 213 && len(p) >= 8 &&
		(int(binary.BigEndian.Uint16(p[2:]))+1)*4 <= len(p) {
		return rtpIsRTCP, 0
	}
	return rtpNone, 0
}

// The RTP dissector's scratch word.
const (
	rtpStageMask   = 0x3 // RTP packets seen (0-2)
	rtcpStageShift = 2   // RTCP packets seen (0-3), 2 bits
	rtpSeqSet      = 1 << 4
	rtpSeqShift    = 16
)

// rtpRun finds RTP (three RTP packets) or RTCP (four RTCP packets without
// RTP) among the first packets of a flow.
func rtpRun(c *ctx) verdict {
	p := c.payload
	if c.l4 == 6 {
		// RFC 4571 framing: a 16-bit length before each packet.
		if len(p) < 4 || int(binary.BigEndian.Uint16(p))+2 != len(p) {
			return notMine
		}
		p = p[2:]
	} else {
		src, dst := c.cliPort, c.srvPort
		if !c.fromClient() {
			src, dst = dst, src
		}
		// Ethereum's discovery looks alike; well-known ports are not RTP.
		if src == 30303 || dst == 30303 || dst == 5353 || dst == 5355 || dst == 9600 || dst <= 1023 {
			return notMine
		}
	}
	var v uint64
	if s := voipPeek(c); s != nil {
		v = *s
	}
	rtpStage := int(v & rtpStageMask)
	rtcpStage := int(v >> rtcpStageShift & 0x3)
	if c.pkts() > 3 && rtpStage == 0 && rtcpStage == 0 {
		return notMine
	}
	kind, seq := rtpKind(p)
	switch {
	case kind == rtpIsRTP:
		dir := uint(c.dir & 1)
		if rtpStage == 2 {
			if v&(rtpSeqSet<<dir) != 0 && uint16(v>>(rtpSeqShift+16*dir)) == seq {
				// The same sequence number twice: not a media stream.
				return notMine
			}
			c.set(voipRTP)
			return matched
		}
		if rtpStage == 0 {
			v |= rtpSeqSet<<dir | uint64(seq)<<(rtpSeqShift+16*dir)
		}
		*c.scratch() = v&^rtpStageMask | uint64(rtpStage+1)
	case kind == rtpIsRTCP && rtpStage > 0:
		// RTCP beside RTP: keep counting RTP.
	case kind == rtpIsRTCP:
		if rtcpStage == 3 {
			c.set(voipRTCP)
			return matched
		}
		*c.scratch() = v&^(0x3<<rtcpStageShift) | uint64(rtcpStage+1)<<rtcpStageShift
	case rtpStage > 0 || rtcpStage > 0:
		// Something else between media packets (but not the DTLS of an
		// SRTP handshake): this is not an RTP flow.
		if !stunIsDTLS(p) {
			return notMine
		}
	}
	return needMore
}
