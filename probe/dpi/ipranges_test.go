package dpi

import (
	"net/netip"
	"testing"
)

func TestIPRangesLoad(t *testing.T) {
	tab, err := parseIPRanges(ipRangesFS)
	if err != nil {
		t.Fatal(err)
	}
	if tab.n < 1000 {
		t.Errorf("only %d prefixes", tab.n)
	}
}

func TestMatchIPTable(t *testing.T) {
	for addr, want := range map[string]ProtoID{
		"8.8.8.8":              126, // Google
		"142.250.180.14":       126,
		"2a00:1450:4007::200e": 126,
		"35.194.157.47":        284, // GoogleCloud
		"66.22.200.10":         58,  // Discord
		"170.114.10.1":         189, // Zoom
		"47.89.128.1":          274, // Alibaba
		"17.249.1.1":           238, // ApplePush, inside Apple's 17.0.0.0/8
		"17.1.1.1":             140, // Apple
		"::ffff:8.8.8.8":       126, // mapped
		"192.168.1.1":          0,
		"10.0.0.1":             0,
		"2001:db8::1":          0,
		"0.0.0.0":              0,
		"255.255.255.255":      0,
	} {
		if got := matchIPTable(netip.MustParseAddr(addr)); got != want {
			t.Errorf("matchIPTable(%s) = %d, want %d", addr, got, want)
		}
	}
	if got := matchIPTable(netip.Addr{}); got != 0 {
		t.Errorf("zero Addr: %d", got)
	}
}

// TestFlattenNesting checks longest-prefix-wins on nested prefixes.
func TestFlattenNesting(t *testing.T) {
	mk := func(s string, id ProtoID) ipPrefix { return ipPrefix{netip.MustParsePrefix(s), id} }
	tab := newIPTable([]ipPrefix{
		mk("10.0.0.0/8", 1), mk("10.1.0.0/16", 2), mk("10.1.2.0/24", 3), mk("10.1.2.128/25", 1),
		mk("11.0.0.0/8", 1), mk("0.0.0.0/1", 4),
		mk("2001:db8::/32", 5), mk("2001:db8:1::/48", 6), mk("::/0", 7),
	})
	for addr, want := range map[string]ProtoID{
		"10.0.0.1": 1, "10.1.0.1": 2, "10.1.2.1": 3, "10.1.2.200": 1, "10.1.3.0": 2, "10.2.0.0": 1,
		"11.255.255.255": 1, "12.0.0.0": 4, "127.255.255.255": 4, "128.0.0.0": 0, "0.0.0.0": 4,
		"2001:db8::1": 5, "2001:db8:1::1": 6, "2001:db8:2::": 5, "::1": 7, "ffff::": 7,
	} {
		if got := tab.lookup(netip.MustParseAddr(addr)); got != want {
			t.Errorf("lookup(%s) = %d, want %d", addr, got, want)
		}
	}
}

func TestParseIPRangeLines(t *testing.T) {
	for _, bad := range []string{"10.0.0.1/8", "1.2.3", "2001:db8::1/32", "x"} {
		if _, err := parsePrefixOrAddr(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if p, err := parsePrefixOrAddr("1.2.3.4"); err != nil || p.Bits() != 32 {
		t.Errorf("bare address: %v %v", p, err)
	}
}

func TestMatchIPNoAlloc(t *testing.T) {
	a, b := netip.MustParseAddr("52.94.76.1"), netip.MustParseAddr("2a00:1450:4007::1")
	matchIPTable(a)
	if n := testing.AllocsPerRun(100, func() { matchIPTable(a); matchIPTable(b) }); n != 0 {
		t.Errorf("matchIPTable allocates %v times", n)
	}
}

var benchAddrs = []netip.Addr{
	netip.MustParseAddr("142.250.180.14"), netip.MustParseAddr("52.94.76.1"),
	netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("20.190.128.5"),
	netip.MustParseAddr("2a00:1450:4007::200e"), netip.MustParseAddr("2001:db8::1"),
}

func BenchmarkMatchIP(b *testing.B) {
	matchIPTable(benchAddrs[0])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		matchIPTable(benchAddrs[i%len(benchAddrs)])
	}
}
