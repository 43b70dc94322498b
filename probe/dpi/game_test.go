package dpi

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"testing"
)

var (
	gameClient = netip.MustParseAddr("192.168.2.100")
	gameServer = netip.MustParseAddr("198.51.100.7")
)

// gamePkt is one payload packet of a test flow; reply packets go from the
// server to the client.
type gamePkt struct {
	reply   bool
	payload []byte
}

func gameReq(b []byte) gamePkt   { return gamePkt{payload: b} }
func gameReply(b []byte) gamePkt { return gamePkt{reply: true, payload: b} }

// gameRun feeds the packets of one flow to a fresh engine until it
// classifies the flow, and returns the label and the number of packets
// used (all of them when the flow stayed unclassified).
func gameRun(t *testing.T, l4 uint8, cliPort, srvPort uint16, pkts ...gamePkt) (string, int) {
	t.Helper()
	r := NewRegistry()
	e := NewEngine(r, nil)
	var st State
	for i, gp := range pkts {
		p := &Packet{L4Proto: l4, Src: gameClient, Dst: gameServer, SrcPort: cliPort, DstPort: srvPort,
			Dir: ClientToServer, Payload: gp.payload}
		if gp.reply {
			p.Src, p.Dst, p.SrcPort, p.DstPort, p.Dir = gameServer, gameClient, srvPort, cliPort, ServerToClient
		}
		e.Inspect(&st, p)
		if st.Done {
			return r.Name(st.Result), i + 1
		}
	}
	return r.Name(st.Result), len(pkts)
}

func gameExpect(t *testing.T, name, want string, wantPkts int, l4 uint8, cliPort, srvPort uint16, pkts ...gamePkt) {
	t.Helper()
	got, n := gameRun(t, l4, cliPort, srvPort, pkts...)
	if got != want || (wantPkts > 0 && n != wantPkts) {
		t.Errorf("%s: got %q after %d packets, want %q after %d", name, got, n, want, wantPkts)
	}
}

// gameCat concatenates byte slices (fields of a test packet).
func gameCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func gameZeros(n int) []byte { return make([]byte, n) }

func TestGameProtocolNames(t *testing.T) {
	r := NewRegistry()
	for id, want := range map[ProtoID]string{
		protoAmongUs:            "AmongUs",
		protoSteam:              "Steam",
		protoHalfLife2:          "HalfLife2",
		protoWorldOfWarcraft:    "WorldOfWarcraft",
		protoMapleStory:         "MapleStory",
		protoCoDMobile:          "CoD_Mobile",
		protoStarcraft:          "Starcraft",
		protoSteamDatagramRelay: "SteamDatagramRelay",
		protoActivision:         "Activision",
		protoRakNet:             "RakNet",
		protoRiotGames:          "RiotGames",
		protoEpicGames:          "EpicGames",
		protoTencentGames:       "TencentGames",
		protoGaijin:             "GaijinEntertainment",
		protoNetEaseGames:       "NetEaseGames",
	} {
		if p := r.Protocol(id); p == nil || p.Name != want {
			t.Errorf("protocol %d: %v, want %q", id, p, want)
		}
	}
}

