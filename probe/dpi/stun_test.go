package dpi

import (
	"net/netip"
	"testing"
)

// voipFlow is a flow's addresses for the voice/video tests.
type voipFlow struct {
	l4           uint8
	cli, srv     netip.Addr
	cport, sport uint16
}

// voipPkt is one payload of a voipFlow, in direction dir.
type voipPkt struct {
	dir Direction
	b   []byte
}

var (
	voipCli = netip.MustParseAddr("192.168.1.20")
	voipSrv = netip.MustParseAddr("203.0.113.7")
)

// voipUDP and voipTCP are flows from voipCli:cport to voipSrv:sport.
func voipUDP(cport, sport uint16) voipFlow { return voipFlow{17, voipCli, voipSrv, cport, sport} }
func voipTCP(cport, sport uint16) voipFlow { return voipFlow{6, voipCli, voipSrv, cport, sport} }

// packet builds the Packet of payload b in direction dir.
func (f voipFlow) packet(dir Direction, b []byte) *Packet {
	p := &Packet{L4Proto: f.l4, Src: f.cli, Dst: f.srv, SrcPort: f.cport, DstPort: f.sport, Dir: dir, Payload: b}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = f.srv, f.cli, f.sport, f.cport
	}
	return p
}

// run inspects the packets with e in a fresh State and returns the label.
func (f voipFlow) run(e *Engine, pkts ...voipPkt) (string, *State) {
	var st State
	for _, p := range pkts {
		e.Inspect(&st, f.packet(p.dir, p.b))
	}
	return e.Registry().Name(st.Result), &st
}

func c2s(b []byte) voipPkt { return voipPkt{ClientToServer, b} }
func s2c(b []byte) voipPkt { return voipPkt{ServerToClient, b} }

var (
	// stunBinding is a Binding Request without attributes.
	stunBinding = []byte{
		0x00, 0x01, // type: Binding Request
		0x00, 0x00, // length: 0
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
	}
	// stunWhatsApp is a Binding Request with WhatsApp's attribute 0x4000.
	stunWhatsApp = []byte{
		0x00, 0x01, // type: Binding Request
		0x00, 0x08, // length: 8
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
		0x40, 0x00, 0x00, 0x04, // attribute 0x4000, length 4
		0x00, 0x00, 0x00, 0x01, // value
	}
	// stunZoomClassic is a classic (RFC 3489) Binding Request, no magic
	// cookie, with Zoom's attribute 0x0101.
	stunZoomClassic = []byte{
		0x00, 0x01, // type: Binding Request
		0x00, 0x18, // length: 24
		0xd4, 0x4e, 0xac, 0x6b, 0x83, 0x49, 0x28, 0x37, // 16-byte transaction id
		0x0c, 0x97, 0xe4, 0x42, 0x16, 0xfa, 0xb5, 0x06,
		0x01, 0x01, 0x00, 0x14, // attribute 0x0101, length 20
		'1', '2', '3', '4', '5', '6', '7', '8', '9', '0',
		'1', '2', '3', '4', '5', '6', '7', '8', '9', 0,
	}
	// stunTelegramRealm is an Allocate Request whose REALM is telegram.org.
	stunTelegramRealm = []byte{
		0x00, 0x03, // type: Allocate Request (TURN)
		0x00, 0x10, // length: 16
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
		0x00, 0x14, 0x00, 0x0c, // REALM, length 12
		't', 'e', 'l', 'e', 'g', 'r', 'a', 'm', '.', 'o', 'r', 'g',
	}
	// stunTeams is a Binding Request with MS-ICE2's implementation
	// version attribute.
	stunTeams = []byte{
		0x00, 0x01, // type: Binding Request
		0x00, 0x08, // length: 8
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
		0x80, 0x70, 0x00, 0x04, // MS-IMPLEMENTATION-VERSION, length 4
		0x00, 0x00, 0x00, 0x03, // version 3
	}
	// stunAllocate is a bare Allocate Request: the flow is TURN.
	stunAllocate = []byte{
		0x00, 0x03, // type: Allocate Request
		0x00, 0x00, // length: 0
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
	}
	// stunPermission is a CreatePermission Request for the peer
	// 10.46.103.200:42554.
	stunPermission = []byte{
		0x00, 0x08, // type: CreatePermission Request (TURN)
		0x00, 0x0c, // length: 12
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, // transaction id
		0x00, 0x12, 0x00, 0x08, // XOR-PEER-ADDRESS, length 8
		0x00, 0x01, // family: IPv4
		0x87, 0x28, // port 42554 xor 0x2112
		0x2b, 0x3c, 0xc3, 0x8a, // 10.46.103.200 xor the magic cookie
	}
	// stunBadLength claims an 8-byte attribute it does not have.
	stunBadLength = []byte{
		0x00, 0x01, // type: Binding Request
		0x00, 0x08, // length: 8, but nothing follows
		0x21, 0x12, 0xa4, 0x42, // magic cookie
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
	}
	// voipRTPPacket is an RTP packet: version 2, dynamic payload type 120.
	voipRTPPacket = []byte{
		0x80, 0x78, // V=2, no padding/extension/CSRC; PT 120
		0x00, 0x10, // sequence number 16
		0x00, 0x00, 0x10, 0x00, // timestamp
		0xca, 0xfe, 0xba, 0xbe, // SSRC
		0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, // payload
	}
	// voipDTLSHello is a DTLS 1.2 ClientHello without extensions.
	voipDTLSHello = append(append([]byte{
		0x16,       // record: handshake
		0xfe, 0xfd, // DTLS 1.2
		0x00, 0x00, // epoch 0
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // sequence number
		0x00, 0x38, // record length 56
		0x01,             // ClientHello
		0x00, 0x00, 0x2c, // message length 44
		0x00, 0x00, // message sequence
		0x00, 0x00, 0x00, // fragment offset
		0x00, 0x00, 0x2c, // fragment length 44
		0xfe, 0xfd, // client_version DTLS 1.2
	}, make([]byte, 32)...), // random
		0x00,                   // session id: none
		0x00,                   // cookie: none
		0x00, 0x02, 0xc0, 0x2b, // cipher suites: ECDHE_ECDSA_AES128_GCM_SHA256
		0x01, 0x00, // compression: null
		0x00, 0x00, // no extensions
	)
)

