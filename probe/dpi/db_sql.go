package dpi

// SQL databases: MySQL / MariaDB (server greeting) and PostgreSQL
// (startup, SSL and GSS encryption requests).

// dissectMySQL recognises the server's initial handshake packet: a 3-byte
// length, sequence number 0, protocol version 10, a NUL-terminated server
// version ("8.0.36", "10.11.6-MariaDB"), then the connection id, the first
// part of the scramble, a zero filler and, further on, ten reserved zero
// bytes.
func dissectMySQL(c *ctx) verdict {
	b := c.payload
	if len(b) <= 38 || int(b[0])|int(b[1])<<8|int(b[2])<<16 != len(b)-4 || b[3] != 0 || b[4] != 10 ||
		b[5] < '1' || b[5] > '9' {
		return notMine
	}
	a := 6
	for a < len(b) && b[a] != 0 {
		ch := b[a]
		if ch < 0x20 || ch > 0x7e {
			return notMine
		}
		a++
	}
	// NUL, connection id (4), scramble (8), filler (1), capabilities (2),
	// character set (1), status (2), capabilities (2), scramble length (1),
	// reserved (10).
	if a+31 >= len(b) || b[a+13] != 0 {
		return notMine
	}
	for _, r := range b[a+22 : a+32] {
		if r != 0 {
			return notMine
		}
	}
	c.set(protoMySQL)
	return matched
}

// PostgreSQL request codes sent in place of a protocol version.
const (
	pgSSLRequest    = 80877103
	pgGSSENCRequest = 80877104
	pgProtocol3     = 0x00030000
)

// PostgreSQL scratch values: what the client sent first.
const (
	pgSentEncRequest = 1
	pgSentStartup    = 2
)

// dissectPostgres recognises a client's first message (SSLRequest,
// GSSENCRequest or a protocol 3.0 StartupMessage: length and code) and the
// server's answer: 'S'/'N' (or 'G') to an encryption request, an
// authentication request ('R') or an error ('E') to a startup message.
func dissectPostgres(c *ctx) verdict {
	b := c.payload
	if c.fromClient() {
		if c.dirPkts() > 1 {
			return needMore
		}
		if len(b) < 8 || int(appBE32(b)) != len(b) {
			return notMine
		}
		switch code := appBE32(b[4:]); {
		case len(b) == 8 && (code == pgSSLRequest || code == pgGSSENCRequest):
			*c.scratch() = pgSentEncRequest
		case code == pgProtocol3 && len(b) > 8 && b[len(b)-1] == 0:
			*c.scratch() = pgSentStartup
		default:
			return notMine
		}
		return needMore
	}
	sent := appPeek(c)
	switch {
	case sent == pgSentEncRequest:
		if len(b) != 1 || b[0] != 'S' && b[0] != 'N' && b[0] != 'G' {
			return notMine
		}
	case sent == pgSentStartup:
		// Message type, length (including itself), and for 'R' the
		// authentication request type.
		if len(b) < 9 || b[0] != 'R' && b[0] != 'E' || int(appBE32(b[1:])) < 8 || int(appBE32(b[1:])) > len(b)-1 && b[0] == 'R' {
			return notMine
		}
	default: // the server spoke first
		return notMine
	}
	c.set(protoPostgreSQL)
	return matched
}
