package dpi

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// DNS, mDNS and LLMNR share the DNS message format (RFC 1035).

const (
	dnsHeaderLen  = 12
	dnsMaxName    = 255
	dnsMaxHops    = 32 // compression pointers followed while reading a name
	dnsMaxRecords = 64 // answer records examined in one message

	dnsTypeA    = 1
	dnsTypeTXT  = 16
	dnsTypeAAAA = 28
)

// dnsMessage is the part of a DNS message the classifier uses.
type dnsMessage struct {
	response bool
	rcode    uint8
	qdcount  uint16
	ancount  uint16
	// others counts the authority and additional records that follow the
	// answers; mDNS responders put their A/AAAA/TXT records there.
	others  uint16
	qname   []byte // first question, lower-case; nil if none
	qtype   uint16
	answers int // offset of the answer section
}

// parseDNS parses the header and the question section of msg. name is a
// scratch buffer for the question name. It fails on anything that does not
// look like a DNS message.
func parseDNS(msg []byte, name *[dnsMaxName]byte) (dnsMessage, bool) {
	var m dnsMessage
	if len(msg) < dnsHeaderLen {
		return m, false
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	if op := (flags >> 11) & 0xf; op > 5 { // QUERY..UPDATE
		return m, false
	}
	m.response = flags&0x8000 != 0
	m.rcode = uint8(flags & 0xf)
	m.qdcount = binary.BigEndian.Uint16(msg[4:])
	m.ancount = binary.BigEndian.Uint16(msg[6:])
	m.others = binary.BigEndian.Uint16(msg[8:]) + binary.BigEndian.Uint16(msg[10:])
	if m.qdcount > 16 || (m.qdcount == 0 && m.ancount == 0) {
		return m, false
	}
	off := dnsHeaderLen
	for i := 0; i < int(m.qdcount); i++ {
		var n int
		var next int
		var ok bool
		if i == 0 {
			n, next, ok = dnsReadName(msg, off, name)
			m.qname = name[:n]
		} else {
			next, ok = dnsSkipName(msg, off)
		}
		if !ok || next+4 > len(msg) {
			return m, false
		}
		if i == 0 {
			m.qtype = binary.BigEndian.Uint16(msg[next:])
		}
		off = next + 4
	}
	m.answers = off
	return m, true
}

// dnsReadName decodes the (possibly compressed) name at off into buf,
// lower-casing ASCII letters. It returns the name length and the offset
// just past the name in its original position.
func dnsReadName(msg []byte, off int, buf *[dnsMaxName]byte) (n, next int, ok bool) {
	return dnsReadNameCase(msg, off, buf, true)
}

// dnsReadNameCase is dnsReadName; with lower false the letters keep their
// case.
func dnsReadNameCase(msg []byte, off int, buf *[dnsMaxName]byte, lower bool) (n, next int, ok bool) {
	next = -1
	for hops := 0; ; {
		if off >= len(msg) {
			return 0, 0, false
		}
		l := int(msg[off])
		switch {
		case l == 0:
			if next < 0 {
				next = off + 1
			}
			return n, next, true
		case l&0xc0 == 0xc0:
			if off+1 >= len(msg) {
				return 0, 0, false
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if next < 0 {
				next = off + 2
			}
			if ptr >= off || hops >= dnsMaxHops { // only backward jumps
				return 0, 0, false
			}
			hops++
			off = ptr
		case l&0xc0 != 0: // reserved label types
			return 0, 0, false
		default:
			if off+1+l > len(msg) {
				return 0, 0, false
			}
			if n > 0 {
				if n+1 > len(buf) {
					return 0, 0, false
				}
				buf[n] = '.'
				n++
			}
			if n+l > len(buf) {
				return 0, 0, false
			}
			for _, c := range msg[off+1 : off+1+l] {
				if lower && c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf[n] = c
				n++
			}
			off += 1 + l
		}
	}
}

// dnsSkipName returns the offset just past the name at off.
func dnsSkipName(msg []byte, off int) (int, bool) {
	for total := 0; off < len(msg); {
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1, true
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return 0, false
			}
			return off + 2, true
		case l&0xc0 != 0:
			return 0, false
		}
		total += l + 1
		if total > dnsMaxName {
			return 0, false
		}
		off += 1 + l
	}
	return 0, false
}

// dnsRecord is one resource record of the answer section.
type dnsRecord struct {
	nameOff int
	typ     uint16
	ttl     uint32
	rdata   []byte
}

