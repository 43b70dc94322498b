package luacheck

import (
	"math"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// The flow, host and interface objects are built once per vm: their
// functions read the entity of the current call (vm.flow, vm.host,
// vm.iface), so a call allocates nothing to expose it. Called outside a
// call for their entity (host.ip() in a flow check), they answer nil, as
// ntopng's do without a context.

// flowMethods are the functions of the `flow` object: those of
// lua-checks-api.md (ntopng's names), then a few more the flow view
// offers.
func (v *vm) flowMethods() *lua.LTable {
	L := v.L
	m := L.NewTable()
	def := func(name string, get func(f *alerts.FlowView) lua.LValue) {
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if v.flow == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(get(v.flow))
			}
			return 1
		}))
	}
	num := func(x uint64) lua.LValue { return lua.LNumber(x) }

	def("cli", func(f *alerts.FlowView) lua.LValue { return addr(f.CliIP.String()) })
	def("srv", func(f *alerts.FlowView) lua.LValue { return addr(f.SrvIP.String()) })
	def("cli_port", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.CliPort)) })
	def("srv_port", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.SrvPort)) })
	def("protocol", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.L4Proto)) })
	def("vlan_id", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.VLAN)) })
	def("is_oneway", func(f *alerts.FlowView) lua.LValue { return lua.LBool(f.Oneway()) })
	def("is_unicast", func(f *alerts.FlowView) lua.LValue { return lua.LBool(f.Unicast()) })
	def("cli2srv_bytes", func(f *alerts.FlowView) lua.LValue { return num(f.C2S.Bytes) })
	def("srv2cli_bytes", func(f *alerts.FlowView) lua.LValue { return num(f.S2C.Bytes) })
	def("bytes", func(f *alerts.FlowView) lua.LValue { return num(f.Bytes()) })
	def("l7_master_proto", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.Master)) })
	def("l7_proto", func(f *alerts.FlowView) lua.LValue { return num(uint64(f.App)) })
	def("l7_proto_name", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.ProtoName) })
	def("direction", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.DirectionName()) })
	def("http", func(f *alerts.FlowView) lua.LValue { return httpInfo(L, f) })
	def("dns", func(f *alerts.FlowView) lua.LValue { return dnsInfo(L, f) })
	def("ssh", func(f *alerts.FlowView) lua.LValue { return sshInfo(L, f) })
	def("tls_quic", func(f *alerts.FlowView) lua.LValue { return tlsInfo(L, f) })

	// Beyond the reference.
	def("cli2srv_packets", func(f *alerts.FlowView) lua.LValue { return num(f.C2S.Packets) })
	def("srv2cli_packets", func(f *alerts.FlowView) lua.LValue { return num(f.S2C.Packets) })
	def("packets", func(f *alerts.FlowView) lua.LValue { return num(f.C2S.Packets + f.S2C.Packets) })
	def("first_seen", func(f *alerts.FlowView) lua.LValue { return lua.LNumber(f.FirstSeen) })
	def("last_seen", func(f *alerts.FlowView) lua.LValue { return lua.LNumber(f.LastSeen) })
	def("duration", func(f *alerts.FlowView) lua.LValue { return lua.LNumber(max(f.LastSeen-f.FirstSeen, 0)) })
	def("server_name", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.ServerName) })
	def("l7_category", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.CategoryName) })
	def("is_cli_local", func(f *alerts.FlowView) lua.LValue { return lua.LBool(f.Cli.Local) })
	def("is_srv_local", func(f *alerts.FlowView) lua.LValue { return lua.LBool(f.Srv.Local) })
	def("cli_country", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.Cli.Country) })
	def("srv_country", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.Srv.Country) })
	def("cli_name", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.Cli.Name) })
	def("srv_name", func(f *alerts.FlowView) lua.LValue { return lua.LString(f.Srv.Name) })

	m.RawSetString("triggerAlert", L.NewFunction(v.trigger(func() bool { return v.flow != nil })))
	return m
}

