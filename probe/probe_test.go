package probe

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

var (
	macA = net.HardwareAddr{0x28, 0x37, 0x37, 0x00, 0x6d, 0xc8}
	macB = net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	t0   = time.Unix(1589741863, 0)
)

// frame serialises an Ethernet/IPv4 frame with a TCP or UDP segment.
func frame(t testing.TB, src, dst string, sport, dport uint16, tcpFlags uint8, udp bool, payload []byte) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
	var l4 gopacket.SerializableLayer
	if udp {
		ip.Protocol = layers.IPProtocolUDP
		u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		_ = u.SetNetworkLayerForChecksum(ip)
		l4 = u
	} else {
		ip.Protocol = layers.IPProtocolTCP
		tc := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Window: 1024,
			SYN: tcpFlags&decode.TCPFlagSYN != 0, ACK: tcpFlags&decode.TCPFlagACK != 0,
			FIN: tcpFlags&decode.TCPFlagFIN != 0, RST: tcpFlags&decode.TCPFlagRST != 0, PSH: tcpFlags&decode.TCPFlagPSH != 0}
		_ = tc.SetNetworkLayerForChecksum(ip)
		l4 = tc
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, l4, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

type feeder struct {
	t   testing.TB
	ifc *Interface
	dec *decode.Decoder
	p   decode.Packet
	ts  time.Time
}

func newFeeder(t testing.TB, locals ...string) *feeder {
	var nets []netip.Prefix
	for _, l := range locals {
		nets = append(nets, netip.MustParsePrefix(l))
	}
	ifc := New(Config{ID: 0, Name: "test.pcap", LocalNets: NewLocalNets(nets, nil), PacketClock: true, Registry: dpi.NewRegistry()})
	return &feeder{t: t, ifc: ifc, dec: decode.NewDecoder(layers.LinkTypeEthernet), ts: t0}
}

func (f *feeder) feed(data []byte, after time.Duration) {
	f.t.Helper()
	f.ts = f.ts.Add(after)
	ci := gopacket.CaptureInfo{Timestamp: f.ts, CaptureLength: len(data), Length: len(data)}
	if err := f.dec.Decode(data, ci, &f.p); err != nil {
		f.t.Fatalf("decode: %v", err)
	}
	f.ifc.ProcessPacket(&f.p)
}

