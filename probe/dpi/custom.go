package dpi

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// LoadCustomProtocols reads an nDPI custom protocols file and adds its
// protocols and rules to the registry.
//
// Each line is "rule[,rule...]@Name". Rules are host:"substring" (quotes
// optional), ip:a.b.c.d[/bits][:port], ipv6:addr[/bits] (or
// ipv6:[addr[/bits]]:port), tcp:port, tcp:lo-hi, udp:port, udp:lo-hi. Blank
// lines and lines starting with '#' are ignored, as are nDPI's mask lines
// without '@' (ip_risk_mask:, ipv6_risk_mask:, host_risk_mask:,
// trusted_issuer_dn:). A name that already exists (case-insensitively)
// reuses that protocol; a new name gets the id after the highest existing
// one, category 0 (Unspecified) and nDPI's custom breed (Acceptable). As in
// nDPI, the characters / & ^ : ; ' " and space in names become '_', and a
// "Name=number" suffix (nDPI's user id mapping) is accepted and ignored.
//
// The file is applied atomically: on error nothing changes. Errors name the
// file and the line.
func (r *Registry) LoadCustomProtocols(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap()
	d := &regData{
		protos:    append([]*Protocol(nil), old.protos...),
		byName:    make(map[string]*Protocol, len(old.byName)+8),
		cats:      old.cats,
		hostRules: append([]hostRule(nil), old.hostRules...),
		ipRules:   append([]ipRule(nil), old.ipRules...),
		portRules: append([]portRule(nil), old.portRules...),
	}
	for k, v := range old.byName {
		d.byName[k] = v
	}
	for i, raw := range strings.Split(string(data), "\n") {
		if err := d.addRuleLine(raw); err != nil {
			return fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
	}
	r.data.Store(d)
	return nil
}

var maskRulePrefixes = []string{"ip_risk_mask:", "ipv6_risk_mask:", "host_risk_mask:", "trusted_issuer_dn:"}

// addRuleLine parses one line of a custom protocols file into d.
func (d *regData) addRuleLine(raw string) error {
	line := strings.TrimSpace(raw)
	if line == "" || line[0] == '#' {
		return nil
	}
	at := strings.LastIndexByte(line, '@')
	if at < 0 {
		for _, p := range maskRulePrefixes {
			if strings.HasPrefix(line, p) {
				return nil
			}
		}
		return fmt.Errorf("missing @<protocol> in %q", line)
	}
	name, err := customName(line[at+1:])
	if err != nil {
		return err
	}
	rules := strings.Split(line[:at], ",")
	// Parse every rule before defining the protocol, so that a bad line
	// leaves no trace.
	var (
		hosts []string
		ips   []ipRule
		ports []portRule
	)
	for _, rule := range rules {
		rule = strings.TrimSpace(rule)
		typ, val, ok := strings.Cut(rule, ":")
		if !ok {
			return fmt.Errorf("bad rule %q: want type:value", rule)
		}
		switch strings.ToLower(typ) {
		case "host":
			h := strings.ToLower(strings.Trim(strings.TrimSpace(val), `"`))
			if h == "" {
				return fmt.Errorf("empty host in %q", rule)
			}
			hosts = append(hosts, h)
		case "ip", "ipv6":
			ir, err := parseIPRule(strings.TrimSpace(val))
			if err != nil {
				return fmt.Errorf("bad address in %q: %v", rule, err)
			}
			ips = append(ips, ir)
		case "tcp", "udp":
			pr, err := parsePortRule(strings.TrimSpace(val))
			if err != nil {
				return fmt.Errorf("bad port in %q: %v", rule, err)
			}
			pr.l4 = 6
			if strings.EqualFold(typ, "udp") {
				pr.l4 = 17
			}
			ports = append(ports, pr)
		default:
			return fmt.Errorf("unknown rule type %q", typ)
		}
	}
	p, ok := d.byName[strings.ToLower(name)]
	if !ok {
		next := len(d.protos)
		if next > int(^ProtoID(0)) {
			return fmt.Errorf("too many protocols, cannot add %q", name)
		}
		p = &Protocol{ID: ProtoID(next), Name: name, Category: 0, Breed: CustomBreed, Custom: true}
		d.protos = append(d.protos, p)
		d.byName[strings.ToLower(name)] = p
	}
	for _, h := range hosts {
		d.hostRules = append(d.hostRules, hostRule{pattern: h, id: p.ID})
	}
	for _, ir := range ips {
		ir.id = p.ID
		d.ipRules = append(d.ipRules, ir)
	}
	for _, pr := range ports {
		pr.id = p.ID
		d.portRules = append(d.portRules, pr)
	}
	return nil
}

// customName sanitises a protocol name the way nDPI does.
func customName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if eq := strings.IndexByte(s, '='); eq >= 0 {
		if _, err := strconv.ParseUint(strings.TrimSpace(s[eq+1:]), 10, 16); err != nil {
			return "", fmt.Errorf("bad protocol id in %q", s)
		}
		s = strings.TrimSpace(s[:eq])
	}
	if s == "" {
		return "", fmt.Errorf("empty protocol name")
	}
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '/', '&', '^', ':', ';', '\'', '"', ' ':
			b[i] = '_'
		}
	}
	return string(b), nil
}

