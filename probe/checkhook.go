package probe

import (
	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// FlowHook is the moment of a flow's life a flow event reports (the hooks
// of ntopng's flow checks).
type FlowHook uint8

// Flow hooks.
const (
	// HookProtocolDetected: the classification is final (once per flow).
	HookProtocolDetected FlowHook = iota + 1
	// HookPeriodicUpdate: the flow received traffic since its last event;
	// sent at most every periodicCheckUs of the reference clock, and once
	// more for every changed flow when a file input ends.
	HookPeriodicUpdate
	// HookFlowEnd: the flow is purged (live inputs).
	HookFlowEnd
	// HookMinute is not a flow event: the reference clock entered a new
	// minute (Now), the time of host and interface checks. Flow is nil.
	HookMinute
)

// String is the hook name user checks declare.
func (h FlowHook) String() string {
	switch h {
	case HookProtocolDetected:
		return "protocolDetected"
	case HookPeriodicUpdate:
		return "periodicUpdate"
	case HookFlowEnd:
		return "flowEnd"
	case HookMinute:
		return "min"
	}
	return "unknown"
}

// periodicCheckUs is the reference-clock period of periodic flow events.
const periodicCheckUs = 60e6

// FlowEvent is one flow handed to the check engine: a copy of the flow
// (View) and a handle (Flow) for SetFlowAlerts. The engine must not read
// the handle's fields: they belong to the capture goroutine.
type FlowEvent struct {
	Hook FlowHook
	Flow *Flow
	View alerts.FlowView
	// Now is the reference clock (unix microseconds) of the event.
	Now int64
}

// CheckSink receives flow events. The capture goroutine calls it with no
// lock held, in batches; the slice is reused once the call returns. A file
// input may be slowed down by a sink that blocks (its results then do not
// depend on timing); a live input must not be, so a sink should drop and
// count what it cannot queue.
type CheckSink interface {
	FlowEvents(evs []FlowEvent)
}

// SetCheckSink installs the check engine's sink. Call it before Capture.
func (ifc *Interface) SetCheckSink(s CheckSink) { ifc.checkSink = s }

// SetScoredRisks sets the flow risks that count in flow and host scores:
// the engine clears the risks whose check is disabled.
func (ifc *Interface) SetScoredRisks(r dpi.Risks) { ifc.scoredRisks.Store(uint64(r)) }

func (ifc *Interface) scored() dpi.Risks { return dpi.Risks(ifc.scoredRisks.Load()) }

// queueCheck queues the flow event a visit calls for, if any. The flow's
// shard lock is held.
func (ifc *Interface) queueCheck(f *Flow, now int64, final bool) {
	if ifc.checkSink == nil {
		return
	}
	var hook FlowHook
	switch {
	case !f.detectedSent && f.DPI.Done:
		hook = HookProtocolDetected
		f.detectedSent = true
	case f.detectedSent && f.Packets() != f.checkedPkts && (final || now-f.lastCheckUs >= periodicCheckUs):
		hook = HookPeriodicUpdate
	default:
		return
	}
	ifc.queueEvent(f, hook, now)
}

func (ifc *Interface) queueEvent(f *Flow, hook FlowHook, now int64) {
	f.lastCheckUs, f.checkedPkts = now, f.Packets()
	ifc.checkEvents = append(ifc.checkEvents, FlowEvent{Hook: hook, Flow: f, Now: now})
	ifc.fillView(&ifc.checkEvents[len(ifc.checkEvents)-1].View, f)
}

// deliverChecks hands the queued events to the sink (no lock held).
func (ifc *Interface) deliverChecks() {
	if len(ifc.checkEvents) == 0 {
		return
	}
	ifc.checkSink.FlowEvents(ifc.checkEvents)
	clear(ifc.checkEvents) // drop the flow handles
	ifc.checkEvents = ifc.checkEvents[:0]
}

// queueMinute queues a HookMinute event when the reference clock entered a
// new minute since the previous one (and always when final).
func (ifc *Interface) queueMinute(now int64, final bool) {
	if ifc.checkSink == nil {
		return
	}
	m := now / 60e6
	if m == ifc.checkMinute && !final {
		return
	}
	ifc.checkMinute = m
	ifc.checkEvents = append(ifc.checkEvents, FlowEvent{Hook: HookMinute, Now: now})
	ifc.deliverChecks()
}

// finalChecks sends, once a file input ended, the last event of every flow
// that changed since its previous one, so checks see every flow's final
// state while the flows stay in memory.
func (ifc *Interface) finalChecks(now int64) {
	if ifc.checkSink == nil {
		return
	}
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		sh.mu.Lock()
		for _, f := range sh.m {
			switch {
			case !f.detectedSent:
				f.detectedSent = true
				ifc.queueEvent(f, HookProtocolDetected, now)
			case f.Packets() != f.checkedPkts:
				ifc.queueEvent(f, HookPeriodicUpdate, now)
			}
		}
		sh.mu.Unlock()
		ifc.deliverChecks()
	}
	ifc.queueMinute(now, true)
}

