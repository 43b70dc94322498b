package dpi

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"sync"
	"testing"
)

var (
	quicCli = netip.MustParseAddr("192.0.2.10")
	quicSrv = netip.MustParseAddr("198.51.100.20")
)

// quicGoogle is the service www.google.com names.
const quicGoogle ProtoID = 126

func TestQUICProtoNames(t *testing.T) {
	reg := NewRegistry()
	for _, c := range []struct {
		id   ProtoID
		name string
	}{
		{ProtoQUIC, "QUIC"}, {quicProtoDoHDoT, "DoH_DoT"}, {quicProtoSnapchat, "Snapchat"},
		{quicProtoSnapchatCall, "SnapchatCall"}, {quicGoogle, "Google"},
	} {
		if got := reg.Protocol(c.id).Name; got != c.name {
			t.Errorf("protocol %d is %q, want %q", c.id, got, c.name)
		}
	}
}

func quicUnhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQUICInitialKeys checks the key derivation against RFC 9001 appendix
// A.1 and RFC 9369 appendix A.1 (same connection id, v2 salt and labels).
func TestQUICInitialKeys(t *testing.T) {
	dcid := quicUnhex(t, "8394c8f03e515708")
	for _, c := range []struct {
		v           uint32
		key, iv, hp string
	}{
		{quicV1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{quicV2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	} {
		k, ok := quicDeriveRaw(c.v, dcid)
		if !ok {
			t.Fatalf("%08x: derivation failed", c.v)
		}
		if hex.EncodeToString(k.key) != c.key || hex.EncodeToString(k.iv) != c.iv || hex.EncodeToString(k.hp) != c.hp {
			t.Errorf("%08x: key %x iv %x hp %x", c.v, k.key, k.iv, k.hp)
		}
	}
}

// quicTestHello builds a TLS 1.3 ClientHello handshake message as QUIC
// clients send it. pad > 0 adds a padding extension of that size before the
// server name, to push the name into a later packet.
func quicTestHello(sni, alpn string, pad int) []byte {
	var ext []byte
	if pad > 0 {
		ext = append(ext, 0x00, 0x15) // extension padding (21)
		ext = binary.BigEndian.AppendUint16(ext, uint16(pad))
		ext = append(ext, make([]byte, pad)...)
	}
	if sni != "" {
		ext = append(ext, 0x00, 0x00) // extension server_name (0)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(sni)+5))
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(sni)+3)) // server_name_list length
		ext = append(ext, 0x00)                                      // name_type host_name
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(sni)))
		ext = append(ext, sni...)
	}
	if alpn != "" {
		ext = append(ext, 0x00, 0x10) // extension ALPN (16)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(alpn)+3))
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(alpn)+1)) // protocol_name_list length
		ext = append(ext, byte(len(alpn)))
		ext = append(ext, alpn...)
	}
	ext = append(ext,
		0x00, 0x2b, // extension supported_versions (43)
		0x00, 0x03, // length
		0x02,       // versions length
		0x03, 0x04, // TLS 1.3
	)
	body := []byte{0x03, 0x03}                             // legacy_version TLS 1.2
	body = append(body, bytes.Repeat([]byte{0x11}, 32)...) // random
	body = append(body,
		0x00,                   // legacy_session_id: empty
		0x00, 0x02, 0x13, 0x01, // cipher_suites: TLS_AES_128_GCM_SHA256
		0x01, 0x00, // legacy_compression_methods: null
	)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	msg := []byte{0x01, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))} // ClientHello, length
	return append(msg, body...)
}

// quicTestCrypto is a CRYPTO frame (type 0x06; 0x08 in Google's T05x):
// type, offset and length as 2-byte variable-length integers, data.
func quicTestCrypto(typ byte, off int, data []byte) []byte {
	f := []byte{typ, 0x40 | byte(off>>8), byte(off), 0x40 | byte(len(data)>>8), byte(len(data))}
	return append(f, data...)
}