func TestSTUN(t *testing.T) {
	google := voipFlow{17, voipCli, netip.MustParseAddr("142.250.82.76"), 37967, 19305}
	tests := []struct {
		name string
		flow voipFlow
		pkts []voipPkt
		want string
		done bool // the dissector stops following the flow
	}{
		{"binding", voipUDP(50000, 3478), []voipPkt{c2s(stunBinding)}, "STUN", false},
		{"whatsapp attribute", voipUDP(50000, 3478), []voipPkt{c2s(stunWhatsApp)}, "STUN.WhatsAppCall", false},
		{"classic zoom", voipUDP(23903, 3478), []voipPkt{c2s(stunZoomClassic)}, "STUN.Zoom", true},
		{"realm", voipUDP(40643, 1400), []voipPkt{c2s(stunTelegramRealm)}, "STUN.TelegramVoip", false},
		{"ms attribute", voipUDP(50016, 3478), []voipPkt{c2s(stunTeams)}, "STUN.Skype_TeamsCall", false},
		{"google server", google, []voipPkt{c2s(stunBinding)}, "STUN.GoogleCall", false},
		{"then rtp", voipUDP(49526, 41107), []voipPkt{c2s(stunWhatsApp), c2s(voipRTPPacket)}, "SRTP.WhatsAppCall", false},
		{"then dtls", google, []voipPkt{c2s(stunBinding), s2c(stunBinding), c2s(voipDTLSHello)}, "DTLS.GoogleCall", false},
		{"plain then dtls", voipUDP(40000, 40001), []voipPkt{c2s(stunBinding), c2s(voipDTLSHello)}, "DTLS", false},
		// TURN ChannelData (channel 0x4000) relaying an RTP packet.
		{"turn channel", voipUDP(40000, 3478), []voipPkt{c2s(stunAllocate),
			c2s(append([]byte{0x40, 0x00, 0x00, byte(len(voipRTPPacket))}, voipRTPPacket...))}, "STUN.RTP", false},
		// RFC 4571 framing over TCP: a 16-bit length, then the message.
		{"tcp", voipTCP(50221, 3478), []voipPkt{c2s(append([]byte{0x00, byte(len(stunTelegramRealm))}, stunTelegramRealm...))},
			"STUN.TelegramVoip", false},
		// Microsoft's multiplexed TURN header (0xff10, length, 8 more
		// bytes) around an RTP packet.
		{"ms-turn rtp", voipUDP(50016, 3478), []voipPkt{c2s(stunTeams), c2s(append([]byte{0xff, 0x10, 0x00, byte(8 + len(voipRTPPacket)),
			0xde, 0xaa, 0x29, 0x67, 0x08, 0xf7, 0x08, 0xfc}, voipRTPPacket...))}, "SRTP.Skype_TeamsCall", false},
		{"bad length", voipUDP(40000, 40001), []voipPkt{c2s(stunBadLength)}, "Unknown", false},
		// Classic STUN without cookie over TCP is not accepted.
		{"classic over tcp", voipTCP(40000, 40001), []voipPkt{c2s(append([]byte{0x00, byte(len(stunZoomClassic))}, stunZoomClassic...))},
			"Unknown", false},
	}
	for _, tt := range tests {
		e := NewEngine(NewRegistry(), nil)
		got, st := tt.flow.run(e, tt.pkts...)
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if tt.done && !st.Done {
			t.Errorf("%s: still inspected", tt.name)
		}
	}
}