func TestGameRakNet(t *testing.T) {
	// Open Connection Request 1: type 0x05, offline magic, protocol
	// version 10, MTU padding (28 bytes in all).
	req1 := gameCat([]byte{0x05}, rakNetMagic, []byte{10}, gameZeros(10))
	// Open Connection Reply 1: type 0x06, magic, server GUID (8), no
	// security (0x00), MTU 1400.
	rep1 := gameCat([]byte{0x06}, rakNetMagic, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{0x00, 0x05, 0x78})
	// Open Connection Request 2: type 0x07, magic, server address
	// (version 4, IPv4, port), MTU 1400, client GUID (8): 34 bytes.
	req2 := gameCat([]byte{0x07}, rakNetMagic, []byte{0x04, 198, 51, 100, 7, 0x4a, 0xbc},
		[]byte{0x05, 0x78}, []byte{8, 7, 6, 5, 4, 3, 2, 1})
	gameExpect(t, "handshake", "RakNet", 3, 17, 44501, 19132, gameReq(req1), gameReply(rep1), gameReq(req2))

	// An ACK alone parses to its exact end: type 0xc0, one record, a
	// single sequence number (0x01, 24-bit 5).
	gameExpect(t, "ack", "RakNet", 1, 17, 44501, 19132, gameReq([]byte{0xc0, 0x00, 0x01, 0x01, 0x05, 0x00, 0x00}))
	// The same ACK claiming two records does not.
	gameExpect(t, "ack count", "Unknown", 1, 17, 44501, 19132, gameReq([]byte{0xc0, 0x00, 0x02, 0x01, 0x05, 0x00, 0x00}))

	// Frame sets: type 0x84, sequence number (3 bytes), one unreliable
	// frame (flags 0x00, length 16 bits), 2 bytes of body. Three in a row
	// are needed.
	frame := []byte{0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xaa, 0xbb}
	gameExpect(t, "frame set", "RakNet", 3, 17, 44501, 19132, gameReq(frame), gameReply(frame), gameReq(frame))
	gameExpect(t, "frame set alone", "Unknown", 1, 17, 44501, 19132, gameReq(frame))
	// One byte short of the declared frame body.
	gameExpect(t, "short frame", "Unknown", 1, 17, 44501, 19132,
		gameReq([]byte{0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xaa}))

	// Near miss: a request 1 with an unsupported protocol version (11).
	bad := gameCat([]byte{0x05}, rakNetMagic, []byte{11}, gameZeros(10))
	gameExpect(t, "protocol version", "Unknown", 1, 17, 44501, 19132, gameReq(bad))

	// The full-MTU variant: a first datagram of 1300 bytes with the
	// offline magic at offset 17 is RakNet even though it does not parse.
	custom := gameCat([]byte{0x99}, gameZeros(16), rakNetMagic, gameZeros(1300-33))
	gameExpect(t, "custom", "RakNet", 1, 17, 45693, 53385, gameReq(custom))
	// The same magic in a short datagram is nothing.
	gameExpect(t, "custom short", "Unknown", 1, 17, 45693, 53385, gameReq(custom[:600]))
}

func TestGameStarcraft(t *testing.T) {
	// The Battle.net logon message to TCP 1119: 0x4a 00 00 0a 66 02 0a ed
	// 2d 66, then the rest of the message.
	login := []byte("\x4a\x00\x00\x0a\x66\x02\x0a\xed\x2d\x66\xad\xc8\xe8\x0a")
	gameExpect(t, "logon", "Starcraft", 1, 6, 3517, 1119, gameReq(login))
	// The same bytes to another port are not.
	gameExpect(t, "other port", "Unknown", 1, 6, 3517, 1120, gameReq(login))

	// UDP 1119: the packet-size sequence of a game session.
	var pkts []gamePkt
	for _, n := range []int{20, 20, 85, 20, 548, 548, 548, 484} {
		pkts = append(pkts, gameReq(bytes.Repeat([]byte{0x5a}, n)))
	}
	gameExpect(t, "udp sizes", "Starcraft", 8, 17, 53146, 1119, pkts...)
	// The same sizes away from 1119 are not.
	gameExpect(t, "udp other port", "Unknown", 0, 17, 53146, 1120, pkts...)
}

func TestGameWorldOfWarcraft(t *testing.T) {
	// The banner both sides exchange: a 16-bit length (0x0030), then
	// "WORLD OF WARCRAFT CONNECTION - SERVER TO CLIENT" and a NUL.
	banner := []byte("\x30\x00WORLD OF WARCRAFT CONNECTION - SERVER TO CLIENT\x00")
	gameExpect(t, "banner", "WorldOfWarcraft", 1, 6, 39329, 3724, gameReply(banner))
	// A shorter variant of the text is not.
	gameExpect(t, "banner short", "Unknown", 0, 6, 39329, 3724, gameReply(banner[:49]))

	// Login challenge to 3724: command 0, error 8, size, "WoW" game name.
	challenge := gameCat([]byte{0x00, 0x08, 0x29, 0x00}, []byte("WoW\x00"), gameZeros(37))
	gameExpect(t, "challenge", "WorldOfWarcraft", 1, 6, 39330, 3724, gameReq(challenge))
	gameExpect(t, "challenge port", "Unknown", 0, 6, 39330, 3725, gameReq(challenge))
}

