package engine

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/probe"
)

type hostKey struct {
	ip   netip.Addr
	vlan uint16
}

func (k hostKey) String() string { return fmt.Sprintf("%s@%d", k.ip.Unmap(), k.vlan) }

// hostState is a host's sample at the previous minute tick.
type hostState struct {
	last      probe.HostSample
	tick      int64 // tick that last saw the host
	dangerous int   // consecutive checks above the dangerous_host threshold
}

// minuteStats is what host checks learn from the flows of one interval.
type minuteStats struct {
	servers    map[string]map[hostKey]map[netip.Addr]bool // "DNS"/"NTP"/"SMTP" → client → servers
	domains    map[hostKey]map[string]bool
	countries  map[hostKey]map[string]bool
	incomplete map[hostKey]int
	remote     map[hostKey]bool
}

func newMinuteStats() *minuteStats {
	return &minuteStats{servers: map[string]map[hostKey]map[netip.Addr]bool{},
		domains: map[hostKey]map[string]bool{}, countries: map[hostKey]map[string]bool{},
		incomplete: map[hostKey]int{}, remote: map[hostKey]bool{}}
}

func addTo[K comparable](m map[hostKey]map[K]bool, h hostKey, v K) {
	s := m[h]
	if s == nil {
		s = map[K]bool{}
		m[h] = s
	}
	s[v] = true
}

// observe collects the contacts of a flow's client once per flow (at
// protocol detection) and its incomplete flows.
func (m *minuteStats) observe(v *alerts.FlowView, hook probe.FlowHook) {
	cli := hostKey{v.CliIP, v.VLAN}
	if hook == probe.HookProtocolDetected {
		for _, p := range [...]string{"DNS", "NTP", "SMTP"} {
			if protoIs(v, p) {
				if m.servers[p] == nil {
					m.servers[p] = map[hostKey]map[netip.Addr]bool{}
				}
				addTo(m.servers[p], cli, v.SrvIP)
			}
		}
		if v.ServerName != "" {
			addTo(m.domains, cli, v.ServerName)
		}
		if v.Srv.Country != "" {
			addTo(m.countries, cli, v.Srv.Country)
		}
		if categoryIs(v, "RemoteAccess") {
			m.remote[cli] = true
		}
	}
	if (hook == probe.HookProtocolDetected || hook == probe.HookFlowEnd) && v.L4Proto == 6 &&
		v.S2C.Packets == 0 && v.C2S.Packets > 0 {
		m.incomplete[cli]++
	}
}

// hostDelta is a host's activity during one interval.
type hostDelta struct {
	seconds                float64
	synSent, synRcvd       float64 // unanswered SYNs (SYN minus SYN+ACK the other way)
	synRateSent, synRateRx float64 // SYNs per second
	finSent, finRcvd       float64
	rstSent, rstRcvd       float64
	icmpSent, icmpRcvd     float64 // per second
	packets                float64 // sent and received, per minute
	// DNS and NTP bytes sent and received per minute (detailed samples
	// only; -1 when the previous sample had no per-application counters).
	dnsBytes, ntpBytes float64
}

func diff(a, b uint64) float64 {
	if a < b {
		return 0
	}
	return float64(a - b)
}

