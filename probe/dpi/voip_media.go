package dpi

import (
	"bytes"
	"encoding/binary"
)

// Media signalling: RTSP (RFC 2326), IAX2 (RFC 5456), Megaco/H.248,
// MGCP (RFC 3435) and H.323.

// rtspRun recognises RTSP from a request line ending in "RTSP/1.0", from
// RTSP tunnelled in HTTP, or from a response ("RTSP/1.0 ...", or a
// packet naming an rtsp:// URL) in the other direction of the first
// packet.
func rtspRun(c *ctx) verdict {
	p := c.payload
	if rtspHeaders(p) {
		c.set(voipRTSP)
		return matched
	}
	dir := uint64(c.dir & 1)
	s := voipPeek(c)
	if s == nil {
		// The first packet: a request or a response is text starting with
		// a capital letter (the method or "RTSP/").
		if p[0] < 'A' || p[0] > 'Z' {
			return notMine
		}
		*c.scratch() = 1 + dir // the direction of the first packet
		return needMore
	}
	switch stage := *s & 3; {
	case stage == 1+dir:
		if c.pkts() < 3 {
			return needMore
		}
	case len(p) > 20:
		if bytes.HasPrefix(p, []byte("RTSP/1.0 ")) || bytes.Contains(p[:min(len(p), 31)], []byte("rtsp://")) {
			c.set(voipRTSP)
			return matched
		}
	}
	if c.l4 == 17 && c.pkts() <= 3 {
		return needMore
	}
	return notMine
}

// rtspHeaders reports whether p is an RTSP request, or an HTTP message
// tunnelling RTSP (Accept or Content-Type application/x-rtsp-tunnelled).
func rtspHeaders(p []byte) bool {
	if len(p) == 0 || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	end := bytes.Index(p, []byte("\r\n"))
	if end < 0 {
		return false
	}
	if bytes.HasSuffix(p[:end], []byte("RTSP/1.0")) {
		return true
	}
	for rest := p[end+2:]; len(rest) > 0; {
		line := rest
		if i := bytes.Index(rest, []byte("\r\n")); i >= 0 {
			line, rest = rest[:i], rest[i+2:]
		} else {
			rest = nil
		}
		if len(line) == 0 {
			break // end of the headers
		}
		if (sipPrefixFold(line, "accept:") || sipPrefixFold(line, "content-type:")) &&
			bytes.HasSuffix(line, []byte("application/x-rtsp-tunnelled")) {
			return true
		}
	}
	return false
}

// iaxRun recognises an IAX2 full frame on port 4569 that opens a call:
// sequence numbers 0 (or 1 inbound), frame type IAX (6), a known subclass,
// and information elements that exactly fill the datagram.
func iaxRun(c *ctx) verdict {
	p := c.payload
	if (c.cliPort != 4569 && c.srvPort != 4569) || len(p) < 12 ||
		p[0]&0x80 == 0 || p[8] != 0 || p[9] > 1 || p[10] != 0x06 || p[11] > 15 {
		return notMine
	}
	off := 12
	for i := 0; i < 15 && off < len(p); i++ {
		if off+1 >= len(p) {
			return notMine
		}
		off += 2 + int(p[off+1])
	}
	if off != len(p) {
		return notMine
	}
	c.set(voipIAX)
	return matched
}

// megacoRun recognises an H.248 text message: "MEGACO/1 " or its short
// form "!/1 ", then the sender's mId as [address] or <domain>.
func megacoRun(c *ctx) verdict {
	p := c.payload
	var rest []byte
	switch {
	case bytes.HasPrefix(p, []byte("!/1 ")):
		rest = p[4:]
	case bytes.HasPrefix(p, []byte("MEGACO/1 ")):
		rest = p[9:]
	default:
		return notMine
	}
	if len(rest) == 0 || (rest[0] != '[' && rest[0] != '<') {
		return notMine
	}
	c.set(voipMegaco)
	return matched
}

// mgcpVerbs are MGCP's commands (RFC 3435 2.3), each with its space.
var mgcpVerbs = [...]string{"AUEP ", "AUCX ", "CRCX ", "DLCX ", "EPCF ", "MDCX ", "NTFY ", "RQNT ", "RSIP "}

// mgcpRun recognises an MGCP command: a verb, then the transaction id
// and the endpoint, then the protocol version "MGCP 1.0", in a text
// message ending with a newline.
func mgcpRun(c *ctx) verdict {
	p := c.payload
	if len(p) < 8 || p[len(p)-1] != '\n' {
		return notMine
	}
	for _, v := range mgcpVerbs {
		if string(p[:5]) == v {
			if bytes.Contains(p[5:], []byte("MGCP ")) {
				c.set(voipMGCP)
				return matched
			}
			break
		}
	}
	return notMine
}

// h323Run recognises H.323 signalling: over TPKT (RFC 1006), an H.245
// message (its protocol identifier OID 0.0.8.245) or an H.225.0 call
// signalling message (Q.931 protocol discriminator 8, a short call
// reference); over UDP 1719, an H.225.0 RAS message with its protocol
// identifier OID 0.0.8.2250.
func h323Run(c *ctx) verdict {
	p := c.payload
	if len(p) > 20 && p[0] == 3 && p[1] == 0 && int(binary.BigEndian.Uint16(p[2:])) == len(p) {
		if (p[7] == 0x06 && binary.BigEndian.Uint32(p[8:]) == 0x00088175) || (p[4] == 0x08 && p[5]&0x0F <= 3) {
			c.set(voipH323)
			return matched
		}
		return notMine
	}
	if c.l4 == 17 && (c.cliPort == 1719 || c.srvPort == 1719) && len(p) > 20 &&
		p[4] == 0x06 && binary.BigEndian.Uint32(p[5:]) == 0x0008914A {
		c.set(voipH323)
		return matched
	}
	return notMine
}