// quicTestInitial builds a client Initial of version v protected with the
// keys of dcid, padded to 1200 bytes: long header (first byte 0xc3: long
// form, fixed bit, type Initial, 4-byte packet number; v2 numbers Initial
// 1: 0xd3), version, connection ids, empty token, Length, packet number,
// then the AEAD-sealed frames; header protection last.
func quicTestInitial(t testing.TB, v uint32, dcid []byte, pn uint32, frames []byte) []byte {
	t.Helper()
	raw, ok := quicDeriveRaw(v, dcid)
	if !ok {
		t.Fatal("key derivation failed")
	}
	first := byte(0xc3)
	if v == quicV2 {
		first = 0xd3
	}
	hdr := []byte{first}
	hdr = binary.BigEndian.AppendUint32(hdr, v)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0x04, 0x5c, 0x1d, 0x00, 0x01) // source connection id, 4 bytes
	hdr = append(hdr, 0x00)                         // token length 0
	const pnLen, tagLen = 4, 16
	size := max(len(frames)+tagLen, quicMinInitial-len(hdr)-2-pnLen)
	frames = append(frames[:len(frames):len(frames)], make([]byte, size-tagLen-len(frames))...) // PADDING frames
	hdr = binary.BigEndian.AppendUint16(hdr, 0x4000|uint16(size+pnLen))                         // Length, 2-byte varint
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)

	block, _ := aes.NewCipher(raw.key)
	aead, _ := cipher.NewGCM(block)
	nonce := bytes.Clone(raw.iv)
	for i := range 4 {
		nonce[8+i] ^= byte(pn >> (24 - 8*i))
	}
	pkt := aead.Seal(bytes.Clone(hdr), nonce, frames, hdr)
	hp, _ := aes.NewCipher(raw.hp)
	var mask [16]byte
	hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := range pnLen {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt
}

// quicTestEngine is shared by the tests (which do not run in parallel):
// building a registry takes a while.
var quicTestEngine = sync.OnceValue(func() *Engine { return NewEngine(NewRegistry(), nil) })

var quicDCID = []byte{0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08}

// quicTestFlow runs packets through a fresh engine; toServer[i] says the
// direction of payloads[i]. The server listens on port srvPort.
func quicTestFlow(srvPort uint16, payloads [][]byte, toServer []bool) State {
	e := quicTestEngine()
	var st State
	for i, b := range payloads {
		p := &Packet{L4Proto: 17, Src: quicCli, Dst: quicSrv, SrcPort: 50000, DstPort: srvPort, Payload: b}
		if !toServer[i] {
			p.Src, p.Dst, p.SrcPort, p.DstPort, p.Dir = p.Dst, p.Src, p.DstPort, p.SrcPort, ServerToClient
		}
		e.Inspect(&st, p)
	}
	return st
}

func quicOne(srvPort uint16, b []byte) State {
	return quicTestFlow(srvPort, [][]byte{b}, []bool{true})
}

func TestQUICInitialVersions(t *testing.T) {
	hello := quicTestHello("www.google.com", "h3", 0)
	for _, v := range []uint32{quicV1, quicV2, 0xff00001d, 0xff00001b, 0xff000020, quicMvfst27, gquicT051} {
		typ := byte(0x06)
		if v == gquicT051 {
			typ = 0x08
		}
		st := quicOne(443, quicTestInitial(t, v, quicDCID, 0, quicTestCrypto(typ, 0, hello)))
		if st.Result.Master != ProtoQUIC || st.Result.App != quicGoogle || st.ServerName != "www.google.com" {
			t.Errorf("%08x: %+v %q", v, st.Result, st.ServerName)
		}
		if st.Info == nil || st.Info.TLS.Version != 0x0304 || len(st.Info.TLS.ALPN) != 1 || st.Info.TLS.ALPN[0] != "h3" ||
			len(st.Info.TLS.SupportedVersions) != 1 || st.Info.TLS.SupportedVersions[0] != 0x0304 {
			t.Errorf("%08x: TLS metadata %+v", v, st.Info)
		}
	}
}