func delta(prev, cur *probe.HostSample, seconds float64) hostDelta {
	perMin := 60 / max(seconds, 60)
	d := hostDelta{seconds: seconds}
	d.synSent = max(0, diff(cur.Sent.SYN, prev.Sent.SYN)-diff(cur.Rcvd.SYNACK, prev.Rcvd.SYNACK)) * perMin
	d.synRcvd = max(0, diff(cur.Rcvd.SYN, prev.Rcvd.SYN)-diff(cur.Sent.SYNACK, prev.Sent.SYNACK)) * perMin
	d.synRateSent = diff(cur.Sent.SYN, prev.Sent.SYN) / seconds
	d.synRateRx = diff(cur.Rcvd.SYN, prev.Rcvd.SYN) / seconds
	d.finSent = diff(cur.Sent.FINACK, prev.Sent.FINACK) * perMin
	d.finRcvd = diff(cur.Rcvd.FINACK, prev.Rcvd.FINACK) * perMin
	d.rstSent = diff(cur.Sent.RST, prev.Sent.RST) * perMin
	d.rstRcvd = diff(cur.Rcvd.RST, prev.Rcvd.RST) * perMin
	d.icmpSent = diff(cur.ICMPSent, prev.ICMPSent) / seconds
	d.icmpRcvd = diff(cur.ICMPRcvd, prev.ICMPRcvd) / seconds
	d.packets = diff(cur.View.PacketsSent+cur.View.PacketsRcvd, prev.View.PacketsSent+prev.View.PacketsRcvd) * perMin
	d.dnsBytes, d.ntpBytes = -1, -1
	if prev.Detailed && cur.Detailed {
		d.dnsBytes = diff(l7Bytes(&cur.View, "DNS"), l7Bytes(&prev.View, "DNS")) * perMin
		d.ntpBytes = diff(l7Bytes(&cur.View, "NTP"), l7Bytes(&prev.View, "NTP")) * perMin
	}
	return d
}

// l7Bytes is the traffic of one application of a host (bytes sent and
// received).
func l7Bytes(v *alerts.HostView, app string) uint64 {
	for _, s := range v.L7 {
		if s.Name == app {
			return s.BytesSent + s.BytesRcvd
		}
	}
	return 0
}

// l7Checks are the host checks that read per-application counters: the
// hosts are sampled with details when one of them is enabled.
var l7Checks = map[string]bool{"dns": true, "ntp": true}

// volumeCheck raises when a per-minute volume crosses the threshold
// (a negative volume is unknown).
func volumeCheck(get func(d *hostDelta) float64, what string) func(*hostInput, *checkConf) []hostFinding {
	return func(in *hostInput, cc *checkConf) []hostFinding {
		v := get(&in.d)
		if v < 0 || !cc.crossed(v) {
			return nil
		}
		return []hostFinding{{attacker: true, value: v, message: fmt.Sprintf("%s: %.0f (threshold %.0f)", what, v, cc.threshold)}}
	}
}

// hostInput is what a host check reads.
type hostInput struct {
	s     *probe.HostSample
	st    *hostState
	d     hostDelta
	key   hostKey
	stats *minuteStats
}

// hostFinding is a host check's verdict on one role of the host.
type hostFinding struct {
	attacker, victim bool
	value            float64
	message          string
	// score overrides the default score of the severity (user scripts
	// give their own).
	score int
}

type hostCheck struct {
	key string
	// stateful: the check reads the host's previous sample (counter
	// deltas) or its own state across ticks.
	stateful bool
	eval     func(in *hostInput, cc *checkConf) []hostFinding
}

// thresholdPair raises as attacker when a crosses and as victim when v
// crosses.
func thresholdPair(cc *checkConf, a, v float64, what string) []hostFinding {
	var out []hostFinding
	if cc.crossed(a) {
		out = append(out, hostFinding{attacker: true, value: a,
			message: fmt.Sprintf("%s: %.0f (threshold %.0f) as attacker", what, a, cc.threshold)})
	}
	if cc.crossed(v) {
		out = append(out, hostFinding{victim: true, value: v,
			message: fmt.Sprintf("%s: %.0f (threshold %.0f) as victim", what, v, cc.threshold)})
	}
	return out
}

func contactsCheck(proto string, service uint8, what string) func(*hostInput, *checkConf) []hostFinding {
	return func(in *hostInput, cc *checkConf) []hostFinding {
		if service != 0 && in.s.Services&(1<<service) != 0 {
			return nil // the host is itself such a server
		}
		n := float64(len(in.stats.servers[proto][in.key]))
		if !cc.crossed(n) {
			return nil
		}
		return []hostFinding{{attacker: true, value: n, message: fmt.Sprintf("%s: %.0f (threshold %.0f)", what, n, cc.threshold)}}
	}
}

