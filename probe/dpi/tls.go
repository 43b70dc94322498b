package dpi

import "encoding/binary"

// TLS: the server name indication of a ClientHello. Handshake messages split
// over several records of the same packet are joined; TCP reassembly is not
// done, but a ClientHello cut by the end of the packet is parsed as far as
// it goes, so the SNI is still found when it comes early enough.

const (
	tlsRecordHeader = 5
	tlsMaxRecord    = 1<<14 + 2048
	tlsHandshake    = 22
	tlsClientHello  = 1
	tlsServerHello  = 2
	tlsExtSNI       = 0
	tlsMaxJoin      = 1 << 16 // bytes of handshake data joined across records
)

// tlsHello is what parseTLS found in a payload.
type tlsHello struct {
	msgType uint8  // tlsClientHello, tlsServerHello, or another handshake type
	sni     []byte // aliases the payload unless records were joined
}

// parseTLS recognises a payload that starts with a TLS handshake record and
// returns the first handshake message type and, for a ClientHello, the SNI.
func parseTLS(b []byte) (tlsHello, bool) {
	var h tlsHello
	body, ok := tlsRecord(b)
	if !ok || b[0] != tlsHandshake || len(body) < 1 {
		return h, false
	}
	h.msgType = body[0]
	if h.msgType != tlsClientHello {
		return h, h.msgType == tlsServerHello
	}
	hs := body
	if len(hs) >= 4 {
		need := 4 + (int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3]))
		if need > len(hs) {
			hs = tlsJoin(b, need)
		}
	}
	h.sni = clientHelloSNI(hs)
	return h, true
}

// tlsRecord checks the record header at the start of b and returns its body,
// cut at the end of b.
func tlsRecord(b []byte) ([]byte, bool) {
	if len(b) < tlsRecordHeader {
		return nil, false
	}
	if b[0] < 20 || b[0] > 23 || b[1] != 3 || b[2] > 4 {
		return nil, false
	}
	l := int(binary.BigEndian.Uint16(b[3:]))
	if l == 0 || l > tlsMaxRecord {
		return nil, false
	}
	end := tlsRecordHeader + l
	if end > len(b) {
		end = len(b)
	}
	return b[tlsRecordHeader:end], true
}

// tlsJoin concatenates the bodies of the consecutive handshake records of b,
// up to need bytes.
func tlsJoin(b []byte, need int) []byte {
	out := make([]byte, 0, min(need, tlsMaxJoin, len(b)))
	for len(b) > 0 && len(out) < need && len(out) < tlsMaxJoin {
		body, ok := tlsRecord(b)
		if !ok || b[0] != tlsHandshake {
			break
		}
		out = append(out, body...)
		b = b[tlsRecordHeader+len(body):]
	}
	return out
}

// clientHelloSNI extracts the host name of the server_name extension from a
// (possibly truncated) ClientHello handshake message.
func clientHelloSNI(hs []byte) []byte {
	// type(1) length(3) version(2) random(32)
	off := 4 + 2 + 32
	if off >= len(hs) {
		return nil
	}
	off += 1 + int(hs[off]) // session id
	if off+2 > len(hs) {
		return nil
	}
	off += 2 + int(binary.BigEndian.Uint16(hs[off:])) // cipher suites
	if off >= len(hs) {
		return nil
	}
	off += 1 + int(hs[off]) // compression methods
	if off+2 > len(hs) {
		return nil
	}
	end := off + 2 + int(binary.BigEndian.Uint16(hs[off:]))
	off += 2
	if end > len(hs) {
		end = len(hs) // truncated: parse what is there
	}
	for off+4 <= end {
		typ := binary.BigEndian.Uint16(hs[off:])
		l := int(binary.BigEndian.Uint16(hs[off+2:]))
		off += 4
		if off+l > end {
			return nil
		}
		if typ == tlsExtSNI {
			return sniHostName(hs[off : off+l])
		}
		off += l
	}
	return nil
}

// sniHostName returns the host_name entry of a server_name extension.
func sniHostName(ext []byte) []byte {
	if len(ext) < 2 {
		return nil
	}
	l := int(binary.BigEndian.Uint16(ext))
	list := ext[2:]
	if l < len(list) {
		list = list[:l]
	}
	for len(list) >= 3 {
		typ := list[0]
		n := int(binary.BigEndian.Uint16(list[1:]))
		if 3+n > len(list) {
			return nil
		}
		if typ == 0 && n > 0 {
			return list[3 : 3+n]
		}
		list = list[3+n:]
	}
	return nil
}

var tlsDissectors = []dissector{
	{name: "TLS", l4: onTCP, tcpPorts: []uint16{443}, run: dissectTLS},
}

// dissectTLS recognises a TLS handshake; the SNI of the ClientHello names
// the service.
func dissectTLS(c *ctx) verdict {
	h, ok := parseTLS(c.payload)
	if !ok {
		if c.pkts() < 3 {
			return needMore
		}
		return notMine
	}
	if h.msgType == tlsServerHello {
		if c.st.flags&flagTLSHello == 0 {
			c.set(ProtoTLS)
		}
		return matched
	}
	c.st.flags |= flagTLSHello
	name := ""
	if len(h.sni) > 0 {
		name = lowerASCII(h.sni)
	}
	c.setByName(ProtoTLS, name)
	return matched
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
	AltNames            []string // subjectAltName DNS names
}
