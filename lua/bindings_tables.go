package lua

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

func setNum(t *glua.LTable, k string, v float64) { t.RawSetString(k, glua.LNumber(v)) }
func setU(t *glua.LTable, k string, v uint64)    { t.RawSetString(k, glua.LNumber(float64(v))) }
func setStr(t *glua.LTable, k, v string)         { t.RawSetString(k, glua.LString(v)) }
func setBool(t *glua.LTable, k string, v bool)   { t.RawSetString(k, glua.LBool(v)) }

// getStats returns the interface counters (get/interface/data members).
func (b *binder) getStats(L *glua.LState) int {
	ifc := b.iface()
	c := ifc.Counters()
	t := L.CreateTable(0, 40)
	setNum(t, "ifid", float64(ifc.ID()))
	setStr(t, "name", ifc.Name())
	setNum(t, "speed", 1000)
	setNum(t, "periodic_stats_update_frequency_secs", 5)
	setU(t, "packets", c.Packets)
	setU(t, "bytes", c.Bytes)
	setU(t, "drops", c.Drops)
	setU(t, "packets_download", c.PacketsDown)
	setU(t, "bytes_download", c.BytesDown)
	setU(t, "packets_upload", c.PacketsUp)
	setU(t, "bytes_upload", c.BytesUp)
	setNum(t, "throughput_bps", float64(c.ThroughputBps))
	setNum(t, "throughput_pps", float64(c.ThroughputPps))
	setNum(t, "alerted_flows", float64(ifc.AlertedFlows()))
	if b.app.AlertCounts != nil {
		engaged, dropped := b.app.AlertCounts(ifc.ID())
		setNum(t, "engaged_alerts", float64(engaged))
		setU(t, "dropped_alerts", dropped)
	}
	thpt := L.NewTable()
	down, up := L.NewTable(), L.NewTable()
	setNum(down, "bps", float64(c.DownBps))
	setNum(down, "pps", float64(c.DownPps))
	setNum(up, "bps", float64(c.UpBps))
	setNum(up, "pps", float64(c.UpPps))
	thpt.RawSetString("download", down)
	thpt.RawSetString("upload", up)
	t.RawSetString("throughput", thpt)
	nh, nl := ifc.HostCounts(b.visible())
	setNum(t, "num_hosts", float64(nh))
	setNum(t, "num_local_hosts", float64(nl))
	// Callers with network restrictions see neither the flow total nor
	// the devices of the whole interface (spec B.2); the table fill level
	// stays available for flows_pctg.
	if !b.restricted() {
		setNum(t, "num_flows", float64(ifc.NumFlows()))
		setNum(t, "num_devices", float64(ifc.NumDevices()))
	}
	setNum(t, "flows_in_memory", float64(ifc.NumFlows()))
	setNum(t, "num_macs", float64(ifc.NumMACs()))
	setNum(t, "max_num_hosts", float64(ifc.MaxHosts()))
	setNum(t, "max_num_flows", float64(ifc.MaxFlows()))
	setU(t, "local2remote", c.Local2Remote)
	setU(t, "remote2local", c.Remote2Local)
	tcp := L.NewTable()
	setU(tcp, "retransmissions", c.TCPSeq.Retransmissions)
	setU(tcp, "out_of_order", c.TCPSeq.OutOfOrder)
	setU(tcp, "lost", c.TCPSeq.Lost)
	t.RawSetString("tcpPacketStats", tcp)
	setU(t, "malformed_packets", c.Malformed)
	setU(t, "truncated_packets", c.Truncated)
	setU(t, "fragments", c.Fragments)
	setU(t, "flow_drops", c.FlowDrops)
	setU(t, "host_drops", c.HostDrops)
	t.RawSetString("ndpi", b.ndpiTable(L, c.NDPI))
	L.Push(t)
	return 1
}

func hostFilterFrom(t *glua.LTable) probe.HostFilter {
	f := probe.NoHostFilter()
	f.Mode = optString(t, "mode")
	f.Version = optInt(t, "version", 0)
	f.Protocol = optInt(t, "protocol", -1)
	f.TrafficType = optString(t, "traffic_type")
	f.VLAN = optInt(t, "vlan", -1)
	f.Network = optInt(t, "network", -1)
	f.MAC = optString(t, "mac")
	f.Country = optString(t, "country")
	f.OS = optInt(t, "os", -1)
	f.ASN = optInt(t, "asn", -1)
	f.Pool = optInt(t, "pool", -1)
	return f
}

