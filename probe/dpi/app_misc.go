package dpi

import "bytes"

// Single-message signatures of assorted TCP protocols (AJP, AMQP, Citrix
// ICA/CGP, Cisco VPN, DRDA, FastCGI, JSON-RPC, Whois-DAS), SOCKS 4/5, and
// the text protocols IRC and NNTP.

// dissectAppSignatures looks at the first payload packet of each direction
// for a protocol that announces itself in one message.
func dissectAppSignatures(c *ctx) verdict {
	if c.st.follow != 0 {
		return fastCGIParams(c)
	}
	if c.st.Result.App == protoJSONRPC && c.st.Result.Master == ProtoUnknown {
		return matched // the tentative JSON-RPC label was not overridden
	}
	b := c.payload
	switch {
	case ajpMessage(b):
		c.set(protoAJP)
	case amqpFrame(b):
		c.set(protoAMQP)
	case citrixHello(b):
		c.set(protoCitrix)
	case drdaMessage(b):
		c.set(protoDRDA)
	case jsonRPCMessage(b) && !miningCall(b):
		// Mining pools' Stratum is JSON-RPC too; nDPI labels it Mining,
		// which the P2P family recognises from the same message.
		c.set(protoJSONRPC)
	case c.srvPort == 10000 && c.cliPort == 10000,
		c.hasPort(443) && len(b) >= 4 && appBE32(b) == 0x17010000:
		// The Cisco VPN client's TCP encapsulation: port 10000 on both
		// sides, or a fixed header on port 443.
		c.set(protoCiscoVPN)
	case whoisQuery(c, b):
		c.set(protoWhoisDAS)
	case fastCGIBegin(b):
		c.set(protoFastCGI)
		return matchedMore // for the host name in the parameters
	default:
		if c.dirPkts() == 1 && c.pkts() < 3 {
			return needMore // the other side may speak first
		}
		return notMine
	}
	return matched
}

// ajpMessage recognises an Apache JServ Protocol packet: magic 0x1234 from
// the web server (forward request, shutdown, ping, CPing) or "AB" from the
// servlet container (body chunk, headers, end, get body chunk, CPong),
// a length and a known type.
func ajpMessage(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	n := int(appBE16(b[2:]))
	if n == 0 || n+4 < len(b) && !(n+6 <= len(b) && b[n+4] == b[0] && b[n+5] == b[1]) {
		return false
	}
	switch {
	case b[0] == 0x12 && b[1] == 0x34:
		return b[4] == 2 || b[4] == 7 || b[4] == 8 || b[4] == 10
	case b[0] == 'A' && b[1] == 'B':
		return b[4] >= 3 && b[4] <= 6 || b[4] == 9
	}
	return false
}

// amqpFrame recognises the AMQP protocol header ("AMQP" and a version) or
// an AMQP 0-9-1 frame: type (method, header, body, heartbeat), channel,
// size, a method's class and method ids, and the frame-end octet.
func amqpFrame(b []byte) bool {
	if len(b) == 8 && string(b[:4]) == "AMQP" {
		return true
	}
	// Only method and content header frames have class ids to check.
	if len(b) <= 11 || b[0] != 1 && b[0] != 2 {
		return false
	}
	n := appBE32(b[3:])
	if n >= 32768 || int(n)+8 <= len(b) && b[n+7] != 0xce {
		return false
	}
	if class := appBE16(b[7:]); class < 10 || class > 110 {
		return false
	}
	if b[0] == 1 {
		return appBE16(b[9:]) <= 120 // method id
	}
	return appBE16(b[9:]) == 0 // a content header's weight
}

// citrixHello recognises the ICA greeting ("\x7f\x7fICA\x00") and CGP
// (Common Gateway Protocol) session start.
func citrixHello(b []byte) bool {
	if len(b) == 6 {
		return string(b) == "\x7f\x7fICA\x00"
	}
	return len(b) > 6 && (bytes.HasPrefix(b, []byte("\x1aCGP/01")) ||
		bytes.Contains(b, []byte("Citrix.TcpProxyService")))
}

// drdaMessage recognises IBM DRDA: a chain of DSS headers (length, 0xD0
// magic, format, correlation id, DDM length, code point) that fills the
// packet exactly.
func drdaMessage(b []byte) bool {
	off := 0
	for off < len(b) {
		if len(b)-off < 10 {
			return false
		}
		n := int(appBE16(b[off:]))
		if n < 10 || b[off+2] != 0xd0 || int(appBE16(b[off+6:])) != n-6 {
			return false
		}
		off += n
	}
	return off == len(b)
}

