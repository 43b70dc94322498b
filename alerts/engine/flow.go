package engine

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// flowState is what the engine remembers of a flow with alerts: every
// alert type is raised once per flow, and the flow has one stored row
// that follows its alerts.
type flowState struct {
	raised []raised
	seen   map[int]bool
	rowID  int64
	first  int64 // unix seconds of the first alert
}

// raised is an alert raised on a flow, with the nDPI risk it comes from.
type raised struct {
	alerts.Raised
	risk     dpi.RiskID
	category string // alert category key of the check
}

// hook bits of built-in flow checks.
const (
	onDetected = 1 << iota
	onPeriodic
	onEnd
	onAny = onDetected | onPeriodic | onEnd
)

func hookBit(h probe.FlowHook) int {
	switch h {
	case probe.HookProtocolDetected:
		return onDetected
	case probe.HookPeriodicUpdate:
		return onPeriodic
	}
	return onEnd
}

// flowCheck is a built-in flow check that is not an nDPI risk.
type flowCheck struct {
	key   string
	hooks int
	eval  func(w *worker, v *alerts.FlowView, cc *checkConf) (alerts.Raised, bool)
}

func (w *worker) flowEvent(ev *probe.FlowEvent) {
	cfg := w.e.cfg.Load()
	v := &ev.View
	w.minute.observe(v, ev.Hook)
	found := w.evalFlow(cfg, ev.Hook, v)
	st := w.flows[ev.Flow]
	var added []raised
	for _, r := range found {
		if st != nil && st.seen[r.Type] {
			continue
		}
		if cfg.excluded("flow", r.Type, v.CliIP, v.VLAN) || cfg.excluded("flow", r.Type, v.SrvIP, v.VLAN) {
			continue
		}
		if st == nil {
			st = &flowState{seen: map[int]bool{}, first: ev.Now / 1e6}
			w.flows[ev.Flow] = st
		}
		st.seen[r.Type] = true
		st.raised = append(st.raised, r)
		added = append(added, r)
	}
	if len(added) > 0 {
		w.flowAlerted(ev, st, added)
	}
	if ev.Hook == probe.HookFlowEnd {
		delete(w.flows, ev.Flow)
	}
}

// evalFlow runs the enabled flow checks: nDPI risks first (in risk id
// order), then the other built-in checks, then user scripts. The order
// matters: the first alert with the highest score is the predominant one.
func (w *worker) evalFlow(cfg *config, hook probe.FlowHook, v *alerts.FlowView) []raised {
	var out []raised
	v.Risks.Each(func(ri *dpi.RiskInfo) {
		cc := cfg.risk[ri.ID]
		if cc == nil {
			return
		}
		// No attacker or victim: like ntopng, a risk says the flow is
		// suspicious, not which peer is to blame (its score is still
		// split between them by the probe, from the risk's client share).
		params := map[string]any{"ndpi_risk": int(ri.ID)}
		if d := riskDetail(ri.ID, v); d != "" {
			params["ndpi_risk_info"] = d
		}
		out = append(out, raised{Raised: alerts.Raised{Subdir: "flow", Check: cc.def.Key, Type: cc.def.AlertID,
			Score: ri.Score(), Message: ri.Name, Params: params}, risk: ri.ID, category: cc.def.Category})
	})
	bit := hookBit(hook)
	for i := range flowChecks {
		fc := &flowChecks[i]
		if fc.hooks&bit == 0 {
			continue
		}
		cc := cfg.check("flow", fc.key)
		if cc == nil {
			continue
		}
		if r, ok := fc.eval(w, v, cc); ok {
			r.Subdir, r.Check, r.Type = "flow", fc.key, cc.def.AlertID
			if r.Score == 0 {
				r.Score = alerts.DefaultScore(alerts.SeverityError)
			}
			out = append(out, raised{Raised: r, category: cc.def.Category})
		}
	}
	if s := w.e.opts.Scripts; s != nil {
		for _, r := range s.RunFlow(hook.String(), v) {
			out = append(out, raised{Raised: r, category: scriptDef(cfg, "flow", r.Check, r.Type).Category})
		}
	}
	return out
}

