package dpi

import (
	"bytes"
	"testing"
)

func TestFTPControl(t *testing.T) {
	a := newAppConv(t, 6, 50694, 21)
	a.s2c([]byte("220 (vsFTPd 3.0.3)\r\n"))
	a.c2s([]byte("USER anonymous\r\n"))
	a.wantDPI("")
	a.s2c([]byte("331 Please specify the password.\r\n"))
	a.wantDPI("FTP_CONTROL")
	a.wantRisk(RiskUnsafeProtocol)
	a.wantRisk(RiskClearTextCredentials)
	a.c2s([]byte("PASS NcFTP@\r\n"))
	if !a.st.Done {
		t.Error("still following after the password")
	}
	if a.st.Info == nil || a.st.Info.Text != "anonymous" {
		t.Errorf("user %+v", a.st.Info)
	}

	// AUTH TLS first: no credentials in clear.
	b := newAppConv(t, 6, 50000, 21)
	b.s2c([]byte("220 ready\r\n")).c2s([]byte("AUTH TLS\r\n")).s2c([]byte("234 Proceed with negotiation.\r\n"))
	b.wantDPI("FTP_CONTROL")
	if b.st.Risks.Has(RiskClearTextCredentials) {
		t.Error("credentials flagged after AUTH TLS")
	}

	// Near misses: SMTP's EHLO, a reply that is not numeric.
	c := newAppConv(t, 6, 50000, 2121)
	c.s2c([]byte("220 mail ESMTP\r\n")).c2s([]byte("EHLO x\r\n")).s2c([]byte("250 ok\r\n"))
	if got := c.dpiLabel(); got == "FTP_CONTROL" {
		t.Error("SMTP labelled FTP")
	}
	d := newAppConv(t, 6, 50000, 21)
	d.c2s([]byte("USER x\r\n")).s2c([]byte("OK\r\n"))
	d.wantDPI("")
}

func TestFTPData(t *testing.T) {
	listing := []byte("-rw-r--r--    1 0        0        1073741824000 Feb 19  2016 1000GB.zip\r\n")
	a := newAppConv(t, 6, 50695, 25685)
	a.s2c(listing)
	a.wantDPI("FTP_DATA")

	// Near misses: a file head (the dissector cannot tell it saw the
	// connection open), a listing-like line that is not one, a listing
	// after the first packet.
	pdf := appCat([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0x20}, 300))
	c := newAppConv(t, 6, 50696, 24523)
	c.s2c(pdf)
	c.wantDPI("")
	d := newAppConv(t, 6, 50696, 24523)
	d.s2c([]byte("-rw-r--r-X    1 0 0 1 Feb 19  2016 x\r\n"))
	d.wantDPI("")
	e := newAppConv(t, 6, 50696, 24523)
	e.s2c(bytes.Repeat([]byte{0x42}, 300)).s2c(listing)
	e.wantDPI("")
	// Port 20: active-mode data.
	f := newAppConv(t, 6, 20, 50000)
	f.c2s(bytes.Repeat([]byte{0x42}, 30))
	f.wantDPI("FTP_DATA")
}