// parseIPRule parses "addr", "addr/bits", "addr:port", "addr/bits:port",
// "[v6addr]:port" and "[v6addr/bits]:port".
func parseIPRule(v string) (ipRule, error) {
	var port uint16
	addr := v
	switch {
	case strings.HasPrefix(v, "["):
		end := strings.IndexByte(v, ']')
		if end < 0 {
			return ipRule{}, fmt.Errorf("missing ]")
		}
		addr = v[1:end]
		rest := v[end+1:]
		if rest != "" {
			if rest[0] != ':' {
				return ipRule{}, fmt.Errorf("junk after ]")
			}
			n, err := strconv.ParseUint(rest[1:], 10, 16)
			if err != nil || n == 0 {
				return ipRule{}, fmt.Errorf("bad port %q", rest[1:])
			}
			port = uint16(n)
		}
	case strings.Count(v, ":") == 1: // IPv4 with port
		a, ps, _ := strings.Cut(v, ":")
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || n == 0 {
			return ipRule{}, fmt.Errorf("bad port %q", ps)
		}
		addr, port = a, uint16(n)
	}
	var pfx netip.Prefix
	if strings.Contains(addr, "/") {
		p, err := netip.ParsePrefix(addr)
		if err != nil {
			return ipRule{}, err
		}
		pfx = p.Masked()
	} else {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return ipRule{}, err
		}
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	if pfx.Addr().Zone() != "" {
		return ipRule{}, fmt.Errorf("zones are not supported")
	}
	if pfx.Addr().Is4In6() {
		pfx = netip.PrefixFrom(pfx.Addr().Unmap(), max(pfx.Bits()-96, 0))
	}
	return ipRule{prefix: pfx, port: port}, nil
}

// parsePortRule parses "port" or "lo-hi".
func parsePortRule(v string) (portRule, error) {
	los, his, isRange := strings.Cut(v, "-")
	lo, err := strconv.ParseUint(strings.TrimSpace(los), 10, 16)
	if err != nil || lo == 0 {
		return portRule{}, fmt.Errorf("bad port %q", los)
	}
	hi := lo
	if isRange {
		hi, err = strconv.ParseUint(strings.TrimSpace(his), 10, 16)
		if err != nil || hi < lo {
			return portRule{}, fmt.Errorf("bad port range %q", v)
		}
	}
	return portRule{lo: uint16(lo), hi: uint16(hi)}, nil
}

// matchHost returns the protocol of the longest custom host pattern found
// in name (lower-case), like nDPI's host rules.
func (d *regData) matchHost(name string) (ProtoID, bool) {
	best, bestLen := ProtoUnknown, 0
	for i := range d.hostRules {
		hr := &d.hostRules[i]
		if len(hr.pattern) > bestLen && strings.Contains(name, hr.pattern) {
			best, bestLen = hr.id, len(hr.pattern)
		}
	}
	return best, bestLen > 0
}

// matchIP returns the protocol of the most specific custom ip rule that
// covers either endpoint (and its port, when the rule has one).
func (d *regData) matchIP(src, dst netip.Addr, sport, dport uint16) (ProtoID, bool) {
	if len(d.ipRules) == 0 {
		return ProtoUnknown, false
	}
	src, dst = src.Unmap(), dst.Unmap()
	best, bestBits := ProtoUnknown, -1
	for i := range d.ipRules {
		ir := &d.ipRules[i]
		if ir.prefix.Bits() <= bestBits {
			continue
		}
		if (ir.prefix.Contains(src) && (ir.port == 0 || ir.port == sport)) ||
			(ir.prefix.Contains(dst) && (ir.port == 0 || ir.port == dport)) {
			best, bestBits = ir.id, ir.prefix.Bits()
		}
	}
	return best, bestBits >= 0
}

// matchPort returns the protocol of a custom tcp/udp port rule, trying the
// server port first.
func (d *regData) matchPort(l4 uint8, srvPort, cliPort uint16) (ProtoID, bool) {
	for _, port := range [2]uint16{srvPort, cliPort} {
		for i := range d.portRules {
			pr := &d.portRules[i]
			if pr.l4 == l4 && port >= pr.lo && port <= pr.hi {
				return pr.id, true
			}
		}
	}
	return ProtoUnknown, false
}