// flowAlerted updates the flow (score), its stored row and the recipients
// after new alerts were raised on it.
func (w *worker) flowAlerted(ev *probe.FlowEvent, st *flowState, added []raised) {
	var cli, srv int32
	for _, r := range st.raised {
		if r.risk != 0 {
			continue // counted by the probe from the flow's risks
		}
		c := int32(r.Score) * cliShare(&r.Raised) / 100
		cli += c
		srv += int32(r.Score) - c
	}
	w.ifc.SetFlowAlerts(ev.Flow, cli, srv)
	a := flowAlertRow(&ev.View, st)
	ctx := context.Background()
	if s := w.e.opts.Store; s != nil {
		if st.rowID == 0 {
			ids, err := s.InsertRowIDs(ctx, alertdb.FamilyFlow, []alertdb.Alert{a})
			if err != nil {
				w.logf("ERROR: storing a flow alert: %v", err)
			} else {
				st.rowID = ids[0]
			}
		} else if err := s.Update(ctx, alertdb.FamilyFlow, st.rowID, a); err != nil {
			w.logf("ERROR: updating a flow alert: %v", err)
		}
	}
	for _, r := range added {
		w.dispatch(Notification{Family: "flow", IfID: w.ifc.ID(), Type: r.Type, Check: r.Check,
			Score: r.Score, Tstamp: ev.Now / 1e6, Entity: flowEntity(&ev.View), Description: r.Message,
			Status: "stored"})
	}
}

// cliShare is the percentage of an alert's score charged to the client:
// all of it when only the client is blamed, none when only the server is.
func cliShare(r *alerts.Raised) int32 {
	cliBlamed, srvBlamed := r.CliAttacker || r.SrvVictim, r.SrvAttacker || r.CliVictim
	switch {
	case cliBlamed && !srvBlamed:
		return 100
	case srvBlamed && !cliBlamed:
		return 0
	}
	return 50
}

func flowEntity(v *alerts.FlowView) string {
	return fmt.Sprintf("%s:%d -> %s:%d", hostPort(v.CliIP), v.CliPort, hostPort(v.SrvIP), v.SrvPort)
}

func hostPort(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		return "[" + a.String() + "]"
	}
	return a.Unmap().String()
}

