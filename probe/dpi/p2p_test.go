package dpi

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// Tests of the peer-to-peer, cryptocurrency and anonymity dissectors
// (p2p.go, bittorrent.go, crypto_coins.go, p2p_misc.go). Every packet is
// written out field by field; each protocol has a positive case and near
// misses, and the flows go through the real engine.

var (
	p2pPeer      = netip.MustParseAddr("198.51.100.7")
	p2pOtherPeer = netip.MustParseAddr("203.0.113.9")
)

// p2pPkt is one payload packet of a test flow.
type p2pPkt struct {
	reply   bool // from the server
	payload []byte
}

func p2pReq(b []byte) p2pPkt   { return p2pPkt{payload: b} }
func p2pReply(b []byte) p2pPkt { return p2pPkt{reply: true, payload: b} }

// p2pFlow describes the endpoints of a test flow.
type p2pFlow struct {
	l4       uint8
	cli, srv netip.Addr
	cliPort  uint16
	srvPort  uint16
	// e, when set, is the engine to use, so that flows can share what the
	// engine remembers across flows (Tinc peers).
	e *Engine
}

// run feeds the packets to the flow's engine (a fresh one by default) and returns the flow's label
// once the engine is done with it or the packets run out (then the flow is
// finalized, as at its end), and the state.
func (f p2pFlow) run(t *testing.T, pkts ...p2pPkt) (string, *State) {
	t.Helper()
	e := f.e
	if e == nil {
		e = NewEngine(NewRegistry(), nil)
	}
	r := e.Registry()
	st := new(State)
	for _, pk := range pkts {
		p := &Packet{L4Proto: f.l4, Src: f.cli, Dst: f.srv, SrcPort: f.cliPort, DstPort: f.srvPort,
			Dir: ClientToServer, Payload: pk.payload}
		if pk.reply {
			p.Src, p.Dst, p.SrcPort, p.DstPort, p.Dir = f.srv, f.cli, f.srvPort, f.cliPort, ServerToClient
		}
		e.Inspect(st, p)
		if st.Done {
			break
		}
	}
	e.Finalize(st, f.l4, f.cliPort, f.srvPort)
	return r.Name(st.Result), st
}

// expect checks the label of a flow.
func (f p2pFlow) expect(t *testing.T, what, want string, pkts ...p2pPkt) *State {
	t.Helper()
	got, st := f.run(t, pkts...)
	if got != want || st.Result.Confidence != ConfidenceDPI {
		t.Errorf("%s: got %q (confidence %d), want %q by DPI", what, got, st.Result.Confidence, want)
	}
	return st
}

// reject checks that the payload does not label a flow as the protocol
// (a guess from the ports at the end may).
func (f p2pFlow) reject(t *testing.T, what, proto string, pkts ...p2pPkt) {
	t.Helper()
	if got, st := f.run(t, pkts...); got == proto && st.Result.Confidence == ConfidenceDPI {
		t.Errorf("%s: labelled %q", what, got)
	}
}

func p2pCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func p2pFill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

func TestP2PProtocolNames(t *testing.T) {
	r := NewRegistry()
	for id, name := range map[ProtoID]string{
		protoGnutella:   "Gnutella",
		protoEDonkey:    "eDonkey",
		protoBitTorrent: "BitTorrent",
		protoMining:     "Mining",
		protoTINC:       "TINC",
		protoOICQ:       "OICQ",
		protoBitcoin:    "BITCOIN",
		protoEthereum:   "ETHEREUM",
		protoKCP:        "KCP",
	} {
		if got := r.Protocol(id).Name; got != name {
			t.Errorf("protocol %d is %q, want %q", id, got, name)
		}
	}
}

// btHandshake is a peer wire handshake (68 bytes).
var btHandshake = p2pCat(
	[]byte{19},                           // protocol name length
	[]byte("BitTorrent protocol"),        // protocol name
	[]byte{0, 0, 0, 0, 0, 0x10, 0, 0x05}, // reserved: extension protocol, DHT, fast
	[]byte{0xdc, 0xfc, 0xdc, 0xcf, 0xb9, 0xe6, 0x70, 0xcc, 0xc3, 0xdd, // info hash
		0x40, 0xc7, 0x8c, 0x16, 0x1f, 0x2b, 0xea, 0x24, 0x31, 0x26},
	[]byte("-UT3530-"), p2pFill(12, 'x'), // peer id
)