func countCheck(get func(in *hostInput) float64, what string) func(*hostInput, *checkConf) []hostFinding {
	return func(in *hostInput, cc *checkConf) []hostFinding {
		n := get(in)
		if !cc.crossed(n) {
			return nil
		}
		return []hostFinding{{attacker: true, value: n, message: fmt.Sprintf("%s: %.0f (threshold %.0f)", what, n, cc.threshold)}}
	}
}

// enabledCheck is a host check enabled in the configuration.
type enabledCheck struct {
	hc *hostCheck
	cc *checkConf
}

// hostChecks are the built-in host checks, run every minute tick.
var hostChecks = []hostCheck{
	{"syn_scan", true, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, in.d.synSent, in.d.synRcvd, "TCP SYN scan: unanswered SYN/min")
	}},
	{"syn_flood", true, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, in.d.synRateSent, in.d.synRateRx, "TCP SYN flood: SYN/s")
	}},
	{"fin_scan", true, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, in.d.finSent, in.d.finRcvd, "TCP FIN scan: FIN/min")
	}},
	{"rst_scan", true, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, in.d.rstSent, in.d.rstRcvd, "TCP RST scan: RST/min")
	}},
	{"flow_flood", false, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, float64(in.s.FloodAttacker), float64(in.s.FloodVictim), "Flow flood: new flows/s")
	}},
	{"icmp_flood", true, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, in.d.icmpSent, in.d.icmpRcvd, "ICMP flood: packets/s")
	}},
	{"score_threshold", false, func(in *hostInput, cc *checkConf) []hostFinding {
		return thresholdPair(cc, float64(in.s.View.ScoreAsCli), float64(in.s.View.ScoreAsSrv), "Score")
	}},
	{"dns_contacts", false, contactsCheck("DNS", probe.ServiceDNS, "DNS servers contacted")},
	{"ntp_contacts", false, contactsCheck("NTP", probe.ServiceNTP, "NTP servers contacted")},
	{"smtp_contacts", false, contactsCheck("SMTP", probe.ServiceSMTP, "SMTP servers contacted")},
	{"domain_names_contacts", false, countCheck(func(in *hostInput) float64 { return float64(len(in.stats.domains[in.key])) },
		"Domain names contacted")},
	{"countries_contacts", false, countCheck(func(in *hostInput) float64 { return float64(len(in.stats.countries[in.key])) },
		"Countries contacted")},
	{"scan_detection", false, countCheck(func(in *hostInput) float64 { return float64(in.stats.incomplete[in.key]) },
		"Incomplete flows (scan)")},
	{"remote_connection", false, func(in *hostInput, _ *checkConf) []hostFinding {
		if !in.stats.remote[in.key] {
			return nil
		}
		return []hostFinding{{attacker: true, value: 1, message: "Remote access connection"}}
	}},
	// Traffic volumes per minute (ntopng's older threshold checks).
	{"dns", true, volumeCheck(func(d *hostDelta) float64 { return d.dnsBytes }, "DNS traffic: bytes/min")},
	{"ntp", true, volumeCheck(func(d *hostDelta) float64 { return d.ntpBytes }, "NTP traffic: bytes/min")},
	{"pkt_threshold", true, volumeCheck(func(d *hostDelta) float64 { return d.packets }, "Packets/min")},
	{"dangerous_host", true, func(in *hostInput, cc *checkConf) []hostFinding {
		score := float64(in.s.View.ScoreAsCli + in.s.View.ScoreAsSrv)
		if !cc.crossed(score) {
			in.st.dangerous = 0
			return nil
		}
		in.st.dangerous++
		if in.st.dangerous <= 5 {
			return nil
		}
		return []hostFinding{{attacker: true, value: score, message: fmt.Sprintf("Dangerous host: score %.0f", score)}}
	}},
}