func TestSTUNRealmServerName(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	_, st := voipUDP(40643, 1400).run(e, c2s(stunTelegramRealm))
	if st.ServerName != "telegram.org" {
		t.Errorf("server name %q", st.ServerName)
	}
}

// TestSTUNCache: a call's later flows from the same endpoint inherit the
// service found on an earlier one.
func TestSTUNCache(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	wa := voipFlow{17, voipCli, netip.MustParseAddr("157.240.203.62"), 49526, 3478}
	if got, _ := wa.run(e, c2s(stunWhatsApp)); got != "STUN.WhatsAppCall" {
		t.Fatalf("first flow: %q", got)
	}
	peer := voipFlow{17, voipCli, netip.MustParseAddr("198.51.100.9"), 49526, 40436}
	if got, _ := peer.run(e, c2s(stunBinding)); got != "STUN.WhatsAppCall" {
		t.Errorf("same endpoint: %q", got)
	}
	other := voipFlow{17, voipCli, netip.MustParseAddr("198.51.100.10"), 49527, 40437}
	if got, _ := other.run(e, c2s(stunBinding)); got != "STUN" {
		t.Errorf("other endpoint: %q", got)
	}
	// A new engine starts with an empty cache.
	if got, _ := peer.run(NewEngine(NewRegistry(), nil), c2s(stunBinding)); got != "STUN" {
		t.Errorf("fresh engine: %q", got)
	}
}

// TestSTUNPeerCache: the peers a relayed call permits are the call's too.
func TestSTUNPeerCache(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	if got, _ := voipUDP(40643, 1400).run(e, c2s(stunTelegramRealm), c2s(stunPermission)); got != "STUN.TelegramVoip" {
		t.Fatalf("relay flow: %q", got)
	}
	peer := voipFlow{17, voipCli, netip.MustParseAddr("10.46.103.200"), 40906, 42554}
	if got, _ := peer.run(e, c2s(stunBinding)); got != "STUN.TelegramVoip" {
		t.Errorf("peer flow: %q", got)
	}
}

// TestSTUNGivesUp: a flow of non-STUN packets is not followed for ever.
func TestSTUNGivesUp(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	var pkts []voipPkt
	for range 8 {
		pkts = append(pkts, c2s(stunBadLength))
	}
	pkts = append(pkts, c2s(stunBinding))
	if got, _ := voipUDP(40000, 40001).run(e, pkts...); got == "STUN" {
		t.Errorf("STUN accepted after %d other packets", len(pkts)-1)
	}
}

func TestSTUNCacheEviction(t *testing.T) {
	var sc stunCache
	for i := range stunCacheSize + 10 {
		sc.put(netip.AddrPortFrom(voipCli, uint16(i)), voipZoom)
	}
	if len(sc.m) != stunCacheSize {
		t.Errorf("%d entries", len(sc.m))
	}
	if _, ok := sc.get(netip.AddrPortFrom(voipCli, 0)); ok {
		t.Error("oldest entry kept")
	}
	if v, ok := sc.get(netip.AddrPortFrom(voipCli, stunCacheSize+9)); !ok || v != voipZoom {
		t.Error("newest entry lost")
	}
}
