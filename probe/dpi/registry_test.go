package dpi

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestBuiltinTable(t *testing.T) {
	r := NewRegistry()
	ps := r.Protocols()
	if len(ps) != 432 {
		t.Fatalf("built-in protocols: got %d, want 432", len(ps))
	}
	for i, p := range ps {
		if int(p.ID) != i {
			t.Fatalf("Protocols()[%d] has id %d", i, p.ID)
		}
		if p.Custom {
			t.Errorf("%s is marked custom", p.Name)
		}
	}
	tests := []struct {
		id   ProtoID
		name string
		cat  CategoryID
	}{
		{0, "Unknown", 0}, {1, "FTP_CONTROL", 7}, {ProtoDNS, "DNS", 14},
		{ProtoHTTP, "HTTP", 5}, {ProtoMDNS, "MDNS", 14}, {ProtoNTP, "NTP", 18},
		{ProtoNetBIOS, "NetBIOS", 18}, {ProtoDHCP, "DHCP", 14}, {ProtoTLS, "TLS", 5},
		{ProtoSSH, "SSH", 12}, {ProtoQUIC, "QUIC", 5}, {119, "Facebook", 6},
		{126, "Google", 5}, {239, "GoogleServices", 5}, {265, "AmazonAWS", 13},
		{26, "ntop", 14}, {107, "ADS_Analytic_Track", 101}, {431, "DingTalk", 9},
	}
	for _, tt := range tests {
		p := r.Protocol(tt.id)
		if p.ID != tt.id || p.Name != tt.name || p.Category != tt.cat {
			t.Errorf("Protocol(%d) = %+v, want %s cat %d", tt.id, *p, tt.name, tt.cat)
		}
	}
}

func TestBreeds(t *testing.T) {
	r := NewRegistry()
	anchors := map[string]Breed{
		"TLS": BreedSafe, "HTTP": BreedAcceptable, "DNS": BreedAcceptable,
		"MDNS": BreedAcceptable, "Facebook": BreedFun, "Google": BreedAcceptable,
		"GoogleServices": BreedAcceptable, "AmazonAWS": BreedAcceptable,
		"Azure": BreedAcceptable, "Cloudflare": BreedAcceptable,
		"GoogleCloud": BreedAcceptable, "ntop": BreedSafe, "Unknown": BreedUnrated,
		"SMBv1": BreedDangerous, "Tor": BreedPotentiallyDangerous,
		"Telnet": BreedUnsafe, "YandexDirect": BreedTrackerAds,
	}
	for name, want := range anchors {
		p, ok := r.ByName(name)
		if !ok {
			t.Errorf("%s not found", name)
			continue
		}
		if p.Breed != want {
			t.Errorf("%s breed %v, want %v", name, p.Breed, want)
		}
	}
}

func TestBreedString(t *testing.T) {
	want := []string{"Safe", "Acceptable", "Fun", "Unsafe", "Potentially Dangerous",
		"Tracker/Ads", "Dangerous", "Unrated"}
	for i, w := range want {
		if got := Breed(i).String(); got != w {
			t.Errorf("Breed(%d) = %q, want %q", i, got, w)
		}
		if b, ok := ParseBreed(strings.ToUpper(w)); !ok || b != Breed(i) {
			t.Errorf("ParseBreed(%q) = %v, %v", w, b, ok)
		}
	}
	if got := Breed(200).String(); got != "Unrated" {
		t.Errorf("out of range breed: %q", got)
	}
	if _, ok := ParseBreed("Evil"); ok {
		t.Error("ParseBreed accepted an unknown breed")
	}
}

func TestCategories(t *testing.T) {
	r := NewRegistry()
	cs := r.Categories()
	if len(cs) != 44 {
		t.Fatalf("categories: got %d, want 44", len(cs))
	}
	for i := 1; i < len(cs); i++ {
		if cs[i].ID <= cs[i-1].ID {
			t.Fatalf("categories not sorted at %d", i)
		}
	}
	for id, want := range map[CategoryID]string{
		0: "Unspecified", 5: "Web", 20: "User custom category 1",
		24: "User custom category 5", 34: "AdultContent", 99: "Mining",
		102: "Banned Site", 103: "Site Unavailable", 104: "Allowed Site",
		106: "Crypto_Currency", 107: "Gambling", 50: "",
	} {
		if got := r.CategoryName(id); got != want {
			t.Errorf("CategoryName(%d) = %q, want %q", id, got, want)
		}
	}
}

func TestLookups(t *testing.T) {
	r := NewRegistry()
	if p := r.Protocol(60000); p == nil || p.ID != ProtoUnknown {
		t.Errorf("Protocol(60000) = %v, want Unknown", p)
	}
	for _, name := range []string{"facebook", "FACEBOOK", "FaceBook"} {
		if p, ok := r.ByName(name); !ok || p.ID != 119 {
			t.Errorf("ByName(%q) = %v, %v", name, p, ok)
		}
	}
	if _, ok := r.ByName("NoSuchProtocol"); ok {
		t.Error("ByName found a missing protocol")
	}
	// Protocols returns a copy.
	ps := r.Protocols()
	ps[0] = nil
	if r.Protocol(0) == nil {
		t.Error("Protocols() exposed the registry's slice")
	}
}

