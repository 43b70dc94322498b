package dpi

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Breed is nDPI's rating of a protocol. The numeric values follow nDPI's
// ndpi_protocol_breed_t.
type Breed uint8

const (
	BreedSafe Breed = iota
	BreedAcceptable
	BreedFun
	BreedUnsafe
	BreedPotentiallyDangerous
	BreedTrackerAds
	BreedDangerous
	BreedUnrated
)

var breedNames = [...]string{
	BreedSafe:                 "Safe",
	BreedAcceptable:           "Acceptable",
	BreedFun:                  "Fun",
	BreedUnsafe:               "Unsafe",
	BreedPotentiallyDangerous: "Potentially Dangerous",
	BreedTrackerAds:           "Tracker/Ads",
	BreedDangerous:            "Dangerous",
	BreedUnrated:              "Unrated",
}

// String is the breed name used by ntopng ("Safe", "Potentially Dangerous",
// ...). Values out of range print as "Unrated".
func (b Breed) String() string {
	if int(b) < len(breedNames) {
		return breedNames[b]
	}
	return breedNames[BreedUnrated]
}

// ParseBreed is the inverse of Breed.String (case-insensitive).
func ParseBreed(s string) (Breed, bool) {
	for i, n := range breedNames {
		if strings.EqualFold(n, s) {
			return Breed(i), true
		}
	}
	return BreedUnrated, false
}

// Protocol is one L7 protocol known to the classifier. Values returned by a
// Registry are shared: treat them as read-only.
type Protocol struct {
	ID       ProtoID
	Name     string
	Category CategoryID
	Breed    Breed
	Custom   bool // defined by the custom protocols file
}

// Category is one L7 category.
type Category struct {
	ID   CategoryID
	Name string
}

// CustomBreed is the breed nDPI gives to protocols defined by a custom
// protocols file (ndpi_handle_rule: NDPI_PROTOCOL_ACCEPTABLE).
const CustomBreed = BreedAcceptable

//go:embed protocols.tsv
var protocolsTSV []byte

//go:embed categories.tsv
var categoriesTSV []byte

// builtin is the parsed embedded data, shared by every Registry.
var builtin struct {
	once   sync.Once
	protos []*Protocol
	cats   []Category
}

func loadBuiltin() {
	builtin.once.Do(func() {
		builtin.protos = mustParse(parseProtocols(protocolsTSV))
		builtin.cats = mustParse(parseCategories(categoriesTSV))
	})
}

func mustParse[T any](v T, err error) T {
	if err != nil {
		panic("dpi: broken embedded table: " + err.Error())
	}
	return v
}

// tsvLines calls fn for every non-blank, non-comment line with its
// tab-separated fields and 1-based line number.
func tsvLines(data []byte, fn func(line int, f []string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if err := fn(n, strings.Split(s, "\t")); err != nil {
			return err
		}
	}
	return sc.Err()
}

