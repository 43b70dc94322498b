package probe

import (
	"maps"
	"net/netip"

	"github.com/ntopng-go/ntopng/probe/decode"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

// HostSummary is a copy of what host lists show, taken under the shard lock.
type HostSummary struct {
	Key                      HostKey
	Name                     string // C name (spec A.4.2)
	FirstSeen, LastSeen      int64
	Local, Multicast         bool
	Broadcast, BroadcastDom  bool
	DHCP, Blacklisted        bool
	ThptBps, ThptPps         float32
	BytesSent, BytesRcvd     uint64
	PktsSent, PktsRcvd       uint64
	ActiveAsCli, ActiveAsSrv uint32
	ScoreAsCli, ScoreAsSrv   int
	NumAlerts                uint32
	OS                       int
	Country                  string
	MAC                      [6]byte
	NetworkID                int
	Pool                     int
}

// Visibility says which addresses a caller may see (allowed networks);
// nil sees everything.
type Visibility func(netip.Addr) bool

// Sees reports whether v lets the caller see a.
func (v Visibility) Sees(a netip.Addr) bool { return v == nil || v(a) }

// HostFilter selects hosts; zero values mean "no filter".
type HostFilter struct {
	Visible     Visibility
	Mode        string // all, local, remote, broadcast_domain, blacklisted, ...
	Version     int    // 4 or 6
	Protocol    int    // nDPI stats protocol id, -1 for none
	TrafficType string // one_way, bidirectional
	VLAN        int    // -1 for none
	Network     int    // -1 for none
	MAC         string
	Country     string
	OS          int // -1 for none
	ASN         int // -1 for none
	Pool        int // -1 for none
}

// NoHostFilter matches every host.
func NoHostFilter() HostFilter {
	return HostFilter{Protocol: -1, VLAN: -1, Network: -1, OS: -1, ASN: -1, Pool: -1}
}

func (flt *HostFilter) match(ifc *Interface, h *Host) bool {
	if !flt.Visible.Sees(h.Key.IP) {
		return false
	}
	switch flt.Mode {
	case "local":
		if !h.Local || !h.Unicast() {
			return false
		}
	case "remote":
		if h.Local {
			return false
		}
	case "broadcast_domain":
		if !ifc.bcast.contains(h.Key.IP) {
			return false
		}
	case "blacklisted":
		return false // no blacklists are loaded yet
	}
	ip := h.Key.IP
	if flt.Version == 4 && !ip.Is4() || flt.Version == 6 && ip.Is4() {
		return false
	}
	if flt.Protocol >= 0 {
		if _, ok := h.NDPI[dpi.ProtoID(flt.Protocol)]; !ok {
			return false
		}
	}
	switch flt.TrafficType {
	case "one_way":
		if h.Traffic.BytesSent != 0 && h.Traffic.BytesRcvd != 0 {
			return false
		}
	case "bidirectional":
		if h.Traffic.BytesSent == 0 || h.Traffic.BytesRcvd == 0 {
			return false
		}
	}
	if flt.VLAN >= 0 && int(h.Key.VLAN) != flt.VLAN {
		return false
	}
	if flt.Network >= 0 && h.NetworkID != flt.Network {
		return false
	}
	if flt.MAC != "" && !equalFoldASCII(FormatMAC(h.MAC), flt.MAC) {
		return false
	}
	if flt.OS >= 0 && int(h.OS) != flt.OS {
		return false
	}
	if flt.Country != "" || flt.ASN >= 0 {
		gi := h.GeoInfo()
		if flt.Country != "" && !equalFoldASCII(gi.Country, flt.Country) || flt.ASN >= 0 && int(gi.ASN) != flt.ASN {
			return false
		}
	}
	if flt.Pool >= 0 && int(h.pool) != flt.Pool {
		return false
	}
	return true
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// FormatMAC prints a MAC as ntopng does: upper-case, colon separated.
func FormatMAC(m [6]byte) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 17)
	for i := 0; i < 6; i++ {
		b[i*3] = hex[m[i]>>4]
		b[i*3+1] = hex[m[i]&15]
		if i < 5 {
			b[i*3+2] = ':'
		}
	}
	return string(b)
}

