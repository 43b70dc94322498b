package dpi

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// QUIC: IETF QUIC (RFC 9000 v1, RFC 9369 v2, the drafts, Facebook's mvfst)
// and Google QUIC (Q024..Q050, T050/T051). A client's first packet carries
// the ClientHello (or, in Google QUIC up to Q046, a CHLO in clear), whose
// server name names the service. The Initial packet protection is removed
// with keys anyone can derive (quic_crypto.go). Flows seen without their
// first packet are recognised, as nDPI does, from a few easy cases: 0-RTT
// packets, three client short-header packets to port 443 with the same
// connection id, and a Google QUIC rejection from the server.

var quicDissectors = []dissector{
	{name: "QUIC", l4: onUDP, udpPorts: []uint16{443}, run: dissectQUIC},
}

// Services QUIC sets besides those named by the server name.
const (
	quicProtoDoHDoT       ProtoID = 196 // DoH_DoT
	quicProtoSnapchat     ProtoID = 199 // Snapchat
	quicProtoSnapchatCall ProtoID = 255 // SnapchatCall
)

// Versions with special handling.
const (
	quicV1       uint32 = 0x00000001
	quicV2       uint32 = 0x6b3343cf
	quicMvfst22  uint32 = 0xfaceb001
	quicMvfst27  uint32 = 0xfaceb002
	quicMvfstExp uint32 = 0xfaceb00e
	gquicQ024    uint32 = 0x51303234 // "Q024"
	gquicQ025    uint32 = 0x51303235
	gquicQ030    uint32 = 0x51303330
	gquicQ033    uint32 = 0x51303333
	gquicQ034    uint32 = 0x51303334
	gquicQ035    uint32 = 0x51303335
	gquicQ037    uint32 = 0x51303337
	gquicQ039    uint32 = 0x51303339
	gquicQ043    uint32 = 0x51303433
	gquicQ046    uint32 = 0x51303436
	gquicQ050    uint32 = 0x51303530
	gquicT050    uint32 = 0x54303530 // "T050": Google QUIC with TLS
	gquicT051    uint32 = 0x54303531
)

const (
	quicMinInitial = 1200 // clients pad the datagram of an Initial to this size
	quicMaxCID     = 20   // connection id length limit of RFC 9000
	quicMaxHello   = 1 << 13
	quicPort       = 443
)

// quicForcingVN reports a reserved version (0x?a?a?a?a) a client sends to
// exercise version negotiation.
func quicForcingVN(v uint32) bool { return v&0x0f0f0f0f == 0x0a0a0a0a }

// quicIsGoogle reports a Google QUIC version: Q02x..Q05x, T05x.
func quicIsGoogle(v uint32) bool {
	switch v & 0xffffff00 {
	case 0x51303200, 0x51303300, 0x51303400, 0x51303500, 0x54303500:
		return true
	}
	return false
}

// quicIsIETF reports a version of the IETF family (v1, v2, drafts, mvfst,
// forced negotiation).
func quicIsIETF(v uint32) bool {
	return v == quicV1 || v == quicV2 || v&0xffffff00 == 0xff000000 ||
		v&0xfffff000 == 0xfaceb000 || quicForcingVN(v)
}

// quicIETFHeader reports the versions with the IETF long header (explicit
// connection id lengths): the IETF family and Google's Q05x/T05x.
func quicIETFHeader(v uint32) bool {
	return quicIsIETF(v) || v&0xffffff00 == 0x51303500 || v&0xffffff00 == 0x54303500
}

// quicDraft maps an IETF version to the draft whose rules it follows (v1 is
// the last draft, 34; v2 sorts after every draft); 0 for other versions.
func quicDraft(v uint32) int {
	switch {
	case v>>8 == 0xff0000:
		return int(v & 0xff)
	case v == quicV1, quicForcingVN(v):
		return 34
	case v == quicMvfst22:
		return 22
	case v == quicMvfst27, v == quicMvfstExp:
		return 27
	case v == quicV2:
		return 100
	}
	return 0
}

