package luacheck

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// refFlowScript is written the way ntopng's reference flow script is: a
// global helper function, the global flow object whose members are all
// functions, an alert through flow.triggerAlert, and return(0) at the end.
const refFlowScript = `--
-- Custom flow script (reference file name and shape).
--

function flow_key()
   return "[ ".. flow.protocol() .. " ]" .. flow.cli() .. ":" .. flow.cli_port() .. " <-> ".. flow.srv() .. ":" .. flow.srv_port()
end

function describe()
   local parts = {}
   local function add(name, value) parts[#parts + 1] = name .. "=" .. tostring(value) end
   add("vlan", flow.vlan_id())
   add("oneway", flow.is_oneway())
   add("unicast", flow.is_unicast())
   add("c2s", flow.cli2srv_bytes())
   add("s2c", flow.srv2cli_bytes())
   add("bytes", flow.bytes())
   add("master", flow.l7_master_proto())
   add("app", flow.l7_proto())
   add("name", flow.l7_proto_name())
   add("dir", flow.direction())
   add("http", type(flow.http()))
   add("dns", flow.dns()["protos.dns.last_query"])
   add("ssh", type(flow.ssh()))
   add("tls", type(flow.tls_quic()))
   return table.concat(parts, " ")
end

if(flow.srv_port() == 53) then
   local score   = 100
   local message = flow_key() .. " " .. describe()

   flow.triggerAlert(score, message)
end

-- IMPORTANT: do not forget this return at the end of the script
return(0)
`

func TestReferenceFlowScript(t *testing.T) {
	f := newFixture(t, map[string]string{"flows/custom_flow_lua_script.lua": refFlowScript}, nil)
	f.expectNoProblem()
	if defs := f.r.Defs(); len(defs) != 0 {
		t.Errorf("the reference script is a built-in check, got definitions %+v", defs)
	}
	enabled := on("all", "flow/custom_lua_script").enabled
	want := []alerts.Raised{{
		Subdir: "flow", Check: "custom_lua_script", Type: 87, Score: 100,
		Message: "[ 17 ]192.168.1.10:40000 <-> 8.8.8.8:53 vlan=7 oneway=false unicast=true c2s=80 s2c=140 bytes=220 " +
			"master=5 app=5 name=DNS dir=local2remote http=nil dns=www.example.com ssh=nil tls=nil",
	}}
	for _, tc := range []struct {
		name    string
		hook    string
		flow    *alerts.FlowView
		enabled Enabled
		want    []alerts.Raised
	}{
		{"protocol detected", "protocolDetected", dnsFlow(), enabled, want},
		{"runs once per flow, not periodically", "periodicUpdate", dnsFlow(), enabled, nil},
		{"nor at flow end", "flowEnd", dnsFlow(), enabled, nil},
		{"check disabled", "protocolDetected", dnsFlow(), config{}.enabled, nil},
		{"enabled on another hook", "protocolDetected", dnsFlow(), on("min", "flow/custom_lua_script").enabled, nil},
		{"script decides not to alert", "protocolDetected", httpFlow(), enabled, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.r.RunFlow(tc.hook, tc.flow, tc.enabled)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			f.expectNoProblem()
		})
	}
}

// refHostScript is shaped like ntopng's reference host script: it reads
// the TCP no-answer counters, writes a line with io.write and os.date,
// and marks hosts as visited.
const refHostScript = `--
-- Custom host script (reference file name and shape).
--

if(host.is_unicast()) then
   local as_client = host.getNumContactedPeersAsClientTCPNoTX()
   local as_server = host.getNumContactsFromPeersAsServerTCPNoTX()
   local num_server_ports = host.getNumContactedTCPServerPortsNoTX()

   io.write(os.date("%Y") .. " - " .. host.ip() .. " [" .. as_client .. "/" .. as_server .. "/" .. num_server_ports .. "]\n")
end

local l7 = host.l7()
local msg = string.format("%s %s vlan=%d mac=%s bytes=%d/%d/%d dns=%d tls=%d uni=%s multi=%s bcast=%s bl=%s",
   host.ip(), host.name(), host.vlan_id(), host.mac(), host.bytes_sent(), host.bytes_rcvd(), host.bytes(),
   l7["DNS"]["bytes.sent"], l7["TLS"]["bytes.rcvd"],
   tostring(host.is_unicast()), tostring(host.is_multicast()), tostring(host.is_broadcast()), tostring(host.is_blacklisted()))

if host.bytes() > 1000 then
   host.triggerAlert(50, msg)
end

if host.name() == "visit-once" then
   host.skipVisitedHost()
end

-- IMPORTANT: do not forget this return at the end of the script
return(0)
`