// hostLess returns the engine ordering of get/host/active (spec C.1 stage 1).
func hostLess(col string) func(a, b *probe.HostSummary) bool {
	ipLess := func(a, b *probe.HostSummary) bool {
		if a.Key.IP.Is4() != b.Key.IP.Is4() {
			return a.Key.IP.Is4()
		}
		if c := a.Key.IP.Compare(b.Key.IP); c != 0 {
			return c < 0
		}
		return a.Key.VLAN < b.Key.VLAN
	}
	num := func(f func(h *probe.HostSummary) float64) func(a, b *probe.HostSummary) bool {
		return func(a, b *probe.HostSummary) bool {
			x, y := f(a), f(b)
			if x != y {
				return x < y
			}
			return ipLess(a, b)
		}
	}
	switch col {
	case "", "ip", "column_", "column_ip":
		return ipLess
	case "column_name":
		return func(a, b *probe.HostSummary) bool {
			x, y := strings.ToLower(a.Name), strings.ToLower(b.Name)
			if x != y {
				return x < y
			}
			return ipLess(a, b)
		}
	case "column_country":
		return func(a, b *probe.HostSummary) bool {
			if a.Country != b.Country {
				return a.Country < b.Country
			}
			return ipLess(a, b)
		}
	case "column_vlan":
		return num(func(h *probe.HostSummary) float64 { return float64(h.Key.VLAN) })
	case "column_alerts":
		return num(func(h *probe.HostSummary) float64 { return float64(h.NumAlerts) })
	case "column_since":
		return num(func(h *probe.HostSummary) float64 { return float64(h.FirstSeen) })
	case "column_thpt":
		return num(func(h *probe.HostSummary) float64 { return float64(h.ThptBps) })
	case "column_num_flows":
		return num(func(h *probe.HostSummary) float64 { return float64(h.ActiveAsCli + h.ActiveAsSrv) })
	case "column_num_dropped_flows":
		return num(func(h *probe.HostSummary) float64 { return 0 })
	}
	return num(func(h *probe.HostSummary) float64 { return float64(h.BytesSent + h.BytesRcvd) })
}

// pageBounds returns the records [start, end) of page (1-based) with
// perPage records per page among total. It is overflow-safe for any
// client-supplied numbers, and end-start never exceeds total.
func pageBounds(total, page, perPage int) (start, end int) {
	if page < 1 {
		page = 1
	}
	if perPage < 0 {
		perPage = 0
	}
	if perPage > 0 && page-1 > total/perPage {
		return total, total
	}
	start = (page - 1) * perPage
	if start > total {
		start = total
	}
	end = total
	if perPage < total-start {
		end = start + perPage
	}
	return start, end
}

// getHostsInfo(opts) -> {hosts = {records in page order}, numHosts = n}
func (b *binder) getHostsInfo(L *glua.LState) int {
	opts := L.OptTable(1, nil)
	ifc := b.iface()
	col := optString(opts, "sortColumn")
	// Names are only needed by the name sort; the others fill them (and
	// the other per-host lookups) for the page alone, which keeps a page
	// cheap with 100k hosts in the table.
	bufp := hostBufs.Get().(*[]probe.HostSummary)
	defer func() {
		clear(*bufp) // drop the strings the summaries point to
		hostBufs.Put(bufp)
	}()
	flt := hostFilterFrom(opts)
	flt.Visible = b.visible()
	hosts := ifc.Hosts(flt, col == "column_name", *bufp)
	*bufp = hosts
	less := hostLess(col)
	if optString(opts, "sortOrder") == "desc" {
		asc := less
		less = func(a, b *probe.HostSummary) bool { return asc(b, a) }
	}
	perPage := optInt(opts, "perPage", 10)
	if perPage < 0 {
		perPage = 10
	}
	start, end := pageBounds(len(hosts), optInt(opts, "currentPage", 1), perPage)
	sortPrefix(hosts, end, less)
	list := L.CreateTable(end-start, 0)
	for i := start; i < end; i++ {
		h := &hosts[i]
		if full, ok := ifc.HostSummaryOf(h.Key); ok {
			h = &full
		}
		list.Append(b.hostSummaryTable(L, h))
	}
	t := L.NewTable()
	t.RawSetString("hosts", list)
	setNum(t, "numHosts", float64(len(hosts)))
	L.Push(t)
	return 1
}

func (b *binder) hostSummaryTable(L *glua.LState, h *probe.HostSummary) *glua.LTable {
	e := L.CreateTable(0, 24)
	setStr(e, "ip", h.Key.IP.String())
	setNum(e, "vlan", float64(h.Key.VLAN))
	setStr(e, "key", h.Key.String())
	setStr(e, "name", h.Name)
	setNum(e, "seen.first", float64(h.FirstSeen))
	setNum(e, "seen.last", float64(h.LastSeen))
	setNum(e, "os", float64(h.OS))
	setNum(e, "num_alerts", float64(h.NumAlerts))
	setStr(e, "country", h.Country)
	setBool(e, "is_blacklisted", h.Blacklisted)
	setBool(e, "localhost", h.Local)
	setBool(e, "is_multicast", h.Multicast)
	setBool(e, "is_broadcast", h.Broadcast)
	setBool(e, "broadcast_domain_host", h.BroadcastDom)
	setBool(e, "dhcpHost", h.DHCP)
	setNum(e, "throughput_bps", float64(h.ThptBps))
	setNum(e, "throughput_pps", float64(h.ThptPps))
	setU(e, "bytes.sent", h.BytesSent)
	setU(e, "bytes.rcvd", h.BytesRcvd)
	setU(e, "packets.sent", h.PktsSent)
	setU(e, "packets.rcvd", h.PktsRcvd)
	setNum(e, "active_flows.as_client", float64(h.ActiveAsCli))
	setNum(e, "active_flows.as_server", float64(h.ActiveAsSrv))
	setNum(e, "ipkey", float64(probe.IPKey(h.Key.IP)))
	setStr(e, "mac", probe.FormatMAC(h.MAC))
	return e
}

