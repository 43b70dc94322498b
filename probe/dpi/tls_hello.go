package dpi

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
)

// ClientHello and ServerHello parsing, shared by TLS over TCP, DTLS and
// QUIC, and the fingerprints computed from them: JA3 and JA3S (MD5 of the
// decimal field lists, GREASE values left out) and FoxIO's JA4 client
// fingerprint, the way nDPI computes them.

// TLS extension types used here.
const (
	tlsExtSNI           = 0
	tlsExtGroups        = 10
	tlsExtPointFormats  = 11
	tlsExtSigAlgs       = 13
	tlsExtUseSRTP       = 14
	tlsExtALPN          = 16
	tlsExtEncThenMAC    = 22
	tlsExtVersions      = 43
	tlsExtQUICParams    = 57
	tlsExtQUICParamsOld = 0xffa5
	tlsExtESNI          = 0xffce
)

// Protocol versions (record and handshake).
const (
	verSSL3   = 0x0300
	verTLS10  = 0x0301
	verTLS11  = 0x0302
	verTLS12  = 0x0303
	verTLS13  = 0x0304
	verDTLS10 = 0xfeff
	verDTLS12 = 0xfefd
	verDTLS13 = 0xfefc
)

// isGREASE reports whether v is one of RFC 8701's reserved values
// (0x0a0a, 0x1a1a, ... 0xfafa), which clients add at random and which the
// fingerprints therefore leave out.
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// helloMsg is what parseHello found in a ClientHello: the lists the
// fingerprints are made of (GREASE left out) and the extensions the
// classification and the risks look at.
type helloMsg struct {
	version    uint16
	ciphers    []uint16
	exts       []uint16
	groups     []uint16
	points     []uint8
	sigAlgs    []uint16
	versions   []uint16 // supported_versions, GREASE included
	alpn       []string
	sni        []byte
	esni       bool // an encrypted_server_name extension (draft ESNI)
	encThenMAC bool // an empty encrypt_then_mac extension
	quic       bool // quic_transport_parameters: the hello came over QUIC
	srtp       bool // use_srtp: DTLS keying a WebRTC media session
}

// clientHelloSNI extracts the host name of the server_name extension from a
// (possibly truncated) ClientHello handshake message (4-byte header
// included).
func clientHelloSNI(hs []byte) []byte {
	var h helloMsg
	parseHello(hs, false, &h)
	return h.sni
}

// parseClientHello parses a ClientHello handshake message (4-byte header
// included, as carried by TLS records or QUIC CRYPTO frames) into ti: the
// versions, the advertised ALPNs and the JA3 and JA4 client fingerprints
// (JA4 prefix 'q' when the hello carries QUIC transport parameters). It
// returns the server name, which may be found even in a truncated message,
// and whether the whole message could be parsed (only then is ti filled).
func parseClientHello(hs []byte, ti *TLSInfo) (sni []byte, ok bool) {
	var h helloMsg
	if !parseHello(hs, false, &h) {
		return h.sni, false
	}
	h.fill(ti, false)
	return h.sni, true
}

