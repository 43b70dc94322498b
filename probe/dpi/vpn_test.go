package dpi

import (
	"bytes"
	"testing"
)

var (
	ovpnClientSID = []byte{0x07, 0x49, 0x81, 0xbd, 0x79, 0x7a, 0x55, 0x8d}
	ovpnServerSID = []byte{0x66, 0xf9, 0x47, 0x09, 0x18, 0x8d, 0xae, 0x2b}
	ovpnHMAC      = bytes.Repeat([]byte{0xa5}, 20) // tls-auth HMAC-SHA1
)

// ovpnClientReset is a P_CONTROL_HARD_RESET_CLIENT_V2 with tls-auth.
var ovpnClientReset = appCat(
	[]byte{7 << 3},                 // opcode 7, key id 0
	ovpnClientSID,                  // session id
	ovpnHMAC,                       // HMAC
	[]byte{0x00, 0x00, 0x00, 0x01}, // replay packet id
	[]byte{0x57, 0x7e, 0x73, 0xb3}, // timestamp
	[]byte{0x00},                   // ack array length
	[]byte{0x00, 0x00, 0x00, 0x00}, // message packet id
)

// ovpnServerReset is the P_CONTROL_HARD_RESET_SERVER_V2 acknowledging it.
var ovpnServerReset = appCat(
	[]byte{8 << 3},
	ovpnServerSID,
	ovpnHMAC,
	[]byte{0x00, 0x00, 0x00, 0x01},
	[]byte{0x57, 0x7e, 0x73, 0x7d},
	[]byte{0x01},                   // ack array length 1
	[]byte{0x00, 0x00, 0x00, 0x00}, // acked packet id
	ovpnClientSID,                  // remote session id
	[]byte{0x00, 0x00, 0x00, 0x00},
)

func TestOpenVPNResets(t *testing.T) {
	a := newAppConv(t, 17, 41507, 1194)
	a.c2s(ovpnClientReset).wantDPI("")
	a.s2c(ovpnServerReset).wantDPI("OpenVPN")

	// Over TCP each packet carries a 2-byte length.
	tcp := func(p []byte) []byte { return appCat([]byte{byte(len(p) >> 8), byte(len(p))}, p) }
	b := newAppConv(t, 6, 60140, 443)
	b.c2s(tcp(ovpnClientReset)).s2c(tcp(ovpnServerReset))
	b.wantDPI("OpenVPN")

	// Near misses: the server acknowledges another session, twice from
	// different session ids; the TCP length is wrong.
	other := append([]byte(nil), ovpnServerReset...)
	copy(other[len(other)-12:], []byte{1, 2, 3, 4, 5, 6, 7, 8})
	c := newAppConv(t, 17, 41507, 1194)
	c.c2s(ovpnClientReset).s2c(other).wantDPI("")
	d := newAppConv(t, 6, 60140, 443)
	d.c2s(appCat([]byte{0, 10}, ovpnClientReset))
	d.wantDPI("")
}

func TestOpenVPNSessionIDs(t *testing.T) {
	// tls-crypt: everything after the packet id is encrypted, so only the
	// stable session ids of both sides tell.
	pkt := func(op byte, sid []byte, fill byte) []byte {
		return appCat([]byte{op << 3}, sid, []byte{0, 0, 0, 1, 0x62, 0x5a, 0x9e, 0x97}, bytes.Repeat([]byte{fill}, 40))
	}
	a := newAppConv(t, 17, 56256, 1194)
	a.c2s(pkt(10, ovpnClientSID, 0x11)) // P_CONTROL_HARD_RESET_CLIENT_V3
	a.s2c(pkt(8, ovpnServerSID, 0x22))  // P_CONTROL_HARD_RESET_SERVER_V2
	a.c2s(pkt(11, ovpnClientSID, 0x33)) // P_CONTROL_WKC_V1
	a.wantDPI("")
	a.s2c(pkt(4, ovpnServerSID, 0x44)) // P_CONTROL_V1
	a.wantDPI("OpenVPN")

	// One direction only: four packets.
	b := newAppConv(t, 17, 443, 60201)
	for i, op := range []byte{8, 4, 4, 4} {
		b.c2s(pkt(op, ovpnServerSID, byte(i)))
	}
	b.wantDPI("OpenVPN")

	// Near misses: a flow that does not start with a reset; a session id
	// that changes.
	c := newAppConv(t, 17, 40000, 1194)
	c.c2s(pkt(4, ovpnClientSID, 0)).s2c(pkt(4, ovpnServerSID, 0)).c2s(pkt(4, ovpnClientSID, 0)).s2c(pkt(4, ovpnServerSID, 0))
	c.wantDPI("")
	d := newAppConv(t, 17, 40000, 1194)
	d.c2s(pkt(7, ovpnClientSID, 0)).s2c(pkt(8, ovpnServerSID, 0)).c2s(pkt(4, ovpnServerSID, 0)).s2c(pkt(4, ovpnServerSID, 0))
	d.wantDPI("")
}

