// Package probe keeps the live tables of one monitored interface: flows,
// hosts, MACs and interface counters, fed by decoded packets.
//
// Concurrency: exactly one goroutine (the interface's capture loop) writes.
// Tables are sharded; each shard's RWMutex guards its map and the objects it
// holds. Lock order is flow shard, then host shard, then statsMu/macMu:
// nobody, reader or writer, takes a flow-shard lock while holding a host
// lock, so nesting in that order cannot deadlock.
package probe

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ntopng-go/ntopng/geo"
	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

const (
	numShards = 32
	// housekeepingPeriod is ntopng's periodic_stats_update_frequency_secs.
	housekeepingPeriod = 5
	flowVisitPeriodUs  = 3e6

	localHostIdle  = 300
	remoteHostIdle = 60
	flowIdle       = 60
	tcpClosedIdle  = 15
	macIdle        = 300

	// frameOverhead is preamble + CRC + inter-frame gap, counted in the
	// interface byte totals only (spec A.1).
	frameOverhead = 24
)

// Config describes one monitored interface.
type Config struct {
	ID        int
	Name      string
	LocalNets *LocalNets
	MaxFlows  int
	MaxHosts  int
	Registry  *dpi.Registry
	Names     *NameCache
	// PacketClock is true for file inputs: all timing follows packet
	// timestamps and nothing is purged.
	PacketClock bool
	// Geo geolocates new hosts; nil (or a DB without files) leaves the
	// geolocation members empty.
	Geo *geo.DB
}

// PoolResolver puts hosts in host pools (pools.Matcher): by MAC, else by
// the longest prefix of the address in the host's VLAN, else 0.
type PoolResolver interface {
	PoolOf(mac [6]byte, ip netip.Addr, vlan uint16) uint16
}

// poolRef boxes a PoolResolver for atomic publication.
type poolRef struct{ r PoolResolver }

// Shards use plain mutexes: the writer locks one per packet and readers
// hold them only to copy snapshots, so a read/write lock would cost the
// writer twice the atomic operations for no gain.
type flowShard struct {
	mu sync.Mutex
	m  map[flowKey]*Flow
}

type hostShard struct {
	mu sync.Mutex
	m  map[HostKey]*Host
}

// frameCounters are the per-frame interface counters, batched by the
// writer before they are published in Counters.
type frameCounters struct {
	Packets, Bytes         uint64 // bytes include the 24-byte frame overhead
	PacketsDown, BytesDown uint64
	NonIP, Fragments       uint64
	Malformed, Truncated   uint64
	FlowDrops, HostDrops   uint64
	Local2Remote           uint64
	Remote2Local           uint64
	ARPBytes               uint64
	TCPSeq                 TCPSeqStats
	L4                     [256]TrafficCounter
}

// Counters are the interface totals (get/interface/data).
type Counters struct {
	Packets, Bytes         uint64 // bytes include the 24-byte frame overhead
	PacketsDown, BytesDown uint64
	PacketsUp, BytesUp     uint64
	Drops                  uint64
	Malformed, Truncated   uint64
	Fragments              uint64
	NonIP                  uint64
	FlowDrops, HostDrops   uint64
	Local2Remote           uint64
	Remote2Local           uint64
	ThroughputBps          float32
	ThroughputPps          float32
	DownBps, DownPps       float32
	UpBps, UpPps           float32
	TCPSeq                 TCPSeqStats
	L4                     [256]TrafficCounter
	// ARPBytes is the length of the ARP frames (no frame overhead): the
	// "ARP" slice of get/interface/l7/stats.
	ARPBytes   uint64
	NDPI       map[dpi.ProtoID]*ActivityCounter
	Categories map[dpi.CategoryID]*ActivityCounter
	// DSCP counts flow traffic per DSCP class of the client-to-server
	// direction, both directions included (spec A.11).
	DSCP map[string]*TrafficCounter
}