// parseHello parses a ClientHello: hs is the handshake message with its
// header (4 bytes for TLS, 12 for DTLS, whose hello also has a cookie after
// the session id). A message cut short is parsed as far as it goes; the
// result reports whether it was a complete, well-formed ClientHello.
func parseHello(hs []byte, dtls bool, h *helloMsg) bool {
	hdr := 4
	if dtls {
		hdr = 12
	}
	if len(hs) < hdr+2 || hs[0] != tlsClientHello {
		return false
	}
	msgLen := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
	end := hdr + msgLen
	if dtls {
		// The fragment length, not the message length, bounds this
		// fragment; reassembled messages have them equal.
		end = hdr + (int(hs[9])<<16 | int(hs[10])<<8 | int(hs[11]))
	}
	complete := end <= len(hs)
	if !complete {
		end = len(hs)
	}
	b := hs[:end]
	if len(b) < hdr+2 {
		return false
	}
	h.version = binary.BigEndian.Uint16(b[hdr:])
	off := hdr + 2 + 32 // version, random
	if off >= len(b) {
		return false
	}
	off += 1 + int(b[off]) // session id
	if dtls {
		if off >= len(b) {
			return false
		}
		off += 1 + int(b[off]) // cookie
	}
	if off+2 > len(b) {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[off:]))
	off += 2
	if n&1 != 0 || off+n > len(b) {
		return false
	}
	for i := off; i < off+n; i += 2 {
		if v := binary.BigEndian.Uint16(b[i:]); !isGREASE(v) {
			h.ciphers = append(h.ciphers, v)
		}
	}
	off += n
	if off >= len(b) {
		return false
	}
	off += 1 + int(b[off]) // compression methods
	if off == len(b) && complete {
		return true // no extensions (SSL 3.0, old TLS clients)
	}
	if off+2 > len(b) {
		return false
	}
	extEnd := off + 2 + int(binary.BigEndian.Uint16(b[off:]))
	off += 2
	if extEnd > len(b) {
		if complete {
			return false
		}
		extEnd = len(b) // truncated: parse what is there
	}
	for off+4 <= extEnd {
		typ := binary.BigEndian.Uint16(b[off:])
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		off += 4
		if off+l > extEnd {
			return false
		}
		h.extension(typ, b[off:off+l])
		off += l
	}
	return complete && off == extEnd
}

// extension records one ClientHello extension.
func (h *helloMsg) extension(typ uint16, v []byte) {
	if !isGREASE(typ) {
		h.exts = append(h.exts, typ)
	}
	switch typ {
	case tlsExtSNI:
		if h.sni == nil {
			h.sni = sniHostName(v)
		}
	case tlsExtGroups:
		if len(v) >= 2 {
			l := min(int(binary.BigEndian.Uint16(v)), len(v)-2)
			for i := 2; i+1 < 2+l; i += 2 {
				if g := binary.BigEndian.Uint16(v[i:]); !isGREASE(g) {
					h.groups = append(h.groups, g)
				}
			}
		}
	case tlsExtPointFormats:
		if len(v) >= 1 {
			l := min(int(v[0]), len(v)-1)
			h.points = append(h.points, v[1:1+l]...)
		}
	case tlsExtSigAlgs:
		if len(v) >= 2 {
			l := min(int(binary.BigEndian.Uint16(v)), len(v)-2)
			for i := 2; i+1 < 2+l; i += 2 {
				h.sigAlgs = append(h.sigAlgs, binary.BigEndian.Uint16(v[i:]))
			}
		}
	case tlsExtUseSRTP:
		h.srtp = true
	case tlsExtALPN:
		if h.alpn == nil {
			h.alpn = alpnList(v)
		}
	case tlsExtEncThenMAC:
		h.encThenMAC = len(v) == 0
	case tlsExtVersions:
		if len(v) >= 1 {
			l := min(int(v[0]), len(v)-1)
			for i := 1; i+1 < 1+l; i += 2 {
				h.versions = append(h.versions, binary.BigEndian.Uint16(v[i:]))
			}
		}
	case tlsExtQUICParams, tlsExtQUICParamsOld:
		h.quic = true
	case tlsExtESNI:
		h.esni = len(v) > 0
	}
}