// fillView copies what checks read of f. Runs on the capture goroutine,
// which owns the flow and its hosts, under the flow's shard lock.
func (ifc *Interface) fillView(v *alerts.FlowView, f *Flow) {
	res := f.DPI.Result
	reg := ifc.cfg.Registry
	*v = alerts.FlowView{
		IfID: ifc.cfg.ID, Key: f.KeyHash, HashID: f.Serial,
		CliIP: f.CliIP, SrvIP: f.SrvIP, CliPort: f.CliPort, SrvPort: f.SrvPort,
		VLAN: f.VLAN, L4Proto: f.L4Proto,
		Cli: ifc.peer(f.Cli), Srv: ifc.peer(f.Srv), DstBroadcastMAC: f.dstBroadcastMAC,
		C2S: direction(&f.C2S), S2C: direction(&f.S2C),
		FirstSeen: f.FirstSeen(), LastSeen: f.LastSeen(),
		Master: res.Master, App: res.App, ProtoName: reg.Name(res),
		Category: reg.CategoryOf(res), Confidence: ConfidenceName(res.Confidence),
		DetectionDone: f.DPI.Done, Risks: f.Risks(),
		ServerName: f.DPI.ServerName, DNSQueryType: f.DPI.DNSQueryType,
		HTTPMethod: f.DPI.HTTPMethod, HTTPStatus: f.DPI.HTTPStatus, HTTPUserAgent: f.DPI.HTTPUserAgent,
		Info:              f.DPI.Info.Clone(),
		ThreeWayHandshake: f.synUs != 0 && f.synAckUs != 0 && f.ackUs != 0,
	}
	v.CategoryName = reg.CategoryName(v.Category)
}

func (ifc *Interface) peer(h *Host) alerts.Peer {
	p := alerts.Peer{Local: h.Local, Multicast: h.Multicast, Broadcast: h.Broadcast,
		Network: -1, Pool: h.PoolID(), Name: h.Name(ifc.cfg.Names)}
	if h.Local {
		p.Network = h.NetworkID
	}
	if h.Geo != nil {
		p.Country = h.Geo.Country
	}
	return p
}

func direction(d *DirCounters) alerts.Direction {
	return alerts.Direction{Packets: d.Packets, Bytes: d.Bytes, Goodput: d.Goodput, TCPFlags: d.TCPFlags,
		Retransmissions: d.Retransmission, OutOfOrder: d.OutOfOrder, Lost: d.Lost}
}

// ConfidenceName is nDPI's name of a classification confidence.
func ConfidenceName(c dpi.Confidence) string {
	switch c {
	case dpi.ConfidenceMatchByPort:
		return "Match by port"
	case dpi.ConfidenceMatchByIP:
		return "Match by IP"
	case dpi.ConfidenceDPI, dpi.ConfidenceCustomRule:
		return "DPI"
	case dpi.ConfidenceGuessed:
		return "Guessed"
	case dpi.ConfidenceDNS:
		return "DPI (cache)"
	}
	return "Unknown"
}

// SetFlowAlerts records that checks raised alerts on the flow of a flow
// event: the flow becomes alerted and cliScore/srvScore are the client and
// server shares of the scores of its alerts that do not come from nDPI
// risks (risk scores are counted from the flow's risks). The hosts' scores
// are updated at once. A purged flow is left alone.
func (ifc *Interface) SetFlowAlerts(f *Flow, cliScore, srvScore int32) {
	sh := &ifc.flows[f.key.shard()]
	sh.mu.Lock()
	if f.gone {
		sh.mu.Unlock()
		return
	}
	newly := !f.alerted
	f.alerted = true
	f.alertScore = [2]int32{cliScore, srvScore}
	// Flow lock, then host locks: the nesting order of the writer.
	ifc.creditScore(f)
	cli, srv := f.Cli, f.Srv
	sh.mu.Unlock()
	if !newly {
		return
	}
	ifc.alertedFlows.Add(1)
	for i, h := range [2]*Host{cli, srv} {
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		if i == 0 {
			h.AlertedFlowsAsCli++
		} else {
			h.AlertedFlowsAsSrv++
		}
		h.ActiveAlertedFlows++
		hs.mu.Unlock()
	}
}

// AlertedFlows is the number of active flows with at least one alert.
func (ifc *Interface) AlertedFlows() int { return int(ifc.alertedFlows.Load()) }

// flowScore is the flow's score and its client and server shares: the
// scores of its counted risks plus those of its other alerts.
func (ifc *Interface) flowScore(f *Flow) (total, cli, srv int) {
	_, cli, srv = (f.Risks() & ifc.scored()).Score()
	cli += int(f.alertScore[0])
	srv += int(f.alertScore[1])
	return cli + srv, cli, srv
}

