package rest

import (
	"net/netip"
	"strconv"
	"strings"
)

// validator checks one parameter value (already purified). It reports
// whether the value is acceptable; rejected values are dropped, as ntopng's
// lint step does (rest-conventions.md §3.2).
type validator func(v string) bool

func isInteger(v string) bool {
	if v == "" {
		return false
	}
	_, err := strconv.ParseInt(v, 0, 64)
	if err == nil {
		return true
	}
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f == float64(int64(f))
}

func oneOf(vals ...string) validator {
	return func(v string) bool {
		for _, x := range vals {
			if v == x {
				return true
			}
		}
		return false
	}
}

func noQuote(v string) bool      { return !strings.ContainsRune(v, '\'') }
func noSpaceQuote(v string) bool { return !strings.ContainsAny(v, " '") }
func anything(string) bool       { return true }
func emptyOrInt(v string) bool   { return v == "" || isInteger(v) }
func intOrAll(v string) bool     { return v == "all" || isInteger(v) }
func boolish(v string) bool      { return oneOf("", "true", "false", "0", "1")(v) }
func commaInts(v string) bool    { return commaList(v, isInteger) }
func commaList(v string, f validator) bool {
	for _, p := range strings.Split(v, ",") {
		if !f(p) {
			return false
		}
	}
	return true
}