func (ifc *Interface) summarize(h *Host) HostSummary {
	s := summarizeCounters(h)
	s.Name = h.Name(ifc.cfg.Names)
	s.BroadcastDom = ifc.bcast.contains(h.Key.IP)
	return s
}

// summarizeCounters is summarize without the name and broadcast-domain
// lookups.
func summarizeCounters(h *Host) HostSummary {
	return HostSummary{
		Key: h.Key, FirstSeen: h.FirstSeen, LastSeen: h.LastSeen,
		Local: h.Local, Multicast: h.Multicast, Broadcast: h.Broadcast,
		ThptBps: h.ThroughputBps, ThptPps: h.ThroughputPps,
		BytesSent: h.Traffic.BytesSent, BytesRcvd: h.Traffic.BytesRcvd,
		PktsSent: h.Traffic.PacketsSent, PktsRcvd: h.Traffic.PacketsRcvd,
		ActiveAsCli: h.ActiveFlowsAsCli, ActiveAsSrv: h.ActiveFlowsAsSrv,
		MAC: h.MAC, NetworkID: h.NetworkID,
		ScoreAsCli: int(h.ScoreAsCli), ScoreAsSrv: int(h.ScoreAsSrv),
		OS: int(h.OS), Country: h.GeoInfo().Country, Pool: int(h.pool),
	}
}

// Hosts returns summaries of every host matching the filter, in no order.
// Without names, Name and BroadcastDom are left empty: they cost a lookup
// each, which a caller that only shows a page of the list can do for that
// page alone (HostSummaryOf). The summaries are appended to buf (which
// may be nil), so that callers can reuse one buffer across requests.
func (ifc *Interface) Hosts(flt HostFilter, names bool, buf []HostSummary) []HostSummary {
	out := buf[:0]
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for _, h := range hs.m {
			if flt.match(ifc, h) {
				if names {
					out = append(out, ifc.summarize(h))
				} else {
					out = append(out, summarizeCounters(h))
				}
			}
		}
		hs.mu.Unlock()
	}
	return out
}

// HostSummaryOf returns the summary of one host.
func (ifc *Interface) HostSummaryOf(k HostKey) (HostSummary, bool) {
	k.IP = k.IP.Unmap()
	hs := &ifc.hosts[k.shard()]
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.m[k]
	if h == nil {
		return HostSummary{}, false
	}
	return ifc.summarize(h), true
}

// HostDetail is a deep copy of a host with its estimators evaluated.
type HostDetail struct {
	Host
	Name         string
	BroadcastDom bool
	LocalInfo    LocalDetail // zero for remote hosts
}

// LocalDetail is the evaluated copy of a local host's LocalStats.
type LocalDetail struct {
	DNSSent, DNSRcvd         DNSCounters
	HTTPSender, HTTPReceiver HTTPCounters
	ContactsAsClient         uint64
	ContactsAsServer         uint64
	ContactedHostsAsClient   uint64
	HostContactsAsServer     uint64
	ContactedServices        uint64
	ContactedPortsAsClient   uint64
	ContactedPortsAsServer   uint64
	DNSServers, SMTPServers  uint64
	NTPServers, DomainNames  uint64
}

