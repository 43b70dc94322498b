package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Hook is the configuration of one hook of a check.
type Hook struct {
	Enabled bool `json:"enabled"`
	// ScriptConf is the check's parameters (compact JSON); `[]` when it has
	// none (an empty Lua table).
	ScriptConf json.RawMessage `json:"script_conf"`
}

// Config is the checks configuration (rest-alerts-checks.md §4.2): the
// configuration set (id 0) and the alert exclusions.
//
// Its JSON form (MarshalJSON / UnmarshalJSON) is the configuration set
// alone, `{"config":{...},"filters":{...},"id":0}`; Document adds the
// exclusions. Empty objects are written `[]`, as ntopng writes an empty
// Lua table, and `[]` is read back as an empty object.
//
// A Config is a value: methods with a pointer receiver change it in
// place, Clone gives an independent copy. json.RawMessage values are never
// modified in place, so copies share them.
type Config struct {
	// Checks is config[subdir][script_key][hook].
	Checks map[string]map[string]map[string]Hook
	// Filters is filters[subdir][script_key] = list of {"<field>": value}
	// (kept as JSON). nil: the set has no "filters" member.
	Filters map[string]map[string]json.RawMessage
	// ID is nil on a fresh install and 0 once a set has been imported.
	ID *int
	// Extra holds the members of an imported set that are none of the
	// above, written back verbatim.
	Extra map[string]json.RawMessage
	// Exclusions is the alert_exclusions document (JSON, `[]` when none).
	Exclusions json.RawMessage
}

// emptyTable is how an empty Lua table is encoded.
var emptyTable = json.RawMessage(`[]`)

// Defaults is the configuration of a fresh install with the checks defs:
// every check with its default hooks, the default filters, no id and no
// exclusions.
func Defaults(defs []Def) Config {
	c := Config{
		Checks:     map[string]map[string]map[string]Hook{},
		Filters:    map[string]map[string]json.RawMessage{},
		Exclusions: emptyTable,
	}
	c.MergeDefaults(defs)
	return c
}

// MergeDefaults adds every check of defs that c lacks (or that has no
// hook) with its default hooks, together with its default filters when c
// has none for it. Existing entries are never changed. It returns the
// number of checks added. This is what happens at every start-up.
func (c *Config) MergeDefaults(defs []Def) int {
	added := 0
	for _, d := range defs {
		if len(c.Checks[d.Subdir][d.Key]) > 0 {
			continue
		}
		c.setHooks(d.Subdir, d.Key, d.DefaultHooks())
		added++
		if d.Filters == "" {
			continue
		}
		if _, ok := c.Filters[d.Subdir][d.Key]; ok {
			continue
		}
		if c.Filters == nil {
			c.Filters = map[string]map[string]json.RawMessage{}
		}
		if c.Filters[d.Subdir] == nil {
			c.Filters[d.Subdir] = map[string]json.RawMessage{}
		}
		c.Filters[d.Subdir][d.Key] = json.RawMessage(d.Filters)
	}
	if c.Exclusions == nil {
		c.Exclusions = emptyTable
	}
	return added
}

func (c *Config) setHooks(subdir, key string, hooks map[string]Hook) {
	if c.Checks == nil {
		c.Checks = map[string]map[string]map[string]Hook{}
	}
	if c.Checks[subdir] == nil {
		c.Checks[subdir] = map[string]map[string]Hook{}
	}
	c.Checks[subdir][key] = hooks
}

// Clone returns a copy of c that shares nothing mutable with it.
func (c Config) Clone() Config {
	out := Config{Exclusions: c.Exclusions, Extra: maps.Clone(c.Extra)}
	if c.ID != nil {
		id := *c.ID
		out.ID = &id
	}
	if c.Checks != nil {
		out.Checks = make(map[string]map[string]map[string]Hook, len(c.Checks))
		for sub, keys := range c.Checks {
			m := make(map[string]map[string]Hook, len(keys))
			for k, hooks := range keys {
				m[k] = maps.Clone(hooks)
			}
			out.Checks[sub] = m
		}
	}
	if c.Filters != nil {
		out.Filters = make(map[string]map[string]json.RawMessage, len(c.Filters))
		for sub, keys := range c.Filters {
			out.Filters[sub] = maps.Clone(keys)
		}
	}
	return out
}