func TestNames(t *testing.T) {
	r := NewRegistry()
	tests := []struct {
		res           Result
		name          string
		stats, counte ProtoID
	}{
		{Result{App: ProtoTLS}, "TLS", ProtoTLS, ProtoTLS},
		{Result{Master: ProtoTLS}, "TLS", ProtoTLS, ProtoTLS},
		{Result{Master: ProtoTLS, App: 119}, "TLS.Facebook", 119, 119},
		{Result{Master: ProtoTLS, App: 265}, "TLS.AmazonAWS", 265, 265},
		{Result{Master: ProtoHTTP, App: 63}, "HTTP.OCSP", 63, 63},
		{Result{App: ProtoDNS}, "DNS", ProtoDNS, ProtoDNS},
		{Result{Master: ProtoDNS, App: ProtoDNS}, "DNS", ProtoDNS, ProtoDNS},
		{Result{Master: ProtoDNS, App: 126}, "DNS.Google", ProtoDNS, 126},
		{Result{}, "Unknown", ProtoUnknown, ProtoUnknown},
	}
	for _, tt := range tests {
		if got := r.Name(tt.res); got != tt.name {
			t.Errorf("Name(%+v) = %q, want %q", tt.res, got, tt.name)
		}
		if got := StatsProto(tt.res); got != tt.stats {
			t.Errorf("StatsProto(%s) = %d, want %d", tt.name, got, tt.stats)
		}
		if got := CounterProto(tt.res); got != tt.counte {
			t.Errorf("CounterProto(%s) = %d, want %d", tt.name, got, tt.counte)
		}
	}
	if c := r.CategoryOf(Result{Master: ProtoTLS, App: 119}); c != 6 {
		t.Errorf("category of TLS.Facebook = %d, want 6 (SocialNetwork)", c)
	}
	if c := r.CategoryOf(Result{Master: ProtoDNS}); c != 14 {
		t.Errorf("category of DNS master = %d, want 14", c)
	}
	if !(Result{Master: ProtoDNS, App: 126}).Is(ProtoDNS) || (Result{App: ProtoTLS}).Lower() != ProtoTLS {
		t.Error("Is/Lower")
	}
}

func TestBrokenTablePanics(t *testing.T) {
	bad := map[string]string{
		"fields":   "0\tUnknown\t0\n",
		"order":    "1\tFoo\t0\tSafe\n",
		"breed":    "0\tUnknown\t0\tGreat\n",
		"category": "0\tUnknown\tx\tSafe\n",
		"name":     "0\t\t0\tSafe\n",
		"empty":    "# nothing\n",
	}
	for name, data := range bad {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			mustParse(parseProtocols([]byte(data)))
		})
	}
	if _, err := parseCategories([]byte("5\tWeb\n1\tMedia\n")); err == nil {
		t.Error("unsorted categories accepted")
	}
	if _, err := parseProtocols(protocolsTSV); err != nil {
		t.Errorf("embedded protocols: %v", err)
	}
	if _, err := parseCategories(categoriesTSV); err != nil {
		t.Errorf("embedded categories: %v", err)
	}
}

// TestAppendix compares the tables with the spec appendix, when available.
func TestAppendix(t *testing.T) {
	f, err := os.Open("/work/shared/spec/appendix-consts.md")
	if err != nil {
		t.Skip("spec appendix not available")
	}
	defer f.Close()
	r := NewRegistry()
	row := regexp.MustCompile("^\\| (\\d+) \\| `([^`]+)` \\| (\\d+) \\|")
	catRow := regexp.MustCompile("^\\| (\\d+) \\| `([^`]+)` \\| \\d+ \\|")
	section := ""
	nProto, nCat := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "### ") {
			section = line
			continue
		}
		switch {
		case strings.HasPrefix(section, "### 2.2"):
			m := row.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			id, _ := strconv.Atoi(m[1])
			cat, _ := strconv.Atoi(m[3])
			if id > 431 {
				continue
			}
			nProto++
			p := r.Protocol(ProtoID(id))
			if p.Name != m[2] || int(p.Category) != cat {
				t.Errorf("id %d: got %s/%d, appendix %s/%d", id, p.Name, p.Category, m[2], cat)
			}
		case strings.HasPrefix(section, "### 3.2"):
			m := catRow.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			id, _ := strconv.Atoi(m[1])
			nCat++
			if got := r.CategoryName(CategoryID(id)); got != m[2] {
				t.Errorf("category %d: got %q, appendix %q", id, got, m[2])
			}
		}
	}
	if nProto != 432 || nCat != 44 {
		t.Errorf("compared %d protocols and %d categories", nProto, nCat)
	}
}