// Interface is one monitored interface and its tables.
type Interface struct {
	cfg    Config
	engine *dpi.Engine

	flows [numShards]flowShard
	hosts [numShards]hostShard

	macMu sync.RWMutex
	macs  map[[6]byte]macEntry

	statsMu  sync.RWMutex
	counters Counters

	bcast bcastDomains

	// pools is the current PoolResolver (nil: every host in pool 0).
	pools atomic.Pointer[poolRef]

	numFlows atomic.Int64
	// alertedFlows counts the active flows with alerts; scoredRisks is
	// the set of risks that count in scores (SetScoredRisks).
	alertedFlows atomic.Int64
	scoredRisks  atomic.Uint64
	// checkSink and checkEvents: the check engine and the flow events
	// queued under shard locks, delivered once the locks are released.
	checkSink   CheckSink
	checkEvents []FlowEvent
	checkMinute int64
	numHosts    atomic.Int64
	clockUs     atomic.Int64
	serial      uint32
	done        atomic.Bool

	// Writer-only state. pendingFlows holds the flows that received packets
	// since their last visit and hotHosts the hosts whose counters or rates
	// changed since the last walk, so housekeeping costs the active entries
	// only, however large the tables grow.
	pendingFlows  []*Flow
	hotHosts      []*Host
	nextTickUs    int64
	nextPurgeUs   int64
	lastThptUs    int64
	lastThptBytes uint64
	lastThptPkts  uint64
	curVLAN       uint16
	pending       frameCounters
	pendingFrames int
	lastSrcMAC    [6]byte
	lastDstMAC    [6]byte
	lastMACSec    int64
}

// New creates an interface. The classifier engine is built from cfg.Registry.
func New(cfg Config) *Interface {
	if cfg.LocalNets == nil {
		cfg.LocalNets = NewLocalNets(nil, nil)
	}
	if cfg.Names == nil {
		cfg.Names = NewNameCache(65536)
	}
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = 131072
	}
	if cfg.MaxHosts <= 0 {
		cfg.MaxHosts = 131072
	}
	if cfg.Registry == nil {
		cfg.Registry = dpi.NewRegistry()
	}
	ifc := &Interface{cfg: cfg, macs: map[[6]byte]macEntry{}}
	ifc.scoredRisks.Store(^uint64(0))
	ifc.engine = dpi.NewEngine(cfg.Registry, ifc)
	for i := range ifc.flows {
		ifc.flows[i].m = make(map[flowKey]*Flow)
		ifc.hosts[i].m = make(map[HostKey]*Host)
	}
	ifc.counters.NDPI = map[dpi.ProtoID]*ActivityCounter{}
	ifc.counters.Categories = map[dpi.CategoryID]*ActivityCounter{}
	ifc.counters.DSCP = map[string]*TrafficCounter{}
	return ifc
}

// IsFile is true for pcap-file inputs.
func (ifc *Interface) IsFile() bool { return ifc.cfg.PacketClock }

// ID is the interface id (ifid).
func (ifc *Interface) ID() int { return ifc.cfg.ID }

// Name is the interface name (file base name for pcap input).
func (ifc *Interface) Name() string { return ifc.cfg.Name }

// Registry is the protocol registry used by this interface.
func (ifc *Interface) Registry() *dpi.Registry { return ifc.cfg.Registry }

// LocalNets returns the local networks.
func (ifc *Interface) LocalNets() *LocalNets { return ifc.cfg.LocalNets }

// NameCache returns the address-name cache.
func (ifc *Interface) NameCache() *NameCache { return ifc.cfg.Names }

// MaxFlows and MaxHosts are the configured table limits.
func (ifc *Interface) MaxFlows() int { return ifc.cfg.MaxFlows }

// MaxHosts is the configured host table limit.
func (ifc *Interface) MaxHosts() int { return ifc.cfg.MaxHosts }

// NumFlows is the number of flows in memory.
func (ifc *Interface) NumFlows() int { return int(ifc.numFlows.Load()) }

// NumHostsTotal is the number of hosts in memory, unicast or not.
func (ifc *Interface) NumHostsTotal() int { return int(ifc.numHosts.Load()) }

// Clock is the reference clock (unix microseconds).
func (ifc *Interface) Clock() int64 { return ifc.clockUs.Load() }

// Done reports whether a file input has been read completely.
func (ifc *Interface) Done() bool { return ifc.done.Load() }

// frameAccount is what one frame adds to the interface counters; it is
// filled without locks and applied under one statsMu lock per frame.
type frameAccount struct {
	wireLen            uint64
	l4                 uint8
	ip                 bool
	len                uint64
	local2remote       bool
	remote2local       bool
	seqEvent           uint8
	nonIP, fragment    bool
	arp                bool
	flowDrop, hostDrop bool
	truncated, broken  bool
}