func TestGameSignatures(t *testing.T) {
	// Riot: a datagram ending with 0xaaaaaaaa 0xbbbbbbbb.
	riot := gameCat([]byte{0x72, 0x32, 0x42, 0x04}, gameZeros(24), []byte{0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb})
	gameExpect(t, "riot", "RiotGames", 1, 17, 62854, 8181, gameReq(riot))
	riot[len(riot)-1] = 0xba
	gameExpect(t, "riot near", "Unknown", 0, 17, 62854, 8181, gameReq(riot))

	// Gaijin: the 52-byte hello, 8f ff 00 01 82 ff 00 01 and zeros.
	gaijin := gameCat([]byte{0x8f, 0xff, 0x00, 0x01, 0x82, 0xff, 0x00, 0x01}, gameZeros(44))
	gameExpect(t, "gaijin", "GaijinEntertainment", 1, 17, 36929, 20021, gameReq(gaijin))
	gameExpect(t, "gaijin len", "Unknown", 0, 17, 36929, 20021, gameReq(gaijin[:51]))
	// Gaijin telemetry text longer than 100 bytes.
	event := gameCat([]byte("app.start,env=production,"), bytes.Repeat([]byte("x"), 90))
	gameExpect(t, "gaijin event", "GaijinEntertainment", 1, 17, 37333, 20011, gameReq(event))

	// NetEase: the 12-byte client hello: 0x01, a byte, 0x01d0 (LE), 4
	// bytes, 0x01010100 (LE).
	hello := []byte{0x01, 0xb5, 0xd0, 0x01, 0x11, 0x2a, 0x3d, 0x03, 0x00, 0x01, 0x01, 0x01}
	gameExpect(t, "netease", "NetEaseGames", 1, 17, 56588, 4513, gameReq(hello))
	// The same bytes from the server first are not.
	gameExpect(t, "netease reply", "Unknown", 0, 17, 56588, 4513, gameReply(hello))

	// Among Us: 08 00 01 00 80 d9 02 03, then the client's name.
	among := []byte{0x08, 0x00, 0x01, 0x00, 0x80, 0xd9, 0x02, 0x03, 0x06, 'A', 'A', 'A'}
	gameExpect(t, "among us", "AmongUs", 1, 17, 64260, 22023, gameReq(among))
	among[5] = 0xda
	gameExpect(t, "among us near", "Unknown", 0, 17, 64260, 22023, gameReq(among))

	// Tencent (TCP): 33 66 00 0b, 00 0b, then a message of 70 bytes.
	tencent := gameCat([]byte{0x33, 0x66, 0x00, 0x0b, 0x00, 0x0b, 0x10, 0x01}, gameZeros(68))
	gameExpect(t, "tencent", "TencentGames", 1, 6, 43300, 65010, gameReq(tencent))
	gameExpect(t, "tencent short", "Unknown", 0, 6, 43300, 65010, gameReq(tencent[:50]))
	// A length-prefixed zlib stream: 00 00, length of the rest, 78 01.
	zlib := gameCat([]byte{0x00, 0x00, 0x00, 0x3c, 0x78, 0x01}, bytes.Repeat([]byte{0x5a}, 58))
	gameExpect(t, "tencent zlib", "TencentGames", 1, 6, 42864, 20731, gameReq(zlib))
	zlib[3]++
	gameExpect(t, "tencent zlib len", "Unknown", 0, 6, 42864, 20731, gameReq(zlib))
}

func TestGameMapleStory(t *testing.T) {
	// Login hello (TCP, 16 bytes): 0e 00 3a 00, 01 00, '2', 9 bytes.
	hello := []byte{0x0e, 0x00, 0x3a, 0x00, 0x01, 0x00, '2', 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}
	gameExpect(t, "maplestory", "MapleStory", 1, 6, 50123, 8484, gameReq(hello))
	hello[6] = '4'
	gameExpect(t, "maplestory near", "Unknown", 0, 6, 50123, 8484, gameReq(hello))
}

