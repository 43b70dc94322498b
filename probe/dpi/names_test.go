package dpi

import (
	"net/netip"
	"testing"
)

// Host names learned from mDNS responses and the NetBIOS name service.

var (
	namesSender = netip.MustParseAddr("192.168.1.50")
	namesMcast  = netip.MustParseAddr("224.0.0.251")
)

// mdnsLabels encodes a dotted name as DNS labels (no compression).
func mdnsLabels(name string) []byte {
	var out []byte
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			out = append(out, byte(i-start))
			out = append(out, name[start:i]...)
			start = i + 1
		}
	}
	return append(out, 0)
}

// mdnsRR is one uncompressed resource record: owner name, type, class IN
// with the cache-flush bit, TTL 120, and the data.
func mdnsRR(name string, typ uint16, rdata []byte) []byte {
	return netCat(mdnsLabels(name), netBE16(int(typ)), []byte{0x80, 0x01}, netBE32(120), netBE16(len(rdata)), rdata)
}

// mdnsMsg is an mDNS response without questions carrying the records as
// answers.
func mdnsMsg(records ...[]byte) []byte {
	return netCat([]byte{0, 0, 0x84, 0x00, 0, 0}, netBE16(len(records)), []byte{0, 0, 0, 0}, netCat(records...))
}

const dnsTypePTR, dnsTypeSRV = 12, 33

// srvData is the data of an SRV record: priority 0, weight 0, the port and
// the target.
func srvData(port int, target string) []byte {
	return netCat([]byte{0, 0, 0, 0}, netBE16(port), mdnsLabels(target))
}

// txtData is the data of a TXT record with the given items.
func txtData(items ...string) []byte {
	var out []byte
	for _, it := range items {
		out = append(out, byte(len(it)))
		out = append(out, it...)
	}
	return out
}

// mdnsLearn runs one mDNS packet from namesSender through a fresh engine
// and returns what was learned.
func mdnsLearn(t *testing.T, payload []byte) []learned {
	t.Helper()
	r := NewRegistry()
	rec := &recorder{}
	e := NewEngine(r, rec)
	var st State
	e.Inspect(&st, &Packet{L4Proto: 17, Src: namesSender, Dst: namesMcast, SrcPort: 5353, DstPort: 5353, Payload: payload})
	if got := r.Name(st.Result); got != "MDNS" {
		t.Errorf("classified %q, want MDNS", got)
	}
	return rec.calls
}

