package dpi

import (
	"net/netip"
	"testing"
)

// appConv drives one flow through a real engine, packet by packet.
type appConv struct {
	t                *testing.T
	e                *Engine
	st               State
	l4               uint8
	cli, srv         netip.Addr
	cliPort, srvPort uint16
}

var appServer = netip.MustParseAddr("10.20.30.40")

func newAppConv(t *testing.T, l4 uint8, cliPort, srvPort uint16) *appConv {
	t.Helper()
	return &appConv{t: t, e: NewEngine(NewRegistry(), nil), l4: l4,
		cli: netip.MustParseAddr("192.168.7.8"), srv: appServer, cliPort: cliPort, srvPort: srvPort}
}

// c2s and s2c send one payload packet in either direction.
func (a *appConv) c2s(payload []byte) *appConv { return a.send(ClientToServer, payload) }
func (a *appConv) s2c(payload []byte) *appConv { return a.send(ServerToClient, payload) }

func (a *appConv) send(dir Direction, payload []byte) *appConv {
	p := &Packet{L4Proto: a.l4, Src: a.cli, Dst: a.srv, SrcPort: a.cliPort, DstPort: a.srvPort,
		Dir: dir, TCPFlags: 0x18, Payload: payload}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
	}
	a.e.Inspect(&a.st, p)
	return a
}

// label is the flow's classification after Finalize.
func (a *appConv) label() string {
	a.e.Finalize(&a.st, a.l4, a.cliPort, a.srvPort)
	return a.e.Registry().Name(a.st.Result)
}

// dpiLabel is the classification so far, "" when no dissector matched.
func (a *appConv) dpiLabel() string {
	if a.st.Result.Confidence != ConfidenceDPI {
		return ""
	}
	return a.e.Registry().Name(a.st.Result)
}

func (a *appConv) wantDPI(want string) {
	a.t.Helper()
	if got := a.dpiLabel(); got != want {
		a.t.Errorf("DPI label %q (result %+v), want %q", got, a.st.Result, want)
	}
}

func (a *appConv) wantRisk(r RiskID) {
	a.t.Helper()
	if !a.st.Risks.Has(r) {
		a.t.Errorf("risk %d not set (risks %v)", r, a.st.Risks)
	}
}

// appCat concatenates byte slices, to write packets field by field.
func appCat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestAppProtocolIDs(t *testing.T) {
	r := NewRegistry()
	for id, name := range map[ProtoID]string{
		protoFTPControl: "FTP_CONTROL", protoPOP3: "POP3", protoSMTP: "SMTP", protoIMAP: "IMAP",
		protoSMBv1: "SMBv1", protoPostgreSQL: "PostgreSQL", protoMySQL: "MySQL", protoPOPS: "POPS",
		protoSMTPS: "SMTPS", protoSMBv23: "SMBv23", protoIMAPS: "IMAPS", protoMongoDB: "MongoDB",
		protoIRC: "IRC", protoTelnet: "Telnet", protoIPsec: "IPSec", protoRDP: "RDP", protoVNC: "VNC",
		protoUsenet: "Usenet", protoCitrix: "Citrix", protoAJP: "AJP", protoTeamViewer: "TeamViewer",
		protoOpenVPN: "OpenVPN", protoCiscoVPN: "CiscoVPN", protoWhoisDAS: "Whois-DAS", protoSOCKS: "SOCKS",
		protoFTPData: "FTP_DATA", protoRESP: "RESP", protoAMQP: "AMQP", protoWireGuard: "WireGuard",
		protoDRDA: "DRDA", protoFastCGI: "FastCGI", protoJSONRPC: "JSON-RPC",
	} {
		if got := r.Protocol(id).Name; got != name {
			t.Errorf("protocol %d is %q, want %q", id, got, name)
		}
	}
	if got := r.CategoryName(categoryVPN); got != "VPN" {
		t.Errorf("category %d is %q, want VPN", categoryVPN, got)
	}
}

func TestAppHelpers(t *testing.T) {
	if !hasPrefixFold([]byte("ehlo x"), "EHLO") || hasPrefixFold([]byte("EHL"), "EHLO") {
		t.Error("hasPrefixFold")
	}
	if l, ok := appLine([]byte("220 ok\r\nrest")); !ok || string(l) != "220 ok" {
		t.Errorf("appLine = %q %v", l, ok)
	}
	if _, ok := appLine([]byte("no end")); ok {
		t.Error("appLine found a line end")
	}
	if got := appText([]byte("user\x01x"), 3); got != "use" {
		t.Errorf("appText = %q", got)
	}
}

// TestAppRejectNoAlloc checks that the family's dissectors turn down
// foreign first packets without allocating.
func TestAppRejectNoAlloc(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	payloads := [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
		{0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55},
		{0x8e, 0xca, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 'w', 'w', 'w'},
		{0xc3, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x41, 0x00},
	}
	for _, l4 := range []uint8{6, 17} {
		for _, pl := range payloads {
			for i, d := range appDissectors {
				if l4 == 6 && d.l4&onTCP == 0 || l4 == 17 && d.l4&onUDP == 0 {
					continue
				}
				st := new(State)
				p := &Packet{L4Proto: l4, Src: client, Dst: appServer, SrcPort: 40000, DstPort: 4444, Payload: pl}
				c := new(ctx)
				allocs := testing.AllocsPerRun(20, func() {
					*st = State{pkts: 1, dirPkts: [2]uint8{1, 0}}
					*c = ctx{e: e, st: st, d: r.snap(), p: p, payload: pl, cliPort: 40000, srvPort: 4444, l4: l4, idx: uint8(i)}
					d.run(c)
				})
				if allocs != 0 {
					t.Errorf("%s (l4 %d) allocates %.0f times on %q", d.name, l4, allocs, pl[:8])
				}
			}
		}
	}
}

// FuzzApp feeds arbitrary payloads, in both directions and on the
// family's ports, to the engine: no dissector may panic.
func FuzzApp(f *testing.F) {
	f.Add(uint16(22), []byte("SSH-2.0-x\r\n"), []byte{0, 0, 0, 12, 4, 20})
	f.Add(uint16(3389), rdpConnectionRequest, rdpConnectionConfirm)
	f.Add(uint16(1194), ovpnClientReset, ovpnServerReset)
	f.Add(uint16(445), smbMessage("\xffSMB", 0x73), []byte{0})
	f.Add(uint16(9000), []byte{1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, []byte{1, 4, 0, 1, 0xff, 0xff, 0, 0, 0x80})
	f.Add(uint16(25), []byte("AUTH LOGIN\r\n"), []byte("220 x\r\n"))
	f.Add(uint16(500), ikeSAInit(), []byte{4, 0, 0, 0})
	f.Fuzz(func(t *testing.T, port uint16, a, b []byte) {
		for _, l4 := range []uint8{6, 17} {
			c := newAppConv(t, l4, 40000, port)
			for i := 0; i < 3; i++ {
				if len(a) > 0 {
					c.c2s(a)
				}
				if len(b) > 0 {
					c.s2c(b)
				}
			}
			c.label()
		}
	})
}
