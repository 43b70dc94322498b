package dpi

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Server-name classification: the host table of nDPI (its host_match and
// category_match lists, ndpi_content_match.c.inc and the generated domain
// lists), kept in hosts.tsv. See nameMatcher for the matching rules.

//go:embed hosts.tsv
var hostsTSV []byte

// hostTables is the matcher built from hosts.tsv.
type hostTables struct {
	names *nameMatcher
	n     int // patterns loaded
}

var builtinHosts struct {
	once sync.Once
	t    *hostTables
}

func loadedHosts() *hostTables {
	builtinHosts.once.Do(func() {
		builtinHosts.t = mustParse(parseHostTable(hostsTSV))
	})
	return builtinHosts.t
}

// parseHostTable reads the host table. Each line is a pattern, a tab,
// then either a protocol name (of protocols.tsv) optionally followed by
// "@Category" (when nDPI files the name under another category than the
// protocol's own) and "level=N" (nDPI's explicit match level), or only
// "@Category" for names nDPI lists only for their category.
func parseHostTable(data []byte) (*hostTables, error) {
	loadBuiltin()
	byName := make(map[string]ProtoID, len(builtin.protos))
	for _, p := range builtin.protos {
		byName[strings.ToLower(p.Name)] = p.ID
	}
	cats := make(map[string]CategoryID, len(builtin.cats))
	for _, c := range builtin.cats {
		cats[strings.ToLower(c.Name)] = c.ID
	}
	category := func(line int, s string) (CategoryID, error) {
		id, ok := cats[strings.ToLower(strings.TrimPrefix(s, "@"))]
		if !ok || !strings.HasPrefix(s, "@") {
			return 0, fmt.Errorf("hosts line %d: unknown category %q", line, s)
		}
		return id, nil
	}
	b := newNameMatcherBuilder()
	n := 0
	err := tsvLines(data, func(line int, f []string) error {
		if len(f) < 2 || f[0] == "" {
			return fmt.Errorf("hosts line %d: want a pattern and a protocol or @category", line)
		}
		pat := f[0]
		if strings.ToLower(pat) != pat || strings.ContainsAny(pat, " \t*") {
			return fmt.Errorf("hosts line %d: pattern %q must be lower case, without blanks or '*'", line, pat)
		}
		n++
		if strings.HasPrefix(f[1], "@") {
			if len(f) != 2 {
				return fmt.Errorf("hosts line %d: a category-only line has 2 fields", line)
			}
			c, err := category(line, f[1])
			if err != nil {
				return err
			}
			if !b.add(pat, nameValue{cat: c}) {
				return fmt.Errorf("hosts line %d: duplicate pattern %q", line, pat)
			}
			return nil
		}
		id, ok := byName[strings.ToLower(f[1])]
		if !ok {
			return fmt.Errorf("hosts line %d: unknown protocol %q", line, f[1])
		}
		v := nameValue{id: id}
		for _, opt := range f[2:] {
			switch {
			case strings.HasPrefix(opt, "@"):
				c, err := category(line, opt)
				if err != nil {
					return err
				}
				v.cat = c
			case strings.HasPrefix(opt, "level="):
				l, err := strconv.ParseUint(opt[len("level="):], 10, 8)
				if err != nil || l == 0 {
					return fmt.Errorf("hosts line %d: bad level %q", line, opt)
				}
				v.level = uint8(l)
			default:
				return fmt.Errorf("hosts line %d: unknown field %q", line, opt)
			}
		}
		if !b.add(pat, v) {
			return fmt.Errorf("hosts line %d: duplicate pattern %q", line, pat)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &hostTables{names: b.build(), n: n}, nil
}

// hostTableMaxLen bounds the names looked up (the DNS maximum).
const hostTableMaxLen = 253

// matchHostTable classifies a lower-case server name with the host table
// (a trailing dot is ignored). It returns
// the service and, when nDPI files that name under another category than
// the service's own (googlesyndication.com: Google, Advertisement), that
// category; for names listed only for their category, ProtoUnknown and
// the category; otherwise zeros.
func matchHostTable(name string) (ProtoID, CategoryID) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > hostTableMaxLen {
		return ProtoUnknown, 0
	}
	r := loadedHosts().names.match(name)
	if r.proto.found {
		return r.proto.v.id, r.proto.v.cat
	}
	return ProtoUnknown, r.cat.v.cat
}