// TestQUICReorderedCrypto: Chrome cuts the ClientHello into CRYPTO frames
// sent out of order, with PING and PADDING frames in between.
func TestQUICReorderedCrypto(t *testing.T) {
	hello := quicTestHello("www.google.com", "h3", 0)
	var frames []byte
	frames = append(frames, quicTestCrypto(0x06, 40, hello[40:70])...)
	frames = append(frames, 0x01, 0x00, 0x00) // PING, PADDING, PADDING
	frames = append(frames, quicTestCrypto(0x06, 70, hello[70:])...)
	frames = append(frames, 0x01) // PING
	frames = append(frames, quicTestCrypto(0x06, 0, hello[:45])...)
	st := quicOne(443, quicTestInitial(t, quicV1, quicDCID, 0, frames))
	if st.Result.App != quicGoogle || st.ServerName != "www.google.com" {
		t.Errorf("%+v %q", st.Result, st.ServerName)
	}
}

// TestQUICHelloTwoPackets: a ClientHello larger than a packet, whose server
// name is in the second Initial.
func TestQUICHelloTwoPackets(t *testing.T) {
	hello := quicTestHello("www.google.com", "h3", 1300)
	p1 := quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, hello[:1000]))
	p2 := quicTestInitial(t, quicV1, quicDCID, 1, quicTestCrypto(0x06, 1000, hello[1000:]))
	st := quicTestFlow(443, [][]byte{p1}, []bool{true})
	if st.Result.App != ProtoQUIC || st.Done {
		t.Errorf("after the first packet: %+v done=%v", st.Result, st.Done)
	}
	srv := []byte{0xc1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4} // a server Initial header, cut
	st = quicTestFlow(443, [][]byte{p1, srv, p2}, []bool{true, false, true})
	if st.Result.App != quicGoogle || st.ServerName != "www.google.com" || !st.Done {
		t.Errorf("after the second packet: %+v %q done=%v", st.Result, st.ServerName, st.Done)
	}
}

func TestQUICDoQ(t *testing.T) {
	hello := quicTestHello("dns.example", "doq", 0)
	st := quicOne(853, quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, hello)))
	if st.Result.Master != ProtoQUIC || st.Result.App != quicProtoDoHDoT {
		t.Errorf("%+v", st.Result)
	}
}

// TestQUICUndecryptable: an Initial whose tag does not verify is still
// QUIC, without a service.
func TestQUICUndecryptable(t *testing.T) {
	b := quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, quicTestHello("www.google.com", "", 0)))
	b[len(b)-1] ^= 1
	st := quicOne(443, b)
	if st.Result.Master != ProtoUnknown || st.Result.App != ProtoQUIC || st.ServerName != "" {
		t.Errorf("%+v %q", st.Result, st.ServerName)
	}
}

// gquicTestCHLO is a Google QUIC CHLO: tag, tag count 2 (little endian),
// padding, then PAD and SNI with the end offsets of their values, then the
// values.
func gquicTestCHLO(sni string) []byte {
	b := []byte("CHLO")
	b = append(b, 0x02, 0x00, 0x00, 0x00)
	b = append(b, 'P', 'A', 'D', 0)
	b = binary.LittleEndian.AppendUint32(b, 4)
	b = append(b, 'S', 'N', 'I', 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+len(sni)))
	b = append(b, '-', '-', '-', '-')
	return append(b, sni...)
}

// gquicTestPacket is a Google QUIC client packet in clear, padded to 1200
// bytes.
func gquicTestPacket(v string, chlo []byte) []byte {
	var b []byte
	switch v {
	case "Q046":
		b = []byte{0xc3}    // long header, Initial, 4-byte packet number
		b = append(b, v...) // version
		b = append(b, 0x50) // connection id lengths: 8-byte destination
		b = append(b, make([]byte, 8)...)
		b = append(b, 0, 0, 0, 1) // packet number
	default:
		b = []byte{0x09} // public flags: version, 8-byte connection id
		b = append(b, make([]byte, 8)...)
		b = append(b, v...) // version
		b = append(b, 0x01) // packet number
	}
	b = append(b, make([]byte, 12)...) // message authentication hash
	b = append(b, 0xa0, 0x01)          // stream frame with length, stream 1
	b = binary.BigEndian.AppendUint16(b, uint16(len(chlo)))
	b = append(b, chlo...)
	return append(b, make([]byte, quicMinInitial-len(b))...)
}

