package dpi

import (
	"github.com/ntopng-go/ntopng/probe/synth"
	"net/netip"
	"testing"
)

func TestPortGuess(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	tests := []struct {
		l4       uint8
		cli, srv uint16
		want     string
		conf     Confidence
	}{
		{6, 50000, 22, "SSH", ConfidenceMatchByPort},
		{6, 50000, 25, "SMTP", ConfidenceMatchByPort},
		{6, 50000, 80, "HTTP", ConfidenceMatchByPort},
		{6, 50000, 443, "TLS", ConfidenceMatchByPort},
		{6, 50000, 3389, "RDP", ConfidenceMatchByPort},
		{17, 123, 123, "NTP", ConfidenceMatchByPort},
		{17, 68, 67, "DHCP", ConfidenceMatchByPort},
		{17, 137, 137, "NetBIOS", ConfidenceMatchByPort},
		{17, 138, 138, "NetBIOS", ConfidenceMatchByPort},
		{17, 50000, 161, "SNMP", ConfidenceMatchByPort},
		{17, 50000, 1900, "SSDP", ConfidenceMatchByPort},
		{17, 5353, 5353, "MDNS", ConfidenceMatchByPort},
		{17, 50000, 443, "QUIC", ConfidenceMatchByPort},
		{6, 22, 50000, "SSH", ConfidenceMatchByPort}, // client port as a fallback
		{6, 50000, 50001, "Unknown", ConfidenceUnknown},
		{1, 0, 0, "ICMP", ConfidenceMatchByIP},
		{58, 0, 0, "ICMPV6", ConfidenceMatchByIP},
		{99, 0, 0, "Unknown", ConfidenceUnknown},
	}
	for _, tt := range tests {
		var st State
		e.Finalize(&st, tt.l4, tt.cli, tt.srv)
		if got := r.Name(st.Result); got != tt.want || st.Result.Confidence != tt.conf || !st.Done {
			t.Errorf("%d %d->%d: %q conf %d done %v, want %q", tt.l4, tt.cli, tt.srv, got,
				st.Result.Confidence, st.Done, tt.want)
		}
	}
}

func TestGiveUpAfterPayload(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	var st State
	p := &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 443,
		Payload: []byte("\x00\x01garbage")}
	// Every dissector rules the payload out within a few packets; the flow
	// is then given up at once rather than at the end of the budget.
	for i := 0; i < 4 && !st.Done; i++ {
		e.Inspect(&st, p)
	}
	if !st.Done || r.Name(st.Result) != "TLS" || st.Result.Confidence != ConfidenceMatchByPort {
		t.Errorf("after giving up: %+v", st)
	}
	// Finalize after Done changes nothing.
	e.Finalize(&st, 6, 40000, 22)
	if r.Name(st.Result) != "TLS" {
		t.Error("Finalize overrode a finished classification")
	}
	// Empty packets do not count.
	var st2 State
	for i := 0; i < 100; i++ {
		e.Inspect(&st2, &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 443})
	}
	if st2.Done {
		t.Error("empty packets ended the inspection")
	}
}

func TestDPIBeatsPort(t *testing.T) {
	// An HTTP request on port 443 is HTTP; Finalize keeps what DPI found.
	r := NewRegistry()
	e := NewEngine(r, nil)
	var st State
	e.Inspect(&st, &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 443,
		Payload: []byte("GET / HTTP/1.1\r\nHost: example.net\r\n\r\n")})
	e.Finalize(&st, 6, 40000, 443)
	if r.Name(st.Result) != "HTTP" || st.Result.Confidence != ConfidenceDPI || !st.Done {
		t.Errorf("%+v", st)
	}
}

func TestICMPFirstPacket(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	var st State
	e.Inspect(&st, &Packet{L4Proto: 1, Src: client, Dst: resolver, Payload: []byte{8, 0, 0, 0}})
	if r.Name(st.Result) != "ICMP" || !st.Done || st.Result.Category != 14 {
		t.Errorf("%+v", st)
	}
}