// apply adds one frame to the writer's pending counters; they are
// published under statsMu every flushEvery frames and at every housekeeping
// pass, so readers lag by a few frames at most.
func (ifc *Interface) apply(a *frameAccount) {
	c := &ifc.pending
	c.Packets++
	c.Bytes += a.wireLen + frameOverhead
	c.PacketsDown++
	c.BytesDown += a.wireLen + frameOverhead
	if a.ip {
		l4 := &c.L4[a.l4]
		l4.PacketsRcvd++
		l4.BytesRcvd += a.len
		if a.local2remote {
			c.Local2Remote += a.len
		} else if a.remote2local {
			c.Remote2Local += a.len
		}
		switch a.seqEvent {
		case seqRetransmission:
			c.TCPSeq.Retransmissions++
		case seqOutOfOrder:
			c.TCPSeq.OutOfOrder++
		case seqLost:
			c.TCPSeq.Lost++
		}
	}
	if a.arp {
		c.ARPBytes += a.wireLen
	}
	switch {
	case a.nonIP:
		c.NonIP++
	case a.fragment:
		c.Fragments++
	case a.truncated:
		c.Truncated++
	case a.broken:
		c.Malformed++
	}
	if a.flowDrop {
		c.FlowDrops++
	}
	if a.hostDrop {
		c.HostDrops++
	}
	ifc.pendingFrames++
	if ifc.pendingFrames >= flushEvery {
		ifc.flushCounters()
	}
}

// flushEvery is how many frames the writer batches before publishing the
// interface counters.
const flushEvery = 64

// flushCounters publishes the pending frame counters.
func (ifc *Interface) flushCounters() {
	if ifc.pendingFrames == 0 {
		return
	}
	p := &ifc.pending
	ifc.statsMu.Lock()
	c := &ifc.counters
	c.Packets += p.Packets
	c.Bytes += p.Bytes
	c.PacketsDown += p.PacketsDown
	c.BytesDown += p.BytesDown
	for i := range p.L4 {
		if p.L4[i].PacketsRcvd != 0 {
			c.L4[i].add(p.L4[i])
		}
	}
	c.Local2Remote += p.Local2Remote
	c.Remote2Local += p.Remote2Local
	c.ARPBytes += p.ARPBytes
	c.TCPSeq.Retransmissions += p.TCPSeq.Retransmissions
	c.TCPSeq.OutOfOrder += p.TCPSeq.OutOfOrder
	c.TCPSeq.Lost += p.TCPSeq.Lost
	c.NonIP += p.NonIP
	c.Fragments += p.Fragments
	c.Truncated += p.Truncated
	c.Malformed += p.Malformed
	c.FlowDrops += p.FlowDrops
	c.HostDrops += p.HostDrops
	ifc.statsMu.Unlock()
	*p = frameCounters{}
	ifc.pendingFrames = 0
}

// SetDrops records the capture drop counter reported by the source.
func (ifc *Interface) SetDrops(n uint64) {
	ifc.statsMu.Lock()
	ifc.counters.Drops = n
	ifc.statsMu.Unlock()
}

// DecodeFailed accounts a frame whose decoding failed (truncated or
// malformed); it still counts in the interface totals.
func (ifc *Interface) DecodeFailed(p *decode.Packet, truncated bool) {
	ifc.advanceClock(p.Timestamp)
	ifc.apply(&frameAccount{wireLen: uint64(p.WireLen), truncated: truncated, broken: !truncated})
}

func (ifc *Interface) advanceClock(ts time.Time) int64 {
	now := ts.UnixMicro()
	if !ifc.cfg.PacketClock {
		now = time.Now().UnixMicro()
	}
	if now > ifc.clockUs.Load() {
		ifc.clockUs.Store(now)
	} else {
		now = ifc.clockUs.Load()
	}
	return now
}

// ProcessPacket accounts one decoded frame. Only the capture goroutine
// calls it.
func (ifc *Interface) ProcessPacket(p *decode.Packet) {
	now := ifc.advanceClock(p.Timestamp)
	a := frameAccount{wireLen: uint64(p.WireLen)}
	if p.HasEthernet {
		ifc.touchMACs(p, now/1e6)
	}
	if p.IsARP {
		a.arp = true
		ifc.bcast.add(p.ARPSenderIP, p.ARPTargetIP)
	}
	switch {
	case p.IPVersion == 0:
		a.nonIP = true
	case p.Fragment && p.FragOffset != 0:
		a.fragment = true
	default:
		ifc.processIP(p, now, &a)
	}
	ifc.apply(&a)
	if now >= ifc.nextTickUs {
		ifc.housekeeping(now, false)
	}
}

