package dpi

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
)

// SSH: the identification string ("SSH-2.0-OpenSSH_9.6") classifies the
// flow at once; the dissector then follows the connection for the other
// side's identification string and for both KEXINIT messages, from which it
// computes the HASSH fingerprints (salesforce/hassh, as nDPI does) and
// checks for obsolete software versions and ciphers.

// Scratch bits of the SSH dissector.
const (
	sshClientBanner = 1 << iota
	sshServerBanner
	sshClientKex
	sshServerKex
)

const (
	sshMsgKexInit  = 20
	sshMaxBanner   = 255
	sshKexInitBody = 4 + 1 + 1 + 16 // packet length, padding length, message code, cookie
)

// dissectSSH recognises the identification string and extracts metadata.
func dissectSSH(c *ctx) verdict {
	b := c.payload
	if c.st.follow == 0 {
		// The first payload packet of the flow, in either direction.
		if !sshIsBanner(b) {
			return notMine
		}
		c.set(ProtoSSH)
	}
	st := c.scratch()
	if sshIsBanner(b) {
		bit := uint64(sshServerBanner)
		if c.fromClient() {
			bit = sshClientBanner
		}
		if *st&bit == 0 {
			*st |= bit
			line, _ := appLine(b)
			sshBanner(c, line)
		}
		// Some implementations send their KEXINIT right after the
		// identification string, in the same segment.
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			b = nil
		}
	}
	if len(b) > 5 && b[5] == sshMsgKexInit {
		bit := uint64(sshServerKex)
		if c.fromClient() {
			bit = sshClientKex
		}
		if *st&bit == 0 && sshKexInit(c, b) {
			*st |= bit
		}
	}
	if *st&(sshClientKex|sshServerKex) == sshClientKex|sshServerKex {
		return matched
	}
	return matchedMore
}

// sshIsBanner reports whether b starts with an identification string:
// "SSH-" and a protocol version ("2.0", "1.99", "1.5").
func sshIsBanner(b []byte) bool {
	return len(b) > 7 && string(b[:4]) == "SSH-" && b[4] >= '1' && b[4] <= '2' && b[5] == '.'
}

// sshBanner records one side's identification string and flags obsolete
// server software.
func sshBanner(c *ctx, line []byte) {
	if len(line) > sshMaxBanner {
		line = line[:sshMaxBanner]
	}
	s := string(line)
	in := c.info()
	risk := RiskSSHObsoleteServer
	if c.fromClient() {
		in.SSH.ClientBanner = s
		risk = RiskSSHObsoleteClient
	} else {
		in.SSH.ServerBanner = s
	}
	if sshObsoleteSoftware(line) {
		c.risk(risk)
	}
}

// sshMinVersions are the oldest versions of common SSH implementations
// that nDPI does not flag as obsolete.
var sshMinVersions = [...]struct {
	name                string // software name and separator, as in the banner
	major, minor, patch int
}{
	{"OpenSSH_", 7, 0, 0},
	{"APACHE-SSHD-", 2, 5, 1},
	{"FileZilla_", 3, 40, 0},
	{"paramiko_", 2, 4, 0},
	{"dropbear_", 2020, 0, 0},
}

// sshObsoleteSoftware reports whether the identification string names a
// known implementation older than its minimum version.
func sshObsoleteSoftware(line []byte) bool {
	// "SSH-" protoversion "-" softwareversion
	i := 4
	for i < len(line) && (line[i] >= '0' && line[i] <= '9' || line[i] == '.') {
		i++
	}
	if i >= len(line) || line[i] != '-' {
		return false
	}
	sw := line[i+1:]
	for _, m := range sshMinVersions {
		if !bytes.HasPrefix(sw, []byte(m.name)) {
			continue
		}
		var v [3]int
		n := 0
		rest := sw[len(m.name):]
		for n < 3 {
			j := 0
			x := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' && j < 9 {
				x = x*10 + int(rest[j]-'0')
				j++
			}
			if j == 0 {
				break
			}
			v[n] = x
			n++
			rest = rest[j:]
			if len(rest) == 0 || rest[0] != '.' {
				break
			}
			rest = rest[1:]
		}
		if n < 2 {
			return false
		}
		switch {
		case v[0] != m.major:
			return v[0] < m.major
		case v[1] != m.minor:
			return v[1] < m.minor
		default:
			return v[2] < m.patch
		}
	}
	return false
}

// sshKexInit computes the HASSH of one side's KEXINIT and flags obsolete
// ciphers. It reports false when the message is cut or malformed.
func sshKexInit(c *ctx, b []byte) bool {
	// The name-lists of a KEXINIT, in order.
	var lists [8][]byte
	off := sshKexInitBody
	for i := range lists {
		if off+4 > len(b) {
			return false
		}
		l := int(appBE32(b[off:]))
		off += 4
		if l > len(b)-off {
			return false
		}
		lists[i] = b[off : off+l]
		off += l
	}
	const (
		kex = 0
		// 1: server host key algorithms
		encC2S, encS2C   = 2, 3
		macC2S, macS2C   = 4, 5
		compC2S, compS2C = 6, 7
	)
	enc, mac, comp, risk := lists[encS2C], lists[macS2C], lists[compS2C], RiskSSHObsoleteServer
	if c.fromClient() {
		enc, mac, comp, risk = lists[encC2S], lists[macC2S], lists[compC2S], RiskSSHObsoleteClient
	}
	h := md5.New()
	h.Write(lists[kex])
	h.Write([]byte{';'})
	h.Write(enc)
	h.Write([]byte{';'})
	h.Write(mac)
	h.Write([]byte{';'})
	h.Write(comp)
	var sum [md5.Size]byte
	fp := sshUpperHex(h.Sum(sum[:0]))
	if c.fromClient() {
		c.info().SSH.HASSHClient = fp
	} else {
		c.info().SSH.HASSHServer = fp
	}
	if sshObsoleteCipher(enc) {
		c.risk(risk)
	}
	return true
}

// sshObsoleteCiphers are the deprecated encryption algorithms nDPI flags.
var sshObsoleteCiphers = [...]string{
	"arcfour256", "arcfour128", "3des-cbc", "blowfish-cbc", "cast128-cbc", "arcfour",
}

// sshObsoleteCipher reports whether a comma-separated name-list offers an
// obsolete cipher.
func sshObsoleteCipher(list []byte) bool {
	for len(list) > 0 {
		name := list
		if i := bytes.IndexByte(list, ','); i >= 0 {
			name, list = list[:i], list[i+1:]
		} else {
			list = nil
		}
		for _, o := range sshObsoleteCiphers {
			if string(name) == o {
				return true
			}
		}
	}
	return false
}

// sshUpperHex is the upper-case hex form nDPI prints fingerprints in.
func sshUpperHex(b []byte) string {
	out := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(out, b)
	for i, c := range out {
		if c >= 'a' && c <= 'f' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}