func TestP2PBitTorrentTCP(t *testing.T) {
	f := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 52915, srvPort: 60163}
	st := f.expect(t, "handshake", "BitTorrent", p2pReq(btHandshake))
	if st.Info == nil || st.Info.Text != "dcfcdccfb9e670ccc3dd40c78c161f2bea243126" {
		t.Errorf("info hash: %+v", st.Info)
	}
	f.expect(t, "length byte apart", "BitTorrent", p2pReq(btHandshake[:1]), p2pReq(btHandshake[1:]))

	bad := bytes.Clone(btHandshake)
	bad[19] = 'X' // "BitTorrent protocoX"
	f.reject(t, "misspelt name", "BitTorrent", p2pReq(bad))
	f.reject(t, "lone length byte, then something else", "BitTorrent",
		p2pReq(btHandshake[:1]), p2pReq([]byte("GET / HTTP/1.1\r\n\r\n")))
}

// dhtFindNode is a KRPC find_node query (BEP 5).
var dhtFindNode = p2pCat(
	[]byte("d1:ad2:id20:"), p2pFill(20, 0xf6), // arguments: querying node id
	[]byte("6:target20:"), p2pFill(20, 0x09), // target node id
	[]byte("e1:q9:find_node"), // query name
	[]byte("1:t2:aa"),         // transaction id
	[]byte("1:y1:qe"),         // message type: query
)

// dhtResponse answers it (the "ip" key sorts first).
var dhtResponse = p2pCat(
	[]byte("d2:ip6:"), []byte{93, 47, 225, 248, 0xb6, 0x35}, // requester's address
	[]byte("1:rd2:id20:"), p2pFill(20, 0x0a), // responding node id
	[]byte("5:nodes26:"), p2pFill(26, 0x07), // one compact node
	[]byte("e1:t2:aa1:y1:re"), // transaction id, type: response
)

// utpHeader builds a uTP version 1 header: type, no extension, connection
// id, timestamps, window, sequence and ack numbers.
func utpHeader(typ byte, conn uint16, tdiff, wnd uint32, seq uint16) []byte {
	b := []byte{typ<<4 | 1, 0}
	b = binary.BigEndian.AppendUint16(b, conn)
	b = binary.BigEndian.AppendUint32(b, 0x0a0b0c0d) // timestamp (µs)
	b = binary.BigEndian.AppendUint32(b, tdiff)      // timestamp difference
	b = binary.BigEndian.AppendUint32(b, wnd)        // window size
	b = binary.BigEndian.AppendUint16(b, seq)        // sequence number
	return binary.BigEndian.AppendUint16(b, 0x0100)  // ack number
}

func TestP2PBitTorrentUDP(t *testing.T) {
	f := p2pFlow{l4: 17, cli: client, srv: p2pPeer, cliPort: 23994, srvPort: 5201}
	f.expect(t, "DHT query", "BitTorrent", p2pReq(dhtFindNode))
	f.expect(t, "DHT response first", "BitTorrent", p2pReply(dhtResponse))
	f.expect(t, "tracker connect", "BitTorrent", p2pReq([]byte{
		0x00, 0x00, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80, // protocol id
		0x00, 0x00, 0x00, 0x00, // action: connect
		0x5e, 0x1f, 0x22, 0x07, // transaction id
	}))
	f.expect(t, "local service discovery", "BitTorrent",
		p2pReq([]byte("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 51413\r\n\r\n")))
	f.expect(t, "uTP SYN", "BitTorrent", p2pReq(utpHeader(4, 0x1234, 0, 0x100000, 1)))
	data := func(seq uint16) p2pPkt {
		return p2pReq(p2pCat(utpHeader(0, 0x1234, 5000, 0x100000, seq), p2pFill(100, 0x55)))
	}
	f.expect(t, "uTP data stream", "BitTorrent", data(7), data(8), data(9))

	f.reject(t, "uTP data out of sequence", "BitTorrent", data(7), data(7), data(7))
	f.reject(t, "uTP SYN with data", "BitTorrent",
		p2pReq(p2pCat(utpHeader(4, 0x1234, 0, 0x100000, 1), []byte{1, 2, 3})))
	low := f
	low.cliPort = 123
	low.reject(t, "DHT from a well-known port", "BitTorrent", p2pReq(dhtFindNode))
	f.reject(t, "bencoded dictionary without a message type", "BitTorrent",
		p2pReq([]byte("d2:id20:aaaaaaaaaaaaaaaaaaaa4:name3:fooe")))
	f.reject(t, "tracker magic with another action", "BitTorrent", p2pReq([]byte{
		0x00, 0x00, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80, 0x00, 0x00, 0x00, 0x07, 0, 0, 0, 1}))
}

