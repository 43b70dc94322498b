package dpi

import (
	"bytes"
	"encoding/binary"
)

// MetaKind tells what an application packet was, for host counters that
// ntopng keeps per packet (DNS queries and replies, HTTP requests and
// responses), independently of the classification which stops early.
type MetaKind uint8

const (
	MetaNone MetaKind = iota
	MetaDNSQuery
	MetaDNSResponse
	MetaHTTPRequest
	MetaHTTPResponse
)

// HTTP request methods as counted by hosts.
const (
	HTTPGet uint8 = iota + 1
	HTTPPost
	HTTPHead
	HTTPPut
	HTTPOther
)

// PacketMeta is the per-packet application summary.
type PacketMeta struct {
	Kind       MetaKind
	DNSQType   uint16
	DNSRcode   uint8
	HTTPVerb   uint8
	HTTPStatus uint16
}

// Meta inspects one packet of an already classified flow. It never
// allocates and returns MetaNone for anything it does not recognise.
func Meta(res Result, p *Packet) PacketMeta {
	var m PacketMeta
	if len(p.Payload) == 0 {
		return m
	}
	switch {
	case res.Is(ProtoDNS):
		msg := p.Payload
		if p.L4Proto == 6 {
			if len(msg) < 2 {
				return m
			}
			msg = msg[2:]
		}
		if len(msg) < dnsHeaderLen {
			return m
		}
		flags := binary.BigEndian.Uint16(msg[2:])
		if flags&0x8000 != 0 {
			m.Kind = MetaDNSResponse
			m.DNSRcode = uint8(flags & 0xf)
		} else {
			m.Kind = MetaDNSQuery
		}
		if binary.BigEndian.Uint16(msg[4:]) > 0 {
			if next, ok := dnsSkipName(msg, dnsHeaderLen); ok && next+2 <= len(msg) {
				m.DNSQType = binary.BigEndian.Uint16(msg[next:])
			}
		}
	case res.Is(ProtoHTTP):
		b := p.Payload
		if code, ok := parseHTTPResponse(b); ok {
			m.Kind, m.HTTPStatus = MetaHTTPResponse, code
			return m
		}
		sp := bytes.IndexByte(b, ' ')
		if sp <= 0 || sp > 10 {
			return m
		}
		switch verb := string(b[:sp]); verb {
		case "GET":
			m.HTTPVerb = HTTPGet
		case "POST":
			m.HTTPVerb = HTTPPost
		case "HEAD":
			m.HTTPVerb = HTTPHead
		case "PUT":
			m.HTTPVerb = HTTPPut
		default:
			if httpMethod(b[:sp]) == "" {
				return m
			}
			m.HTTPVerb = HTTPOther
		}
		m.Kind = MetaHTTPRequest
	}
	return m
}