func (b *binder) getHostMinInfo(L *glua.LState) int {
	k, ok := b.hostArg(L, 1)
	if !ok {
		L.Push(glua.LNil)
		return 1
	}
	h, ok := b.iface().HostSummaryOf(k)
	if !ok {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(b.hostSummaryTable(L, &h))
	return 1
}

// getHostInfo(host, vlan) returns the full host record (spec C.3) or nil.
func (b *binder) getHostInfo(L *glua.LState) int {
	k, ok := b.hostArg(L, 1)
	if !ok {
		L.Push(glua.LNil)
		return 1
	}
	ifc := b.iface()
	d, ok := ifc.HostDetail(k)
	if !ok {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(b.hostDetailTable(L, ifc, d))
	return 1
}

func trafficPair(t *glua.LTable, prefix string, c probe.TrafficCounter, anomaly bool) {
	setU(t, prefix+"bytes.sent", c.BytesSent)
	setU(t, prefix+"bytes.rcvd", c.BytesRcvd)
	setU(t, prefix+"packets.sent", c.PacketsSent)
	setU(t, prefix+"packets.rcvd", c.PacketsRcvd)
	if anomaly {
		// The anomaly index needs a minute-by-minute history that pcap
		// replays never build; the reference reports 0 there too.
		setNum(t, prefix+"bytes.sent.anomaly_index", 0)
		setNum(t, prefix+"bytes.rcvd.anomaly_index", 0)
	}
}

func ratio(a, b uint64) float64 {
	if a+b == 0 {
		return 0
	}
	return float64(float32(float64(a)-float64(b)) / float32(a+b))
}

func pktStatsTable(L *glua.LState, p probe.PacketStats) *glua.LTable {
	t := L.NewTable()
	s := L.NewTable()
	setU(s, "upTo64", p.Size.UpTo64)
	setU(s, "upTo128", p.Size.UpTo128)
	setU(s, "upTo256", p.Size.UpTo256)
	setU(s, "upTo512", p.Size.UpTo512)
	setU(s, "upTo1024", p.Size.UpTo1024)
	setU(s, "upTo1518", p.Size.UpTo1518)
	setU(s, "upTo2500", p.Size.UpTo2500)
	setU(s, "upTo6500", p.Size.UpTo6500)
	setU(s, "upTo9000", p.Size.UpTo9000)
	setU(s, "above9000", p.Size.Above9000)
	t.RawSetString("size", s)
	f := L.NewTable()
	setU(f, "syn", p.TCPFlags.SYN)
	setU(f, "synack", p.TCPFlags.SYNACK)
	setU(f, "finack", p.TCPFlags.FINACK)
	setU(f, "rst", p.TCPFlags.RST)
	t.RawSetString("tcp_flags", f)
	return t
}

func seqTable(L *glua.LState, s probe.TCPSeqStats) *glua.LTable {
	t := L.NewTable()
	setU(t, "retransmissions", s.Retransmissions)
	setU(t, "out_of_order", s.OutOfOrder)
	setU(t, "lost", s.Lost)
	setU(t, "keep_alive", s.KeepAlive)
	return t
}

// behaviourTable reports a behaviour series. The forecaster needs 300 s
// observations; until two exist the bounds are 0 (spec C.3.7).
func behaviourTable(L *glua.LState, value float64) *glua.LTable {
	t := L.NewTable()
	setNum(t, "value", value)
	setNum(t, "lower_bound", 0)
	setNum(t, "upper_bound", 0)
	setBool(t, "anomaly", false)
	return t
}

func (b *binder) hostDetailTable(L *glua.LState, ifc *probe.Interface, d *probe.HostDetail) *glua.LTable {
	t := L.CreateTable(0, 128)
	reg := b.app.Registry
	ip := d.Key.IP
	setStr(t, "ip", ip.String())
	setNum(t, "vlan", float64(d.Key.VLAN))
	setNum(t, "observation_point_id", 0)
	setNum(t, "ifid", float64(ifc.ID()))
	setNum(t, "ipkey", float64(probe.IPKey(ip)))
	setStr(t, "tskey", d.Key.String())
	setStr(t, "name", d.Name)
	names := L.NewTable()
	for _, n := range []struct{ k, v string }{
		{"mdns", d.Names.MDNS}, {"mdns_txt", d.Names.MDNSTXT}, {"resolved", d.Names.Resolved},
		{"netbios", d.Names.NetBIOS}, {"tls", d.Names.TLS}, {"http", d.Names.HTTP}, {"dhcp", d.Names.DHCP},
	} {
		if n.v != "" {
			setStr(names, n.k, n.v)
		}
	}
	t.RawSetString("names", names)
	if d.Names.MDNSInfo != "" {
		setStr(t, "info", d.Names.MDNSInfo)
	}
	setStr(t, "mac", probe.FormatMAC(d.MAC))
	setNum(t, "devtype", 0)
	setBool(t, "localhost", d.Local)
	setBool(t, "systemhost", false)
	setBool(t, "privatehost", d.Private)
	setBool(t, "broadcast_domain_host", d.BroadcastDom)
	setBool(t, "dhcpHost", false)
	setBool(t, "crawlerBotScannerHost", false)
	setBool(t, "is_blacklisted", false)
	setBool(t, "is_broadcast", d.Broadcast)
	setBool(t, "is_multicast", d.Multicast)
	setNum(t, "host_services_bitmap", float64(d.Services))
	if d.Services != 0 {
		svc := L.NewTable()
		for _, s := range []struct {
			bit  uint8
			name string
		}{{probe.ServiceDHCP, "dhcp"}, {probe.ServiceDNS, "dns"}, {probe.ServiceNTP, "ntp"},
			{probe.ServiceSMTP, "smtp"}, {probe.ServicePOP, "pop"}, {probe.ServiceIMAP, "imap"}} {
			if d.Services&(1<<s.bit) != 0 {
				setBool(svc, s.name, true)
			}
		}
		t.RawSetString("services", svc)
	}
	setBool(t, "hiddenFromTop", false)
	setNum(t, "os", float64(d.OS))
	setStr(t, "os_detail", d.OSDetail)
	setNum(t, "host_pool_id", float64(d.PoolID()))
	gi := d.GeoInfo()
	setNum(t, "asn", float64(gi.ASN))
	setStr(t, "asname", gi.ASName)
	setStr(t, "country", gi.Country)
	setStr(t, "continent", gi.Continent)
	setStr(t, "city", gi.City)
	setNum(t, "latitude", gi.Latitude)
	setNum(t, "longitude", gi.Longitude)

	setNum(t, "seen.first", float64(d.FirstSeen))
	setNum(t, "seen.last", float64(d.LastSeen))
	setNum(t, "duration", float64(d.LastSeen-d.FirstSeen+1))
	setNum(t, "total_activity_time", float64(d.TotalActivityTime))

	trafficPair(t, "", d.Traffic, false)
	for _, k := range []string{"bytes.sent", "bytes.rcvd", "packets.sent", "packets.rcvd"} {
		setNum(t, k+".anomaly_index", 0)
	}
	trafficPair(t, "tcp.", d.TCP, true)
	trafficPair(t, "udp.", d.UDP, true)
	trafficPair(t, "icmp.", d.ICMP, true)
	trafficPair(t, "other_ip.", d.OtherIP, true)
	var unknownBytes uint64
	if ac := d.NDPI[dpi.ProtoUnknown]; ac != nil {
		unknownBytes = ac.BytesSent + ac.BytesRcvd
	}
	setU(t, "bytes.ndpi.unknown", unknownBytes)
	setNum(t, "bytes_ratio", ratio(d.Traffic.BytesSent, d.Traffic.BytesRcvd))
	setNum(t, "pkts_ratio", ratio(d.Traffic.PacketsSent, d.Traffic.PacketsRcvd))
	setU(t, "udpBytesSent.unicast", d.UDPSentUnicast)
	setU(t, "udpBytesSent.non_unicast", d.UDPSentNonUnicast)
	setNum(t, "throughput_bps", float64(d.ThroughputBps))
	setNum(t, "throughput_pps", float64(d.ThroughputPps))
	setNum(t, "throughput_trend_bps", float64(d.TrendBps))
	setNum(t, "throughput_trend_pps", float64(d.TrendPps))

	t.RawSetString("pktStats.sent", pktStatsTable(L, d.PktSent))
	t.RawSetString("pktStats.recv", pktStatsTable(L, d.PktRcvd))
	t.RawSetString("tcpPacketStats.sent", seqTable(L, d.TCPSent))
	t.RawSetString("tcpPacketStats.rcvd", seqTable(L, d.TCPRcvd))
	setBool(t, "tcp.packets.seq_problems", d.TCPSent != (probe.TCPSeqStats{}) || d.TCPRcvd != (probe.TCPSeqStats{}))

	setNum(t, "active_flows.as_client", float64(d.ActiveFlowsAsCli))
	setNum(t, "active_flows.as_server", float64(d.ActiveFlowsAsSrv))
	setNum(t, "flows.as_client", float64(d.FlowsAsCli))
	setNum(t, "flows.as_server", float64(d.FlowsAsSrv))
	setNum(t, "total_flows.as_client", float64(d.FlowsAsCli))
	setNum(t, "total_flows.as_server", float64(d.FlowsAsSrv))
	setNum(t, "alerted_flows.as_client", float64(d.AlertedFlowsAsCli))
	setNum(t, "alerted_flows.as_server", float64(d.AlertedFlowsAsSrv))
	setNum(t, "active_alerted_flows", float64(d.ActiveAlertedFlows))
	setNum(t, "unreachable_flows.as_client", float64(d.UnreachAsCli))
	setNum(t, "unreachable_flows.as_server", float64(d.UnreachAsSrv))
	setNum(t, "host_unreachable_flows.as_client", float64(d.HostUnreachAsCli))
	setNum(t, "host_unreachable_flows.as_server", float64(d.HostUnreachAsSrv))
	setU(t, "contacts.as_client", d.LocalInfo.ContactsAsClient)
	setU(t, "contacts.as_server", d.LocalInfo.ContactsAsServer)
	bl := L.NewTable()
	for _, k := range []string{"as_client", "as_server", "tot_as_client", "tot_as_server"} {
		setNum(bl, k, 0)
	}
	t.RawSetString("num_blacklisted_flows", bl)
	if n := d.FloodAttacker.Hits(); n > 0 {
		setNum(t, "hits.flow_flood_attacker", float64(n))
	}
	if n := d.FloodVictim.Hits(); n > 0 {
		setNum(t, "hits.flow_flood_victim", float64(n))
	}

	// Alerts and scores: no alert is engaged yet; the scores are the risk
	// scores of the host's active flows.
	setNum(t, "num_alerts", 0)
	setNum(t, "total_alerts", 0)
	setNum(t, "num_flow_alerts", 0)
	t.RawSetString("ja3_fingerprint", fingerprintTable(L, d.JA3))
	t.RawSetString("hassh_fingerprint", fingerprintTable(L, d.HASSH))
	setNum(t, "score", float64(d.ScoreAsCli+d.ScoreAsSrv))
	setNum(t, "score.as_client", float64(d.ScoreAsCli))
	setNum(t, "score.as_server", float64(d.ScoreAsSrv))
	pct := L.NewTable()
	for _, side := range []string{"score_breakdown_client", "score_breakdown_server"} {
		s := L.NewTable()
		s.RawSetString("0", glua.LNumber(0))
		s.RawSetString("1", glua.LNumber(0))
		pct.RawSetString(side, s)
	}
	t.RawSetString("score_pct", pct)
	sb := L.NewTable()
	sb.RawSetString("as_client", behaviourTable(L, float64(d.ScoreAsCli)))
	sb.RawSetString("as_server", behaviourTable(L, float64(d.ScoreAsSrv)))
	setNum(sb, "tot_num_anomalies", 0)
	t.RawSetString("score_behaviour", sb)
	fb := L.NewTable()
	fb.RawSetString("as_client", behaviourTable(L, float64(d.ActiveFlowsAsCli)))
	fb.RawSetString("as_server", behaviourTable(L, float64(d.ActiveFlowsAsSrv)))
	setNum(fb, "tot_num_anomalies", 0)
	t.RawSetString("active_flows_behaviour", fb)

	if d.Local {
		if d.NetworkID >= 0 {
			setNum(t, "local_network_id", float64(d.NetworkID))
			setStr(t, "local_network_name", ifc.LocalNets().Name(d.NetworkID))
		} else {
			setNum(t, "local_network_id", -1)
		}
		setNum(t, "active_http_hosts", 0)
		card := L.NewTable()
		setU(card, "num_contacted_hosts_as_client", d.LocalInfo.ContactedHostsAsClient)
		setU(card, "num_host_contacts_as_server", d.LocalInfo.HostContactsAsServer)
		setU(card, "num_contacted_services_as_client", d.LocalInfo.ContactedServices)
		setU(card, "num_contacted_ports_as_client", d.LocalInfo.ContactedPortsAsClient)
		setU(card, "num_host_contacted_ports_as_server", d.LocalInfo.ContactedPortsAsServer)
		t.RawSetString("cardinality", card)
		sc := L.NewTable()
		setU(sc, "dns", d.LocalInfo.DNSServers)
		setU(sc, "smtp", d.LocalInfo.SMTPServers)
		setU(sc, "ntp", d.LocalInfo.NTPServers)
		setU(sc, "domain_names", d.LocalInfo.DomainNames)
		t.RawSetString("server_contacts", sc)
		t.RawSetString("contacted_hosts_behaviour", behaviourTable(L, 0))
		dns := L.NewTable()
		dns.RawSetString("sent", dnsTable(L, d.LocalInfo.DNSSent))
		dns.RawSetString("rcvd", dnsTable(L, d.LocalInfo.DNSRcvd))
		t.RawSetString("dns", dns)
		http := L.NewTable()
		http.RawSetString("sender", httpTable(L, d.LocalInfo.HTTPSender))
		http.RawSetString("receiver", httpTable(L, d.LocalInfo.HTTPReceiver))
		http.RawSetString("virtual_hosts", L.NewTable())
		t.RawSetString("http", http)
		icmp := L.NewTable()
		for k, c := range d.ICMPTypes {
			e := L.NewTable()
			setU(e, "sent", c.Sent)
			setU(e, "rcvd", c.Rcvd)
			if c.LastSentPeer.IsValid() {
				setStr(e, "last_host_sent_peer", c.LastSentPeer.String())
			}
			if c.LastRcvdPeer.IsValid() {
				setStr(e, "last_host_rcvd_peer", c.LastRcvdPeer.String())
			}
			icmp.RawSetString(strconv.Itoa(int(k>>8))+","+strconv.Itoa(int(k&0xff)), e)
		}
		if ip.Is4() {
			t.RawSetString("ICMPv4", icmp)
		} else {
			t.RawSetString("ICMPv6", icmp)
		}
	}

	t.RawSetString("ndpi", b.ndpiTable(L, d.NDPI))
	t.RawSetString("ndpi_categories", categoriesTable(L, reg, d.Categories))
	t.RawSetString("dscp", dscpTable(L, d.DSCP))
	return t
}

func dnsTable(L *glua.LState, c probe.DNSCounters) *glua.LTable {
	t := L.NewTable()
	setU(t, "num_queries", c.Queries)
	setU(t, "num_replies_ok", c.RepliesOK)
	setU(t, "num_replies_error", c.RepliesError)
	q := L.NewTable()
	for _, x := range []struct {
		k string
		v uint64
	}{{"num_a", c.A}, {"num_ns", c.NS}, {"num_cname", c.CNAME}, {"num_soa", c.SOA}, {"num_ptr", c.PTR},
		{"num_mx", c.MX}, {"num_txt", c.TXT}, {"num_aaaa", c.AAAA}, {"num_any", c.ANY}, {"num_other", c.OtherQ}} {
		setU(q, x.k, x.v)
	}
	t.RawSetString("queries", q)
	return t
}

// httpTable is one role of the http member; rates need per-interval
// history and are 0 as in the pcap references.
func httpTable(L *glua.LState, c probe.HTTPCounters) *glua.LTable {
	t := L.NewTable()
	q := L.NewTable()
	setU(q, "total", c.Queries())
	setU(q, "num_get", c.Get)
	setU(q, "num_post", c.Post)
	setU(q, "num_head", c.Head)
	setU(q, "num_put", c.Put)
	setU(q, "num_other", c.OtherQ)
	t.RawSetString("query", q)
	r := L.NewTable()
	setU(r, "total", c.Responses())
	setU(r, "num_1xx", c.R1xx)
	setU(r, "num_2xx", c.R2xx)
	setU(r, "num_3xx", c.R3xx)
	setU(r, "num_4xx", c.R4xx)
	setU(r, "num_5xx", c.R5xx)
	t.RawSetString("response", r)
	rate := L.NewTable()
	rq, rr := L.NewTable(), L.NewTable()
	for _, k := range []string{"get", "post", "head", "put", "other"} {
		setNum(rq, k, 0)
	}
	for _, k := range []string{"1xx", "2xx", "3xx", "4xx", "5xx"} {
		setNum(rr, k, 0)
	}
	rate.RawSetString("query", rq)
	rate.RawSetString("response", rr)
	t.RawSetString("rate", rate)
	return t
}

// getFlowsInfo(opts) -> {flows = {...}, numFlows = n}; opts.host limits the
// flows to one host (nil answer when that host is not in memory).
func (b *binder) getFlowsInfo(L *glua.LState) int {
	opts := L.OptTable(1, nil)
	ifc := b.iface()
	flt := probe.NoFlowFilter()
	flt.Visible = b.visible()
	// host, client, server and talking_with name hosts that must be in
	// memory: an unknown one makes the whole call answer nil (NOT_FOUND).
	vlan := optString(opts, "vlan")
	for _, hf := range []struct {
		param string
		dst   **probe.HostKey
	}{{"host", &flt.Host}, {"talking_with", &flt.Host}, {"client", &flt.Client}, {"server", &flt.Server}} {
		h := optString(opts, hf.param)
		if h == "" {
			continue
		}
		k, ok := b.resolveVisible(ifc, h, vlan)
		if !ok || !ifc.HasHost(k) {
			L.Push(glua.LNil)
			return 1
		}
		*hf.dst = &k
	}
	if flt.Host == nil && vlan != "" {
		flt.VLAN = optInt(opts, "vlan", -1)
	}
	flt.TCPState = optString(opts, "tcp_flow_state")
	flt.DSCP = optInt(opts, "dscp", -1)
	switch at := optString(opts, "alert_type"); {
	case at == "" || at == "normal":
	default:
		// No check raises flow alerts yet: alerted, periodic, filtered and
		// alert ids select nothing.
		flt.NoneMatch = true
	}
	flt.Pool = optInt(opts, "host_pool_id", -1)
	flt.L4Proto = optInt(opts, "l4proto", 0)
	if app := optString(opts, "application"); app != "" {
		b.applicationFilter(&flt, app)
	}
	if cat := optString(opts, "category"); cat != "" {
		flt.Category = b.categoryID(cat)
	}
	flt.Port = optInt(opts, "port", 0)
	flt.Version = optInt(opts, "version", 0)
	flt.Network = optInt(opts, "network", -1)
	flt.HostsType = optString(opts, "flowhosts_type")
	flt.TrafficType = optString(opts, "traffic_type")

	flows := ifc.Flows(flt)
	less := b.flowLess(optString(opts, "sortColumn"))
	sort.SliceStable(flows, func(i, j int) bool { return less(&flows[i], &flows[j]) })
	desc := optString(opts, "sortOrder") != "asc"
	perPage := optInt(opts, "perPage", 10)
	// The reference stops after adding a record once the count reaches
	// perPage, so perPage 0 (or less) still yields one record.
	if perPage < 1 {
		perPage = 1
	}
	start, end := pageBounds(len(flows), optInt(opts, "currentPage", 1), perPage)
	list := L.CreateTable(end-start, 0)
	for i := start; i < end; i++ {
		idx := i
		if desc {
			idx = len(flows) - 1 - i
		}
		list.Append(b.flowTable(L, ifc, &flows[idx]))
	}
	t := L.NewTable()
	t.RawSetString("flows", list)
	setNum(t, "numFlows", float64(len(flows)))
	L.Push(t)
	return 1
}

// applicationFilter reads a name, an id, "master.app" ids or names.
func (b *binder) applicationFilter(f *probe.FlowFilter, app string) {
	reg := b.app.Registry
	id := func(s string) int {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		if p, ok := reg.ByName(s); ok {
			return int(p.ID)
		}
		return -2
	}
	if m, a, ok := strings.Cut(app, "."); ok {
		if _, whole := reg.ByName(app); !whole {
			f.AppPair, f.AppMaster, f.App = true, id(m), id(a)
			return
		}
	}
	f.App = id(app)
	if f.App == -2 {
		f.AppPair, f.AppMaster = true, -2 // unknown name matches nothing
	}
}

func (b *binder) categoryID(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	s = strings.TrimPrefix(s, "cat_")
	for _, c := range b.app.Registry.Categories() {
		if strings.EqualFold(c.Name, s) {
			return int(c.ID)
		}
	}
	return -2
}

func (b *binder) flowLess(col string) func(a, b *probe.FlowSummary) bool {
	reg := b.app.Registry
	num := func(f func(s *probe.FlowSummary) float64) func(a, b *probe.FlowSummary) bool {
		return func(a, b *probe.FlowSummary) bool {
			x, y := f(a), f(b)
			if x != y {
				return x < y
			}
			return a.Serial < b.Serial
		}
	}
	switch col {
	case "column_client":
		return func(a, b *probe.FlowSummary) bool {
			if c := a.CliIP.Compare(b.CliIP); c != 0 {
				return c < 0
			}
			return a.CliPort < b.CliPort
		}
	case "column_server":
		return func(a, b *probe.FlowSummary) bool {
			if c := a.SrvIP.Compare(b.SrvIP); c != 0 {
				return c < 0
			}
			return a.SrvPort < b.SrvPort
		}
	case "column_vlan":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.VLAN) })
	case "column_proto_l4":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.L4Proto) })
	case "column_ndpi":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.Result.App) })
	case "column_protocol":
		return func(a, b *probe.FlowSummary) bool {
			x := strings.ToLower(reg.Name(a.Result) + probe.L4Name(a.L4Proto))
			y := strings.ToLower(reg.Name(b.Result) + probe.L4Name(b.L4Proto))
			if x != y {
				return x < y
			}
			return a.Serial < b.Serial
		}
	case "column_duration":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.LastSeen - s.FirstSeen) })
	case "column_score", "column_score_as_client", "column_score_as_server":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.Score) })
	case "column_thpt":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.ThptBps) })
	case "column_last_seen":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.LastSeen) })
	case "column_first_seen":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.FirstSeen) })
	case "column_client_rtt":
		return num(func(s *probe.FlowSummary) float64 { return s.NwLatencyCli })
	case "column_server_rtt":
		return num(func(s *probe.FlowSummary) float64 { return s.NwLatencySrv })
	case "column_info":
		return func(a, b *probe.FlowSummary) bool {
			if a.ServerName != b.ServerName {
				return a.ServerName < b.ServerName
			}
			return a.Serial < b.Serial
		}
	case "column_key":
		return num(func(s *probe.FlowSummary) float64 { return float64(s.Serial) })
	}
	return num(func(s *probe.FlowSummary) float64 { return float64(s.Bytes()) })
}