// ethPing is a discovery v4 ping: hash, signature, type, RLP data.
var ethPing = p2pCat(
	p2pFill(32, 0x1c), // keccak256 hash of the rest
	p2pFill(65, 0x8d), // secp256k1 signature
	[]byte{0x01},      // packet type: ping
	[]byte{0xdd, 0x04, 0xcb, 0x84, 0x7f, 0x00, 0x00, 0x01, 0x82, 0x76, 0x5f, 0x82, 0x76, 0x5f, // version, from
		0xc9, 0x84, 0x4f, 0x16, 0xce, 0xbd, 0x82, 0xe9, 0xf7, 0x80, // to
		0x84, 0x5f, 0x3a, 0x20, 0x00}, // expiration
)

// ethAuth is an EIP-8 RLPx auth message of 400 bytes: size, then ECIES
// (0x04 and the ephemeral public key, IV, ciphertext, MAC).
var ethAuth = p2pCat(
	[]byte{0x01, 0x8e}, // size of the rest: 398
	[]byte{0x04},       // uncompressed public key
	p2pFill(397, 0x5a), // key, IV, ciphertext and MAC
)

func TestP2PEthereum(t *testing.T) {
	udp := p2pFlow{l4: 17, cli: client, srv: p2pPeer, cliPort: 30303, srvPort: 30303}
	udp.expect(t, "discovery ping", "ETHEREUM", p2pReq(ethPing))
	alt := udp
	alt.srvPort, alt.cliPort = 30303, 50000
	alt.expect(t, "discovery from another port", "ETHEREUM", p2pReq(ethPing))

	other := udp
	other.cliPort, other.srvPort = 40000, 40001
	other.reject(t, "discovery off port 30303", "ETHEREUM", p2pReq(ethPing))
	mcast := udp
	mcast.srv = netip.MustParseAddr("239.255.255.250")
	mcast.reject(t, "discovery to a group address", "ETHEREUM", p2pReq(ethPing))
	bad := bytes.Clone(ethPing)
	bad[97] = 0x09
	udp.reject(t, "unknown packet type", "ETHEREUM", p2pReq(bad))

	tcp := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 56626, srvPort: 30303}
	tcp.expect(t, "RLPx auth", "ETHEREUM", p2pReq(ethAuth))
	bad = bytes.Clone(ethAuth)
	bad[1]++ // size off by one
	tcp.reject(t, "size not matching", "ETHEREUM", p2pReq(bad))
	off := tcp
	off.srvPort = 8545
	off.reject(t, "RLPx auth off the devp2p ports", "ETHEREUM", p2pReq(ethAuth))
}

// btcVersion is the start of a Bitcoin "version" message.
var btcVersion = p2pCat(
	[]byte{0xf9, 0xbe, 0xb4, 0xd9},        // mainnet magic
	[]byte("version\x00\x00\x00\x00\x00"), // command, zero padded
	[]byte{0x55, 0x00, 0x00, 0x00},        // payload length 85
	[]byte{0x01, 0x7d, 0x00, 0x00},        // checksum
	[]byte{0x7f, 0x11, 0x01, 0x00},        // protocol version 70015
	p2pFill(81, 0),                        // services, time, addresses, nonce...
)

