package dpi

import (
	"net/netip"
	"sync"
	"testing"
)

// learned is one LearnName call.
type learned struct {
	addr netip.Addr
	name string
	src  NameSource
}

// recorder is a Learner that records its calls.
type recorder struct {
	mu    sync.Mutex
	calls []learned
}

func (r *recorder) LearnName(addr netip.Addr, name string, src NameSource) {
	r.mu.Lock()
	r.calls = append(r.calls, learned{addr, name, src})
	r.mu.Unlock()
}

var (
	client   = netip.MustParseAddr("192.168.1.10")
	resolver = netip.MustParseAddr("8.8.8.8")
)

// dnsQueryGoogle is a DNS query for www.google.com, type A.
var dnsQueryGoogle = []byte{
	0x12, 0x34, // id
	0x01, 0x00, // flags: query, recursion desired
	0x00, 0x01, // 1 question
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // no answer, authority, additional
	3, 'w', 'w', 'w', 6, 'g', 'o', 'o', 'g', 'l', 'e', 3, 'c', 'o', 'm', 0,
	0x00, 0x01, // type A
	0x00, 0x01, // class IN
}

// dnsResponseGoogle answers it with 142.250.180.4 (A) and
// 2a00:1450:4002:402::2004 (AAAA); the question name is in mixed case.
var dnsResponseGoogle = []byte{
	0x12, 0x34, // id
	0x81, 0x80, // flags: response, RD, RA, no error
	0x00, 0x01, // 1 question
	0x00, 0x02, // 2 answers
	0x00, 0x00, 0x00, 0x00,
	3, 'W', 'W', 'W', 6, 'G', 'o', 'o', 'g', 'l', 'e', 3, 'c', 'o', 'm', 0,
	0x00, 0x01, 0x00, 0x01,
	// answer 1: name -> offset 12, A, IN, ttl 300, 4 bytes
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
	142, 250, 180, 4,
	// answer 2: name -> offset 12, AAAA, IN, ttl 300, 16 bytes
	0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
	0x2a, 0x00, 0x14, 0x50, 0x40, 0x02, 0x04, 0x02, 0, 0, 0, 0, 0, 0, 0x20, 0x04,
}

// dnsQueryUnknown is a DNS query for host.example.invalid, type AAAA.
var dnsQueryUnknown = []byte{
	0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0,
	0x00, 0x1c, 0x00, 0x01,
}

// mdnsResponse is an mDNS response sent by a Mac: a PTR record for
// _device-info._tcp.local, a TXT record of "Luca’s iMac._device-info._tcp.local"
// with model= and nm= items, and an A record of Lucas-iMac.local.
var mdnsResponse = []byte(
	"\x00\x00\x84\x00" + // id 0, flags: response, authoritative
		"\x00\x00\x00\x03\x00\x00\x00\x00" + // 0 questions, 3 answers
		// answer 1 at offset 12: _device-info._tcp.local PTR
		"\x0c_device-info\x04_tcp\x05local\x00" +
		"\x00\x0c\x00\x01\x00\x00\x11\x94\x00\x10" + // PTR, IN, ttl 4500, 16 bytes
		"\x0dLuca\xe2\x80\x99s iMac\xc0\x0c" +
		// answer 2: "Luca’s iMac" + pointer to offset 12, TXT
		"\x0dLuca\xe2\x80\x99s iMac\xc0\x0c" +
		"\x00\x10\x80\x01\x00\x00\x11\x94\x00\x1e" + // TXT, cache-flush IN, 30 bytes
		"\x0cmodel=iMac19" +
		"\x10nm=Luca\xe2\x80\x99s iMac" +
		// answer 3: Lucas-iMac.local A 192.168.1.93
		"\x0aLucas-iMac\x05local\x00" +
		"\x00\x01\x80\x01\x00\x00\x00\x78\x00\x04" +
		"\xc0\xa8\x01\x5d")

func dnsPacket(payload []byte, dir Direction) *Packet {
	p := &Packet{L4Proto: 17, Src: client, Dst: resolver, SrcPort: 53000, DstPort: 53, Payload: payload}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
		p.Dir = ServerToClient
	}
	return p
}

