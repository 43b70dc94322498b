package probe

import (
	"time"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

// housekeeping runs on the reference clock: flow visits (host deltas,
// throughput), interface and host throughput, and purging of idle entries
// for live inputs. final marks the passes run after a file input ended.
func (ifc *Interface) housekeeping(now int64, final bool) {
	ifc.nextTickUs = now + 1e6
	ifc.flushCounters()
	ifc.visitFlows(now, final)
	if !final {
		ifc.queueMinute(now, false)
	}
	if final || now-ifc.lastThptUs >= housekeepingPeriod*1e6 {
		ifc.updateThroughput(now)
		ifc.walkHosts(now)
	}
	if !ifc.cfg.PacketClock && now >= ifc.nextPurgeUs {
		ifc.nextPurgeUs = now + 1e6
		ifc.purge(now)
	}
}

// visitFlows credits the new traffic of the flows that received packets to
// their hosts and to the interface protocol counters (spec A.1: hosts are
// fed from flows), at most every 3 s per flow unless final.
func (ifc *Interface) visitFlows(now int64, final bool) {
	keep := ifc.pendingFlows[:0]
	for _, f := range ifc.pendingFlows {
		if f.gone {
			continue
		}
		if !final && f.visited && now-f.lastVisitUs < flowVisitPeriodUs {
			keep = append(keep, f)
			continue
		}
		sh := &ifc.flows[f.key.shard()]
		sh.mu.Lock()
		ifc.visitFlow(f, now, final)
		ifc.queueCheck(f, now, final)
		sh.mu.Unlock()
		f.queued = false
	}
	ifc.deliverChecks()
	for i := len(keep); i < len(ifc.pendingFlows); i++ {
		ifc.pendingFlows[i] = nil // let purged flows be collected
	}
	ifc.pendingFlows = keep
}

func (ifc *Interface) visitFlow(f *Flow, now int64, final bool) {
	f.visited = true
	dc := [2]*DirCounters{&f.C2S, &f.S2C}
	var delta [2]struct{ pkts, bytes uint64 }
	for i := range dc {
		delta[i].pkts = dc[i].Packets - f.credited[i].pkts
		delta[i].bytes = dc[i].Bytes - f.credited[i].bytes
		f.credited[i].pkts = dc[i].Packets
		f.credited[i].bytes = dc[i].Bytes
	}
	// Flow throughput: only recomputed when bytes changed (spec A.6).
	total := f.Bytes()
	if total != f.thptBytes || f.thptTimeUs == 0 {
		dt := (now - f.thptTimeUs) / 1000
		if f.thptTimeUs == 0 {
			dt = (now - f.FirstSeenUs) / 1000
		}
		if dt < 1000 {
			dt = 1000
		}
		f.ThptBps = float32(float64(total-f.thptBytes) * 1000 / float64(dt))
		f.ThptPps = float32(float64(f.Packets()-f.thptPkts) * 1000 / float64(dt))
		f.thptBytes, f.thptPkts, f.thptTimeUs = total, f.Packets(), now
	}
	f.lastVisitUs = now
	ifc.creditScore(f)
	if delta[0].pkts == 0 && delta[1].pkts == 0 {
		return
	}
	nowS := now / 1e6
	if final {
		// After the end of a file the reference credits the last deltas
		// with the wall clock (spec A.7).
		nowS = time.Now().Unix()
	}
	res := f.DPI.Result
	stats := dpi.StatsProto(res)
	cat := ifc.cfg.Registry.CategoryOf(res)
	var c2s, s2c TrafficCounter
	c2s.BytesSent, c2s.PacketsSent = delta[0].bytes, delta[0].pkts
	c2s.BytesRcvd, c2s.PacketsRcvd = delta[1].bytes, delta[1].pkts
	s2c.BytesSent, s2c.PacketsSent = delta[1].bytes, delta[1].pkts
	s2c.BytesRcvd, s2c.PacketsRcvd = delta[0].bytes, delta[0].pkts
	ifc.creditHost(f, f.Cli, c2s, &f.pend[0], &f.pend[1], stats, cat, dscpClass(f.C2S.TOS>>2), nowS, true)
	ifc.creditHost(f, f.Srv, s2c, &f.pend[1], &f.pend[0], stats, cat, dscpClass(f.S2C.TOS>>2), nowS, false)
	f.pend = [2]pendingPackets{}

	ifc.statsMu.Lock()
	ac := counterIn(ifc.counters.NDPI, stats)
	ac.add(c2s)
	ac.touch(nowS)
	cc := counterIn(ifc.counters.Categories, cat)
	cc.add(c2s)
	cc.touch(nowS)
	counterIn(ifc.counters.DSCP, dscpClass(f.C2S.TOS>>2)).add(c2s)
	ifc.statsMu.Unlock()
}

// creditScore brings the hosts' scores up to date with the flow's risks
// (and, once the flow is classified, counts the client's fingerprints):
// the client and server shares of the flow score (nDPI's split) are added
// to the hosts, minus what an earlier visit already added.
func (ifc *Interface) creditScore(f *Flow) {
	f.updateFlowRisks()
	if !f.fpCredited && f.DPI.Done && f.DPI.Info != nil {
		f.fpCredited = true
		ja3, hassh := f.DPI.Info.TLS.JA3Client, f.DPI.Info.SSH.HASSHClient
		if ja3 != "" || hassh != "" {
			hs := &ifc.hosts[f.Cli.Key.shard()]
			hs.mu.Lock()
			countFingerprint(&f.Cli.JA3, ja3)
			countFingerprint(&f.Cli.HASSH, hassh)
			hs.mu.Unlock()
		}
	}
	_, cli, srv := ifc.flowScore(f)
	dc, ds := int32(cli)-f.scoreCredited[0], int32(srv)-f.scoreCredited[1]
	if dc == 0 && ds == 0 {
		return
	}
	f.scoreCredited = [2]int32{int32(cli), int32(srv)}
	ifc.addScore(f.Cli, dc, true)
	ifc.addScore(f.Srv, ds, false)
}

// addScore adds d to a host's client or server score.
func (ifc *Interface) addScore(h *Host, d int32, asCli bool) {
	if d == 0 {
		return
	}
	hs := &ifc.hosts[h.Key.shard()]
	hs.mu.Lock()
	if asCli {
		h.ScoreAsCli += d
	} else {
		h.ScoreAsSrv += d
	}
	hs.mu.Unlock()
}

func (ifc *Interface) creditHost(f *Flow, h *Host, d TrafficCounter, sent, rcvd *pendingPackets, stats dpi.ProtoID, cat dpi.CategoryID, dscp string, nowS int64, isCli bool) {
	hs := &ifc.hosts[h.Key.shard()]
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if m := ifc.clockUs.Load() / 60e6; m != h.talkerMinute {
		h.talkerMinute, h.talkerBase = m, h.Traffic.BytesSent+h.Traffic.BytesRcvd
	}
	h.Traffic.add(d)
	sent.creditTo(&h.PktSent)
	rcvd.creditTo(&h.PktRcvd)
	if sent.hasMAC && h.MAC != sent.srcMAC {
		h.MAC = sent.srcMAC
		ifc.assignPool(h) // MAC members follow the MAC
	}
	switch f.L4Proto {
	case 6:
		h.TCP.add(d)
	case 17:
		h.UDP.add(d)
		peer := f.SrvIP
		if !isCli {
			peer = f.CliIP
		}
		if !peer.IsMulticast() && !peer.IsUnspecified() && peer != broadcastV4 {
			h.UDPSentUnicast += d.BytesSent
		} else {
			h.UDPSentNonUnicast += d.BytesSent
		}
	case 1:
		h.ICMP.add(d)
	default:
		h.OtherIP.add(d)
	}
	if h.NDPI == nil {
		h.NDPI = make(map[dpi.ProtoID]*ActivityCounter, 1)
		h.Categories = make(map[dpi.CategoryID]*ActivityCounter, 1)
		h.DSCP = make(map[string]*TrafficCounter, 1)
	}
	ac := counterIn(h.NDPI, stats)
	ac.add(d)
	ac.touch(nowS)
	cc := counterIn(h.Categories, cat)
	cc.add(d)
	cc.touch(nowS)
	counterIn(h.DSCP, dscp).add(d)
	if h.lastActivityIncr == 0 || nowS >= h.lastActivityIncr+housekeepingPeriod {
		h.TotalActivityTime += housekeepingPeriod
		h.lastActivityIncr = nowS
	}
	if nowS > h.LastSeen {
		h.LastSeen = nowS
	}
	if !h.hot {
		h.hot = true
		ifc.hotHosts = append(ifc.hotHosts, h)
	}
}

// updateThroughput recomputes the interface rates (spec A.6).
func (ifc *Interface) updateThroughput(now int64) {
	ifc.statsMu.Lock()
	c := &ifc.counters
	if ifc.lastThptUs != 0 {
		dtMs := float64(now-ifc.lastThptUs) / 1000
		c.ThroughputBps = float32(float64(c.Bytes-ifc.lastThptBytes) * 1000 / (1 + dtMs))
		c.ThroughputPps = float32(float64(c.Packets-ifc.lastThptPkts) * 1000 / (1 + dtMs))
		c.DownBps, c.DownPps = c.ThroughputBps, c.ThroughputPps
	}
	ifc.lastThptUs, ifc.lastThptBytes, ifc.lastThptPkts = now, c.Bytes, c.Packets
	ifc.statsMu.Unlock()
}

// walkHosts updates the throughput of the hosts whose traffic changed (or
// whose rate must decay to 0) and latches their contact estimators.
func (ifc *Interface) walkHosts(now int64) {
	nowMs := now / 1000
	keep := ifc.hotHosts[:0]
	for _, h := range ifc.hotHosts {
		if h.gone {
			continue
		}
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		b := h.Traffic.BytesSent + h.Traffic.BytesRcvd
		p := h.Traffic.PacketsSent + h.Traffic.PacketsRcvd
		if h.thptVisits > 0 {
			dt := float64(nowMs - h.lastThptTime)
			bps := float32(float64(b-h.lastThptBytes) * 1000 / (1 + dt))
			pps := float32(float64(p-h.lastThptPkts) * 1000 / (1 + dt))
			h.TrendBps = trend(h.ThroughputBps, bps)
			h.TrendPps = trend(h.ThroughputPps, pps)
			h.ThroughputBps, h.ThroughputPps = bps, pps
		}
		if h.thptVisits < 2 {
			h.thptVisits++
		}
		h.lastThptTime, h.lastThptBytes, h.lastThptPkts = nowMs, b, p
		if l := h.LocalData; l != nil && (l.lastLatch == 0 || now/1e6 >= l.lastLatch+300) {
			l.ContactsAsClient = l.contactsCli.count()
			l.ContactsAsServer = l.contactsSrv.count()
			l.contactsCli.reset()
			l.contactsSrv.reset()
			l.lastLatch = now / 1e6
		}
		stillHot := h.ThroughputBps != 0 || h.thptVisits < 2
		hs.mu.Unlock()
		if stillHot {
			keep = append(keep, h)
		} else {
			h.hot = false
		}
	}
	for i := len(keep); i < len(ifc.hotHosts); i++ {
		ifc.hotHosts[i] = nil
	}
	ifc.hotHosts = keep
}

func trend(prev, cur float32) uint8 {
	switch {
	case cur > prev:
		return 1
	case cur < prev:
		return 2
	}
	return 3
}

// purge removes idle flows, then idle hosts without flows, then idle MACs
// (live inputs only; spec A.8).
func (ifc *Interface) purge(now int64) {
	nowS := now / 1e6
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		var dead []*Flow
		sh.mu.Lock()
		for k, f := range sh.m {
			timeout := int64(flowIdle)
			if f.L4Proto == 6 && ((f.C2S.TCPFlags|f.S2C.TCPFlags)&0x05 != 0) {
				timeout = tcpClosedIdle
			}
			if nowS > f.LastSeen()+timeout {
				if !f.DPI.Done {
					ifc.engine.Finalize(&f.DPI, f.L4Proto, f.CliPort, f.SrvPort)
				}
				ifc.visitFlow(f, now, false)
				if ifc.checkSink != nil {
					ifc.queueEvent(f, HookFlowEnd, now)
				}
				delete(sh.m, k)
				f.gone = true
				dead = append(dead, f)
			}
		}
		sh.mu.Unlock()
		ifc.deliverChecks()
		for _, f := range dead {
			ifc.numFlows.Add(-1)
			ifc.attachFlow(f, f.Cli, f.Srv, false)
			if f.alerted {
				ifc.alertedFlows.Add(-1)
				ifc.endAlertedFlow(f)
			}
			// A purged flow no longer counts in its hosts' scores.
			ifc.addScore(f.Cli, -f.scoreCredited[0], true)
			ifc.addScore(f.Srv, -f.scoreCredited[1], false)
		}
	}
	for i := range ifc.hosts {
		hs := &ifc.hosts[i]
		hs.mu.Lock()
		for k, h := range hs.m {
			timeout := int64(remoteHostIdle)
			if h.Local {
				timeout = localHostIdle
			}
			if h.ActiveFlowsAsCli == 0 && h.ActiveFlowsAsSrv == 0 && nowS > h.LastSeen+timeout {
				h.gone = true
				delete(hs.m, k)
				ifc.numHosts.Add(-1)
			}
		}
		hs.mu.Unlock()
	}
	ifc.macMu.Lock()
	for m, e := range ifc.macs {
		if nowS > e.lastSeen+macIdle {
			delete(ifc.macs, m)
		}
	}
	ifc.macMu.Unlock()
}

// Tick runs housekeeping with the current wall clock; live captures call it
// when no packet arrived for a while so timings keep moving.
func (ifc *Interface) Tick() {
	now := time.Now().UnixMicro()
	if now > ifc.clockUs.Load() {
		ifc.clockUs.Store(now)
	}
	ifc.housekeeping(ifc.clockUs.Load(), false)
}

// EndOfInput finalises a file input (spec A.8): every flow's detection is
// completed, and two full housekeeping passes flush the last deltas with the
// wall clock. Nothing is purged afterwards.
func (ifc *Interface) EndOfInput() {
	for i := range ifc.flows {
		sh := &ifc.flows[i]
		sh.mu.Lock()
		for _, f := range sh.m {
			if !f.DPI.Done {
				ifc.engine.Finalize(&f.DPI, f.L4Proto, f.CliPort, f.SrvPort)
			}
		}
		sh.mu.Unlock()
	}
	ifc.done.Store(true)
	wall := time.Now().UnixMicro()
	ifc.housekeeping(wall, true)
	ifc.housekeeping(wall, true)
	ifc.finalChecks(wall)
}