// Enable sets enabled of every hook of the check (subdir, key) to on,
// keeping its script_conf (rest-alerts-checks.md §4.5). A check missing
// from c is first created from its defaults. defs are the checks the
// program knows: an unknown subdir (or an empty key) is InvalidArguments,
// a key unknown in defs is UnknownCheck. c is unchanged on error.
func (c *Config) Enable(defs []Def, subdir, key string, on bool) error {
	if !IsSubdir(subdir) {
		return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("unknown check subdir %q", subdir)}
	}
	if key == "" {
		return &Error{Kind: InvalidArguments, Msg: "missing script_key"}
	}
	d, ok := Lookup(defs, subdir, key)
	if !ok {
		return &Error{Kind: UnknownCheck, Msg: fmt.Sprintf("Unknown user script %q", key)}
	}
	hooks := maps.Clone(c.Checks[subdir][key])
	if len(hooks) == 0 {
		hooks = d.DefaultHooks()
	}
	for h, conf := range hooks {
		conf.Enabled = on
		hooks[h] = conf
	}
	c.setHooks(subdir, key, hooks)
	return nil
}

// Enabled returns the hooks of (subdir, key) that are enabled, sorted, and
// the script_conf of the first of them (the hooks of a check share their
// parameters in practice); nothing when the check is absent or disabled.
// It reads the document only: Store.Enabled also applies the defaults of a
// check missing from it.
func (c Config) Enabled(subdir, key string) (hooks []string, scriptConf json.RawMessage) {
	entry := c.Checks[subdir][key]
	for _, h := range slices.Sorted(maps.Keys(entry)) {
		if entry[h].Enabled {
			if hooks == nil {
				scriptConf = entry[h].ScriptConf
			}
			hooks = append(hooks, h)
		}
	}
	return hooks, scriptConf
}

// Set applies the document of set/checks/config (rest-alerts-checks.md
// §4.4): {"0": <configuration set>, "alert_exclusions": ...}.
//
//   - not JSON, not an object: InvalidArguments;
//   - `{}` (or `[]`): nothing changes, changed is false;
//   - no "0", or "0" not a configuration set: BadContent;
//   - "0".id present and not 0: InternalError;
//   - otherwise the set replaces c's as it is (no per-check validation,
//     no merge of defaults), with id 0, and alert_exclusions, when
//     present, replaces c's exclusions.
//
// c is unchanged on error.
func (c *Config) Set(doc []byte) (changed bool, err error) {
	u, err := parseSet(doc)
	if err != nil || u == nil {
		return false, err
	}
	excl := c.Exclusions
	if u.exclusions != nil {
		excl = u.exclusions
	}
	*c = u.set
	c.Exclusions = excl
	if c.Exclusions == nil {
		c.Exclusions = emptyTable
	}
	return true, nil
}

// update is a parsed set/checks/config document.
type update struct {
	set        Config          // id 0, no exclusions
	exclusions json.RawMessage // nil: keep the stored ones
}

