package synth

import "encoding/binary"

// TLS 1.2 server handshake records (RFC 5246 §6.2 and §7.4): what a
// server sends after the ClientHello of TLSClientHello, before the key
// exchange is encrypted. Each function returns one whole TLSPlaintext
// record holding one handshake message; a server's flight is their
// concatenation in one or more TCP segments.

// TLS record content type and handshake message types (RFC 5246).
const (
	tlsRecordHandshake = 22

	tlsMsgServerHello     = 2
	tlsMsgCertificate     = 11
	tlsMsgServerHelloDone = 14
)

// tlsServerCipher is the suite TLSServerHello chooses: the TLS 1.2 suite
// TLSClientHello offers, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.
const tlsServerCipher = 0xc02f

// tlsHandshakeRecord wraps a handshake message body of type typ in its
// handshake header (type, 24-bit length) and a TLS 1.2 record header
// (type, version, 16-bit length).
func tlsHandshakeRecord(typ byte, body []byte) []byte {
	n := len(body)
	rec := []byte{tlsRecordHandshake, 0x03, 0x03}
	rec = binary.BigEndian.AppendUint16(rec, uint16(4+n))
	rec = append(rec, typ, byte(n>>16), byte(n>>8), byte(n))
	return append(rec, body...)
}

// appendUint24 appends v as a 24-bit big-endian length.
func appendUint24(b []byte, v int) []byte { return append(b, byte(v>>16), byte(v>>8), byte(v)) }

// TLSServerHello builds a TLS 1.2 ServerHello record: version 1.2, a zero
// random, an empty session id, the cipher suite
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f), no compression and a
// renegotiation_info extension (RFC 5746) with an empty value.
func TLSServerHello() []byte {
	body := []byte{0x03, 0x03}
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // session id
	body = binary.BigEndian.AppendUint16(body, tlsServerCipher)
	body = append(body, 0) // null compression
	ext := []byte{0xff, 0x01, 0x00, 0x01, 0x00}
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	return tlsHandshakeRecord(tlsMsgServerHello, body)
}

// TLSCertificate builds a Certificate record carrying the DER
// certificates given, the server's own first (RFC 5246 §7.4.2:
// certificate_list is a 24-bit length followed by each certificate as a
// 24-bit length and its DER bytes). The record must stay under 16 KiB.
func TLSCertificate(der ...[]byte) []byte {
	var list []byte
	for _, c := range der {
		list = appendUint24(list, len(c))
		list = append(list, c...)
	}
	body := appendUint24(nil, len(list))
	return tlsHandshakeRecord(tlsMsgCertificate, append(body, list...))
}

// TLSServerHelloDone builds the empty ServerHelloDone record ending the
// server's first flight.
func TLSServerHelloDone() []byte { return tlsHandshakeRecord(tlsMsgServerHelloDone, nil) }