func TestTCPConversationCounters(t *testing.T) {
	f := newFeeder(t, "192.168.1.0/24")
	cli, srv := "192.168.1.93", "8.241.92.250"
	frames := []struct {
		data []byte
		c2s  bool
	}{
		{frame(t, cli, srv, 61683, 443, decode.TCPFlagSYN, false, nil), true},
		{frame(t, srv, cli, 443, 61683, decode.TCPFlagSYN|decode.TCPFlagACK, false, nil), false},
		{frame(t, cli, srv, 61683, 443, decode.TCPFlagACK, false, nil), true},
		{frame(t, cli, srv, 61683, 443, decode.TCPFlagACK|decode.TCPFlagPSH, false, make([]byte, 100)), true},
		{frame(t, srv, cli, 443, 61683, decode.TCPFlagACK|decode.TCPFlagPSH, false, make([]byte, 1000)), false},
		{frame(t, cli, srv, 61683, 443, decode.TCPFlagFIN|decode.TCPFlagACK, false, nil), true},
	}
	var c2sBytes, s2cBytes, c2sPkts, s2cPkts, total uint64
	for _, fr := range frames {
		f.feed(fr.data, 100*time.Millisecond)
		total += uint64(len(fr.data))
		// Counted length: the whole frame, Ethernet trailer padding of
		// short frames included (the reference counts it).
		counted := uint64(len(fr.data))
		if fr.c2s {
			c2sBytes += counted
			c2sPkts++
		} else {
			s2cBytes += counted
			s2cPkts++
		}
	}
	f.ifc.EndOfInput()

	flows := f.ifc.Flows(NoFlowFilter())
	if len(flows) != 1 {
		t.Fatalf("flows = %d, want 1", len(flows))
	}
	fl := flows[0]
	if fl.CliIP.String() != cli || fl.CliPort != 61683 || fl.SrvPort != 443 {
		t.Errorf("client/server = %s:%d -> %s:%d", fl.CliIP, fl.CliPort, fl.SrvIP, fl.SrvPort)
	}
	if fl.C2S.Bytes != c2sBytes || fl.S2C.Bytes != s2cBytes || fl.C2S.Packets != c2sPkts || fl.S2C.Packets != s2cPkts {
		t.Errorf("counters c2s %d/%d s2c %d/%d, want %d/%d %d/%d", fl.C2S.Bytes, fl.C2S.Packets, fl.S2C.Bytes, fl.S2C.Packets,
			c2sBytes, c2sPkts, s2cBytes, s2cPkts)
	}
	if fl.C2S.Goodput != 100 || fl.S2C.Goodput != 1000 {
		t.Errorf("goodput %d/%d", fl.C2S.Goodput, fl.S2C.Goodput)
	}
	// spec A.9.1 example: 192.168.1.93:61683 -> 8.241.92.250:443 TCP
	if fl.KeyHash != 3382381902 {
		t.Errorf("key = %d, want 3382381902", fl.KeyHash)
	}
	c := f.ifc.Counters()
	if c.Packets != uint64(len(frames)) || c.Bytes != total+24*uint64(len(frames)) {
		t.Errorf("interface packets/bytes = %d/%d", c.Packets, c.Bytes)
	}
	if c.Local2Remote != c2sBytes || c.Remote2Local != s2cBytes {
		t.Errorf("local2remote/remote2local = %d/%d", c.Local2Remote, c.Remote2Local)
	}
	h, ok := f.ifc.HostDetail(HostKey{IP: netip.MustParseAddr(cli)})
	if !ok {
		t.Fatal("client host missing")
	}
	if !h.Local || h.NetworkID != 0 || !h.Private {
		t.Errorf("client flags local=%v net=%d private=%v", h.Local, h.NetworkID, h.Private)
	}
	if h.Traffic.BytesSent != c2sBytes || h.Traffic.BytesRcvd != s2cBytes || h.TCP.PacketsSent != c2sPkts {
		t.Errorf("host traffic %+v", h.Traffic)
	}
	if h.PktSent.TCPFlags.SYN != 1 || h.PktRcvd.TCPFlags.SYNACK != 1 || h.PktSent.TCPFlags.FINACK != 1 {
		t.Errorf("tcp flags sent %+v rcvd %+v", h.PktSent.TCPFlags, h.PktRcvd.TCPFlags)
	}
	if h.ActiveFlowsAsCli != 1 || h.FlowsAsCli != 1 {
		t.Errorf("flows as client %d/%d", h.ActiveFlowsAsCli, h.FlowsAsCli)
	}
	srvH, _ := f.ifc.HostDetail(HostKey{IP: netip.MustParseAddr(srv)})
	if srvH.Local || srvH.Traffic.BytesSent != s2cBytes {
		t.Errorf("server host local=%v sent=%d", srvH.Local, srvH.Traffic.BytesSent)
	}
	hosts, local := f.ifc.HostCounts(nil)
	if hosts != 2 || local != 1 {
		t.Errorf("host counts %d/%d", hosts, local)
	}
	if got := f.ifc.FlowL4Counts(nil)[6]; got != 1 {
		t.Errorf("l4 counts tcp = %d", got)
	}
}

func TestSwapWithoutHandshake(t *testing.T) {
	f := newFeeder(t, "192.168.1.0/24")
	// The capture starts mid-conversation with a packet from the SSH server.
	f.feed(frame(t, "78.152.105.248", "192.168.1.122", 22, 50513, decode.TCPFlagACK|decode.TCPFlagPSH, false, make([]byte, 40)), 0)
	f.feed(frame(t, "192.168.1.122", "78.152.105.248", 50513, 22, decode.TCPFlagACK, false, nil), time.Millisecond)
	f.feed(frame(t, "78.152.105.248", "192.168.1.122", 22, 50513, decode.TCPFlagACK|decode.TCPFlagPSH, false, make([]byte, 40)), time.Millisecond)
	f.ifc.EndOfInput()
	flows := f.ifc.Flows(NoFlowFilter())
	if len(flows) != 1 {
		t.Fatalf("flows = %d", len(flows))
	}
	fl := flows[0]
	if fl.CliIP.String() != "192.168.1.122" || fl.SrvPort != 22 {
		t.Errorf("after swap client = %s:%d server port %d", fl.CliIP, fl.CliPort, fl.SrvPort)
	}
	// Counters moved with their endpoints: the server sent two packets.
	if fl.S2C.Packets != 2 || fl.C2S.Packets != 1 {
		t.Errorf("c2s %d s2c %d", fl.C2S.Packets, fl.S2C.Packets)
	}
	cli, _ := f.ifc.HostDetail(HostKey{IP: netip.MustParseAddr("192.168.1.122")})
	if cli.ActiveFlowsAsCli != 1 || cli.ActiveFlowsAsSrv != 0 {
		t.Errorf("client host flows %d/%d", cli.ActiveFlowsAsCli, cli.ActiveFlowsAsSrv)
	}
}

