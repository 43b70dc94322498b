package dpi

import "bytes"

// Syslog messages start with the priority "<PRI>" (RFC 3164 and 5424);
// over TCP they may be preceded by an octet count (RFC 6587). The
// priority alone is too common a prefix, so the header that follows must
// look like a syslog timestamp or version.

const protoSyslog ProtoID = 17 // Syslog

var syslogMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func dissectSyslog(c *ctx) verdict {
	if syslogHeader(c.payload) {
		c.set(protoSyslog)
		return matched
	}
	return notMine
}

// syslogHeader reports whether b starts like a syslog message.
func syslogHeader(b []byte) bool {
	// Octet-counting framing: "NNN <PRI>...".
	if len(b) > 0 && b[0] >= '1' && b[0] <= '9' {
		i := 1
		for i < len(b) && i < 6 && netIsDigit(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != ' ' {
			return false
		}
		b = b[i+1:]
	}
	if len(b) < 20 || b[0] != '<' {
		return false
	}
	pri, i := 0, 1
	for i < len(b) && i <= 3 && netIsDigit(b[i]) {
		pri = pri*10 + int(b[i]-'0')
		i++
	}
	if i == 1 || i >= len(b) || b[i] != '>' || pri > 191 {
		return false
	}
	h := b[i+1:]
	if len(h) > 0 && h[0] == ' ' {
		h = h[1:]
	}
	switch {
	case len(h) >= 4 && h[0] >= '1' && h[0] <= '9' && h[1] == ' ': // RFC 5424 version
		return true
	case len(h) >= 11 && netIsDigit(h[0]) && netIsDigit(h[1]) && netIsDigit(h[2]) && netIsDigit(h[3]) &&
		h[4] == '-' && netIsDigit(h[5]) && netIsDigit(h[6]) && h[7] == '-' && netIsDigit(h[8]) && netIsDigit(h[9]):
		return true // ISO 8601 timestamp
	case bytes.HasPrefix(h, []byte("last message")), bytes.HasPrefix(h, []byte("snort: ")):
		return true
	}
	if len(h) >= 4 && h[3] == ' ' {
		for _, m := range syslogMonths {
			if string(h[:3]) == m {
				return true
			}
		}
	}
	return false
}

func netIsDigit(c byte) bool { return c >= '0' && c <= '9' }