// fingerprintTable is REF-v1's per-host fingerprint table:
// {"<hash>": {app_name, is_malicious, num_uses}}, empty (`[]`) when none.
func fingerprintTable(L *glua.LState, m map[string]uint32) *glua.LTable {
	t := L.CreateTable(0, len(m))
	for fp, n := range m {
		e := L.CreateTable(0, 3)
		setStr(e, "app_name", "")
		e.RawSetString("is_malicious", glua.LFalse)
		setNum(e, "num_uses", float64(n))
		t.RawSetString(fp, e)
	}
	return t
}

// flowRiskFields sets "flow_risk": the flow's risks as an array of
// {id, name, score, client_score, server_score}, in id order (a table
// rather than nDPI's 64-bit bitmap, which a Lua number cannot hold
// exactly).
func (b *binder) flowRiskFields(L *glua.LState, t *glua.LTable, f *probe.FlowSummary) {
	if f.Risks == 0 {
		return
	}
	rt := L.NewTable()
	f.Risks.Each(func(ri *dpi.RiskInfo) {
		r := L.CreateTable(0, 5)
		setNum(r, "id", float64(ri.ID))
		setStr(r, "name", ri.Name)
		s := ri.Score()
		c := s * ri.ClientPct / 100
		setNum(r, "score", float64(s))
		setNum(r, "client_score", float64(c))
		setNum(r, "server_score", float64(s-c))
		rt.Append(r)
	})
	t.RawSetString("flow_risk", rt)
}

