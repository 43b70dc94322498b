package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/ntopng-go/ntopng/geo"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/synth"
)

const (
	lanA, lanB, lanDNS, webSrv = "10.1.0.10", "10.1.0.20", "10.1.0.1", "203.0.113.5"
	winUA                      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)

// hostsTruth is what hostsCapture wrote, for the expectations.
type hostsTruth struct {
	w                   *synth.Writer
	dscpPkts            map[string][2]int // per host+class: packets sent, received
	ifaceDSCP           map[string]int    // per class: packets both ways
	httpFlows, dnsFlows []*synth.FlowTruth
	arpBytes            int
}

func (h *hostsTruth) addDSCP(ft *synth.FlowTruth, class string) {
	c := h.dscpPkts[ft.Client+"/"+class]
	c[0] += ft.PacketsC2S
	c[1] += ft.PacketsS2C
	h.dscpPkts[ft.Client+"/"+class] = c
	h.ifaceDSCP[class] += ft.PacketsC2S + ft.PacketsS2C
}

// hostsCapture writes a LAN capture whose DNS query types, HTTP methods and
// status classes, DSCP markings, ARP requests and broadcast traffic are all
// known, so that the host and interface answers can be derived from it.
func hostsCapture(t *testing.T) (string, *hostsTruth) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hosts.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := synth.NewWriter(f, synth.SampleStart)
	if err != nil {
		t.Fatal(err)
	}
	truth := &hostsTruth{w: w, dscpPkts: map[string][2]int{}, ifaceDSCP: map[string]int{}}
	w.SetMAC("10.1.0.255", net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	must := func(ft *synth.FlowTruth, err error) *synth.FlowTruth {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ft
	}
	// ARP: A asks twice for the gateway (10.1.0.0/28), B once (/27).
	before := w.Bytes
	for _, s := range []string{lanA, lanA, lanB} {
		if err := w.ARP(s, lanDNS); err != nil {
			t.Fatal(err)
		}
	}
	truth.arpBytes = w.Bytes - before
	// DNS from A, best effort: 3 A, 2 AAAA, 1 MX queries; the MX answer is
	// an NXDOMAIN.
	qtypes := []uint16{1, 1, 1, 28, 28, 15}
	for i, qt := range qtypes {
		id := uint16(0x3000 + i)
		name := fmt.Sprintf("host%d.example.com", i)
		resp := synth.DNSResponse(id, name, "198.51.100.7")
		if qt == 15 {
			resp[3] = resp[3]&0xf0 | 3
		}
		ft := must(w.UDPExchange(lanA, lanDNS, uint16(51000+i), 53, synth.DNSQuery(id, name, qt), resp, name))
		truth.dnsFlows = append(truth.dnsFlows, ft)
		truth.addDSCP(ft, "cs0")
	}
	// HTTP from A, expedited forwarding (DSCP 46, class cs5): GET→200,
	// POST→404, HEAD→301, with a Windows browser User-Agent.
	w.TOS = 46 << 2
	for i, ex := range []struct {
		method string
		code   int
		reason string
	}{{"GET", 200, "OK"}, {"POST", 404, "Not Found"}, {"HEAD", 301, "Moved Permanently"}} {
		ft := must(w.TCPSession(lanA, webSrv, uint16(42000+i), 80,
			[][]byte{synth.HTTPRequest(ex.method, "www.example.net", "/", winUA)},
			[][]byte{synth.HTTPStatus(ex.code, ex.reason, 300)}, "www.example.net"))
		truth.httpFlows = append(truth.httpFlows, ft)
		truth.addDSCP(ft, "cs5")
	}
	// B: one AF11 (DSCP 10, class cs1) UDP exchange with the web server and
	// a broadcast datagram (10.1.0.0/24 broadcast domain).
	w.TOS = 10 << 2
	truth.addDSCP(must(w.UDPExchange(lanB, webSrv, 52000, 5000, []byte("ping"), []byte("pong"), "")), "cs1")
	w.TOS = 0
	truth.addDSCP(must(w.UDPExchange(lanB, "10.1.0.255", 52001, 9999, []byte("hello"), nil, "")), "cs0")
	return path, truth
}