// flowAlertRow is the stored row of a flow: its predominant alert (the
// first with the highest score), the flow's total alert score and every
// alert in the json column (the contract of alerts/present).
func flowAlertRow(v *alerts.FlowView, st *flowState) alertdb.Alert {
	pred := 0
	total := 0
	bitmap := new(big.Int)
	all := make([]map[string]any, 0, len(st.raised))
	for i, r := range st.raised {
		total += r.Score
		if r.Score > st.raised[pred].Score {
			pred = i
		}
		bitmap.SetBit(bitmap, r.Type, 1)
		all = append(all, map[string]any{"alert_id": r.Type, "script_key": r.Check, "score": r.Score, "ndpi_risk": int(r.risk)})
	}
	p := st.raised[pred]
	js := map[string]any{
		"alert_generation": map[string]any{"subdir": "flow", "script_key": p.Check, "confset_id": 0},
		"description":      p.Message,
		"l7_proto_name":    v.ProtoName,
		"l7_confidence":    v.Confidence,
		"alerts":           all,
	}
	if p.risk != 0 {
		js["ndpi_risk"] = int(p.risk)
	}
	for k, x := range p.Params {
		if _, taken := js[k]; !taken {
			js[k] = x
		}
	}
	if proto := protoDetails(v); proto != nil {
		js["proto"] = proto
	}
	cat, _ := alerts.CategoryByKey(p.categoryKey())
	return alertdb.Alert{
		AlertID: p.Type, Category: int(cat.ID), InterfaceID: v.IfID,
		Tstamp: st.first, TstampEnd: st.first, Score: min(total, 65535), JSON: jsonText(js),
		Fields: map[string]any{
			"ip_version": ipVersion(v.CliIP), "cli_ip": v.CliIP.Unmap(), "srv_ip": v.SrvIP.Unmap(),
			"cli_port": int(v.CliPort), "srv_port": int(v.SrvPort), "vlan_id": int(v.VLAN),
			"is_cli_attacker": p.CliAttacker, "is_cli_victim": p.CliVictim,
			"is_srv_attacker": p.SrvAttacker, "is_srv_victim": p.SrvVictim,
			"proto": int(v.L4Proto), "l7_proto": int(v.App), "l7_master_proto": int(v.Master), "l7_cat": int(v.Category),
			"cli_name": v.Cli.Name, "srv_name": v.Srv.Name, "cli_country": v.Cli.Country, "srv_country": v.Srv.Country,
			"cli2srv_bytes": int64(v.C2S.Bytes), "srv2cli_bytes": int64(v.S2C.Bytes),
			"cli2srv_pkts": int64(v.C2S.Packets), "srv2cli_pkts": int64(v.S2C.Packets),
			"first_seen": v.FirstSeen, "alerts_map": bitmap.Text(16), "flow_risk_bitmap": int64(v.Risks),
			"info": flowInfo(v), "cli_host_pool_id": v.Cli.Pool, "srv_host_pool_id": v.Srv.Pool,
			"cli_network": networkID(v.Cli.Network), "srv_network": networkID(v.Srv.Network),
		},
	}
}

// categoryKey is the alert category of the check that raised r
// (security when the check names none).
func (r *raised) categoryKey() string {
	if r.category != "" {
		return r.category
	}
	return "security"
}

func ipVersion(a netip.Addr) int {
	if a.Is4() || a.Is4In6() {
		return 4
	}
	return 6
}

// networkID is the stored local network id (65535: none).
func networkID(n int) int {
	if n < 0 {
		return 65535
	}
	return n
}

// flowInfo is the flow's "info": the URL of HTTP flows (host + path), the
// server name otherwise.
func flowInfo(v *alerts.FlowView) string {
	if v.Info != nil && v.Info.HTTP.URL != "" && v.ServerName != "" {
		return v.ServerName + v.Info.HTTP.URL
	}
	return v.ServerName
}

// protoDetails are the protocol facts shown with a flow alert.
func protoDetails(v *alerts.FlowView) map[string]any {
	name := strings.ToUpper(v.ProtoName)
	switch {
	case strings.HasPrefix(name, "DNS") || strings.Contains(name, ".DNS"):
		return map[string]any{"dns": map[string]any{"last_query": v.ServerName, "last_query_type": int(v.DNSQueryType), "last_return_code": 0}}
	case v.HTTPMethod != "" || (v.Info != nil && v.Info.HTTP.URL != ""):
		h := map[string]any{"last_method": v.HTTPMethod, "last_return_code": int(v.HTTPStatus),
			"last_user_agent": v.HTTPUserAgent, "server_name": v.ServerName}
		if v.Info != nil {
			h["last_url"] = v.ServerName + v.Info.HTTP.URL
		}
		return map[string]any{"http": h}
	case v.Info != nil && (v.Info.TLS.Version != 0 || v.Info.TLS.ClientVersion != 0):
		t := v.Info.TLS
		return map[string]any{"tls": map[string]any{"client_requested_server_name": v.ServerName,
			"notBefore": t.NotBefore, "notAfter": t.NotAfter, "tls_version": int(max(t.Version, t.ClientVersion)),
			"cipher": int(t.Cipher)}}
	case v.Info != nil && v.Info.SSH.HASSHClient != "":
		return map[string]any{"ssh": map[string]any{"client_signature": v.Info.SSH.ClientBanner,
			"server_signature": v.Info.SSH.ServerBanner}}
	}
	return nil
}
