package dpi

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// STUN (RFC 8489, classic RFC 3489) and TURN (RFC 8656), as nDPI reads
// them: a STUN flow is classified on its first valid message, and the
// service of the call (WhatsApp, Teams, Zoom, Telegram, Google...) comes
// from vendor attributes, the REALM, well-known servers or a cache of
// endpoints already seen in classified calls. The flow is then followed
// for a few more packets, because STUN only opens the path: DTLS, RTP or
// more STUN follow on the same 5-tuple and refine the label (STUN.X ->
// SRTP.X, STUN.X -> DTLS.X).

const (
	stunHeaderLen   = 20
	stunMagicCookie = 0x2112A442
	// stunDetectPackets is how many packets a flow may show before a STUN
	// message (nDPI gives up after the fifth).
	stunDetectPackets = 5
	// stunExtraPackets is nDPI's stun.max_packets_extra_dissection
	// default; a DTLS handshake adds stunDTLSExtra more.
	stunExtraPackets = 6
	stunDTLSExtra    = 10
	// stunMaxDepth bounds the recursion into DATA attributes and TURN
	// channels of hostile payloads.
	stunMaxDepth = 4
)

// The STUN dissector's scratch word.
const (
	stunClassified = 1 << iota // the flow is classified; following it
	stunTURN                   // a TURN method was seen
	stunRealmSeen              // a valid REALM set the server name
	stunDTLSSeen               // the flow switched to DTLS
	stunMapped                 // (XOR-)MAPPED-ADDRESS seen
	stunPeer                   // XOR-PEER-ADDRESS seen
	stunRelayed                // XOR-RELAYED-ADDRESS seen
	stunOrigin                 // RESPONSE-ORIGIN seen
	stunOther                  // OTHER-ADDRESS seen

	stunExtraShift  = 16 // extra packets inspected since the classification
	stunBudgetShift = 24 // extra packets allowed
	stunCountShift  = 32 // packets of the flow (nDPI's packet counter)
)

func stunField(s uint64, shift uint) int { return int(s >> shift & 0xff) }

func stunSetField(s *uint64, shift uint, v int) {
	v = min(v, 0xff)
	*s = *s&^(0xff<<shift) | uint64(v)<<shift
}

// stunRun classifies STUN flows and, once classified, follows them.
func stunRun(c *ctx) verdict {
	if s := voipPeek(c); s != nil && *s&stunClassified != 0 {
		return stunFollow(c, s)
	}
	if d := c.p.Dst; d.Is4() && (d.IsMulticast() || d == netip.AddrFrom4([4]byte{255, 255, 255, 255})) {
		return notMine
	}
	// The state of an unclassified flow stays local: no allocation for
	// the flows that are not STUN.
	var tmp uint64
	stunSetField(&tmp, stunCountShift, c.pkts())
	var m stunMsg
	if !stunParse(c, &tmp, c.payload, &m, 0) {
		// Over TCP a STUN flow opens with a STUN message.
		if c.l4 == 6 || c.pkts() > stunDetectPackets {
			return notMine
		}
		return needMore
	}
	s := c.scratch()
	*s = tmp | stunClassified
	stunSetField(s, stunBudgetShift, stunExtraPackets+stunField(tmp, stunBudgetShift))
	stunAddConnection(c, s, m.app, stunMaster(c))
	if stunKeepFollowing(c, *s) {
		return matchedMore
	}
	return matched
}

// stunFollow is nDPI's extra dissection of a STUN flow: it demultiplexes
// STUN, DTLS, TURN channels and RTP (RFC 9443) to refine the label.
func stunFollow(c *ctx, s *uint64) verdict {
	stunSetField(s, stunCountShift, stunField(*s, stunCountShift)+1)
	extra := stunField(*s, stunExtraShift) + 1
	stunSetField(s, stunExtraShift, extra)
	stunAgain(c, s, c.payload, 0)
	if extra >= stunField(*s, stunBudgetShift) || !stunKeepFollowing(c, *s) {
		return matched
	}
	return matchedMore
}

// stunMsg is what one STUN message tells about the flow.
type stunMsg struct {
	app ProtoID // the service the attributes point to
}