func TestP2PBitcoin(t *testing.T) {
	f := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 55348, srvPort: 8333}
	f.expect(t, "version on 8333", "BITCOIN", p2pReq(btcVersion))
	testnet := f
	testnet.srvPort = 18333
	tn := bytes.Clone(btcVersion)
	copy(tn, []byte{0x0b, 0x11, 0x09, 0x07}) // testnet3 magic
	testnet.expect(t, "testnet version on 18333", "BITCOIN", p2pReq(tn))

	bad := bytes.Clone(tn)
	copy(bad[4:], "VERSION!")
	testnet.reject(t, "magic without a command off 8333", "BITCOIN", p2pReq(bad))
	bad = bytes.Clone(btcVersion)
	bad[3] = 0xd8
	f.reject(t, "unknown magic", "BITCOIN", p2pReq(bad))
}

func TestP2PMining(t *testing.T) {
	f := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 46838, srvPort: 3333}
	f.expect(t, "stratum subscribe", "Mining",
		p2pReq([]byte(`{"id":1,"method":"mining.subscribe","params":["EWBF 0.3.4b",null]}`+"\n")))
	eth := f
	eth.srvPort = 9999
	eth.expect(t, "eth-proxy login", "Mining", p2pReq([]byte(
		`{"worker": "eth1.0", "jsonrpc": "2.0", "params": ["0x9c99d212f7e5daa18ab5.rig", "x"], "id": 2, "method": "eth_submitLogin"}`+"\n")))
	xmr := f
	xmr.srvPort = 9050
	xmr.expect(t, "CryptoNote login", "Mining", p2pReq([]byte(
		`{"method":"login","params":{"login":"4BCeEPhodgPMbPWFN1dPwh","pass":"x","agent":"xmr-stak-cpu/1.3.0"},"id":1}`+"\n")))
	f.expect(t, "pool speaks first", "Mining",
		p2pReply([]byte(`{"id":null,"method":"mining.set_difficulty","params":[8]}`+"\n")))

	f.reject(t, "other JSON-RPC login", "Mining", p2pReq([]byte(
		`{"jsonrpc":"2.0","method":"login","params":{"user":"bob","password":"x"},"id":1}`+"\n")))
	f.reject(t, "not JSON", "Mining", p2pReq([]byte("mining.subscribe\n")))
}

func TestP2PEDonkey(t *testing.T) {
	hello := p2pCat(
		[]byte{0xe3},                   // protocol: eDonkey
		[]byte{0x13, 0x00, 0x00, 0x00}, // length of opcode and data: 19
		[]byte{0x01},                   // opcode: hello
		[]byte{0x10},                   // user hash size
		p2pFill(16, 0x42),              // user hash
		[]byte{0x00},                   // start of the client id
	)
	f := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 1754, srvPort: 7551}
	st := f.expect(t, "hello", "eDonkey", p2pReq(hello))
	if !st.Risks.Has(RiskUnsafeProtocol) {
		t.Error("eDonkey: no unsafe protocol risk")
	}
	bad := bytes.Clone(hello)
	bad[1] = 0x14
	f.reject(t, "length not matching", "eDonkey", p2pReq(bad))
	bad = bytes.Clone(hello)
	bad[0] = 0xe2
	f.reject(t, "unknown protocol byte", "eDonkey", p2pReq(bad))
}