func TestDNSTransactionsAreSeparateFlows(t *testing.T) {
	f := newFeeder(t)
	q := func(id byte) []byte {
		// DNS query, id 0x00<id>, RD, one question "example.com" A IN.
		return append([]byte{0x00, id, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
			7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}, 0x00, 0x01, 0x00, 0x01)
	}
	f.feed(frame(t, "10.0.0.1", "10.0.0.53", 40000, 53, 0, true, q(1)), 0)
	f.feed(frame(t, "10.0.0.1", "10.0.0.53", 40000, 53, 0, true, q(2)), time.Millisecond)
	f.ifc.EndOfInput()
	if n := f.ifc.NumFlows(); n != 2 {
		t.Fatalf("flows = %d, want one per DNS transaction", n)
	}
	for _, fl := range f.ifc.Flows(NoFlowFilter()) {
		if fl.Result.Master != dpi.ProtoDNS && fl.Result.App != dpi.ProtoDNS {
			t.Errorf("flow %d classified %+v, want DNS", fl.Serial, fl.Result)
		}
	}
}

func TestMaxFlowsEnforced(t *testing.T) {
	f := newFeeder(t)
	f.ifc.cfg.MaxFlows = 3
	for i := 0; i < 10; i++ {
		f.feed(frame(t, "10.0.0.1", "10.0.0.2", uint16(1000+i), 80, decode.TCPFlagSYN, false, nil), time.Millisecond)
	}
	f.ifc.EndOfInput()
	if n := f.ifc.NumFlows(); n != 3 {
		t.Fatalf("flows = %d, want 3", n)
	}
	if d := f.ifc.Counters().FlowDrops; d != 7 {
		t.Errorf("flow drops = %d, want 7", d)
	}
}

func TestLivePurgeIdleFlows(t *testing.T) {
	f := newFeeder(t)
	f.ifc.cfg.PacketClock = false
	f.feed(frame(t, "10.0.0.1", "10.0.0.2", 1000, 80, decode.TCPFlagSYN, false, nil), 0)
	if f.ifc.NumFlows() != 1 {
		t.Fatal("flow not created")
	}
	// Run housekeeping as if the wall clock were 2 minutes later.
	f.ifc.housekeeping(time.Now().Add(2*time.Minute).UnixMicro(), false)
	if n := f.ifc.NumFlows(); n != 0 {
		t.Errorf("idle flow not purged: %d", n)
	}
	f.ifc.housekeeping(time.Now().Add(10*time.Minute).UnixMicro(), false)
	if n := f.ifc.NumHostsTotal(); n != 0 {
		t.Errorf("idle hosts not purged: %d", n)
	}
}

func TestFileInputNeverPurges(t *testing.T) {
	f := newFeeder(t)
	f.feed(frame(t, "10.0.0.1", "10.0.0.2", 1000, 80, decode.TCPFlagSYN, false, nil), 0)
	// A packet an hour later: with a file input nothing is purged.
	f.feed(frame(t, "10.0.0.3", "10.0.0.4", 1000, 80, decode.TCPFlagSYN, false, nil), time.Hour)
	f.ifc.EndOfInput()
	if n := f.ifc.NumFlows(); n != 2 {
		t.Errorf("flows = %d, want 2", n)
	}
}

func TestHLLSmallCounts(t *testing.T) {
	h := newHLL(8)
	for i := 0; i < 37; i++ {
		a := netip.AddrFrom4([4]byte{10, 0, byte(i), 1}).As4()
		h.add(a[:])
		h.add(a[:]) // duplicates do not count
	}
	if c := h.count(); c < 34 || c > 40 {
		t.Errorf("estimate %d for 37 distinct elements", c)
	}
}