// stunParse checks that p is a STUN message and reads its attributes. It
// is nDPI's is_stun: it may already refine the classification (a DATA
// attribute carries a packet of the flow).
func stunParse(c *ctx, s *uint64, p []byte, m *stunMsg, depth int) bool {
	if len(p) < stunHeaderLen {
		return false
	}
	// Some legacy servers answer in text.
	if string(p[:4]) == "RSP/" && string(p[7:13]) == " STUN_" {
		return true
	}
	tcp := c.l4 == 6
	// RFC 4571 framing over TCP (one message per segment).
	if tcp && len(p) >= stunHeaderLen+2 && int(binary.BigEndian.Uint16(p))+2 == len(p) {
		p = p[2:]
	}
	// Microsoft multiplexed TURN (MS-TURN 2.2.3): a 12-byte header.
	if len(p) >= stunHeaderLen+12 && binary.BigEndian.Uint16(p) == 0xFF10 &&
		int(binary.BigEndian.Uint16(p[2:]))+4 == len(p) {
		p = p[12:]
	}
	msgType := binary.BigEndian.Uint16(p)
	msgLen := int(binary.BigEndian.Uint16(p[2:]))
	cookie := binary.BigEndian.Uint32(p[4:])
	if tcp {
		if cookie != stunMagicCookie || msgLen+stunHeaderLen > len(p) {
			return false
		}
		p = p[:msgLen+stunHeaderLen]
	}
	if msgType == 0 || msgLen+stunHeaderLen != len(p) {
		return false
	}
	waType := stunWhatsAppType(msgType)
	if msgType&0x3EEF > 0x000B && !waType {
		return false
	}
	if cookie != stunMagicCookie && !stunClassicOK(msgType, p) {
		return false
	}
	if waType {
		// WhatsApp's own message types.
		m.app = voipWhatsAppCall
		return true
	}
	method := msgType&0x000F | (msgType&0x00E0)>>1 | (msgType&0x3E00)>>2
	if method >= 0x0003 && method <= 0x000C { // Allocate ... ConnectionAttempt
		*s |= stunTURN
	}
	// Signal uses port 10000 for its relays; the check is weak, so other
	// services get a few packets to show themselves first.
	if stunField(*s, stunCountShift) > 4 && *s&stunTURN == 0 && !stunRealSub(c) &&
		(c.cliPort == 10000 || c.srvPort == 10000) {
		m.app = voipSignalVoip
	}
	if c.st.Result.App == voipTelegram && c.st.Result.Master == ProtoUnknown {
		m.app = voipTelegramVoip
	}
	for off := stunHeaderLen; off+4 < len(p); {
		attr := binary.BigEndian.Uint16(p[off:])
		alen := int(binary.BigEndian.Uint16(p[off+2:]))
		padded := (alen + 3) &^ 3
		val := p[off+4:]
		switch attr {
		case 0x0001: // MAPPED-ADDRESS
			stunAddr(s, stunMapped, val, padded, p, false)
		case 0x0020: // XOR-MAPPED-ADDRESS
			stunAddr(s, stunMapped, val, padded, p, true)
		case 0x0016: // XOR-RELAYED-ADDRESS
			stunAddr(s, stunRelayed, val, padded, p, true)
		case 0x802B: // RESPONSE-ORIGIN
			stunAddr(s, stunOrigin, val, padded, p, false)
		case 0x802C: // OTHER-ADDRESS
			stunAddr(s, stunOther, val, padded, p, false)
		case 0x0012: // XOR-PEER-ADDRESS: the other end of a relayed call
			if ap, ok := stunAddr(s, stunPeer, val, padded, p, true); ok && stunRealSub(c) {
				c.e.stun.put(ap, c.st.Result.App)
			}
		case 0x0101, 0x0103: // Zoom's own attributes
			m.app = voipZoom
			return true
		case 0x4000, 0x4001, 0x4002, 0x4003, 0x4004, 0x4007: // WhatsApp's
			m.app = voipWhatsAppCall
		case 0x0014: // REALM: the relay's domain names the service
			if *s&stunRealmSeen == 0 {
				if app, ok := stunRealm(c, val[:min(alen, len(val))]); ok {
					*s |= stunRealmSeen
					if app != ProtoUnknown {
						m.app = app
					}
				}
			}
		case 0x8054, 0x24DF, 0x3802, 0x8036, 0x8095, 0x0800, 0x8006, 0x8070, 0x8055:
			// Microsoft's (MS-ICE2, MS-TURN) attributes: Teams and Skype.
			m.app = voipSkypeTeamsCall
		case 0xFF03:
			m.app = voipGoogleCall
		case 0x0013: // DATA: a packet relayed through TURN
			if padded <= len(val) && depth < stunMaxDepth {
				stunAgain(c, s, val[:padded], depth+1)
			}
		}
		off += 4 + padded
	}
	return true
}