func TestDNSQueryResponse(t *testing.T) {
	r := NewRegistry()
	rec := &recorder{}
	e := NewEngine(r, rec)
	var st State
	e.Inspect(&st, dnsPacket(dnsQueryGoogle, ClientToServer))
	if got := r.Name(st.Result); got != "DNS.Google" {
		t.Errorf("name after query = %q, want DNS.Google", got)
	}
	if st.Done {
		t.Error("done before the response")
	}
	if st.ServerName != "www.google.com" || st.DNSQueryType != 1 {
		t.Errorf("server name %q, qtype %d", st.ServerName, st.DNSQueryType)
	}
	if st.Result.Confidence != ConfidenceDPI || st.Result.Category != 5 {
		t.Errorf("result %+v", st.Result)
	}
	e.Inspect(&st, dnsPacket(dnsResponseGoogle, ServerToClient))
	if !st.Done {
		t.Error("not done after the response")
	}
	want := []learned{
		{netip.MustParseAddr("142.250.180.4"), "www.google.com", NameResolved},
		{netip.MustParseAddr("2a00:1450:4002:402::2004"), "www.google.com", NameResolved},
	}
	if len(rec.calls) != len(want) {
		t.Fatalf("learned %v, want %v", rec.calls, want)
	}
	for i := range want {
		if rec.calls[i] != want[i] {
			t.Errorf("learned[%d] = %v, want %v", i, rec.calls[i], want[i])
		}
	}
	if StatsProto(st.Result) != ProtoDNS || CounterProto(st.Result) != 126 {
		t.Errorf("stats/counter proto of %+v", st.Result)
	}
}

func TestDNSVariants(t *testing.T) {
	r := NewRegistry()
	tests := []struct {
		name    string
		pkt     *Packet
		want    string
		server  string
		qtype   uint16
		learned int
	}{
		{"unknown name", dnsPacket(dnsQueryUnknown, ClientToServer), "DNS", "host.example.invalid", 28, 0},
		{"response only", dnsPacket(dnsResponseGoogle, ServerToClient), "DNS.Google", "www.google.com", 1, 2},
		{"tcp", &Packet{L4Proto: 6, Src: client, Dst: resolver, SrcPort: 40000, DstPort: 53,
			Payload: append([]byte{0, byte(len(dnsResponseGoogle))}, dnsResponseGoogle...)}, "DNS.Google", "www.google.com", 1, 2},
		{"llmnr", &Packet{L4Proto: 17, Src: client, Dst: netip.MustParseAddr("224.0.0.252"), SrcPort: 50000, DstPort: 5355,
			Payload: dnsQueryUnknown}, "LLMNR", "host.example.invalid", 28, 0},
	}
	for _, tt := range tests {
		rec := &recorder{}
		e := NewEngine(r, rec)
		var st State
		e.Inspect(&st, tt.pkt)
		if got := r.Name(st.Result); got != tt.want || st.ServerName != tt.server || st.DNSQueryType != tt.qtype {
			t.Errorf("%s: %q server %q qtype %d", tt.name, got, st.ServerName, st.DNSQueryType)
		}
		if len(rec.calls) != tt.learned {
			t.Errorf("%s: learned %v", tt.name, rec.calls)
		}
	}
}

func TestMDNS(t *testing.T) {
	r := NewRegistry()
	rec := &recorder{}
	e := NewEngine(r, rec)
	mac := netip.MustParseAddr("192.168.1.93")
	var st State
	e.Inspect(&st, &Packet{L4Proto: 17, Src: mac, Dst: netip.MustParseAddr("224.0.0.251"),
		SrcPort: 5353, DstPort: 5353, Payload: mdnsResponse})
	if got := r.Name(st.Result); got != "MDNS" || !st.Done {
		t.Errorf("name %q done %v", got, st.Done)
	}
	want := []learned{
		{mac, "luca’s imac", NameMDNS},
		{mac, "Luca   s iMac", NameMDNSInfo}, // the 3 bytes of ’ become spaces
		{mac, "luca’s imac", NameMDNSTXT},
	}
	if len(rec.calls) != len(want) || rec.calls[0] != want[0] || rec.calls[1] != want[1] || rec.calls[2] != want[2] {
		t.Errorf("learned %v, want %v", rec.calls, want)
	}
}