func TestP2PGnutella(t *testing.T) {
	f := p2pFlow{l4: 6, cli: client, srv: p2pPeer, cliPort: 40000, srvPort: 6346}
	f.expect(t, "connect", "Gnutella", p2pReq([]byte("GNUTELLA CONNECT/0.6\r\nUser-Agent: LimeWire/4.12\r\n\r\n")))
	f.expect(t, "reply", "Gnutella", p2pReply([]byte("GNUTELLA/0.6 200 OK\r\n\r\n")))
	f.reject(t, "other text", "Gnutella", p2pReq([]byte("GNUTELLA CONNECT 0.6\r\n\r\n")))

	// LimeWire's TLS, after a one-byte keep-alive.
	hello := p2pCat(
		[]byte{0x16, 0x03, 0x01, 0x00, 0x54}, // handshake record, TLS 1.0, 84 bytes
		[]byte{0x01, 0x00, 0x00, 0x50},       // ClientHello, 80 bytes
		[]byte{0x03, 0x01},                   // TLS 1.0
		[]byte{0x4d, 0x6c}, p2pFill(30, 0),   // random
		[]byte{0x20}, []byte{0x4d, 0x6c}, p2pFill(30, 0), // 32-byte session id
		[]byte{0x00, 0x02, 0x00, 0x34},                   // one cipher suite: TLS_DH_anon_WITH_AES_128_CBC_SHA
		[]byte{0x01, 0x00},                               // compression: null
		[]byte{0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00}, // extensions: renegotiation info
	)
	f.expect(t, "TLS", "Gnutella", p2pReq([]byte{0}), p2pReq(hello))
	common := bytes.Clone(hello)
	common[79] = 0x2f // TLS_RSA_WITH_AES_128_CBC_SHA
	f.reject(t, "TLS with a common cipher suite", "Gnutella", p2pReq([]byte{0}), p2pReq(common))
}

func TestP2PTinc(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	meta := p2pFlow{l4: 6, cli: client, srv: p2pOtherPeer, cliPort: 49290, srvPort: 55656, e: e}
	meta.expect(t, "meta connection", "TINC",
		p2pReq([]byte("0 alpha 17\n")),                      // ID: name, protocol version
		p2pReply([]byte("0 beta 17\n")),                     // ID of the other side
		p2pReply([]byte("1 94 64 0 0 5861ABF6A8585CEE2\n")), // METAKEY: cipher, digest, MAC length, compression, key
		p2pReq([]byte("1 429 672 0 0 4F8F712AB46F77\n")),
	)
	// The tunnel between the same hosts, to the meta server's port,
	// started by the meta server.
	tunnel := p2pFlow{l4: 17, cli: p2pOtherPeer, srv: client, cliPort: 55656, srvPort: 55656, e: e}
	tunnel.expect(t, "tunnel", "TINC", p2pReq(p2pFill(40, 0x8b)))
	tunnel.reject(t, "second tunnel (entries are used once)", "TINC", p2pReq(p2pFill(40, 0x8b)))

	meta.reject(t, "other protocol version", "TINC",
		p2pReq([]byte("0 alpha 18\n")), p2pReply([]byte("0 beta 18\n")),
		p2pReply([]byte("1 94 64 0 0 5861ABF6\n")), p2pReq([]byte("1 429 672 0 0 4F8F71\n")))
	meta.reject(t, "lower-case key", "TINC",
		p2pReq([]byte("0 alpha 17\n")), p2pReply([]byte("0 beta 17\n")),
		p2pReply([]byte("1 94 64 0 0 5861abf6\n")), p2pReq([]byte("1 429 672 0 0 4f8f71\n")))
	unrelated := p2pFlow{l4: 17, cli: p2pPeer, srv: client, cliPort: 55656, srvPort: 55656}
	unrelated.reject(t, "tunnel of unknown hosts", "TINC", p2pReq(p2pFill(40, 0x8b)))
}

// oicqLogin is a QQ UDP packet.
var oicqLogin = p2pCat(
	[]byte{0x02},                   // start
	[]byte{0x3b, 0x0b},             // client version
	[]byte{0x00, 0x01},             // command: log out
	[]byte{0x00, 0x17},             // sequence number
	[]byte{0x56, 0x1f, 0x0c, 0x7b}, // QQ number
	p2pFill(20, 0x9f),              // encrypted data
	[]byte{0x03},                   // end
)