func TestGQUIC(t *testing.T) {
	for _, v := range []string{"Q043", "Q046"} {
		st := quicOne(443, gquicTestPacket(v, gquicTestCHLO("www.google.com")))
		if st.Result.App != quicGoogle || st.ServerName != "www.google.com" {
			t.Errorf("%s: %+v %q", v, st.Result, st.ServerName)
		}
	}
	// Q044 is a valid but unknown version: QUIC, nothing read.
	st := quicOne(443, gquicTestPacket("Q044", gquicTestCHLO("www.google.com")))
	if st.Result.App != ProtoQUIC || st.ServerName != "" {
		t.Errorf("Q044: %+v %q", st.Result, st.ServerName)
	}
}

// TestQUICSnapchatCall: Q046 without a server name, then RTP on the flow.
func TestQUICSnapchatCall(t *testing.T) {
	q := gquicTestPacket("Q046", gquicTestCHLO(""))
	rtp := []byte{0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xde, 0xad} // RTP v2, payload type 96
	st := quicTestFlow(443, [][]byte{q, {0x43, 1, 2, 3}, rtp}, []bool{true, false, true})
	if st.Result.Master != ProtoQUIC || st.Result.App != quicProtoSnapchatCall {
		t.Errorf("%+v", st.Result)
	}
}

// TestQUICForcedVN: a reserved version, the server's Version Negotiation,
// then the real Initial.
func TestQUICForcedVN(t *testing.T) {
	vn := make([]byte, quicMinInitial)
	copy(vn, []byte{0xc3, 0xba, 0xba, 0xba, 0xba, 8}) // long header, version 0xbabababa, DCID length 8
	neg := []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1} // Version Negotiation: no ids, v1 offered
	ini := quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, quicTestHello("www.google.com", "", 0)))
	st := quicTestFlow(443, [][]byte{vn, neg, ini}, []bool{true, false, true})
	if st.Result.App != quicGoogle || st.ServerName != "www.google.com" {
		t.Errorf("%+v %q", st.Result, st.ServerName)
	}
	// Anything but a negotiation after the reserved version ends it.
	st = quicTestFlow(443, [][]byte{vn, {0x17, 0xfe, 0xfd}, ini}, []bool{true, false, true})
	if st.Result.App != ProtoQUIC || st.ServerName != "" {
		t.Errorf("no VN: %+v %q", st.Result, st.ServerName)
	}
}

// quicTestShort is a client short-header packet: first byte 0x41 (fixed
// bit, 2-byte packet number), an 8-byte connection id, then the payload.
func quicTestShort(last byte) []byte {
	b := []byte{0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0x00, 0x07, 0x99, 0x42}
	return append(b, last)
}

func TestQUICShortHeaders(t *testing.T) {
	st := quicTestFlow(443, [][]byte{quicTestShort(1), quicTestShort(2), quicTestShort(3)}, []bool{true, true, true})
	if st.Result.App != ProtoQUIC || st.Result.Confidence != ConfidenceDPI {
		t.Errorf("three short headers: %+v", st.Result)
	}
	// A repeated packet is not QUIC (which never retransmits a packet).
	st = quicTestFlow(443, [][]byte{quicTestShort(1), quicTestShort(1), quicTestShort(3)}, []bool{true, true, true})
	if st.Result.Confidence == ConfidenceDPI {
		t.Errorf("repeated short header: %+v", st.Result)
	}
}

