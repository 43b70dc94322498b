package dpi

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// clientHello builds a TLS 1.2-style ClientHello handshake message (without
// record header): random, a 32-byte session id, two cipher suites, null
// compression, a padding extension of padLen bytes and, if sni != "", a
// server_name extension (after the padding, or before it if sniFirst).
func clientHello(sni string, padLen int, sniFirst bool) []byte {
	var body []byte
	body = append(body, 0x03, 0x03)             // client_version TLS 1.2
	body = append(body, make([]byte, 32)...)    // random
	body = append(body, 32)                     // session id length
	body = append(body, make([]byte, 32)...)    // session id
	body = append(body, 0x00, 0x04)             // cipher suites length
	body = append(body, 0x13, 0x01, 0xc0, 0x2f) // TLS_AES_128_GCM_SHA256, ECDHE_RSA_AES128_GCM
	body = append(body, 0x01, 0x00)             // compression: null
	var pad, name []byte
	if padLen > 0 {
		pad = binary.BigEndian.AppendUint16(pad, 21) // padding
		pad = binary.BigEndian.AppendUint16(pad, uint16(padLen))
		pad = append(pad, make([]byte, padLen)...)
	}
	if sni != "" {
		name = binary.BigEndian.AppendUint16(name, 0)                  // server_name
		name = binary.BigEndian.AppendUint16(name, uint16(len(sni)+5)) // extension length
		name = binary.BigEndian.AppendUint16(name, uint16(len(sni)+3)) // server name list length
		name = append(name, 0)                                         // host_name
		name = binary.BigEndian.AppendUint16(name, uint16(len(sni)))
		name = append(name, sni...)
	}
	exts := append(pad, name...)
	if sniFirst {
		exts = append(name, pad...)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(len(exts)))
	body = append(body, exts...)
	return tlsMsg(tlsClientHello, body)
}

// tlsMsg prefixes a handshake body with its 4-byte header (type, length).
func tlsMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// tlsRecords wraps handshake data in handshake records of at most size bytes.
func tlsRecords(hs []byte, size int) []byte {
	var out []byte
	for len(hs) > 0 {
		n := min(size, len(hs))
		out = append(out, 22, 0x03, 0x01, byte(n>>8), byte(n)) // handshake, TLS 1.0 record
		out = append(out, hs[:n]...)
		hs = hs[n:]
	}
	return out
}

// tlsRecord wraps data in one record of the given content type.
func tlsRecord(typ byte, data []byte) []byte {
	return append([]byte{typ, 0x03, 0x03, byte(len(data) >> 8), byte(len(data))}, data...)
}

func tlsPacket(payload []byte) *Packet {
	return &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("157.240.231.35"),
		SrcPort: 50123, DstPort: 443, Payload: payload}
}

// tlsConn drives one flow through an engine, packet by packet.
type tlsConn struct {
	r     *Registry
	e     *Engine
	st    State
	l4    uint8
	sport uint16
	now   time.Time // capture time of the packets (zero: unknown)
}

func newTLSConn(l4 uint8, sport uint16) *tlsConn {
	r := NewRegistry()
	return &tlsConn{r: r, e: NewEngine(r, nil), l4: l4, sport: sport}
}

// tlsServer is an address no table names, so that only the payload
// classifies.
var tlsServer = netip.MustParseAddr("203.0.113.5")

func (tc *tlsConn) send(dir Direction, payload []byte) {
	p := &Packet{L4Proto: tc.l4, Src: client, Dst: tlsServer, SrcPort: 50123, DstPort: tc.sport,
		Dir: dir, TCPFlags: 0x18, Payload: payload}
	if !tc.now.IsZero() {
		p.TimeUs = tc.now.UnixMicro()
	}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
	}
	tc.e.Inspect(&tc.st, p)
}

func (tc *tlsConn) label() string { return tc.r.Name(tc.st.Result) }

func (tc *tlsConn) tls() *TLSInfo {
	if tc.st.Info == nil {
		return &TLSInfo{}
	}
	return &tc.st.Info.TLS
}