// addr is an address as text; nil for the zero address (never in a real
// view, but a view built by hand may lack one).
func addr(s string) lua.LValue {
	if s == "invalid IP" {
		return lua.LNil
	}
	return lua.LString(s)
}

func protoIs(f *alerts.FlowView, ids ...dpi.ProtoID) bool {
	for _, id := range ids {
		if f.Master == id || f.App == id {
			return true
		}
	}
	return false
}

// The protocol tables use ntopng's keys ("protos.http.last_url", ...), so
// code written for ntopng's flow.getHTTPInfo() and friends reads them
// unchanged. They are nil for a flow of another protocol.

func httpInfo(L *lua.LState, f *alerts.FlowView) lua.LValue {
	var url, ctype string
	if f.Info != nil {
		url, ctype = f.Info.HTTP.URL, f.Info.HTTP.ContentType
	}
	if !protoIs(f, dpi.ProtoHTTP) && f.HTTPMethod == "" && url == "" {
		return lua.LNil
	}
	t := L.CreateTable(0, 6)
	setStr(t, "protos.http.last_method", f.HTTPMethod)
	setStr(t, "protos.http.last_url", url)
	setStr(t, "protos.http.server_name", f.ServerName)
	setStr(t, "protos.http.last_user_agent", f.HTTPUserAgent)
	setStr(t, "protos.http.last_content_type", ctype)
	if f.HTTPStatus != 0 {
		t.RawSetString("protos.http.last_return_code", lua.LNumber(f.HTTPStatus))
	}
	return t
}

func dnsInfo(L *lua.LState, f *alerts.FlowView) lua.LValue {
	if !protoIs(f, dpi.ProtoDNS) && f.DNSQueryType == 0 {
		return lua.LNil
	}
	t := L.CreateTable(0, 2)
	setStr(t, "protos.dns.last_query", f.ServerName)
	if f.DNSQueryType != 0 {
		t.RawSetString("protos.dns.last_query_type", lua.LNumber(f.DNSQueryType))
	}
	return t
}

func sshInfo(L *lua.LState, f *alerts.FlowView) lua.LValue {
	var s dpi.SSHInfo
	if f.Info != nil {
		s = f.Info.SSH
	}
	if !protoIs(f, dpi.ProtoSSH) && s == (dpi.SSHInfo{}) {
		return lua.LNil
	}
	t := L.CreateTable(0, 4)
	setStr(t, "protos.ssh.client_signature", s.ClientBanner)
	setStr(t, "protos.ssh.server_signature", s.ServerBanner)
	setStr(t, "protos.ssh.hassh.client_hash", s.HASSHClient)
	setStr(t, "protos.ssh.hassh.server_hash", s.HASSHServer)
	return t
}

func tlsInfo(L *lua.LState, f *alerts.FlowView) lua.LValue {
	var s dpi.TLSInfo
	if f.Info != nil {
		s = f.Info.TLS
	}
	if !protoIs(f, dpi.ProtoTLS, dpi.ProtoQUIC) && s.Version == 0 && s.ClientVersion == 0 && s.JA3Client == "" {
		return lua.LNil
	}
	t := L.CreateTable(0, 16)
	setStr(t, "protos.tls.client_requested_server_name", f.ServerName)
	setStr(t, "protos.tls.server_names", strings.Join(s.AltNames, ","))
	setStr(t, "protos.tls.issuerDN", s.Issuer)
	setStr(t, "protos.tls.subjectDN", s.Subject)
	setStr(t, "protos.tls.ja3.client_hash", s.JA3Client)
	setStr(t, "protos.tls.ja3.server_hash", s.JA3Server)
	setStr(t, "protos.tls.ja4.client_hash", s.JA4Client)
	setStr(t, "protos.tls.client_alpn", strings.Join(s.ALPN, ","))
	setStr(t, "protos.tls.server_alpn", s.NegotiatedALPN)
	setNonZero(t, "protos.tls_version", float64(s.Version))
	setNonZero(t, "protos.tls.client_version", float64(s.ClientVersion))
	setNonZero(t, "protos.tls.ja3.server_cipher", float64(s.Cipher))
	setNonZero(t, "protos.tls.notBefore", float64(s.NotBefore))
	setNonZero(t, "protos.tls.notAfter", float64(s.NotAfter))
	if s.SHA1 != "" {
		setStr(t, "protos.tls.sha1", s.SHA1)
		t.RawSetString("protos.tls.self_signed", lua.LBool(s.SelfSigned))
	}
	return t
}