// gquicNum is the number of a Google QUIC version ("Q046" is 46), or 0.
func gquicNum(v uint32) int {
	t, u := byte(v>>8), byte(v)
	if !quicIsGoogle(v) || u < '0' || u > '9' {
		return 0
	}
	return int(t-'0')*10 + int(u-'0')
}

// quicSupported lists the versions whose Initial the dissector can read.
func quicSupported(v uint32) bool {
	switch v {
	case gquicQ024, gquicQ025, gquicQ030, gquicQ033, gquicQ034, gquicQ035,
		gquicQ037, gquicQ039, gquicQ043, gquicQ046, gquicQ050, gquicT050,
		gquicT051, quicMvfst22, quicMvfst27, quicMvfstExp:
		return true
	}
	return quicDraft(v) >= 23
}

// quicWithTLS reports the versions whose handshake is TLS 1.3 (the others
// carry a Google CHLO).
func quicWithTLS(v uint32) bool {
	return quicIsIETF(v) || v&0xffffff00 == 0x54303500
}

// quicInitialVersion recognises the packet a client opens a connection
// with and returns its version.
func quicInitialVersion(b []byte) (uint32, bool) {
	if len(b) < quicMinInitial {
		return 0, false
	}
	f := b[0]
	var v uint32
	switch {
	case f&0x80 != 0: // long header
		v = binary.BigEndian.Uint32(b[1:])
	case f&0x08 != 0 && f&0x40 == 0 && f&0x01 != 0:
		// Google QUIC public header: 8-byte connection id, then version.
		v = binary.BigEndian.Uint32(b[9:])
	default:
		return 0, false
	}
	if !quicIsGoogle(v) && !quicIsIETF(v) {
		return 0, false
	}
	// The packet type bits must say Initial (v2 renumbered the types).
	if n := gquicNum(v); n != 0 && n <= 43 && (f&0x08 == 0 || f&0x30 != 0) {
		return 0, false
	}
	if v == gquicQ046 && f&0x03 != 0x03 {
		return 0, false
	}
	if (quicIsIETF(v) && v != quicV2 || v == gquicQ046 || v == gquicQ050) && f&0x30 != 0 {
		return 0, false
	}
	if v == quicV2 && f&0x30 != 0x10 {
		return 0, false
	}
	if quicForcingVN(v) && f&0xc0 != 0xc0 {
		return 0, false
	}
	if quicIETFHeader(v) {
		dcil := int(b[5]) // len(b) >= 1200 keeps both reads in bounds
		if dcil > quicMaxCID || int(b[6+dcil]) > quicMaxCID {
			return 0, false
		}
	}
	return v, true
}

// Per-flow state (the dissector's scratch word): a stage in the low bits,
// stage-specific data above.
const (
	quicStageMask   = 0xf
	quicStage0RTT   = 1 // a 0-RTT packet came before any Initial
	quicStageSH     = 2 // client short headers: count<<4, last byte<<8, CID fingerprint<<16
	quicStageVN     = 3 // forced version negotiation: waiting for the server's answer
	quicStageVNSeen = 4 // negotiation done: the next packet is a real Initial
	quicStageHello  = 5 // ClientHello split over packets: next<<16, end<<32
	quicStageRTP    = 6 // QUIC then RTP on the same flow (Snapchat calls)
)

// quicPeek reads the flow's state word without allocating it, so that the
// common non-QUIC flow costs nothing.
func quicPeek(c *ctx) uint64 {
	for _, w := range c.st.scratch {
		if w.idx == c.idx {
			return w.v
		}
	}
	return 0
}

