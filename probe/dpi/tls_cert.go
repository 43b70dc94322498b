package dpi

import (
	"crypto/sha1"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"
)

// The server certificate of a TLS (up to 1.2) or DTLS handshake: the few
// fields ntopng shows and the risks are made of, read with a minimal DER
// walk (no signature checks, no full X.509 parse). Names are written as
// nDPI writes them: the C, ST, L, O, OU and CN attributes in certificate
// order, "C=US, O=Let's Encrypt, CN=R3", leaving out values that are not
// printable ASCII.

// derElem splits the first DER element of b into its tag, its contents and
// what follows. Multi-byte tags and lengths beyond 16 MiB are rejected.
func derElem(b []byte) (tag byte, val, rest []byte, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, nil, nil, false
	}
	l, off := int(b[1]), 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 3 || len(b) < 2+n {
			return 0, nil, nil, false
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		off += n
	}
	if l > len(b)-off {
		return 0, nil, nil, false
	}
	return b[0], b[off : off+l], b[off+l:], true
}

// DER tags used here.
const (
	derInteger     = 0x02
	derOctetString = 0x04
	derOID         = 0x06
	derUTCTime     = 0x17
	derGenTime     = 0x18
	derSequence    = 0x30
	derSet         = 0x31
	derCtx0        = 0xa0 // [0] EXPLICIT: the version
	derCtx3        = 0xa3 // [3] EXPLICIT: the extensions
)

// readCertificate fills ti's certificate fields from a DER certificate. It
// reports false, leaving ti alone, for bytes that are not a well-formed
// certificate.
func readCertificate(der []byte, ti *TLSInfo) bool {
	if _, _, rest, ok := derElem(der); !ok || len(rest) != 0 || !derWellFormed(der, 0) {
		return false
	}
	sum := sha1.Sum(der)
	ti.SHA1 = strings.ToUpper(hex.EncodeToString(sum[:]))
	_, cert, _, _ := derElem(der)
	tag, tbs, _, ok := derElem(cert)
	if !ok || tag != derSequence {
		return true
	}
	next := func() (byte, []byte, bool) {
		t, v, rest, ok := derElem(tbs)
		if ok {
			tbs = rest
		}
		return t, v, ok
	}
	t, _, ok := next()
	if ok && t == derCtx0 { // version (absent in v1 certificates)
		t, _, ok = next()
	}
	if !ok || t != derInteger { // serial number
		return true
	}
	if _, _, ok = next(); !ok { // signature algorithm
		return true
	}
	_, issuer, ok1 := next()
	_, validity, ok2 := next()
	_, subject, ok3 := next()
	if !ok1 || !ok2 || !ok3 {
		return true
	}
	ti.Issuer = dnString(issuer)
	ti.Subject = dnString(subject)
	ti.SelfSigned = ti.Subject != "" && ti.Subject == ti.Issuer
	if t, nb, rest, ok := derElem(validity); ok {
		ti.NotBefore = derTime(t, nb)
		if t, na, _, ok := derElem(rest); ok {
			ti.NotAfter = derTime(t, na)
		}
	}
	if _, _, ok = next(); !ok { // subject public key
		return true
	}
	// Optional unique ids, then [3] extensions.
	for len(tbs) > 0 {
		t, v, ok := next()
		if !ok {
			return true
		}
		if t == derCtx3 {
			ti.AltNames = altNames(v)
		}
	}
	return true
}

// derWellFormed checks that b is a sequence of DER elements whose
// constructed elements are, recursively, made of whole elements. A
// certificate that fails was damaged on the way (a TCP segment lost,
// repeated or out of order): reading its names would give garbage.
func derWellFormed(b []byte, depth int) bool {
	if depth > 16 {
		return false
	}
	for len(b) > 0 {
		tag, v, rest, ok := derElem(b)
		if !ok || tag&0x20 != 0 && !derWellFormed(v, depth+1) {
			return false
		}
		b = rest
	}
	return true
}

// dnAttrs are the attribute types (OID 2.5.4.x) nDPI prints, by last OID
// byte.
var dnAttrs = [...]string{3: "CN", 6: "C", 7: "L", 8: "ST", 10: "O", 11: "OU"}