func (p *proc) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	return p.request(t, "POST", path, body, "admin", "admin")
}

func rspOf(t *testing.T, p *proc, path string) any {
	t.Helper()
	code, env := p.get(t, path, "admin", "admin")
	if code != 200 {
		t.Fatalf("%s: HTTP %d %v", path, code, env)
	}
	return env["rsp"]
}

// slices turns a label/value answer into a map.
func slices(v any) map[string]float64 {
	out := map[string]float64{}
	for _, e := range v.([]any) {
		m := e.(map[string]any)
		out[m["label"].(string)] = m["value"].(float64)
	}
	return out
}

func TestEndToEndHostsInDepth(t *testing.T) {
	pcap, truth := hostsCapture(t)
	dataDir := t.TempDir()
	// Geolocation databases written by the test (MaxMind format).
	if err := geo.WriteTestDBs(dataDir, map[string]geo.Info{
		"203.0.113.0/24": {Country: "US", Continent: "NA", City: "Springfield", Latitude: 39.8, Longitude: -89.6, ASN: 64500, ASName: "EXAMPLE-NET"},
	}); err != nil {
		t.Fatal(err)
	}
	p := start(t, "-i", pcap, "-m", "10.1.0.0/24", "-d", dataDir)
	p.waitRead(t, truth.w.Frames)

	// DNS statistics of the client and of the server (C.3.8).
	a := rspOf(t, p, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+lanA).(map[string]any)
	dns := a["dns"].(map[string]any)
	sent, rcvd := dns["sent"].(map[string]any), dns["rcvd"].(map[string]any)
	q := sent["queries"].(map[string]any)
	if sent["num_queries"] != 6.0 || q["num_a"] != 3.0 || q["num_aaaa"] != 2.0 || q["num_mx"] != 1.0 {
		t.Errorf("A dns.sent = %v", sent)
	}
	if rcvd["num_replies_ok"] != 5.0 || rcvd["num_replies_error"] != 1.0 {
		t.Errorf("A dns.rcvd = %v", rcvd)
	}
	srv := rspOf(t, p, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+lanDNS).(map[string]any)
	sdns := srv["dns"].(map[string]any)
	if sdns["rcvd"].(map[string]any)["num_queries"] != 6.0 || sdns["sent"].(map[string]any)["num_replies_error"] != 1.0 {
		t.Errorf("server dns = %v", sdns)
	}
	if srv["host_services_bitmap"] != float64(1<<probe.ServiceDNS) || srv["services"].(map[string]any)["dns"] != true {
		t.Errorf("server roles %v %v", srv["host_services_bitmap"], srv["services"])
	}

	// HTTP methods and response classes (C.3.8).
	httpS := a["http"].(map[string]any)
	query := httpS["sender"].(map[string]any)["query"].(map[string]any)
	resp := httpS["receiver"].(map[string]any)["response"].(map[string]any)
	if query["total"] != 3.0 || query["num_get"] != 1.0 || query["num_post"] != 1.0 || query["num_head"] != 1.0 {
		t.Errorf("http.sender.query = %v", query)
	}
	if resp["total"] != 3.0 || resp["num_2xx"] != 1.0 || resp["num_4xx"] != 1.0 || resp["num_3xx"] != 1.0 {
		t.Errorf("http.receiver.response = %v", resp)
	}
	if a["os"] != float64(probe.OSWindows) || a["os_detail"] == "" {
		t.Errorf("os %v %q", a["os"], a["os_detail"])
	}

	// DSCP per host and per interface (A.11, B.6, C.6).
	dscp := a["dscp"].(map[string]any)
	for _, class := range []string{"cs0", "cs5"} {
		want := truth.dscpPkts[lanA+"/"+class]
		c := dscp[class].(map[string]any)
		if c["packets.sent"] != float64(want[0]) || c["packets.rcvd"] != float64(want[1]) {
			t.Errorf("A dscp %s = %v, want sent/rcvd %v", class, c, want)
		}
	}
	hs := slices(rspOf(t, p, "/lua/rest/v1/get/host/dscp/stats.lua?ifid=0&host="+lanA))
	if hs["Critical (CS5)"] != float64(truth.dscpPkts[lanA+"/cs5"][0]) || hs["Best Effort (CS0)"] != float64(truth.dscpPkts[lanA+"/cs0"][0]) {
		t.Errorf("host dscp stats %v", hs)
	}
	is := slices(rspOf(t, p, "/lua/rest/v1/get/interface/dscp/stats.lua?ifid=0"))
	total := 0
	for _, n := range truth.ifaceDSCP {
		total += n
	}
	// The largest class is kept; the others are over 1 % here too.
	for class, label := range map[string]string{"cs0": "Best Effort (CS0)", "cs5": "Critical (CS5)", "cs1": "Priority (CS1)"} {
		if is[label] != float64(truth.ifaceDSCP[class]) {
			t.Errorf("interface dscp %s = %v, want %d (total %d)", label, is[label], truth.ifaceDSCP[class], total)
		}
	}
	if v, ok := is["Other"]; !ok || v != 0 {
		t.Errorf("interface dscp Other = %v %v", v, ok)
	}

	// Broadcast domains from the ARP requests and the broadcast flow (A.5).
	bd := rspOf(t, p, "/lua/rest/v1/get/interface/bcast_domains.lua?ifid=0").(map[string]any)["bcast_domains"].(map[string]any)
	for dom, hits := range map[string]float64{"10.1.0.0/28": 2, "10.1.0.0/27": 1, "10.1.0.0/24": 1} {
		e, ok := bd[dom].(map[string]any)
		if !ok || e["hits"] != hits || e["ghost_network"] != false {
			t.Errorf("domain %s = %v, want %v hits (all: %v)", dom, e, hits, bd)
		}
	}
	if a["broadcast_domain_host"] != true {
		t.Errorf("A not in a broadcast domain")
	}
	web := rspOf(t, p, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+webSrv).(map[string]any)
	if web["broadcast_domain_host"] != false {
		t.Errorf("remote host in a broadcast domain")
	}

	// Geolocation from the databases in the data dir; none for the LAN.
	if web["country"] != "US" || web["continent"] != "NA" || web["city"] != "Springfield" || web["asn"] != 64500.0 ||
		web["asname"] != "EXAMPLE-NET" || web["latitude"] != 39.8 {
		t.Errorf("geolocation of %s: %v %v %v %v %v %v", webSrv, web["country"], web["continent"], web["city"], web["asn"], web["asname"], web["latitude"])
	}
	if a["country"] != "" || a["asn"] != 0.0 {
		t.Errorf("LAN host geolocated: %v %v", a["country"], a["asn"])
	}
	for _, q := range []string{"country=US", "asn=64500", "country=us"} {
		hosts := rspOf(t, p, "/lua/rest/v1/get/host/active.lua?ifid=0&"+q).(map[string]any)["data"].([]any)
		if len(hosts) != 1 || hosts[0].(map[string]any)["ip"] != webSrv || hosts[0].(map[string]any)["country"] != "US" {
			t.Errorf("host/active %s: %v", q, hosts)
		}
	}

	// Application slices: HTTP bytes of A's flows, by protocol; ARP bytes
	// are their own slice of the interface.
	var httpBytes int
	for _, ft := range truth.httpFlows {
		httpBytes += ft.BytesC2S + ft.BytesS2C
	}
	hl7 := slices(rspOf(t, p, "/lua/rest/v1/get/host/l7/stats.lua?ifid=0&host="+lanA))
	if hl7["HTTP"] != float64(httpBytes) {
		t.Errorf("host l7 HTTP = %v, want %d (%v)", hl7["HTTP"], httpBytes, hl7)
	}
	il7 := slices(rspOf(t, p, "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0&ndpistats_mode=sinceStartup"))
	if il7["ARP"] != float64(truth.arpBytes) {
		t.Errorf("interface l7 ARP = %v, want %d", il7["ARP"], truth.arpBytes)
	}
	cnt := slices(rspOf(t, p, "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0&ndpistats_mode=count"))
	if cnt["DNS"] != 6 || cnt["HTTP"] != 3 {
		t.Errorf("count mode %v", cnt)
	}
	if code, env := p.get(t, "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0&ndpistats_mode=host", "admin", "admin"); code != 400 || env["rc_str"] != "INVALID_ARGUMENTS" {
		t.Errorf("mode host: %d %v", code, env["rc_str"])
	}

	// custom_data with aliases, for one host and for all.
	cd := rspOf(t, p, "/lua/rest/v1/get/host/custom_data.lua?ifid=0&host="+lanA+"&field_alias=ip,bytes.rcvd=rdb,no.such.field").(map[string]any)
	if len(cd) != 2 || cd["ip"] != lanA || cd["rdb"] != a["bytes.rcvd"] {
		t.Errorf("custom_data = %v", cd)
	}
	all := rspOf(t, p, "/lua/rest/v1/get/host/custom_data.lua?ifid=0&field_alias=ip").([]any)
	if len(all) != 5 {
		t.Errorf("custom_data for all hosts: %d records %v", len(all), all)
	}
	if code, _ := p.get(t, "/lua/rest/v1/get/host/custom_data.lua?ifid=0&host="+lanA+"&field_alias=ip=", "admin", "admin"); code != 400 {
		t.Errorf("empty alias accepted: %d", code)
	}

	// Top talkers: local hosts by traffic, A first.
	tl := rspOf(t, p, "/lua/pro/rest/v1/get/interface/top/local/talkers.lua?ifid=0").([]any)
	if len(tl) == 0 || tl[0].(map[string]any)["address"] != lanA || tl[0].(map[string]any)["local"] != "true" {
		t.Errorf("top local talkers %v", tl)
	}

	// Alias: bad input changes nothing; a good one is shown and survives a
	// restart.
	if code, env := p.post(t, "/lua/rest/v1/set/host/alias.lua", `{"host":"not an ip","custom_name":"x"}`); code != 400 {
		t.Errorf("bad host accepted: %d %v", code, env)
	}
	if code, env := p.post(t, "/lua/rest/v1/set/host/alias.lua", `{"host":"`+lanA+`"}`); code != 400 || env["rc_str"] != "INVALID_ARGUMENTS" {
		t.Errorf("missing custom_name: %d %v", code, env)
	}
	if code, env := p.post(t, "/lua/rest/v1/set/host/alias.lua", `{"host":"`+lanA+`","custom_name":"Laptop'); DROP TABLE host_aliases;--"}`); code != 200 {
		t.Errorf("set alias: %d %v", code, env)
	}
	if code, env := p.post(t, "/lua/rest/v1/set/host/alias.lua", `{"host":"`+lanA+`","custom_name":"Laptop"}`); code != 200 {
		t.Errorf("set alias: %d %v", code, env)
	}
	checkAlias := func(p *proc) {
		t.Helper()
		data := rspOf(t, p, "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=100").(map[string]any)["data"].([]any)
		for _, h := range data {
			m := h.(map[string]any)
			if m["ip"] == lanA && m["name"] != lanA+" [Laptop]" {
				t.Errorf("host/active name %v", m["name"])
			}
		}
	}
	checkAlias(p)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	p2 := start(t, "-i", pcap, "-m", "10.1.0.0/24", "-d", dataDir)
	p2.waitRead(t, truth.w.Frames)
	checkAlias(p2)
}
