package dpi

import (
	"bytes"
	"encoding/base64"
	"math/bits"
)

// Mail: SMTP, POP3 and IMAP, recognised from the replies and commands of
// the first exchanges. After the classification each dissector keeps
// following the flow: a successful STARTTLS (STLS for POP3) makes it SMTPS,
// POPS or IMAPS (with the service of the server's address, as nDPI labels
// the TLS session that follows), and credentials sent in clear are flagged.

// Scratch layout shared by the mail dissectors: a bitmask of the distinct
// commands and replies seen, a reply counter and follow-up flags.
const (
	mailBitsMask   = 1<<24 - 1
	mailCountShift = 24 // 4 bits
	mailStartTLS   = 1 << 28
	mailAuthLogin  = 1 << 29 // SMTP AUTH LOGIN: the next line is the user name
	mailUserDone   = 1 << 30
	mailInTLS      = 1 << 31 // STARTTLS accepted: the rest is TLS
	mailMaxPackets = 12
	mailCountMask  = 15
)

// mailLines calls f for each complete line of b (without its CRLF).
func mailLines(b []byte, f func(line []byte)) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return
		}
		line := b[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		f(line)
		b = b[i+1:]
	}
}

// mailWord returns the index in words of the command line starts with (a
// word followed by a space or the end of the line), or -1.
func mailWord(line []byte, words []string) int {
	for i, w := range words {
		if hasPrefixFold(line, w) && (len(line) == len(w) || line[len(w)] == ' ') {
			return i
		}
	}
	return -1
}

// mailPopcount counts the distinct commands and replies seen.
func mailPopcount(v uint64) int { return bits.OnesCount64(v & mailBitsMask) }

// mailUpgrade labels a flow whose server accepted STARTTLS; the TLS
// handshake that follows is then read by the TLS dissector's code
// (mailInTLS), which names the service from the server name.
func mailUpgrade(c *ctx, st *uint64, tlsProto ProtoID) verdict {
	*st |= mailInTLS
	c.setByNameOrAddr(tlsProto, "")
	return matchedMore
}

// SMTP commands (client) and replies (server); their indexes are bits of
// the scratch mask.
var smtpCommands = []string{"HELO", "EHLO", "MAIL", "RCPT", "AUTH", "STARTTLS", "DATA", "NOOP", "QUIT", "RSET", "VRFY", "EXPN", "BDAT"}

var smtpReplies = [...]string{"220", "250", "235", "334", "354", "221", "530", "535"}

const smtpCmdStartTLS = 5

// dissectSMTP recognises SMTP from three distinct commands or replies
// (usually the 220 greeting, EHLO and the 250 answer).
func dissectSMTP(c *ctx) verdict {
	b := c.payload
	follow := c.st.follow != 0
	if follow && appPeek(c)&mailInTLS != 0 {
		return tlsFollow(c, protoSMTPS, ProtoUnknown)
	}
	seen, ok := smtpScan(c.fromClient(), b)
	if !follow && (!ok || seen == 0) {
		// Lines of a message, a split line: wait a little once the
		// protocol showed up.
		if ok && c.pkts() < mailMaxPackets && appPeek(c)&mailBitsMask != 0 {
			return needMore
		}
		return notMine
	}
	st := c.scratch()
	*st |= seen
	if c.fromClient() {
		smtpCredentials(c, st, b)
		if seen&(1<<smtpCmdStartTLS) != 0 {
			*st |= mailStartTLS
		}
	} else if follow && *st&mailStartTLS != 0 && bytes.HasPrefix(b, []byte("220")) {
		return mailUpgrade(c, st, protoSMTPS)
	}
	if follow {
		return matchedMore
	}
	if mailPopcount(*st) < 3 {
		if c.pkts() >= mailMaxPackets {
			return notMine
		}
		return needMore
	}
	c.set(protoSMTP)
	return matchedMore
}

// smtpScan returns the SMTP commands (client) or replies (server) among the
// complete lines of b; ok is false when a line cannot be SMTP.
func smtpScan(client bool, b []byte) (seen uint64, ok bool) {
	ok = true
	mailLines(b, func(line []byte) {
		if client {
			if i := mailWord(line, smtpCommands); i >= 0 {
				seen |= 1 << i
			} else if hasPrefixFold(line, "USER ") || hasPrefixFold(line, "PASS ") {
				ok = false // FTP or POP3
			}
			return
		}
		if !isDigit3(line) || len(line) > 3 && line[3] != ' ' && line[3] != '-' {
			ok = false
			return
		}
		for i, r := range smtpReplies {
			if string(line[:3]) == r {
				seen |= 1 << (len(smtpCommands) + i)
			}
		}
	})
	return seen, ok
}