// dnString writes a Name (SEQUENCE OF RDN) as "C=.., O=.., CN=..".
func dnString(name []byte) string {
	var out []byte
	for len(name) > 0 {
		tag, rdn, rest, ok := derElem(name)
		if !ok || tag != derSet {
			break
		}
		name = rest
		for len(rdn) > 0 {
			tag, atv, rest, ok := derElem(rdn)
			if !ok || tag != derSequence {
				break
			}
			rdn = rest
			t, oid, val, ok := derElem(atv)
			if !ok || t != derOID || len(oid) != 3 || oid[0] != 0x55 || oid[1] != 0x04 ||
				int(oid[2]) >= len(dnAttrs) || dnAttrs[oid[2]] == "" {
				continue
			}
			_, s, _, ok := derElem(val)
			if !ok || !printableASCII(s) {
				continue
			}
			if len(s) > 63 {
				s = s[:63]
			}
			if len(out) > 0 {
				out = append(out, ", "...)
			}
			out = append(out, dnAttrs[oid[2]]...)
			out = append(out, '=')
			out = append(out, s...)
		}
	}
	return string(out)
}

func printableASCII(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// derTime decodes a UTCTime ("YYMMDDHHMMSSZ") or GeneralizedTime
// ("YYYYMMDDHHMMSSZ") into Unix seconds (0 when malformed).
func derTime(tag byte, s []byte) int64 {
	digits := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	var year int
	switch {
	case tag == derUTCTime && len(s) >= 12:
		year = digits(s[:2])
		if year < 0 {
			return 0
		}
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
		s = s[2:]
	case tag == derGenTime && len(s) >= 14:
		year = digits(s[:4])
		s = s[4:]
	default:
		return 0
	}
	mon, day, h, m, sec := digits(s[0:2]), digits(s[2:4]), digits(s[4:6]), digits(s[6:8]), digits(s[8:10])
	if year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60 {
		return 0
	}
	return time.Date(year, time.Month(mon), day, h, m, sec, 0, time.UTC).Unix()
}

// maxAltNames bounds the subjectAltName entries kept.
const maxAltNames = 512

// altNames returns the DNS names, e-mail addresses and IP addresses of the
// subjectAltName extension (OID 2.5.29.17), lower-cased, from the contents
// of the [3] extensions field.
func altNames(ext []byte) []string {
	_, list, _, ok := derElem(ext)
	if !ok {
		return nil
	}
	for len(list) > 0 {
		tag, e, rest, ok := derElem(list)
		if !ok || tag != derSequence {
			return nil
		}
		list = rest
		t, oid, v, ok := derElem(e)
		if !ok || t != derOID || string(oid) != "\x55\x1d\x11" {
			continue
		}
		if len(v) > 0 && v[0] == 0x01 { // critical flag
			if _, _, v, ok = derElem(v); !ok {
				return nil
			}
		}
		t, v, _, ok = derElem(v)
		if !ok || t != derOctetString {
			return nil
		}
		if t, v, _, ok = derElem(v); !ok || t != derSequence {
			return nil
		}
		var names []string
		for len(v) > 0 && len(names) < maxAltNames {
			t, gn, rest, ok := derElem(v)
			if !ok {
				return nil
			}
			v = rest
			switch t {
			case 0x81, 0x82: // rfc822Name, dNSName
				if len(gn) > 0 && printableASCII(gn) {
					names = append(names, lowerASCII(gn))
				}
			case 0x87: // iPAddress
				if a, ok := netip.AddrFromSlice(gn); ok {
					names = append(names, a.String())
				}
			}
		}
		return names
	}
	return nil
}

// TLS certificate validity rules (nDPI's): since September 2020, public
// certificates last at most 398 days.
const (
	tlsCertLimitDate   = 1598918400 // 2020-09-01
	tlsCertMaxValidity = 398 * 86400
	tlsCertExpireSoon  = 30 * 86400
)

// certValidityTooLong reports a certificate issued after the 398-day rule
// that lasts longer.
func certValidityTooLong(notBefore, notAfter int64) bool {
	return notBefore > tlsCertLimitDate && notAfter-notBefore > tlsCertMaxValidity
}

// certTimeRisks tells whether a certificate is expired (or not yet valid)
// at now, or expires within 30 days, all in Unix seconds.
func certTimeRisks(notBefore, notAfter, now int64) (expired, soon bool) {
	if notBefore == 0 && notAfter == 0 {
		return false, false
	}
	if now < notBefore || now > notAfter {
		return true, false
	}
	return false, now > notAfter-tlsCertExpireSoon
}

// certNamesMatch reports whether the server name is one of the
// certificate's names, a wildcard name covering its leading labels.
func certNamesMatch(sni string, names []string) bool {
	for _, n := range names {
		if n == sni {
			return true
		}
		if len(n) > 1 && n[0] == '*' {
			if i := strings.Index(sni, n[1:]); i >= 0 {
				if dot := strings.IndexByte(sni, '.'); dot <= i {
					return true
				}
			}
		}
	}
	return false
}