func isSpecialMAC(m [6]byte) bool {
	return m == [6]byte{} || m == [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} || m[0]&1 == 1
}

// macEntry is what the interface keeps per MAC address.
type macEntry struct {
	lastSeen int64 // unix seconds
	source   bool  // the MAC sent at least one frame (a device)
}

func (ifc *Interface) touchMACs(p *decode.Packet, nowS int64) {
	// Consecutive frames mostly carry the same MAC pair: the table only
	// needs a visit when the pair or the second changes.
	if p.SrcMAC == ifc.lastSrcMAC && p.DstMAC == ifc.lastDstMAC && nowS == ifc.lastMACSec {
		return
	}
	ifc.lastSrcMAC, ifc.lastDstMAC, ifc.lastMACSec = p.SrcMAC, p.DstMAC, nowS
	ifc.macMu.Lock()
	if !isSpecialMAC(p.SrcMAC) {
		ifc.macs[p.SrcMAC] = macEntry{lastSeen: nowS, source: true}
	}
	if !isSpecialMAC(p.DstMAC) {
		e := ifc.macs[p.DstMAC]
		e.lastSeen = nowS
		ifc.macs[p.DstMAC] = e
	}
	ifc.macMu.Unlock()
}

// NumMACs is the number of MAC addresses in memory.
func (ifc *Interface) NumMACs() int {
	ifc.macMu.RLock()
	defer ifc.macMu.RUnlock()
	return len(ifc.macs)
}

// NumDevices is the number of MACs in memory that sent frames (REF-v1
// counts every source MAC, not only ARP senders; see docs/compatibility.md).
func (ifc *Interface) NumDevices() int {
	ifc.macMu.RLock()
	defer ifc.macMu.RUnlock()
	n := 0
	for _, e := range ifc.macs {
		if e.source {
			n++
		}
	}
	return n
}

func (ifc *Interface) makeKey(p *decode.Packet) flowKey {
	k := flowKey{vlan: p.VLAN, proto: p.L4Proto}
	src, dst := p.Src.Unmap(), p.Dst.Unmap()
	sp, dp := p.SrcPort, p.DstPort
	switch p.L4Proto {
	case 6, 17, 132:
	case 1, 58:
		sp, dp = 0, 0
		k.extra = icmpKey(p)
	default:
		sp, dp = 0, 0
	}
	if p.L4Proto == 17 && (sp == 53 || dp == 53) && len(p.Payload) > 20 {
		k.extra = uint32(p.Payload[0])<<8 | uint32(p.Payload[1])
	}
	c := src.Compare(dst)
	fwd := c < 0 || (c == 0 && sp <= dp)
	if fwd {
		k.a, k.b, k.pa, k.pb = src, dst, sp, dp
	} else {
		k.a, k.b, k.pa, k.pb = dst, src, dp, sp
	}
	return k
}

// icmpKey makes echo request and reply share a flow (by identifier) and
// keeps other ICMP messages apart by type and code.
func icmpKey(p *decode.Packet) uint32 {
	t := p.ICMPType
	if p.L4Proto == 1 && (t == 8 || t == 0) || p.L4Proto == 58 && (t == 128 || t == 129) {
		if len(p.Payload) >= 2 {
			return 0x10000 | uint32(p.Payload[0])<<8 | uint32(p.Payload[1])
		}
		return 0x10000
	}
	return uint32(t)<<8 | uint32(p.ICMPCode)
}

func swap16(p uint16) uint32 { return uint32(p>>8 | p<<8) }

// flowKeyHash is the REST "key" of a flow (spec A.9.1).
func flowKeyHash(k flowKey) uint32 {
	dnsID := uint32(0)
	icmp := uint32(0)
	if k.proto == 1 || k.proto == 58 {
		icmp = k.extra
	} else {
		dnsID = k.extra
	}
	return uint32(IPKey(k.a)) + uint32(IPKey(k.b)) + swap16(k.pa) + swap16(k.pb) +
		uint32(k.vlan) + uint32(k.proto) + dnsID + icmp
}