// smtpCredentials flags AUTH PLAIN / AUTH LOGIN sent before STARTTLS and
// records the user name.
func smtpCredentials(c *ctx, st *uint64, b []byte) {
	mailLines(b, func(line []byte) {
		switch {
		case *st&mailAuthLogin != 0:
			*st &^= mailAuthLogin
			if user := mailBase64(line); user != "" && *st&mailUserDone == 0 {
				*st |= mailUserDone
				c.info().Text = user
			}
		case hasPrefixFold(line, "AUTH LOGIN"):
			c.risk(RiskClearTextCredentials)
			if f := bytes.Fields(line); len(f) >= 3 {
				if user := mailBase64(f[2]); user != "" {
					*st |= mailUserDone
					c.info().Text = user
				}
			} else {
				*st |= mailAuthLogin
			}
		case hasPrefixFold(line, "AUTH PLAIN"):
			c.risk(RiskClearTextCredentials)
		}
	})
}

// mailBase64 decodes a short base64 token into printable text ("" if it is
// not one).
func mailBase64(tok []byte) string {
	if len(tok) == 0 || len(tok) > 128 {
		return ""
	}
	var buf [96]byte
	n, err := base64.StdEncoding.Decode(buf[:], tok)
	if err != nil || n == 0 {
		return ""
	}
	return appText(buf[:n], 64)
}

// POP3 commands; their indexes are bits of the scratch mask.
var pop3Commands = []string{"AUTH", "APOP", "USER", "PASS", "CAPA", "LIST", "STAT", "UIDL", "RETR", "DELE", "STLS", "TOP", "QUIT", "NOOP", "RSET"}

const (
	pop3CmdUser = 2
	pop3CmdPass = 3
	pop3CmdSTLS = 10
)

// dissectPOP3 recognises POP3 as nDPI does: the +OK / -ERR replies and the
// distinct commands add up to three, with at least one reply.
func dissectPOP3(c *ctx) verdict {
	b := c.payload
	follow := c.st.follow != 0
	if follow && appPeek(c)&mailInTLS != 0 {
		return tlsFollow(c, protoPOPS, ProtoUnknown)
	}
	reply := len(b) > 3 && b[0] == '+' && hasPrefixFold(b[1:], "OK") ||
		len(b) > 4 && b[0] == '-' && hasPrefixFold(b[1:], "ERR")
	var seen uint64
	if !reply {
		mailLines(b, func(line []byte) {
			if i := mailWord(line, pop3Commands); i >= 0 {
				seen |= 1 << i
			}
		})
	}
	if !follow && !reply && seen == 0 {
		if c.pkts() < mailMaxPackets && appPeek(c)&mailBitsMask != 0 {
			return needMore // maybe a split line
		}
		return notMine
	}
	st := c.scratch()
	*st |= seen
	if reply && *st>>mailCountShift&mailCountMask < mailCountMask {
		*st += 1 << mailCountShift
	}
	if seen&(1<<pop3CmdUser) != 0 && *st&mailUserDone == 0 {
		mailLines(b, func(line []byte) {
			if mailWord(line, pop3Commands) == pop3CmdUser && len(line) > 5 {
				*st |= mailUserDone
				// Before the classification, leave the text to a
				// protocol that claimed it (FTP and IRC send USER too).
				if in := c.info(); in.Text == "" || follow {
					in.Text = appText(bytes.TrimSpace(line[5:]), 64)
				}
			}
		})
	}
	if seen&(1<<pop3CmdPass|1<<pop3CmdUser) != 0 {
		c.risk(RiskClearTextCredentials)
	}
	if seen&(1<<pop3CmdSTLS) != 0 {
		*st |= mailStartTLS
	}
	if !follow {
		replies := int(*st >> mailCountShift & mailCountMask)
		if !endsCRLF(b) || replies == 0 || replies+mailPopcount(*st) < 3 {
			if c.pkts() >= mailMaxPackets {
				return notMine
			}
			return needMore
		}
		c.set(protoPOP3)
		return matchedMore
	}
	if reply && !c.fromClient() && b[0] == '+' && *st&mailStartTLS != 0 {
		return mailUpgrade(c, st, protoPOPS)
	}
	return matchedMore
}