func TestReferenceHostScript(t *testing.T) {
	f := newFixture(t, map[string]string{"hosts/custom_host_lua_script.lua": refHostScript}, nil)
	f.expectNoProblem()
	enabled := on("min", "host/custom_host_lua_script").enabled

	got := f.r.RunHost("min", aHost(), enabled)
	want := []alerts.Raised{{
		Subdir: "host", Check: "custom_host_lua_script", Type: 24, Score: 50,
		Message: "192.168.1.10 laptop.lan vlan=7 mac=AA:BB:CC:DD:EE:FF bytes=1000/5000/6000 dns=100 tls=4800 uni=true multi=false bcast=false bl=false",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	f.expectNoProblem()
	out := f.takeOutput()
	if len(out) != 1 || !strings.HasPrefix(out[0], "host/custom_host_lua_script: 2") || !strings.HasSuffix(out[0], " - 192.168.1.10 [0/0/0]\n") {
		t.Errorf("output %q", out)
	}

	for _, tc := range []struct {
		name    string
		hook    string
		enabled Enabled
	}{
		{"not on 5mins", "5mins", enabled},
		{"check disabled", "min", config{}.enabled},
		{"enabled on another hook", "min", on("5mins", "host/custom_host_lua_script").enabled},
	} {
		if got := f.r.RunHost(tc.hook, aHost(), tc.enabled); got != nil {
			t.Errorf("%s: got %+v", tc.name, got)
		}
	}
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/custom_lua_script").enabled); got != nil {
		t.Errorf("a host script ran on a flow: %+v", got)
	}

	// skipVisitedHost: the script runs once for that host, and still for
	// the others.
	once := aHost()
	once.Name = "visit-once"
	for i, want := range []int{1, 0, 0} {
		if got := f.r.RunHost("min", once, enabled); len(got) != want {
			t.Errorf("visit %d of the skipped host: %d alerts, want %d", i, len(got), want)
		}
	}
	other := aHost()
	other.IP = netip.MustParseAddr("192.168.1.11")
	if got := f.r.RunHost("min", other, enabled); len(got) != 1 {
		t.Errorf("another host: %+v", got)
	}
}

// TestFlowObject checks every function of the flow object on flows of
// several protocols.
func TestFlowObject(t *testing.T) {
	tlsFlow := dnsFlow()
	tlsFlow.SrvPort, tlsFlow.L4Proto, tlsFlow.Master, tlsFlow.App, tlsFlow.ProtoName = 443, 6, dpi.ProtoTLS, 0, "TLS"
	tlsFlow.DNSQueryType = 0
	tlsFlow.Info = &dpi.Info{TLS: dpi.TLSInfo{Version: 0x0304, Cipher: 0x1301, JA3Client: "abc", ALPN: []string{"h2", "http/1.1"}, AltNames: []string{"a.example", "b.example"}, NotAfter: 1800000000}}
	sshFlow := dnsFlow()
	sshFlow.SrvPort, sshFlow.L4Proto, sshFlow.Master, sshFlow.App, sshFlow.DNSQueryType = 22, 6, dpi.ProtoSSH, 0, 0
	sshFlow.Info = &dpi.Info{SSH: dpi.SSHInfo{ClientBanner: "SSH-2.0-OpenSSH_9.6", HASSHClient: "h1"}}
	oneway := dnsFlow()
	oneway.S2C = alerts.Direction{}
	bcast := dnsFlow()
	bcast.Srv.Broadcast = true

	for _, tc := range []struct {
		flow *alerts.FlowView
		expr string
		want string
	}{
		{dnsFlow(), "flow.cli()", "192.168.1.10"},
		{dnsFlow(), "flow.srv()", "8.8.8.8"},
		{dnsFlow(), "flow.cli_port()", "40000"},
		{dnsFlow(), "flow.srv_port()", "53"},
		{dnsFlow(), "flow.protocol()", "17"},
		{dnsFlow(), "flow.vlan_id()", "7"},
		{dnsFlow(), "flow.is_oneway()", "false"},
		{oneway, "flow.is_oneway()", "true"},
		{dnsFlow(), "flow.is_unicast()", "true"},
		{bcast, "flow.is_unicast()", "false"},
		{dnsFlow(), "flow.cli2srv_bytes()", "80"},
		{dnsFlow(), "flow.srv2cli_bytes()", "140"},
		{dnsFlow(), "flow.bytes()", "220"},
		{tlsFlow, "flow.l7_master_proto()", "91"},
		{tlsFlow, "flow.l7_proto()", "0"},
		{tlsFlow, "flow.l7_proto_name()", "TLS"},
		{dnsFlow(), "flow.direction()", "local2remote"},
		{httpFlow(), `flow.http()["protos.http.last_url"]`, "/setup.exe"},
		{httpFlow(), `flow.http()["protos.http.last_method"]`, "GET"},
		{httpFlow(), `flow.http()["protos.http.last_return_code"]`, "200"},
		{httpFlow(), `flow.http()["protos.http.server_name"]`, "example.com"},
		{httpFlow(), `flow.http()["protos.http.last_user_agent"]`, "curl/8.0"},
		{dnsFlow(), "flow.http()", "nil"},
		{dnsFlow(), `flow.dns()["protos.dns.last_query"]`, "www.example.com"},
		{dnsFlow(), `flow.dns()["protos.dns.last_query_type"]`, "1"},
		{httpFlow(), "flow.dns()", "nil"},
		{sshFlow, `flow.ssh()["protos.ssh.client_signature"]`, "SSH-2.0-OpenSSH_9.6"},
		{sshFlow, `flow.ssh()["protos.ssh.hassh.client_hash"]`, "h1"},
		{dnsFlow(), "flow.ssh()", "nil"},
		{tlsFlow, `flow.tls_quic()["protos.tls.client_requested_server_name"]`, "www.example.com"},
		{tlsFlow, `flow.tls_quic()["protos.tls_version"]`, "772"},
		{tlsFlow, `flow.tls_quic()["protos.tls.ja3.server_cipher"]`, "4865"},
		{tlsFlow, `flow.tls_quic()["protos.tls.ja3.client_hash"]`, "abc"},
		{tlsFlow, `flow.tls_quic()["protos.tls.client_alpn"]`, "h2,http/1.1"},
		{tlsFlow, `flow.tls_quic()["protos.tls.server_names"]`, "a.example,b.example"},
		{tlsFlow, `flow.tls_quic()["protos.tls.notAfter"]`, "1800000000"},
		{dnsFlow(), "flow.tls_quic()", "nil"},
		// Beyond the reference.
		{dnsFlow(), "flow.packets()", "2"},
		{dnsFlow(), "flow.duration()", "3"},
		{dnsFlow(), "flow.first_seen()", "1700000000"},
		{dnsFlow(), "flow.server_name()", "www.example.com"},
		{dnsFlow(), "flow.l7_category()", "Network"},
		{dnsFlow(), "flow.is_cli_local()", "true"},
		{dnsFlow(), "flow.is_srv_local()", "false"},
		{dnsFlow(), "flow.srv_country()", "US"},
		{dnsFlow(), "flow.cli_name()", "laptop.lan"},
		// Outside a host check, the host object answers nil.
		{dnsFlow(), "host.ip()", "nil"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			f := newFixture(t, map[string]string{"flow/probe.lua": checkScript("flow.triggerAlert(1, tostring(" + tc.expr + "))")}, nil)
			got := f.r.RunFlow("protocolDetected", tc.flow, on("all", "flow/probe").enabled)
			f.expectNoProblem()
			if len(got) != 1 || got[0].Message != tc.want {
				t.Errorf("got %+v, want message %q", got, tc.want)
			}
		})
	}
}