// HostDetail returns a deep copy of one host.
func (ifc *Interface) HostDetail(k HostKey) (*HostDetail, bool) {
	k.IP = k.IP.Unmap()
	hs := &ifc.hosts[k.shard()]
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.m[k]
	if h == nil {
		return nil, false
	}
	d := &HostDetail{Host: *h, Name: h.Name(ifc.cfg.Names), BroadcastDom: ifc.bcast.contains(h.Key.IP)}
	d.NDPI = cloneCounters(h.NDPI)
	d.Categories = cloneCounters(h.Categories)
	d.DSCP = cloneCounters(h.DSCP)
	d.ICMPTypes = cloneCounters(h.ICMPTypes)
	if l := h.LocalData; l != nil {
		d.LocalInfo = LocalDetail{
			DNSSent: l.DNSSent, DNSRcvd: l.DNSRcvd, HTTPSender: l.HTTPSender, HTTPReceiver: l.HTTPReceiver,
			ContactsAsClient: l.ContactsAsClient, ContactsAsServer: l.ContactsAsServer,
			ContactedHostsAsClient: l.contactedHosts.count(), HostContactsAsServer: l.contactsAsServer.count(),
			ContactedServices: l.contactedServices.count(), ContactedPortsAsClient: l.contactedPorts.count(),
			ContactedPortsAsServer: l.contactedByPorts.count(), DNSServers: l.dnsServers.count(),
			SMTPServers: l.smtpServers.count(), NTPServers: l.ntpServers.count(), DomainNames: l.domainNames.count(),
		}
	}
	d.JA3 = maps.Clone(h.JA3)
	d.HASSH = maps.Clone(h.HASSH)
	// The copy must not share mutable state with the live host.
	d.LocalData = nil
	return d, true
}

// FindHostByName looks for a host of the VLAN whose name equals name
// (spec conventions 3.5).
func (ifc *Interface) FindHostByName(name string, vlan uint16) (HostKey, bool) {
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for k, h := range hs.m {
			if k.VLAN == vlan && h.Name(ifc.cfg.Names) == name {
				hs.mu.Unlock()
				return k, true
			}
		}
		hs.mu.Unlock()
	}
	return HostKey{}, false
}

// HasHost reports whether the host is in memory.
func (ifc *Interface) HasHost(k HostKey) bool {
	k.IP = k.IP.Unmap()
	hs := &ifc.hosts[k.shard()]
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.m[k] != nil
}

// FlowSummary is a copy of what flow lists show.
type FlowSummary struct {
	KeyHash, Serial     uint32
	FirstSeen, LastSeen int64
	VLAN                uint16
	L4Proto             uint8
	CliIP, SrvIP        netip.Addr
	CliPort, SrvPort    uint16
	Cli, Srv            HostKey
	Result              dpi.Result
	ServerName          string
	C2S, S2C            DirCounters
	ThptBps, ThptPps    float32
	// TCP latencies in milliseconds (0 when unknown).
	NwLatencyCli, NwLatencySrv, ApplLatency float64
	// Score is the flow score: the sum of its risks' scores.
	Score int
	Risks dpi.Risks
	// Alerted: checks raised at least one alert on the flow.
	Alerted bool
	// HTTP request facts kept by the classifier.
	HTTPMethod, HTTPUserAgent string
	HTTPStatus                uint16
	// Info is a copy of the classifier's metadata (nil when none).
	Info *dpi.Info
}

// Bytes is the flow total.
func (s *FlowSummary) Bytes() uint64 { return s.C2S.Bytes + s.S2C.Bytes }

// FlowFilter selects flows; zero values mean "no filter".
type FlowFilter struct {
	// Visible: a flow is listed when either peer is visible.
	Visible     Visibility
	Host        *HostKey // client or server
	Client      *HostKey
	Server      *HostKey
	TCPState    string // established, connecting, closed, reset
	DSCP        int    // -1 none; client->server DSCP
	NoneMatch   bool   // a filter value that no flow can match (e.g. alerted flows)
	VLAN        int    // -1 none
	L4Proto     int    // 0 none
	App         int    // -1 none; matches master or app
	AppMaster   int    // with AppPair: master.app
	AppPair     bool
	Category    int // -1 none
	Port        int // 0 none
	Version     int
	Network     int // -1 none
	HostsType   string
	TrafficType string
	Pool        int // -1 none; client or server in this host pool
}

