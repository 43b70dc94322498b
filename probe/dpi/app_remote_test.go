package dpi

import (
	"bytes"
	"testing"
)

// rdpConnectionRequest is an X.224 Connection Request with the routing
// cookie and an RDP Negotiation Request asking for TLS (47 bytes).
var rdpConnectionRequest = appCat(
	[]byte{0x03, 0x00, 0x00, 0x2f},           // TPKT: version 3, reserved, length 47
	[]byte{0x2a, 0xe0},                       // X.224: length indicator 42, CR
	[]byte{0x00, 0x00, 0x00, 0x00, 0x00},     // dst-ref, src-ref, class
	[]byte("Cookie: mstshash=WDeployAd\r\n"), // routing cookie
	[]byte{0x01, 0x00, 0x08, 0x00},           // RDP_NEG_REQ: type 1, flags, length 8
	[]byte{0x03, 0x00, 0x00, 0x00},           // requestedProtocols: TLS | HYBRID
)

// rdpConnectionConfirm is an X.224 Connection Confirm with the RDP
// Negotiation Response (19 bytes).
var rdpConnectionConfirm = appCat(
	[]byte{0x03, 0x00, 0x00, 0x13},       // TPKT, length 19
	[]byte{0x0e, 0xd0},                   // X.224: length indicator 14, CC
	[]byte{0x00, 0x00, 0x12, 0x34, 0x00}, // dst-ref, src-ref, class
	[]byte{0x02, 0x1f, 0x08, 0x00},       // RDP_NEG_RSP: type 2, flags, length 8
	[]byte{0x02, 0x00, 0x00, 0x00},       // selectedProtocol: HYBRID
)

func TestRDPTCP(t *testing.T) {
	a := newAppConv(t, 6, 35888, 3389)
	a.c2s(rdpConnectionRequest)
	a.wantDPI("RDP")
	a.wantRisk(RiskDesktopOrFileSharing)
	// TLS was requested: the ClientHello that follows makes it TLS.RDP.
	a.s2c(rdpConnectionConfirm)
	a.c2s(appCat(
		[]byte{0x16, 0x03, 0x01, 0x00, 0x2d}, // TLS record: handshake, length 45
		[]byte{0x01, 0x00, 0x00, 0x29},       // ClientHello, length 41
		[]byte{0x03, 0x03}, make([]byte, 32), // version, random
		[]byte{0x00},                   // session id
		[]byte{0x00, 0x02, 0xc0, 0x2f}, // one cipher suite
		[]byte{0x01, 0x00},             // null compression
	))
	a.wantDPI("TLS.RDP")

	// Asymmetric capture: only the server's Connection Confirm.
	b := newAppConv(t, 6, 40000, 3389)
	b.s2c(rdpConnectionConfirm)
	b.wantDPI("RDP")

	// Near misses: a TPKT length that does not match, a COTP Data TPDU.
	bad := append([]byte(nil), rdpConnectionRequest...)
	bad[3] = 0x30
	c := newAppConv(t, 6, 40000, 3389)
	c.c2s(bad)
	c.wantDPI("")
	data := append([]byte(nil), rdpConnectionRequest...)
	data[5] = 0xf0
	d := newAppConv(t, 6, 40000, 3389)
	d.c2s(data)
	d.wantDPI("")
}

func TestRDPUDP(t *testing.T) {
	// MS-RDPEUDP SYN: snSourceAck -1, receive window, flags SYN, then
	// snInitialSequenceNumber and the MTU sizes; the SYN+ACK starts with
	// the client's initial sequence number.
	syn := appCat(
		[]byte{0xff, 0xff, 0xff, 0xff}, // snSourceAck
		[]byte{0x00, 0x40},             // uReceiveWindowSize
		[]byte{0x18, 0x01},             // uFlags: SYN | ...
		[]byte{0xbb, 0xff, 0x56, 0x87}, // snInitialSequenceNumber
		[]byte{0x04, 0xd0, 0x04, 0xd0}, // upstream / downstream MTU 1232
		make([]byte, 16),
	)
	synAck := appCat(
		[]byte{0xbb, 0xff, 0x56, 0x87}, // snSourceAck: the client's sequence number
		[]byte{0x00, 0x40},
		[]byte{0x10, 0x05}, // uFlags: SYN | ACK | ...
		[]byte{0x4d, 0x67, 0x79, 0x66},
		[]byte{0x04, 0xd0, 0x04, 0xd0},
		make([]byte, 16),
	)
	a := newAppConv(t, 17, 54759, 3389)
	a.c2s(syn)
	a.wantDPI("")
	a.s2c(synAck)
	a.wantDPI("RDP")

	// Mid-flow: two packets per direction with a constant prefix.
	c2s := []byte{0x10, 0x97, 0x60, 0x33, 0x04, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00}
	s2c := []byte{0xe6, 0x5f, 0x84, 0x6d, 0x00, 0xc8, 0x00, 0x0c, 0x00, 0x01, 0x01, 0x00}
	b := newAppConv(t, 17, 51652, 3389)
	b.c2s(c2s).s2c(s2c).c2s(c2s).wantDPI("")
	b.s2c(s2c).wantDPI("RDP")

	// Near miss: the second client packet changes prefix.
	c := newAppConv(t, 17, 51652, 3389)
	c.c2s(c2s).s2c(s2c).c2s(bytes.Repeat([]byte{0x42}, 12)).s2c(s2c)
	c.wantDPI("")
	// Not on port 3389.
	d := newAppConv(t, 17, 51652, 3390)
	d.c2s(syn).s2c(synAck)
	d.wantDPI("")
}