func (k flowKey) shard() int {
	h := uint32(IPKey(k.a))*2654435761 ^ uint32(IPKey(k.b))*2246822519 ^ uint32(k.pa)<<16 ^ uint32(k.pb) ^ k.extra
	h ^= h >> 15
	return int(h % numShards)
}

func (k HostKey) shard() int {
	h := uint32(IPKey(k.IP))*2654435761 ^ uint32(k.VLAN)
	h ^= h >> 16
	return int(h % numShards)
}

func (ifc *Interface) processIP(p *decode.Packet, now int64, a *frameAccount) {
	k := ifc.makeKey(p)
	sh := &ifc.flows[k.shard()]
	// The capture goroutine is the only writer: it may read the map
	// without the read lock; writes below take the write lock.
	f := sh.m[k]
	if f == nil {
		if int(ifc.numFlows.Load()) >= ifc.cfg.MaxFlows {
			a.flowDrop = true
			return
		}
		f = ifc.newFlow(k, p, now)
		if f == nil {
			a.hostDrop = true
			return
		}
		sh.mu.Lock()
		sh.m[k] = f
		sh.mu.Unlock()
		ifc.numFlows.Add(1)
	}
	ifc.curVLAN = p.VLAN

	sh.mu.Lock()
	c2s := p.Src.Unmap() == f.CliIP
	if f.CliIP == f.SrvIP { // a host talking to itself: ports tell
		c2s = p.SrcPort == f.CliPort
	}
	if f.swapRequested && !c2s && !ifc.done.Load() {
		f.swapDirection()
		ifc.swapFlowHosts(f)
		// The estimators only grow: feed them the corrected roles too.
		ifc.flowContacts(f)
		c2s = true
	}
	d, pend := &f.S2C, &f.pend[1]
	if c2s {
		d, pend = &f.C2S, &f.pend[0]
	}
	if !f.queued {
		f.queued = true
		ifc.pendingFlows = append(ifc.pendingFlows, f)
	}
	pend.add(p)
	d.Packets++
	d.Bytes += uint64(p.Len)
	d.Goodput += uint64(len(p.Payload))
	d.TOS = p.TOS
	f.LastSeenUs = now
	var seqEvent uint8
	var meta dpi.PacketMeta
	if p.L4Proto == 6 {
		d.TCPFlags |= p.TCPFlags
		ifc.tcpHandshake(f, p, c2s, now)
		seqEvent = tcpSeqAnalysis(d, p)
	}
	if !f.DPI.Done || len(p.Payload) > 0 {
		dir := dpi.ServerToClient
		if c2s {
			dir = dpi.ClientToServer
		}
		dp := dpi.Packet{L4Proto: p.L4Proto, Src: p.Src, Dst: p.Dst, SrcPort: p.SrcPort, DstPort: p.DstPort, Dir: dir, TCPFlags: p.TCPFlags, TCPSeq: p.TCPSeq, Payload: p.Payload, TimeUs: now}
		if !f.DPI.Done {
			ifc.engine.Inspect(&f.DPI, &dp)
			if f.DPI.Done {
				ifc.onDetection(f)
			}
		}
		meta = dpi.Meta(f.DPI.Result, &dp)
	}
	cli, srv := f.Cli, f.Srv
	sh.mu.Unlock()

	// Per-packet host events (DNS/HTTP messages, ICMP types, sequence
	// problems); histograms and flags wait on the flow for its next visit.
	sender, receiver := cli, srv
	if !c2s {
		sender, receiver = srv, cli
	}
	ifc.hostPacket(sender, receiver, p, seqEvent, meta)

	a.ip, a.l4, a.len, a.seqEvent = true, p.L4Proto, uint64(p.Len), seqEvent
	a.local2remote = sender.Local && !receiver.Local
	a.remote2local = !sender.Local && receiver.Local
}

const (
	seqNone uint8 = iota
	seqRetransmission
	seqOutOfOrder
	seqLost
	seqKeepAlive
)