// NoFlowFilter matches every flow.
func NoFlowFilter() FlowFilter {
	return FlowFilter{VLAN: -1, App: -1, Category: -1, Network: -1, DSCP: -1, Pool: -1}
}

// tcpState classifies a TCP flow from the flags seen in both directions.
func tcpState(f *Flow) string {
	all := f.C2S.TCPFlags | f.S2C.TCPFlags
	switch {
	case all&decode.TCPFlagRST != 0:
		return "reset"
	case all&decode.TCPFlagFIN != 0:
		return "closed"
	case f.synC2S && f.S2C.TCPFlags&(decode.TCPFlagSYN|decode.TCPFlagACK) == decode.TCPFlagSYN|decode.TCPFlagACK && f.C2S.TCPFlags&decode.TCPFlagACK != 0:
		return "established"
	case f.synC2S || f.synS2C:
		return "connecting"
	}
	// Seen mid-connection: data flows both ways without a handshake.
	if f.C2S.Packets > 0 && f.S2C.Packets > 0 {
		return "established"
	}
	return "connecting"
}

func (ifc *Interface) flowMatch(flt *FlowFilter, f *Flow) bool {
	if flt.NoneMatch {
		return false
	}
	if !flowVisible(flt.Visible, f) {
		return false
	}
	if flt.Host != nil {
		if (f.Cli.Key != *flt.Host) && (f.Srv.Key != *flt.Host) {
			return false
		}
	}
	if flt.Client != nil && f.Cli.Key != *flt.Client || flt.Server != nil && f.Srv.Key != *flt.Server {
		return false
	}
	if flt.Pool >= 0 && f.Cli.PoolID() != flt.Pool && f.Srv.PoolID() != flt.Pool {
		return false
	}
	if flt.TCPState != "" && (f.L4Proto != 6 || tcpState(f) != flt.TCPState) {
		return false
	}
	if flt.DSCP >= 0 && int(f.C2S.TOS>>2) != flt.DSCP {
		return false
	}
	if flt.VLAN >= 0 && int(f.VLAN) != flt.VLAN {
		return false
	}
	if flt.L4Proto > 0 && int(f.L4Proto) != flt.L4Proto {
		return false
	}
	r := f.DPI.Result
	if flt.AppPair {
		if int(r.Master) != flt.AppMaster || int(r.App) != flt.App {
			return false
		}
	} else if flt.App == 0 {
		if r.Master != 0 || r.App != 0 {
			return false
		}
	} else if flt.App > 0 && int(r.Master) != flt.App && int(r.App) != flt.App {
		return false
	}
	if flt.Category >= 0 && int(ifc.cfg.Registry.CategoryOf(r)) != flt.Category {
		return false
	}
	if flt.Port > 0 && int(f.CliPort) != flt.Port && int(f.SrvPort) != flt.Port {
		return false
	}
	if flt.Version == 4 && !f.CliIP.Is4() || flt.Version == 6 && f.CliIP.Is4() {
		return false
	}
	if flt.Network >= 0 {
		ln := ifc.cfg.LocalNets
		if ln.Find(f.CliIP) != flt.Network && ln.Find(f.SrvIP) != flt.Network {
			return false
		}
	}
	// Host locality comes from the host objects, read under their locks by
	// the caller's snapshot; the creation-time flags never change, so the
	// local network table gives the same answer without locking.
	cliLocal, srvLocal := ifc.isLocalAddr(f.CliIP), ifc.isLocalAddr(f.SrvIP)
	switch flt.HostsType {
	case "local_only":
		if !cliLocal || !srvLocal {
			return false
		}
	case "remote_only":
		if cliLocal || srvLocal {
			return false
		}
	case "local_origin_remote_target":
		if !cliLocal || srvLocal {
			return false
		}
	case "remote_origin_local_target":
		if cliLocal || !srvLocal {
			return false
		}
	}
	switch flt.TrafficType {
	case "unicast":
		if !isUnicastAddr(f.SrvIP) {
			return false
		}
	case "broadcast_multicast":
		if isUnicastAddr(f.SrvIP) {
			return false
		}
	case "one_way":
		if f.C2S.Packets != 0 && f.S2C.Packets != 0 {
			return false
		}
	case "one_way_unicast":
		if (f.C2S.Packets != 0 && f.S2C.Packets != 0) || !isUnicastAddr(f.SrvIP) {
			return false
		}
	case "one_way_broadcast_multicast":
		if (f.C2S.Packets != 0 && f.S2C.Packets != 0) || isUnicastAddr(f.SrvIP) {
			return false
		}
	}
	return true
}

