package geo

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// WriteTestDBs writes a small city DB and ASN DB into dir (used by other
// packages' tests); entries maps CIDR → Info.
//
// The files are named GeoLite2-City.mmdb and GeoLite2-ASN.mmdb and laid out
// as MaxMind's: country.iso_code, continent.code, city.names.en,
// location.latitude/longitude; autonomous_system_number and
// autonomous_system_organization. Both files are always written (possibly
// without any network). An entry goes into the city DB when it has any of
// Country, Continent, City, Latitude, Longitude, and into the ASN DB when it
// has ASN or ASName. Private and reserved networks (10.0.0.0/8,
// 192.168.0.0/16, fc00::/7...) are accepted. Overlapping CIDRs are
// inserted shortest prefix first, so the more specific entry wins.
// IPv4-mapped IPv6 CIDRs (::ffff:a.b.c.d/n, n >= 96) are stored as IPv4.
func WriteTestDBs(dir string, entries map[string]Info) error {
	type entry struct {
		prefix netip.Prefix
		info   Info
	}
	list := make([]entry, 0, len(entries))
	for cidr, info := range entries {
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return fmt.Errorf("geo: test DB entry %q: %w", cidr, err)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		list = append(list, entry{p.Masked(), info})
	}
	slices.SortFunc(list, func(a, b entry) int {
		if c := cmp.Compare(a.prefix.Bits(), b.prefix.Bits()); c != 0 {
			return c
		}
		return a.prefix.Addr().Compare(b.prefix.Addr())
	})

	city, err := newTestTree("GeoLite2-City", 28)
	if err != nil {
		return err
	}
	asn, err := newTestTree("GeoLite2-ASN", 24)
	if err != nil {
		return err
	}
	for _, e := range list {
		network := &net.IPNet{
			IP:   e.prefix.Addr().AsSlice(),
			Mask: net.CIDRMask(e.prefix.Bits(), e.prefix.Addr().BitLen()),
		}
		if rec := cityTestRecord(e.info); rec != nil {
			if err := city.Insert(network, rec); err != nil {
				return fmt.Errorf("geo: test city DB, %s: %w", e.prefix, err)
			}
		}
		if e.info.ASN != 0 || e.info.ASName != "" {
			rec := mmdbtype.Map{}
			if e.info.ASN != 0 {
				rec["autonomous_system_number"] = mmdbtype.Uint32(e.info.ASN)
			}
			if e.info.ASName != "" {
				rec["autonomous_system_organization"] = mmdbtype.String(e.info.ASName)
			}
			if err := asn.Insert(network, rec); err != nil {
				return fmt.Errorf("geo: test ASN DB, %s: %w", e.prefix, err)
			}
		}
	}
	if err := writeTree(city, filepath.Join(dir, "GeoLite2-City.mmdb")); err != nil {
		return err
	}
	return writeTree(asn, filepath.Join(dir, "GeoLite2-ASN.mmdb"))
}

// newTestTree makes an IPv6 tree (IPv4 networks live in ::/96 and the usual
// IPv4 aliases, as in MaxMind's files) that accepts reserved networks.
func newTestTree(dbType string, recordSize int) (*mmdbwriter.Tree, error) {
	t, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		Description:             map[string]string{"en": "ntopng-go test " + dbType},
		Languages:               []string{"en"},
		IPVersion:               6,
		RecordSize:              recordSize,
		IncludeReservedNetworks: true,
	})
	if err != nil {
		return nil, fmt.Errorf("geo: test DB %s: %w", dbType, err)
	}
	return t, nil
}

// cityTestRecord builds a City record with only the fields info has, or nil
// when it has none.
func cityTestRecord(info Info) mmdbtype.DataType {
	rec := mmdbtype.Map{}
	if info.Country != "" {
		rec["country"] = mmdbtype.Map{
			"iso_code": mmdbtype.String(info.Country),
			"names":    mmdbtype.Map{"en": mmdbtype.String(info.Country)},
		}
	}
	if info.Continent != "" {
		rec["continent"] = mmdbtype.Map{
			"code":  mmdbtype.String(info.Continent),
			"names": mmdbtype.Map{"en": mmdbtype.String(info.Continent)},
		}
	}
	if info.City != "" {
		rec["city"] = mmdbtype.Map{
			"geoname_id": mmdbtype.Uint32(1),
			"names":      mmdbtype.Map{"en": mmdbtype.String(info.City)},
		}
	}
	if info.Latitude != 0 || info.Longitude != 0 {
		rec["location"] = mmdbtype.Map{
			"accuracy_radius": mmdbtype.Uint16(100),
			"latitude":        mmdbtype.Float64(info.Latitude),
			"longitude":       mmdbtype.Float64(info.Longitude),
		}
	}
	if len(rec) == 0 {
		return nil
	}
	return rec
}

func writeTree(t *mmdbwriter.Tree, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	if _, err := t.WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("geo: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("geo: writing %s: %w", path, err)
	}
	return nil
}