// stunWhatsAppType reports whether t is one of WhatsApp's own message
// types.
func stunWhatsAppType(t uint16) bool {
	switch t {
	case 0x0800, 0x0801, 0x0802, 0x0804, 0x0805:
		return true
	}
	return false
}

// stunClassicOK tells a classic (RFC 3489, no magic cookie) message from
// random bytes: a known type and attributes that exactly fill it.
func stunClassicOK(msgType uint16, p []byte) bool {
	switch msgType {
	case 0x0001, 0x0101, 0x0111, // Binding
		0x0002, 0x0102, 0x0112, // Shared Secret
		0x0003, 0x0103, 0x0113, // Allocate
		0x0004, 0x0104, 0x0114, // Send
		0x0115,                 // Data Indication
		0x0006, 0x0106, 0x0116: // Set Active Destination
	default:
		return false
	}
	off := stunHeaderLen
	for off+4 < len(p) {
		off += 4 + (int(binary.BigEndian.Uint16(p[off+2:]))+3)&^3
	}
	return off == len(p)
}

// stunAddr decodes an address attribute (value val, padded length n)
// and records that the flow has one. The XOR variants are masked with the
// magic cookie and the transaction id of message p.
func stunAddr(s *uint64, bit uint64, val []byte, n int, p []byte, xor bool) (netip.AddrPort, bool) {
	if n > len(val) || (n != 8 && n != 20) {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(val[2:])
	if xor {
		port ^= binary.BigEndian.Uint16(p[4:]) // the top of the magic cookie
	}
	var a netip.Addr
	switch {
	case val[1] == 0x01 && n == 8:
		var ip [4]byte
		copy(ip[:], val[4:8])
		if xor {
			for i := range ip {
				ip[i] ^= p[4+i] // the magic cookie
			}
		}
		a = netip.AddrFrom4(ip)
	case val[1] == 0x02 && n == 20:
		var ip [16]byte
		copy(ip[:], val[4:20])
		if xor {
			for i := range ip {
				ip[i] ^= p[4+i] // the magic cookie, then the transaction id
			}
		}
		a = netip.AddrFrom16(ip)
	default:
		return netip.AddrPort{}, false
	}
	if port != 0 {
		*s |= bit
	}
	return netip.AddrPortFrom(a, port), true
}

// stunRealm records a REALM as the flow's server name and returns the
// service it names. Realms holding junk ('?') are not names: ok is false.
func stunRealm(c *ctx, v []byte) (ProtoID, bool) {
	for _, b := range v {
		if b == '?' {
			return ProtoUnknown, false
		}
	}
	name := strings.ToLower(string(v))
	c.st.ServerName = name
	switch {
	case strings.Contains(name, "google.com"):
		return voipGoogleCall, true
	case strings.Contains(name, "whispersystems.org"), strings.Contains(name, "signal.org"):
		return voipSignalVoip, true
	case strings.Contains(name, "facebook"):
		return voipFacebookVoip, true
	case strings.Contains(name, "stripcdn.com"):
		return voipAdultContent, true
	case strings.Contains(name, "telegram"):
		return voipTelegramVoip, true
	case strings.Contains(name, "viber"):
		return voipViberVoip, true
	}
	return ProtoUnknown, true
}

// stunAgain looks at one more packet of a classified STUN flow (or at a
// packet carried in a DATA attribute or a TURN channel), sorting it by its
// first byte as RFC 9443 does.
func stunAgain(c *ctx, s *uint64, p []byte, depth int) {
	if len(p) <= 1 {
		return
	}
	cur := c.st.Result
	first := p[0]
	msgType := binary.BigEndian.Uint16(p)
	switch {
	case first <= 3 || (cur.App == voipWhatsAppCall && stunWhatsAppType(msgType)):
		var m stunMsg
		if stunParse(c, s, p, &m, depth) && stunBetter(c, m.app) {
			stunAddConnection(c, s, m.app, stunMaster(c))
		}
	case first <= 19: // DROP and ZRTP
	case first <= 63:
		// The call moves to DTLS (WebRTC): the DTLS reader takes the
		// handshake, keeping the service found so far. Only a whole
		// datagram can be a DTLS one.
		if c.l4 != 17 || depth > 0 || !stunIsDTLS(p) {
			return
		}
		app := ProtoUnknown
		if stunRealSub(c) {
			app = cur.App
		}
		if dtlsFollow(c, app) == notMine || *s&stunDTLSSeen != 0 {
			return
		}
		// The handshake may take retransmissions and fragments.
		*s |= stunDTLSSeen
		stunSetField(s, stunBudgetShift, stunField(*s, stunBudgetShift)+stunDTLSExtra)
		if cur.App == voipRTP && c.st.Result.Master == voipDTLS && c.st.Result.App == ProtoUnknown {
			stunAddConnection(c, s, voipSRTP, voipDTLS)
		}
	case first <= 79: // TURN ChannelData
		if *s&stunTURN != 0 && len(p) >= 4 && depth < stunMaxDepth {
			if n := int(binary.BigEndian.Uint16(p[2:])); n <= len(p)-4 {
				stunAgain(c, s, p[4:4+n], depth+1)
			}
		}
	case first <= 127: // QUIC
	case first <= 191:
		if kind, _ := rtpKind(p); kind != rtpIsRTP {
			return
		}
		if cur.App == voipRTP || cur.App == voipRTCP || cur.Master == voipSRTP {
			return
		}
		switch {
		case cur.Master == voipDTLS:
			// Keep DTLS.X: the handshake metadata belongs to it.
		case cur.Master != ProtoUnknown:
			stunAddConnection(c, s, cur.App, voipSRTP)
		default:
			master := stunMaster(c)
			app := voipSRTP
			if master == voipSTUN {
				app = voipRTP
			}
			stunAddConnection(c, s, app, master)
		}
	default:
		// Microsoft multiplexed TURN channel.
		if len(p) >= 12 && msgType == 0xFF10 && cur.App == voipSkypeTeamsCall && depth < stunMaxDepth {
			if n := int(binary.BigEndian.Uint16(p[2:])); n == len(p)-4 && n >= 8 {
				stunAgain(c, s, p[12:4+n], depth+1)
			}
		}
	}
}

// stunIsDTLS reports whether p starts with a whole DTLS record.
func stunIsDTLS(p []byte) bool {
	if len(p) <= 13 {
		return false
	}
	switch p[0] {
	case 0x14, 0x15, 0x16, 0x17: // change_cipher_spec, alert, handshake, application_data
	default:
		return false
	}
	switch {
	case p[1] == 0xfe && (p[2] == 0xff || p[2] == 0xfd || p[2] == 0xfc):
	case p[1] == 0x01 && p[2] == 0x00: // pre-standard OpenSSL DTLS
	default:
		return false
	}
	n := int(binary.BigEndian.Uint16(p[11:]))
	return n != 0 && n+12 < len(p)
}

// stunRealProto reports whether app is a service rather than one of the
// transports a call goes through.
func stunRealProto(app ProtoID) bool {
	switch app {
	case ProtoUnknown, voipSTUN, voipRTP, voipRTCP, voipSRTP, voipDTLS, voipTelegram:
		return false
	}
	return true
}

// stunRealSub reports whether the flow already carries a service.
func stunRealSub(c *ctx) bool {
	r := c.st.Result
	return r.Master != ProtoUnknown && stunRealProto(r.App)
}

// stunBetter reports whether a later message should change the label.
func stunBetter(c *ctx, app ProtoID) bool {
	if stunRealSub(c) && app == ProtoUnknown {
		return false
	}
	return app != c.st.Result.App
}

// stunMaster is the transport the flow is labelled with so far.
func stunMaster(c *ctx) ProtoID {
	r := c.st.Result
	switch {
	case r.Master != ProtoUnknown:
		return r.Master
	case r.App != ProtoUnknown && r.App != voipTelegram:
		return r.App
	}
	return voipSTUN
}

// Google's STUN/TURN servers (support.google.com/a/answer/1279090).
var stunGooglePrefixes = []netip.Prefix{
	netip.MustParsePrefix("74.125.250.0/24"),
	netip.MustParsePrefix("142.250.82.0/24"),
	netip.MustParsePrefix("2001:4860:4864:5::/64"),
	netip.MustParsePrefix("2001:4860:4864:6::/64"),
}

func stunGooglePort(p uint16) bool { return p == 3478 || (p >= 19302 && p <= 19309) }

// stunAddConnection labels the flow master.app, first completing app from
// Google's servers and the cache of endpoints of earlier calls, and feeds
// the cache when the service is known.
func stunAddConnection(c *ctx, s *uint64, app, master ProtoID) {
	cli := netip.AddrPortFrom(c.clientAddr().Unmap(), c.cliPort)
	srv := netip.AddrPortFrom(c.serverAddr().Unmap(), c.srvPort)
	if app == ProtoUnknown && (stunGooglePort(c.cliPort) || stunGooglePort(c.srvPort)) {
		for _, pfx := range stunGooglePrefixes {
			if pfx.Contains(cli.Addr()) || pfx.Contains(srv.Addr()) {
				app = voipGoogleCall
				break
			}
		}
	}
	cache := &c.e.stun
	if !stunRealProto(app) {
		cached, ok := cache.get(cli)
		if !ok {
			cached, ok = cache.get(srv)
		}
		if ok {
			if app == voipRTP || master == voipRTP || master == voipRTCP {
				master = voipSRTP
			}
			app = cached
		}
	}
	if stunRealProto(app) {
		cache.put(cli, app)
		cache.put(srv, app)
	}
	r := c.st.Result
	if (r.Master == ProtoUnknown && r.App == ProtoUnknown) || app != ProtoUnknown {
		c.setPair(master, app)
	}
}

// stunKeepFollowing is nDPI's rule for how long a classified STUN flow is
// worth following: until it carries a service and its addresses are all
// known (Telegram: always, for its peers; Zoom: never).
func stunKeepFollowing(c *ctx, s uint64) bool {
	if !stunRealSub(c) {
		return true
	}
	r := c.st.Result
	switch {
	case r.App == voipTelegramVoip:
		return true
	case s&(stunMapped|stunPeer|stunRelayed|stunOrigin|stunOther) ==
		stunMapped|stunPeer|stunRelayed|stunOrigin|stunOther:
		return false
	case r.App == voipWhatsAppCall && r.Master == voipSRTP && s&(stunMapped|stunRelayed) == stunMapped|stunRelayed:
		return false
	case r.App == voipZoom:
		return false
	}
	return true
}

// stunCacheSize bounds the endpoint cache (nDPI's LRU default).
const stunCacheSize = 1024

// stunCache maps the endpoints (address and port) of classified calls to
// their service, so that the other flows of the same call (peer to peer,
// relayed, started mid-way) get the service too. Oldest entries are
// evicted first.
type stunCache struct {
	m    map[netip.AddrPort]ProtoID
	ring []netip.AddrPort
	next int
}

func (sc *stunCache) get(k netip.AddrPort) (ProtoID, bool) {
	v, ok := sc.m[k]
	return v, ok
}

func (sc *stunCache) put(k netip.AddrPort, v ProtoID) {
	if sc.m == nil {
		sc.m = make(map[netip.AddrPort]ProtoID)
	}
	if _, ok := sc.m[k]; !ok {
		if len(sc.ring) < stunCacheSize {
			sc.ring = append(sc.ring, k)
		} else {
			delete(sc.m, sc.ring[sc.next])
			sc.ring[sc.next] = k
			sc.next = (sc.next + 1) % stunCacheSize
		}
	}
	sc.m[k] = v
}