func (ifc *Interface) isLocalAddr(a netip.Addr) bool {
	return ifc.cfg.LocalNets.Find(a) >= 0 || a.IsMulticast() || a == broadcastV4
}

func isUnicastAddr(a netip.Addr) bool {
	return !a.IsMulticast() && a != broadcastV4 && !a.IsUnspecified()
}

func latencyMs(a, b int64) float64 {
	if a == 0 || b == 0 || b < a {
		return 0
	}
	return float64(b-a) / 1000
}

// Flows returns summaries of every flow matching the filter, in no order.
func (ifc *Interface) Flows(flt FlowFilter) []FlowSummary {
	out := make([]FlowSummary, 0, ifc.NumFlows())
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		sh.mu.Lock()
		for _, f := range sh.m {
			if !ifc.flowMatch(&flt, f) {
				continue
			}
			out = append(out, FlowSummary{
				KeyHash: f.KeyHash, Serial: f.Serial, FirstSeen: f.FirstSeen(), LastSeen: f.LastSeen(),
				VLAN: f.VLAN, L4Proto: f.L4Proto, CliIP: f.CliIP, SrvIP: f.SrvIP,
				CliPort: f.CliPort, SrvPort: f.SrvPort, Cli: f.Cli.Key, Srv: f.Srv.Key,
				Result: f.DPI.Result, ServerName: f.DPI.ServerName, C2S: f.C2S, S2C: f.S2C,
				ThptBps: f.ThptBps, ThptPps: f.ThptPps,
				NwLatencySrv: latencyMs(f.synUs, f.synAckUs), NwLatencyCli: latencyMs(f.synAckUs, f.ackUs),
				ApplLatency: latencyMs(f.firstCliPayloadUs, f.firstSrvPayloadUs),
				Risks:       f.Risks(),
				HTTPMethod:  f.DPI.HTTPMethod, HTTPUserAgent: f.DPI.HTTPUserAgent, HTTPStatus: f.DPI.HTTPStatus,
				Info: f.DPI.Info.Clone(),
			})
			s := &out[len(out)-1]
			s.Score, _, _ = ifc.flowScore(f)
			s.Alerted = f.alerted
		}
		sh.mu.Unlock()
	}
	return out
}

// Counters returns a deep copy of the interface counters.
func (ifc *Interface) Counters() Counters {
	ifc.statsMu.RLock()
	defer ifc.statsMu.RUnlock()
	c := ifc.counters
	c.NDPI = cloneCounters(ifc.counters.NDPI)
	c.Categories = cloneCounters(ifc.counters.Categories)
	c.DSCP = cloneCounters(ifc.counters.DSCP)
	return c
}

// HostCounts returns the number of unicast hosts and unicast local hosts.
func (ifc *Interface) HostCounts(vis Visibility) (hosts, local int) {
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for _, h := range hs.m {
			if h.Unicast() && vis.Sees(h.Key.IP) {
				hosts++
				if h.Local {
					local++
				}
			}
		}
		hs.mu.Unlock()
	}
	return
}

// flowVisible: a flow is visible when either peer is.
func flowVisible(vis Visibility, f *Flow) bool {
	return vis == nil || vis(f.CliIP) || vis(f.SrvIP)
}