// tick runs the host and interface checks of one interval.
func (w *worker) tick(now int64) {
	started := time.Now()
	if w.lastTick == 0 {
		// The first tick only takes the baseline of every counter.
		w.lastTick = now
		details := w.hostScriptHooks(true).any()
		for key := range l7Checks {
			details = details || w.e.cfg.Load().check("host", key) != nil
		}
		w.ifc.SampleHosts(details, func(s *probe.HostSample) {
			w.hosts[hostKey{s.View.IP, s.View.VLAN}] = &hostState{last: *s, tick: now}
		})
		w.ifaceBase = w.ifc.InterfaceView()
		w.droppedBase = w.dropped.Load()
		return
	}
	seconds := max(float64(now-w.lastTick)/1e6, 1)
	w.e.opts.Blacklists.Reload() // lists edited in the data dir apply within a minute
	cfg := w.e.cfg.Load()
	active := map[engagedKey]bool{}
	// The enabled host checks, resolved once for all hosts.
	var enabled []enabledCheck
	for i := range hostChecks {
		if cc := cfg.check("host", hostChecks[i].key); cc != nil && cc.on("min") {
			enabled = append(enabled, enabledCheck{&hostChecks[i], cc})
		}
	}
	// Every fifth interval also runs the scripts' "5mins" hook. What
	// those raise stays engaged until the next fifth interval says
	// otherwise, not just until the next minute.
	w.ticks++
	var active5 map[engagedKey]bool
	if w.ticks%5 == 0 {
		active5 = map[engagedKey]bool{}
	}
	if hooks := w.hostScriptHooks(active5 != nil); len(enabled) == 0 && !hooks.any() {
		// Nothing to check: no walk. The baselines go stale, so the next
		// walk starts new ones.
		clear(w.hosts)
	} else {
		w.checkHosts(cfg, now, seconds, enabled, hooks, active, active5)
	}
	w.ifaceChecks(cfg, now, seconds, active, active5)
	if active5 != nil {
		w.active5 = active5
	}
	for k := range w.active5 {
		active[k] = true
	}
	if time.Since(started) > 30*time.Second {
		w.engageOther(now, "interface", "slow_periodic_activity", 4128, alerts.SeverityWarning,
			fmt.Sprintf("Checks of interface %s took %s", w.ifc.Name(), time.Since(started).Round(time.Millisecond)), active)
	}
	w.e.engaged.releaseMissing(w, now, active)
	w.minute = newMinuteStats()
	w.lastTick = now
}

// scriptHooks says which hooks of the host scripts run this interval.
type scriptHooks struct{ min, fiveMins bool }

func (h scriptHooks) any() bool { return h.min || h.fiveMins }

// hostScriptHooks asks the user scripts which host hooks have an enabled
// script (fiveMins: this interval is a 5-minute one), so that no host
// walk happens for scripts that would not run.
func (w *worker) hostScriptHooks(fiveMins bool) scriptHooks {
	s := w.e.opts.Scripts
	if s == nil {
		return scriptHooks{}
	}
	return scriptHooks{min: s.Active("host", "min"), fiveMins: fiveMins && s.Active("host", "5mins")}
}

// checkHosts runs the enabled host checks and scripts on every host.
func (w *worker) checkHosts(cfg *config, now int64, seconds float64, enabled []enabledCheck, hooks scriptHooks, active, active5 map[engagedKey]bool) {
	stateful, details := false, hooks.any()
	for _, e := range enabled {
		stateful = stateful || e.hc.stateful
		details = details || l7Checks[e.hc.key]
	}
	if !stateful {
		clear(w.hosts) // see tick: stale baselines are not kept
	}
	var none hostState
	w.ifc.SampleHosts(details, func(s *probe.HostSample) {
		k := hostKey{s.View.IP, s.View.VLAN}
		if !stateful {
			// No baseline needed: no per-host state is kept or looked up.
			none = hostState{}
			w.evalHost(cfg, now, s, &hostInput{s: s, st: &none, key: k, stats: w.minute}, enabled, hooks, active, active5)
			return
		}
		st := w.hosts[k]
		if st == nil {
			st = &hostState{}
			w.hosts[k] = st
			if s.FirstSeen < w.lastTick/1e6 {
				// Known before the interval but without a baseline (checks
				// were off): this interval only takes one.
				st.last, st.tick = *s, now
				return
			}
		}
		w.evalHost(cfg, now, s, &hostInput{s: s, st: st, d: delta(&st.last, s, seconds), key: k, stats: w.minute}, enabled, hooks, active, active5)
		st.last, st.tick = *s, now
	})
	if stateful {
		for k, st := range w.hosts {
			if st.tick != now {
				delete(w.hosts, k) // purged by the probe
			}
		}
	}
}

