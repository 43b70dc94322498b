package dpi

import (
	"encoding/binary"
	"strings"
)

// TLS over TCP. The dissector follows the record layer of both directions
// from the first payload packet: the ClientHello classifies the flow (its
// SNI names the service) and the dissector then keeps reading the
// ServerHello and, up to TLS 1.2, the server certificate, for the metadata
// and the risks. Records and handshake messages split over TCP segments
// (in order, as captures have them) are joined in small per-direction
// buffers that live in the flow's TLSInfo only while the handshake is
// read. A flow seen from its middle is TLS when a packet holds whole,
// well-formed records ending with application data, an alert or a
// ChangeCipherSpec, as nDPI decides.

const (
	tlsRecordHeader = 5
	tlsMaxRecord    = 1<<14 + 2048 // TLSCiphertext bound (RFC 8446 5.2)

	// Record content types.
	tlsChangeCipher = 20
	tlsAlert        = 21
	tlsHandshake    = 22
	tlsAppData      = 23

	// Handshake message types.
	tlsClientHello = 1
	tlsServerHello = 2
	tlsCertificate = 11

	// tlsMaxBuffer bounds the bytes kept per direction for an incomplete
	// handshake record or message (a ClientHello, the first certificate of
	// a chain): TLS plaintext records are at most 16 KiB.
	tlsMaxBuffer = 1 << 14
)

// Protocol ids of the TLS family (protocols.tsv).
const (
	protoDTLS       ProtoID = 30  // DTLS
	tlsProtoTor     ProtoID = 163 // Tor
	tlsProtoAnyDesk ProtoID = 252 // AnyDesk
	tlsProtoRDP     ProtoID = 88  // RDP
	tlsProtoFTPS    ProtoID = 311 // FTPS

	// tlsMaxFollowedPkts bounds the packets read after the classification,
	// below the engine's metadata budget so that the buffers are always
	// released.
	tlsMaxFollowedPkts = 24
)

// tlsDissectors name no port: their family runs right after DNS and HTTP
// anyway, and a hinted dissector waiting for the rest of a split
// ClientHello must not be the only one left.
var tlsDissectors = []dissector{
	{name: "TLS", l4: onTCP, run: dissectTLS},
	{name: "DTLS", l4: onUDP, run: dissectDTLS},
}

// TLSInfo is what TLS, DTLS and QUIC dissectors learn from the handshake.
type TLSInfo struct {
	// ClientVersion is the legacy version of the ClientHello; Version is
	// the negotiated version (supported_versions of the ServerHello when
	// present).
	ClientVersion, Version uint16
	// SupportedVersions lists the client's supported_versions extension.
	SupportedVersions []uint16
	ALPN              []string // advertised by the client
	NegotiatedALPN    string   // chosen by the server
	Cipher            uint16   // chosen by the server
	JA3Client         string   // MD5 hex of the JA3 string
	JA3Server         string   // MD5 hex of the JA3S string
	JA4Client         string   // JA4 fingerprint ("t13d1516h2_8daaf6152771_e5627efa2ab1")
	// Certificate of the server (the first of the chain).
	Subject, Issuer     string // distinguished names, as "CN=..., O=..."
	NotBefore, NotAfter int64  // Unix seconds; 0 when unknown
	SelfSigned          bool
	SHA1                string   // SHA-1 of the DER certificate, upper-case hex
	AltNames            []string // subjectAltName DNS names, e-mail and IP addresses

	// hs is the state of the handshake being read; nil before and after.
	hs *tlsFlow
}

// tlsFlow is the reading state of a TLS (or DTLS) handshake.
type tlsFlow struct {
	dir    [2]tlsStream
	master ProtoID // TLS, DTLS, or the protocol TLS secures (SMTPS)
	app    ProtoID // a service known before the handshake (RDP)
	seen   uint8   // tlsSeen* bits
	chDir  Direction
	// named is set once a server name (SNI, certificate, ALPN) gave the
	// flow its service: later names do not override it.
	named  bool
	dtls   bool
	stun   bool // DTLS multiplexed with STUN (WebRTC)
	srtp   bool // the ClientHello keys SRTP media (use_srtp)
	webrtc bool // DTLS keying WebRTC media: no SNI expected
}

const (
	tlsSeenCH    = 1 << iota // ClientHello parsed
	tlsSeenSH                // ServerHello parsed
	tlsSeenCert              // certificate read (or none will come in clear)
	tlsSeenAlert             // non-warning alert
	tlsSeenClass             // the flow was classified
)