// dnsAnswers calls fn for each answer record (at most dnsMaxRecords) until
// fn returns false or the message ends. With all, the authority and
// additional records are visited too.
func dnsAnswers(msg []byte, m *dnsMessage, all bool, fn func(r dnsRecord) bool) {
	off := m.answers
	n := int(m.ancount)
	if all {
		n += int(m.others)
	}
	for i := 0; i < n && i < dnsMaxRecords; i++ {
		next, ok := dnsSkipName(msg, off)
		if !ok || next+10 > len(msg) {
			return
		}
		typ := binary.BigEndian.Uint16(msg[next:])
		rdlen := int(binary.BigEndian.Uint16(msg[next+8:]))
		start := next + 10
		if start+rdlen > len(msg) {
			return
		}
		ttl := binary.BigEndian.Uint32(msg[next+4:])
		if !fn(dnsRecord{nameOff: off, typ: typ, ttl: ttl, rdata: msg[start : start+rdlen]}) {
			return
		}
		off = start + rdlen
	}
}

// dnsAnswerAddr is the address carried by an A or AAAA record.
func dnsAnswerAddr(r dnsRecord) (netip.Addr, bool) {
	switch {
	case r.typ == dnsTypeA && len(r.rdata) == 4:
		return netip.AddrFrom4([4]byte(r.rdata)), true
	case r.typ == dnsTypeAAAA && len(r.rdata) == 16:
		return netip.AddrFrom16([16]byte(r.rdata)), true
	}
	return netip.Addr{}, false
}

// mdnsHostName turns an mDNS answer name into a host name (spec A.4.1): a
// trailing ".local" (in any case) is removed and everything from the first
// "._" is cut, unless it is at position 0.
func mdnsHostName[T ~string | ~[]byte](name T) T {
	if hasSuffixFold(name, ".local") {
		name = name[:len(name)-len(".local")]
	}
	for i := 1; i+1 < len(name); i++ {
		if name[i] == '.' && name[i+1] == '_' {
			return name[:i]
		}
	}
	return name
}

// hasSuffixFold reports whether name ends with the lower-case ASCII
// suffix in any letter case.
func hasSuffixFold[T ~string | ~[]byte](name T, suffix string) bool {
	if len(name) < len(suffix) {
		return false
	}
	name = name[len(name)-len(suffix):]
	for i := 0; i < len(suffix); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}

// validLearnedName reports whether a name learned from mDNS or NetBIOS
// may name a host (spec A.4.1): not empty, not an IPv4 literal, not
// ending in ".ip6.arpa" or "._udp.local", and without ':', '*' or ','.
func validLearnedName[T ~string | ~[]byte](name T) bool {
	if len(name) == 0 || looksIPv4(name) ||
		hasSuffixFold(name, ".ip6.arpa") || hasSuffixFold(name, "._udp.local") {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case ':', '*', ',':
			return false
		}
	}
	return true
}

// looksIPv4 reports whether name is a dotted-quad IPv4 address.
func looksIPv4[T ~string | ~[]byte](name T) bool {
	parts, digits, v := 0, 0, 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if digits == 0 || v > 255 {
				return false
			}
			parts++
			digits, v = 0, 0
			continue
		}
		c := name[i]
		if c < '0' || c > '9' || digits == 3 {
			return false
		}
		digits++
		v = v*10 + int(c-'0')
	}
	return parts == 4
}

// mdnsInfoServices are the services whose instance names ntopng shows as a
// host's "info": the sender of a record named "<instance><service>" is
// that device.
var mdnsInfoServices = [...]string{
	"._http._tcp.local",
	"._sftp-ssh._tcp.local",
	"._smb._tcp.local",
	"._device-info._tcp.local",
	"._privet._tcp.local",
	"._afpovertcp._tcp.local",
}

// mdnsInfo returns the instance part of a service instance name of one of
// mdnsInfoServices (matched in any case), with the bytes that are not
// ASCII replaced by spaces in place; ok is false for other names, reverse
// (".ip6.arpa") names and empty instances.
func mdnsInfo(name []byte) (info []byte, ok bool) {
	for _, svc := range mdnsInfoServices {
		if hasSuffixFold(name, svc) {
			info = name[:len(name)-len(svc)]
			break
		}
	}
	if len(info) == 0 || containsFold(info, ".ip6.arpa") {
		return nil, false
	}
	for i, c := range info {
		if c >= 0x80 {
			info[i] = ' '
		}
	}
	return info, true
}