// flowInfoFields sets the protocol metadata with ntopng's flow keys
// ("protos.http.last_url", "protos.tls.ja4.client_hash", ...); empty
// values are left out.
func flowInfoFields(t *glua.LTable, in *dpi.Info) {
	if in == nil {
		return
	}
	opt := func(k, v string) {
		if v != "" {
			setStr(t, k, v)
		}
	}
	opt("protos.http.last_url", in.HTTP.URL)
	opt("protos.http.last_content_type", in.HTTP.ContentType)
	opt("protos.http.last_server", in.HTTP.Server)
	tl := &in.TLS
	if tl.Version != 0 {
		setNum(t, "protos.tls_version", float64(tl.Version))
	}
	opt("protos.tls.ja3.client_hash", tl.JA3Client)
	opt("protos.tls.ja3.server_hash", tl.JA3Server)
	opt("protos.tls.ja4.client_hash", tl.JA4Client)
	opt("protos.tls.client_alpn", strings.Join(tl.ALPN, ","))
	opt("protos.tls.negotiated_alpn", tl.NegotiatedALPN)
	opt("protos.tls.issuerDN", tl.Issuer)
	opt("protos.tls.subjectDN", tl.Subject)
	opt("protos.tls.server_names", strings.Join(tl.AltNames, ","))
	if tl.NotBefore != 0 || tl.NotAfter != 0 {
		setNum(t, "protos.tls.notBefore", float64(tl.NotBefore))
		setNum(t, "protos.tls.notAfter", float64(tl.NotAfter))
	}
	opt("protos.ssh.client_signature", in.SSH.ClientBanner)
	opt("protos.ssh.server_signature", in.SSH.ServerBanner)
	opt("protos.ssh.hassh.client_hash", in.SSH.HASSHClient)
	opt("protos.ssh.hassh.server_hash", in.SSH.HASSHServer)
}

