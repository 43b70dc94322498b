package dpi

import "bytes"

// Remote access: RDP (TCP and UDP), VNC, Telnet and TeamViewer. All of them
// are desktop-sharing sessions for nDPI's risk list, except Telnet, which is
// an unsafe clear-text protocol.

const rdpPort = 3389

// dissectRDP recognises RDP over TCP from the X.224 connection request or
// confirm that carries the RDP negotiation (or the mstshash cookie), and
// RDP over UDP (MS-RDPEUDP) from its SYN / SYN+ACK exchange or, mid-flow,
// from a constant 3-byte prefix per direction on port 3389.
func dissectRDP(c *ctx) verdict {
	if c.l4 == 17 {
		return dissectRDPUDP(c)
	}
	b := c.payload
	if c.st.follow != 0 {
		// A client that asked for TLS security starts a TLS handshake
		// right after the negotiation: nDPI reports it as TLS.RDP, with
		// the TLS metadata.
		if st := c.scratch(); *st != 0 || len(b) > 1 && b[0] == 0x16 && b[1] == 3 {
			*st = 1 // the handshake started: the TLS reader takes over
			return tlsFollow(c, ProtoTLS, protoRDP)
		}
		if c.pkts() >= 5 {
			return matched
		}
		return matchedMore
	}
	// TPKT (RFC 1006): version 3, reserved 0, length; then the X.224
	// length indicator.
	if len(b) <= 13 || b[0] != 3 || b[1] != 0 || int(appBE16(b[2:])) != len(b) || int(b[4]) != len(b)-5 {
		return notMine
	}
	if c.fromClient() {
		// X.224 Connection Request, then either the RDP Negotiation
		// Request (type 1, length 8) or the routing cookie.
		if b[5] != 0xe0 || !(b[11] == 1 && b[13] == 8 || len(b) > 17 && string(b[11:18]) == "Cookie:") {
			return notMine
		}
		c.set(protoRDP)
		c.risk(RiskDesktopOrFileSharing)
		// requestedProtocols of the negotiation request: bit 0 is TLS.
		if len(b) > 43 && b[43]&1 != 0 {
			return matchedMore
		}
		return matched
	}
	// X.224 Connection Confirm with the RDP Negotiation Response.
	if b[5] != 0xd0 || b[11] != 2 || b[13] != 8 {
		return notMine
	}
	c.set(protoRDP)
	c.risk(RiskDesktopOrFileSharing)
	return matched
}

// RDP over UDP scratch layout: the expected 3-byte prefixes of each
// direction and how many packets matched them.
const (
	rdpToSrvShift   = 0  // 24 bits: prefix of client packets
	rdpFromSrvShift = 24 // 24 bits: prefix of server packets
	rdpToSrvCount   = 48 // 2 bits
	rdpFromSrvCount = 50 // 2 bits
	rdpSynSeen      = 1 << 52
)

func dissectRDPUDP(c *ctx) verdict {
	b := c.payload
	sport, dport := c.p.SrcPort, c.p.DstPort
	if len(b) < 10 || sport != rdpPort && dport != rdpPort {
		return notMine
	}
	st := c.scratch()
	prefix := uint64(b[0])<<16 | uint64(b[1])<<8 | uint64(b[2])
	// uFlags and the two MTU fields of an RDPUDP SYN datagram header.
	synLike := func(flags uint16) bool {
		return len(b) >= 16 && appBE16(b[6:])&flags != 0 && appBE16(b[12:]) <= 1600 && appBE16(b[14:]) <= 1600
	}
	if sport == rdpPort {
		// Server to client.
		stored := *st >> rdpFromSrvShift & 0xffffff
		switch *st >> rdpFromSrvCount & 3 {
		case 0:
			if *st&rdpSynSeen != 0 && prefix == stored && synLike(3) {
				return rdpFound(c) // SYN+ACK echoing the client's sequence number
			}
			*st = *st&^(0xffffff<<rdpFromSrvShift) | prefix<<rdpFromSrvShift | 1<<rdpFromSrvCount
		default:
			if prefix != stored {
				return notMine
			}
			*st = *st&^(3<<rdpFromSrvCount) | 2<<rdpFromSrvCount
			if *st>>rdpToSrvCount&3 == 2 {
				return rdpFound(c)
			}
		}
		return needMore
	}
	stored := *st >> rdpToSrvShift & 0xffffff
	switch *st >> rdpToSrvCount & 3 {
	case 0:
		if appBE32(b) == 0xffffffff && synLike(1) {
			// SYN: snSourceAck -1; the server answers with our initial
			// sequence number first.
			seq := uint64(b[8])<<16 | uint64(b[9])<<8 | uint64(b[10])
			*st = *st&^(0xffffff<<rdpFromSrvShift) | seq<<rdpFromSrvShift | rdpSynSeen
		} else {
			*st = *st&^(0xffffff<<rdpToSrvShift) | prefix<<rdpToSrvShift | 1<<rdpToSrvCount
		}
	default:
		if prefix != stored {
			return notMine
		}
		*st = *st&^(3<<rdpToSrvCount) | 2<<rdpToSrvCount
		if *st>>rdpFromSrvCount&3 == 2 {
			return rdpFound(c)
		}
	}
	return needMore
}

