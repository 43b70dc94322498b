package probe

import (
	"net/netip"

	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// DNSCounters is one side (sent or received) of a host's DNS statistics.
type DNSCounters struct {
	Queries, RepliesOK, RepliesError                   uint64
	A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, ANY, OtherQ uint64
}

func (c *DNSCounters) query(qtype uint16) {
	c.Queries++
	switch qtype {
	case 1:
		c.A++
	case 2:
		c.NS++
	case 5:
		c.CNAME++
	case 6:
		c.SOA++
	case 12:
		c.PTR++
	case 15:
		c.MX++
	case 16:
		c.TXT++
	case 28:
		c.AAAA++
	case 255:
		c.ANY++
	default:
		c.OtherQ++
	}
}

// HTTPCounters is one role (sender or receiver) of a host's HTTP statistics.
type HTTPCounters struct {
	Get, Post, Head, Put, OtherQ         uint64
	R1xx, R2xx, R3xx, R4xx, R5xx, ROther uint64
}

// Queries is the number of requests.
func (c *HTTPCounters) Queries() uint64 { return c.Get + c.Post + c.Head + c.Put + c.OtherQ }

// Responses is the number of responses.
func (c *HTTPCounters) Responses() uint64 {
	return c.R1xx + c.R2xx + c.R3xx + c.R4xx + c.R5xx + c.ROther
}

// ICMPCounter counts one ICMP type/code for a host.
type ICMPCounter struct {
	Sent, Rcvd                 uint64
	LastSentPeer, LastRcvdPeer netip.Addr
}

// appPacket updates the per-packet application counters of the sender and
// receiver hosts (their shard locks are held by the caller).
func appPacket(h *Host, sent bool, peer netip.Addr, p *decode.Packet, m dpi.PacketMeta) {
	if l := h.LocalData; l != nil {
		localAppPacket(l, sent, m)
	}
	if p.L4Proto == 1 || p.L4Proto == 58 {
		k := uint16(p.ICMPType)<<8 | uint16(p.ICMPCode)
		if h.ICMPTypes == nil {
			h.ICMPTypes = map[uint16]*ICMPCounter{}
		}
		c := counterIn(h.ICMPTypes, k)
		if sent {
			c.Sent++
			c.LastSentPeer = peer
		} else {
			c.Rcvd++
			c.LastRcvdPeer = peer
		}
	}
}

// localAppPacket counts DNS and HTTP messages (local hosts only).
func localAppPacket(h *LocalStats, sent bool, m dpi.PacketMeta) {
	switch m.Kind {
	case dpi.MetaDNSQuery:
		if sent {
			h.DNSSent.query(m.DNSQType)
		} else {
			h.DNSRcvd.query(m.DNSQType)
		}
	case dpi.MetaDNSResponse:
		c := &h.DNSRcvd
		if sent {
			c = &h.DNSSent
		}
		if m.DNSRcode == 0 {
			c.RepliesOK++
		} else {
			c.RepliesError++
		}
	case dpi.MetaHTTPRequest:
		c := &h.HTTPReceiver
		if sent {
			c = &h.HTTPSender
		}
		switch m.HTTPVerb {
		case dpi.HTTPGet:
			c.Get++
		case dpi.HTTPPost:
			c.Post++
		case dpi.HTTPHead:
			c.Head++
		case dpi.HTTPPut:
			c.Put++
		default:
			c.OtherQ++
		}
	case dpi.MetaHTTPResponse:
		c := &h.HTTPReceiver
		if sent {
			c = &h.HTTPSender
		}
		switch m.HTTPStatus / 100 {
		case 1:
			c.R1xx++
		case 2:
			c.R2xx++
		case 3:
			c.R3xx++
		case 4:
			c.R4xx++
		case 5:
			c.R5xx++
		default:
			c.ROther++
		}
	}
}
