package dpi

import (
	"encoding/binary"
	"net/netip"
	"testing"
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
	hs := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))} // ClientHello
	return append(hs, body...)
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

// serverHello is the start of a ServerHello record.
var serverHello = []byte{22, 0x03, 0x03, 0x00, 0x4a, 2, 0x00, 0x00, 0x46, 0x03, 0x03}

func tlsPacket(payload []byte) *Packet {
	return &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("157.240.231.35"),
		SrcPort: 50123, DstPort: 443, Payload: payload}
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
		{"aws", tlsRecords(clientHello("s3.eu-west-1.amazonaws.com", 0, false), 1<<14), "TLS.AmazonAWS", "s3.eu-west-1.amazonaws.com"},
		{"unknown", tlsRecords(clientHello("unknown.example", 0, false), 1<<14), "TLS", "unknown.example"},
		{"no sni", tlsRecords(clientHello("", 50, false), 1<<14), "TLS", ""},
		{"split records", tlsRecords(clientHello("www.youtube.com", 300, false), 64), "TLS.YouTube", "www.youtube.com"},
		{"truncated after sni", full[:len(full)-2], "TLS", ""},
		{"cut in padding", tlsRecords(clientHello("www.google.com", 2000, false), 1<<14)[:600], "TLS", ""},
		{"server hello", serverHello, "TLS", ""},
	}
	for _, tt := range tests {
		e := NewEngine(r, nil)
		var st State
		e.Inspect(&st, tlsPacket(tt.payload))
		if got := r.Name(st.Result); got != tt.want || st.ServerName != tt.sni || !st.Done {
			t.Errorf("%s: %q sni %q done %v, want %q %q", tt.name, got, st.ServerName, st.Done, tt.want, tt.sni)
		}
	}
}

func TestTLSTruncatedKeepsSNI(t *testing.T) {
	// SNI first, then a large padding cut by the end of the packet: the SNI
	// is found without reassembly.
	payload := tlsRecords(clientHello("www.google.com", 2000, true), 1<<14)[:1400]
	h, ok := parseTLS(payload)
	if !ok || string(h.sni) != "www.google.com" {
		t.Errorf("parseTLS = %q, %v", h.sni, ok)
	}
}

func TestNotTLS(t *testing.T) {
	for _, b := range [][]byte{
		nil, {22, 3, 1}, {22, 3, 1, 0, 0}, {22, 2, 0, 0, 5, 1, 0, 0, 1, 0},
		{23, 3, 3, 0, 5, 1, 2, 3, 4, 5}, // application data only
		{22, 3, 3, 0, 4, 11, 0, 0, 0},   // certificate first
		[]byte("GET / HTTP/1.1\r\n"),
	} {
		if _, ok := parseTLS(b); ok {
			t.Errorf("parseTLS(%x) accepted", b)
		}
	}
}

func FuzzTLS(f *testing.F) {
	f.Add(tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14))
	f.Add(tlsRecords(clientHello("a.example", 200, false), 40))
	f.Add(serverHello)
	e := NewEngine(NewRegistry(), nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		parseTLS(b)
		clientHelloSNI(b)
		sniHostName(b)
		isQUICLongHeader(b)
		var st State
		e.Inspect(&st, tlsPacket(b))
		st = State{}
		e.Inspect(&st, &Packet{L4Proto: 17, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 443, Payload: b})
	})
}