func TestHostNameFallbacks(t *testing.T) {
	cache := NewNameCache(4)
	h := newHost(HostKey{IP: netip.MustParseAddr("2.23.155.233")}, 1, NewLocalNets(nil, nil))
	if got := h.Name(cache); got != "2.23.155.233" {
		t.Errorf("no names: %q", got)
	}
	cache.Learn(netip.MustParseAddr("2.23.155.233"), "ocsp.int-x3.letsencrypt.org")
	if got := h.Name(cache); got != "ocsp.int-x3.letsencrypt.org" {
		t.Errorf("cache: %q", got)
	}
	h.setName(dpi.NameMDNS, "Luca’s iMac")
	if got := h.Name(cache); got != "luca’s imac" {
		t.Errorf("mdns (lower-cased, UTF-8 kept): %q", got)
	}
	for i := 0; i < 10; i++ {
		cache.Learn(netip.AddrFrom4([4]byte{1, 1, 1, byte(i)}), "x")
	}
	if cache.Len() > 4 {
		t.Errorf("cache not bounded: %d", cache.Len())
	}
}

func TestIPKey(t *testing.T) {
	if k := IPKey(netip.MustParseAddr("192.168.1.93")); k != 3232235869 {
		t.Errorf("ipkey = %d", k)
	}
}

func TestTCPSequenceAnalysis(t *testing.T) {
	seg := func(seq uint32, flags uint8, n int) *decode.Packet {
		return &decode.Packet{L4Proto: 6, TCPSeq: seq, TCPFlags: flags, Payload: make([]byte, n)}
	}
	const ack, syn, fin, psh = decode.TCPFlagACK, decode.TCPFlagSYN, decode.TCPFlagFIN, decode.TCPFlagPSH
	cases := []struct {
		name string
		segs []*decode.Packet
		want []uint8
	}{
		{"in order", []*decode.Packet{seg(100, syn|ack, 0), seg(101, ack|psh, 10), seg(111, ack, 0)},
			[]uint8{seqNone, seqNone, seqNone}},
		{"duplicated SYN+ACK", []*decode.Packet{seg(100, syn|ack, 0), seg(100, syn|ack, 0)},
			[]uint8{seqNone, seqRetransmission}},
		{"data retransmitted", []*decode.Packet{seg(1, ack, 100), seg(101, ack, 100), seg(101, ack, 100)},
			[]uint8{seqNone, seqNone, seqRetransmission}},
		{"duplicated FIN is not counted", []*decode.Packet{seg(1, ack, 10), seg(11, fin|ack, 0), seg(11, fin|ack, 0)},
			[]uint8{seqNone, seqNone, seqNone}},
		{"keep-alive", []*decode.Packet{seg(1, ack, 10), seg(10, ack, 1)},
			[]uint8{seqNone, seqKeepAlive}},
		{"gap", []*decode.Packet{seg(1, ack, 10), seg(500, ack, 10)},
			[]uint8{seqNone, seqLost}},
		{"new connection on the same ports", []*decode.Packet{seg(1, ack, 10), seg(90000, syn, 0)},
			[]uint8{seqNone, seqNone}},
	}
	for _, c := range cases {
		var d DirCounters
		for i, s := range c.segs {
			if got := tcpSeqAnalysis(&d, s); got != c.want[i] {
				t.Errorf("%s: segment %d: event %d, want %d", c.name, i, got, c.want[i])
			}
		}
	}
}

func TestTCPFlowStateFilter(t *testing.T) {
	f := newFeeder(t)
	const syn, ack, fin, rst = decode.TCPFlagSYN, decode.TCPFlagACK, decode.TCPFlagFIN, decode.TCPFlagRST
	open := func(cport uint16, last uint8) {
		f.feed(frame(t, "10.0.0.1", "10.0.0.2", cport, 80, syn, false, nil), time.Millisecond)
		f.feed(frame(t, "10.0.0.2", "10.0.0.1", 80, cport, syn|ack, false, nil), time.Millisecond)
		if last != 0 {
			f.feed(frame(t, "10.0.0.1", "10.0.0.2", cport, 80, last, false, nil), time.Millisecond)
		}
	}
	f.feed(frame(t, "10.0.0.1", "10.0.0.2", 1000, 80, syn, false, nil), time.Millisecond) // connecting
	open(1001, ack)                                                                       // established
	open(1002, fin|ack)                                                                   // closed
	open(1003, rst)                                                                       // reset
	f.ifc.EndOfInput()
	for state, port := range map[string]uint16{"connecting": 1000, "established": 1001, "closed": 1002, "reset": 1003} {
		flt := NoFlowFilter()
		flt.TCPState = state
		got := f.ifc.Flows(flt)
		if len(got) != 1 || got[0].CliPort != port {
			t.Errorf("%s: %d flows (%+v), want the one from port %d", state, len(got), got, port)
		}
	}
}