// evalHost runs the enabled checks and the scripts of hooks on one host;
// what the "5mins" scripts raise is marked in active5.
func (w *worker) evalHost(cfg *config, now int64, s *probe.HostSample, in *hostInput, enabled []enabledCheck, hooks scriptHooks, active, active5 map[engagedKey]bool) {
	for _, e := range enabled {
		for _, f := range e.hc.eval(in, e.cc) {
			w.engageHost(cfg, now, s, e.hc.key, e.cc, f, active)
		}
	}
	run := func(hook string, act map[engagedKey]bool) {
		for _, r := range w.e.opts.Scripts.RunHost(hook, &s.View) {
			cc := &checkConf{def: scriptDef(cfg, "host", r.Check, r.Type)}
			w.engageHost(cfg, now, s, r.Check, cc, hostFinding{attacker: true,
				value: float64(r.Score), message: r.Message, score: r.Score}, act)
		}
	}
	if hooks.min {
		run("min", active)
	}
	if hooks.fiveMins {
		run("5mins", active5)
	}
}

// scriptDef is the definition of the check of an alert a user script
// raised: its registered definition when the configuration knows it (for
// its category), else a security check of the script's alert type.
func scriptDef(cfg *config, subdir, key string, typ int) checks.Def {
	if cc := cfg.check(subdir, key); cc != nil {
		d := cc.def
		d.AlertID = typ
		return d
	}
	return checks.Def{Subdir: subdir, Key: key, AlertID: typ, AlertFamily: subdir, Category: "security"}
}

// engageHost raises (or keeps) the engaged host alert of a finding.
func (w *worker) engageHost(cfg *config, now int64, s *probe.HostSample, key string, cc *checkConf,
	f hostFinding, active map[engagedKey]bool) {
	typ := cc.def.AlertID
	if cfg.excluded("host", typ, s.View.IP, s.View.VLAN) {
		return
	}
	if s.View.Name == "" && s.View.MAC == "" {
		w.ifc.HostDetails(&s.View) // the samples leave them out
	}
	score := alerts.DefaultScore(alerts.SeverityError)
	if f.victim {
		score = alerts.DefaultScore(alerts.SeverityWarning)
	}
	if f.score > 0 {
		score = f.score
	}
	role := "attacker"
	if f.victim {
		role = "victim"
	}
	k := engagedKey{ifid: w.ifc.ID(), family: alertdb.FamilyHost, entity: hostKey{s.View.IP, s.View.VLAN}.String() + "/" + role, typ: typ}
	active[k] = true
	cat, _ := alerts.CategoryByKey(cc.def.Category)
	a := alertdb.Alert{AlertID: typ, Category: int(cat.ID), InterfaceID: w.ifc.ID(), Tstamp: now / 1e6,
		Score: score, Granularity: 60, Description: f.message,
		JSON: jsonText(map[string]any{"alert_generation": map[string]any{"subdir": "host", "script_key": key, "confset_id": 0},
			"value": f.value, "threshold": cc.threshold, "operator": cc.operator, "is_attacker": f.attacker, "is_victim": f.victim}),
		Fields: map[string]any{"ip_version": ipVersion(s.View.IP), "ip": s.View.IP.Unmap(), "vlan_id": int(s.View.VLAN),
			"name": s.View.Name, "is_attacker": f.attacker, "is_victim": f.victim,
			"is_client": f.attacker, "is_server": f.victim, "host_pool_id": s.View.Pool,
			"network": networkID(s.View.Network), "country": s.View.Country}}
	if w.e.engaged.engage(k, key, a, now) {
		w.dispatch(Notification{Family: "host", IfID: w.ifc.ID(), Type: typ, Check: key, Score: score,
			Tstamp: now / 1e6, Entity: hostKey{s.View.IP, s.View.VLAN}.String(), Description: f.message, Status: "engaged"})
	}
}

