// Package geo geolocates host addresses with MaxMind DB (.mmdb) files: a
// city (or country) database and an autonomous-system database, as ntopng
// does with GeoLite2 / DB-IP lite files found in its data directory.
//
// The databases are optional: without them every lookup answers the zero
// Info. They are opened once (memory-mapped) and never reloaded.
package geo

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Info is what the databases say about one address; zero values when unknown.
type Info struct {
	Country             string // ISO 3166-1 alpha-2, e.g. "US" (upper case as in the DB)
	Continent           string // continent code, e.g. "EU"
	City                string // English city name
	Latitude, Longitude float64
	ASN                 uint32
	ASName              string // autonomous_system_organization
}

// File names looked for, in order of preference. The first one found wins.
var (
	cityFiles    = []string{"GeoLite2-City.mmdb", "dbip-city-lite.mmdb", "GeoIP2-City.mmdb"}
	countryFiles = []string{"GeoLite2-Country.mmdb"}
	asnFiles     = []string{"GeoLite2-ASN.mmdb", "dbip-asn-lite.mmdb", "GeoIP2-ISP.mmdb"}
)

// subDir is the subdirectory of the data directory also searched for the
// database files.
const subDir = "geoip"

// DB holds the opened databases (either may be missing). Safe for concurrent
// use. A nil *DB is valid and answers zero Info.
type DB struct {
	mu       sync.RWMutex // read-held by lookups, write-held by Close
	city     *maxminddb.Reader
	asn      *maxminddb.Reader
	cityPath string
	asnPath  string
}

// Open looks in dir, then in dir/geoip, for the city database (GeoLite2-City,
// dbip-city-lite, GeoIP2-City; GeoLite2-Country as a country-only fallback)
// and the ASN database (GeoLite2-ASN, dbip-asn-lite, GeoIP2-ISP). The first
// name of each list that exists is used; a name earlier in the list wins
// over a later one wherever it is.
//
// Missing files are not an error: the DB then answers zero values for what
// they would have given. A file that exists but cannot be opened or is not
// a MaxMind DB is an error; Open then returns a nil *DB (which is still
// usable and answers zero Info) together with the error.
func Open(dir string) (*DB, error) {
	d := &DB{}
	var err error
	d.city, d.cityPath, err = openFirst(dir, cityFiles, countryFiles)
	if err != nil {
		return nil, err
	}
	d.asn, d.asnPath, err = openFirst(dir, asnFiles)
	if err != nil {
		if d.city != nil {
			_ = d.city.Close()
		}
		return nil, err
	}
	return d, nil
}

// openFirst opens the first file of the lists (in order, each name in dir
// then in dir/geoip) that exists. It answers nil, "", nil when none exists.
func openFirst(dir string, lists ...[]string) (*maxminddb.Reader, string, error) {
	for _, names := range lists {
		for _, name := range names {
			for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, subDir, name)} {
				st, err := os.Stat(p)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					return nil, "", fmt.Errorf("geo: %w", err)
				}
				if st.IsDir() {
					return nil, "", fmt.Errorf("geo: %s is a directory", p)
				}
				r, err := maxminddb.Open(p)
				if err != nil {
					return nil, "", fmt.Errorf("geo: opening %s: %w", p, err)
				}
				return r, p, nil
			}
		}
	}
	return nil, "", nil
}

// cityRecord holds the only fields of a GeoLite2/GeoIP2/DB-IP City (or
// Country) record that Lookup uses. Struct fields (not maps) keep the
// decoder from allocating for the parts it skips.
type cityRecord struct {
	City struct {
		Names struct {
			EN string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Location struct {
		Latitude  float64 `maxminddb:"latitude"`
		Longitude float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// asnRecord holds the fields of a GeoLite2-ASN / DB-IP ASN / GeoIP2-ISP
// record that Lookup uses.
type asnRecord struct {
	Number       uint32 `maxminddb:"autonomous_system_number"`
	Organization string `maxminddb:"autonomous_system_organization"`
}

// Lookup answers what the databases know about ip. IPv4-mapped IPv6
// addresses are looked up as IPv4. Addresses the databases have no record
// for (private, reserved, unknown), an invalid ip, a nil or closed DB and
// records that fail to decode all give zero values.
func (d *DB) Lookup(ip netip.Addr) Info {
	var info Info
	if d == nil || !ip.IsValid() {
		return info
	}
	ip = ip.Unmap()

	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.city == nil && d.asn == nil {
		return info
	}

	// Decode takes an interface, so the records would escape to the heap
	// on every call; they are recycled instead.
	s := scratchPool.Get().(*scratch)
	if d.city != nil {
		s.city = cityRecord{}
		if d.city.Lookup(ip).Decode(&s.city) == nil {
			info.Country = s.city.Country.ISOCode
			info.Continent = s.city.Continent.Code
			info.City = s.city.City.Names.EN
			info.Latitude = s.city.Location.Latitude
			info.Longitude = s.city.Location.Longitude
		}
	}
	if d.asn != nil {
		s.asn = asnRecord{}
		if d.asn.Lookup(ip).Decode(&s.asn) == nil {
			info.ASN = s.asn.Number
			info.ASName = s.asn.Organization
		}
	}
	*s = scratch{}
	scratchPool.Put(s)
	return info
}

type scratch struct {
	city cityRecord
	asn  asnRecord
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Available tells which databases were found and opened: city is true
// for a city database or the country-only fallback.
func (d *DB) Available() (city, asn bool) {
	if d == nil {
		return false, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.city != nil, d.asn != nil
}

// Paths answers the files in use ("" for a database not found), for logs.
func (d *DB) Paths() (city, asn string) {
	if d == nil {
		return "", ""
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.cityPath, d.asnPath
}

// Close releases the databases. Lookups after Close answer zero Info;
// Close waits for lookups in progress. Closing twice or a nil DB is fine.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	if d.city != nil {
		errs = append(errs, d.city.Close())
		d.city = nil
	}
	if d.asn != nil {
		errs = append(errs, d.asn.Close())
		d.asn = nil
	}
	return errors.Join(errs...)
}