// IMAP commands a client sends after its tag; their indexes are seen of
// the scratch mask (the upper seen count server lines).
var imapCommands = []string{"CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS", "SELECT", "EXAMINE", "LIST", "LSUB",
	"STATUS", "FETCH", "UID", "NOOP", "LOGOUT", "ID", "IDLE", "NAMESPACE", "ENABLE", "SEARCH", "CREATE", "APPEND"}

const (
	imapCmdLogin    = 1
	imapCmdStartTLS = 3
	imapGreeting    = 1 << 22 // the server's untagged greeting
	imapServerLine  = 1 << 23
)

// dissectIMAP recognises IMAP from the server's untagged greeting ("* OK"),
// its tagged responses ("a1 OK") and the client's tagged commands ("a1
// LOGIN"): the greeting and three lines in all, one of them the client's.
func dissectIMAP(c *ctx) verdict {
	b := c.payload
	follow := c.st.follow != 0
	if follow && appPeek(c)&mailInTLS != 0 {
		return tlsFollow(c, protoIMAPS, ProtoUnknown)
	}
	var seen uint64
	tagOK := false
	if c.fromClient() {
		mailLines(b, func(line []byte) {
			if _, rest, ok := imapTag(line); ok {
				if i := mailWord(rest, imapCommands); i >= 0 {
					seen |= 1 << i
				}
			}
		})
	} else {
		mailLines(b, func(line []byte) {
			tag, rest, ok := imapTag(line)
			if !ok {
				return
			}
			untagged := string(tag) == "*"
			switch {
			case untagged && (hasPrefixFold(rest, "OK") || hasPrefixFold(rest, "PREAUTH") || hasPrefixFold(rest, "BYE")):
				seen |= imapServerLine | imapGreeting
			case untagged && (hasPrefixFold(rest, "CAPABILITY") || hasPrefixFold(rest, "FLAGS")):
				seen |= imapServerLine
			case !untagged && (hasPrefixFold(rest, "OK") || hasPrefixFold(rest, "NO ") || hasPrefixFold(rest, "BAD ")):
				seen |= imapServerLine
				tagOK = tagOK || hasPrefixFold(rest, "OK")
			}
		})
	}
	if !follow && seen == 0 {
		if c.pkts() > 1 && c.pkts() < mailMaxPackets && appPeek(c)&mailBitsMask != 0 {
			return needMore // a literal, data lines
		}
		return notMine
	}
	st := c.scratch()
	if seen&imapServerLine != 0 && *st>>mailCountShift&mailCountMask < mailCountMask {
		*st += 1 << mailCountShift
	}
	*st |= seen
	if seen&(1<<imapCmdLogin) != 0 {
		c.risk(RiskClearTextCredentials)
		if *st&mailUserDone == 0 {
			mailLines(b, func(line []byte) {
				if _, rest, ok := imapTag(line); ok && mailWord(rest, imapCommands) == imapCmdLogin {
					if f := bytes.Fields(rest); len(f) >= 2 {
						*st |= mailUserDone
						c.info().Text = appText(bytes.Trim(f[1], `"`), 64)
					}
				}
			})
		}
	}
	if seen&(1<<imapCmdStartTLS) != 0 {
		*st |= mailStartTLS
	}
	if !follow {
		server := int(*st >> mailCountShift & mailCountMask)
		clientCmds := mailPopcount(*st &^ (imapServerLine | imapGreeting))
		if *st&imapGreeting == 0 || clientCmds == 0 || server+clientCmds < 3 {
			if c.pkts() >= mailMaxPackets {
				return notMine
			}
			return needMore
		}
		c.set(protoIMAP)
		return matchedMore
	}
	if tagOK && *st&mailStartTLS != 0 {
		return mailUpgrade(c, st, protoIMAPS)
	}
	return matchedMore
}

// imapTag splits an IMAP line into its tag ("*", "+" or an atom) and the
// rest.
func imapTag(line []byte) (tag, rest []byte, ok bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || sp > 16 || sp+1 >= len(line) {
		return nil, nil, false
	}
	tag = line[:sp]
	if !(len(tag) == 1 && (tag[0] == '*' || tag[0] == '+')) {
		for _, ch := range tag {
			if ch <= ' ' || ch > '~' || ch == '(' || ch == ')' || ch == '{' || ch == '%' || ch == '*' || ch == '"' || ch == '\\' {
				return nil, nil, false
			}
		}
	}
	return tag, line[sp+1:], true
}