func isMAC(v string) bool {
	if len(v) != 17 {
		return false
	}
	for i := 0; i < 17; i++ {
		c := v[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

func fieldAlias(v string) bool {
	return commaList(v, func(p string) bool { return p != "" && noSpaceQuote(p) })
}

// validators is the table of known parameter names. A name missing here is
// refused with INVALID_ARGUMENTS naming it. Later endpoints add their names.
var validators = map[string]validator{
	"ifid": isInteger, "iffilter": intOrAll,
	"host": noQuote, "vlan": emptyOrInt,
	"currentPage": isInteger, "perPage": isInteger, "epoch_begin": isInteger, "epoch_end": isInteger,
	"maxhits_clause": isInteger, "os": isInteger, "asn": isInteger, "pool": isInteger,
	"protocol": isInteger, "dscp": isInteger, "limit": isInteger,
	"sortColumn": noSpaceQuote, "sortOrder": oneOf("asc", "desc"),
	"all": boolish, "breed": boolish, "ndpi_category": boolish, "verbose": boolish, "download": boolish,
	"approx_search": boolish, "host_stats": boolish, "host_stats_flows": boolish, "top_hidden": boolish,
	"mode": oneOf("all", "local", "local_no_tx", "local_no_tcp_tx", "remote", "remote_no_tx", "remote_no_tcp_tx",
		"broadcast_domain", "filtered", "blacklisted", "dhcp", "restore", "client_duration", "server_duration",
		"client_frequency", "server_frequency", "broadcast_multicast"),
	"ndpistats_mode": oneOf("sinceStartup", "count", "host"),
	"direction":      oneOf("sent", "recv"),
	"field_alias":    fieldAlias,
	"custom_name":    anything,
	"application":    noSpaceQuote, // resolved against the protocol registry by the script
	"category":       noQuote,
	"l4proto":        func(v string) bool { return commaList(v, func(p string) bool { return p != "" && noSpaceQuote(p) }) },
	"version":        oneOf("4", "6"),
	"network":        func(v string) bool { return commaInts(v) || filterListOf(isInteger)(v) },
	"network_cidr":   func(v string) bool { return v == "" || noSpaceQuote(v) },
	"country":        func(v string) bool { return commaList(v, func(p string) bool { return len(p) == 2 }) },
	"mac":            func(v string) bool { return v == "" || commaList(v, isMAC) },
	"traffic_type": oneOf("unicast", "broadcast_multicast", "one_way", "bidirectional", "one_way_unicast",
		"one_way_broadcast_multicast"),
	"bpf_filter":    func(v string) bool { return v == "" || noQuote(v) },
	"select_clause": noQuote, "select_keys_clause": noQuote, "select_values_clause": noQuote,
	"begin_time_clause": noQuote, "end_time_clause": noQuote, "where_clause": anything, "topk_clause": noSpaceQuote,
	"port": isInteger, "flowhosts_type": oneOf("local_only", "remote_only", "local_origin_remote_target", "remote_origin_local_target"),
	"alert_type": noSpaceQuote, "tcp_flow_state": oneOf("established", "connecting", "closed", "reset"),
	"talking_with": noQuote, "client": noQuote, "server": noQuote, "host_pool_id": func(v string) bool { return isInteger(v) || filterListOf(isInteger)(v) },
	"icmp_type": noQuote, "deviceIP": noQuote, "inIfIdx": isInteger, "outIfIdx": isInteger,
	"flow_info": noQuote, "pid_name": noQuote, "container": noQuote, "pod": noQuote,
	"wlan_ssid": noQuote, "alert_type_severity": noQuote,
	"action": oneOf("enable", "disable", "edit"),

	// Users, sessions and tokens (rest-users-auth.md).
	"username": noSpaceQuote, "full_name": noQuote,
	"password": anything, "confirm_password": anything,
	"user_role":           oneOf("administrator", "unprivileged", "captive_portal"),
	"allowed_networks":    networkList,
	"allowed_interface":   emptyOrInt,
	"user_language":       oneOf("en", "cn", "it", "de", "jp", "pt", "cz", "fr", "ko", "es"),
	"add_user_language":   oneOf("en", "cn", "it", "de", "jp", "pt", "cz", "fr", "ko", "es"),
	"allow_pcap_download": boolish, "allow_historical_flows": boolish, "allow_alerts": boolish,
	"auth_session_duration": isInteger,

	// Pools (rest-pools.md) and configuration documents.
	"pool_name": anything, "pool_members": noSpaceQuote, "confset_id": isInteger,
	"recipients": func(v string) bool { return v == "" || commaInts(v) },
	"member":     noSpaceQuote, "old_member": noSpaceQuote, "pool_name_only": boolish,
	"host_pool_members": noQuote, "recipient_id": isInteger,
	"JSON": anything,

	// Checks (rest-alerts-checks.md §4).
	"check_subdir": noSpaceQuote, "script_key": noSpaceQuote,
	// Alert exclusions (pro/rest/v1/add/alert/exclusion.lua).
	"alert_addr": noSpaceQuote, "subdir": noSpaceQuote, "flow_alert_key": isInteger, "host_alert_key": isInteger,

	// Alerts (rest-alerts-checks.md §2–§3). Filter lists are checked by the
	// alert store, which names what is wrong; here they only must not
	// carry a quote. "network" and "host_pool_id" (above) also accept
	// filter lists of integers; other values are dropped as before, since
	// the data-plane and user endpoints share them.
	"status": noQuote, "start": isInteger, "length": isInteger, "sort": noSpaceQuote,
	"order": oneOf("asc", "desc"), "format": oneOf("json", "txt", "csv"), "draw": isInteger,
	"by_24h": boolish, "label": anything,
}

// filterListOf accepts an alert filter list (spec §3.1) whose values pass
// item: comma separated `value` or `value;op` items.
func filterListOf(item validator) validator {
	return func(v string) bool {
		for _, it := range strings.Split(v, ",") {
			if it == "" {
				continue
			}
			value, op, hasOp := strings.Cut(it, ";")
			if hasOp && !oneOf("eq", "neq", "lt", "gt", "gte", "lte", "in", "nin")(op) || !item(value) {
				return false
			}
		}
		return true
	}
}

// alertFilters are the field filters of the alert endpoints (spec §3.1):
// each is a filter list, validated by the alert store.
var alertFilters = []string{
	"alert_id", "alert_severity", "severity", "score", "alert_category", "tstamp", "tstamp_end", "row_id",
	"info", "description", "user_label", "counter", "granularity",
	"ip", "ip_version", "vlan_id", "name", "role", "role_cli_srv", "host_location",
	"mitre_id", "mitre_tactic", "mitre_technique", "mitre_subtechnique",
	"cli_ip", "srv_ip", "cli_name", "srv_name", "cli_port", "srv_port", "proto", "l7proto", "l7_proto",
	"flow_risk", "cli_country", "srv_country", "probe_ip", "input_snmp", "output_snmp", "snmp_interface",
	"cli_host_pool_id", "srv_host_pool_id", "cli_network", "srv_network", "l7_error_id", "confidence",
	"community_id", "ja4_client", "alert_domain", "srv2cli_bytes", "cli2srv_bytes", "traffic_direction",
	"network_name", "subtype",
}

// Alert parameters are strict: a dropped filter would widen what an
// acknowledge or delete changes, and a dropped time bound or page the
// answer of a read (docs/compatibility.md).
func init() {
	for _, name := range alertFilters {
		if _, shared := validators[name]; !shared { // another endpoint's name keeps its rules
			validators[name] = noQuote
			strictParams[name] = true
		}
	}
	for _, name := range []string{"status", "start", "length", "sort", "order", "format", "by_24h",
		"epoch_begin", "epoch_end"} {
		strictParams[name] = true
	}
}

// rawParams are passed as received: purifying would change a password.
// A configuration document is JSON: its quotes must reach the parser.
var rawParams = map[string]bool{"password": true, "confirm_password": true, "JSON": true}

// strictParams are refused with an error instead of being dropped when
// their value is invalid: dropping a bad field of a user edit would apply
// the other fields and report success (docs/compatibility.md).
var strictParams = map[string]bool{
	"username": true, "full_name": true, "user_role": true, "allowed_networks": true,
	"allowed_interface": true, "user_language": true, "add_user_language": true,
	"allow_pcap_download": true, "allow_historical_flows": true, "allow_alerts": true,
	"auth_session_duration": true,
	// A dropped pool field would turn a bad value into "missing" or, for
	// recipients, into "unchanged".
	"pool_members": true, "member": true, "old_member": true, "recipients": true,
	"host_pool_members": true, "pool_name_only": true,
	"check_subdir": true, "script_key": true,
	"alert_addr": true, "subdir": true, "flow_alert_key": true, "host_alert_key": true,
}

// networkList accepts a comma separated list of addresses or CIDRs
// (IPv4 prefix 0-32, IPv6 0-128), or "" / "-1".
func networkList(v string) bool {
	if v == "" || v == "-1" {
		return true
	}
	return commaList(v, func(p string) bool {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err == nil {
			return true
		}
		_, err := netip.ParseAddr(p)
		return err == nil
	})
}

// purify replaces the characters ntopng's lint step neutralises: < > " and
// control bytes become _, and doubled .. // \\ become __.
func purify(v string) string {
	clean := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '<' || c == '>' || c == '"' || c < 0x20 || c == 0x7f {
			clean = false
			break
		}
	}
	if clean && !strings.Contains(v, "..") && !strings.Contains(v, "//") && !strings.Contains(v, `\\`) {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if c == '<' || c == '>' || c == '"' || c < 0x20 || c == 0x7f {
			b[i] = '_'
		}
	}
	s := string(b)
	for _, d := range []string{"..", "//", `\\`} {
		s = strings.ReplaceAll(s, d, "__")
	}
	return s
}

// paramError names a parameter the server refuses: an unknown name, or
// (value) an invalid value of a strict parameter.
type paramError struct {
	name  string
	value bool
}

func (e *paramError) Error() string {
	if e.value {
		return "invalid value of parameter \"" + e.name + "\""
	}
	return "unknown parameter \"" + e.name + "\""
}

// lint validates a parameter set in place: dropped names are those whose
// values failed validation; an unknown name is an error.
func lint(params map[string]string, allowEmpty bool) error {
	for name, v := range params {
		if strings.HasPrefix(name, "csrf") || strings.HasPrefix(name, "switch_interface") {
			delete(params, name)
			continue
		}
		if strings.HasPrefix(name, "p_") {
			if strings.ContainsRune(v, '\'') {
				delete(params, name)
			}
			continue
		}
		val, ok := validators[name]
		if !ok {
			return &paramError{name: name}
		}
		if v == "" && allowEmpty {
			continue
		}
		pv := v
		if !rawParams[name] {
			pv = purify(v)
		}
		if !val(pv) {
			if strictParams[name] {
				return &paramError{name: name, value: true}
			}
			delete(params, name)
			continue
		}
		params[name] = pv
	}
	return nil
}
