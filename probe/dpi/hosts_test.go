package dpi

import (
	"strings"
	"testing"
)

// hostGroups lists the protocol patterns of the host table by protocol,
// for the table checks of registry_test.go.
var hostGroups = func() []struct {
	id    ProtoID
	hosts []string
} {
	loadBuiltin()
	byName := map[string]ProtoID{}
	for _, p := range builtin.protos {
		byName[strings.ToLower(p.Name)] = p.ID
	}
	idx := map[ProtoID]int{}
	var out []struct {
		id    ProtoID
		hosts []string
	}
	_ = tsvLines(hostsTSV, func(_ int, f []string) error {
		if len(f) < 2 || strings.HasPrefix(f[1], "@") {
			return nil
		}
		id := byName[strings.ToLower(f[1])]
		i, ok := idx[id]
		if !ok {
			i = len(out)
			idx[id] = i
			out = append(out, struct {
				id    ProtoID
				hosts []string
			}{id: id})
		}
		out[i].hosts = append(out[i].hosts, f[0])
		return nil
	})
	return out
}()

func TestHostTableLoads(t *testing.T) {
	ht, err := parseHostTable(hostsTSV)
	if err != nil {
		t.Fatal(err)
	}
	if ht.n < 1000 {
		t.Errorf("only %d host patterns", ht.n)
	}
}

func TestHostTableRejectsBadLines(t *testing.T) {
	for _, bad := range []string{
		"example.com\tNoSuchProtocol\n",
		"example.com\t@NoSuchCategory\n",
		"example.com\tGoogle\t@Web\tlevel=x\n",
		"example.com\tGoogle\textra\n",
		"Example.com\tGoogle\n",
		"example.com\n",
		"example.com\tGoogle\nexample.com\tYouTube\n",
	} {
		if _, err := parseHostTable([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestDomainLevel(t *testing.T) {
	for p, want := range map[string]uint8{
		"google.": 1, ".google.": 1, "google.com": 2, "a.b.c": 3, "-buy.itunes.apple.com": 4,
		"fbcdn-": 1, "goog": 1, "a..b": 0, "a.-b": 0, ".": 0,
	} {
		if got := domainLevel(p); got != want {
			t.Errorf("domainLevel(%q) = %d, want %d", p, got, want)
		}
	}
}

// TestNameMatcherRules checks nDPI's matching rules on a small table.
func TestNameMatcherRules(t *testing.T) {
	b := newNameMatcherBuilder()
	add := func(p string, id ProtoID, level uint8) {
		if !b.add(p, nameValue{id: id, level: level}) {
			t.Fatalf("duplicate %q", p)
		}
	}
	add("google.", 1, 0)
	add("google.com", 2, 0)
	add("mail.google.", 3, 0)
	add("fbcdn-", 4, 0)
	add("goog", 5, 0)
	add("-buy.itunes.apple.com", 6, 0)
	add("itunes.apple.com", 7, 0)
	add("weixin.", 8, 0)
	add("qq.com", 9, 0)
	add("instagram.", 10, 15)
	add("fna.fbcdn.net", 11, 0)
	add("t.co", 12, 0)
	m := b.build()
	for name, want := range map[string]ProtoID{
		"google.com":                2,  // whole name
		"www.google.com":            2,  // suffix, level 2 beats "google." (1)
		"www.google.it":             1,  // label prefix
		"x-google.it":               1,  // '-' is a boundary too
		"notgoogle.it":              0,  // not at a boundary
		"mail.google.it":            3,  // level 2 beats 1
		"xfbcdn-a.akamaihd.net":     4,  // no dot: anywhere
		"dns.goog":                  5,  // no dot: any suffix
		"p30-buy.itunes.apple.com":  6,  // leading '-': anywhere, level 4
		"www.itunes.apple.com":      7,  //
		"short.weixin.qq.com":       9,  // level 2 beats 1
		"instagram.x.fna.fbcdn.net": 10, // explicit level 15
		"t.co":                      12, //
		"at.co":                     0,  //
		"":                          0,
		"com":                       0,
	} {
		r := m.match(name)
		if got := r.proto.v.id; got != want || r.proto.found != (want != 0) {
			t.Errorf("match(%q) = %d, %v; want %d", name, got, r.proto.found, want)
		}
	}
}

func TestMatchHostTableCategory(t *testing.T) {
	if id, cat := matchHostTable("pagead2.googlesyndication.com"); id != 126 || cat != 101 {
		t.Errorf("googlesyndication: %d/%d, want Google/Advertisement", id, cat)
	}
	if id, cat := matchHostTable("cdn.taboola.com"); id != 0 || cat != 101 {
		t.Errorf("taboola: %d/%d, want Unknown/Advertisement", id, cat)
	}
	if id, cat := matchHostTable("www.ntop.org"); id != 26 || cat != 0 {
		t.Errorf("ntop: %d/%d, want ntop and no category override", id, cat)
	}
}

func TestMatchHostNoAlloc(t *testing.T) {
	matchHostTable("x")
	if n := testing.AllocsPerRun(100, func() { matchHostTable("r3---sn-a5m.googlevideo.com") }); n != 0 {
		t.Errorf("matchHostTable allocates %v times", n)
	}
}

var benchNames = []string{
	"www.google.com", "r3---sn-a5mekn7s.googlevideo.com", "scontent-mxp1-1.xx.fbcdn.net",
	"api.example.org", "d3ag4hukkh62yn.cloudfront.net", "teams.microsoft.com",
	"e6858.dsce9.akamaiedge.net", "unknown-host.local",
}

func BenchmarkMatchHost(b *testing.B) {
	matchHostTable("x")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		matchHostTable(benchNames[i%len(benchNames)])
	}
}