// parseSet parses a set/checks/config document; (nil, nil) for an empty
// one.
func parseSet(doc []byte) (*update, error) {
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 {
		return nil, &Error{Kind: InvalidArguments, Msg: "missing checks configuration document"}
	}
	if !json.Valid(doc) {
		return nil, &Error{Kind: InvalidArguments, Msg: "the checks configuration is not valid JSON"}
	}
	top, err := object(doc)
	if err != nil || top == nil {
		return nil, &Error{Kind: InvalidArguments, Msg: "the checks configuration is not a JSON object"}
	}
	if len(top) == 0 {
		return nil, nil
	}
	rawSet, ok := top["0"]
	if !ok || isNull(rawSet) {
		return nil, &Error{Kind: BadContent, Msg: `the checks configuration has no configuration set "0"`}
	}
	members, err := object(rawSet)
	if err != nil || members == nil {
		return nil, &Error{Kind: BadContent, Msg: `configuration set "0" is not an object`}
	}
	if id, ok := members["id"]; ok && !isNull(id) {
		if n, err := integer(id); err != nil || n != 0 {
			return nil, &Error{Kind: InternalError, Msg: fmt.Sprintf("configuration set id %s is not 0", compact(id))}
		}
	}
	var u update
	if err := u.set.decodeSet(members); err != nil {
		return nil, &Error{Kind: BadContent, Msg: `configuration set "0": ` + err.Error()}
	}
	zero := 0
	u.set.ID = &zero
	if ex, ok := top["alert_exclusions"]; ok && !isNull(ex) {
		if m, err := object(ex); err != nil || m == nil {
			return nil, &Error{Kind: BadContent, Msg: "alert_exclusions is not an object"}
		}
		u.exclusions = compact(ex)
	}
	return &u, nil
}

// MarshalJSON writes the configuration set.
func (c Config) MarshalJSON() ([]byte, error) {
	members := make(map[string]json.RawMessage, len(c.Extra)+3)
	maps.Copy(members, c.Extra)
	if c.Checks != nil {
		checks := make(map[string]json.RawMessage, len(c.Checks))
		for sub, keys := range c.Checks {
			entries := make(map[string]json.RawMessage, len(keys))
			for key, hooks := range keys {
				hs := make(map[string]json.RawMessage, len(hooks))
				for h, conf := range hooks {
					if len(conf.ScriptConf) == 0 {
						conf.ScriptConf = emptyTable
					}
					b, err := encode(conf)
					if err != nil {
						return nil, fmt.Errorf("checks: %s.%s.%s: %w", sub, key, h, err)
					}
					hs[h] = b
				}
				entries[key] = luaTable(hs)
			}
			checks[sub] = luaTable(entries)
		}
		members["config"] = luaTable(checks)
	}
	if c.Filters != nil {
		filters := make(map[string]json.RawMessage, len(c.Filters))
		for sub, keys := range c.Filters {
			for key, list := range keys {
				if !json.Valid(list) {
					return nil, fmt.Errorf("checks: filters.%s.%s is not JSON", sub, key)
				}
			}
			filters[sub] = luaTable(keys)
		}
		members["filters"] = luaTable(filters)
	}
	if c.ID != nil {
		members["id"] = json.RawMessage(fmt.Sprint(*c.ID))
	}
	return encode(members)
}

// luaTable encodes an object whose values are valid JSON; `[]` when it is
// empty.
func luaTable(m map[string]json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return emptyTable
	}
	b, err := encode(m)
	if err != nil {
		// Unreachable: the callers check the values.
		return emptyTable
	}
	return b
}

// encode is json.Marshal without HTML escaping.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// UnmarshalJSON reads a configuration set (as MarshalJSON writes it). The
// exclusions are not part of it and are left as they are.
func (c *Config) UnmarshalJSON(b []byte) error {
	members, err := object(b)
	if err != nil {
		return err
	}
	if members == nil {
		return errors.New("checks: the configuration set is not an object")
	}
	var out Config
	if err := out.decodeSet(members); err != nil {
		return err
	}
	if raw, ok := members["id"]; ok && !isNull(raw) {
		id, err := integer(raw)
		if err != nil {
			return fmt.Errorf("checks: id: %w", err)
		}
		out.ID = &id
	}
	out.Exclusions = c.Exclusions
	*c = out
	return nil
}

// decodeSet fills the members of c from those of a configuration set,
// except the id.
func (c *Config) decodeSet(members map[string]json.RawMessage) error {
	*c = Config{}
	for name, raw := range members {
		switch name {
		case "id":
		case "config":
			checks, err := decodeChecks(raw)
			if err != nil {
				return fmt.Errorf("config: %w", err)
			}
			c.Checks = checks
		case "filters":
			filters, err := decodeFilters(raw)
			if err != nil {
				return fmt.Errorf("filters: %w", err)
			}
			c.Filters = filters
		default:
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			c.Extra[name] = compact(raw)
		}
	}
	return nil
}