// alpnList decodes an ALPN extension (a length-prefixed list of
// length-prefixed protocol names).
func alpnList(v []byte) []string {
	if len(v) < 2 {
		return nil
	}
	l := min(int(binary.BigEndian.Uint16(v)), len(v)-2)
	v = v[2 : 2+l]
	var out []string
	for len(v) > 0 {
		n := int(v[0])
		if 1+n > len(v) {
			break
		}
		out = append(out, string(v[1:1+n]))
		v = v[1+n:]
	}
	return out
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

// fill stores the hello's versions, ALPNs and fingerprints in ti.
func (h *helloMsg) fill(ti *TLSInfo, dtls bool) {
	ti.ClientVersion = h.version
	ti.SupportedVersions = h.versions
	ti.ALPN = h.alpn
	ti.JA3Client = h.ja3()
	proto := byte('t')
	switch {
	case dtls:
		proto = 'd'
	case h.quic:
		proto = 'q'
	}
	ti.JA4Client = h.ja4(proto)
}

// ja3 is the MD5 (hex) of "version,ciphers,extensions,groups,point
// formats", each list in decimal joined with '-'.
func (h *helloMsg) ja3() string {
	s := make([]byte, 0, 256)
	s = strconv.AppendUint(s, uint64(h.version), 10)
	s = append(s, ',')
	s = appendDecList(s, h.ciphers)
	s = append(s, ',')
	s = appendDecList(s, h.exts)
	s = append(s, ',')
	s = appendDecList(s, h.groups)
	s = append(s, ',')
	for i, p := range h.points {
		if i > 0 {
			s = append(s, '-')
		}
		s = strconv.AppendUint(s, uint64(p), 10)
	}
	sum := md5.Sum(s)
	return hex.EncodeToString(sum[:])
}

func appendDecList(s []byte, l []uint16) []byte {
	for i, v := range l {
		if i > 0 {
			s = append(s, '-')
		}
		s = strconv.AppendUint(s, uint64(v), 10)
	}
	return s
}

// ja4 is FoxIO's JA4 client fingerprint as nDPI computes it:
// proto, version, 'd' or 'i' (a host name in the SNI or not), the cipher and
// extension counts, the first and last characters of the first ALPN, then
// the truncated SHA-256 of the sorted ciphers and of the sorted extensions
// (without SNI and ALPN) followed by the signature algorithms in order.
func (h *helloMsg) ja4(proto byte) string {
	out := make([]byte, 0, 36)
	out = append(out, proto)
	v := h.version
	for _, sv := range h.versions {
		if !isGREASE(sv) && sv > v {
			v = sv
		}
	}
	out = append(out, ja4Version(v)...)
	// 'i' for an address in the SNI; as in the nDPI release the corpus
	// comes from, a missing SNI still gives 'd'.
	if isNumericHost(string(h.sni)) {
		out = append(out, 'i')
	} else {
		out = append(out, 'd')
	}
	out = append2d(out, len(h.ciphers))
	out = append2d(out, len(h.exts))
	a := ja4ALPN(h.alpn)
	out = append(out, a[0], a[1])
	out = append(out, '_')

	ciphers := slices.Clone(h.ciphers)
	slices.Sort(ciphers)
	s := make([]byte, 0, 5*len(ciphers)+5*len(h.exts)+5*len(h.sigAlgs)+1)
	s = appendHexList(s, ciphers)
	out = appendHash12(out, s)
	out = append(out, '_')

	exts := make([]uint16, 0, len(h.exts))
	for _, e := range h.exts {
		if e != tlsExtSNI && e != tlsExtALPN {
			exts = append(exts, e)
		}
	}
	slices.Sort(exts)
	s = appendHexList(s[:0], exts)
	if len(h.sigAlgs) > 0 {
		s = append(s, '_')
		s = appendHexList(s, h.sigAlgs)
	}
	return string(appendHash12(out, s))
}

// ja4ALPN is JA4's ALPN part. FoxIO's rule is the first and last
// characters of the first ALPN; the nDPI release the reference results come
// from takes the first two characters of the comma-joined list without its
// last character ("h2,http/1.1" gives "h2", "http/1.1" gives "ht", a lone
// "h2" gives "h0"), and its output is what ntopng shows.
func ja4ALPN(alpn []string) [2]byte {
	var buf [3]byte // the start of the joined list
	n := 0          // its length
	for i, a := range alpn {
		if i > 0 {
			if n < len(buf) {
				buf[n] = ','
			}
			n++
		}
		for j := 0; j < len(a); j++ {
			if n < len(buf) {
				buf[n] = a[j]
			}
			n++
		}
	}
	n-- // the last character is dropped
	out := [2]byte{'0', '0'}
	for i := 0; i < 2 && i < n; i++ {
		out[i] = buf[i]
	}
	return out
}

// ja4Version is JA4's two-character protocol version.
func ja4Version(v uint16) string {
	switch v {
	case verTLS13:
		return "13"
	case verTLS12:
		return "12"
	case verTLS11:
		return "11"
	case verTLS10:
		return "10"
	case verSSL3, 0x0100: // 0x0100: OpenSSL's pre-RFC DTLS, as nDPI names it
		return "s3"
	case 0x0002:
		return "s2"
	case verDTLS10:
		return "d1"
	case verDTLS12:
		return "d2"
	case verDTLS13:
		return "d3"
	}
	return "00"
}

// append2d appends n (capped at 99) as two decimal digits.
func append2d(b []byte, n int) []byte {
	n = min(n, 99)
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

func appendHexList(s []byte, l []uint16) []byte {
	const digits = "0123456789abcdef"
	for i, v := range l {
		if i > 0 {
			s = append(s, ',')
		}
		s = append(s, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
	}
	return s
}

// appendHash12 appends the first 12 hex digits of SHA-256(s). An empty
// list is hashed too (e3b0c44298fc), as in the reference results.
func appendHash12(out, s []byte) []byte {
	sum := sha256.Sum256(s)
	return hex.AppendEncode(out, sum[:6])
}

// serverHello is what parseServerHello found in a ServerHello.
type serverHello struct {
	version    uint16 // legacy version field
	negotiated uint16 // supported_versions when present, else version
	cipher     uint16
	exts       []uint16
	alpn       []string
}

// parseServerHello parses a complete ServerHello message (header of 4 bytes,
// or 12 for DTLS).
func parseServerHello(hs []byte, dtls bool, sh *serverHello) bool {
	hdr := 4
	if dtls {
		hdr = 12
	}
	if len(hs) < hdr+2+32+1 || hs[0] != tlsServerHello {
		return false
	}
	sh.version = binary.BigEndian.Uint16(hs[hdr:])
	sh.negotiated = sh.version
	off := hdr + 2 + 32
	off += 1 + int(hs[off]) // session id
	if off+3 > len(hs) {
		return false
	}
	sh.cipher = binary.BigEndian.Uint16(hs[off:])
	off += 3 // cipher, compression
	if off+2 > len(hs) {
		return off == len(hs)
	}
	extEnd := min(off+2+int(binary.BigEndian.Uint16(hs[off:])), len(hs))
	off += 2
	for off+4 <= extEnd {
		typ := binary.BigEndian.Uint16(hs[off:])
		l := int(binary.BigEndian.Uint16(hs[off+2:]))
		off += 4
		if off+l > extEnd {
			return false
		}
		v := hs[off : off+l]
		sh.exts = append(sh.exts, typ)
		switch typ {
		case tlsExtVersions:
			if len(v) >= 2 {
				sh.negotiated = binary.BigEndian.Uint16(v)
			}
		case tlsExtALPN:
			sh.alpn = alpnList(v)
		}
		off += l
	}
	return true
}

// ja3s is the MD5 (hex) of "version,cipher,extensions".
func (sh *serverHello) ja3s() string {
	s := make([]byte, 0, 64)
	s = strconv.AppendUint(s, uint64(sh.version), 10)
	s = append(s, ',')
	s = strconv.AppendUint(s, uint64(sh.cipher), 10)
	s = append(s, ',')
	s = appendDecList(s, sh.exts)
	sum := md5.Sum(s)
	return hex.EncodeToString(sum[:])
}