// containsFold reports whether b contains the lower-case ASCII string s in
// any letter case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if hasSuffixFold(b[:i+len(s)], s) {
			return true
		}
	}
	return false
}

// txtItem returns the value of the "key=" item of TXT record data.
func txtItem(rdata []byte, key string) ([]byte, bool) {
	for off := 0; off < len(rdata); {
		l := int(rdata[off])
		off++
		if off+l > len(rdata) {
			return nil, false
		}
		item := rdata[off : off+l]
		if len(item) >= len(key) && strings.EqualFold(string(item[:len(key)]), key) {
			return item[len(key):], true
		}
		off += l
	}
	return nil, false
}

// lowerASCII lower-cases ASCII letters, leaving other bytes untouched.
func lowerASCII(b []byte) string {
	out := make([]byte, len(b))
	copy(out, b)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}

var dnsDissectors = []dissector{
	{name: "DNS", l4: onBoth, tcpPorts: []uint16{53}, udpPorts: []uint16{53},
		run: func(c *ctx) verdict { return c.e.dissectDNS(c, 53, ProtoDNS) }},
	{name: "MDNS", l4: onUDP, udpPorts: []uint16{5353},
		run: func(c *ctx) verdict { return c.e.dissectDNS(c, 5353, ProtoMDNS) }},
	{name: "LLMNR", l4: onUDP, udpPorts: []uint16{5355},
		run: func(c *ctx) verdict { return c.e.dissectDNS(c, 5355, protoLLMNR) }},
}

// dissectDNS handles a DNS (kind ProtoDNS), mDNS (ProtoMDNS) or LLMNR
// message on the protocol's port. The flow is classified on the first
// message and inspected until the first response, whose answers are
// learned.
func (e *Engine) dissectDNS(c *ctx, port uint16, kind ProtoID) verdict {
	if !c.hasPort(port) {
		return notMine
	}
	st := c.st
	msg := c.payload
	if c.l4 == 6 { // DNS over TCP: 2-byte length prefix
		if len(msg) < 2 {
			return notMine
		}
		if l := int(binary.BigEndian.Uint16(msg)); l+2 < len(msg) {
			msg = msg[2 : l+2]
		} else {
			msg = msg[2:]
		}
	}
	var buf [dnsMaxName]byte
	m, ok := parseDNS(msg, &buf)
	if !ok {
		if st.flags&flagDNSSeen != 0 {
			c.risk(RiskMalformedPacket)
			return matchedMore // a classified flow's odd packet
		}
		return notMine
	}
	if kind == ProtoDNS {
		dnsRisks(c, msg, &m)
	}
	if st.flags&flagDNSSeen == 0 {
		st.flags |= flagDNSSeen
		st.DNSQueryType = m.qtype
		name := ""
		if len(m.qname) > 0 {
			name = string(m.qname)
		}
		if kind == ProtoDNS {
			c.setByName(ProtoDNS, name)
		} else {
			st.ServerName = name
			c.set(kind)
		}
	}
	if !m.response {
		return matchedMore
	}
	if e.learner != nil {
		switch kind {
		case ProtoDNS:
			if m.rcode == 0 && len(m.qname) > 0 {
				e.learnResolved(msg, &m)
			}
		case ProtoMDNS:
			e.learnMDNS(msg, &m, c.p.Src)
		}
	}
	return matched
}

// dnsRisks flags what nDPI flags in DNS messages: server errors, oversized
// messages, names with characters no host name has, punycode names,
// generated-looking names, and zero-TTL answers.
func dnsRisks(c *ctx, msg []byte, m *dnsMessage) {
	if m.response && m.rcode != 0 {
		c.risk(RiskErrorCode)
	}
	if len(msg) > 512 {
		c.risk(RiskDNSLargePacket)
	}
	if len(m.qname) > 0 {
		if !validHostName(m.qname) {
			c.risk(RiskInvalidCharacters)
		}
		if hasPunycode(m.qname) {
			c.risk(RiskPunycodeIDN)
		}
		if len(m.qname) > 120 {
			c.risk(RiskDNSSuspiciousTraffic) // long names carry tunnelled data
		}
		if m.response && m.rcode == 0 && looksGenerated(m.qname) {
			c.risk(RiskSuspiciousDGADomain)
		}
	}
	if m.response && m.rcode == 0 {
		dnsAnswers(msg, m, false, func(r dnsRecord) bool {
			if r.ttl == 0 && (r.typ == dnsTypeA || r.typ == dnsTypeAAAA) {
				c.risk(RiskMinorIssues)
				return false
			}
			return true
		})
	}
}