// dissectQUIC recognises QUIC and names its service from the ClientHello.
func dissectQUIC(c *ctx) verdict {
	s := quicPeek(c)
	switch s & quicStageMask {
	case quicStageVN:
		return quicAwaitVN(c)
	case quicStageVNSeen:
		*c.scratch() = 0
		if v, ok := quicInitialVersion(c.payload); ok {
			return quicInitial(c, v)
		}
		return matched
	case quicStageHello:
		return quicMoreHello(c, s)
	case quicStageRTP:
		return quicAwaitRTP(c)
	}
	if v, ok := quicInitialVersion(c.payload); ok {
		return quicInitial(c, v)
	}
	return quicNotInitial(c, s)
}

// quicInitial handles a client's Initial (or Google QUIC's first packet).
// The flow is QUIC from here; the ClientHello may name the service.
func quicInitial(c *ctx, v uint32) verdict {
	c.set(ProtoQUIC)
	if !quicSupported(v) {
		return matched
	}
	if quicForcingVN(v) {
		// Nothing to read yet: the server answers with a Version
		// Negotiation, then the client sends a real Initial.
		*c.scratch() = quicStageVN
		return matchedMore
	}
	b := c.payload
	n := gquicNum(v)
	switch {
	case n != 0 && n <= 46:
		clear := gquicClearPayload(b, v)
		return quicCHLO(c, v, gquicStreamData(clear, v))
	case n != 0:
		clear, ok := quicDecryptInitial(b, v)
		if !ok {
			return quicNoHello(c)
		}
		data := gquicCryptoFrame(clear)
		if v == gquicQ050 {
			return quicCHLO(c, v, data)
		}
		if data == nil {
			return quicNoHello(c)
		}
		var h quicHello
		h.feed(data, 0)
		quicTLSInfo(c, quicWholeMessage(data))
		return quicHelloDone(c, v, &h)
	}
	clear, ok := quicDecryptInitial(b, v)
	if !ok {
		return quicNoHello(c)
	}
	var h quicHello
	whole, ok := quicReadCrypto(clear, &h)
	if !ok {
		return quicNoHello(c)
	}
	quicTLSInfo(c, whole)
	if !h.done && h.sni == nil {
		*c.scratch() = quicStageHello | uint64(h.next)<<16 | uint64(h.end)<<32
		return matchedMore
	}
	return quicHelloDone(c, v, &h)
}

// quicNoHello classifies an Initial whose ClientHello could not be read.
func quicNoHello(c *ctx) verdict {
	c.setByNameOrAddr(ProtoQUIC, "")
	return matched
}

// quicMoreHello follows a ClientHello split over several Initial packets.
// The flow's state word holds only the stream offset of the next extension
// header, so the bytes of earlier packets are not kept: the parse resumes
// there, and each packet is decrypted with the keys of its own Destination
// Connection ID (after a server's Initial, a client uses the server's id
// but keeps the keys of its first one: such packets are not read).
func quicMoreHello(c *ctx, s uint64) verdict {
	if !c.fromClient() {
		return matchedMore
	}
	v, ok := quicInitialVersion(c.payload)
	if !ok {
		if c.payload[0]&0x80 == 0 {
			// A short header: the handshake went on without us.
			return quicNoHello(c)
		}
		return matchedMore
	}
	if !quicIsIETF(v) || !quicSupported(v) || quicForcingVN(v) {
		return matchedMore
	}
	clear, ok := quicDecryptInitial(c.payload, v)
	if !ok {
		return matchedMore
	}
	h := quicHello{next: int(s >> 16 & 0xffff), end: int(s >> 32 & 0xffff)}
	if _, ok := quicReadCrypto(clear, &h); !ok {
		return matchedMore
	}
	if !h.done && h.sni == nil {
		*c.scratch() = quicStageHello | uint64(h.next)<<16 | uint64(h.end)<<32
		return matchedMore
	}
	*c.scratch() = 0
	return quicHelloDone(c, v, &h)
}

