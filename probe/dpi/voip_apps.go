package dpi

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// Conferencing and messaging services recognised from their own framing,
// with nDPI's signatures.

// Discord voice: the UDP "IP discovery" exchange (a 74-byte request of
// type 1 and length 70, answered by type 2 with the client's public
// address) or the 8-byte keep-alive 0x1337cafe.
func discordRun(c *ctx) verdict {
	p := c.payload
	if len(p) == 8 && binary.BigEndian.Uint32(p) == 0x1337cafe {
		c.set(voipDiscord)
		return matched
	}
	if len(p) == 74 {
		switch binary.BigEndian.Uint32(p) {
		case 0x00010046:
			if c.pkts() == 1 {
				return needMore // the answer carries the address
			}
		case 0x00020046:
			if c.pkts() == 2 {
				c.set(voipDiscord)
				ip := p[8:24]
				if i := bytes.IndexByte(ip, 0); i >= 0 {
					ip = ip[:i]
				}
				c.info().Text = string(ip)
				return matched
			}
		}
	}
	if c.pkts() >= 5 {
		return notMine
	}
	return needMore
}

// Zoom (github.com/Princeton-Cabernet/zoom-analysis): media servers on UDP
// 8801-8810 wrap packets in an 8-byte "SFU" header (type 1/2 at setup,
// 3/4, 5 around media, whose inner "media encapsulation" header says what
// follows); peer-to-peer calls start with a type 0x1f packet carrying the
// peer's address and a UUID as length-value strings.

const (
	zoomSFULen   = 8  // type, sequence, unknown, direction
	zoomMediaLen = 15 // type, 2 unknown words, sequence, timestamp
	// zoomExtraPackets is nDPI's zoom.max_packets_extra_dissection.
	zoomExtraPackets = 4

	zoomFollowing = 1 << 0 // classified; looking for media
	zoomP2P       = 1 << 1 // a peer-to-peer call
	zoomMedia     = 1 << 2 // RTP seen inside: the label becomes SRTP.Zoom
	zoomExtraBit  = 8      // extra packets seen, from this bit
)

func zoomPort(c *ctx) bool {
	return (c.cliPort >= 8801 && c.cliPort <= 8810) || (c.srvPort >= 8801 && c.srvPort <= 8810)
}

func zoomRun(c *ctx) verdict {
	p := c.payload
	if s := voipPeek(c); s != nil && *s&zoomFollowing != 0 {
		extra := int(*s>>zoomExtraBit) + 1
		*s = *s&(1<<zoomExtraBit-1) | uint64(extra)<<zoomExtraBit
		if (*s&zoomP2P == 0 && zoomSFU5(s, p)) || (*s&zoomP2P != 0 && zoomZME(s, p)) {
			zoomAdd(c, *s)
		}
		if *s&zoomMedia != 0 || extra >= zoomExtraPackets {
			return matched
		}
		return matchedMore
	}
	var v uint64
	switch {
	case zoomPort(c) && len(p) > zoomSFULen:
		switch {
		case (p[0] == 1 || p[0] == 2) && p[1] == 0 && (p[2] == 2 || p[2] == 3):
			// SFU types 1 and 2 open the media session.
		case p[0] == 3 || p[0] == 4:
			// Types 3 and 4 are rare and weak: give others a chance.
			if c.pkts() < 4 {
				return needMore
			}
		case zoomSFU5(&v, p):
		default:
			return notMine
		}
	case len(p) > 36 && p[0] == 0x1f && p[1] == 0x02 && p[2] == 0x01 &&
		binary.BigEndian.Uint32(p[len(p)-4:]) == 0:
		// A 24-byte header, then the peer's address and a UUID as
		// length-value strings, then four zero bytes.
		ipLen := uint64(binary.BigEndian.Uint32(p[24:]))
		if 24+4+ipLen+4 >= uint64(len(p)) {
			return notMine
		}
		uuidLen := uint64(binary.BigEndian.Uint32(p[28+ipLen:]))
		if uint64(len(p)) != 24+4+ipLen+4+uuidLen+4 {
			return notMine
		}
		v |= zoomP2P
	default:
		return notMine
	}
	zoomAdd(c, v)
	if v&zoomMedia != 0 {
		return matched
	}
	*c.scratch() = v | zoomFollowing
	return matchedMore
}