func setStr(t *lua.LTable, k, s string) {
	if s != "" {
		t.RawSetString(k, lua.LString(s))
	}
}

func setNonZero(t *lua.LTable, k string, f float64) {
	if f != 0 {
		t.RawSetString(k, lua.LNumber(f))
	}
}

// hostMethods are the functions of the `host` object: those of
// lua-checks-api.md, the others ntopng's reference host script calls, and
// a few more the host view offers.
func (v *vm) hostMethods() *lua.LTable {
	L := v.L
	m := L.NewTable()
	def := func(name string, get func(h *alerts.HostView) lua.LValue) {
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if v.host == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(get(v.host))
			}
			return 1
		}))
	}
	num := func(x uint64) lua.LValue { return lua.LNumber(x) }

	def("ip", func(h *alerts.HostView) lua.LValue { return addr(h.IP.String()) })
	def("name", func(h *alerts.HostView) lua.LValue { return lua.LString(h.Name) })
	def("vlan_id", func(h *alerts.HostView) lua.LValue { return num(uint64(h.VLAN)) })
	def("is_unicast", func(h *alerts.HostView) lua.LValue { return lua.LBool(!h.Multicast && !h.Broadcast) })
	def("is_multicast", func(h *alerts.HostView) lua.LValue { return lua.LBool(h.Multicast) })
	def("is_broadcast", func(h *alerts.HostView) lua.LValue { return lua.LBool(h.Broadcast) })
	def("is_blacklisted", func(h *alerts.HostView) lua.LValue { return lua.LBool(h.Blacklisted) })
	def("bytes_sent", func(h *alerts.HostView) lua.LValue { return num(h.BytesSent) })
	def("bytes_rcvd", func(h *alerts.HostView) lua.LValue { return num(h.BytesRcvd) })
	def("bytes", func(h *alerts.HostView) lua.LValue { return num(h.BytesSent + h.BytesRcvd) })
	def("l7", func(h *alerts.HostView) lua.LValue { return l7Table(L, h) })
	def("mac", func(h *alerts.HostView) lua.LValue { return lua.LString(h.MAC) })

	// ntopng's reference host script prints these counters of TCP
	// contacts that got no answer. The host view does not carry them yet:
	// they read 0, so that script runs (and prints nothing) instead of
	// failing on every host.
	for _, name := range []string{
		"getNumContactedPeersAsClientTCPNoTX",
		"getNumContactsFromPeersAsServerTCPNoTX",
		"getNumContactedTCPServerPortsNoTX",
	} {
		def(name, func(*alerts.HostView) lua.LValue { return lua.LNumber(0) })
	}
	// skipVisitedHost: the script will not run again for this host.
	m.RawSetString("skipVisitedHost", L.NewFunction(func(L *lua.LState) int {
		if v.host != nil {
			v.skipHost = true
		}
		return 0
	}))

	// Beyond the reference.
	def("is_local", func(h *alerts.HostView) lua.LValue { return lua.LBool(h.Local) })
	def("country", func(h *alerts.HostView) lua.LValue { return lua.LString(h.Country) })
	def("packets_sent", func(h *alerts.HostView) lua.LValue { return num(h.PacketsSent) })
	def("packets_rcvd", func(h *alerts.HostView) lua.LValue { return num(h.PacketsRcvd) })
	def("score", func(h *alerts.HostView) lua.LValue { return lua.LNumber(h.ScoreAsCli + h.ScoreAsSrv) })
	def("score_as_client", func(h *alerts.HostView) lua.LValue { return lua.LNumber(h.ScoreAsCli) })
	def("score_as_server", func(h *alerts.HostView) lua.LValue { return lua.LNumber(h.ScoreAsSrv) })
	def("active_flows_as_client", func(h *alerts.HostView) lua.LValue { return num(uint64(h.ActiveFlowsAsCli)) })
	def("active_flows_as_server", func(h *alerts.HostView) lua.LValue { return num(uint64(h.ActiveFlowsAsSrv)) })

	m.RawSetString("triggerAlert", L.NewFunction(v.trigger(func() bool { return v.host != nil })))
	return m
}