// TestGameHTTPApp covers the request facts the HTTP dissector hands to
// gameHTTPApp.
func TestGameHTTPApp(t *testing.T) {
	for _, tt := range []struct {
		method, target, ua, host string
		want                     ProtoID
	}{
		{"GET", "/maplestory/", "AspINet", "example.com", protoMapleStory},
		{"GET", "/maplestory/", "Mozilla/5.0", "example.com", ProtoUnknown},
		{"POST", "/maplestory/", "AspINet", "example.com", ProtoUnknown},
		{"GET", "/maple/patch/00123.patch", "Patcher", "patch.nexon.net", protoMapleStory},
		{"GET", "/maple/patch/00123.patch", "Patcher", "cdn.nexon.net", ProtoUnknown},
		{"GET", "/update/Launcher.txt", "Blizzard Downloader/2.0", "us.scan.worldofwarcraft.com", protoWorldOfWarcraft},
		{"GET", "/update/Launcher.txt", "Blizzard Downloader/2.0", "worldofwarcraft.com.example", ProtoUnknown},
		{"GET", "/update/Launcher.txt", "", "us.scan.worldofwarcraft.com", ProtoUnknown},
	} {
		if got := gameHTTPApp(tt.method, []byte(tt.target), []byte(tt.ua), []byte(tt.host)); got != tt.want {
			t.Errorf("%s %s UA %q Host %q: %d, want %d", tt.method, tt.target, tt.ua, tt.host, got, tt.want)
		}
	}
}

func TestGameValve(t *testing.T) {
	// Steam LAN discovery: ff ff ff ff 21 4c 5f a0, header length, header.
	disc := []byte{0xff, 0xff, 0xff, 0xff, 0x21, 0x4c, 0x5f, 0xa0, 0x04, 0x00, 0x00, 0x00, 0x08, 0x01, 0x10, 0x00}
	gameExpect(t, "steam", "Steam", 1, 17, 27036, 27036, gameReq(disc))
	disc[7] = 0xa1
	gameExpect(t, "steam near", "Unknown", 0, 17, 27036, 27036, gameReq(disc))

	// SDR ping: 0x01, 0x81, "sdping", then the ping body.
	sdr := gameCat([]byte{0x01, 0x81}, []byte("sdping"), gameZeros(92))
	gameExpect(t, "sdr", "SteamDatagramRelay", 1, 17, 46604, 27045, gameReq(sdr))
	gameExpect(t, "sdr near", "Unknown", 0, 17, 46604, 27045, gameReq(gameCat([]byte{0x01, 0x81}, []byte("sdpong"), gameZeros(92))))

	// Source engine query: ff ff ff ff, a body, ending "000\0"; answered
	// the same way from the server.
	query := gameCat([]byte{0xff, 0xff, 0xff, 0xff}, gameZeros(12), []byte("000\x00"))
	gameExpect(t, "halflife2", "HalfLife2", 2, 17, 27005, 27015, gameReq(query), gameReply(query))
	// Two such datagrams from the same side are not an exchange.
	gameExpect(t, "halflife2 one side", "Unknown", 0, 17, 27005, 27015, gameReq(query), gameReq(query))
}

func TestGameEpicGames(t *testing.T) {
	// Client hello: header 47 1a 20 00 (bit 3 clear), 6 bytes, 24 zero
	// bytes, trailer.
	hello := gameCat([]byte{0x47, 0x1a, 0x20, 0x00, 0x08, 0x98, 0x22, 0x65, 0x74, 0x04}, gameZeros(24), []byte{0x10})
	// Server reply: the same header with bit 3 set.
	reply := gameCat([]byte{0x47, 0x1a, 0x20, 0x08, 0x08, 0x98, 0x22, 0x65}, gameZeros(20))
	gameExpect(t, "epic", "EpicGames", 2, 17, 39322, 9011, gameReq(hello), gameReply(reply))
	// A reply that does not echo the header.
	bad := bytes.Clone(reply)
	bad[3] = 0x00
	gameExpect(t, "epic near", "Unknown", 0, 17, 39322, 9011, gameReq(hello), gameReply(bad))
}