func TestMDNSHostName(t *testing.T) {
	for in, want := range map[string]string{
		"lucas-imac.local":                    "lucas-imac",
		"luca’s imac._device-info._tcp.local": "luca’s imac",
		"printer._ipp._tcp.local":             "printer",
		"._weird.local":                       "._weird",
		"host.example.com":                    "host.example.com",
		".local":                              "",
	} {
		if got := mdnsHostName(in); got != want {
			t.Errorf("mdnsHostName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDNSMalformed(t *testing.T) {
	var buf [dnsMaxName]byte
	tests := map[string][]byte{
		"short":        {0x12, 0x34, 0x01},
		"pointer loop": {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1},
		"forward ptr":  {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x20, 0, 1, 0, 1},
		"label past":   {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a', 'b'},
		"bad label":    {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 1, 0, 1},
		"no qtype":     {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0},
		"bad opcode":   {0, 0, 0x78, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1},
		"no records":   {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"many qs":      {0, 0, 1, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1},
	}
	for name, msg := range tests {
		if _, ok := parseDNS(msg, &buf); ok {
			t.Errorf("%s: parsed", name)
		}
	}
	// A name longer than 255 bytes is rejected.
	long := []byte{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for i := 0; i < 5; i++ {
		long = append(long, 63)
		for j := 0; j < 63; j++ {
			long = append(long, 'a')
		}
	}
	long = append(long, 0, 0, 1, 0, 1)
	if _, ok := parseDNS(long, &buf); ok {
		t.Error("overlong name parsed")
	}
	// Truncated answers are ignored, not fatal.
	rec := &recorder{}
	e := NewEngine(NewRegistry(), rec)
	var st State
	e.Inspect(&st, dnsPacket(dnsResponseGoogle[:len(dnsResponseGoogle)-20], ServerToClient))
	if len(rec.calls) != 1 {
		t.Errorf("truncated response: learned %v", rec.calls)
	}
}

func FuzzDNS(f *testing.F) {
	f.Add(dnsQueryGoogle)
	f.Add(dnsResponseGoogle)
	f.Add(dnsQueryUnknown)
	f.Add(mdnsResponse)
	e := NewEngine(NewRegistry(), &recorder{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var buf [dnsMaxName]byte
		if m, ok := parseDNS(b, &buf); ok {
			dnsAnswers(b, &m, false, func(r dnsRecord) bool {
				dnsReadName(b, r.nameOff, &buf)
				dnsAnswerAddr(r)
				txtItem(r.rdata, "nm=")
				return true
			})
		}
		for _, port := range []uint16{53, 5353, 5355} {
			for _, l4 := range []uint8{6, 17} {
				var st State
				e.Inspect(&st, &Packet{L4Proto: l4, Src: client, Dst: resolver, SrcPort: port, DstPort: port, Payload: b})
			}
		}
	})
}

// mdnsCompanionAnnounce is an unsolicited mDNS response as macOS sends it:
// no question, one PTR answer, and the host's records (TXT, A) in the
// additional section.
var mdnsCompanionAnnounce = []byte{
	0x00, 0x00, // id
	0x84, 0x00, // flags: response, authoritative
	0x00, 0x00, 0x00, 0x01, // 0 questions, 1 answer
	0x00, 0x00, 0x00, 0x02, // 0 authority, 2 additional
	// answer: _companion-link._tcp.local PTR Luca’s iMac._companion-link._tcp.local
	15, '_', 'c', 'o', 'm', 'p', 'a', 'n', 'i', 'o', 'n', '-', 'l', 'i', 'n', 'k',
	4, '_', 't', 'c', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0,
	0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x11, 0x94, // PTR IN ttl 4500
	0x00, 0x10, // rdlength 16
	13, 'L', 'u', 'c', 'a', 0xe2, 0x80, 0x99, 's', ' ', 'i', 'M', 'a', 'c', 0xc0, 12, // "Luca’s iMac" + pointer
	// additional: Luca’s iMac._companion-link._tcp.local TXT "rpBA=1"
	0xc0, 50, 0x00, 0x10, 0x80, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 0x07,
	6, 'r', 'p', 'B', 'A', '=', '1',
	// additional: Luca’s iMac.local A 192.168.1.93
	0xc0, 50, 0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 192, 168, 1, 93,
}

func TestMDNSNameFromAdditionalRecords(t *testing.T) {
	rec := &recorder{}
	e := NewEngine(NewRegistry(), rec)
	var st State
	src := netip.MustParseAddr("192.168.1.93")
	e.Inspect(&st, &Packet{L4Proto: 17, Src: src, Dst: netip.MustParseAddr("192.168.1.28"), SrcPort: 5353, DstPort: 5353,
		Payload: mdnsCompanionAnnounce})
	var got []learned
	for _, c := range rec.calls {
		if c.src == NameMDNS {
			got = append(got, c)
		}
	}
	if len(got) != 1 || got[0].addr != src || got[0].name != "luca’s imac" {
		t.Fatalf("learned %+v, want the sender named %q", rec.calls, "luca’s imac")
	}
}