func (b *binder) flowTable(L *glua.LState, ifc *probe.Interface, f *probe.FlowSummary) *glua.LTable {
	reg := b.app.Registry
	t := L.CreateTable(0, 32)
	setStr(t, "key", strconv.FormatUint(uint64(f.KeyHash), 10))
	setStr(t, "hash_id", strconv.FormatUint(uint64(f.Serial), 10))
	setNum(t, "first_seen", float64(f.FirstSeen))
	setNum(t, "last_seen", float64(f.LastSeen))
	setNum(t, "vlan", float64(f.VLAN))
	setStr(t, "cli.ip", f.CliIP.String())
	setNum(t, "cli.port", float64(f.CliPort))
	setStr(t, "srv.ip", f.SrvIP.String())
	setNum(t, "srv.port", float64(f.SrvPort))
	setStr(t, "proto.l4", probe.L4Name(f.L4Proto))
	setNum(t, "proto.l4_id", float64(f.L4Proto))
	setStr(t, "proto.ndpi", reg.Name(f.Result))
	setNum(t, "proto.master_id", float64(f.Result.Master))
	setNum(t, "proto.app_id", float64(f.Result.App))
	setU(t, "bytes", f.Bytes())
	setU(t, "packets", f.C2S.Packets+f.S2C.Packets)
	setU(t, "cli2srv.bytes", f.C2S.Bytes)
	setU(t, "srv2cli.bytes", f.S2C.Bytes)
	setU(t, "cli2srv.packets", f.C2S.Packets)
	setU(t, "srv2cli.packets", f.S2C.Packets)
	setNum(t, "throughput_bps", float64(f.ThptBps))
	setNum(t, "throughput_pps", float64(f.ThptPps))
	setNum(t, "score", float64(f.Score))
	setNum(t, "proto.confidence", float64(f.Result.Confidence))
	b.flowRiskFields(L, t, f)
	flowInfoFields(t, f.Info)
	if f.HTTPMethod != "" {
		setStr(t, "protos.http.last_method", f.HTTPMethod)
	}
	if f.HTTPStatus != 0 {
		setNum(t, "protos.http.last_return_code", float64(f.HTTPStatus))
	}
	if f.HTTPUserAgent != "" {
		setStr(t, "protos.http.last_user_agent", f.HTTPUserAgent)
	}
	m := f.Result.Master
	isDNSorDHCP := m == dpi.ProtoDNS || m == dpi.ProtoDHCP || f.Result.App == dpi.ProtoDNS || f.Result.App == dpi.ProtoDHCP
	if f.ServerName != "" && !isDNSorDHCP {
		setStr(t, "server_name", f.ServerName)
	}
	setNum(t, "tcp.nw_latency.client", f.NwLatencyCli)
	setNum(t, "tcp.nw_latency.server", f.NwLatencySrv)
	setNum(t, "tcp.appl_latency", f.ApplLatency)
	setNum(t, "cli2srv.retransmissions", float64(f.C2S.Retransmission))
	setNum(t, "srv2cli.retransmissions", float64(f.S2C.Retransmission))
	setNum(t, "cli2srv.out_of_order", float64(f.C2S.OutOfOrder))
	setNum(t, "srv2cli.out_of_order", float64(f.S2C.OutOfOrder))
	setNum(t, "cli2srv.lost", float64(f.C2S.Lost))
	setNum(t, "srv2cli.lost", float64(f.S2C.Lost))
	if cli, ok := ifc.HostSummaryOf(f.Cli); ok {
		ct := b.hostSummaryTable(L, &cli)
		t.RawSetString("cli.host", ct)
	}
	if srv, ok := ifc.HostSummaryOf(f.Srv); ok {
		t.RawSetString("srv.host", b.hostSummaryTable(L, &srv))
	}
	return t
}