func TestP2POICQ(t *testing.T) {
	f := p2pFlow{l4: 17, cli: client, srv: p2pPeer, cliPort: 54233, srvPort: 8000}
	f.expect(t, "packet", "OICQ", p2pReq(oicqLogin))
	bad := bytes.Clone(oicqLogin)
	bad[len(bad)-1] = 0x00
	f.reject(t, "no end byte", "OICQ", p2pReq(bad))
	bad = bytes.Clone(oicqLogin)
	bad[3], bad[4] = 0x02, 0x00 // command 0x0200
	f.reject(t, "unknown command", "OICQ", p2pReq(bad))
}

// kcpPush is a KCP data segment carrying 4 bytes.
var kcpPush = p2pCat(
	[]byte{0x0a, 0x00, 0x00, 0x00}, // conversation id
	[]byte{81},                     // command: push
	[]byte{0x00},                   // fragment
	[]byte{0x80, 0x00},             // window
	[]byte{0x14, 0x00, 0x00, 0x00}, // timestamp
	[]byte{0x00, 0x00, 0x00, 0x00}, // sequence number
	[]byte{0x00, 0x00, 0x00, 0x00}, // unacknowledged number
	[]byte{0x04, 0x00, 0x00, 0x00}, // data length
	[]byte("ping"),
)

func TestP2PKCP(t *testing.T) {
	f := p2pFlow{l4: 17, cli: client, srv: p2pPeer, cliPort: 47356, srvPort: 8001}
	f.expect(t, "push", "KCP", p2pReq(kcpPush))
	bad := bytes.Clone(kcpPush)
	bad[20] = 5
	f.reject(t, "length not matching", "KCP", p2pReq(bad))
	bad = bytes.Clone(kcpPush)
	bad[4] = 85
	f.reject(t, "unknown command", "KCP", p2pReq(bad))
}

// TestP2PTruncated feeds every prefix of the test packets to the
// dissectors, on both transports and on their ports: none may panic.
func TestP2PTruncated(t *testing.T) {
	samples := [][]byte{btHandshake, dhtFindNode, dhtResponse, ethPing, ethAuth, btcVersion,
		oicqLogin, kcpPush, utpHeader(4, 1, 0, 1, 1), []byte("0 a 17\n"), []byte("1 1 1 1 1 A\n"),
		[]byte(`{"method":"login"`)}
	for _, s := range samples {
		for n := 1; n <= len(s); n++ {
			for _, f := range []p2pFlow{
				{l4: 6, cli: client, srv: p2pPeer, cliPort: 40000, srvPort: 30303},
				{l4: 17, cli: client, srv: p2pPeer, cliPort: 40000, srvPort: 30303},
				{l4: 6, cli: client, srv: p2pPeer, cliPort: 40000, srvPort: 8333},
				{l4: 17, cli: client, srv: p2pPeer, cliPort: 40000, srvPort: 6881},
			} {
				f.run(t, p2pReq(s[:n]), p2pReq(s[:n]), p2pReply(s[:n]), p2pReq(s[:n]))
			}
		}
	}
}

// TestP2PRejectNoAlloc checks that ruling a payload out allocates nothing.
func TestP2PRejectNoAlloc(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	payload := []byte("\x16\x03\x01\x00\x10 some other protocol, long enough for every check..............")
	for _, l4 := range []uint8{6, 17} {
		mask := onTCP
		if l4 == 17 {
			mask = onUDP
		}
		for _, d := range p2pDissectors {
			if d.l4&mask == 0 {
				continue
			}
			var st State
			p := &Packet{L4Proto: l4, Src: client, Dst: p2pPeer, SrcPort: 40000, DstPort: 40001, Payload: payload}
			c := &ctx{e: e, st: &st, p: p, payload: payload, l4: l4, cliPort: 40000, srvPort: 40001}
			st.pkts, st.dirPkts[0] = 1, 1
			allocs := testing.AllocsPerRun(10, func() {
				if v := d.run(c); v != notMine {
					t.Errorf("%s/%d: verdict %d on a foreign payload", d.name, l4, v)
				}
			})
			if allocs != 0 {
				t.Errorf("%s/%d: %.0f allocations to reject", d.name, l4, allocs)
			}
		}
	}
}