func TestHostAndInterfaceObjects(t *testing.T) {
	for _, tc := range []struct {
		expr, want string
	}{
		{"host.ip()", "192.168.1.10"},
		{"host.name()", "laptop.lan"},
		{"host.vlan_id()", "7"},
		{"host.is_unicast()", "true"},
		{"host.is_multicast()", "false"},
		{"host.is_broadcast()", "false"},
		{"host.is_blacklisted()", "false"},
		{"host.bytes_sent()", "1000"},
		{"host.bytes_rcvd()", "5000"},
		{"host.bytes()", "6000"},
		{`host.l7()["TLS"]["bytes.sent"]`, "900"},
		{`host.l7()["DNS"]["duration"]`, "60"},
		{"host.mac()", "AA:BB:CC:DD:EE:FF"},
		{"host.is_local()", "true"},
		{"host.country()", "IT"},
		{"host.score()", "35"},
		{"host.active_flows_as_client()", "3"},
		{"flow.cli()", "nil"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			src := "return { hooks = { min = function(host, conf) host.triggerAlert(1, tostring(" + tc.expr + ")) end } }"
			f := newFixture(t, map[string]string{"host/probe.lua": src}, nil)
			got := f.r.RunHost("min", aHost(), on("min", "host/probe").enabled)
			f.expectNoProblem()
			if len(got) != 1 || got[0].Message != tc.want {
				t.Errorf("got %+v, want message %q", got, tc.want)
			}
		})
	}
	iv := &alerts.InterfaceView{IfID: 2, Name: "eth0", Packets: 1000, Bytes: 64000, Drops: 80, ThroughputBps: 1.5e6, ThroughputPps: 120, NumFlows: 9, NumHosts: 4}
	for _, tc := range []struct {
		expr, want string
	}{
		{"ifc.id()", "2"},
		{"ifc.name()", "eth0"},
		{"ifc.packets()", "1000"},
		{"ifc.bytes()", "64000"},
		{"ifc.drops()", "80"},
		{"ifc.throughput_bps()", "1500000"},
		{"ifc.throughput_pps()", "120"},
		{"ifc.num_flows()", "9"},
		{"ifc.num_hosts()", "4"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			src := "return { hooks = { ['5mins'] = function(ifc, conf) ifc.triggerAlert(1, tostring(" + tc.expr + ")) end } }"
			f := newFixture(t, map[string]string{"interface/probe.lua": src}, nil)
			got := f.r.RunInterface("5mins", iv, on("5mins", "interface/probe").enabled)
			f.expectNoProblem()
			if len(got) != 1 || got[0].Message != tc.want {
				t.Errorf("got %+v, want message %q", got, tc.want)
			}
		})
	}
}