// tcpSeqAnalysis classifies a segment against the next expected sequence
// number of its direction. Below it, a segment carrying payload or a SYN
// (a duplicated SYN or SYN+ACK) is a retransmission, a 1-byte segment just
// below it a keep-alive probe; duplicated zero-length ACK/FIN segments are
// not counted (the reference does not count them). Above it, data was lost.
func tcpSeqAnalysis(d *DirCounters, p *decode.Packet) uint8 {
	flags := p.TCPFlags
	syn := flags&decode.TCPFlagSYN != 0
	plen := uint32(len(p.Payload))
	next := p.TCPSeq + plen
	if syn || flags&decode.TCPFlagFIN != 0 {
		next++
	}
	diff := int32(p.TCPSeq - d.nextSeq)
	if !d.seqValid || (syn && diff != -1) {
		// First segment, or a SYN opening a new connection.
		d.nextSeq, d.seqValid = next, true
		return seqNone
	}
	ev := seqNone
	switch {
	case diff == 0:
		d.nextSeq = next
	case diff < 0:
		switch {
		case syn || plen > 1 || (plen == 1 && diff != -1):
			ev = seqRetransmission
			d.Retransmission++
		case plen == 1:
			ev = seqKeepAlive
		}
	default:
		if plen > 0 {
			ev = seqLost
			d.Lost++
		}
		d.nextSeq = next
	}
	return ev
}

func (ifc *Interface) tcpHandshake(f *Flow, p *decode.Packet, c2s bool, now int64) {
	fl := p.TCPFlags & (decode.TCPFlagSYN | decode.TCPFlagACK | decode.TCPFlagFIN | decode.TCPFlagRST)
	switch {
	case fl == decode.TCPFlagSYN:
		if c2s {
			// A SYN from the client after a SYN+ACK from the same side
			// means the roles were reversed (spec A.9.2 rule 2).
			if f.synAckC2S {
				f.swapRequested = true
			}
			f.synC2S = true
			if f.synUs == 0 {
				f.synUs = now
			}
		} else {
			f.synS2C = true
		}
	case fl == decode.TCPFlagSYN|decode.TCPFlagACK:
		if c2s {
			f.synAckC2S = true
		}
		if f.synAckUs == 0 {
			f.synAckUs = now
		}
	case fl == decode.TCPFlagACK && f.ackUs == 0 && f.synAckUs != 0 && c2s:
		f.ackUs = now
	}
	if len(p.Payload) > 0 {
		if c2s && f.firstCliPayloadUs == 0 {
			f.firstCliPayloadUs = now
		} else if !c2s && f.firstSrvPayloadUs == 0 && f.firstCliPayloadUs != 0 {
			f.firstSrvPayloadUs = now
		}
	}
}

