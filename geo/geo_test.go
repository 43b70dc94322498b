package geo

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

var (
	google = Info{Country: "US", Continent: "NA", City: "Mountain View",
		Latitude: 37.386, Longitude: -122.0838, ASN: 15169, ASName: "GOOGLE"}
	ireland    = Info{Country: "IE", Continent: "EU", City: "Dublin", Latitude: 53.3382, Longitude: -6.2591}
	cloudflare = Info{ASN: 13335, ASName: "CLOUDFLARENET"} // ASN DB only
	lan        = Info{Country: "IT", Continent: "EU"}      // reserved network, city DB only
)

func testEntries() map[string]Info {
	return map[string]Info{
		"8.8.8.0/24":      google,
		"2a00:1450::/32":  ireland,
		"1.1.1.0/24":      cloudflare,
		"192.168.10.0/24": lan,
	}
}

// openTest writes the test databases into a fresh directory and opens it.
func openTest(t testing.TB) *DB {
	t.Helper()
	dir := t.TempDir()
	if err := WriteTestDBs(dir, testEntries()); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestLookup(t *testing.T) {
	d := openTest(t)
	if city, asn := d.Available(); !city || !asn {
		t.Fatalf("Available() = %v, %v; want true, true", city, asn)
	}
	cityPath, asnPath := d.Paths()
	if filepath.Base(cityPath) != "GeoLite2-City.mmdb" || filepath.Base(asnPath) != "GeoLite2-ASN.mmdb" {
		t.Errorf("Paths() = %q, %q", cityPath, asnPath)
	}
	for _, tc := range []struct {
		ip   string
		want Info
	}{
		{"8.8.8.8", google},
		{"8.8.8.0", google},
		{"8.8.8.255", google},
		{"2a00:1450:4001:81c::200e", ireland},
		{"1.1.1.1", cloudflare},
		{"192.168.10.7", lan},
		// Not in the databases.
		{"8.8.9.1", Info{}},
		{"9.9.9.9", Info{}},
		{"192.168.11.1", Info{}},
		{"10.0.0.1", Info{}},
		{"127.0.0.1", Info{}},
		{"0.0.0.0", Info{}},
		{"255.255.255.255", Info{}},
		{"::", Info{}},
		{"::1", Info{}},
		{"fe80::1", Info{}},
		{"2001:db8::1", Info{}},
		{"2a01::1", Info{}},
	} {
		if got := d.Lookup(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("Lookup(%s) = %+v; want %+v", tc.ip, got, tc.want)
		}
	}
}

func TestLookupIPv4Mapped(t *testing.T) {
	d := openTest(t)
	for _, s := range []string{"::ffff:8.8.8.8", "::ffff:808:808"} {
		ip := netip.MustParseAddr(s)
		if !ip.Is4In6() {
			t.Fatalf("%s is not IPv4-mapped", s)
		}
		if got := d.Lookup(ip); got != google {
			t.Errorf("Lookup(%s) = %+v; want %+v", s, got, google)
		}
	}
	if got := d.Lookup(netip.MustParseAddr("::ffff:9.9.9.9")); got != (Info{}) {
		t.Errorf("Lookup(::ffff:9.9.9.9) = %+v; want zero", got)
	}
}

func TestLookupZoneAndInvalid(t *testing.T) {
	d := openTest(t)
	if got := d.Lookup(netip.MustParseAddr("2a00:1450::1%eth0")); got != ireland {
		t.Errorf("Lookup with zone = %+v; want %+v", got, ireland)
	}
	if got := d.Lookup(netip.Addr{}); got != (Info{}) {
		t.Errorf("Lookup(invalid) = %+v; want zero", got)
	}
}

func TestMissingFiles(t *testing.T) {
	for name, dir := range map[string]string{
		"empty dir":   t.TempDir(),
		"missing dir": filepath.Join(t.TempDir(), "nope"),
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if d == nil {
				t.Fatal("Open returned a nil DB without error")
			}
			if city, asn := d.Available(); city || asn {
				t.Errorf("Available() = %v, %v; want false, false", city, asn)
			}
			if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{}) {
				t.Errorf("Lookup = %+v; want zero", got)
			}
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestOnlyOneDB checks each database works without the other.
func TestOnlyOneDB(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTestDBs(dir, testEntries()); err != nil {
		t.Fatal(err)
	}
	asnOnly := t.TempDir()
	if err := os.Rename(filepath.Join(dir, "GeoLite2-ASN.mmdb"), filepath.Join(asnOnly, "GeoLite2-ASN.mmdb")); err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("8.8.8.8")

	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if city, asn := d.Available(); !city || asn {
		t.Errorf("city only: Available() = %v, %v", city, asn)
	}
	want := google
	want.ASN, want.ASName = 0, ""
	if got := d.Lookup(ip); got != want {
		t.Errorf("city only: Lookup = %+v; want %+v", got, want)
	}

	d2, err := Open(asnOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if city, asn := d2.Available(); city || !asn {
		t.Errorf("ASN only: Available() = %v, %v", city, asn)
	}
	if got := d2.Lookup(ip); got != (Info{ASN: 15169, ASName: "GOOGLE"}) {
		t.Errorf("ASN only: Lookup = %+v", got)
	}
}

func TestCorruptFile(t *testing.T) {
	junk := make([]byte, 4096)
	if _, err := rand.Read(junk); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"GeoLite2-City.mmdb", "GeoLite2-ASN.mmdb", "GeoLite2-Country.mmdb", "dbip-asn-lite.mmdb"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if name != "GeoLite2-City.mmdb" {
				// A good city DB next to the corrupt file must not hide the error.
				if err := WriteTestDBs(dir, testEntries()); err != nil {
					t.Fatal(err)
				}
				_ = os.Remove(filepath.Join(dir, "GeoLite2-ASN.mmdb"))
				if name == "GeoLite2-Country.mmdb" {
					_ = os.Remove(filepath.Join(dir, "GeoLite2-City.mmdb"))
				}
			}
			if err := os.WriteFile(filepath.Join(dir, name), junk, 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := Open(dir)
			if err == nil {
				_ = d.Close()
				t.Fatal("Open succeeded on a corrupt file")
			}
			t.Logf("Open: %v", err)
			// The nil DB that comes with the error is usable.
			if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{}) {
				t.Errorf("Lookup on failed DB = %+v", got)
			}
			if city, asn := d.Available(); city || asn {
				t.Errorf("Available on failed DB = %v, %v", city, asn)
			}
		})
	}
}

