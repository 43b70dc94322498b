package dpi

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestVoipProtoIDs(t *testing.T) {
	r := NewRegistry()
	for id, name := range map[ProtoID]string{
		voipDTLS: "DTLS", voipSkypeTeamsCall: "Skype_TeamsCall", voipWhatsAppCall: "WhatsAppCall",
		voipRTSP: "RTSP", voipDiscord: "Discord", voipSTUN: "STUN", voipRTP: "RTP", voipIAX: "IAX",
		voipSIP: "SIP", voipWhatsApp: "WhatsApp", voipViber: "Viber", voipRTCP: "RTCP",
		voipSDRTN: "SD-RTN", voipMegaco: "Megaco", voipTelegram: "Telegram", voipZoom: "Zoom",
		voipIMO: "IMO", voipAdultContent: "AdultContent", voipFacebookVoip: "FacebookVoip",
		voipSignalVoip: "SignalVoip", voipThreema: "Threema", voipSRTP: "SRTP",
		voipTelegramVoip: "TelegramVoip", voipGoogleCall: "GoogleCall", voipViberVoip: "ViberVoip", voipMGCP: "MGCP", voipH323: "H323",
	} {
		if got := r.Protocol(id).Name; got != name {
			t.Errorf("id %d: %q, want %q", id, got, name)
		}
	}
}

// voipCase is one flow and the label it should get.
type voipCase struct {
	name string
	flow voipFlow
	pkts []voipPkt
	want string
}