// quicHelloDone classifies a flow from its TLS ClientHello.
func quicHelloDone(c *ctx, v uint32, h *quicHello) verdict {
	name := ""
	if len(h.sni) > 0 {
		name = strings.ToLower(string(h.sni))
	}
	c.setByNameOrAddr(ProtoQUIC, name)
	// DNS over QUIC (RFC 9250) advertises "doq" (drafts: "doq-i00"...).
	if bytes.HasPrefix(h.alpn, []byte("doq")) {
		c.setPair(ProtoQUIC, quicProtoDoHDoT)
		return matched
	}
	// Snapchat calls multiplex RTP with QUIC on the flow of a v1
	// connection to an addlive.io server.
	if v == quicV1 && c.st.Result.App == quicProtoSnapchat && strings.HasSuffix(name, ".addlive.io") {
		*c.scratch() = quicStageRTP
		return matchedMore
	}
	return matched
}

// quicCHLO classifies a flow from a Google QUIC CHLO message.
func quicCHLO(c *ctx, v uint32, data []byte) verdict {
	if data == nil {
		return quicNoHello(c)
	}
	sni := gquicCHLOSNI(data)
	name := ""
	if len(sni) > 0 {
		name = strings.ToLower(string(sni))
	}
	c.setByNameOrAddr(ProtoQUIC, name)
	// Older Snapchat calls: Q046 without a server name, then RTP.
	if v == gquicQ046 && name == "" {
		*c.scratch() = quicStageRTP
		return matchedMore
	}
	return matched
}

// quicAwaitVN expects the server's Version Negotiation after a client's
// forced negotiation.
func quicAwaitVN(c *ctx) verdict {
	if !quicIsVN(c.payload) {
		return matched
	}
	*c.scratch() = quicStageVNSeen
	return matchedMore
}

// quicIsVN recognises a Version Negotiation packet (RFC 8999 section 6).
func quicIsVN(b []byte) bool {
	if len(b) < 11 || b[0]&0x80 == 0 || binary.BigEndian.Uint32(b[1:]) != 0 {
		return false
	}
	dcil := int(b[5])
	if dcil > quicMaxCID || 6+dcil >= len(b) {
		return false
	}
	return int(b[6+dcil]) <= quicMaxCID
}

// quicAwaitRTP watches a QUIC flow that may turn into an RTP call.
func quicAwaitRTP(c *ctx) verdict {
	b := c.payload
	if b[0]&0x40 != 0 {
		return matchedMore // still QUIC
	}
	if b[0]>>6 == 2 && len(b) > 1 && (b[1] == 200 || b[1] == 201 || quicRTPType(b[1]&0x7f)) {
		c.setPair(ProtoQUIC, quicProtoSnapchatCall)
	}
	return matched
}

// quicRTPType reports an RTP payload type of the IANA static range or the
// dynamic one.
func quicRTPType(t byte) bool { return t <= 34 || t >= 96 && t <= 127 }

// quicNotInitial recognises QUIC flows whose first packet is not a client
// Initial.
func quicNotInitial(c *ctx, s uint64) verdict {
	b := c.payload
	if quicIs0RTT(b) {
		// A 0-RTT packet overtook the Initial: keep looking for it.
		if c.pkts() >= 3 {
			c.set(ProtoQUIC)
			return matched
		}
		*c.scratch() = quicStage0RTT
		return needMore
	}
	if s&quicStageMask == quicStage0RTT {
		// Something else after a 0-RTT: a Handshake packet, most likely.
		c.set(ProtoQUIC)
		return matched
	}
	switch quicShortHeaders(c, s) {
	case 1:
		c.set(ProtoQUIC)
		return matched
	case -1:
		if c.pkts() > 10 {
			return notMine
		}
		return needMore
	}
	if gquicReject(c) {
		c.set(ProtoQUIC)
		return matched
	}
	return notMine
}

// quicIs0RTT recognises a 0-RTT long-header packet of an IETF version.
func quicIs0RTT(b []byte) bool {
	if len(b) < 6 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := binary.BigEndian.Uint32(b[1:])
	if !quicIsIETF(v) {
		return false
	}
	typ := byte(0x10)
	if v == quicV2 {
		typ = 0x20
	}
	if b[0]&0x30 != typ {
		return false
	}
	dcil := int(b[5])
	if dcil > quicMaxCID || len(b) <= 6+dcil {
		return false
	}
	scil := int(b[6+dcil])
	return scil <= quicMaxCID && len(b) > 7+dcil+scil
}