func TestTLSProtocolIDs(t *testing.T) {
	r := NewRegistry()
	for id, name := range map[ProtoID]string{
		protoDTLS: "DTLS", ProtoPOPS: "POPS", ProtoSMTPS: "SMTPS", ProtoIMAPS: "IMAPS",
		tlsProtoTor: "Tor", tlsProtoAnyDesk: "AnyDesk", tlsProtoRDP: "RDP", tlsProtoFTPS: "FTPS",
	} {
		if got := r.Protocol(id).Name; got != name {
			t.Errorf("protocol %d is %q, want %q", id, got, name)
		}
	}
}

func TestTLSClientHello(t *testing.T) {
	r := NewRegistry()
	full := tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14)
	tests := []struct {
		name    string
		payload []byte
		want    string
		sni     string
	}{
		{"facebook", full, "TLS.Facebook", "www.facebook.com"},
		{"upper case", tlsRecords(clientHello("WWW.NTOP.ORG", 100, false), 1<<14), "TLS.ntop", "www.ntop.org"},
		{"unknown", tlsRecords(clientHello("unknown.example", 0, false), 1<<14), "TLS", "unknown.example"},
		{"no sni", tlsRecords(clientHello("", 50, false), 1<<14), "TLS", ""},
		{"split records", tlsRecords(clientHello("www.youtube.com", 300, false), 64), "TLS.YouTube", "www.youtube.com"},
	}
	for _, tt := range tests {
		e := NewEngine(r, nil)
		var st State
		e.Inspect(&st, tlsPacket(tt.payload))
		if got := r.Name(st.Result); got != tt.want || st.ServerName != tt.sni || st.Result.Confidence != ConfidenceDPI {
			t.Errorf("%s: %q sni %q, want %q %q", tt.name, got, st.ServerName, tt.want, tt.sni)
		}
	}
}

func TestTLSClientHelloAcrossSegments(t *testing.T) {
	// A ClientHello of 2 KiB in one record, cut into three TCP segments:
	// nothing is decided before the record is whole.
	payload := tlsRecords(clientHello("www.facebook.com", 2000, false), 1<<14)
	tc := newTLSConn(6, 443)
	tc.send(ClientToServer, payload[:700])
	if tc.label() != "Unknown" {
		t.Fatalf("classified on a partial record: %q", tc.label())
	}
	tc.send(ClientToServer, payload[700:1400])
	tc.send(ClientToServer, payload[1400:])
	if got := tc.label(); got != "TLS.Facebook" || tc.st.ServerName != "www.facebook.com" {
		t.Errorf("got %q sni %q", got, tc.st.ServerName)
	}
	// A record header cut in two, then application data skipped across
	// packets before the hello of the other direction.
	tc = newTLSConn(6, 443)
	tc.send(ClientToServer, payload[:3])
	tc.send(ClientToServer, payload[3:])
	if got := tc.label(); got != "TLS.Facebook" {
		t.Errorf("header cut: %q", got)
	}
	// A repeated segment (a retransmission) does not disturb the stream.
	tc = newTLSConn(6, 443)
	tc.send(ClientToServer, payload[:700])
	tc.send(ClientToServer, payload[:700])
	tc.send(ClientToServer, payload[700:])
	if got := tc.label(); got != "TLS.Facebook" {
		t.Errorf("with a retransmission: %q", got)
	}
	// Zero padding carried by a bare ACK is not stream data.
	tc = newTLSConn(6, 443)
	tc.e.Inspect(&tc.st, &Packet{L4Proto: 6, Src: client, Dst: tlsServer, SrcPort: 50123, DstPort: 443,
		TCPFlags: 0x10, Payload: []byte{0, 0}})
	tc.send(ClientToServer, payload)
	if got := tc.label(); got != "TLS.Facebook" {
		t.Errorf("after an ACK with padding: %q", got)
	}
}