func TestGameActivision(t *testing.T) {
	// First packet from the low-port side: 0d 02, 15 bytes of session
	// data, then the marker c0 a8 00 15 02 0c, then 6 bytes.
	first := gameCat([]byte{0x0d, 0x02}, gameZeros(15), []byte{0xc0, 0xa8, 0x00, 0x15, 0x02, 0x0c}, gameZeros(6))
	gameExpect(t, "activision", "Activision", 1, 17, 3074, 33441, gameReq(first))
	// From the high-port side the first packet must open with 0c 02.
	gameExpect(t, "activision dir", "Unknown", 0, 17, 33441, 3074, gameReq(first))

	// Without the marker: five conforming packets (0x28 from the low
	// port side, 0x29 from the high one).
	plain := gameCat([]byte{0x0d, 0x02}, gameZeros(27))
	echo := gameCat([]byte{0x0c, 0x02}, gameZeros(27))
	c28 := gameCat([]byte{0x28}, gameZeros(17))
	c29 := gameCat([]byte{0x29}, gameZeros(26))
	gameExpect(t, "activision plain", "Activision", 5, 17, 3074, 33441,
		gameReq(plain), gameReply(echo), gameReq(c28), gameReply(c29), gameReq(c28))
	gameExpect(t, "activision plain near", "Unknown", 0, 17, 3074, 33441,
		gameReq(plain), gameReply(echo), gameReq(c29))
}

func TestGameCoDMobile(t *testing.T) {
	// Keepalive on 7500: 8 bytes of session id, "ping".
	ping := []byte{0xbb, 0xb6, 0x53, 0xea, 0x96, 0xfd, 0xbb, 0x03, 'p', 'i', 'n', 'g'}
	gameExpect(t, "cod ping", "CoD_Mobile", 1, 17, 40282, 7500, gameReq(ping))
	gameExpect(t, "cod ping port", "Unknown", 0, 17, 40282, 7501, gameReq(ping))

	// A 0xce game packet over 350 bytes naming the loadout prefab.
	game := gameCat([]byte{0xce, 0xa1}, gameZeros(300), []byte("LOC_PREFAB_LOADOUTNAME_1"), gameZeros(40))
	gameExpect(t, "cod loadout", "CoD_Mobile", 2, 17, 38704, 7948, gameReq(gameZeros(20)), gameReply(game))
}

// gameCtx builds the context a dissector sees for the n-th payload packet
// of a flow (n counted in its direction too).
func gameCtx(e *Engine, st *State, p *Packet, n int) ctx {
	*st = State{pkts: uint8(n)}
	st.dirPkts[p.Dir&1] = uint8(n)
	return ctx{e: e, st: st, p: p, payload: p.Payload, dir: p.Dir & 1, l4: p.L4Proto,
		cliPort: p.SrcPort, srvPort: p.DstPort}
}

func TestGameRejectNoAlloc(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	payload := bytes.Repeat([]byte{0x42}, 64)
	var st State
	var c ctx
	for _, l4 := range []uint8{6, 17} {
		p := &Packet{L4Proto: l4, Src: gameClient, Dst: gameServer, SrcPort: 50000, DstPort: 50001, Payload: payload}
		for _, d := range gameDissectors {
			if (l4 == 6 && d.l4&onTCP == 0) || (l4 == 17 && d.l4&onUDP == 0) {
				continue
			}
			allocs := testing.AllocsPerRun(50, func() {
				c = gameCtx(e, &st, p, 1)
				d.run(&c)
			})
			if allocs != 0 {
				t.Errorf("%s (l4 %d): %v allocations on a foreign payload", d.name, l4, allocs)
			}
		}
	}
}

// TestGameHostilePayloads runs every game dissector over random payloads
// of every small length (with the type bytes the parsers walk on) and
// checks that none reads out of bounds.
func TestGameHostilePayloads(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	rng := rand.New(rand.NewPCG(1, 2))
	firsts := []byte{0x00, 0x05, 0x06, 0x07, 0x08, 0x10, 0x13, 0x1c, 0x80, 0x84, 0x8d, 0xa0, 0xc0, 0xfe, 0xff}
	var st State
	for i := 0; i < 20000; i++ {
		n := 1 + rng.IntN(80)
		if i%50 == 0 {
			n = 1 + rng.IntN(1500)
		}
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		b[0] = firsts[rng.IntN(len(firsts))]
		for _, l4 := range []uint8{6, 17} {
			p := &Packet{L4Proto: l4, Src: gameClient, Dst: gameServer, SrcPort: 1119, DstPort: 3724,
				Dir: Direction(rng.IntN(2)), Payload: b}
			for _, d := range gameDissectors {
				c := gameCtx(e, &st, p, 1+rng.IntN(8))
				if rng.IntN(2) == 0 {
					// Mid-flow: some state already kept.
					st.scratch = []scratchWord{{idx: c.idx, v: rng.Uint64N(12) | rng.Uint64N(4)<<32}}
				}
				d.run(&c)
			}
		}
	}
}
