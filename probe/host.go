package probe

import (
	"net/netip"
	"strconv"
	"sync/atomic"

	"github.com/ntopng-go/ntopng/geo"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// HostKey identifies a host on an interface: one IP on one VLAN (spec A.2).
type HostKey struct {
	IP   netip.Addr
	VLAN uint16
}

// String is ntopng's host key: "ip" or "ip@vlan".
func (k HostKey) String() string {
	if k.VLAN == 0 {
		return k.IP.String()
	}
	return k.IP.String() + "@" + strconv.Itoa(int(k.VLAN))
}

// TrafficCounter is a sent/received pair of bytes and packets.
type TrafficCounter struct {
	BytesSent, BytesRcvd     uint64
	PacketsSent, PacketsRcvd uint64
}

func (c *TrafficCounter) add(o TrafficCounter) {
	c.BytesSent += o.BytesSent
	c.BytesRcvd += o.BytesRcvd
	c.PacketsSent += o.PacketsSent
	c.PacketsRcvd += o.PacketsRcvd
}

// ActivityCounter is a traffic counter with an activity duration grown in
// housekeeping-period steps (spec A.7).
type ActivityCounter struct {
	TrafficCounter
	Duration     uint32
	lastActivity int64 // unix seconds of the last duration increment
	NumFlows     uint32
}

// touch grows the activity duration by the housekeeping period when at least
// one period elapsed since the previous increment.
func (c *ActivityCounter) touch(now int64) {
	if c.lastActivity == 0 || now >= c.lastActivity+housekeepingPeriod {
		c.Duration += housekeepingPeriod
		c.lastActivity = now
	}
}

// SizeHistogram counts packets by length bucket (pktStats.*.size).
type SizeHistogram struct {
	UpTo64, UpTo128, UpTo256, UpTo512, UpTo1024, UpTo1518, UpTo2500, UpTo6500, UpTo9000, Above9000 uint64
}

// sizeBucket is the index of a packet length in SizeHistogram's order.
func sizeBucket(n int) int {
	switch {
	case n <= 64:
		return 0
	case n <= 128:
		return 1
	case n <= 256:
		return 2
	case n <= 512:
		return 3
	case n <= 1024:
		return 4
	case n <= 1518:
		return 5
	case n <= 2500:
		return 6
	case n <= 6500:
		return 7
	case n <= 9000:
		return 8
	}
	return 9
}

// TCPFlagCounters counts SYN, SYN+ACK, FIN+ACK and RST segments.
type TCPFlagCounters struct{ SYN, SYNACK, FINACK, RST uint64 }

// PacketStats is one direction of a host's per-packet statistics.
type PacketStats struct {
	Size     SizeHistogram
	TCPFlags TCPFlagCounters
}

// TCPSeqStats counts segments classified by the sequence analysis.
type TCPSeqStats struct{ Retransmissions, OutOfOrder, Lost, KeepAlive uint64 }

// HostNames holds the names learned per source (spec A.4.1); the first value
// of each source wins.
type HostNames struct {
	MDNS, MDNSTXT, Resolved, NetBIOS, TLS, HTTP, DHCP string
	// MDNSInfo is the mDNS service instance name (the record's top-level
	// "info" member); it keeps its letter case and is not a host name.
	MDNSInfo string
}

// Host is one IP on one VLAN of an interface. Its fields are guarded by the
// lock of the host table shard that holds it; only the interface's capture
// goroutine writes them.
type Host struct {
	Key       HostKey
	serial    uint32
	MAC       [6]byte
	Local     bool
	NetworkID int
	Multicast bool
	Broadcast bool
	Private   bool

	FirstSeen, LastSeen int64 // unix seconds, reference clock

	Traffic                 TrafficCounter
	TCP, UDP, ICMP, OtherIP TrafficCounter
	UDPSentUnicast          uint64
	UDPSentNonUnicast       uint64

	NDPI       map[dpi.ProtoID]*ActivityCounter
	Categories map[dpi.CategoryID]*ActivityCounter
	DSCP       map[string]*TrafficCounter

	PktSent, PktRcvd PacketStats
	TCPSent, TCPRcvd TCPSeqStats
	ActiveFlowsAsCli uint32
	ActiveFlowsAsSrv uint32
	// ScoreAsCli and ScoreAsSrv sum the risk scores of the host's active
	// flows (the client or server share of each).
	ScoreAsCli, ScoreAsSrv int32
	// Flows with alerts: in which the host was client or server (totals),
	// and those still active.
	AlertedFlowsAsCli, AlertedFlowsAsSrv uint32
	ActiveAlertedFlows                   uint32
	FlowsAsCli                           uint32
	FlowsAsSrv                           uint32
	UnreachAsCli                         uint32
	UnreachAsSrv                         uint32
	HostUnreachAsCli                     uint32
	HostUnreachAsSrv                     uint32
	TotalActivityTime                    uint32
	lastActivityIncr                     int64
	Names                                HostNames
	ICMPTypes                            map[uint16]*ICMPCounter // key type<<8|code
	ThroughputBps                        float32
	ThroughputPps                        float32
	TrendBps, TrendPps                   uint8
	lastThptTime                         int64 // unix ms
	lastThptBytes                        uint64
	lastThptPkts                         uint64
	thptVisits                           uint8
	// hot and gone are owned by the capture goroutine: the host is in the
	// list of hosts to walk / was purged.
	hot, gone bool

	// Local holds what only local hosts keep (nil for remote hosts).
	LocalData *LocalStats
	// JA3 and HASSH count, per fingerprint, the flows in which the host
	// used it as a client (nil until the first one).
	JA3, HASSH map[string]uint32

	// OS is ntopng's OS id and OSDetail the text it came from (HTTP
	// User-Agent of requests sent by a local host).
	OS       uint8
	OSDetail string
	// Services is host_services_bitmap: server roles seen (1<<Service*).
	Services uint8
	// Flow-flood hit counters (spec C.3.5): flows the host opened as
	// client (attacker) and received as server (victim).
	FloodAttacker, FloodVictim HitCounter

	// Geo is the host's geolocation, nil when the databases know nothing
	// of it (most hosts without databases: no memory spent).
	Geo *geo.Info

	// pool is the host pool id (rest-pools.md §1.5). It is written under
	// the shard lock with atomic stores, so flow filters may read it
	// (PoolID) without the host's lock.
	pool uint32

	// Top-talker checkpoint: the host's total bytes when its first traffic
	// of reference-clock minute talkerMinute was credited.
	talkerMinute int64
	talkerBase   uint64
}

// PoolID is the host pool the host belongs to (0: Default).
func (h *Host) PoolID() int { return int(atomic.LoadUint32(&h.pool)) }

// hitWindow is the number of consecutive seconds a rate must be sustained
// for a HitCounter to report it.
const hitWindow = 3

// HitCounter measures a sustained per-second rate of events: it keeps the
// counts of the last hitWindow consecutive seconds of the reference clock
// and reports the largest minimum over such a window seen so far, so a
// single burst does not count but a flood lasting a few seconds does. A gap
// of more than one second without events starts a new window. These are
// the semantics of ntopng's flow-flood "hits".
type HitCounter struct {
	window  [hitWindow]uint16
	idx     uint8
	lastSec int64
	max     uint16
}

// Hits is the largest sustained per-second rate seen.
func (c *HitCounter) Hits() uint16 { return c.max }

func (c *HitCounter) inc(sec int64) {
	if sec-c.lastSec > 1 {
		c.window, c.idx, c.lastSec = [hitWindow]uint16{}, 0, sec
	}
	if sec != c.lastSec {
		// A new second: the window that just ended is complete.
		lo := c.window[0]
		for _, v := range c.window[1:] {
			lo = min(lo, v)
		}
		c.max = max(c.max, lo)
		c.idx = (c.idx + 1) % hitWindow
		c.window[c.idx] = 0
		c.lastSec = sec
	}
	if c.window[c.idx] < ^uint16(0) {
		c.window[c.idx]++
	}
}

// Server roles of host_services_bitmap (bit numbers, as ntopng's
// HOST_IS_*_SERVER values).
const (
	ServiceDHCP = 1
	ServiceDNS  = 2
	ServiceNTP  = 3
	ServiceSMTP = 4
	ServicePOP  = 5
	ServiceIMAP = 6
)

// countFlood adds a new flow to the host's flood counters.
func (h *Host) countFlood(nowS int64, asClient bool) {
	if asClient {
		h.FloodAttacker.inc(nowS)
	} else {
		h.FloodVictim.inc(nowS)
	}
}

// LocalStats is the part of a host record that only local hosts have
// (spec C.3: DNS/HTTP statistics, contacts and cardinalities). Keeping it
// out of Host saves most of a remote host's memory.
type LocalStats struct {
	DNSSent, DNSRcvd         DNSCounters
	HTTPSender, HTTPReceiver HTTPCounters
	ContactsAsClient         uint64
	ContactsAsServer         uint64
	lastLatch                int64

	// Cardinality estimators (spec A.10).
	contactedHosts    hll
	contactsAsServer  hll
	contactedServices hll
	contactedPorts    hll
	contactedByPorts  hll
	contactsCli       hll // latched into ContactsAsClient
	contactsSrv       hll
	dnsServers        hll
	smtpServers       hll
	ntpServers        hll
	domainNames       hll
}

func newLocalStats() *LocalStats {
	return &LocalStats{
		contactedHosts: newHLL(8), contactsAsServer: newHLL(8), contactedServices: newHLL(8),
		contactedPorts: newHLL(4), contactedByPorts: newHLL(4), contactsCli: newHLL(4), contactsSrv: newHLL(4),
		dnsServers: newHLL(5), smtpServers: newHLL(5), ntpServers: newHLL(5), domainNames: newHLL(4),
	}
}

func newHost(k HostKey, now int64, ln *LocalNets) *Host {
	h := &Host{Key: k, FirstSeen: now, LastSeen: now, NetworkID: -1}
	ip := k.IP.Unmap()
	h.Multicast = IsMulticast(ip)
	h.Private = IsPrivate(ip)
	h.NetworkID = ln.Find(ip)
	if ip.Is4() {
		b := ip.As4()
		if b == [4]byte{255, 255, 255, 255} || b == [4]byte{} {
			h.Broadcast = true
		}
	}
	if h.NetworkID >= 0 && ln.isBroadcastIn(h.NetworkID, ip) {
		h.Broadcast = true
	}
	h.Local = h.NetworkID >= 0 || h.Multicast || h.Broadcast
	// The per-protocol, per-category and DSCP maps are created on the first
	// traffic credit: many hosts (scanned addresses, one-packet peers) never
	// get one, and an empty map still costs a few hundred bytes.
	if h.Local {
		h.LocalData = newLocalStats()
	}
	return h
}

// Unicast is true for hosts that are neither multicast nor broadcast.
func (h *Host) Unicast() bool { return !h.Multicast && !h.Broadcast }

// Name is the host's name per spec A.4.2 (REF-v1 order); cache is the
// address cache filled by DNS answers. The IP itself is the fallback.
func (h *Host) Name(cache *NameCache) string {
	// DHCP names come second: REF-v1 uses the DHCP name of broadcast-domain
	// hosts there, and a DHCP client is always on the capture's segment.
	for _, n := range [...]string{h.Names.Resolved, h.Names.DHCP, h.Names.MDNSTXT, h.Names.MDNS, h.Names.MDNSInfo, h.Names.NetBIOS, h.Names.TLS, h.Names.HTTP} {
		if n != "" && !isIPLiteral(n) {
			return n
		}
	}
	if cache != nil {
		if n, ok := cache.Lookup(h.Key.IP); ok && !isIPLiteral(n) {
			return n
		}
	}
	return h.Key.IP.String()
}

// setName stores a name for a source if the source is still empty.
func (h *Host) setName(src dpi.NameSource, name string) {
	if src == dpi.NameMDNSInfo {
		if h.Names.MDNSInfo == "" {
			h.Names.MDNSInfo = name
		}
		return
	}
	name = lowerASCII(name)
	var slot *string
	switch src {
	case dpi.NameResolved:
		slot = &h.Names.Resolved
	case dpi.NameMDNS:
		slot = &h.Names.MDNS
	case dpi.NameMDNSTXT:
		slot = &h.Names.MDNSTXT
	case dpi.NameNetBIOS:
		slot = &h.Names.NetBIOS
	case dpi.NameTLS:
		slot = &h.Names.TLS
	case dpi.NameHTTP:
		slot = &h.Names.HTTP
	case dpi.NameDHCP:
		slot = &h.Names.DHCP
	default:
		return
	}
	if *slot == "" && name != "" {
		*slot = name
	}
}

func isIPLiteral(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// lowerASCII lower-cases ASCII letters byte by byte, leaving UTF-8 intact.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// dscpClass maps a DSCP value to its class name (spec A.11).
func dscpClass(d uint8) string {
	switch d {
	case 0:
		return "cs0"
	case 8, 10, 12, 14:
		return "cs1"
	case 16, 18, 20, 22:
		return "cs2"
	case 24, 26, 28, 30:
		return "cs3"
	case 32, 34, 36, 38:
		return "cs4"
	case 40, 46:
		return "cs5"
	case 48:
		return "cs6"
	case 57:
		return "cs7"
	case 1:
		return "le"
	}
	return "unknown"
}

// counterIn returns m[k], creating a zero counter when absent.
func counterIn[K comparable, V any](m map[K]*V, k K) *V {
	c := m[k]
	if c == nil {
		c = new(V)
		m[k] = c
	}
	return c
}

// cloneCounters copies a map of counters, values included, so that the copy
// shares nothing with the live tables.
func cloneCounters[K comparable, V any](m map[K]*V) map[K]*V {
	if m == nil {
		return nil
	}
	out := make(map[K]*V, len(m))
	for k, v := range m {
		c := *v
		out[k] = &c
	}
	return out
}

// maxHostFingerprints bounds the fingerprints kept per host, so that a
// scanner cycling through client fingerprints cannot grow a host without
// limit.
const maxHostFingerprints = 64

// countFingerprint adds one use of fingerprint fp to *m.
func countFingerprint(m *map[string]uint32, fp string) {
	if fp == "" {
		return
	}
	if *m == nil {
		*m = make(map[string]uint32)
	}
	if _, ok := (*m)[fp]; ok || len(*m) < maxHostFingerprints {
		(*m)[fp]++
	}
}

// GeoInfo is the host's geolocation (zero when unknown).
func (h *Host) GeoInfo() geo.Info {
	if h.Geo == nil {
		return geo.Info{}
	}
	return *h.Geo
}