func runVoipCases(t *testing.T, cases []voipCase) {
	t.Helper()
	for _, tt := range cases {
		e := NewEngine(NewRegistry(), nil)
		if got, _ := tt.flow.run(e, tt.pkts...); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

var (
	// discordDiscovery is Discord's IP discovery request: type 1,
	// length 70, SSRC, then 66 zero bytes for the address and port.
	discordDiscovery = append([]byte{
		0x00, 0x01, // type: request
		0x00, 0x46, // length: 70
		0x00, 0x02, 0x4b, 0x18, // SSRC
	}, make([]byte, 66)...)
	// discordAnswer is the response: type 2, the client's address as a
	// NUL-padded string, then its port.
	discordAnswer = append(append([]byte{
		0x00, 0x02, // type: response
		0x00, 0x46, // length: 70
		0x00, 0x02, 0x4b, 0x18, // SSRC
	}, "84.59.132.100"...), make([]byte, 53)...)
)

func TestDiscord(t *testing.T) {
	bad := bytes.Clone(discordAnswer)
	bad[1] = 3 // type 3
	runVoipCases(t, []voipCase{
		{"ip discovery", voipUDP(64837, 50001), []voipPkt{c2s(discordDiscovery), s2c(discordAnswer)}, "Discord"},
		// The 8-byte keep-alive: magic 0x1337cafe and a counter.
		{"keep-alive", voipUDP(48526, 50004), []voipPkt{c2s([]byte{0x13, 0x37, 0xca, 0xfe, 0x0a, 0x00, 0x00, 0x00})}, "Discord"},
		{"wrong answer type", voipUDP(64837, 50001), []voipPkt{c2s(discordDiscovery), s2c(bad)}, "Unknown"},
		{"magic, wrong length", voipUDP(48526, 50004), []voipPkt{c2s([]byte{0x13, 0x37, 0xca, 0xfe, 0x0a, 0x00, 0x00})}, "Unknown"},
	})
	e := NewEngine(NewRegistry(), nil)
	if _, st := voipUDP(64837, 50001).run(e, c2s(discordDiscovery), s2c(discordAnswer)); st.Info == nil || st.Info.Text != "84.59.132.100" {
		t.Errorf("client address: %+v", st.Info)
	}
}

var (
	// zoomSFU1 is the first packet of a Zoom media session: SFU type 1,
	// then an opaque body.
	zoomSFU1 = []byte{
		0x01, 0x00, 0x02, // SFU type 1, subtype 2
		0x7d, 0x46, 0x4d, 0x35, 0xff, 0xfd, 0xa2, 0x34, 0x49, // session data
	}
	// zoomP2PSetup is a peer-to-peer setup packet: type 0x1f, a 24-byte
	// header, then length-value strings (address, UUID), then 4 zeros.
	zoomP2PSetup = append(append(append(append([]byte{
		0x1f, 0x02, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x04, 0x00, 0x4e, 0x15, // header
		0x0e, 0xf8, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x63, 0xb6, 0xa5,
		0x00, 0x00, 0x00, 0x0d, // address length 13
	}, "192.168.1.226"...),
		0x00, 0x00, 0x00, 0x04), // UUID length 4
		"AF06"...),
		0x00, 0x00, 0x00, 0x00) // trailer
)

func TestZoom(t *testing.T) {
	runVoipCases(t, []voipCase{
		{"sfu 1", voipUDP(58327, 8801), []voipPkt{c2s(zoomSFU1)}, "Zoom"},
		{"p2p", voipUDP(39065, 46757), []voipPkt{c2s(zoomP2PSetup)}, "Zoom"},
		{"sfu 1 off port", voipUDP(58327, 9801), []voipPkt{c2s(zoomSFU1)}, "Unknown"},
		{"p2p bad length", voipUDP(39065, 46757), []voipPkt{c2s(append(bytes.Clone(zoomP2PSetup[:len(zoomP2PSetup)-4]), 0, 0, 0, 0, 0))}, "Unknown"},
	})
}

// sdrtnHello is Agora's first UDP packet, naming the edge server.
var sdrtnHello = append([]byte{
	0x00, 0x5a, 0x38, 0x4c, 0x00, 0x00, // header
	0x21,                         // message type
	0x00, 0x00, 0x00, 0x00, 0x00, // flags
	0x04, 'S', 'N', 'I', // "\x04SNI"
	0x00, 0x13, // name length 19
	0x00, // separator
}, "23-248-186-179.edge"...)

func TestSDRTN(t *testing.T) {
	runVoipCases(t, []voipCase{
		{"sni", voipUDP(46798, 8130), []voipPkt{c2s(sdrtnHello)}, "SD-RTN"},
		{"name too long", voipUDP(46798, 8130), []voipPkt{c2s(sdrtnHello[:len(sdrtnHello)-1])}, "Unknown"},
	})
	e := NewEngine(NewRegistry(), nil)
	if _, st := voipUDP(46798, 8130).run(e, c2s(sdrtnHello)); st.ServerName != "23-248-186-179.edge" {
		t.Errorf("server name %q", st.ServerName)
	}
}

func TestWhatsAppChat(t *testing.T) {
	runVoipCases(t, []voipCase{
		// Noise prologue "ED", version 0.1, then the dictionary version,
		// split over two segments.
		{"prologue", voipTCP(49206, 5222), []voipPkt{c2s([]byte{'E', 'D', 0x00}), c2s([]byte{0x01, 0x00, 0x00, 0x04, 0x08, 0x00, 0x01})}, "WhatsApp"},
		// The old "WA" header, version 1.5.
		{"old header", voipTCP(42241, 443), []voipPkt{c2s([]byte{'W', 'A', 0x01, 0x05, 0x00, 0x00, 0x17, 0xf8})}, "WhatsApp"},
		{"other prologue", voipTCP(49206, 5222), []voipPkt{c2s([]byte{'E', 'D', 0x00, 0x01, 0x00, 0x00, 0x05, 0x08})}, "Unknown"},
	})
}

// voipCustomRules returns a registry whose ip rules map addr to a
// built-in service, as the address table would.
func voipCustomRules(t *testing.T, rule string) *Registry {
	t.Helper()
	path := filepath.Join(t.TempDir(), "protos.txt")
	if err := os.WriteFile(path, []byte(rule+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewRegistry()
	if err := r.LoadCustomProtocols(path); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTelegram(t *testing.T) {
	r := voipCustomRules(t, "ip:149.154.167.0/24@Telegram")
	mtproto := []byte{0xef, 0x5a, 0x11, 0x93, 0x20, 0x7c, 0x41, 0x02} // obfuscated MTProto
	tg := voipFlow{6, voipCli, netip.MustParseAddr("149.154.167.91"), 37950, 443}
	if got, _ := tg.run(NewEngine(r, nil), c2s(mtproto)); got != "Telegram" {
		t.Errorf("mtproto to a Telegram server: %q", got)
	}
	if got, _ := voipTCP(37950, 4443).run(NewEngine(r, nil), c2s(mtproto)); got == "Telegram" {
		t.Error("mtproto elsewhere is Telegram")
	}
	// UDP: a run of exactly twelve 0xff bytes on ports 500-600.
	pad := append(append([]byte{0x01, 0x02, 0x03, 0x04}, bytes.Repeat([]byte{0xff}, 12)...), make([]byte, 28)...)
	runVoipCases(t, []voipCase{
		{"udp", voipUDP(40000, 598), []voipPkt{c2s(pad)}, "Telegram"},
		{"udp, 13 bytes", voipUDP(40000, 598), []voipPkt{c2s(append([]byte{0xff}, pad...))}, "Unknown"},
	})
}

func TestThreema(t *testing.T) {
	hs := []voipPkt{c2s(make([]byte, 48)), s2c(make([]byte, 80)), c2s(make([]byte, 191)), s2c(make([]byte, 468))}
	msg := append([]byte{0x24, 0x00}, make([]byte, 0x24)...) // little-endian length 36, then the message
	runVoipCases(t, []voipCase{
		{"handshake", voipTCP(50484, 5222), append(hs, c2s(msg)), "Threema"},
		{"wrong length", voipTCP(50484, 5222), append(hs, c2s(msg[:len(msg)-1])), "Unknown"},
		{"other port", voipTCP(50484, 5223), append(hs, c2s(msg)), "Unknown"},
	})
}

func TestViber(t *testing.T) {
	// TCP: little-endian length 24, then fixed bytes 0xfcff at 6, 0x80 at 9.
	tcp := []byte{0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfc, 0xff, 0x05, 0x80, 0x09, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00, 0x00}
	// UDP voice: bytes 2-5 01 00 05 00.
	udp := []byte{0xed, 0xf6, 0x01, 0x00, 0x05, 0x00, 0xac, 0x19, 0x35, 0x8c}
	runVoipCases(t, []voipCase{
		{"tcp", voipTCP(41184, 5242), []voipPkt{c2s(tcp)}, "Viber"},
		{"udp", voipUDP(47171, 7985), []voipPkt{c2s(udp)}, "Viber"},
		{"tcp, wrong length", voipTCP(41184, 5242), []voipPkt{c2s(tcp[:23])}, "Unknown"},
		{"udp, other type", voipUDP(47171, 7985), []voipPkt{c2s([]byte{0xed, 0xf6, 0x01, 0x00, 0x06, 0x00, 0xac})}, "Unknown"},
	})
}

func TestIMO(t *testing.T) {
	runVoipCases(t, []voipCase{
		// A 10-byte control packet 09 02.
		{"control", voipUDP(49207, 57604), []voipPkt{c2s([]byte{0x09, 0x02, 0xdc, 0x9a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00})}, "IMO"},
		// Two consecutive one-byte packets with the same value.
		{"pings", voipUDP(49207, 57604), []voipPkt{c2s([]byte{0x07}), s2c([]byte{0x07})}, "IMO"},
		{"different pings", voipUDP(49207, 57604), []voipPkt{c2s([]byte{0x07}), s2c([]byte{0x76})}, "Unknown"},
	})
}

func TestSIP(t *testing.T) {
	invite := []byte("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\n\r\n")
	runVoipCases(t, []voipCase{
		{"invite, other port", voipUDP(4901, 29440), []voipPkt{c2s(invite)}, "SIP"},
		{"response", voipTCP(40000, 5080), []voipPkt{s2c([]byte("SIP/2.0 200 OK\r\nVia: x\r\n\r\n"))}, "SIP"},
		// Keep-alives before the request.
		{"after crlf", voipUDP(4901, 29440), []voipPkt{c2s([]byte("\r\n\r\n")), c2s(invite)}, "SIP"},
		// Inside a TURN ChannelData message (channel 0x4001).
		{"turn channel", voipUDP(4901, 29440), []voipPkt{c2s(append([]byte{0x40, 0x01, 0x00, byte(len(invite))}, invite...))}, "SIP"},
		{"http uri", voipTCP(40000, 5080), []voipPkt{c2s([]byte("INVITE http://example.com/ HTTP/1.1\r\n\r\n"))}, "Unknown"},
	})
}

func TestRTSP(t *testing.T) {
	runVoipCases(t, []voipCase{
		{"request", voipTCP(52478, 8554), []voipPkt{c2s([]byte("OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0\r\nCSeq: 2\r\n\r\n"))}, "RTSP"},
		// A request line split from its version: the answer decides.
		{"answer", voipTCP(52478, 8554), []voipPkt{c2s([]byte("DESCRIBE")), s2c([]byte("RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n"))}, "RTSP"},
		{"rtsp 2.0", voipTCP(52478, 8554), []voipPkt{c2s([]byte("SETUP rtsp://10.2.2.2:8554/ RTSP/2.0\r\n\r\n"))}, "Unknown"},
	})
}

func TestH323(t *testing.T) {
	// TPKT (version 3, length 29), then Q.931: protocol discriminator 8,
	// call reference length 2, call reference, message type SETUP, then
	// the user-user information element carrying the H.225.0 message.
	setup := []byte{
		0x03, 0x00, 0x00, 0x1d, // TPKT: version 3, length 29
		0x08, 0x02, 0x12, 0x34, // Q.931: discriminator, call reference (2 bytes)
		0x05,                   // SETUP
		0x7e, 0x00, 0x11, 0x05, // user-user IE, length 17: X.208, then 16 bytes
		0x20, 0xb8, 0x06, 0x00, 0x08, 0x91, 0x4a, 0x00, 0x06, 0x01, 0x40, 0x02, 0x00, 0x61, 0x00, 0x62,
	}
	bad := bytes.Clone(setup)
	bad[4] = 0x09 // another protocol discriminator
	runVoipCases(t, []voipCase{
		{"setup", voipTCP(36050, 1720), []voipPkt{c2s(setup)}, "H323"},
		{"setup, other port", voipTCP(36050, 11720), []voipPkt{c2s(setup)}, "H323"},
		{"not q.931", voipTCP(36050, 11720), []voipPkt{c2s(bad)}, "Unknown"},
	})
}

func TestIAXAndMegaco(t *testing.T) {
	// IAX2 full frame NEW: source call 4, destination call 0, timestamp,
	// sequence numbers 0/0, frame type IAX (6), subclass NEW (1), then
	// information elements (type, length, value).
	iaxNew := []byte{
		0x80, 0x04, 0x00, 0x00, // full frame, source call 4; destination call 0
		0x00, 0x00, 0x00, 0x01, // timestamp
		0x00, 0x00, // oseqno, iseqno
		0x06, 0x01, // frame type IAX, subclass NEW
		0x0b, 0x02, 0x00, 0x02, // IE version: 2
		0x01, 0x03, '4', '4', '2', // IE called number
	}
	runVoipCases(t, []voipCase{
		{"iax new", voipUDP(4566, 4569), []voipPkt{c2s(iaxNew)}, "IAX"},
		{"iax, short ie", voipUDP(4566, 4569), []voipPkt{c2s(iaxNew[:len(iaxNew)-1])}, "Unknown"},
		{"iax, other port", voipUDP(4566, 4570), []voipPkt{c2s(iaxNew)}, "Unknown"},
		{"megaco", voipUDP(2944, 2944), []voipPkt{c2s([]byte("!/1 <iMSS>\nT=555282713{C=-{AV=DS/1/5{M}}}"))}, "Megaco"},
		{"megaco long form", voipUDP(2944, 2944), []voipPkt{c2s([]byte("MEGACO/1 [10.23.1.42]:2944\nP=1{C=-{}}"))}, "Megaco"},
		{"not megaco", voipUDP(2944, 2944), []voipPkt{c2s([]byte("!/1 iMSS T=1"))}, "Unknown"},
		{"mgcp", voipUDP(2727, 2427), []voipPkt{c2s([]byte("CRCX 1204 aaln/1@rgw.example.net MGCP 1.0\nC: A3C47F21456789F0\n"))}, "MGCP"},
		{"mgcp, no version", voipUDP(2727, 2427), []voipPkt{c2s([]byte("CRCX 1204 aaln/1@rgw.example.net\n"))}, "Unknown"},
	})
}

func TestRTP(t *testing.T) {
	rtp := func(seq byte) []byte {
		return []byte{
			0x80, 0x08, // V=2; PT 8 (G.711 A-law)
			0x00, seq, // sequence number
			0x67, 0xcf, 0x15, 0xa0, // timestamp
			0x0e, 0xaf, 0x0e, 0xaf, // SSRC
			0xd5, 0xd5, 0xd5, 0xd5, // payload
		}
	}
	// An RTCP receiver report: V=2, 1 report block, PT 201, length 7
	// (32 bytes).
	rr := append([]byte{0x81, 0xc9, 0x00, 0x07, 0x01, 0x93, 0x2d, 0xb4}, make([]byte, 24)...)
	runVoipCases(t, []voipCase{
		{"rtp", voipUDP(15580, 16756), []voipPkt{c2s(rtp(0)), c2s(rtp(1)), c2s(rtp(2))}, "RTP"},
		{"rtcp", voipUDP(25963, 31601), []voipPkt{c2s(rr), s2c(rr), c2s(rr), s2c(rr)}, "RTCP"},
		{"same sequence", voipUDP(15580, 16756), []voipPkt{c2s(rtp(0)), c2s(rtp(1)), c2s(rtp(0))}, "Unknown"},
		{"well-known port", voipUDP(15580, 999), []voipPkt{c2s(rtp(0)), c2s(rtp(1)), c2s(rtp(2))}, "Unknown"},
		// Over TCP with RFC 4571 framing.
		{"tcp", voipTCP(40000, 40002), []voipPkt{
			c2s(append([]byte{0x00, 16}, rtp(0)...)), c2s(append([]byte{0x00, 16}, rtp(1)...)), c2s(append([]byte{0x00, 16}, rtp(2)...))}, "RTP"},
	})
}

// FuzzVoip drives every dissector of the family with arbitrary payloads
// on both transports, on their ports and elsewhere.
func FuzzVoip(f *testing.F) {
	for _, b := range [][]byte{stunBinding, stunWhatsApp, stunZoomClassic, stunTelegramRealm, voipRTPPacket,
		voipDTLSHello, discordAnswer, zoomP2PSetup, sdrtnHello} {
		f.Add(b)
	}
	e := NewEngine(NewRegistry(), nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		for _, port := range []uint16{3478, 8801, 598, 5222, 4569, 40000} {
			for _, l4 := range []uint8{6, 17} {
				fl := voipFlow{l4, voipCli, voipSrv, 40001, port}
				// b alone, and b in the follow-up of a STUN (and TURN) flow.
				for _, first := range [][]byte{b, stunAllocate, stunTeams} {
					var st State
					e.Inspect(&st, fl.packet(ClientToServer, first))
					for i := range 8 {
						e.Inspect(&st, fl.packet(Direction(i&1), b))
					}
				}
			}
		}
	})
}

// TestVoipRejectNoAlloc: turning a flow down costs no allocation, on
// the first packet or the next ones.
func TestVoipRejectNoAlloc(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	payloads := [][]byte{
		[]byte("\x00\x01\x02 some binary protocol, not ours"),
		[]byte("hello, a text protocol of no concern here\r\n"),
	}
	for _, l4 := range []uint8{6, 17} {
		for _, b := range payloads {
			p := voipFlow{l4, voipCli, voipSrv, 40000, 5555}.packet(ClientToServer, b)
			st := new(State)
			c := new(ctx)
			for i, d := range voipDissectors {
				if n := testing.AllocsPerRun(20, func() {
					*st = State{pkts: 2, dirPkts: [2]uint8{2, 0}}
					*c = ctx{e: e, st: st, d: e.reg.snap(), p: p, payload: b, l4: l4, cliPort: 40000, srvPort: 5555, idx: uint8(i)}
					d.run(c)
				}); n != 0 {
					t.Errorf("%s on l4 %d %q: %v allocations", d.name, l4, b[:8], n)
				}
			}
		}
	}
}