func TestGQUICReject(t *testing.T) {
	// Flags 0x08 (8-byte connection id), the id, packet number, 12-byte
	// hash, then a REJ message.
	b := []byte{0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x01}
	b = append(b, make([]byte, 12)...)
	b = append(b, 0x00, 0x00, 'R', 'E', 'J', 0x00)
	b = append(b, make([]byte, 24)...)
	st := quicTestFlow(443, [][]byte{b}, []bool{false})
	if st.Result.App != ProtoQUIC {
		t.Errorf("%+v", st.Result)
	}
	b[24] = 'X' // "RXJ"
	st = quicTestFlow(443, [][]byte{b}, []bool{false})
	if st.Result.Confidence == ConfidenceDPI {
		t.Errorf("near miss: %+v", st.Result)
	}
}

// TestQUIC0RTT: 0-RTT packets (long header type 1) overtaking the Initial.
func TestQUIC0RTT(t *testing.T) {
	zero := []byte{0xd3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x40, 0x10, 0, 0, 0, 2} // 0-RTT, v1, DCID 8, SCID 0, Length, pn
	ini := quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, quicTestHello("www.google.com", "", 0)))
	st := quicTestFlow(4433, [][]byte{zero, ini}, []bool{true, true})
	if st.Result.App != quicGoogle {
		t.Errorf("0-RTT then Initial: %+v", st.Result)
	}
	st = quicTestFlow(4433, [][]byte{zero, zero, zero}, []bool{true, true, true})
	if st.Result.App != ProtoQUIC || st.Result.Confidence != ConfidenceDPI {
		t.Errorf("0-RTT only: %+v", st.Result)
	}
}

func TestQUICNearMisses(t *testing.T) {
	good := quicTestInitial(t, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, quicTestHello("www.google.com", "", 0)))
	short := good[:quicMinInitial-1]
	badVersion := bytes.Clone(good)
	copy(badVersion[1:], []byte{0x12, 0x34, 0x56, 0x78})
	longCID := bytes.Clone(good)
	longCID[5] = 21
	for name, b := range map[string][]byte{"short": short, "version": badVersion, "cid": longCID} {
		st := quicOne(4433, b)
		if st.Result.Confidence == ConfidenceDPI {
			t.Errorf("%s: %+v", name, st.Result)
		}
	}
}

// TestQUICRejectNoAlloc: the common case, a payload that is not QUIC,
// costs no allocation.
func TestQUICRejectNoAlloc(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	payload := []byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0}
	p := &Packet{L4Proto: 17, Src: quicCli, Dst: quicSrv, SrcPort: 50000, DstPort: 5000, Payload: payload}
	var st State
	c := &ctx{e: e, st: &st, d: e.reg.snap(), p: p, payload: payload, l4: 17, cliPort: 50000, srvPort: 5000}
	if n := testing.AllocsPerRun(100, func() {
		if dissectQUIC(c) != notMine {
			t.Fatal("not rejected")
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func FuzzQUIC(f *testing.F) {
	hello := quicTestHello("www.google.com", "h3", 0)
	f.Add(quicTestInitial(f, quicV1, quicDCID, 0, quicTestCrypto(0x06, 0, hello)))
	f.Add(quicTestInitial(f, quicV2, quicDCID, 0, quicTestCrypto(0x06, 0, hello)))
	f.Add(quicTestInitial(f, gquicT051, quicDCID, 0, quicTestCrypto(0x08, 0, hello)))
	f.Add(gquicTestPacket("Q046", gquicTestCHLO("www.google.com")))
	f.Add(gquicTestPacket("Q043", gquicTestCHLO("www.google.com")))
	f.Add(quicTestShort(1))
	e := NewEngine(NewRegistry(), nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		gquicCHLOSNI(b)
		gquicStreamData(b, gquicQ039)
		gquicCryptoFrame(b)
		var h quicHello
		quicReadCrypto(b, &h)
		h = quicHello{}
		h.feed(b, 0)
		if v, ok := quicInitialVersion(b); ok && quicIETFHeader(v) {
			quicDecryptInitial(b, v)
		}
		for _, port := range []uint16{443, 4433} {
			var st State
			for range 3 {
				e.Inspect(&st, &Packet{L4Proto: 17, Src: quicCli, Dst: quicSrv, SrcPort: 50000, DstPort: port, Payload: b})
			}
		}
	})
}
