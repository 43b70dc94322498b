package engine

import (
	"fmt"
	"strings"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// flowChecks are the built-in flow checks that are not nDPI risks, in the
// order they run (spec §4.7 gives their triggers). Checks of the table
// without an entry here never raise an alert: their input does not exist
// in this program (device protocol policies, external IDS events,
// IEC 60870-5-104 state, TCP window tracking).
var flowChecks = []flowCheck{
	{"blacklisted", onDetected | onPeriodic, checkBlacklisted},
	{"broadcast_non_udp_traffic", onDetected, checkBroadcastNonUDP},
	{"country_check", onDetected, checkCountry},
	{"remote_access", onDetected, checkRemoteAccess},
	{"remote_to_local_insecure_proto", onDetected | onPeriodic, checkRemoteToLocalInsecure},
	{"remote_to_remote", onDetected, checkRemoteToRemote},
	{"unexpected_dhcp", onDetected | onPeriodic, unexpectedServer("DHCP", "Unexpected DHCP server found")},
	{"unexpected_dns", onDetected | onPeriodic, unexpectedServer("DNS", "Unexpected DNS server found")},
	{"unexpected_ntp", onDetected | onPeriodic, unexpectedServer("NTP", "Unexpected NTP server found")},
	{"unexpected_smtp", onDetected | onPeriodic, unexpectedServer("SMTP", "Unexpected SMTP server found")},
	{"web_mining", onDetected, checkWebMining},
	// Volume and duration also at detection: a flow whose last packet
	// came before nDPI was done never gets a periodic update.
	{"elephant_flows", onDetected | onPeriodic | onEnd, checkElephant},
	{"long_lived", onDetected | onPeriodic | onEnd, checkLongLived},
	{"low_goodput", onEnd, checkLowGoodput},
	{"tcp_no_data_exchanged", onEnd, checkNoDataExchanged},
}

// categoryIs compares an nDPI category name with a key, ignoring case
// and spaces ("Remote Access" / "RemoteAccess").
func categoryIs(v *alerts.FlowView, names ...string) bool {
	c := catKey(v.CategoryName)
	for _, n := range names {
		if c == catKey(n) {
			return true
		}
	}
	return false
}

func checkBlacklisted(w *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	bl := w.e.opts.Blacklists
	cli, srv := bl.Contains(v.CliIP), bl.Contains(v.SrvIP)
	cat := categoryIs(v, "Malware")
	if !cli && !srv && !cat {
		return alerts.Raised{}, false
	}
	r := alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityError),
		Params: map[string]any{"cli_blacklisted": cli, "srv_blacklisted": srv, "cat_blacklisted": cat}}
	switch {
	case cli:
		r.Message = "Blacklisted client " + v.CliIP.Unmap().String()
		r.CliAttacker, r.SrvVictim = true, true
	case srv:
		r.Message = "Blacklisted server " + v.SrvIP.Unmap().String()
		r.SrvAttacker, r.CliVictim = true, true
	default:
		r.Message = "Blacklisted category " + v.CategoryName
		r.SrvAttacker, r.CliVictim = true, true
	}
	return r, true
}

func checkBroadcastNonUDP(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.L4Proto == 17 || !(v.Srv.Broadcast || v.DstBroadcastMAC) {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityWarning), CliAttacker: true,
		Message: "Broadcast non-UDP traffic"}, true
}

func checkCountry(_ *worker, v *alerts.FlowView, cc *checkConf) (alerts.Raised, bool) {
	for _, p := range [2]struct {
		c   string
		cli bool
	}{{v.Cli.Country, true}, {v.Srv.Country, false}} {
		if p.c != "" && (cc.hasItem(p.c) || cc.hasItem(strings.ToUpper(p.c))) {
			r := alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityWarning),
				Message: "Blacklisted country " + p.c, Params: map[string]any{"country": p.c}}
			if p.cli {
				r.CliAttacker = true
			} else {
				r.SrvAttacker = true
			}
			return r, true
		}
	}
	return alerts.Raised{}, false
}

func checkRemoteAccess(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.Cli.Local && v.Srv.Local || !categoryIs(v, "RemoteAccess", "VPN", "FileSharing") {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityNotice),
		Message: "Remote access (" + v.ProtoName + ")"}, true
}

func checkRemoteToLocalInsecure(w *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.Cli.Local || !v.Srv.Local || (v.L4Proto == 6 && !v.ThreeWayHandshake) {
		return alerts.Raised{}, false
	}
	insecure := categoryIs(v, "Malware", "Banned")
	if reg := w.e.opts.Registry; reg != nil {
		for _, id := range [2]dpi.ProtoID{v.App, v.Master} {
			if p := reg.Protocol(id); id != 0 && p != nil && (p.Breed == dpi.BreedUnsafe || p.Breed == dpi.BreedDangerous) {
				insecure = true
			}
		}
	}
	if !insecure {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityError), CliAttacker: true, SrvVictim: true,
		Message: "Remote client using an insecure protocol (" + v.ProtoName + ") towards a local server"}, true
}

