package pools

import (
	"errors"
	"net/netip"
	"testing"
)

func TestParseMember(t *testing.T) {
	for _, c := range []struct {
		in      string
		relaxed bool
		key     string
		typ     MemberType
		hostkey string
	}{
		{"192.168.1.0/24", false, "192.168.1.0/24@0", Net, "192.168.1.0/24"},
		{"192.168.1.77/24@0", false, "192.168.1.0/24@0", Net, "192.168.1.0/24"},
		{"10.0.0.1/32@5", false, "10.0.0.1/32@5", IP, "10.0.0.1@5"},
		{"aa:bb:cc:dd:ee:ff", false, "AA:BB:CC:DD:EE:FF", MAC, "AA:BB:CC:DD:EE:FF"},
		{"2001:db8::/32", false, "2001:DB8::/32@0", Net, "2001:DB8::/32"},
		{"2001:db8::1/128@7", false, "2001:DB8::1/128@7", IP, "2001:DB8::1@7"},
		{"0.0.0.0/0", false, "0.0.0.0/0@0", Net, "0.0.0.0/0"},
		{"192.168.1.10", true, "192.168.1.10/32@0", IP, "192.168.1.10"},
		{"fe80::1@3", true, "FE80::1/128@3", IP, "FE80::1@3"},
	} {
		m, err := ParseMember(c.in, c.relaxed)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		d := m.Details()
		if m.Key != c.key || m.Type != c.typ || d.HostKey != c.hostkey || d.Member != c.key {
			t.Errorf("%q: key %q type %s hostkey %q, want %q %s %q", c.in, m.Key, m.Type, d.HostKey, c.key, c.typ, c.hostkey)
		}
	}
	for _, in := range []string{
		"", "192.168.1.10", "300.1.1.1/32", "10.0.0.0/33", "10.0.0.1/32@4096", "10.0.0.1/32@-1",
		"10.0.0.1/32@x", "aa:bb:cc:dd:ee", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "10.0.0.1/32 ", "x'; DROP TABLE pools;--",
		"fe80::1%eth0/128", "::ffff:10.0.0.1/128", "host.example.com/32",
	} {
		if _, err := ParseMember(in, false); !errors.Is(err, ErrBadMember) {
			t.Errorf("%q accepted (err %v)", in, err)
		}
	}
	if _, err := ParseMember("300.1.1.1", true); err == nil {
		t.Error("relaxed 300.1.1.1 accepted")
	}
}

func TestMatcherLongestPrefixMACAndVLAN(t *testing.T) {
	mk := func(id int, members ...string) *Pool {
		p := &Pool{Kind: Host, ID: id}
		for _, s := range members {
			m, err := ParseMember(s, false)
			if err != nil {
				t.Fatal(err)
			}
			p.members = append(p.members, m)
		}
		return p
	}
	m := buildMatcher(map[int]*Pool{
		2: mk(2, "10.0.0.0/8", "2001:db8::/32"),
		3: mk(3, "10.1.0.0/16", "aa:bb:cc:dd:ee:ff"),
		4: mk(4, "10.1.2.3/32", "10.1.0.0/16@7"),
	})
	mac := [6]byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	other := [6]byte{2, 0, 0, 0, 0, 1}
	for _, c := range []struct {
		mac  [6]byte
		ip   string
		vlan uint16
		want uint16
	}{
		{other, "10.9.9.9", 0, 2},
		{other, "10.1.9.9", 0, 3},
		{other, "10.1.2.3", 0, 4},
		{other, "10.1.2.3", 7, 4 /* 10.1.0.0/16@7 */},
		{other, "10.9.9.9", 7, 0}, // VLAN 7 has only 10.1.0.0/16
		{other, "192.168.1.1", 0, 0},
		{other, "2001:db8::5", 0, 2},
		{other, "::ffff:10.9.9.9", 0, 2},
		{mac, "192.168.1.1", 0, 3}, // the MAC wins over the address
		{mac, "10.1.2.3", 9, 3},    // whatever the VLAN
		{[6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "10.9.9.9", 0, 2},
	} {
		if got := m.PoolOf(c.mac, netip.MustParseAddr(c.ip), c.vlan); got != c.want {
			t.Errorf("%x %s@%d: pool %d, want %d", c.mac, c.ip, c.vlan, got, c.want)
		}
	}
	if m.Members() != 6 {
		t.Errorf("members %d", m.Members())
	}
	var none *Matcher
	if none.PoolOf(mac, netip.MustParseAddr("10.0.0.1"), 0) != 0 {
		t.Error("nil matcher")
	}
}