// tlsStream is the reassembly state of one direction.
type tlsStream struct {
	rec     []byte // an incomplete record
	msg     []byte // an incomplete handshake message
	skip    int    // bytes still to come of a record whose content is not read
	msgSkip int    // bytes still to come of a handshake message not read further
	skipTyp uint8  // content type of the record being skipped
	ccs     bool   // ChangeCipherSpec seen: later handshake records are encrypted
	appData bool   // application data (or ChangeCipherSpec) seen
	// last identifies the previous segment, to drop its retransmissions
	// (captures taken on both sides of a device repeat every segment).
	last uint64
}

// segmentID summarises a TCP payload (an FNV-1a hash with its length)
// to tell a repeated segment from the next one.
func segmentID(p []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range p {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h ^ uint64(len(p))<<48
}

// tlsEvent is what one packet brought.
type tlsEvent uint8

const (
	tlsEvLastRec tlsEvent = 1 << iota // the packet ended with a whole non-handshake record
	tlsEvBad                          // the bytes are not TLS
)

// tlsRecordOK checks a record header: a known content type, major version 3
// and a plausible length.
func tlsRecordOK(b []byte) bool {
	if len(b) < tlsRecordHeader || b[0] < tlsChangeCipher || b[0] > tlsAppData+1 || b[1] != 3 {
		return false
	}
	l := int(binary.BigEndian.Uint16(b[3:]))
	return l > 0 && l <= tlsMaxRecord
}

// tlsRecordStart checks that b starts with a record header, or with the
// start of one when b is shorter than a header.
func tlsRecordStart(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if len(b) >= tlsRecordHeader {
		return tlsRecordOK(b)
	}
	return b[0] >= tlsChangeCipher && b[0] <= tlsAppData+1 && (len(b) < 2 || b[1] == 3)
}

// dissectTLS recognises TLS over TCP and reads its handshake.
func dissectTLS(c *ctx) verdict {
	if zeroPadding(c) {
		return needMore
	}
	ti := c.tlsInfo()
	if ti == nil || ti.hs == nil {
		if !tlsRecordStart(c.payload) {
			return notMine
		}
		ti = &c.info().TLS
		ti.hs = &tlsFlow{master: tlsMaster(c)}
	}
	return tlsStep(c, ti)
}

// zeroPadding recognises the few zero bytes some stacks send as the
// payload of a bare ACK (Ethernet padding counted in the IP length): they
// are not stream data and must not disturb the reassembly.
func zeroPadding(c *ctx) bool {
	p := c.payload
	if len(p) > 6 || c.p.TCPFlags&0x18 != 0x10 { // ACK without PSH
		return false
	}
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// tlsInfo returns the flow's TLSInfo without allocating one.
func (c *ctx) tlsInfo() *TLSInfo {
	if c.st.Info == nil {
		return nil
	}
	return &c.st.Info.TLS
}

// tlsMaster is the protocol TLS is reported as on this flow's ports: mail
// over implicit TLS keeps its own name, as in nDPI.
func tlsMaster(c *ctx) ProtoID {
	switch {
	case c.hasPort(465) || c.hasPort(587):
		return ProtoSMTPS
	case c.hasPort(993):
		return ProtoIMAPS
	case c.hasPort(995):
		return ProtoPOPS
	}
	return ProtoTLS
}

// tlsFollow lets a plaintext protocol that switched to TLS (STARTTLS in
// SMTP, IMAP, POP3 or FTP; RDP's security negotiation) hand the rest of the
// flow to the TLS reader, from its follow-up (matchedMore) packets: the flow
// is reported as master (SMTPS, or TLS) with app as its service, or, when
// app is Unknown, the service the handshake names. The caller returns what
// tlsFollow returns.
func tlsFollow(c *ctx, master, app ProtoID) verdict {
	if zeroPadding(c) {
		return needMore
	}
	ti := &c.info().TLS
	if ti.hs == nil {
		if ti.ClientVersion != 0 || ti.Version != 0 {
			return matched // already read
		}
		if !tlsRecordStart(c.payload) {
			return needMore // the rest of the plaintext exchange
		}
		ti.hs = &tlsFlow{master: master, app: app}
		if app != ProtoUnknown {
			ti.hs.named = true
		}
	}
	return tlsStep(c, ti)
}

// tlsStep feeds one packet to the handshake reader and decides what the
// engine does next.
func tlsStep(c *ctx, ti *TLSInfo) verdict {
	f := ti.hs
	ev := f.feed(c, ti, c.payload)
	if ev&tlsEvBad != 0 {
		ti.hs = nil
		if f.seen&tlsSeenClass != 0 {
			return matched
		}
		return notMine
	}
	if f.seen&tlsSeenClass == 0 && ev&tlsEvLastRec != 0 {
		// Whole records ending the packet: a session seen from its
		// middle.
		f.classify(c, "")
	}
	if f.seen&tlsSeenClass == 0 {
		if c.pkts() >= maxPayloadPackets {
			ti.hs = nil
			return notMine
		}
		return needMore
	}
	if f.done() || c.st.follow != 0 && c.pkts() >= tlsMaxFollowedPkts {
		ti.hs = nil
		return matched
	}
	return matchedMore
}

// done reports whether the handshake has nothing more to tell: both hellos
// and the certificate read, or the session already exchanging data.
func (f *tlsFlow) done() bool {
	a, b := f.dir[f.chDir].appData, f.dir[1-f.chDir].appData
	switch {
	case f.seen&tlsSeenCert != 0 && f.seen&tlsSeenCH != 0:
		return true
	case a && b:
		return true
	case f.seen&tlsSeenCH != 0 && b, f.seen&tlsSeenSH != 0 && a:
		return true
	}
	return f.seen&tlsSeenAlert != 0
}

// classify labels the flow master.service, the service coming from name
// (a server name; nDPI does not fall back to the address's service for
// TLS).
func (f *tlsFlow) classify(c *ctx, name string) {
	f.seen |= tlsSeenClass
	app := f.app
	var cat CategoryID
	if name != "" && app == ProtoUnknown {
		app, cat = c.e.classifyName(c.d, name)
		f.named = app != ProtoUnknown
	}
	c.setPair(f.master, app)
	if cat != 0 {
		c.st.Result.Category = cat
	}
}

// rename gives a classified flow the service of a name learned after the
// hello (a certificate name), unless a service is already known.
func (f *tlsFlow) rename(c *ctx, name string) {
	if f.named {
		return
	}
	if app, cat := c.e.classifyName(c.d, name); app != ProtoUnknown {
		f.named = true
		c.setPair(f.master, app)
		// A numeric SNI is no longer a risk once the service is known.
		c.st.Risks &^= 1 << RiskNumericIPHost
		if cat != 0 {
			c.st.Result.Category = cat
		}
	}
}

// setApp gives the flow a service found by a rule rather than a name.
func (f *tlsFlow) setApp(c *ctx, app ProtoID) {
	f.named = true
	c.setPair(f.master, app)
}

// feed reads the records of one TCP payload of direction c.dir.
func (f *tlsFlow) feed(c *ctx, ti *TLSInfo, p []byte) tlsEvent {
	s := &f.dir[c.dir]
	if id := segmentID(p); id == s.last {
		return 0 // a retransmission
	} else {
		s.last = id
	}
	// A record header cut by the previous packet.
	if len(s.rec) > 0 && len(s.rec) < tlsRecordHeader {
		n := min(tlsRecordHeader-len(s.rec), len(p))
		s.rec = append(s.rec, p[:n]...)
		p = p[n:]
		if len(s.rec) < tlsRecordHeader {
			return 0
		}
		if !f.recordOK(s, s.rec) {
			s.rec = nil
			return tlsEvBad
		}
		if s.rec[0] != tlsHandshake || s.ccs {
			s.skip, s.skipTyp = recordLen(s.rec), s.rec[0]
			s.rec = nil
		}
	}
	var ev tlsEvent
	if s.skip > 0 {
		n := min(s.skip, len(p))
		s.skip -= n
		p = p[n:]
		if s.skip == 0 {
			if s.skipTyp == tlsAlert {
				f.seen |= tlsSeenAlert
			}
			ev |= f.recordEnd(s, s.skipTyp, len(p) == 0)
		}
	}
	// A handshake record cut by the previous packet: complete it.
	if len(s.rec) > 0 {
		need := tlsRecordHeader + recordLen(s.rec) - len(s.rec)
		n := min(need, len(p))
		s.rec = append(s.rec, p[:n]...)
		p = p[n:]
		if n < need {
			return ev
		}
		rec := s.rec
		s.rec = nil
		if !f.handshake(c, ti, s, rec[tlsRecordHeader:]) {
			return tlsEvBad
		}
	}
	for len(p) >= tlsRecordHeader {
		if !f.recordOK(s, p) {
			return ev | tlsEvBad
		}
		n := tlsRecordHeader + recordLen(p)
		if n > len(p) {
			if p[0] == tlsHandshake && !s.ccs {
				break // wait for the rest of the record
			}
			// The content is not read: skip it as it comes.
			s.skip, s.skipTyp = n-len(p), p[0]
			p = p[len(p):]
			break
		}
		typ, body := p[0], p[tlsRecordHeader:n]
		p = p[n:]
		switch typ {
		case tlsHandshake:
			if !s.ccs && !f.handshake(c, ti, s, body) {
				return ev | tlsEvBad
			}
		case tlsChangeCipher:
			if len(body) == 1 {
				s.ccs = true
				if f.seen&tlsSeenClass == 0 {
					f.classify(c, "")
				}
			}
		case tlsAlert:
			// A plaintext alert is level and description; a fatal one,
			// or an encrypted one, ends the handshake.
			if len(body) != 2 || body[0] != 1 {
				f.seen |= tlsSeenAlert
			}
			if len(body) == 2 && body[0] == 2 {
				c.risk(RiskTLSFatalAlert)
			}
		}
		ev = ev&^tlsEvLastRec | f.recordEnd(s, typ, len(p) == 0)
	}
	if len(p) > 0 {
		// An incomplete handshake record (at most 16 KiB) or header.
		s.rec = append([]byte(nil), p...)
	}
	return ev
}

// recordLen is the length field of a record header.
func recordLen(h []byte) int { return int(binary.BigEndian.Uint16(h[3:])) }

// recordOK checks a record header of the stream: well-formed, and no
// plaintext handshake record beyond TLS's 16 KiB limit.
func (f *tlsFlow) recordOK(s *tlsStream, h []byte) bool {
	return tlsRecordOK(h) && (h[0] != tlsHandshake || s.ccs || recordLen(h) <= tlsMaxBuffer)
}

// recordEnd notes a record that ended; last says the packet ended with it.
func (f *tlsFlow) recordEnd(s *tlsStream, typ uint8, last bool) tlsEvent {
	switch typ {
	case tlsChangeCipher, tlsAppData:
		s.appData = true
	}
	if last && typ != tlsHandshake {
		return tlsEvLastRec
	}
	return 0
}

// handshake reads the handshake messages of one record body.
func (f *tlsFlow) handshake(c *ctx, ti *TLSInfo, s *tlsStream, b []byte) bool {
	if s.msgSkip > 0 {
		n := min(s.msgSkip, len(b))
		s.msgSkip -= n
		b = b[n:]
	}
	if len(s.msg) > 0 {
		s.msg = append(s.msg, b...)
		b = s.msg
	}
	for len(b) >= 4 {
		if b[1] != 0 {
			return false // no handshake message is 64 KiB long
		}
		n := 4 + (int(b[2])<<8 | int(b[3]))
		if n > len(b) {
			if b[0] == tlsCertificate && f.certificate(c, ti, b, false) {
				// The first certificate is read: ignore the rest of the chain.
				s.msgSkip = n - len(b)
				b = b[len(b):]
			}
			break
		}
		f.message(c, ti, b[:n])
		b = b[n:]
	}
	switch {
	case len(b) == 0:
		s.msg = nil
	case len(b) > tlsMaxBuffer:
		s.msg = nil
		if n := 4 + (int(b[2])<<8 | int(b[3])); n > len(b) {
			s.msgSkip = n - len(b)
		}
	default:
		s.msg = append(s.msg[:0], b...)
	}
	return true
}

// message handles one whole handshake message.
func (f *tlsFlow) message(c *ctx, ti *TLSInfo, m []byte) {
	switch m[0] {
	case tlsClientHello:
		if f.seen&tlsSeenCH == 0 {
			f.clientHello(c, ti, m)
		}
	case tlsServerHello:
		if f.seen&tlsSeenSH == 0 {
			f.serverHello(c, ti, m)
		}
	case tlsCertificate:
		f.certificate(c, ti, m, true)
	}
}

// clientHello reads a ClientHello, classifies the flow by its SNI and
// flags the risks the hello shows.
func (f *tlsFlow) clientHello(c *ctx, ti *TLSInfo, m []byte) {
	var h helloMsg
	if !parseHello(m, f.dtls, &h) {
		return
	}
	f.seen |= tlsSeenCH
	f.chDir = c.dir
	h.fill(ti, f.dtls)
	// DTLS keying media over a STUN flow is WebRTC: no server name is
	// expected. (nDPI knows a standalone DTLS flow is WebRTC only later,
	// for the certificate.)
	f.webrtc = f.stun && h.srtp
	f.srtp = h.srtp
	name := ""
	if len(h.sni) > 0 {
		name = lowerASCII(h.sni)
		c.st.ServerName = name
	}
	if f.seen&tlsSeenClass == 0 {
		f.classify(c, name)
	} else if name != "" {
		f.rename(c, name)
	}
	if !f.named {
		f.helloRules(c, &h, name)
	}
	f.helloRisks(c, &h, name)
}

// helloRules are nDPI's few service rules on the ClientHello itself.
func (f *tlsFlow) helloRules(c *ctx, h *helloMsg, name string) {
	if len(h.alpn) > 0 && len(h.alpn[0]) > len("anydesk/") && strings.HasPrefix(h.alpn[0], "anydesk/") {
		f.setApp(c, tlsProtoAnyDesk)
		return
	}
	// Tor relays present made-up "www.<random>.com" server names.
	if len(name) > 8 && strings.HasPrefix(name, "www.") && (strings.HasSuffix(name, ".com") || strings.HasSuffix(name, ".net")) {
		if looksGenerated(name) ||
			h.encThenMAC && len(h.alpn) == 0 && firstLabelHasDigit(name[4:]) {
			f.setApp(c, tlsProtoTor)
		}
	}
}

func firstLabelHasDigit(s string) bool {
	for i := 0; i < len(s) && s[i] != '.'; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// helloRisks flags what nDPI flags on a ClientHello.
func (f *tlsFlow) helloRisks(c *ctx, h *helloMsg, name string) {
	// DTLS versions (0xfeff...) compare above every TLS one, as in nDPI.
	v := h.version
	if v < verTLS12 {
		c.risk(RiskTLSObsoleteVersion)
	}
	if v >= verTLS12 && !f.webrtc && len(h.alpn) == 0 {
		c.risk(RiskTLSNotCarryingHTTPS)
	}
	if name == "" && !h.esni && v >= verTLS11 && !f.webrtc {
		c.risk(RiskTLSMissingSNI)
		for _, a := range h.alpn {
			if len(a) > 0 && a[0] == 'h' {
				c.risk(RiskTLSALPNSNIMismatch)
				break
			}
		}
	}
	if name != "" {
		nameRisks(c, name)
	}
	for _, a := range h.alpn {
		if !commonALPN(a) {
			c.risk(RiskTLSUncommonALPN)
			break
		}
	}
	for _, e := range h.exts {
		if suspiciousExtension(e, f.dtls) {
			c.risk(RiskTLSSuspiciousExtension)
			break
		}
	}
}

// serverHello reads a ServerHello.
func (f *tlsFlow) serverHello(c *ctx, ti *TLSInfo, m []byte) {
	var sh serverHello
	if !parseServerHello(m, f.dtls, &sh) {
		return
	}
	f.seen |= tlsSeenSH
	if f.seen&tlsSeenCH == 0 {
		f.chDir = 1 - c.dir
	}
	if f.seen&tlsSeenClass == 0 {
		f.classify(c, "")
	}
	ti.Version = sh.negotiated
	ti.Cipher = sh.cipher
	if len(sh.alpn) > 0 {
		ti.NegotiatedALPN = sh.alpn[0]
		if len(ti.ALPN) == 0 && !commonALPN(sh.alpn[0]) {
			c.risk(RiskTLSUncommonALPN)
		}
	}
	ti.JA3Server = sh.ja3s()
	if weakCipher(sh.cipher) {
		c.risk(RiskTLSWeakCipher)
	}
	for _, e := range sh.exts {
		if suspiciousExtension(e, f.dtls) {
			c.risk(RiskTLSSuspiciousExtension)
			break
		}
	}
	// From TLS 1.3 (its drafts, Facebook's Fizz) and DTLS 1.3 on, the
	// certificate is encrypted.
	switch v := sh.negotiated; {
	case v == verTLS13, v == verDTLS13, v>>8 == 0x7f, v>>8 == 0xfb:
		f.seen |= tlsSeenCert
	}
}

// certificate reads the server's certificate from a Certificate message
// (whole, or cut after the first certificate when whole is false). It
// reports whether the first certificate was there.
func (f *tlsFlow) certificate(c *ctx, ti *TLSInfo, m []byte, whole bool) bool {
	if f.seen&(tlsSeenCH|tlsSeenSH) == 0 {
		return false
	}
	if c.dir == f.chDir {
		f.seen |= tlsSeenCert // a client certificate: nothing to read
		return whole
	}
	hdr := 4
	if f.dtls {
		hdr = 12
	}
	// certificate_list length (3), then the first certificate's length (3).
	if len(m) < hdr+6 {
		return false
	}
	n := int(m[hdr+3])<<16 | int(m[hdr+4])<<8 | int(m[hdr+5])
	if n == 0 || hdr+6+n > len(m) {
		return false
	}
	f.seen |= tlsSeenCert
	der := m[hdr+6 : hdr+6+n]
	if ti.SHA1 == "" && readCertificate(der, ti) {
		f.certRisks(c, ti)
		for _, name := range ti.AltNames {
			if f.named {
				break
			}
			f.rename(c, name)
		}
	}
	return true
}

// certRisks flags what the server certificate shows.
func (f *tlsFlow) certRisks(c *ctx, ti *TLSInfo) {
	if ti.SelfSigned && !f.srtp {
		c.risk(RiskTLSSelfSigned)
	}
	if certValidityTooLong(ti.NotBefore, ti.NotAfter) {
		c.risk(RiskTLSCertValidityTooLong)
	}
	if now := c.nowUnix(); now != 0 {
		expired, soon := certTimeRisks(ti.NotBefore, ti.NotAfter, now)
		if expired {
			c.risk(RiskTLSCertExpired)
		}
		if soon {
			c.risk(RiskTLSCertAboutToExpire)
		}
	}
	if sni := c.st.ServerName; sni != "" && len(ti.AltNames) > 0 && !certNamesMatch(sni, ti.AltNames) {
		c.risk(RiskTLSCertMismatch)
	}
}

// commonALPN reports whether an ALPN protocol id is a usual one.
func commonALPN(a string) bool {
	switch a {
	case "http/0.9", "http/1.0", "http/1.1", "spdy/1", "spdy/2", "spdy/3", "spdy/3.1",
		"stun.turn", "stun.nat-discovery", "h2", "h2c", "h2-16", "h2-15", "h2-14",
		"h2-fb", "webrtc", "c-webrtc", "ftp", "imap", "pop3", "managesieve", "coap",
		"xmpp-client", "xmpp-server", "acme-tls/1", "mqtt", "dot", "ntske/1", "sunrpc",
		"h3", "smb", "irc", "h3-T051", "h3-T050", "h3-32", "h3-30", "h3-29", "h3-28",
		"h3-27", "h3-24", "h3-22", "hq-30", "hq-29", "hq-28", "hq-27", "h3-fb-05",
		"h1q-fb", "doq-i00", "doq", "hq-interop":
		return true
	}
	return false
}

// suspiciousExtension reports an extension type that no standard client or
// server sends: not IANA-assigned (beyond 59) and not a known private one,
// or a DTLS-only extension in TLS.
func suspiciousExtension(e uint16, dtls bool) bool {
	if e <= 59 {
		return !dtls && (e == 53 || e == 54)
	}
	switch e {
	case 65281, 65037, 65486, // renegotiation_info, encrypted_client_hello, ESNI
		13172, 30032, 65445, // NPN, Channel ID, QUIC parameters (drafts)
		17513, 17613, // ALPS
		1035, 16696, 102, 129, 52243, 52244, 57363, 65279, 65413:
		return false
	}
	return !isGREASE(e)
}

// weakCipher reports the cipher suites nDPI rates weak: RSA key exchange
// (no forward secrecy), 3DES, IDEA and SEED. The RC4 suites nDPI rates
// "insecure" do not raise the risk in the nDPI release the reference
// results come from, and do not here either.
func weakCipher(cs uint16) bool {
	switch cs {
	case 0x009d, 0x003d, 0x0035, 0x0084, 0x009c, 0x003c, 0x002f, 0x0041, // RSA key exchange
		0xc012, 0x0016, 0x000a, // 3DES
		0x0096, 0x0007: // SEED, IDEA
		return true
	}
	return false
}