// newFlow creates a flow whose client is the packet sender, applying the
// first-packet swap rule (spec A.9.2, CUR-2024 rule 1 and NTP rule 3).
func (ifc *Interface) newFlow(k flowKey, p *decode.Packet, now int64) *Flow {
	f := &Flow{key: k, KeyHash: flowKeyHash(k), VLAN: p.VLAN, L4Proto: p.L4Proto, FirstSeenUs: now, LastSeenUs: now}
	f.CliIP, f.SrvIP = p.Src.Unmap(), p.Dst.Unmap()
	if k.proto == 6 || k.proto == 17 || k.proto == 132 {
		f.CliPort, f.SrvPort = p.SrcPort, p.DstPort
	}
	f.dstBroadcastMAC = p.DstMAC == [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	f.Serial = uint32(ifc.cfg.ID)<<24 | ifc.serial&0xffffff
	ifc.serial++
	cli := ifc.getOrCreateHost(HostKey{f.CliIP, p.VLAN}, p.SrcMAC, now)
	srv := ifc.getOrCreateHost(HostKey{f.SrvIP, p.VLAN}, p.DstMAC, now)
	if cli == nil || srv == nil {
		return nil
	}
	f.Cli, f.Srv = cli, srv
	ifc.attachFlow(f, cli, srv, true)
	ifc.flowContacts(f)
	if f.dstBroadcastMAC && f.CliIP.Is4() && f.SrvIP != broadcastV4 {
		ifc.bcast.add(f.CliIP, f.SrvIP)
	}
	if p.L4Proto == 6 {
		pureSYN := p.TCPFlags&(decode.TCPFlagSYN|decode.TCPFlagACK) == decode.TCPFlagSYN
		if !pureSYN && f.CliPort != 0 && f.SrvPort != 0 && f.CliPort < f.SrvPort &&
			!(cli.Unicast() && !f.CliIP.IsUnspecified() && !(srv.Unicast() && !f.SrvIP.IsUnspecified())) {
			f.swapRequested = true
		}
	}
	if p.L4Proto == 17 && (p.SrcPort == 123 || p.DstPort == 123) && len(p.Payload) > 0 && p.Payload[0]&7 == 2 {
		f.swapRequested = true
	}
	return f
}

// attachFlow updates the flow counters of the two hosts (add=true on
// creation, false on removal).
func (ifc *Interface) attachFlow(f *Flow, cli, srv *Host, add bool) {
	for i, h := range []*Host{cli, srv} {
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		if add {
			if i == 0 {
				h.ActiveFlowsAsCli++
				h.FlowsAsCli++
			} else {
				h.ActiveFlowsAsSrv++
				h.FlowsAsSrv++
			}
			h.countFlood(f.FirstSeenUs/1e6, i == 0)
		} else if i == 0 {
			h.ActiveFlowsAsCli--
		} else {
			h.ActiveFlowsAsSrv--
		}
		hs.mu.Unlock()
	}
}

// swapFlowHosts moves the flow counters after a client/server swap. The
// flow's shard lock is held by the caller; host shards are separate locks,
// but the writer may nest them because readers never hold a host lock while
// waiting for a flow lock.
func (ifc *Interface) swapFlowHosts(f *Flow) {
	newCli, newSrv := f.Cli, f.Srv
	for _, x := range []struct {
		h   *Host
		cli bool
	}{{newCli, true}, {newSrv, false}} {
		hs := &ifc.hosts[x.h.Key.shard()]
		hs.mu.Lock()
		if x.cli {
			x.h.ActiveFlowsAsCli++
			x.h.FlowsAsCli++
			x.h.ActiveFlowsAsSrv--
			x.h.FlowsAsSrv--
		} else {
			x.h.ActiveFlowsAsSrv++
			x.h.FlowsAsSrv++
			x.h.ActiveFlowsAsCli--
			x.h.FlowsAsCli--
		}
		hs.mu.Unlock()
	}
}

func (ifc *Interface) getOrCreateHost(k HostKey, mac [6]byte, now int64) *Host {
	hs := &ifc.hosts[k.shard()]
	if h := hs.m[k]; h != nil { // single writer: no read lock needed
		return h
	}
	if int(ifc.numHosts.Load()) >= ifc.cfg.MaxHosts {
		return nil
	}
	var h *Host
	h = newHost(k, now/1e6, ifc.cfg.LocalNets)
	if ifc.cfg.Geo != nil {
		// Looked up once, when the host appears: addresses do not move
		// between countries while they are in memory.
		if gi := ifc.cfg.Geo.Lookup(k.IP); gi != (geo.Info{}) {
			h.Geo = &gi
		}
	}
	h.MAC = mac
	if mac == [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		h.Broadcast = true
		if !h.Local {
			h.Local = true
			h.LocalData = newLocalStats()
		}
	}
	hs.mu.Lock()
	// The pool is resolved under the shard lock: SetPools publishes the
	// resolver before it walks the shards, so a host inserted here is
	// either seen by that walk or resolved with the new resolver.
	ifc.assignPool(h)
	hs.m[k] = h
	hs.mu.Unlock()
	ifc.numHosts.Add(1)
	return h
}

// assignPool sets h's pool from the current resolver. The caller holds the
// host's shard lock.
func (ifc *Interface) assignPool(h *Host) {
	var id uint16
	if ref := ifc.pools.Load(); ref != nil {
		id = ref.r.PoolOf(h.MAC, h.Key.IP, h.Key.VLAN)
	}
	if uint32(id) != h.pool {
		atomic.StoreUint32(&h.pool, uint32(id))
	}
}

// SetPools installs a new pool resolver and moves every host in memory to
// the pool it now belongs to. It may run while the capture goroutine
// writes: hosts are re-evaluated shard by shard under the shard locks.
func (ifc *Interface) SetPools(r PoolResolver) {
	ifc.pools.Store(&poolRef{r: r})
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for _, h := range hs.m {
			ifc.assignPool(h)
		}
		hs.mu.Unlock()
	}
}