func sameLearned(got, want []learned) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestMDNSNames(t *testing.T) {
	a := []byte{192, 168, 1, 50}
	tests := []struct {
		name string
		msg  []byte
		want []learned
	}{
		{"printer announcement",
			mdnsMsg(
				mdnsRR("_http._tcp.local", dnsTypePTR, mdnsLabels("HP LaserJet M404._http._tcp.local")),
				mdnsRR("HP LaserJet M404._http._tcp.local", dnsTypeSRV, srvData(80, "NPI5A1B2C.local")),
				mdnsRR("HP LaserJet M404._http._tcp.local", dnsTypeTXT, txtData("txtvers=1", "path=/")),
				mdnsRR("NPI5A1B2C.local", dnsTypeA, a)),
			[]learned{
				{namesSender, "HP LaserJet M404", NameMDNSInfo},
				{namesSender, "hp laserjet m404", NameMDNS}, // the TXT record is the first host record
			}},
		{"service and .local in upper case",
			mdnsMsg(mdnsRR("NAS._SMB._TCP.LOCAL", dnsTypeSRV, srvData(445, "NAS.LOCAL")),
				mdnsRR("NAS.LOCAL", dnsTypeA, a)),
			[]learned{{namesSender, "NAS", NameMDNSInfo}, {namesSender, "nas", NameMDNS}}},
		{"every info service",
			mdnsMsg(mdnsRR("a._sftp-ssh._tcp.local", dnsTypeSRV, srvData(22, "a.local"))),
			[]learned{{namesSender, "a", NameMDNSInfo}}},
		{"privet", mdnsMsg(mdnsRR("b._privet._tcp.local", dnsTypeSRV, srvData(80, "b.local"))),
			[]learned{{namesSender, "b", NameMDNSInfo}}},
		{"afp", mdnsMsg(mdnsRR("c._afpovertcp._tcp.local", dnsTypeSRV, srvData(548, "c.local"))),
			[]learned{{namesSender, "c", NameMDNSInfo}}},
		{"device-info keeps the first only",
			mdnsMsg(mdnsRR("Studio\xc3\xa9._device-info._tcp.local", dnsTypeSRV, srvData(0, "s.local")),
				mdnsRR("Other._http._tcp.local", dnsTypeSRV, srvData(80, "s.local"))),
			[]learned{{namesSender, "Studio  ", NameMDNSInfo}}},
		{"nm= item of a TXT record",
			mdnsMsg(mdnsRR("Kitchen._airplay._tcp.local", dnsTypeTXT, txtData("deviceid=AA", "nm=Kitchen Speaker"))),
			[]learned{{namesSender, "kitchen", NameMDNS}, {namesSender, "kitchen speaker", NameMDNSTXT}}},

		// Near misses for the info text.
		{"service type without instance",
			mdnsMsg(mdnsRR("_http._tcp.local", dnsTypePTR, mdnsLabels("X._http._tcp.local"))), nil},
		{"service not in the list",
			mdnsMsg(mdnsRR("Office._ipp._tcp.local", dnsTypeSRV, srvData(631, "o.local"))), nil},
		{"udp service", mdnsMsg(mdnsRR("D._http._udp.local", dnsTypeSRV, srvData(80, "d.local"))), nil},
		{"suffix not at the end",
			mdnsMsg(mdnsRR("E._http._tcp.local.example", dnsTypeSRV, srvData(80, "e.local"))), nil},
		{"reverse name",
			mdnsMsg(mdnsRR("1.0.ip6.arpa._http._tcp.local", dnsTypeSRV, srvData(80, "e.local"))), nil},

		// The host name: first A/AAAA/TXT record only, then the rules.
		{"ipv4 literal", mdnsMsg(mdnsRR("192.168.1.50.local", dnsTypeA, a), mdnsRR("good.local", dnsTypeA, a)), nil},
		{"ip6.arpa", mdnsMsg(mdnsRR("0.8.e.f.ip6.arpa", dnsTypeAAAA, make([]byte, 16))), nil},
		{"udp service record",
			mdnsMsg(mdnsRR("70-35-60-63.1 Bedroom._sleep-proxy._udp.local", dnsTypeTXT, txtData("x=1"))), nil},
		{"colon", mdnsMsg(mdnsRR("fe80::1.local", dnsTypeA, a)), nil},
		{"star", mdnsMsg(mdnsRR("*.local", dnsTypeA, a)), nil},
		{"comma", mdnsMsg(mdnsRR("a,b.local", dnsTypeA, a)), nil},
		{"almost an ipv4 literal", mdnsMsg(mdnsRR("192.168.1.256.local", dnsTypeA, a)),
			[]learned{{namesSender, "192.168.1.256", NameMDNS}}},
		{"five numbers", mdnsMsg(mdnsRR("1.2.3.4.5.local", dnsTypeA, a)),
			[]learned{{namesSender, "1.2.3.4.5", NameMDNS}}},
	}
	for _, tt := range tests {
		if got := mdnsLearn(t, tt.msg); !sameLearned(got, tt.want) {
			t.Errorf("%s: learned %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMDNSQueryLearnsNothing(t *testing.T) {
	q := netCat([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
		mdnsLabels("Office._http._tcp.local"), []byte{0, dnsTypeSRV, 0, 1},
		mdnsRR("Office._http._tcp.local", dnsTypeSRV, srvData(80, "o.local")))
	if got := mdnsLearn(t, q); len(got) != 0 {
		t.Errorf("query: learned %v", got)
	}
	// Without a learner nothing is reported, nor does anything break.
	e := NewEngine(NewRegistry(), nil)
	var st State
	e.Inspect(&st, &Packet{L4Proto: 17, Src: namesSender, Dst: namesMcast, SrcPort: 5353, DstPort: 5353,
		Payload: mdnsMsg(mdnsRR("A._http._tcp.local", dnsTypeTXT, txtData("nm=A")))})
}

func TestValidLearnedName(t *testing.T) {
	for name, want := range map[string]bool{
		"lucas-imac": true, "1.2.3": true, "1.2.3.4.5": true, "01.2.3.400": true, "a.ip6.arpa.x": true,
		"": false, "1.2.3.4": false, "255.255.255.255": false, "x.ip6.arpa": false, "X.IP6.ARPA": false,
		"s._udp.local": false, "a:b": false, "*": false, "a,b": false,
	} {
		if got := validLearnedName(name); got != want {
			t.Errorf("validLearnedName(%q) = %v", name, got)
		}
		if got := validLearnedName([]byte(name)); got != want {
			t.Errorf("validLearnedName([]byte(%q)) = %v", name, got)
		}
	}
}

// netbiosNS is a NetBIOS name-service message: header (id, flags, counts),
// the encoded name, then the question or record type and class IN, and the
// rest of the record.
func netbiosNS(flags int, qd, an, ar int, name string, suffix byte, rrType int, rest []byte) []byte {
	return netCat(netBE16(0x4242), netBE16(flags), netBE16(qd), netBE16(an), netBE16(0), netBE16(ar),
		netbiosName(name, suffix), netBE16(rrType), netBE16(1), rest)
}

// nbRecord is the rest of an NB record: TTL, RDLENGTH and the entries
// (NB flags and an IPv4 address each).
func nbRecord(addrs ...netip.Addr) []byte {
	rdata := []byte{}
	for _, a := range addrs {
		a4 := a.As4()
		rdata = netCat(rdata, []byte{0x00, 0x00}, a4[:])
	}
	return netCat(netBE32(300000), netBE16(len(rdata)), rdata)
}

func TestNetBIOSNames(t *testing.T) {
	owner := netip.MustParseAddr("192.168.1.77")
	zero := netip.MustParseAddr("0.0.0.0")
	tests := []struct {
		name string
		msg  []byte
		want []learned
	}{
		{"registration",
			netbiosNS(0x2910, 1, 0, 1, "DESKTOP-4F2K", 0x00, 0x20, netCat(netBE16(0xc00c), netBE16(0x20), netBE16(1), nbRecord(namesSender))),
			[]learned{{namesSender, "desktop-4f2k", NameNetBIOS}}},
		{"refresh",
			netbiosNS(0x4010, 1, 0, 1, "NAS", 0x20, 0x20, netCat(netBE16(0xc00c), netBE16(0x20), netBE16(1), nbRecord(namesSender))),
			[]learned{{namesSender, "nas", NameNetBIOS}}},
		{"positive response names the record's address",
			netbiosNS(0x8500, 0, 1, 0, "FILESRV", 0x20, 0x20, nbRecord(owner)),
			[]learned{{owner, "filesrv", NameNetBIOS}}},
		{"positive response without an address names its sender",
			netbiosNS(0x8500, 0, 1, 0, "FILESRV", 0x20, 0x20, netCat(netBE32(300000), netBE16(0))),
			[]learned{{namesSender, "filesrv", NameNetBIOS}}},
		{"positive response with 0.0.0.0 names its sender",
			netbiosNS(0x8500, 0, 1, 0, "FILESRV", 0x20, 0x20, nbRecord(zero)),
			[]learned{{namesSender, "filesrv", NameNetBIOS}}},
		{"truncated record names the sender",
			netbiosNS(0x8500, 0, 1, 0, "FILESRV", 0x20, 0x20, netBE32(300000)),
			[]learned{{namesSender, "filesrv", NameNetBIOS}}},

		// Near misses.
		{"query", netbiosNS(0x0110, 1, 0, 0, "FILESRV", 0x20, 0x20, nil), nil},
		{"negative response", netbiosNS(0x8503, 0, 1, 0, "FILESRV", 0x20, 0x20, nbRecord(owner)), nil},
		{"release", netbiosNS(0x3010, 1, 0, 1, "FILESRV", 0x20, 0x20,
			netCat(netBE16(0xc00c), netBE16(0x20), netBE16(1), nbRecord(namesSender))), nil},
		{"node status response", netbiosNS(0x8400, 0, 1, 0, "FILESRV", 0x20, 0x21, nbRecord(owner)), nil},
		{"ipv4 literal", netbiosNS(0x8500, 0, 1, 0, "10.1.2.3", 0x20, 0x20, nbRecord(owner)), nil},
		{"star", netbiosNS(0x2910, 1, 0, 0, "*SMBSERVER", 0x20, 0x20, nil), nil},
		{"comma", netbiosNS(0x2910, 1, 0, 0, "A,B", 0x00, 0x20, nil), nil},
		{"colon", netbiosNS(0x2910, 1, 0, 0, "A:B", 0x00, 0x20, nil), nil},
		{"blank name", netbiosNS(0x2910, 1, 0, 0, "", 0x00, 0x20, nil), nil},
	}
	for _, tt := range tests {
		r := NewRegistry()
		rec := &recorder{}
		e := NewEngine(r, rec)
		var st State
		e.Inspect(&st, &Packet{L4Proto: 17, Src: namesSender, Dst: netip.MustParseAddr("192.168.1.255"),
			SrcPort: 137, DstPort: 137, Payload: tt.msg})
		if got := r.Name(st.Result); got != "NetBIOS" {
			t.Errorf("%s: classified %q", tt.name, got)
		}
		if !sameLearned(rec.calls, tt.want) {
			t.Errorf("%s: learned %v, want %v", tt.name, rec.calls, tt.want)
		}
	}
}

// countingLearner counts LearnName calls.
type countingLearner struct{ n int }

func (l *countingLearner) LearnName(netip.Addr, string, NameSource) { l.n++ }

func TestNoAllocWithoutNames(t *testing.T) {
	l := &countingLearner{}
	e := NewEngine(NewRegistry(), l)
	a := []byte{192, 168, 1, 50}
	for name, msg := range map[string][]byte{
		"service browse": mdnsMsg(mdnsRR("_http._tcp.local", dnsTypePTR, mdnsLabels("X._http._tcp.local")),
			mdnsRR("_services._dns-sd._udp.local", dnsTypePTR, mdnsLabels("_http._tcp.local"))),
		"rejected host name": mdnsMsg(mdnsRR("192.168.1.50.local", dnsTypeA, a), mdnsRR("Office._ipp._tcp.local", dnsTypeTXT, txtData("x=1"))),
	} {
		var buf [dnsMaxName]byte
		m, ok := parseDNS(msg, &buf)
		if !ok {
			t.Fatalf("%s: not parsed", name)
		}
		if n := testing.AllocsPerRun(100, func() { e.learnMDNS(msg, &m, namesSender) }); n != 0 {
			t.Errorf("%s: learnMDNS allocates %v times", name, n)
		}
		// The whole inspection of the packet does not allocate either.
		st := new(State)
		p := &Packet{L4Proto: 17, Src: namesSender, Dst: namesMcast, SrcPort: 5353, DstPort: 5353, Payload: msg}
		if n := testing.AllocsPerRun(100, func() {
			*st = State{}
			e.Inspect(st, p)
		}); n != 0 {
			t.Errorf("%s: Inspect allocates %v times", name, n)
		}
	}
	if l.n != 0 {
		t.Errorf("learned %d names", l.n)
	}
	// NetBIOS: the learning step alone (the dissector names the flow's
	// server, which allocates).
	resp := netbiosNS(0x8503, 0, 1, 0, "FILESRV", 0x20, 0x20, nbRecord(namesSender))
	query := netbiosNS(0x0110, 1, 0, 0, "FILESRV", 0x20, 0x20, nil)
	pos := netbiosNS(0x8500, 0, 1, 0, "10.1.2.3", 0x20, 0x20, nbRecord(namesSender))
	c := &ctx{e: e, p: &Packet{Src: namesSender}}
	for name, run := range map[string]func(){
		"negative response": func() { netbiosLearn(c, resp, 12+netbiosNameLen+4, 0, true, 0x20, "filesrv") },
		"query":             func() { netbiosLearn(c, query, 12+netbiosNameLen+4, 0, false, 0x20, "filesrv") },
		"rejected name":     func() { netbiosLearn(c, pos, 12+netbiosNameLen+4, 0, true, 0x20, "10.1.2.3") },
	} {
		if n := testing.AllocsPerRun(100, run); n != 0 {
			t.Errorf("netbios %s: %v allocations", name, n)
		}
	}
	if l.n != 0 {
		t.Errorf("learned %d names", l.n)
	}
}