// jsonRPCMessage recognises a JSON-RPC request or response sent as is.
func jsonRPCMessage(b []byte) bool {
	return len(b) > 16 && b[0] == '{' && bytes.Contains(b, []byte(`"jsonrpc"`))
}

// whoisQuery recognises a WHOIS (or DAS) query: one host name and CRLF to
// port 43 or 4343. The query is the flow's server name.
func whoisQuery(c *ctx, b []byte) bool {
	if !c.hasPort(43) && !c.hasPort(4343) || !endsCRLF(b) || len(b) < 3 || len(b) > 255 {
		return false
	}
	name := b[:len(b)-2]
	for _, ch := range name {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			ch == '.' || ch == '-' || ch == '_') {
			return false
		}
	}
	c.st.ServerName = string(bytes.ToLower(name))
	return true
}

// FastCGI record types.
const (
	fcgiBeginRequest = 1
	fcgiParams       = 4
)

// fastCGIBegin recognises a FastCGI BEGIN_REQUEST record: version 1, type
// 1, an 8-byte body with a known role and zero reserved bytes.
func fastCGIBegin(b []byte) bool {
	if len(b) < 16 || b[0] != 1 || b[1] != fcgiBeginRequest || appBE16(b[4:]) != 8 {
		return false
	}
	role := appBE16(b[8:])
	return role >= 1 && role <= 3 && bytes.Equal(b[11:16], []byte{0, 0, 0, 0, 0})
}

// fastCGIParams looks for the requested host (HTTP_HOST, else
// SERVER_NAME) in the PARAMS records the web server sends after the
// BEGIN_REQUEST.
func fastCGIParams(c *ctx) verdict {
	if !c.fromClient() {
		return matchedMore
	}
	b := c.payload
	if len(b) >= 16 && b[1] == fcgiBeginRequest {
		b = b[16:]
	}
	for len(b) >= 8 && b[0] == 1 {
		n, pad := int(appBE16(b[4:])), int(b[6])
		body := b[8:]
		if n < len(body) {
			body = body[:n]
		}
		if b[1] == fcgiParams {
			if host := fastCGIHost(body); host != "" {
				c.st.ServerName = host
				return matched
			}
		}
		if 8+n+pad > len(b) {
			break
		}
		b = b[8+n+pad:]
	}
	if c.pkts() >= 4 {
		return matched
	}
	return matchedMore
}

// fastCGIHost reads the name-value pairs of a PARAMS body.
func fastCGIHost(b []byte) string {
	readLen := func() (int, bool) {
		if len(b) == 0 {
			return 0, false
		}
		if b[0] < 0x80 {
			n := int(b[0])
			b = b[1:]
			return n, true
		}
		if len(b) < 4 {
			return 0, false
		}
		n := int(appBE32(b) & 0x7fffffff)
		b = b[4:]
		return n, true
	}
	server := ""
	for {
		nl, ok1 := readLen()
		vl, ok2 := readLen()
		if !ok1 || !ok2 || nl+vl > len(b) {
			return server
		}
		name, value := b[:nl], b[nl:nl+vl]
		b = b[nl+vl:]
		switch string(name) {
		case "HTTP_HOST":
			return string(bytes.ToLower(value))
		case "SERVER_NAME":
			server = string(bytes.ToLower(value))
		}
	}
}

// SOCKS scratch layout.
const (
	socksV4Request = 1 << iota
	socksV5Greeting
)

// dissectSOCKS recognises a SOCKS 4/4a CONNECT or BIND request answered by
// a "request granted/rejected" reply, and a SOCKS 5 greeting (version 5,
// the list of authentication methods) answered with the chosen method.
func dissectSOCKS(c *ctx) verdict {
	b := c.payload
	if c.fromClient() {
		if c.dirPkts() > 1 {
			return needMore
		}
		st := uint64(0)
		switch {
		case len(b) >= 9 && b[0] == 4 && (b[1] == 1 || b[1] == 2) && b[len(b)-1] == 0:
			st = socksV4Request
		case len(b) >= 3 && b[0] == 5 && int(b[1]) == len(b)-2 && b[1] > 0 && b[1] <= 10:
			st = socksV5Greeting
		default:
			return notMine
		}
		*c.scratch() = st
		return needMore
	}
	if c.dirPkts() > 1 {
		return notMine
	}
	st := appPeek(c)
	switch {
	case st == socksV4Request && len(b) == 8 && b[0] == 0 && b[1] >= 0x5a && b[1] <= 0x5d,
		st == socksV5Greeting && len(b) == 2 && b[0] == 5 && (b[1] <= 2 || b[1] == 0xff):
		c.set(protoSOCKS)
		return matched
	case st == 0 && c.pkts() == 1:
		return needMore // server packet first: wait for the request
	}
	return notMine
}

