package checks

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Exclusion is one alert type not to raise for a subject (ntopng's alert
// exclusion lists): a host ("ip" or "ip@vlan") or a network (CIDR).
type Exclusion struct {
	Subject string
	// Family is "flow" or "host": which alert list the key goes to.
	Family string
	Key    int
}

// exclusionEntry is one subject of the alert_exclusions document.
type exclusionEntry struct {
	Type       string `json:"type"`
	FlowAlerts []int  `json:"flow_alerts"`
	HostAlerts []int  `json:"host_alerts"`
}

// ParseExclusionSubject normalizes a subject: "ip" and "ip@vlan" become
// "ip@vlan" (type "host"), a CIDR its masked form (type "network").
func ParseExclusionSubject(s string) (subject, kind string, ok bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String(), "network", true
	}
	ip, vlan, hasVLAN := strings.Cut(s, "@")
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return "", "", false
	}
	v := 0
	if hasVLAN {
		if v, err = strconv.Atoi(vlan); err != nil || v < 0 || v > 4095 {
			return "", "", false
		}
	}
	return a.Unmap().String() + "@" + strconv.Itoa(v), "host", true
}

// AddExclusion adds an alert exclusion (one transaction; adding one that
// exists changes nothing). Subjects must be valid and families flow or
// host: InvalidArguments otherwise.
func (s *Store) AddExclusion(ctx context.Context, ex Exclusion) error {
	subject, kind, ok := ParseExclusionSubject(ex.Subject)
	if !ok || (ex.Family != "flow" && ex.Family != "host") || ex.Key < 0 || ex.Key > 65535 {
		return &Error{Kind: InvalidArguments, Msg: "invalid alert exclusion"}
	}
	return s.update(ctx, func(c *Config) (bool, error) {
		m := map[string]*exclusionEntry{}
		if err := json.Unmarshal(c.Exclusions, &m); err != nil {
			m = map[string]*exclusionEntry{} // `[]`: none yet
		}
		e := m[subject]
		if e == nil {
			e = &exclusionEntry{Type: kind, FlowAlerts: []int{}, HostAlerts: []int{}}
			m[subject] = e
		}
		list := &e.FlowAlerts
		if ex.Family == "host" {
			list = &e.HostAlerts
		}
		if slices.Contains(*list, ex.Key) {
			return false, nil
		}
		*list = append(*list, ex.Key)
		slices.Sort(*list)
		doc, err := json.Marshal(m)
		if err != nil {
			return false, &Error{Kind: InternalError, Msg: "checks: encoding exclusions", Err: err}
		}
		c.Exclusions = doc
		return true, nil
	})
}