func rdpFound(c *ctx) verdict {
	c.set(protoRDP)
	c.risk(RiskDesktopOrFileSharing)
	return matched
}

// dissectVNC recognises the RFB ProtocolVersion message ("RFB 003.008\n")
// sent by the server and echoed by the client.
func dissectVNC(c *ctx) verdict {
	b := c.payload
	if len(b) != 12 || string(b[:4]) != "RFB " || b[11] != '\n' || !(string(b[4:7]) == "003" || string(b[4:7]) == "004") {
		return notMine
	}
	st := c.scratch()
	bit := uint64(1) << c.dir
	if *st&bit != 0 {
		return notMine // the same side twice
	}
	*st |= bit
	if *st != 3 {
		return needMore
	}
	c.set(protoVNC)
	c.risk(RiskDesktopOrFileSharing)
	return matched
}

// Telnet scratch layout.
const (
	telnetStageMask = 3      // IAC negotiation packets seen
	telnetLogin     = 1 << 2 // the server prompted for a login name
	telnetUserDone  = 1 << 3
)

// dissectTelnet recognises the option negotiation (IAC WILL/WONT/DO/DONT)
// that opens a Telnet session; after three such packets the flow is
// Telnet, and the login name typed after the server's "login:" prompt is
// kept as metadata.
func dissectTelnet(c *ctx) verdict {
	b := c.payload
	if c.st.follow != 0 {
		return telnetLoginName(c, b)
	}
	if !telnetIAC(b) {
		// Other data may come between negotiation packets.
		if c.pkts() < 12 && appPeek(c)&telnetStageMask != 0 {
			return needMore
		}
		return notMine
	}
	st := c.scratch()
	if *st&telnetStageMask < 2 {
		*st++
		return needMore
	}
	c.set(protoTelnet)
	return matchedMore
}

// telnetIAC reports whether b is Telnet command traffic: it starts with an
// option negotiation (IAC SB, WILL, WONT, DO or DONT, option < 0x28) and
// every later IAC is a valid command.
func telnetIAC(b []byte) bool {
	if len(b) < 3 || b[0] != 0xff || b[1] < 0xfa || b[1] == 0xff || b[2] >= 0x28 {
		return false
	}
	for a := 3; a < len(b)-2; a++ {
		if b[a] != 0xff {
			continue
		}
		cmd := b[a+1]
		switch {
		case cmd >= 0xf0 && cmd <= 0xfa:
		case cmd >= 0xfb && cmd != 0xff && b[a+2] <= 0x28:
		default:
			return false
		}
	}
	return true
}

// telnetLoginName collects the characters the client types after the
// server's login prompt (the client echoes nothing: one character or one
// line per packet).
func telnetLoginName(c *ctx, b []byte) verdict {
	st := c.scratch()
	if *st&telnetUserDone != 0 {
		return matched
	}
	if !c.fromClient() {
		if bytes.Contains(b, []byte("login:")) || bytes.Contains(b, []byte("Login:")) {
			*st |= telnetLogin
		}
		return matchedMore
	}
	if *st&telnetLogin == 0 || len(b) == 0 || b[0] == 0xff {
		return matchedMore
	}
	in := c.info()
	for _, ch := range b {
		if ch == '\r' || ch == '\n' || ch == 0 {
			if in.Text != "" {
				*st |= telnetUserDone
				return matched
			}
			continue
		}
		if ch >= 0x20 && ch < 0x7f && len(in.Text) < 64 {
			in.Text += string(rune(ch))
		}
	}
	return matchedMore
}

// dissectTeamViewer recognises TeamViewer's framing: 0x17 0x24 at the start
// of TCP messages (0x11 0x30 for some replies), and 0x17 0x24 at offset 11
// of UDP datagrams whose first byte (a counter) is still 0.
func dissectTeamViewer(c *ctx) verdict {
	b := c.payload
	hit := false
	if c.l4 == 17 {
		hit = len(b) > 13 && b[0] == 0 && b[11] == 0x17 && b[12] == 0x24
	} else if len(b) > 2 {
		hit = b[0] == 0x17 && b[1] == 0x24
		if !hit && b[0] == 0x11 && b[1] == 0x30 && appPeek(c) != 0 {
			hit = true
		}
	}
	if !hit {
		// Over TCP, other messages may come between the framed ones.
		if c.l4 == 6 && appPeek(c) != 0 && c.pkts() < 12 {
			return needMore
		}
		return notMine
	}
	st := c.scratch()
	*st++
	if *st < 4 && !c.hasPort(5938) {
		return needMore
	}
	c.set(protoTeamViewer)
	c.risk(RiskDesktopOrFileSharing)
	return matched
}