func decodeChecks(raw json.RawMessage) (map[string]map[string]map[string]Hook, error) {
	subs, err := object(raw)
	if err != nil || subs == nil {
		return nil, notObject(raw, err)
	}
	checks := make(map[string]map[string]map[string]Hook, len(subs))
	for sub, rawKeys := range subs {
		keys, err := object(rawKeys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sub, err)
		}
		entries := make(map[string]map[string]Hook, len(keys))
		for key, rawHooks := range keys {
			hooks, err := object(rawHooks)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", sub, key, err)
			}
			entry := make(map[string]Hook, len(hooks))
			for h, rawHook := range hooks {
				conf, err := decodeHook(rawHook)
				if err != nil {
					return nil, fmt.Errorf("%s.%s.%s: %w", sub, key, h, err)
				}
				entry[h] = conf
			}
			entries[key] = entry
		}
		checks[sub] = entries
	}
	return checks, nil
}

func decodeHook(raw json.RawMessage) (Hook, error) {
	fields, err := object(raw)
	if err != nil {
		return Hook{}, err
	}
	var h Hook
	if e, ok := fields["enabled"]; ok && !isNull(e) {
		if err := json.Unmarshal(e, &h.Enabled); err != nil {
			return Hook{}, fmt.Errorf("enabled is %s, not a boolean", compact(e))
		}
	}
	h.ScriptConf = emptyTable
	if sc, ok := fields["script_conf"]; ok && !isNull(sc) {
		if m, err := object(sc); err == nil && m != nil && len(m) == 0 {
			sc = emptyTable // {} and [] are the same empty Lua table
		}
		h.ScriptConf = compact(sc)
	}
	return h, nil
}

func decodeFilters(raw json.RawMessage) (map[string]map[string]json.RawMessage, error) {
	subs, err := object(raw)
	if err != nil || subs == nil {
		return nil, notObject(raw, err)
	}
	filters := make(map[string]map[string]json.RawMessage, len(subs))
	for sub, rawKeys := range subs {
		keys, err := object(rawKeys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sub, err)
		}
		m := make(map[string]json.RawMessage, len(keys))
		for key, list := range keys {
			m[key] = compact(list)
		}
		filters[sub] = m
	}
	return filters, nil
}

// object decodes a JSON object. `[]` (an empty Lua table) is an empty
// object; null is a nil map; anything else is an error.
func object(raw json.RawMessage) (map[string]json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case isNull(t):
		return nil, nil
	case len(t) > 0 && t[0] == '[':
		var arr []json.RawMessage
		if json.Unmarshal(t, &arr) == nil && len(arr) == 0 {
			return map[string]json.RawMessage{}, nil
		}
	case len(t) > 0 && t[0] == '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("%s is not an object", shorten(compact(t)))
}

func notObject(raw json.RawMessage, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s is not an object", shorten(compact(raw)))
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// integer decodes a JSON number with an integral value.
func integer(raw json.RawMessage) (int, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("%s is not a number", shorten(compact(raw)))
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%s is not an integer", shorten(compact(raw)))
	}
	return int(f), nil
}

// compact returns raw (valid JSON) without insignificant white space.
func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

func shorten(b []byte) string {
	s := string(b)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// Document is the answer of get/checks/config (and the "scripts" module of
// configuration documents): {"0": <set>, "alert_exclusions": <exclusions>}.
func (c Config) Document() ([]byte, error) {
	set, err := c.MarshalJSON()
	if err != nil {
		return nil, err
	}
	excl := c.Exclusions
	if len(excl) == 0 {
		excl = emptyTable
	}
	return encode(map[string]json.RawMessage{"0": set, "alert_exclusions": excl})
}