func TestEmptyFileIsError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "GeoLite2-City.mmdb"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open succeeded on an empty file")
	}
}

func TestDirectoryNamedLikeDBIsError(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "GeoLite2-ASN.mmdb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open succeeded with a directory in place of the ASN DB")
	}
}

func TestGeoipSubdir(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "geoip")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteTestDBs(sub, testEntries()); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != google {
		t.Errorf("Lookup = %+v; want %+v", got, google)
	}
	if c, _ := d.Paths(); c != filepath.Join(sub, "GeoLite2-City.mmdb") {
		t.Errorf("city path %q", c)
	}
}

// writeAs writes the test DBs for entries into a scratch directory and moves
// them into dir under the given names ("" drops the file).
func writeAs(t *testing.T, dir string, entries map[string]Info, cityName, asnName string) {
	t.Helper()
	tmp := t.TempDir()
	if err := WriteTestDBs(tmp, entries); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{"GeoLite2-City.mmdb": cityName, "GeoLite2-ASN.mmdb": asnName} {
		if to == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(tmp, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFileNames(t *testing.T) {
	ip := netip.MustParseAddr("8.8.8.8")
	a := map[string]Info{"8.8.8.0/24": {Country: "AA", City: "A", ASN: 1, ASName: "A"}}
	b := map[string]Info{"8.8.8.0/24": {Country: "BB", City: "B", ASN: 2, ASName: "B"}}
	c := map[string]Info{"8.8.8.0/24": {Country: "CC", City: "C", ASN: 3, ASName: "C"}}
	country := map[string]Info{"8.8.8.0/24": {Country: "DD", Continent: "EU"}}

	for _, tc := range []struct {
		name  string
		setup func(dir string)
		want  Info
	}{
		{"dbip lite", func(dir string) {
			writeAs(t, dir, a, "dbip-city-lite.mmdb", "dbip-asn-lite.mmdb")
		}, Info{Country: "AA", City: "A", ASN: 1, ASName: "A"}},
		{"GeoIP2 commercial", func(dir string) {
			writeAs(t, dir, a, "GeoIP2-City.mmdb", "GeoIP2-ISP.mmdb")
		}, Info{Country: "AA", City: "A", ASN: 1, ASName: "A"}},
		{"GeoLite2 preferred over the others", func(dir string) {
			writeAs(t, dir, b, "dbip-city-lite.mmdb", "dbip-asn-lite.mmdb")
			writeAs(t, dir, c, "GeoIP2-City.mmdb", "GeoIP2-ISP.mmdb")
			writeAs(t, dir, a, "GeoLite2-City.mmdb", "GeoLite2-ASN.mmdb")
		}, Info{Country: "AA", City: "A", ASN: 1, ASName: "A"}},
		{"dbip preferred over GeoIP2", func(dir string) {
			writeAs(t, dir, c, "GeoIP2-City.mmdb", "GeoIP2-ISP.mmdb")
			writeAs(t, dir, b, "dbip-city-lite.mmdb", "dbip-asn-lite.mmdb")
		}, Info{Country: "BB", City: "B", ASN: 2, ASName: "B"}},
		{"name order wins over directory", func(dir string) {
			writeAs(t, dir, b, "dbip-city-lite.mmdb", "dbip-asn-lite.mmdb")
			writeAs(t, dir, a, "geoip/GeoLite2-City.mmdb", "geoip/GeoLite2-ASN.mmdb")
		}, Info{Country: "AA", City: "A", ASN: 1, ASName: "A"}},
		{"data dir wins over geoip for the same name", func(dir string) {
			writeAs(t, dir, b, "geoip/GeoLite2-City.mmdb", "geoip/GeoLite2-ASN.mmdb")
			writeAs(t, dir, a, "GeoLite2-City.mmdb", "GeoLite2-ASN.mmdb")
		}, Info{Country: "AA", City: "A", ASN: 1, ASName: "A"}},
		{"country fallback", func(dir string) {
			writeAs(t, dir, country, "GeoLite2-Country.mmdb", "")
		}, Info{Country: "DD", Continent: "EU"}},
		{"city preferred over country", func(dir string) {
			writeAs(t, dir, country, "GeoLite2-Country.mmdb", "")
			writeAs(t, dir, c, "geoip/GeoIP2-City.mmdb", "")
		}, Info{Country: "CC", City: "C"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(dir)
			d, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if got := d.Lookup(ip); got != tc.want {
				t.Errorf("Lookup = %+v; want %+v", got, tc.want)
			}
		})
	}
}

// TestIPv4OnlyDB checks an IPv6 address against an IPv4-only database
// answers zero values instead of failing.
func TestIPv4OnlyDB(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", IPVersion: 4, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, network, _ := net.ParseCIDR("8.8.8.0/24")
	if err := tree.Insert(network, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("US")}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeTree(tree, filepath.Join(dir, "GeoLite2-City.mmdb")); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{Country: "US"}) {
		t.Errorf("IPv4 lookup = %+v", got)
	}
	if got := d.Lookup(netip.MustParseAddr("::ffff:8.8.8.8")); got != (Info{Country: "US"}) {
		t.Errorf("IPv4-mapped lookup = %+v", got)
	}
	if got := d.Lookup(netip.MustParseAddr("2a00:1450::1")); got != (Info{}) {
		t.Errorf("IPv6 lookup = %+v; want zero", got)
	}
}

// TestUnexpectedTypes checks a record whose fields have other types than
// MaxMind's gives zero values, not a panic.
func TestUnexpectedTypes(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", IPVersion: 6, RecordSize: 28})
	if err != nil {
		t.Fatal(err)
	}
	_, network, _ := net.ParseCIDR("8.8.8.0/24")
	if err := tree.Insert(network, mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.String("15169"),
		"autonomous_system_organization": mmdbtype.Uint32(1),
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeTree(tree, filepath.Join(dir, "GeoLite2-ASN.mmdb")); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{}) {
		t.Errorf("Lookup = %+v; want zero", got)
	}
}

func TestNilDB(t *testing.T) {
	var d *DB
	if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{}) {
		t.Errorf("Lookup = %+v", got)
	}
	if city, asn := d.Available(); city || asn {
		t.Errorf("Available = %v, %v", city, asn)
	}
	if c, a := d.Paths(); c != "" || a != "" {
		t.Errorf("Paths = %q, %q", c, a)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}

func TestClose(t *testing.T) {
	d := openTest(t)
	ip := netip.MustParseAddr("8.8.8.8")
	if got := d.Lookup(ip); got != google {
		t.Fatalf("Lookup = %+v", got)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got := d.Lookup(ip); got != (Info{}) {
		t.Errorf("Lookup after Close = %+v", got)
	}
	if city, asn := d.Available(); city || asn {
		t.Errorf("Available after Close = %v, %v", city, asn)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestConcurrentLookups(t *testing.T) {
	d := openTest(t)
	cases := []struct {
		ip   netip.Addr
		want Info
	}{
		{netip.MustParseAddr("8.8.8.8"), google},
		{netip.MustParseAddr("::ffff:8.8.8.9"), google},
		{netip.MustParseAddr("2a00:1450::1"), ireland},
		{netip.MustParseAddr("1.1.1.1"), cloudflare},
		{netip.MustParseAddr("192.168.10.1"), lan},
		{netip.MustParseAddr("9.9.9.9"), Info{}},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 2000 {
				c := cases[(g+i)%len(cases)]
				if got := d.Lookup(c.ip); got != c.want {
					select {
					case errs <- fmt.Sprintf("Lookup(%s) = %+v; want %+v", c.ip, got, c.want):
					default:
					}
					return
				}
				if i%500 == 0 {
					d.Available()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestCloseDuringLookups checks Close waits for lookups in progress and
// later lookups answer zero values (run with -race).
func TestCloseDuringLookups(t *testing.T) {
	d := openTest(t)
	ip := netip.MustParseAddr("8.8.8.8")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			<-start
			for range 1000 {
				if got := d.Lookup(ip); got != google && got != (Info{}) {
					t.Errorf("Lookup = %+v", got)
					return
				}
			}
		})
	}
	close(start)
	if err := d.Close(); err != nil {
		t.Error(err)
	}
	wg.Wait()
}

func TestWriteTestDBs(t *testing.T) {
	t.Run("bad CIDR", func(t *testing.T) {
		if err := WriteTestDBs(t.TempDir(), map[string]Info{"8.8.8.8": google}); err == nil {
			t.Error("no error for a CIDR without a prefix length")
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		if err := WriteTestDBs(filepath.Join(t.TempDir(), "nope"), testEntries()); err == nil {
			t.Error("no error for a missing directory")
		}
	})
	t.Run("empty", func(t *testing.T) {
		dir := t.TempDir()
		if err := WriteTestDBs(dir, nil); err != nil {
			t.Fatal(err)
		}
		d, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if city, asn := d.Available(); !city || !asn {
			t.Errorf("Available = %v, %v", city, asn)
		}
		if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != (Info{}) {
			t.Errorf("Lookup = %+v", got)
		}
	})
	t.Run("overlaps and mapped CIDRs", func(t *testing.T) {
		dir := t.TempDir()
		wide := Info{Country: "US", ASN: 1}
		narrow := Info{Country: "CA", ASN: 2}
		v6host := Info{Country: "DE", ASN: 3, ASName: "X"}
		err := WriteTestDBs(dir, map[string]Info{
			"10.0.0.0/8":            wide,
			"10.1.2.0/24":           narrow,
			"::ffff:172.16.0.0/116": {Country: "FR"},
			"fd00::1/128":           v6host,
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		for ip, want := range map[string]Info{
			"10.9.9.9":          wide,
			"10.1.2.3":          narrow,
			"172.16.5.5":        {Country: "FR"},
			"172.31.0.1":        {},
			"fd00::1":           v6host,
			"fd00::2":           {},
			"::ffff:10.1.2.200": narrow,
		} {
			if got := d.Lookup(netip.MustParseAddr(ip)); got != want {
				t.Errorf("Lookup(%s) = %+v; want %+v", ip, got, want)
			}
		}
	})
}

// benchEntries builds a database of n /24 networks spread over the IPv4
// space plus n /48s of IPv6, with distinct strings, to give the search tree
// a realistic depth.
func benchEntries(n int) map[string]Info {
	m := make(map[string]Info, 2*n)
	for i := range n {
		info := Info{
			Country: fmt.Sprintf("%c%c", 'A'+i%26, 'A'+(i/26)%26), Continent: "EU",
			City:     fmt.Sprintf("City %d", i),
			Latitude: float64(i%180) - 90, Longitude: float64(i%360) - 180,
			ASN: uint32(64512 + i), ASName: fmt.Sprintf("AS organisation %d", i),
		}
		m[fmt.Sprintf("%d.%d.%d.0/24", 1+i%220, (i*7)%256, (i*13)%256)] = info
		m[fmt.Sprintf("2a%02x:%x::/48", i%256, i)] = info
	}
	return m
}

func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	if err := WriteTestDBs(dir, benchEntries(5000)); err != nil {
		b.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()

	hits4 := []netip.Addr{}
	hits6 := []netip.Addr{}
	for i := range 64 {
		hits4 = append(hits4, netip.AddrFrom4([4]byte{byte(1 + i%220), byte(i * 7), byte(i * 13), byte(i)}))
		hits6 = append(hits6, netip.MustParseAddr(fmt.Sprintf("2a%02x:%x::%x", i%256, i, i+1)))
	}
	if d.Lookup(hits4[3]).City != "City 3" || d.Lookup(hits6[5]).ASN != 64517 {
		b.Fatalf("bench DB lookups wrong: %+v %+v", d.Lookup(hits4[3]), d.Lookup(hits6[5]))
	}
	misses := []netip.Addr{
		netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("10.0.0.1"),
		netip.MustParseAddr("230.1.2.3"), netip.MustParseAddr("fe80::1"),
	}
	run := func(name string, d *DB, ips []netip.Addr) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var sink Info
			i := 0
			for b.Loop() {
				sink = d.Lookup(ips[i%len(ips)])
				i++
			}
			_ = sink
		})
	}
	run("hit-v4", d, hits4)
	run("hit-v6", d, hits6)
	run("miss", d, misses)
	run("no-db", nil, hits4)
	b.Run("hit-v4-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_ = d.Lookup(hits4[i%len(hits4)])
				i++
			}
		})
	})
}

// TestFullRecords checks records with every member MaxMind's files have
// (other languages, subdivisions, registered_country, float32 locations, an
// ISP record with extra members...) give the wanted fields.
func TestFullRecords(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoIP2-City", IPVersion: 6, RecordSize: 28})
	if err != nil {
		t.Fatal(err)
	}
	names := func(en string) mmdbtype.Map {
		return mmdbtype.Map{"de": mmdbtype.String(en + "-de"), "en": mmdbtype.String(en), "zh-CN": mmdbtype.String(en + "-zh")}
	}
	full := mmdbtype.Map{
		"city":      mmdbtype.Map{"geoname_id": mmdbtype.Uint32(5375480), "names": names("Mountain View")},
		"continent": mmdbtype.Map{"code": mmdbtype.String("NA"), "geoname_id": mmdbtype.Uint32(6255149), "names": names("North America")},
		"country":   mmdbtype.Map{"geoname_id": mmdbtype.Uint32(6252001), "iso_code": mmdbtype.String("US"), "names": names("United States")},
		"location": mmdbtype.Map{"accuracy_radius": mmdbtype.Uint16(1000), "latitude": mmdbtype.Float64(37.386),
			"longitude": mmdbtype.Float64(-122.0838), "metro_code": mmdbtype.Uint16(807), "time_zone": mmdbtype.String("America/Los_Angeles")},
		"postal":             mmdbtype.Map{"code": mmdbtype.String("94035")},
		"registered_country": mmdbtype.Map{"geoname_id": mmdbtype.Uint32(6252001), "iso_code": mmdbtype.String("US"), "names": names("United States")},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"geoname_id": mmdbtype.Uint32(5332921), "iso_code": mmdbtype.String("CA"),
			"names": names("California")}},
		"traits": mmdbtype.Map{"is_anycast": mmdbtype.Bool(true)},
		// ASN members, as in a GeoIP2-Enterprise-like record, plus extras.
		"autonomous_system_number":       mmdbtype.Uint32(15169),
		"autonomous_system_organization": mmdbtype.String("GOOGLE"),
		"isp":                            mmdbtype.String("Google"),
	}
	countryOnly := mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "names": names("Europe")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("IE"), "is_in_european_union": mmdbtype.Bool(true), "names": names("Ireland")},
		"location":  mmdbtype.Map{"latitude": mmdbtype.Float32(53.5), "longitude": mmdbtype.Float32(-8)},
	}
	for cidr, rec := range map[string]mmdbtype.Map{"8.8.8.0/24": full, "2a00:1450::/32": countryOnly} {
		_, network, _ := net.ParseCIDR(cidr)
		if err := tree.Insert(network, rec); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := writeTree(tree, filepath.Join(dir, "GeoIP2-City.mmdb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "GeoIP2-City.mmdb"), filepath.Join(dir, "GeoIP2-ISP.mmdb")); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	want := Info{Country: "US", Continent: "NA", City: "Mountain View", Latitude: 37.386, Longitude: -122.0838, ASN: 15169, ASName: "GOOGLE"}
	if got := d.Lookup(netip.MustParseAddr("8.8.8.8")); got != want {
		t.Errorf("Lookup(8.8.8.8) = %+v; want %+v", got, want)
	}
	if got := d.Lookup(netip.MustParseAddr("2a00:1450::1")); got != (Info{Country: "IE", Continent: "EU", Latitude: 53.5, Longitude: -8}) {
		t.Errorf("Lookup(2a00:1450::1) = %+v", got)
	}
}