// TestTablesUseKnownIDs checks the engine's tables against the registry.
func TestTablesUseKnownIDs(t *testing.T) {
	r := NewRegistry()
	n := len(r.Protocols())
	check := func(what string, id ProtoID) {
		if id == ProtoUnknown || int(id) >= n {
			t.Errorf("%s: bad id %d", what, id)
		}
	}
	seen := map[string]bool{}
	for _, g := range hostGroups {
		for _, h := range g.hosts {
			if seen[h] {
				t.Errorf("host pattern %q listed twice", h)
			}
			seen[h] = true
			check(h, g.id)
		}
	}
	for port, id := range loadedPorts().tcp {
		check("tcp/"+strconv.Itoa(int(port)), id)
	}
	for port, id := range loadedPorts().udp {
		check("udp/"+strconv.Itoa(int(port)), id)
	}
	for proto, id := range ipProtocols {
		check("ip proto "+strconv.Itoa(int(proto)), id)
	}
	for id, name := range map[ProtoID]string{protoHTTPConnect: "HTTP_Connect", protoLLMNR: "LLMNR"} {
		if got := r.Protocol(id).Name; got != name {
			t.Errorf("id %d is %s, want %s", id, got, name)
		}
	}
}

const referenceProtos = `# Reference scenario custom protocols
host:"charles"@Charles
host:"sebastian"@Sebastian

  host:"lando"@Lando
ip:10.1.2.0/24,tcp:8080@Intranet
udp:5000-5010 , udp:6000@Game Server
host:example.org@facebook
ipv6:[2001:db8::/32]:443,ip:192.0.2.1:8443@Intranet
ip_risk_mask:192.168.1.0/24=0
host:"x"@Tagged=1234
`

func writeFile(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "protos.txt")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadCustomProtocols(t *testing.T) {
	r := NewRegistry()
	if err := r.LoadCustomProtocols(writeFile(t, referenceProtos)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id   ProtoID
		name string
	}{{432, "Charles"}, {433, "Sebastian"}, {434, "Lando"}, {435, "Intranet"},
		{436, "Game_Server"}, {437, "Tagged"}}
	ps := r.Protocols()
	if len(ps) != 438 {
		t.Fatalf("got %d protocols, want 438", len(ps))
	}
	for _, w := range want {
		p := r.Protocol(w.id)
		if p.Name != w.name || !p.Custom || p.Category != 0 || p.Breed != CustomBreed {
			t.Errorf("Protocol(%d) = %+v, want custom %s", w.id, *p, w.name)
		}
		if q, ok := r.ByName(strings.ToUpper(w.name)); !ok || q != p {
			t.Errorf("ByName(%s) = %v", w.name, q)
		}
	}
	if p := r.Protocol(119); p.Custom || p.Name != "Facebook" {
		t.Errorf("reused protocol changed: %+v", *p)
	}
	d := r.snap()
	if id, ok := d.matchHost("www.example.org"); !ok || id != 119 {
		t.Errorf("host rule reusing Facebook: %d %v", id, ok)
	}
	if len(d.ipRules) != 3 || len(d.portRules) != 3 || len(d.hostRules) != 5 {
		t.Errorf("rules: %d ip, %d port, %d host", len(d.ipRules), len(d.portRules), len(d.hostRules))
	}
	// Loading more appends after the highest id.
	if err := r.LoadCustomProtocols(writeFile(t, "host:\"more\"@More\nhost:\"c2\"@charles\n")); err != nil {
		t.Fatal(err)
	}
	if p, _ := r.ByName("More"); p == nil || p.ID != 438 {
		t.Errorf("More = %v", p)
	}
	if p, _ := r.ByName("Charles"); p.ID != 432 {
		t.Errorf("Charles moved to %d", p.ID)
	}
}

func TestLoadCustomProtocolsErrors(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{"host:\"a\"@A\n# ok\nhost:\"b\"\n", ":3: missing @"},
		{"foo:bar@X\n", ":1: unknown rule type"},
		{"\n\ntcp:0@X\n", ":3: bad port"},
		{"tcp:70000@X\n", ":1: bad port"},
		{"udp:10-5@X\n", ":1: bad port"},
		{"ip:300.1.1.1@X\n", ":1: bad address"},
		{"ip:10.0.0.0/40@X\n", ":1: bad address"},
		{"ip:10.0.0.1:0@X\n", ":1: bad address"},
		{"host:\"\"@X\n", ":1: empty host"},
		{"@X\n", ":1: bad rule"},
		{"host:a@\n", ":1: empty protocol name"},
		{"host:a@X=abc\n", ":1: bad protocol id"},
		{"host:a,@X\n", ":1: bad rule"},
	}
	for _, tt := range tests {
		r := NewRegistry()
		path := writeFile(t, tt.data)
		err := r.LoadCustomProtocols(path)
		if err == nil {
			t.Errorf("%q: no error", tt.data)
			continue
		}
		if !strings.Contains(err.Error(), path+tt.want) {
			t.Errorf("%q: error %q, want %q", tt.data, err, path+tt.want)
		}
		if n := len(r.Protocols()); n != 432 {
			t.Errorf("%q: failed load changed the registry (%d protocols)", tt.data, n)
		}
	}
	if err := NewRegistry().LoadCustomProtocols(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file accepted")
	}
}
