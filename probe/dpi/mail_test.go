package dpi

import "testing"

// mailClientHello is a minimal TLS ClientHello (no extensions), as sent
// after STARTTLS.
var mailClientHello = appCat(
	[]byte{0x16, 0x03, 0x01, 0x00, 0x2d}, // TLS record: handshake, length 45
	[]byte{0x01, 0x00, 0x00, 0x29},       // ClientHello, length 41
	[]byte{0x03, 0x03}, make([]byte, 32), // version, random
	[]byte{0x00},                   // session id
	[]byte{0x00, 0x02, 0xc0, 0x2f}, // one cipher suite
	[]byte{0x01, 0x00},             // null compression
)

func TestSMTP(t *testing.T) {
	a := newAppConv(t, 6, 57406, 25)
	a.s2c([]byte("220 mx.example.com ESMTP ready\r\n"))
	a.c2s([]byte("EHLO client.example.org\r\n"))
	a.wantDPI("")
	a.s2c([]byte("250-mx.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n"))
	a.wantDPI("SMTP")
	// AUTH LOGIN in clear: the user name is the next (base64) line.
	a.c2s([]byte("AUTH LOGIN\r\n"))
	a.s2c([]byte("334 VXNlcm5hbWU6\r\n"))
	a.c2s([]byte("am9obg==\r\n")) // "john"
	a.wantRisk(RiskClearTextCredentials)
	if a.st.Info == nil || a.st.Info.Text != "john" {
		t.Errorf("user %+v", a.st.Info)
	}

	// STARTTLS accepted: SMTPS, and the handshake is read by TLS.
	b := newAppConv(t, 6, 7562, 25)
	b.s2c([]byte("220 dovecot ESMTP\r\n")).c2s([]byte("EHLO x\r\n")).s2c([]byte("250-dovecot\r\n250 STARTTLS\r\n"))
	b.c2s([]byte("STARTTLS\r\n")).s2c([]byte("220 2.0.0 Ready to start TLS\r\n"))
	b.wantDPI("SMTPS")
	b.c2s(mailClientHello)
	b.wantDPI("SMTPS")
	if b.st.Info.TLS.ClientVersion == 0 {
		t.Error("the ClientHello after STARTTLS was not read")
	}

	// Near misses: an FTP session (same 220 greeting), a text banner.
	c := newAppConv(t, 6, 50694, 2121)
	c.s2c([]byte("220 (vsFTPd 3.0.3)\r\n")).c2s([]byte("USER anonymous\r\n")).s2c([]byte("331 Please specify the password.\r\n"))
	if got := c.dpiLabel(); got == "SMTP" {
		t.Error("FTP labelled SMTP")
	}
	d := newAppConv(t, 6, 40000, 25)
	d.s2c([]byte("Welcome\r\n")).c2s([]byte("EHLO x\r\n")).s2c([]byte("250 ok\r\n"))
	d.wantDPI("")
}

func TestPOP3(t *testing.T) {
	a := newAppConv(t, 6, 50583, 110)
	a.s2c([]byte("+OK lavad\r\n"))
	a.c2s([]byte("AUTH\r\n"))
	a.wantDPI("")
	a.s2c([]byte("-ERR Unrecognized command.\r\n"))
	a.wantDPI("POP3")
	a.wantRisk(RiskUnsafeProtocol)
	a.c2s([]byte("STLS\r\n")).s2c([]byte("+OK Ready to start TLS negotiation.\r\n"))
	a.wantDPI("POPS")

	b := newAppConv(t, 6, 50000, 110)
	b.s2c([]byte("+OK ready\r\n")).c2s([]byte("USER alice\r\n")).s2c([]byte("+OK\r\n"))
	b.wantDPI("POP3")
	b.c2s([]byte("PASS secret\r\n"))
	b.wantRisk(RiskClearTextCredentials)
	if b.st.Info == nil || b.st.Info.Text != "alice" {
		t.Errorf("user %+v", b.st.Info)
	}

	// Near miss: replies but no commands (a Redis-like exchange).
	c := newAppConv(t, 6, 50000, 110)
	c.s2c([]byte("+OK\r\n")).c2s([]byte("*1\r\n$4\r\nPING\r\n")).s2c([]byte("+PONG\r\n"))
	if got := c.dpiLabel(); got == "POP3" {
		t.Error("labelled POP3")
	}
}

func TestIMAP(t *testing.T) {
	a := newAppConv(t, 6, 50000, 143)
	a.s2c([]byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n"))
	a.c2s([]byte("a001 CAPABILITY\r\n"))
	a.wantDPI("")
	a.s2c([]byte("* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK Capability completed.\r\n"))
	a.wantDPI("IMAP")
	a.c2s([]byte("a002 LOGIN bob \"pw\"\r\n"))
	a.wantRisk(RiskClearTextCredentials)
	if a.st.Info == nil || a.st.Info.Text != "bob" {
		t.Errorf("user %+v", a.st.Info)
	}

	b := newAppConv(t, 6, 50000, 143)
	b.s2c([]byte("* OK ready\r\n")).c2s([]byte("1 STARTTLS\r\n")).s2c([]byte("1 OK Begin TLS negotiation now.\r\n"))
	b.wantDPI("IMAP")
	b.c2s([]byte("2 NOOP\r\n")) // (in a real session, the ClientHello)
	b.wantDPI("IMAP")
	c := newAppConv(t, 6, 50000, 143)
	c.s2c([]byte("* OK ready\r\n")).c2s([]byte("1 CAPABILITY\r\n")).s2c([]byte("1 OK done\r\n"))
	c.c2s([]byte("2 STARTTLS\r\n")).s2c([]byte("2 OK go\r\n"))
	c.wantDPI("IMAPS")

	// Near miss: untagged lines only, no client command.
	d := newAppConv(t, 6, 50000, 143)
	d.s2c([]byte("* OK ready\r\n")).c2s([]byte("hello there\r\n")).s2c([]byte("* BYE\r\n"))
	d.wantDPI("")
}