func TestOpenVPNProvider(t *testing.T) {
	r := NewRegistry()
	if err := r.LoadCustomProtocols(writeFile(t, "ip:10.20.30.40/32@NordVPN\n")); err != nil {
		t.Fatal(err)
	}
	a := newAppConv(t, 17, 37383, 1234)
	a.e = NewEngine(r, nil)
	a.c2s(ovpnClientReset).s2c(ovpnServerReset)
	a.wantDPI("OpenVPN.NordVPN")
}

func TestWireGuard(t *testing.T) {
	initiation := appCat(
		[]byte{1, 0, 0, 0},             // type 1, reserved
		[]byte{0x15, 0x76, 0x49, 0x79}, // sender index
		bytes.Repeat([]byte{0x5a}, 140),
	)
	response := appCat(
		[]byte{2, 0, 0, 0},             // type 2, reserved
		[]byte{0xb0, 0x48, 0x10, 0x1c}, // sender index
		[]byte{0x15, 0x76, 0x49, 0x79}, // receiver index: the initiator's
		bytes.Repeat([]byte{0xa5}, 80),
	)
	a := newAppConv(t, 17, 22595, 51820)
	a.c2s(initiation).wantDPI("")
	a.s2c(response).wantDPI("WireGuard")

	// Mid-flow transport data: each side repeats the peer's index.
	data := func(idx byte, n int) []byte {
		return appCat([]byte{4, 0, 0, 0, idx, 0x76, 0x49, 0x79}, make([]byte, 8), bytes.Repeat([]byte{0x33}, n))
	}
	b := newAppConv(t, 17, 22595, 5060)
	b.c2s(data(0x15, 80)).s2c(data(0xb0, 80)).wantDPI("")
	b.c2s(data(0x15, 64)).wantDPI("WireGuard")

	// Near misses: a response naming another index; a transport length
	// that is not a multiple of 16; reserved bytes set.
	bad := append([]byte(nil), response...)
	bad[8] ^= 0xff
	c := newAppConv(t, 17, 22595, 51820)
	c.c2s(initiation).s2c(bad).wantDPI("")
	d := newAppConv(t, 17, 22595, 51820)
	d.c2s(data(0x15, 81)).s2c(data(0xb0, 80)).c2s(data(0x15, 81))
	d.wantDPI("")
	e := newAppConv(t, 17, 22595, 51820)
	res := append([]byte(nil), initiation...)
	res[2] = 1
	e.c2s(res).wantDPI("")
}

// ikeSAInit is an IKEv2 IKE_SA_INIT request with one (empty) payload.
func ikeSAInit() []byte {
	return appCat(
		[]byte{0xb6, 0x4e, 0xf3, 0x21, 0x31, 0xa4, 0x89, 0x52}, // initiator SPI
		make([]byte, 8),          // responder SPI
		[]byte{0x21, 0x20, 0x22}, // next payload SA, version 2.0, IKE_SA_INIT
		[]byte{0x08},             // flags: initiator
		[]byte{0, 0, 0, 0},       // message id
		[]byte{0, 0, 0, 32},      // length
		[]byte{0, 0, 0, 4},       // SA payload header, no proposal
	)
}

func TestIPsec(t *testing.T) {
	a := newAppConv(t, 17, 10500, 500)
	a.c2s(ikeSAInit()).wantDPI("IPSec")
	// NAT traversal: port 4500, non-ESP marker.
	b := newAppConv(t, 17, 14500, 4500)
	b.c2s(appCat([]byte{0, 0, 0, 0}, ikeSAInit())).wantDPI("IPSec")

	// Near misses: a wrong length, an unknown exchange, not on 500/4500.
	bad := ikeSAInit()
	bad[27] = 33
	c := newAppConv(t, 17, 10500, 500)
	c.c2s(bad).wantDPI("")
	bad = ikeSAInit()
	bad[18] = 40
	d := newAppConv(t, 17, 10500, 500)
	d.c2s(bad).wantDPI("")
	e := newAppConv(t, 17, 10500, 501)
	e.c2s(ikeSAInit()).wantDPI("")
}

func TestCiscoVPNUDP(t *testing.T) {
	a := newAppConv(t, 17, 10000, 10000)
	a.c2s([]byte{0xfe, 0x57, 0x7e, 0x2b, 0x00, 0x01}).wantDPI("CiscoVPN")
	b := newAppConv(t, 17, 10000, 10000)
	b.c2s([]byte{0xfe, 0x57, 0x7e, 0x2c, 0x00, 0x01}).wantDPI("")
}