// zoomAdd labels the flow Zoom, or SRTP.Zoom once media was seen.
func zoomAdd(c *ctx, s uint64) {
	if s&zoomMedia != 0 {
		c.setPair(voipSRTP, voipZoom)
		return
	}
	c.set(voipZoom)
}

// zoomSFU5 reports whether p is an SFU type 5 packet wrapping media.
func zoomSFU5(s *uint64, p []byte) bool {
	return len(p) > zoomSFULen+zoomMediaLen && p[0] == 5 && zoomZME(s, p[zoomSFULen:])
}

// zoomZME checks a media encapsulation header and the RTP or RTCP packet
// it announces, noting when media is found.
func zoomZME(s *uint64, p []byte) bool {
	if len(p) <= zoomMediaLen {
		return false
	}
	rtpAt := func(off int) bool {
		if off >= len(p) {
			return false
		}
		k, _ := rtpKind(p[off:])
		return k == rtpIsRTP
	}
	switch p[0] {
	case 13: // screen share: RTP is not always there at the start
		if len(p) > 27 {
			if rtpAt(27) {
				*s |= zoomMedia
			}
			return true
		}
	case 30: // peer-to-peer screen share
		if len(p) > 20 && rtpAt(20) {
			*s |= zoomMedia
			return true
		}
	case 15: // audio
		if len(p) > 19 && rtpAt(19) {
			*s |= zoomMedia
			return true
		}
	case 16: // video
		if len(p) > 24 && rtpAt(24) {
			*s |= zoomMedia
			return true
		}
	case 33, 34, 35: // RTCP
		if len(p) > 16 {
			k, _ := rtpKind(p[16:])
			return k == rtpIsRTCP
		}
	}
	return false
}

// SD-RTN, Agora's real-time network: the first UDP packet names the edge
// server in a length-prefixed "SNI" field.
func sdrtnRun(c *ctx) verdict {
	p := c.payload
	if c.l4 != 17 || len(p) < 20 || p[6] != 0x21 || binary.BigEndian.Uint32(p[12:]) != 0x04534e49 { // "\x04SNI"
		return notMine
	}
	n := int(binary.BigEndian.Uint16(p[16:]))
	if n+19 > len(p) || p[18] != 0 {
		return notMine
	}
	c.set(voipSDRTN)
	c.st.ServerName = strings.ToLower(string(p[19 : 19+n]))
	return matched
}

// WhatsApp's TCP chat: the Noise handshake prologue "ED\x00\x01" with the
// protocol version, possibly split across segments, or the old "WA"
// header.
var whatsappPrologues = [...]string{
	"ED\x00\x01\x00\x00\x04\x08",
	"ED\x00\x01\x00\x00\x02\x08",
}

func whatsappRun(c *ctx) verdict {
	if c.pkts() > 3 {
		return notMine
	}
	p := c.payload
	done := 0
	if s := voipPeek(c); s != nil {
		done = int(*s)
	}
	if done == 0 && len(p) > 4 && string(p[:4]) == "WA\x01\x05" {
		c.set(voipWhatsApp)
		return matched
	}
	for _, seq := range whatsappPrologues {
		if done >= len(seq) {
			continue
		}
		n := min(len(seq)-done, len(p))
		if string(p[:n]) == seq[done:done+n] {
			done += n
			if done == len(seq) {
				c.set(voipWhatsApp)
				return matched
			}
			*c.scratch() = uint64(done)
			return needMore
		}
	}
	return notMine
}

// Telegram. Its MTProto over TCP has no clear-text signature (obfuscated
// since MTProto 2.0), so, as nDPI does, any non-TLS TCP flow with a
// Telegram server is Telegram. Over UDP (ports 500-600) its packets hold a
// run of exactly twelve 0xff bytes; calls then carry STUN, DTLS or RTP at
// offset 24 of the same framing.
func telegramRun(c *ctx) verdict {
	if c.l4 == 6 {
		if c.ipService() == voipTelegram {
			c.set(voipTelegram)
			return matched
		}
		return notMine
	}
	if s := voipPeek(c); s != nil {
		return telegramFollow(c, s)
	}
	p := c.payload
	if len(p) < 40 || !(telegramPort(c.cliPort) || telegramPort(c.srvPort)) {
		return notMine
	}
	i := bytes.IndexByte(p, 0xff)
	if i < 0 {
		return needMore
	}
	run := 1
	for i+run < len(p) && p[i+run] == 0xff {
		run++
	}
	if run != 12 {
		return notMine
	}
	c.set(voipTelegram)
	s := c.scratch()
	*s = stunClassified
	stunSetField(s, stunBudgetShift, stunExtraPackets)
	stunSetField(s, stunCountShift, c.pkts())
	return matchedMore
}