func checkRemoteToRemote(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.Cli.Local || v.Srv.Local || !v.Unicast() {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityNotice), Message: "Remote to Remote"}, true
}

// unexpectedServer builds the unexpected_{dhcp,dns,ntp,smtp} checks: the
// flow's protocol is proto, its server answered, and the server is not in
// the allowed list (an empty list allows no server, as in the reference).
func unexpectedServer(proto, title string) func(*worker, *alerts.FlowView, *checkConf) (alerts.Raised, bool) {
	return func(_ *worker, v *alerts.FlowView, cc *checkConf) (alerts.Raised, bool) {
		if !protoIs(v, proto) || v.S2C.Packets == 0 {
			return alerts.Raised{}, false
		}
		srv := v.SrvIP.Unmap().String()
		if cc.hasItem(srv) {
			return alerts.Raised{}, false
		}
		return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityError), CliAttacker: true,
			Message: title + ": " + srv, Params: map[string]any{"server_ip": srv}}, true
	}
}

// protoIs reports whether the flow's application or master protocol is
// name ("DNS" matches "DNS" and "DNS.Google").
func protoIs(v *alerts.FlowView, name string) bool {
	master, _, _ := strings.Cut(v.ProtoName, ".")
	return strings.EqualFold(master, name)
}

func checkWebMining(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if !categoryIs(v, "Mining", "CryptoCurrency") {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityError), CliAttacker: true,
		Message: "Crypto-currency mining (" + v.ProtoName + ")"}, true
}

// filteredCategory reports whether the check's default filters exclude
// the flow's category (elephant_flows, long_lived: {"l7_cat": name}).
func filteredCategory(cc *checkConf, v *alerts.FlowView) bool {
	return cc.filteredCats[catKey(v.CategoryName)]
}

func checkElephant(_ *worker, v *alerts.FlowView, cc *checkConf) (alerts.Raised, bool) {
	if filteredCategory(cc, v) || v.Cli.Local == v.Srv.Local {
		return alerts.Raised{}, false
	}
	l2r, r2l := v.C2S.Bytes, v.S2C.Bytes // local client: client→server is local→remote
	if !v.Cli.Local {
		l2r, r2l = r2l, l2r
	}
	l2rMax := cc.number("l2r_bytes_value", 1<<30)
	r2lMax := cc.number("r2l_bytes_value", 1<<30)
	if float64(l2r) <= l2rMax && float64(r2l) <= r2lMax {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityWarning),
		Message: fmt.Sprintf("Elephant flow: %d bytes local to remote, %d bytes remote to local", l2r, r2l),
		Params:  map[string]any{"l2r_bytes": l2r, "r2l_bytes": r2l, "l2r_threshold": l2rMax, "r2l_threshold": r2lMax}}, true
}

func checkLongLived(_ *worker, v *alerts.FlowView, cc *checkConf) (alerts.Raised, bool) {
	minDur := cc.number("min_duration", 43200)
	d := v.LastSeen - v.FirstSeen
	if filteredCategory(cc, v) || float64(d) <= minDur {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityWarning),
		Message: fmt.Sprintf("Long-lived flow: %d s", d), Params: map[string]any{"duration": d, "threshold": minDur}}, true
}

// lowGoodputExcluded are the chat and remote-shell protocols that the
// low_goodput check ignores (their traffic is mostly small packets).
var lowGoodputExcluded = []string{"MDNS", "ntop", "Signal", "QQ", "IRC", "Telnet", "SSH", "WhatsApp",
	"WhatsAppCall", "WhatsAppFiles", "Telegram", "KakaoTalk", "KakaoTalk_Voice", "WeChat"}

func checkLowGoodput(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.L4Proto != 6 || !v.ThreeWayHandshake || v.C2S.Packets+v.S2C.Packets <= 3 || v.Sampled {
		return alerts.Raised{}, false
	}
	for _, p := range lowGoodputExcluded {
		if protoIs(v, p) || strings.EqualFold(v.ProtoName, p) || strings.HasSuffix(strings.ToLower(v.ProtoName), "."+strings.ToLower(p)) {
			return alerts.Raised{}, false
		}
	}
	bytes := v.Bytes()
	if bytes == 0 {
		return alerts.Raised{}, false
	}
	ratio := float64(v.C2S.Goodput+v.S2C.Goodput) * 100 / float64(bytes)
	if ratio > 60 {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityNotice),
		Message: fmt.Sprintf("Low goodput ratio (%.0f%%)", ratio), Params: map[string]any{"goodput_ratio": ratio}}, true
}

func checkNoDataExchanged(_ *worker, v *alerts.FlowView, _ *checkConf) (alerts.Raised, bool) {
	if v.L4Proto != 6 || !v.Unicast() || v.Sampled || v.C2S.Goodput+v.S2C.Goodput != 0 {
		return alerts.Raised{}, false
	}
	return alerts.Raised{Score: alerts.DefaultScore(alerts.SeverityNotice), CliAttacker: true,
		Message: "TCP flow with no data exchanged"}, true
}