// l7Table is host.l7(): application name → {"bytes.sent", "bytes.rcvd",
// "duration"}, the keys of ntopng's per-protocol host statistics.
func l7Table(L *lua.LState, h *alerts.HostView) lua.LValue {
	t := L.CreateTable(0, len(h.L7))
	for _, s := range h.L7 {
		e := L.CreateTable(0, 3)
		e.RawSetString("bytes.sent", lua.LNumber(s.BytesSent))
		e.RawSetString("bytes.rcvd", lua.LNumber(s.BytesRcvd))
		e.RawSetString("duration", lua.LNumber(s.Duration))
		t.RawSetString(s.Name, e)
	}
	return t
}

// ifaceMethods are the functions of the interface object handed to
// interface checks.
func (v *vm) ifaceMethods() *lua.LTable {
	L := v.L
	m := L.NewTable()
	def := func(name string, get func(i *alerts.InterfaceView) lua.LValue) {
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if v.iface == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(get(v.iface))
			}
			return 1
		}))
	}
	def("id", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.IfID) })
	def("name", func(i *alerts.InterfaceView) lua.LValue { return lua.LString(i.Name) })
	def("packets", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.Packets) })
	def("bytes", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.Bytes) })
	def("drops", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.Drops) })
	def("throughput_bps", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.ThroughputBps) })
	def("throughput_pps", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.ThroughputPps) })
	def("num_flows", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.NumFlows) })
	def("num_hosts", func(i *alerts.InterfaceView) lua.LValue { return lua.LNumber(i.NumHosts) })
	m.RawSetString("triggerAlert", L.NewFunction(v.trigger(func() bool { return v.iface != nil })))
	return m
}

// trigger is triggerAlert(score, message [, params]) of an object whose
// entity is current when active() says so. score is a number (clamped to
// 0..65535), message a string (cut at maxMessage bytes), params an
// optional table of values stored with the alert. The last call of a run
// wins: a check raises one alert per entity and run.
func (v *vm) trigger(active func() bool) lua.LGFunction {
	return func(L *lua.LState) int {
		if !active() {
			return 0
		}
		score := float64(L.CheckNumber(1))
		if math.IsNaN(score) || score < 0 {
			L.ArgError(1, "the score must be a number >= 0")
		}
		msg := L.CheckString(2)
		if len(msg) > maxMessage {
			cut := maxMessage
			for cut > 0 && !utf8.RuneStart(msg[cut]) {
				cut--
			}
			msg = msg[:cut]
		}
		var params map[string]any
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			p, err := toGo(L.CheckTable(3), 0)
			if err != nil {
				L.ArgError(3, err.Error())
			}
			m, ok := p.(map[string]any)
			if !ok && !isEmpty(p) {
				L.ArgError(3, "params must be a table with string keys")
			}
			params = m
		}
		v.alert = pending{set: true, score: int(min(score, maxScore)), message: msg, params: params}
		return 0
	}
}

func isEmpty(v any) bool {
	a, ok := v.([]any)
	return ok && len(a) == 0
}