// IRC scratch bits.
const (
	ircClient = 1 << iota
	ircServer
	ircUserDone
)

// dissectIRC recognises IRC registration: the client's NICK / USER / PASS /
// CAP commands and the server's prefixed messages (":server NOTICE ...",
// numeric replies). The user name of USER is sent in clear.
func dissectIRC(c *ctx) verdict {
	b := c.payload
	var bit uint64
	if c.fromClient() {
		if ircClientLine(b) {
			bit = ircClient
		}
	} else if ircServerLine(b) {
		bit = ircServer
	}
	if bit == 0 {
		if c.pkts() < 4 && (c.pkts() == 1 || appPeek(c) != 0) {
			return needMore
		}
		return notMine
	}
	st := c.scratch()
	*st |= bit
	if bit == ircClient && *st&ircUserDone == 0 {
		if user := ircUser(b); user != "" {
			*st |= ircUserDone
			c.info().Text = user
			c.risk(RiskClearTextCredentials)
		}
	}
	if *st&(ircClient|ircServer) != ircClient|ircServer {
		return needMore
	}
	c.set(protoIRC)
	return matched
}

// ircClientLine reports whether b starts with an IRC registration command.
func ircClientLine(b []byte) bool {
	line, ok := appLine(b)
	if !ok {
		return false
	}
	for _, cmd := range [...]string{"NICK ", "USER ", "PASS ", "CAP LS", "CAP REQ "} {
		if bytes.HasPrefix(line, []byte(cmd)) && len(line) > len(cmd) {
			return true
		}
	}
	return false
}

// ircServerLine reports whether b starts with a prefixed IRC message whose
// command is NOTICE, PING, CAP or a three-digit numeric reply.
func ircServerLine(b []byte) bool {
	line, ok := appLine(b)
	if !ok || len(line) < 4 || line[0] != ':' {
		return false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 2 {
		return false
	}
	cmd := line[sp+1:]
	if isDigit3(cmd) && len(cmd) > 3 && cmd[3] == ' ' {
		return true
	}
	return bytes.HasPrefix(cmd, []byte("NOTICE ")) || bytes.HasPrefix(cmd, []byte("PING ")) ||
		bytes.HasPrefix(cmd, []byte("CAP "))
}

// ircUser returns the user name of a USER command among the lines of b.
func ircUser(b []byte) string {
	for len(b) > 0 {
		line, _ := appLine(b)
		if bytes.HasPrefix(line, []byte("USER ")) {
			f := line[5:]
			if i := bytes.IndexByte(f, ' '); i > 0 {
				f = f[:i]
			}
			return appText(f, 64)
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		b = b[i+1:]
	}
	return ""
}

// dissectUsenet recognises NNTP: the server's "200"/"201" greeting and a
// reader command from the client.
func dissectUsenet(c *ctx) verdict {
	b := c.payload
	if !c.fromClient() {
		if c.dirPkts() == 1 && (bytes.HasPrefix(b, []byte("200 ")) || bytes.HasPrefix(b, []byte("201 "))) && endsCRLF(b) {
			*c.scratch() = 1
			return needMore
		}
		return notMine
	}
	if c.pkts() == 1 {
		return needMore // the greeting comes first
	}
	if appPeek(c) == 0 || !endsCRLF(b) { // no greeting
		return notMine
	}
	for _, cmd := range [...]string{"MODE READER", "AUTHINFO ", "CAPABILITIES", "GROUP ", "LIST", "ARTICLE",
		"XOVER", "OVER", "NEWNEWS ", "NEWGROUPS ", "HEAD", "BODY", "POST", "STAT", "QUIT"} {
		if hasPrefixFold(b, cmd) {
			c.set(protoUsenet)
			return matched
		}
	}
	return notMine
}