func (ifc *Interface) hostPacket(sender, receiver *Host, p *decode.Packet, seqEvent uint8, meta dpi.PacketMeta) {
	// Only application events (DNS/HTTP messages, ICMP types) and TCP
	// sequence problems touch the hosts per packet; they are rare, so most
	// packets take no host lock at all.
	icmp := p.L4Proto == 1 || p.L4Proto == 58
	if meta.Kind == dpi.MetaNone && !icmp && seqEvent == seqNone {
		return
	}
	for _, x := range []struct {
		h    *Host
		sent bool
	}{{sender, true}, {receiver, false}} {
		hs := &ifc.hosts[x.h.Key.shard()]
		hs.mu.Lock()
		peer := sender.Key.IP
		seq := &x.h.TCPRcvd
		if x.sent {
			peer = receiver.Key.IP
			seq = &x.h.TCPSent
		}
		appPacket(x.h, x.sent, peer, p, meta)
		switch seqEvent {
		case seqRetransmission:
			seq.Retransmissions++
		case seqOutOfOrder:
			seq.OutOfOrder++
		case seqLost:
			seq.Lost++
		case seqKeepAlive:
			seq.KeepAlive++
		}
		hs.mu.Unlock()
	}
}

// pendingPackets are per-packet host statistics gathered on a flow
// direction since the flow's last visit; the visit credits them to both
// hosts together with the byte counters (spec A.1).
type pendingPackets struct {
	size                [10]uint32
	syn, synack, finack uint16
	rst                 uint16
	srcMAC              [6]byte
	hasMAC              bool
}

func (pp *pendingPackets) add(p *decode.Packet) {
	pp.size[sizeBucket(p.Len)]++
	if p.L4Proto == 6 {
		switch p.TCPFlags & 0x3f {
		case decode.TCPFlagSYN:
			pp.syn++
		case decode.TCPFlagSYN | decode.TCPFlagACK:
			pp.synack++
		case decode.TCPFlagFIN | decode.TCPFlagACK:
			pp.finack++
		}
		if p.TCPFlags&decode.TCPFlagRST != 0 {
			pp.rst++
		}
	}
	if p.HasEthernet {
		pp.srcMAC, pp.hasMAC = p.SrcMAC, true
	}
}

// creditTo adds the pending statistics to a host's packet stats.
func (pp *pendingPackets) creditTo(ps *PacketStats) {
	h := &ps.Size
	for i, dst := range []*uint64{&h.UpTo64, &h.UpTo128, &h.UpTo256, &h.UpTo512, &h.UpTo1024, &h.UpTo1518,
		&h.UpTo2500, &h.UpTo6500, &h.UpTo9000, &h.Above9000} {
		*dst += uint64(pp.size[i])
	}
	ps.TCPFlags.SYN += uint64(pp.syn)
	ps.TCPFlags.SYNACK += uint64(pp.synack)
	ps.TCPFlags.FINACK += uint64(pp.finack)
	ps.TCPFlags.RST += uint64(pp.rst)
}

// onDetection runs once when the classifier completes (flow shard locked).
func (ifc *Interface) onDetection(f *Flow) {
	ifc.detectionContacts(f)
	// Spec A.9.2 rule 4: SSH/TLS seen without handshake from the wrong side.
	m := f.DPI.Result.Master
	if (m == dpi.ProtoTLS || m == dpi.ProtoSSH || f.DPI.Result.App == dpi.ProtoTLS || f.DPI.Result.App == dpi.ProtoSSH) && !ifc.done.Load() {
		if (!f.synC2S && f.synS2C) || (!f.synC2S && !f.synS2C && f.CliPort < f.SrvPort) {
			f.swapRequested = true
		}
	}
}

// ResolvedName implements dpi.NameLookup with the DNS answer cache.
func (ifc *Interface) ResolvedName(addr netip.Addr) (string, bool) {
	return ifc.cfg.Names.Lookup(addr.Unmap())
}

// LearnName implements dpi.Learner: DNS answers feed the address cache and
// the matching host; mDNS and other names go to the host that sent them.
func (ifc *Interface) LearnName(addr netip.Addr, name string, src dpi.NameSource) {
	if name == "" {
		return
	}
	addr = addr.Unmap()
	if src == dpi.NameResolved {
		ifc.cfg.Names.Learn(addr, lowerASCII(name))
	}
	k := HostKey{addr, ifc.curVLAN}
	hs := &ifc.hosts[k.shard()]
	hs.mu.Lock()
	if h := hs.m[k]; h != nil && src != dpi.NameResolved {
		h.setName(src, name)
	}
	hs.mu.Unlock()
}