// ifaceChecks are the interface checks of one interval.
func (w *worker) ifaceChecks(cfg *config, now int64, seconds float64, active, active5 map[engagedKey]bool) {
	cur := w.ifc.InterfaceView()
	prev := w.ifaceBase
	w.ifaceBase = cur
	pkts, drops := diff(cur.Packets, prev.Packets), diff(cur.Drops, prev.Drops)
	if cc := cfg.check("interface", "too_many_drops"); cc != nil && pkts+drops > 0 {
		if pct := drops * 100 / (pkts + drops); cc.crossed(pct) {
			w.engageOther(now, "interface", "too_many_drops", 4137, alerts.SeverityError,
				fmt.Sprintf("Too many dropped packets on %s: %.1f%% (threshold %.0f%%)", w.ifc.Name(), pct, cc.threshold), active)
		}
	}
	if cc := cfg.check("interface", "no_if_activity"); cc != nil && !w.file && pkts == 0 && seconds >= 60 {
		w.engageOther(now, "interface", "no_if_activity", 4146, alerts.SeverityError,
			fmt.Sprintf("No traffic on %s", w.ifc.Name()), active)
	}
	if cc := cfg.check("interface", "throughput"); cc != nil {
		// threshold in Mbit/s
		if mbps := diff(cur.Bytes, prev.Bytes) * 8 / seconds / 1e6; cc.crossed(mbps) {
			w.engageOther(now, "interface", "throughput", 4136, alerts.SeverityWarning,
				fmt.Sprintf("Throughput of %s: %.1f Mbit/s (threshold %.0f)", w.ifc.Name(), mbps, cc.threshold), active)
		}
	}
	dropped := w.dropped.Load()
	if cc := cfg.check("interface", "dropped_alerts"); cc != nil && dropped > w.droppedBase {
		w.engageOther(now, "interface", "dropped_alerts", 4099, alerts.SeverityError,
			fmt.Sprintf("%d flow events not checked on %s: the check queue was full", dropped-w.droppedBase, w.ifc.Name()), active)
	}
	w.droppedBase = dropped
	if s := w.e.opts.Scripts; s != nil {
		for _, r := range s.RunInterface("min", &cur) {
			w.engageOther(now, "interface", r.Check, r.Type, alerts.ScoreToSeverity(r.Score), r.Message, active)
		}
		if active5 != nil {
			for _, r := range s.RunInterface("5mins", &cur) {
				w.engageOther(now, "interface", r.Check, r.Type, alerts.ScoreToSeverity(r.Score), r.Message, active5)
			}
		}
	}
}

// engageOther raises (or keeps) an engaged interface alert.
func (w *worker) engageOther(now int64, subdir, key string, typ int, sev alerts.SeverityID, msg string, active map[engagedKey]bool) {
	k := engagedKey{ifid: w.ifc.ID(), family: alertdb.FamilyInterface, entity: w.ifc.Name(), typ: typ}
	active[k] = true
	a := alertdb.Alert{AlertID: typ, InterfaceID: w.ifc.ID(), Tstamp: now / 1e6, Score: alerts.DefaultScore(sev),
		Granularity: 60, Description: msg,
		JSON:   jsonText(map[string]any{"alert_generation": map[string]any{"subdir": subdir, "script_key": key, "confset_id": 0}}),
		Fields: map[string]any{"ifid": w.ifc.ID(), "subtype": key, "name": w.ifc.Name(), "alias": w.ifc.Name()}}
	if w.e.engaged.engage(k, key, a, now) {
		w.dispatch(Notification{Family: "interface", IfID: w.ifc.ID(), Type: typ, Check: key, Score: a.Score,
			Tstamp: now / 1e6, Entity: w.ifc.Name(), Description: msg, Status: "engaged"})
	}
}

// store writes historical alerts, logging failures (the engine never
// stops because the database is unavailable).
func (w *worker) store(fam alertdb.Family, a alertdb.Alert) {
	if s := w.e.opts.Store; s != nil {
		if err := s.Insert(context.Background(), fam, []alertdb.Alert{a}); err != nil {
			w.logf("ERROR: storing a %s alert: %v", fam, err)
		}
	}
}