// parseProtocols parses protocols.tsv: ids must be dense from 0.
func parseProtocols(data []byte) ([]*Protocol, error) {
	var out []*Protocol
	err := tsvLines(data, func(line int, f []string) error {
		if len(f) != 4 {
			return fmt.Errorf("protocols line %d: want 4 fields, got %d", line, len(f))
		}
		id, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil || int(id) != len(out) {
			return fmt.Errorf("protocols line %d: bad or out-of-order id %q", line, f[0])
		}
		cat, err := strconv.ParseUint(f[2], 10, 16)
		if err != nil {
			return fmt.Errorf("protocols line %d: bad category %q", line, f[2])
		}
		br, ok := ParseBreed(f[3])
		if !ok {
			return fmt.Errorf("protocols line %d: bad breed %q", line, f[3])
		}
		if f[1] == "" {
			return fmt.Errorf("protocols line %d: empty name", line)
		}
		out = append(out, &Protocol{ID: ProtoID(id), Name: f[1], Category: CategoryID(cat), Breed: br})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("protocols: empty table")
	}
	return out, err
}

// parseCategories parses categories.tsv (ids strictly increasing).
func parseCategories(data []byte) ([]Category, error) {
	var out []Category
	err := tsvLines(data, func(line int, f []string) error {
		if len(f) != 2 || f[1] == "" {
			return fmt.Errorf("categories line %d: want id and name", line)
		}
		id, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil || (len(out) > 0 && CategoryID(id) <= out[len(out)-1].ID) {
			return fmt.Errorf("categories line %d: bad or out-of-order id %q", line, f[0])
		}
		out = append(out, Category{ID: CategoryID(id), Name: f[1]})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("categories: empty table")
	}
	return out, err
}

// Registry maps protocol ids to names, categories and breeds, and holds the
// rules of the custom protocols file. All methods are safe for concurrent
// use; LoadCustomProtocols publishes a new immutable snapshot, so lookups
// never lock.
type Registry struct {
	data atomic.Pointer[regData]
	mu   sync.Mutex // serialises writers
}

// regData is one immutable snapshot of a Registry.
type regData struct {
	protos    []*Protocol // indexed by id, dense
	byName    map[string]*Protocol
	cats      []Category
	hostRules []hostRule
	ipRules   []ipRule
	portRules []portRule
}

// NewRegistry returns a registry holding the built-in protocols and
// categories. It panics only if the embedded tables are broken.
func NewRegistry() *Registry {
	loadBuiltin()
	d := &regData{
		protos: append([]*Protocol(nil), builtin.protos...),
		byName: make(map[string]*Protocol, len(builtin.protos)),
		cats:   builtin.cats,
	}
	for _, p := range d.protos {
		d.byName[strings.ToLower(p.Name)] = p
	}
	r := &Registry{}
	r.data.Store(d)
	return r
}

func (r *Registry) snap() *regData { return r.data.Load() }

// Protocol returns the protocol with that id; unknown ids give the Unknown
// protocol. The result is never nil.
func (r *Registry) Protocol(id ProtoID) *Protocol {
	d := r.snap()
	if int(id) < len(d.protos) {
		return d.protos[id]
	}
	return d.protos[ProtoUnknown]
}

// ByName looks a protocol up by name, case-insensitively.
func (r *Registry) ByName(name string) (*Protocol, bool) {
	p, ok := r.snap().byName[strings.ToLower(name)]
	return p, ok
}

// Protocols lists every protocol (built-in and custom) sorted by id.
func (r *Registry) Protocols() []*Protocol {
	return append([]*Protocol(nil), r.snap().protos...)
}

// Categories lists the categories sorted by id.
func (r *Registry) Categories() []Category {
	return append([]Category(nil), r.snap().cats...)
}

// CategoryName is the name of a category id, "" when unknown.
func (r *Registry) CategoryName(id CategoryID) string {
	cats := r.snap().cats
	i := sort.Search(len(cats), func(i int) bool { return cats[i].ID >= id })
	if i < len(cats) && cats[i].ID == id {
		return cats[i].Name
	}
	return ""
}

// Name is the L7 name of a classification (spec A.9.3): "TLS",
// "TLS.Facebook", "DNS.Google", "Unknown".
func (r *Registry) Name(res Result) string {
	if res.Master != ProtoUnknown && res.Master != res.App {
		if res.App != ProtoUnknown {
			return r.Protocol(res.Master).Name + "." + r.Protocol(res.App).Name
		}
		return r.Protocol(res.Master).Name
	}
	return r.Protocol(res.App).Name
}

// CategoryOf is the category of a classification: the app's category when
// the app is known, else the master's.
func (r *Registry) CategoryOf(res Result) CategoryID {
	if res.App != ProtoUnknown {
		return r.Protocol(res.App).Category
	}
	return r.Protocol(res.Master).Category
}

// StatsProto is the protocol under which a flow's traffic is counted in the
// host and interface ndpi tables (spec A.9.3): the app if known and the
// master is not DNS, else the master.
func StatsProto(res Result) ProtoID {
	if res.App != ProtoUnknown && res.Master != ProtoDNS {
		return res.App
	}
	return res.Master
}

// CounterProto is the protocol a flow is counted under by the L7 flow
// counters (spec D.3): the app if it differs from the master and is known,
// else the master.
func CounterProto(res Result) ProtoID {
	if res.App != res.Master && res.App != ProtoUnknown {
		return res.App
	}
	return res.Master
}

// Is reports whether p is the master or the app of the result.
func (res Result) Is(p ProtoID) bool { return res.Master == p || res.App == p }

// Lower is the transport-level protocol of a result: the master when known,
// else the app ("DNS" for both DNS and DNS.Google).
func (res Result) Lower() ProtoID {
	if res.Master != ProtoUnknown {
		return res.Master
	}
	return res.App
}

// hostRule, ipRule and portRule are the rules of the custom protocols file.
type hostRule struct {
	pattern string // lower-case, matched as a substring of the server name
	id      ProtoID
}

type ipRule struct {
	prefix netip.Prefix
	port   uint16 // 0: any port
	id     ProtoID
}

type portRule struct {
	l4     uint8 // 6 or 17
	lo, hi uint16
	id     ProtoID
}