func TestVNC(t *testing.T) {
	a := newAppConv(t, 6, 40000, 5901)
	a.s2c([]byte("RFB 003.008\n")) // server ProtocolVersion
	a.wantDPI("")
	a.c2s([]byte("RFB 003.008\n")) // client ProtocolVersion
	a.wantDPI("VNC")
	a.wantRisk(RiskDesktopOrFileSharing)

	// Near miss: the same side twice, a wrong length.
	b := newAppConv(t, 6, 40000, 5901)
	b.s2c([]byte("RFB 003.008\n")).s2c([]byte("RFB 003.008\n")).c2s([]byte("RFB 003.008\n"))
	b.wantDPI("")
	c := newAppConv(t, 6, 40000, 5901)
	c.s2c([]byte("RFB 003.008\n\n")).c2s([]byte("RFB 003.008\n"))
	c.wantDPI("")
}

func TestTelnet(t *testing.T) {
	a := newAppConv(t, 6, 1550, 23)
	a.c2s([]byte{0xff, 0xfd, 0x03, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x1f}) // DO SGA, WILL TTYPE, WILL NAWS
	a.s2c([]byte{0xff, 0xfd, 0x25})                                     // DO AUTHENTICATION
	a.wantDPI("")
	a.c2s([]byte{0xff, 0xfc, 0x25}) // WONT AUTHENTICATION
	a.wantDPI("Telnet")
	a.wantRisk(RiskUnsafeProtocol)
	// The login name is typed one character per packet after the prompt.
	a.s2c([]byte("\r\nOpenBSD/i386 (oof) (ttyp2)\r\n\r\nlogin: "))
	for _, ch := range "fake\r" {
		a.c2s([]byte{byte(ch)})
	}
	if a.st.Info == nil || a.st.Info.Text != "fake" {
		t.Errorf("login name %+v", a.st.Info)
	}
	if !a.st.Done {
		t.Error("still following after the login name")
	}

	// Near misses: IAC with an invalid command, text.
	b := newAppConv(t, 6, 1550, 23)
	b.c2s([]byte{0xff, 0xfd, 0x03, 0xff, 0x10, 0x01})
	b.wantDPI("")
	c := newAppConv(t, 6, 1550, 23)
	c.s2c([]byte("login: ")).c2s([]byte{0xff, 0xfd, 0x03}).s2c([]byte{0xff, 0xfd, 0x03}).c2s([]byte{0xff, 0xfd, 0x03})
	c.wantDPI("")
}

func TestTeamViewer(t *testing.T) {
	// TCP on 5938: the 0x17 0x24 framing is enough.
	a := newAppConv(t, 6, 35732, 5938)
	a.c2s([]byte{0x17, 0x24, 0x0a, 0x20, 0x00, 0x00, 0x00, 0x00})
	a.wantDPI("TeamViewer")
	a.wantRisk(RiskDesktopOrFileSharing)

	// UDP elsewhere: four datagrams with the marker at offset 11.
	dgram := appCat(make([]byte, 10), []byte{0x03, 0x17, 0x24, 0x47, 0x50, 0x00, 0x05})
	b := newAppConv(t, 17, 34417, 36037)
	b.c2s(dgram).s2c(dgram).s2c(dgram)
	b.wantDPI("")
	b.s2c(dgram)
	b.wantDPI("TeamViewer")

	// Near miss: a non-zero counter byte.
	c := newAppConv(t, 17, 34417, 36037)
	bad := append([]byte{1}, dgram[1:]...)
	c.c2s(bad).c2s(bad).c2s(bad).c2s(bad)
	c.wantDPI("")
}