func telegramPort(p uint16) bool { return p >= 500 && p <= 600 }

// telegramFollow unwraps Telegram's call framing and follows the STUN
// inside as the STUN dissector would.
func telegramFollow(c *ctx, s *uint64) verdict {
	stunSetField(s, stunCountShift, stunField(*s, stunCountShift)+1)
	extra := stunField(*s, stunExtraShift) + 1
	stunSetField(s, stunExtraShift, extra)
	p := c.payload
	if len(p) > 28 && !bytes.Equal(p[16:28], telegramPad[:]) {
		if n := int(binary.BigEndian.Uint16(p[22:])); 24+n <= len(p) {
			stunAgain(c, s, p[24:24+n], 0)
		}
	}
	if extra >= stunField(*s, stunBudgetShift) || !stunKeepFollowing(c, *s) {
		return matched
	}
	return matchedMore
}

var telegramPad = [12]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Threema: a fixed handshake on TCP 5222 (48, 80 and 191 bytes, then one
// of any size), then messages with a little-endian length prefix.
func threemaRun(c *ctx) verdict {
	if c.cliPort != 5222 && c.srvPort != 5222 {
		return notMine
	}
	p := c.payload
	switch c.pkts() {
	case 1:
		return threemaLen(len(p) == 48)
	case 2:
		return threemaLen(len(p) == 80)
	case 3:
		return threemaLen(len(p) == 191)
	case 4:
		return needMore
	}
	if len(p) < 2 || int(binary.LittleEndian.Uint16(p))+2 != len(p) {
		return notMine
	}
	c.set(voipThreema)
	return matched
}

func threemaLen(ok bool) verdict {
	if ok {
		return needMore
	}
	return notMine
}

// Viber: TCP messages start with their little-endian length and a fixed
// marker; UDP (voice) packets have fixed bytes 2-5 for a given type.
func viberRun(c *ctx) verdict {
	p := c.payload
	if c.l4 == 6 {
		if len(p) >= 11 && int(binary.LittleEndian.Uint16(p)) == len(p) &&
			((binary.BigEndian.Uint16(p[6:]) == 0xfcff && p[9] == 0x80) ||
				(binary.BigEndian.Uint16(p[4:]) == 0x0380 && p[10] == 0x0a)) {
			c.set(voipViber)
			return matched
		}
		return notMine
	}
	if len(p) > 5 && ((p[2] == 0x03 && p[3] == 0x00) ||
		(len(p) == 20 && p[2] == 0x09 && p[3] == 0x00) ||
		(p[2] == 0x01 && p[3] == 0x00 && p[4] == 0x05 && p[5] == 0x00) ||
		(len(p) == 34 && (p[2] == 0x19 || p[2] == 0x1b) && p[3] == 0x00)) {
		c.set(voipViber)
		return matched
	}
	return notMine
}

// IMO's calls: two consecutive one-byte packets with the same value, or
// a few fixed control packets.
const imoMaxPackets = 10

func imoRun(c *ctx) verdict {
	p := c.payload
	s := voipPeek(c)
	switch {
	case len(p) == 1:
		if s != nil && *s&0x100 != 0 && byte(*s) == p[0] {
			c.set(voipIMO)
			return matched
		}
		if s == nil {
			s = c.scratch()
		}
		*s = 0x100 | uint64(p[0])
		return needMore
	case (len(p) == 10 && p[0] == 0x09 && p[1] == 0x02) ||
		(len(p) == 11 && p[0] == 0x00 && p[1] == 0x09 && p[2] == 0x03) ||
		(len(p) == 1099 && p[0] == 0x88 && p[1] == 0x49 && p[2] == 0x1a && p[3] == 0x00):
		c.set(voipIMO)
		return matched
	}
	if c.pkts() > imoMaxPackets {
		return notMine
	}
	if s != nil {
		*s = 0 // the one-byte packets must be consecutive
	}
	return needMore
}