// sortPrefix orders hosts so that hosts[:k] are the k smallest by less, in
// order; the rest stay unordered. A page near the start of a large table
// then costs O(n log k) instead of a full sort.
func sortPrefix(hosts []probe.HostSummary, k int, less func(a, b *probe.HostSummary) bool) {
	if k <= 0 {
		return
	}
	if k > len(hosts)/8 {
		sort.Slice(hosts, func(i, j int) bool { return less(&hosts[i], &hosts[j]) })
		return
	}
	// hosts[:k] is kept as a max-heap by less: its root is the largest of
	// the k smallest seen so far.
	h := hosts[:k]
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= k {
				return
			}
			m := l
			if r := l + 1; r < k && less(&h[l], &h[r]) {
				m = r
			}
			if !less(&h[i], &h[m]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for i := k; i < len(hosts); i++ {
		if less(&hosts[i], &h[0]) {
			h[0], hosts[i] = hosts[i], h[0]
			down(0)
		}
	}
	sort.Slice(h, func(i, j int) bool { return less(&h[i], &h[j]) })
}

// hostBufs recycles the summary slices of host lists: with 100k hosts a
// list is megabytes, and allocating it per request makes the collector
// the main cost of the endpoint.
var hostBufs = sync.Pool{New: func() any { return new([]probe.HostSummary) }}