// endAlertedFlow takes a purged alerted flow out of its hosts' active
// alerted flows.
func (ifc *Interface) endAlertedFlow(f *Flow) {
	for _, h := range [2]*Host{f.Cli, f.Srv} {
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		if h.ActiveAlertedFlows > 0 {
			h.ActiveAlertedFlows--
		}
		hs.mu.Unlock()
	}
}

// HostSample is what host checks read of a host, copied under its lock.
// The counters are totals since the host appeared; checks work on the
// differences between two samples.
type HostSample struct {
	View alerts.HostView
	// TCP flag counters of the packets the host sent and received.
	Sent, Rcvd TCPFlagCounters
	// ICMP packets sent and received.
	ICMPSent, ICMPRcvd uint64
	// Flows opened as client and received as server (totals), and the
	// flow-flood hits (largest sustained new flows per second).
	FlowsAsCli, FlowsAsSrv     uint32
	FloodAttacker, FloodVictim uint16
	// Services is host_services_bitmap (1<<Service*).
	Services uint8
	// FirstSeen is when the host appeared (unix seconds, reference clock).
	FirstSeen int64
	// Detailed is set when the sample was taken with details (View.L7
	// is then complete, empty for a host without classified traffic).
	Detailed bool
}

// SampleHosts calls fn for a copy of every host of the interface (no lock
// is held during fn). Only with details does the copy hold the host's
// name, MAC and per-application counters, which cost lookups and
// allocations per host (HostDetails gives them for one host).
func (ifc *Interface) SampleHosts(details bool, fn func(*HostSample)) {
	var buf []HostSample
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		buf = buf[:0]
		hs.mu.Lock()
		for _, h := range hs.m {
			buf = append(buf, ifc.sampleHost(h, details))
		}
		hs.mu.Unlock()
		for j := range buf {
			fn(&buf[j])
		}
	}
}

func (ifc *Interface) sampleHost(h *Host, details bool) HostSample {
	v := alerts.HostView{
		IfID: ifc.cfg.ID, IP: h.Key.IP, VLAN: h.Key.VLAN,
		Local: h.Local, Multicast: h.Multicast, Broadcast: h.Broadcast,
		Network: -1, Pool: h.PoolID(),
		BytesSent: h.Traffic.BytesSent, BytesRcvd: h.Traffic.BytesRcvd,
		PacketsSent: h.Traffic.PacketsSent, PacketsRcvd: h.Traffic.PacketsRcvd,
		ScoreAsCli: int(h.ScoreAsCli), ScoreAsSrv: int(h.ScoreAsSrv),
		ActiveFlowsAsCli: h.ActiveFlowsAsCli, ActiveFlowsAsSrv: h.ActiveFlowsAsSrv,
	}
	if h.Local {
		v.Network = h.NetworkID
	}
	if h.Geo != nil {
		v.Country = h.Geo.Country
	}
	if details {
		ifc.hostDetails(h, &v)
	}
	return HostSample{View: v, Sent: h.PktSent.TCPFlags, Rcvd: h.PktRcvd.TCPFlags,
		ICMPSent: h.ICMP.PacketsSent, ICMPRcvd: h.ICMP.PacketsRcvd,
		FlowsAsCli: h.FlowsAsCli, FlowsAsSrv: h.FlowsAsSrv,
		FloodAttacker: h.FloodAttacker.Hits(), FloodVictim: h.FloodVictim.Hits(),
		Services: h.Services, FirstSeen: h.FirstSeen, Detailed: details}
}

// HostDetails fills the name, MAC and per-application counters of v from
// its host, if still in the table.
func (ifc *Interface) HostDetails(v *alerts.HostView) {
	k := HostKey{IP: v.IP.Unmap(), VLAN: v.VLAN}
	hs := &ifc.hosts[k.shard()]
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if h := hs.m[k]; h != nil {
		ifc.hostDetails(h, v)
	}
}

func (ifc *Interface) hostDetails(h *Host, v *alerts.HostView) {
	v.MAC, v.Name = FormatMAC(h.MAC), h.Name(ifc.cfg.Names)
	if len(h.NDPI) > 0 {
		reg := ifc.cfg.Registry
		v.L7 = make([]alerts.L7Stat, 0, len(h.NDPI))
		for id, c := range h.NDPI {
			v.L7 = append(v.L7, alerts.L7Stat{Name: reg.Name(dpi.Result{App: id}),
				BytesSent: c.BytesSent, BytesRcvd: c.BytesRcvd, Duration: c.Duration})
		}
	}
}

// InterfaceView is a copy of the interface counters for interface checks.
func (ifc *Interface) InterfaceView() alerts.InterfaceView {
	c := ifc.Counters()
	return alerts.InterfaceView{IfID: ifc.cfg.ID, Name: ifc.cfg.Name, Packets: c.Packets, Bytes: c.Bytes,
		Drops: c.Drops, ThroughputBps: float64(c.ThroughputBps), ThroughputPps: float64(c.ThroughputPps),
		NumFlows: ifc.NumFlows(), NumHosts: ifc.NumHostsTotal()}
}
