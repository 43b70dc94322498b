package engine

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// config is a snapshot of the checks configuration, rebuilt on every
// change so that checks never take the store's lock.
type config struct {
	// enabled checks by subdir and key.
	enabled map[string]map[string]*checkConf
	// risk maps an nDPI risk to the enabled check raising its alert.
	risk [64]*checkConf
	// scoredRisks: risks whose check is enabled, or that have no check.
	scoredRisks dpi.Risks
	// exclusions by subject ("ip@vlan" or a CIDR).
	exclusions map[string]exclusion
	nets       []netExclusion
}

// checkConf is an enabled check with its parsed script_conf.
type checkConf struct {
	def   checks.Def
	hooks []string
	// threshold_cross
	operator  string
	threshold float64
	// items_list
	items []string
	// numbers are the numeric members of script_conf (elephant_flows,
	// long_lived), and filteredCats the categories of the check's
	// {"l7_cat": name} filters, lower-case without spaces.
	numbers      map[string]float64
	filteredCats map[string]bool
}

// exclusion lists the alert types not raised for a subject.
type exclusion struct {
	flow, host map[int]bool
}

type netExclusion struct {
	prefix netip.Prefix
	exclusion
}

func loadConfig(store *checks.Store) *config {
	c := &config{enabled: map[string]map[string]*checkConf{}, exclusions: map[string]exclusion{}}
	flowByAlert := map[int]*checkConf{}
	defByAlert := map[int]bool{}
	for _, d := range store.Defs() {
		if d.Subdir == "flow" && d.AlertID != 0 {
			defByAlert[d.AlertID] = true
		}
		hooks, raw := store.Enabled(d.Subdir, d.Key)
		if len(hooks) == 0 {
			continue
		}
		cc := parseConf(d, hooks, raw)
		if c.enabled[d.Subdir] == nil {
			c.enabled[d.Subdir] = map[string]*checkConf{}
		}
		c.enabled[d.Subdir][d.Key] = cc
		if d.Subdir == "flow" && d.AlertID != 0 {
			flowByAlert[d.AlertID] = cc
		}
	}
	c.scoredRisks = ^dpi.Risks(0)
	for id := dpi.RiskID(1); id < 64; id++ {
		ri := dpi.Risk(id)
		if ri == nil || ri.AlertKey == 0 {
			continue
		}
		if cc := flowByAlert[ri.AlertKey]; cc != nil {
			c.risk[id] = cc
		} else if defByAlert[ri.AlertKey] {
			c.scoredRisks &^= 1 << id // its check is disabled
		}
	}
	c.loadExclusions(store.Exclusions())
	return c
}

func parseConf(d checks.Def, hooks []string, raw json.RawMessage) *checkConf {
	cc := &checkConf{def: d, hooks: hooks, numbers: map[string]float64{}, filteredCats: map[string]bool{}}
	var filters []map[string]any
	if d.Filters != "" && json.Unmarshal([]byte(d.Filters), &filters) == nil {
		for _, f := range filters {
			if c, ok := f["l7_cat"].(string); ok {
				cc.filteredCats[catKey(c)] = true
			}
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return cc
	}
	for k, v := range m {
		var f float64
		if json.Unmarshal(v, &f) == nil {
			cc.numbers[k] = f
		}
	}
	if op, ok := m["operator"]; ok {
		_ = json.Unmarshal(op, &cc.operator)
	}
	if t, ok := m["threshold"]; ok {
		cc.threshold = jsonNumber(t)
	}
	if it, ok := m["items"]; ok {
		var items []any
		if json.Unmarshal(it, &items) == nil {
			for _, x := range items {
				switch v := x.(type) {
				case string:
					cc.items = append(cc.items, strings.TrimSpace(v))
				case float64:
					cc.items = append(cc.items, strconv.FormatFloat(v, 'f', -1, 64))
				}
			}
		}
	}
	return cc
}

// jsonNumber reads a number given as a JSON number or string ("1000": the
// reference's dangerous_host default is a string).
func jsonNumber(raw json.RawMessage) float64 {
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		f, _ = strconv.ParseFloat(strings.TrimSpace(s), 64)
	}
	return f
}

// catKey is the comparable form of a category name ("Remote Access" and
// "RemoteAccess" → "remoteaccess").
func catKey(name string) string { return strings.ToLower(strings.ReplaceAll(name, " ", "")) }

// number is a numeric member of script_conf, or def when absent.
func (cc *checkConf) number(key string, def float64) float64 {
	if f, ok := cc.numbers[key]; ok {
		return f
	}
	return def
}

// crossed applies a threshold_cross configuration to a value.
func (cc *checkConf) crossed(v float64) bool {
	if cc.operator == "lt" {
		return v < cc.threshold
	}
	return v > cc.threshold
}

func (cc *checkConf) hasItem(s string) bool { return slices.Contains(cc.items, s) }

func (cc *checkConf) on(hook string) bool { return slices.Contains(cc.hooks, hook) }

// check returns the enabled check (subdir, key) or nil.
func (c *config) check(subdir, key string) *checkConf { return c.enabled[subdir][key] }

func (c *config) loadExclusions(raw json.RawMessage) {
	var m map[string]struct {
		FlowAlerts []int `json:"flow_alerts"`
		HostAlerts []int `json:"host_alerts"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	for subject, v := range m {
		ex := exclusion{flow: map[int]bool{}, host: map[int]bool{}}
		for _, id := range v.FlowAlerts {
			ex.flow[id] = true
		}
		for _, id := range v.HostAlerts {
			ex.host[id] = true
		}
		if p, err := netip.ParsePrefix(subject); err == nil {
			c.nets = append(c.nets, netExclusion{p.Masked(), ex})
			continue
		}
		c.exclusions[normalizeSubject(subject)] = ex
	}
}

// normalizeSubject turns "ip" or "ip@vlan" into "ip@vlan".
func normalizeSubject(s string) string {
	ip, vlan, ok := strings.Cut(s, "@")
	if !ok {
		vlan = "0"
	}
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.Unmap().String()
	}
	return ip + "@" + vlan
}

// excluded reports whether alert type typ of the given family ("flow" or
// "host") must not be raised for host ip on vlan.
func (c *config) excluded(family string, typ int, ip netip.Addr, vlan uint16) bool {
	if len(c.exclusions) == 0 && len(c.nets) == 0 {
		return false
	}
	pick := func(ex exclusion) bool {
		if family == "flow" {
			return ex.flow[typ]
		}
		return ex.host[typ]
	}
	if ex, ok := c.exclusions[ip.Unmap().String()+"@"+strconv.Itoa(int(vlan))]; ok && pick(ex) {
		return true
	}
	for _, n := range c.nets {
		if n.prefix.Contains(ip.Unmap()) && pick(n.exclusion) {
			return true
		}
	}
	return false
}
