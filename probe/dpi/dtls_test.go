package dpi

import (
	"testing"
)

// dtlsRecord wraps data in a DTLS 1.2 record of the given type and epoch.
func dtlsRecord(typ byte, epoch uint16, data []byte) []byte {
	r := []byte{typ, 0xfe, 0xfd, // content type, DTLS 1.2
		byte(epoch >> 8), byte(epoch), // epoch
		0, 0, 0, 0, 0, 1, // sequence number
		byte(len(data) >> 8), byte(len(data))} // length
	return append(r, data...)
}

// dtlsFragment is a DTLS handshake message header and fragment: msg is
// the whole message body, of which [off, off+n) is carried.
func dtlsFragment(typ byte, seq uint16, msg []byte, off, n int) []byte {
	l, frag := len(msg), msg[off:off+n]
	h := []byte{typ, byte(l >> 16), byte(l >> 8), byte(l), // type, message length
		byte(seq >> 8), byte(seq), // message sequence
		byte(off >> 16), byte(off >> 8), byte(off), // fragment offset
		byte(n >> 16), byte(n >> 8), byte(n)} // fragment length
	return append(h, frag...)
}

// dtlsClientHello is a DTLS 1.2 ClientHello datagram naming sni.
func dtlsClientHello(sni string) []byte {
	body := []byte{0xfe, 0xfd}                                                              // client_version DTLS 1.2
	body = append(body, make([]byte, 32)...)                                                // random
	body = append(body, 0)                                                                  // session id: none
	body = append(body, 0)                                                                  // cookie: none
	body = append(body, 0, 2, 0xc0, 0x2b)                                                   // cipher suites: ECDHE_ECDSA_AES128_GCM
	body = append(body, 1, 0)                                                               // compression: null
	ext := []byte{0, 0, 0, byte(len(sni) + 5), 0, byte(len(sni) + 3), 0, 0, byte(len(sni))} // server_name
	ext = append(ext, sni...)
	ext = append(ext, 0, 14, 0, 5, 0, 2, 0, 1, 0) // use_srtp: SRTP_AES128_CM_SHA1_80
	body = append(body, byte(len(ext)>>8), byte(len(ext)))
	body = append(body, ext...)
	return dtlsRecord(tlsHandshake, 0, dtlsFragment(tlsClientHello, 0, body, 0, len(body)))
}

func TestDTLS(t *testing.T) {
	tc := newTLSConn(17, 4433)
	tc.send(ClientToServer, dtlsClientHello("www.facebook.com"))
	ti := tc.tls()
	if tc.label() != "DTLS.Facebook" || tc.st.ServerName != "www.facebook.com" || ti.JA4Client[:4] != "dd2d" {
		t.Fatalf("%q sni %q JA4 %s", tc.label(), tc.st.ServerName, ti.JA4Client)
	}
	if !tc.st.Risks.Has(RiskTLSNotCarryingHTTPS) || tc.st.Risks.Has(RiskTLSObsoleteVersion) {
		t.Errorf("risks %b", tc.st.Risks)
	}
	// The server's certificate, in two fragments over two datagrams, then
	// ChangeCipherSpec.
	der := testCert(t, certSpec{cn: "webrtc"})
	cert := certMessage(der)[4:] // body only: DTLS has its own header
	half := len(cert) / 2
	tc.send(ServerToClient, dtlsRecord(tlsHandshake, 0, dtlsFragment(tlsCertificate, 1, cert, 0, half)))
	if ti.SHA1 != "" {
		t.Error("certificate read from half of it")
	}
	tc.send(ServerToClient, dtlsRecord(tlsHandshake, 0, dtlsFragment(tlsCertificate, 1, cert, half, len(cert)-half)))
	if ti.Subject != "CN=webrtc" || !ti.SelfSigned || tc.st.Risks.Has(RiskTLSSelfSigned) {
		t.Errorf("subject %q self-signed %v risks %b", ti.Subject, ti.SelfSigned, tc.st.Risks)
	}
	if !tc.st.Done {
		t.Error("not done after the certificate")
	}
}

func TestDTLSMidSession(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    string
	}{
		{"application data", dtlsRecord(tlsAppData, 1, make([]byte, 40)), "DTLS"},
		{"two records", append(dtlsRecord(tlsChangeCipher, 0, []byte{1}), dtlsRecord(tlsHandshake, 1, make([]byte, 40))...), "DTLS"},
		{"cut record", dtlsRecord(tlsAppData, 1, make([]byte, 40))[:30], "Unknown"},
		{"TLS version", []byte{23, 3, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1, 2}, "Unknown"},
		{"trailing bytes", append(dtlsRecord(tlsHandshake, 0, dtlsFragment(tlsClientHello, 0, make([]byte, 50), 0, 50)), 1, 2, 3), "Unknown"},
		{"quic", []byte{0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x44, 0xd0, 0, 0, 0}, "Unknown"},
	}
	for _, tt := range tests {
		tc := newTLSConn(17, 4433)
		tc.send(ClientToServer, tt.payload)
		if got := tc.label(); got != tt.want && !(tt.want == "Unknown" && tc.st.Result.App != protoDTLS) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
