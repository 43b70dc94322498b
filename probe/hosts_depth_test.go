package probe

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

func TestBcastDomainOfSpecExamples(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want string // "" for no domain
	}{
		{"192.168.2.10", "192.168.2.1", "192.168.2.0/28"},
		{"192.168.2.10", "192.168.2.255", "192.168.2.0/24"},
		{"192.168.2.200", "192.168.3.1", "192.168.2.128/25"},
		{"192.168.3.1", "192.168.2.200", "192.168.2.128/25"}, // order does not matter
		{"10.0.0.1", "10.0.0.1", ""},                         // same address
		{"0.0.0.0", "10.0.0.1", ""},                          // ARP probe
		{"169.254.1.1", "169.254.1.2", ""},                   // link-local
		{"10.0.0.1", "10.1.0.1", ""},                         // wider than /16
		{"10.0.0.1", "10.0.255.254", ""},                     // exactly /16: ignored
		{"10.0.0.1", "10.0.127.254", "10.0.0.0/17"},
		{"2001:db8::1", "2001:db8::2", ""}, // IPv4 only
	} {
		p, ok := domainOf(netip.MustParseAddr(c.a), netip.MustParseAddr(c.b))
		got := ""
		if ok {
			got = p.String()
		}
		if got != c.want {
			t.Errorf("domainOf(%s, %s) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestBcastDomainsCountHits(t *testing.T) {
	var d bcastDomains
	d.add(netip.MustParseAddr("192.168.2.10"), netip.MustParseAddr("192.168.2.1"))
	d.add(netip.MustParseAddr("192.168.2.1"), netip.MustParseAddr("192.168.2.12"))
	d.add(netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("192.168.2.12"))
	if len(d.list) != 1 || d.list[0].Hits != 2 {
		t.Fatalf("domains %v", d.list)
	}
	if !d.contains(netip.MustParseAddr("::ffff:192.168.2.5")) || d.contains(netip.MustParseAddr("192.168.2.16")) {
		t.Error("membership wrong")
	}
}

func TestHitCounterNeedsASustainedRate(t *testing.T) {
	var c HitCounter
	// A burst of 50 flows within one second, then silence: no flood.
	for i := 0; i < 50; i++ {
		c.inc(100)
	}
	c.inc(103)
	if c.Hits() != 0 {
		t.Errorf("burst counted: %d", c.Hits())
	}
	// 10, 12, 11 flows in three consecutive seconds: a sustained 10/s,
	// reported once the window is complete.
	for s, n := range []int{10, 12, 11} {
		for i := 0; i < n; i++ {
			c.inc(int64(200 + s))
		}
	}
	if c.Hits() != 0 {
		t.Errorf("reported before the window completed: %d", c.Hits())
	}
	c.inc(203)
	if c.Hits() != 10 {
		t.Errorf("hits = %d, want 10", c.Hits())
	}
	// A lower rate later does not lower the maximum.
	for s := 0; s < 4; s++ {
		c.inc(int64(300 + s))
	}
	if c.Hits() != 10 {
		t.Errorf("hits after a slower period = %d", c.Hits())
	}
}

func TestTopTalkersAndFloodFromTraffic(t *testing.T) {
	f := newFeeder(t, "192.168.1.0/24")
	// 192.168.1.10 opens 5 flows per second for 4 seconds; .20 one
	// larger flow; a remote host answers.
	for s := 0; s < 4; s++ {
		for i := 0; i < 5; i++ {
			f.feed(frame(t, "192.168.1.10", "8.8.8.8", uint16(40000+s*10+i), 53, 0, true, make([]byte, 40)), 0)
		}
		f.feed(frame(t, "192.168.1.20", "9.9.9.9", 50000, 443, 0, true, make([]byte, 400)), time.Second)
	}
	f.ifc.EndOfInput()
	top, rest := f.ifc.TopTalkers(true, nil)
	if len(top) != 2 || top[0].Key.IP.String() != "192.168.1.20" || top[1].Key.IP.String() != "192.168.1.10" || rest != 0 {
		t.Fatalf("local talkers %+v rest %d", top, rest)
	}
	remote, _ := f.ifc.TopTalkers(false, nil)
	if len(remote) != 2 {
		t.Errorf("remote talkers %+v", remote)
	}
	d, ok := f.ifc.HostDetail(HostKey{IP: netip.MustParseAddr("192.168.1.10")})
	if !ok || d.FloodAttacker.Hits() != 5 || d.FloodVictim.Hits() != 0 {
		t.Errorf("flood hits %d/%d", d.FloodAttacker.Hits(), d.FloodVictim.Hits())
	}
}

func TestHostNameOrder(t *testing.T) {
	h := newHost(HostKey{IP: netip.MustParseAddr("192.168.1.50")}, 1, NewLocalNets(nil, nil))
	steps := []struct {
		src  dpi.NameSource
		name string
		want string
	}{
		{dpi.NameHTTP, "web.lan", "web.lan"},
		{dpi.NameTLS, "tls.lan", "tls.lan"},
		{dpi.NameNetBIOS, "NASBOX", "nasbox"},
		{dpi.NameMDNSInfo, "Office Printer", "Office Printer"}, // service name keeps its case
		{dpi.NameMDNS, "printer", "printer"},
		{dpi.NameMDNSTXT, "Printer TXT", "printer txt"},
		{dpi.NameDHCP, "dhcp-client", "dhcp-client"},
		{dpi.NameResolved, "resolved.example", "resolved.example"},
		{dpi.NameDHCP, "second-dhcp-name", "resolved.example"}, // first value of a source wins
	}
	for _, s := range steps {
		h.setName(s.src, s.name)
		if got := h.Name(nil); got != s.want {
			t.Errorf("after %v %q: name %q, want %q", s.src, s.name, got, s.want)
		}
	}
	if h.Names.DHCP != "dhcp-client" || h.Names.MDNSInfo != "Office Printer" {
		t.Errorf("names %+v", h.Names)
	}
}