func TestCustomRules(t *testing.T) {
	r := NewRegistry()
	if err := r.LoadCustomProtocols(writeFile(t, referenceProtos+
		"ip:172.16.0.0/12@SSH\ntcp:2222@SSH\n")); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(r, nil)
	tests := []struct {
		name string
		pkt  *Packet
		want string
		conf Confidence
		done bool
	}{
		{"sni substring", tlsPacket(tlsRecords(clientHello("cdn.charles.example.com", 0, false), 1<<14)),
			"TLS.Charles", ConfidenceDPI, false},
		{"dns query", dnsPacket(synth.DNSQuery(1, "lando.example.net", 1), ClientToServer),
			"DNS.Lando", ConfidenceDPI, false},
		{"http host", httpPacket([]byte("GET / HTTP/1.1\r\nHost: www.sebastian.org\r\n\r\n"), ClientToServer),
			"HTTP.Sebastian", ConfidenceDPI, false},
		{"host rule on built-in", tlsPacket(tlsRecords(clientHello("www.example.org", 0, false), 1<<14)),
			"TLS.Facebook", ConfidenceDPI, false},
		{"ip rule", &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("10.1.2.3"), SrcPort: 40000, DstPort: 9999},
			"Intranet", ConfidenceCustomRule, true},
		{"ip rule, reverse", &Packet{L4Proto: 17, Src: netip.MustParseAddr("10.1.2.3"), Dst: client, SrcPort: 9999, DstPort: 40000, Dir: ServerToClient},
			"Intranet", ConfidenceCustomRule, true},
		{"ip+port rule", &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("192.0.2.1"), SrcPort: 40000, DstPort: 8443},
			"Intranet", ConfidenceCustomRule, true},
		{"ip+port rule, other port", &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("192.0.2.1"), SrcPort: 40000, DstPort: 8444},
			"Unknown", ConfidenceUnknown, false},
		{"ipv6 rule", &Packet{L4Proto: 6, Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), SrcPort: 40000, DstPort: 443},
			"Intranet", ConfidenceCustomRule, true},
		{"tcp port rule", &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 8080},
			"Intranet", ConfidenceCustomRule, true},
		{"udp port range", &Packet{L4Proto: 17, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 5005},
			"Game_Server", ConfidenceCustomRule, true},
		{"udp port range, tcp", &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 5005},
			"Unknown", ConfidenceUnknown, false},
	}
	for _, tt := range tests {
		var st State
		e.Inspect(&st, tt.pkt)
		if got := r.Name(st.Result); got != tt.want || st.Result.Confidence != tt.conf || st.Done != tt.done {
			t.Errorf("%s: %q conf %d done %v, want %q %d %v", tt.name, got, st.Result.Confidence, st.Done,
				tt.want, tt.conf, tt.done)
		}
	}
	// Rules naming built-in protocols are fallbacks, not overrides.
	var st State
	e.Inspect(&st, &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("172.16.5.5"), SrcPort: 40000, DstPort: 443,
		Payload: tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14)})
	if got := r.Name(st.Result); got != "TLS.Facebook" {
		t.Errorf("built-in ip rule overrode DPI: %q", got)
	}
	st = State{}
	e.Inspect(&st, &Packet{L4Proto: 6, Src: client, Dst: netip.MustParseAddr("172.16.5.5"), SrcPort: 40000, DstPort: 443})
	e.Finalize(&st, 6, 40000, 443)
	if got := r.Name(st.Result); got != "SSH" || st.Result.Confidence != ConfidenceMatchByIP {
		t.Errorf("built-in ip rule fallback: %q conf %d", got, st.Result.Confidence)
	}
	st = State{}
	e.Finalize(&st, 6, 40000, 2222)
	if got := r.Name(st.Result); got != "SSH" || st.Result.Confidence != ConfidenceMatchByPort {
		t.Errorf("built-in port rule fallback: %q conf %d", got, st.Result.Confidence)
	}
}

func TestNoAllocWhenDone(t *testing.T) {
	e := NewEngine(NewRegistry(), nil)
	st := State{Done: true}
	p := tlsPacket(tlsRecords(clientHello("www.facebook.com", 0, false), 1<<14))
	if n := testing.AllocsPerRun(100, func() { e.Inspect(&st, p) }); n != 0 {
		t.Errorf("Inspect on a finished flow allocates %v times", n)
	}
	// Unmatched payloads do not allocate either.
	p = &Packet{L4Proto: 6, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 5555,
		Payload: []byte("\x00\x01\x02 some binary protocol")}
	fresh := new(State) // flows live on the heap; only Inspect's own allocations count
	if n := testing.AllocsPerRun(100, func() {
		*fresh = State{}
		e.Inspect(fresh, p)
	}); n != 0 {
		t.Errorf("Inspect of an unmatched payload allocates %v times", n)
	}
}

func TestMatchHostTable(t *testing.T) {
	for name, want := range map[string]ProtoID{
		"www.google.com": 126, "www.google.it": 126, "google.com": 126,
		"fonts.googleapis.com": 239, "mtalk.google.com": 239, "r3---sn-a5m.googlevideo.com": 124,
		"upload.youtube.com": 136, "scontent.xx.fbcdn.net": 337, "static.fbcdn.net": 119, "fbcdn-profile-a.akamaihd.net": 119,
		"short.weixin.qq.com": 48, "instagram.faae1-1.fna.fbcdn.net": 211, "teams.microsoft.com": 250, "github.com": 203,
		"ocsp.digicert.com": 63, "www.ntop.org": 26, "ntop.org.": 26, "t.co": 120,
		"microsoft.co": 0, "notgoogle.com": 0, "example.com": 0, "": 0, "com": 0,
		"s3.amazonaws.com": 265, "www.amazon.de": 178,
	} {
		if id, _ := matchHostTable(name); id != want {
			t.Errorf("matchHostTable(%q) = %d, want %d", name, id, want)
		}
	}
}

func TestSignatures(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	tests := []struct {
		name string
		pkt  *Packet
		want string
	}{
		// SSH server identification string.
		{"ssh", &Packet{L4Proto: 6, Src: webServer, Dst: client, SrcPort: 2022, DstPort: 40000, Dir: ServerToClient,
			Payload: []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")}, "SSH"},
		{"not quic", &Packet{L4Proto: 17, Src: client, Dst: webServer, SrcPort: 40000, DstPort: 4444,
			Payload: []byte{0xc3, 0, 0, 0, 9, 8, 1, 2, 3}}, "Unknown"},
	}
	for _, tt := range tests {
		var st State
		e.Inspect(&st, tt.pkt)
		if got := r.Name(st.Result); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