// chromeHello is the ClientHello of a Chrome release, with the GREASE
// values Chrome adds: FoxIO's reference JA4 for it is
// t13d1516h2_8daaf6152771_e5627efa2ab1. extra extensions (whole, header
// included) go before the padding.
func chromeHello(sni string, extra ...[]byte) []byte {
	u16 := func(b []byte, v ...uint16) []byte {
		for _, x := range v {
			b = binary.BigEndian.AppendUint16(b, x)
		}
		return b
	}
	ext := func(b []byte, typ uint16, data []byte) []byte {
		b = u16(b, typ, uint16(len(data)))
		return append(b, data...)
	}
	var b []byte
	b = u16(b, 0x0303)                 // legacy version TLS 1.2
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session id: none
	ciphers := []uint16{0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
		0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035} // GREASE first
	b = u16(b, uint16(2*len(ciphers)))
	b = u16(b, ciphers...)
	b = append(b, 1, 0) // compression: null
	var e []byte
	e = ext(e, 0x2a2a, nil)              // GREASE
	name := u16(nil, uint16(len(sni)+3)) // server name list length
	name = append(name, 0)               // host_name
	name = u16(name, uint16(len(sni)))
	e = ext(e, 0x0000, append(name, sni...))                                                         // server_name
	e = ext(e, 0x0017, nil)                                                                          // extended_master_secret
	e = ext(e, 0xff01, []byte{0})                                                                    // renegotiation_info
	e = ext(e, 0x000a, u16(nil, 8, 0x4a4a, 0x001d, 0x0017, 0x0018))                                  // supported_groups, GREASE first
	e = ext(e, 0x000b, []byte{1, 0})                                                                 // ec_point_formats: uncompressed
	e = ext(e, 0x0023, nil)                                                                          // session_ticket
	e = ext(e, 0x0010, []byte{0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'})        // ALPN h2, http/1.1
	e = ext(e, 0x0005, []byte{1, 0, 0, 0, 0})                                                        // status_request
	e = ext(e, 0x000d, u16(nil, 16, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)) // signature_algorithms
	e = ext(e, 0x0012, nil)                                                                          // signed_certificate_timestamp
	e = ext(e, 0x0033, u16(u16(nil, 6, 0x001d, 2), 0xabcd))                                          // key_share (x25519, short key)
	e = ext(e, 0x002d, []byte{1, 1})                                                                 // psk_key_exchange_modes
	e = ext(e, 0x002b, []byte{6, 0x6a, 0x6a, 3, 4, 3, 3})                                            // supported_versions: GREASE, 1.3, 1.2
	e = ext(e, 0x001b, []byte{2, 0, 2})                                                              // compress_certificate
	e = ext(e, 0x4469, []byte{0, 3, 2, 'h', '2'})                                                    // application_settings
	e = ext(e, 0xfafa, []byte{0})                                                                    // GREASE
	for _, x := range extra {
		e = append(e, x...)
	}
	e = ext(e, 0x0015, make([]byte, 20)) // padding
	b = u16(b, uint16(len(e)))
	return tlsMsg(tlsClientHello, append(b, e...))
}

func TestTLSFingerprints(t *testing.T) {
	var ti TLSInfo
	sni, ok := parseClientHello(chromeHello("www.example.org"), &ti)
	if !ok || string(sni) != "www.example.org" {
		t.Fatalf("parseClientHello = %q, %v", sni, ok)
	}
	if want := "t13d1516h2_8daaf6152771_e5627efa2ab1"; ti.JA4Client != want {
		t.Errorf("JA4 %s, want %s", ti.JA4Client, want)
	}
	// JA3: GREASE left out of the ciphers, extensions and groups.
	ja3 := "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
		"0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,29-23-24,0"
	if sum := md5.Sum([]byte(ja3)); ti.JA3Client != hex.EncodeToString(sum[:]) {
		t.Errorf("JA3 %s, want md5(%s)", ti.JA3Client, ja3)
	}
	if ti.ClientVersion != 0x0303 || len(ti.SupportedVersions) != 3 || strings.Join(ti.ALPN, ",") != "h2,http/1.1" {
		t.Errorf("versions %x %x, ALPN %q", ti.ClientVersion, ti.SupportedVersions, ti.ALPN)
	}
	// The same hello with QUIC transport parameters is a QUIC one.
	hs := chromeHello("a.example", []byte{0x00, 0x39, 0x00, 0x00}) // quic_transport_parameters, empty
	if _, ok := parseClientHello(hs, &ti); !ok || ti.JA4Client[0] != 'q' {
		t.Errorf("QUIC hello: ok %v JA4 %s", ok, ti.JA4Client)
	}
	// A numeric SNI gives 'i'.
	if parseClientHello(chromeHello("192.0.2.7"), &ti); ti.JA4Client[3] != 'i' {
		t.Errorf("numeric SNI: JA4 %s", ti.JA4Client)
	}
}

// googleAnalyticsHello is a ClientHello record from nDPI's tls_alert.pcap:
// nDPI prints JA3C d78489b860c8bf7838a6ff0b4d131541 and JA4
// t10d0909h2_61c4dbd01224_cc731f12afbb for it.
var googleAnalyticsHello = []byte{
	0x16, 0x03, 0x01, 0x00, 0xc2, // record: handshake, TLS 1.0, 194 bytes
	0x01, 0x00, 0x00, 0xbe, // ClientHello, 190 bytes
	0x03, 0x01, // client_version TLS 1.0
	0x52, 0xdb, 0x35, 0xf3, 0xea, 0xa1, 0x18, 0x8b, 0xf1, 0xe1, 0x93, 0xfc, 0xcf, 0x33, 0x3e, 0x58, // random
	0x73, 0xf4, 0x35, 0xbb, 0xdc, 0x1c, 0x48, 0x18, 0x17, 0x85, 0x3f, 0x54, 0x76, 0x25, 0x6a, 0x3a,
	0x00,       // session id: none
	0x00, 0x12, // cipher suites: 18 bytes
	0x00, 0x2f, 0x00, 0x33, 0x00, 0x35, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x0a, 0xc0, 0x13, 0xc0, 0x14,
	0x56, 0x00, // TLS_FALLBACK_SCSV
	0x01, 0x00, // compression: null
	0x00, 0x83, // extensions: 131 bytes
	0xff, 0x01, 0x00, 0x01, 0x00, // renegotiation_info
	0x00, 0x00, 0x00, 0x1d, 0x00, 0x1b, 0x00, 0x00, 0x18, // server_name: host_name, 24 bytes
	'w', 'w', 'w', '.', 'g', 'o', 'o', 'g', 'l', 'e', '-', 'a', 'n', 'a', 'l', 'y', 't', 'i', 'c', 's', '.', 'c', 'o', 'm',
	0x00, 0x17, 0x00, 0x00, // extended_master_secret
	0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, // status_request: OCSP
	0x33, 0x74, 0x00, 0x00, // next_protocol_negotiation
	0x00, 0x12, 0x00, 0x00, // signed_certificate_timestamp
	0x00, 0x10, 0x00, 0x30, 0x00, 0x2e, // ALPN, list of 46 bytes
	0x02, 'h', '2', 0x05, 'h', '2', '-', '1', '6', 0x05, 'h', '2', '-', '1', '5', 0x05, 'h', '2', '-', '1', '4',
	0x08, 's', 'p', 'd', 'y', '/', '3', '.', '1', 0x06, 's', 'p', 'd', 'y', '/', '3',
	0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // ec_point_formats: uncompressed
	0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, // supported_groups
}

func TestTLSReferenceHello(t *testing.T) {
	var ti TLSInfo
	sni, ok := parseClientHello(googleAnalyticsHello[5:], &ti)
	if !ok || string(sni) != "www.google-analytics.com" {
		t.Fatalf("parseClientHello = %q, %v", sni, ok)
	}
	if ti.JA3Client != "d78489b860c8bf7838a6ff0b4d131541" || ti.JA4Client != "t10d0909h2_61c4dbd01224_cc731f12afbb" {
		t.Errorf("JA3 %s JA4 %s", ti.JA3Client, ti.JA4Client)
	}
	if got := clientHelloSNI(googleAnalyticsHello[5:]); string(got) != "www.google-analytics.com" {
		t.Errorf("clientHelloSNI = %q", got)
	}
	tc := newTLSConn(6, 443)
	tc.send(ClientToServer, googleAnalyticsHello)
	if tc.label() != "TLS.Google" || !tc.st.Risks.Has(RiskTLSObsoleteVersion) || tc.st.Risks.Has(RiskTLSMissingSNI) {
		t.Errorf("%q risks %b", tc.label(), tc.st.Risks)
	}
	// A fatal alert ends the handshake.
	tc.send(ServerToClient, tlsRecord(tlsAlert, []byte{2, 40}))
	if !tc.st.Risks.Has(RiskTLSFatalAlert) || !tc.st.Done {
		t.Errorf("fatal alert: risks %b done %v", tc.st.Risks, tc.st.Done)
	}
}

func TestJA4ALPN(t *testing.T) {
	for _, tt := range []struct {
		alpn []string
		want string
	}{
		{nil, "00"}, {[]string{"h2"}, "h0"}, {[]string{"h2", "http/1.1"}, "h2"},
		{[]string{"http/1.1"}, "ht"}, {[]string{"x"}, "00"}, {[]string{"a", "b"}, "a,"},
	} {
		if got := ja4ALPN(tt.alpn); string(got[:]) != tt.want {
			t.Errorf("ja4ALPN(%q) = %s, want %s", tt.alpn, got[:], tt.want)
		}
	}
}

// curlServerHello is the ServerHello of nDPI's 443-curl.pcap (JA3S
// ae53107a2e47ea20c72ac44821a728bf).
var curlServerHello = []byte{
	0x02, 0x00, 0x00, 0x62, // ServerHello, 98 bytes
	0x03, 0x03, // version TLS 1.2
	0x8f, 0x72, 0xdd, 0x2e, 0x35, 0xdc, 0xf5, 0xdd, 0xf3, 0x8a, 0xe7, 0x5d, 0xb8, 0x55, 0xd1, 0x61, // random
	0x0b, 0x4d, 0xb3, 0x29, 0x37, 0xcb, 0x20, 0xcd, 0x31, 0x87, 0xee, 0xc1, 0x20, 0x57, 0xfb, 0x25,
	0x20, // session id: 32 bytes
	0xea, 0x8f, 0xcd, 0x1d, 0xa8, 0xf8, 0x63, 0x5b, 0xd5, 0xdf, 0x2a, 0x45, 0xb6, 0x03, 0x76, 0x4d,
	0xd7, 0xcf, 0xb5, 0xf8, 0x26, 0x66, 0xff, 0x77, 0xfd, 0x47, 0x63, 0x5b, 0xf9, 0xa8, 0xf0, 0xcb,
	0xc0, 0x2f, // cipher TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	0x00,       // compression: null
	0x00, 0x1a, // extensions: 26 bytes
	0xff, 0x01, 0x00, 0x01, 0x00, // renegotiation_info
	0x00, 0x00, 0x00, 0x00, // server_name (empty: acknowledged)
	0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, // ec_point_formats
	0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2', // ALPN: h2
}

func TestTLSServerHello(t *testing.T) {
	var sh serverHello
	if !parseServerHello(curlServerHello, false, &sh) {
		t.Fatal("ServerHello not parsed")
	}
	if sh.ja3s() != "ae53107a2e47ea20c72ac44821a728bf" || sh.cipher != 0xc02f || sh.negotiated != verTLS12 ||
		len(sh.alpn) != 1 || sh.alpn[0] != "h2" {
		t.Errorf("JA3S %s cipher %x version %x ALPN %q", sh.ja3s(), sh.cipher, sh.negotiated, sh.alpn)
	}
	// The whole handshake: hello, then ServerHello with a weak cipher.
	tc := newTLSConn(6, 443)
	tc.send(ClientToServer, tlsRecords(clientHello("www.example.org", 0, false), 1<<14))
	weak := append([]byte(nil), curlServerHello...)
	weak[71], weak[72] = 0x00, 0x2f // cipher TLS_RSA_WITH_AES_128_CBC_SHA
	tc.send(ServerToClient, tlsRecords(weak, 1<<14))
	ti := tc.tls()
	if ti.Version != verTLS12 || ti.Cipher != 0x002f || ti.NegotiatedALPN != "h2" ||
		!tc.st.Risks.Has(RiskTLSWeakCipher) || !tc.st.Risks.Has(RiskTLSNotCarryingHTTPS) {
		t.Errorf("version %x cipher %x alpn %q risks %b", ti.Version, ti.Cipher, ti.NegotiatedALPN, tc.st.Risks)
	}
	if tc.st.Done {
		t.Error("done before the certificate")
	}
	// A ServerHello alone (the client side was not captured) is TLS.
	tc = newTLSConn(6, 443)
	tc.send(ServerToClient, tlsRecords(curlServerHello, 1<<14))
	if tc.label() != "TLS" || tc.tls().JA3Server != "ae53107a2e47ea20c72ac44821a728bf" {
		t.Errorf("server only: %q %s", tc.label(), tc.tls().JA3Server)
	}
}

func TestTLSMidStream(t *testing.T) {
	appData := tlsRecord(tlsAppData, make([]byte, 100))
	tests := []struct {
		name    string
		packets [][]byte
		want    string
	}{
		{"application data", [][]byte{append(appData, appData...)}, "TLS"},
		{"change cipher spec", [][]byte{tlsRecord(tlsChangeCipher, []byte{1})}, "TLS"},
		// A record cut by the end of the packet decides nothing yet.
		{"cut record", [][]byte{appData[:50]}, "Unknown"},
		{"http", [][]byte{[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}, "HTTP"},
		{"empty record", [][]byte{{23, 3, 3, 0, 0}}, "Unknown"},
		{"bad version", [][]byte{{23, 2, 0, 0, 1, 0}}, "Unknown"},
		{"after garbage", [][]byte{appData[:50], []byte("garbage that is not TLS at all")}, "Unknown"},
	}
	for _, tt := range tests {
		tc := newTLSConn(6, 8443)
		for _, p := range tt.packets {
			tc.send(ClientToServer, p)
		}
		if got := tc.label(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTLSMailPorts(t *testing.T) {
	for port, want := range map[uint16]string{995: "POPS", 465: "SMTPS.Facebook", 993: "IMAPS", 443: "TLS"} {
		tc := newTLSConn(6, port)
		sni := ""
		if port == 465 {
			sni = "www.facebook.com"
		}
		tc.send(ClientToServer, tlsRecords(clientHello(sni, 0, false), 1<<14))
		if got := tc.label(); got != want {
			t.Errorf("port %d: %q, want %q", port, got, want)
		}
	}
}

func TestTLSHelloRisks(t *testing.T) {
	ext := func(typ uint16, data ...byte) []byte {
		return append([]byte{byte(typ >> 8), byte(typ), 0, byte(len(data))}, data...)
	}
	hello := func(exts ...[]byte) []byte {
		body := []byte{0x03, 0x03}               // TLS 1.2
		body = append(body, make([]byte, 32)...) // random
		body = append(body, 0, 0, 2, 0xc0, 0x2f, 1, 0)
		var e []byte
		for _, x := range exts {
			e = append(e, x...)
		}
		body = append(body, byte(len(e)>>8), byte(len(e)))
		return tlsRecords(tlsMsg(tlsClientHello, append(body, e...)), 1<<14)
	}
	alpn := func(p string) []byte { return ext(16, append([]byte{0, byte(len(p) + 1), byte(len(p))}, p...)...) }
	tests := []struct {
		name    string
		payload []byte
		want    []RiskID
		not     []RiskID
		label   string
	}{
		{"no sni, h2", hello(alpn("h2")), []RiskID{RiskTLSMissingSNI, RiskTLSALPNSNIMismatch},
			[]RiskID{RiskTLSNotCarryingHTTPS, RiskTLSUncommonALPN}, "TLS"},
		{"no alpn", hello(), []RiskID{RiskTLSNotCarryingHTTPS, RiskTLSMissingSNI}, nil, "TLS"},
		{"anydesk", hello(alpn("anydesk/6.2.0/linux")),
			[]RiskID{RiskTLSUncommonALPN}, nil, "TLS.AnyDesk"},
		{"odd extension", hello(ext(0xfe55)), []RiskID{RiskTLSSuspiciousExtension}, nil, "TLS"},
		{"dtls extension", hello(ext(54)), []RiskID{RiskTLSSuspiciousExtension}, nil, "TLS"},
		{"grease extension", hello(ext(0x3a3a)), nil, []RiskID{RiskTLSSuspiciousExtension}, "TLS"},
	}
	for _, tt := range tests {
		tc := newTLSConn(6, 443)
		tc.send(ClientToServer, tt.payload)
		if got := tc.label(); got != tt.label {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.label)
		}
		for _, r := range tt.want {
			if !tc.st.Risks.Has(r) {
				t.Errorf("%s: risk %s missing", tt.name, Risk(r).Name)
			}
		}
		for _, r := range tt.not {
			if tc.st.Risks.Has(r) {
				t.Errorf("%s: risk %s set", tt.name, Risk(r).Name)
			}
		}
	}
}

func TestTLSTor(t *testing.T) {
	// Tor relays present random www.<name>.com server names.
	tc := newTLSConn(6, 443)
	tc.send(ClientToServer, tlsRecords(clientHello("www.q4cyamnc6mtokjurvdclt.com", 0, false), 1<<14))
	if tc.label() != "TLS.Tor" {
		t.Errorf("tor: %q", tc.label())
	}
	tc = newTLSConn(6, 443)
	tc.send(ClientToServer, tlsRecords(clientHello("www.wikipedia.org", 0, false), 1<<14))
	if tc.label() == "TLS.Tor" {
		t.Error("wikipedia is not Tor")
	}
}

func FuzzTLS(f *testing.F) {
	f.Add(tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14))
	f.Add(tlsRecords(clientHello("a.example", 200, false), 40))
	f.Add(tlsRecords(chromeHello("b.example"), 1<<14))
	f.Add(googleAnalyticsHello)
	f.Add(tlsRecords(curlServerHello, 1<<14))
	f.Add(tlsRecords(certMessage(testCert(f, certSpec{cn: "x", dns: []string{"x.example"}})), 1<<14))
	f.Add(dtlsClientHello("c.example"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var h helloMsg
		parseHello(b, false, &h)
		parseHello(b, true, &h)
		var sh serverHello
		parseServerHello(b, false, &sh)
		parseServerHello(b, true, &sh)
		var ti TLSInfo
		parseClientHello(b, &ti)
		readCertificate(b, &ti)
		clientHelloSNI(b)
		sniHostName(b)
		// Through the engine: TCP in two segments, then the server's
		// answer; UDP as one datagram.
		tc := newTLSConn(6, 443)
		tc.send(ClientToServer, b[:len(b)/2])
		tc.send(ClientToServer, b[len(b)/2:])
		tc.send(ServerToClient, b)
		tc = newTLSConn(17, 443)
		tc.send(ClientToServer, b)
		tc.send(ServerToClient, b)
	})
}

func TestTLSFollow(t *testing.T) {
	// A plaintext protocol that upgrades to TLS hands the flow over: SMTP
	// with STARTTLS becomes SMTPS, with the service of the SNI.
	r := NewRegistry()
	starttls := func(c *ctx) verdict {
		if c.st.follow == 0 {
			if string(c.payload[:3]) != "220" {
				return notMine
			}
			c.set(3) // SMTP
			return matchedMore
		}
		return tlsFollow(c, ProtoSMTPS, ProtoUnknown)
	}
	e := &Engine{reg: r, diss: newDissectorSet([]dissector{{name: "STARTTLS", l4: onTCP, run: starttls}})}
	tc := &tlsConn{r: r, e: e, l4: 6, sport: 25}
	tc.send(ServerToClient, []byte("220 mx.example.com ESMTP\r\n"))
	tc.send(ClientToServer, []byte("STARTTLS\r\n"))
	tc.send(ServerToClient, []byte("220 2.0.0 Ready to start TLS\r\n"))
	tc.send(ClientToServer, tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14))
	if got := tc.label(); got != "SMTPS.Facebook" || tc.tls().JA4Client == "" {
		t.Errorf("STARTTLS: %q JA4 %q", got, tc.tls().JA4Client)
	}

	// A fixed service (RDP's security layer) is kept whatever the SNI.
	rdp := func(c *ctx) verdict {
		if c.st.follow == 0 {
			c.set(tlsProtoRDP)
			return matchedMore
		}
		return tlsFollow(c, ProtoTLS, tlsProtoRDP)
	}
	e = &Engine{reg: r, diss: newDissectorSet([]dissector{{name: "RDP", l4: onTCP, run: rdp}})}
	tc = &tlsConn{r: r, e: e, l4: 6, sport: 3389}
	tc.send(ClientToServer, []byte{3, 0, 0, 11, 6, 0xe0, 0, 0, 0, 0, 0}) // X.224 connection request
	tc.send(ClientToServer, tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14))
	if got := tc.label(); got != "TLS.RDP" {
		t.Errorf("RDP: %q", got)
	}

	// DTLS multiplexed with STUN: WebRTC, no SNI expected.
	stun := func(c *ctx) verdict {
		if c.st.follow == 0 {
			c.set(78) // STUN
			return matchedMore
		}
		if v := dtlsFollow(c, ProtoUnknown); v != notMine {
			return v
		}
		return needMore // a STUN message
	}
	e = &Engine{reg: r, diss: newDissectorSet([]dissector{{name: "STUN", l4: onUDP, run: stun}})}
	tc = &tlsConn{r: r, e: e, l4: 17, sport: 3478}
	tc.send(ClientToServer, []byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	tc.send(ClientToServer, dtlsClientHello(""))
	if got := tc.label(); got != "DTLS" || tc.st.Risks.Has(RiskTLSMissingSNI) {
		t.Errorf("STUN: %q risks %b", got, tc.st.Risks)
	}
}

func TestTLSRejectNoAlloc(t *testing.T) {
	// The common case: a payload that is not TLS (or DTLS) is turned down
	// from its first bytes, without allocating.
	e := NewEngine(NewRegistry(), nil)
	st := new(State)
	for _, tt := range []struct {
		l4  uint8
		run func(*ctx) verdict
		b   []byte
	}{
		{6, dissectTLS, []byte("GET / HTTP/1.1\r\n")},
		{6, dissectTLS, []byte{22, 3, 1, 0, 0}},                                          // empty record
		{17, dissectDTLS, []byte{22, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5}}, // TLS version
		{17, dissectDTLS, []byte{0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x44}},  // QUIC
	} {
		p := &Packet{L4Proto: tt.l4, Src: client, Dst: tlsServer, SrcPort: 50123, DstPort: 443, Payload: tt.b}
		c := &ctx{e: e, st: st, d: e.reg.snap(), p: p, payload: tt.b, l4: tt.l4}
		if n := testing.AllocsPerRun(100, func() {
			*st = State{}
			if tt.run(c) != notMine {
				t.Errorf("%x accepted", tt.b)
			}
		}); n != 0 {
			t.Errorf("%x: %v allocations", tt.b, n)
		}
	}
}