// quicShortHeaders recognises a connection seen from the middle: three
// short-header packets from the client to port 443, with the same
// destination connection id (its first 8 bytes, the usual length) and
// different last bytes (encrypted packets do not repeat). It returns 1 when
// found, -1 to keep looking, 0 when the flow does not look like it.
func quicShortHeaders(c *ctx, s uint64) int {
	b := c.payload
	if b[0]&0x40 == 0 {
		return 0
	}
	if c.p.DstPort != quicPort {
		if c.p.SrcPort == quicPort {
			return -1 // from the server: wait for the client's packets
		}
		return 0
	}
	const cidLen = 8
	if len(b) < 1+cidLen {
		return 0
	}
	fp := quicFingerprint(b[1 : 1+cidLen])
	last := b[len(b)-1]
	count := uint64(1)
	if s&quicStageMask == quicStageSH {
		if s>>16 != fp || byte(s>>8) == last {
			return 0
		}
		count = s>>4&3 + 1
		if count == 3 {
			return 1
		}
	}
	*c.scratch() = quicStageSH | count<<4 | uint64(last)<<8 | fp<<16
	return -1
}

// quicFingerprint folds a connection id into the 48 bits the state word has
// room for (FNV-1a).
func quicFingerprint(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range b {
		h ^= uint64(x)
		h *= 1099511628211
	}
	return h >> 16
}

// gquicReject recognises a Google QUIC REJ message from a server on port
// 443 (captures holding one direction only).
func gquicReject(c *ctx) bool {
	b := c.payload
	// Flags 0x08: 8-byte connection id, no version, 1-byte packet number;
	// then a 12-byte message authentication hash.
	if c.p.SrcPort != quicPort || b[0] != 0x08 || len(b) < 1+8+1+12+16 {
		return false
	}
	const at = 1 + 8 + 1 + 12
	i := bytes.IndexByte(b[at:at+13], 'R')
	return i >= 0 && b[at+i+1] == 'E' && b[at+i+2] == 'J'
}

// quicVarint reads a QUIC variable-length integer; n is 0 when b is short.
func quicVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for _, x := range b[1:n] {
		v = v<<8 | uint64(x)
	}
	return v, n
}

// quicDecryptInitial removes the protection of an Initial with an IETF long
// header and returns its frames.
func quicDecryptInitial(b []byte, v uint32) ([]byte, bool) {
	dcil := int(b[5])
	if dcil == 0 || 7+dcil > len(b) {
		return nil, false // a server's Initial, or garbage
	}
	off := 7 + dcil + int(b[6+dcil])
	if off > len(b) {
		return nil, false
	}
	tok, n := quicVarint(b[off:])
	if n == 0 || tok > uint64(len(b)) {
		return nil, false
	}
	off += n + int(tok)
	// Room for the Length field, the packet number and the sample.
	if off+8+4+16 >= len(b) {
		return nil, false
	}
	l, n := quicVarint(b[off:])
	if n == 0 || l > uint64(len(b)) {
		return nil, false
	}
	pnOff := off + n
	end := pnOff + int(l)
	if end > len(b) {
		return nil, false
	}
	keys, ok := quicInitialKeys(v, b[6:6+dcil])
	if !ok {
		return nil, false
	}
	return keys.unprotect(b, pnOff, end)
}

// quicTLSInfo records what a whole ClientHello tells (versions, ALPNs,
// fingerprints) in the flow's TLS metadata.
func quicTLSInfo(c *ctx, hs []byte) {
	if hs == nil {
		return
	}
	ti := &c.info().TLS
	if _, ok := parseClientHello(hs, ti); ok {
		ti.Version = 0x0304 // QUIC always runs TLS 1.3
	}
}