// FlowL4Counts counts the visible flows per L4 protocol number.
func (ifc *Interface) FlowL4Counts(vis Visibility) map[uint8]int {
	out := map[uint8]int{}
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		sh.mu.Lock()
		for _, f := range sh.m {
			if flowVisible(vis, f) {
				out[f.L4Proto]++
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// FlowL7Counts counts the visible flows per protocol (spec D.3 rule).
func (ifc *Interface) FlowL7Counts(vis Visibility) map[dpi.ProtoID]int {
	out := map[dpi.ProtoID]int{}
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		sh.mu.Lock()
		for _, f := range sh.m {
			if flowVisible(vis, f) {
				out[dpi.CounterProto(f.DPI.Result)]++
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// Talker is one host of a top-talkers list.
type Talker struct {
	Key   HostKey
	Name  string
	Local bool
	Value uint64 // bytes sent+received since the last minute checkpoint
}

// maxTalkers is how many hosts a top-talkers list holds.
const maxTalkers = 10

// TopTalkers returns the local (or remote) unicast hosts with the most
// traffic in the current minute of the reference clock, largest first, at
// most maxTalkers of them, and the traffic of the other hosts.
func (ifc *Interface) TopTalkers(local bool, vis Visibility) (top []Talker, rest uint64) {
	minute := ifc.clockUs.Load() / 60e6
	var out []Talker
	var total uint64
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for _, h := range hs.m {
			if h.Local != local || !h.Unicast() || h.talkerMinute != minute || !vis.Sees(h.Key.IP) {
				continue
			}
			v := h.Traffic.BytesSent + h.Traffic.BytesRcvd - h.talkerBase
			if v == 0 {
				continue
			}
			total += v
			if len(out) == maxTalkers && v <= out[len(out)-1].Value {
				continue
			}
			t := Talker{Key: h.Key, Name: h.Name(ifc.cfg.Names), Local: h.Local, Value: v}
			// Insert in order; the list is short.
			j := len(out)
			if j < maxTalkers {
				out = append(out, t)
			} else {
				j--
			}
			for j > 0 && out[j-1].Value < v {
				out[j] = out[j-1]
				j--
			}
			out[j] = t
		}
		hs.mu.Unlock()
	}
	for _, t := range out {
		total -= t.Value
	}
	return out, total
}

// HostKeys returns the keys of the visible hosts in memory, in no order.
func (ifc *Interface) HostKeys(vis Visibility) []HostKey {
	out := make([]HostKey, 0, ifc.NumHostsTotal())
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for k := range hs.m {
			if vis.Sees(k.IP) {
				out = append(out, k)
			}
		}
		hs.mu.Unlock()
	}
	return out
}

// PoolStats are the live totals of one host pool on an interface.
type PoolStats struct {
	Hosts, LocalHosts        int
	BytesSent, BytesRcvd     uint64
	PacketsSent, PacketsRcvd uint64
	ThptBps, ThptPps         float64
}

// PoolStats totals the hosts in memory by host pool, counting the hosts
// the caller sees. Per-pool totals are those of the pool's current
// hosts, so a new pool starts from zero and a host moving between pools
// takes its traffic along.
func (ifc *Interface) PoolStats(vis Visibility) map[int]*PoolStats {
	out := map[int]*PoolStats{}
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for _, h := range hs.m {
			if !vis.Sees(h.Key.IP) {
				continue
			}
			ps := out[int(h.pool)]
			if ps == nil {
				ps = &PoolStats{}
				out[int(h.pool)] = ps
			}
			ps.Hosts++
			if h.Local {
				ps.LocalHosts++
			}
			ps.BytesSent += h.Traffic.BytesSent
			ps.BytesRcvd += h.Traffic.BytesRcvd
			ps.PacketsSent += h.Traffic.PacketsSent
			ps.PacketsRcvd += h.Traffic.PacketsRcvd
			ps.ThptBps += float64(h.ThroughputBps)
			ps.ThptPps += float64(h.ThroughputPps)
		}
		hs.mu.Unlock()
	}
	return out
}