// validHostName reports whether a (lower-case) DNS name has only the
// characters host and service names use.
func validHostName(name []byte) bool {
	for _, ch := range name {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '-', ch == '.', ch == '_', ch == '*':
		default:
			return false
		}
	}
	return true
}

// hasPunycode reports whether a label of name is an IDN ("xn--").
func hasPunycode(name []byte) bool {
	for i := 0; i+4 <= len(name); i++ {
		if (i == 0 || name[i-1] == '.') && string(name[i:i+4]) == "xn--" {
			return true
		}
	}
	return false
}

// looksGenerated is a conservative test for names made by a domain
// generation algorithm: the registered label (the one before the top-level
// domain) is long and either mixes many digits into letters or has long
// runs of consonants, which pronounceable names do not.
func looksGenerated[T ~string | ~[]byte](name T) bool {
	end := len(name)
	dot := -1
	for i := end - 1; i >= 0; i-- {
		if name[i] == '.' {
			if dot < 0 {
				dot = i
				continue
			}
			return labelLooksGenerated(name[i+1 : dot])
		}
	}
	if dot > 0 {
		return labelLooksGenerated(name[:dot])
	}
	return false
}

func labelLooksGenerated[T ~string | ~[]byte](l T) bool {
	if len(l) < 10 {
		return false
	}
	digits, run, maxRun := 0, 0, 0
	for i := 0; i < len(l); i++ {
		ch := l[i]
		switch {
		case ch >= '0' && ch <= '9':
			digits++
			run = 0
		case ch == 'a' || ch == 'e' || ch == 'i' || ch == 'o' || ch == 'u' || ch == 'y' || ch == '-':
			run = 0
		default:
			run++
			maxRun = max(maxRun, run)
		}
	}
	return maxRun >= 6 || (digits >= 3 && digits*4 < len(l)*3 && maxRun >= 4)
}

// learnResolved reports the A/AAAA answers of a positive DNS response as
// address -> queried name.
func (e *Engine) learnResolved(msg []byte, m *dnsMessage) {
	var qname string
	dnsAnswers(msg, m, false, func(r dnsRecord) bool {
		if a, ok := dnsAnswerAddr(r); ok {
			if qname == "" {
				qname = string(m.qname)
			}
			e.learner.LearnName(a, qname, NameResolved)
		}
		return true
	})
}

// learnMDNS reports, as names of the sender of an mDNS response: the
// name of the first A/AAAA/TXT record (NameMDNS, unless validLearnedName
// refuses it as received or as shortened), the nm= item of the first TXT
// record that has one (NameMDNSTXT) and the instance name of the first
// record named after a device service (NameMDNSInfo, case kept). The
// authority and additional records count, as mDNS responders put their
// host records there. Nothing is allocated unless a name is learned.
func (e *Engine) learnMDNS(msg []byte, m *dnsMessage, src netip.Addr) {
	named, txt, info := false, false, false
	var buf [dnsMaxName]byte
	dnsAnswers(msg, m, true, func(r dnsRecord) bool {
		host := !named && (r.typ == dnsTypeA || r.typ == dnsTypeAAAA || r.typ == dnsTypeTXT)
		if host || !info {
			named = named || host
			if n, _, ok := dnsReadNameCase(msg, r.nameOff, &buf, false); ok {
				name := buf[:n]
				if host {
					if h := mdnsHostName(name); validLearnedName(name) && validLearnedName(h) {
						e.learner.LearnName(src, lowerASCII(h), NameMDNS)
					}
				}
				if !info {
					if s, ok := mdnsInfo(name); ok { // rewrites buf: done with name
						info = true
						e.learner.LearnName(src, string(s), NameMDNSInfo)
					}
				}
			}
		}
		if r.typ == dnsTypeTXT && !txt {
			if v, ok := txtItem(r.rdata, "nm="); ok && len(v) > 0 {
				txt = true
				e.learner.LearnName(src, lowerASCII(v), NameMDNSTXT)
			}
		}
		return !(named && txt && info)
	})
}
