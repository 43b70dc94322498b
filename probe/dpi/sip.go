package dpi

import "encoding/binary"

// SIP (RFC 3261): a request line "METHOD sip:..." or a status line
// "SIP/2.0 ...", over UDP or TCP, possibly inside a TURN ChannelData
// message. UDP endpoints may send a few keep-alives (CRLF) first, so UDP
// flows get the first five packets.

// sipMethods are the request methods of RFC 3261 and its extensions
// (SUBSCRIBE/NOTIFY 6665, PUBLISH 3903, MESSAGE 3428, INFO 6086, PRACK
// 3262, REFER 3515, UPDATE 3311), each followed by the space that ends it.
var sipMethods = []string{
	"INVITE ", "REGISTER ", "ACK ", "BYE ", "CANCEL ", "OPTIONS ", "NOTIFY ",
	"SUBSCRIBE ", "PUBLISH ", "MESSAGE ", "INFO ", "PRACK ", "REFER ", "UPDATE ",
}

const sipMaxPackets = 5

func sipRun(c *ctx) verdict {
	if c.pkts() > sipMaxPackets {
		return notMine
	}
	p := c.payload
	// TURN ChannelData: channel number, length, then the SIP message.
	if len(p) > 4 && int(binary.BigEndian.Uint16(p[2:])) == len(p)-4 {
		p = p[4:]
	}
	if sipMessage(p) {
		c.set(voipSIP)
		return matched
	}
	if c.l4 == 17 {
		return needMore
	}
	if len(p) == 4 && binary.BigEndian.Uint32(p) == 0 {
		return needMore
	}
	return notMine
}

// sipMessage reports whether p starts a SIP request or response.
func sipMessage(p []byte) bool {
	if len(p) < 14 {
		return false
	}
	if sipPrefixFold(p, "SIP/2.0 ") {
		return true
	}
	for _, m := range sipMethods {
		if sipPrefixFold(p, m) && sipPrefixFold(p[len(m):], "sip:") {
			return true
		}
	}
	return false
}

// sipPrefixFold reports whether p starts with prefix, ignoring the case
// of ASCII letters.
func sipPrefixFold(p []byte, prefix string) bool {
	if len(p) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := p[i], prefix[i]
		if a >= 'a' && a <= 'z' {
			a -= 'a' - 'A'
		}
		if b >= 'a' && b <= 'z' {
			b -= 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
