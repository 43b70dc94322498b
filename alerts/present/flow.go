package present

import (
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// flowRecord shapes a flow alert as the REF-v1 flow alert list does (the
// reference answer of conformance scenario get_alert_data_01).
func flowRecord(r *alertdb.Record, o *Options) Object {
	p := decodeParams(r.JSON)
	rec := commonRecord(alertdb.FamilyFlow, r, p, o)
	rec.Set("alert_category", nil) // the flow list has none (REF-v1)

	desc := flowDescription(r, p, o)
	descr := desc
	if descr == "" {
		descr = alerts.TypeTitle(alerts.FamilyFlow, r.AlertID)
	}
	rec.Set("description", Object{{"descr", descr}})
	if m, ok := rec.Get("msg"); ok {
		msg := m.(Object)
		msg.Set("description", desc)
		rec.Set("msg", msg)
	}

	cliIP, srvIP := field(r, "cli_ip"), field(r, "srv_ip")
	vlan := intField(r, "vlan_id")
	flow := Object{}
	if o != nil && o.ActiveFlow != nil && !o.noHTML() {
		if key, hash, ok := o.ActiveFlow(r); ok {
			flow.Set("active_url", "/lua/flow_details.lua?flow_key="+strconv.FormatUint(uint64(key), 10)+
				"&flow_hash_id="+strconv.FormatUint(uint64(hash), 10))
		}
	}
	flow.Set("cli_ip", peerObject(r, "cli", cliIP, vlan, o))
	flow.Set("cli_port", field(r, "cli_port"))
	flow.Set("srv_ip", peerObject(r, "srv", srvIP, vlan, o))
	flow.Set("srv_port", field(r, "srv_port"))
	rec.Set("flow", flow)
	rec.Set("vlan_id", strconv.FormatInt(vlan, 10))

	l4 := probe.L4Name(uint8(intField(r, "proto")))
	rec.Set("proto", Object{{"value", field(r, "proto")}, {"label", l4}})
	l7 := p.str("l7_proto_name")
	if l7 == "" && o != nil && o.ProtoName != nil {
		l7 = o.ProtoName(int(intField(r, "l7_master_proto")), int(intField(r, "l7_proto")))
	}
	l7obj := Object{{"value", field(r, "l7_proto")}, {"label", l4 + ":" + l7}, {"l4_label", l4}, {"l7_label", l7}}
	if c := p.str("l7_confidence"); c != "" {
		l7obj.Set("confidence", c)
	}
	rec.Set("l7_proto", l7obj)

	rec.Set("info", infoObject(field(r, "info"), p, o))
	for _, side := range []string{"cli", "srv"} {
		if role := roleObject(boolField(r, "is_"+side+"_attacker"), boolField(r, "is_"+side+"_victim")); role != nil {
			rec.Set(side+"_role", role)
		}
		rec.Set(side+"_host_pool_id", poolObject(intField(r, side+"_host_pool_id"), o))
		rec.Set(side+"_network", networkObject(intField(r, side+"_network"), o))
	}
	rec.Set("additional_alerts", Object{{"descr", additionalAlerts(r, p, o)}})
	rec.Set("flow_related_info", Object{{"descr", flowRelatedInfo(r, p, o)}})
	rec.Set("filter", Object{
		{"bpf", "host " + cliIP + " and host " + srvIP + " and port " + field(r, "cli_port") + " and port " + field(r, "srv_port")},
		{"epoch_begin", r.Tstamp},
		{"epoch_end", max(r.TstampEnd, r.Tstamp)},
	})
	return rec
}

// flowDescription is the description of the predominant alert: the text
// the check wrote, and for nDPI risks the risk title (when the check
// wrote nothing), the risk's help link and the risk details.
func flowDescription(r *alertdb.Record, p params, o *Options) string {
	d := p.str("description")
	risk, _ := p.num("ndpi_risk")
	if risk <= 0 {
		return d
	}
	if d == "" {
		d = alerts.TypeTitle(alerts.FamilyFlow, r.AlertID)
	}
	if !o.noHTML() {
		d += " " + riskLink(int(risk))
	}
	if info := p.str("ndpi_risk_info"); info != "" {
		d += " [" + info + "]"
	}
	return d
}

// peerObject describes the client or server of a flow alert.
func peerObject(r *alertdb.Record, side, ip string, vlan int64, o *Options) Object {
	name := field(r, side+"_name")
	if name == ip {
		name = "" // a name that is the address is no name
	}
	label := ip
	if name != "" {
		label = name
	}
	peer := Object{{"value", ip}, {"label", shorten(label)}, {"label_long", label}}
	if name != "" {
		peer.Set("name", name)
	}
	ref := ""
	if !o.noHTML() {
		ref = hostReference(ip, vlan)
	}
	peer.Set("reference", ref)
	peer.Set("country", field(r, side+"_country"))
	peer.Set("blacklisted", field(r, side+"_blacklisted"))
	return peer
}

// roleObject is the attacker/victim role of a flow peer (nil for none).
func roleObject(attacker, victim bool) Object {
	switch {
	case attacker:
		return Object{{"value", "attacker"}, {"label", "Is Attacker"}, {"tag_label", "Is Attacker"}}
	case victim:
		return Object{{"value", "victim"}, {"label", "Is Victim"}, {"tag_label", "Is Victim"}}
	}
	return nil
}

// infoObject is the flow information (server name, DNS query, HTTP
// host/URL) of a flow alert, with a link; its "value" is the host name it
// starts with, when it is one.
func infoObject(info string, p params, o *Options) Object {
	if info == "" {
		return Object{{"descr", ""}}
	}
	descr := info
	if !o.noHTML() {
		descr = externalLink("https", info)
	}
	obj := Object{{"descr", descr}}
	if host, _, _ := strings.Cut(info, "/"); validHostname(host) {
		obj.Set("value", host)
	}
	if dn := p.obj("proto").obj("tls").str("issuerDN"); dn != "" {
		obj.Set("issuerdn", dn)
	}
	return obj
}

// riskOfAlert maps flow alert keys to their nDPI risk, for the alerts of a
// flow whose json does not say it.
var riskOfAlert = func() map[int]int {
	m := map[int]int{}
	for id := dpi.RiskID(1); dpi.Risk(id) != nil; id++ {
		if k := dpi.Risk(id).AlertKey; k != 0 {
			m[k] = int(id)
		}
	}
	return m
}()

// otherAlerts lists the keys of the flow's alerts other than the
// predominant one, highest key first (as ntopng walks the alerts map),
// with their nDPI risk (0: none). The map column is authoritative; the
// json list serves when the map is missing.
func otherAlerts(r *alertdb.Record, p params) (keys []int, risks map[int]int) {
	risks = map[int]int{}
	listed, _ := p["alerts"].([]any)
	for _, a := range listed {
		e := params(asMap(a))
		k, ok := e.num("alert_id")
		if !ok {
			continue
		}
		if risk, ok := e.num("ndpi_risk"); ok && risk > 0 {
			risks[int(k)] = int(risk)
		}
	}
	seen := map[int]bool{}
	if m, ok := new(big.Int).SetString(field(r, "alerts_map"), 16); ok {
		for k := m.BitLen() - 1; k >= 0; k-- {
			if m.Bit(k) == 1 {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		for _, a := range listed {
			if k, ok := params(asMap(a)).num("alert_id"); ok && !seen[int(k)] {
				seen[int(k)] = true
				keys = append(keys, int(k))
			}
		}
		sortDesc(keys)
	}
	out := keys[:0]
	for _, k := range keys {
		if k != r.AlertID {
			out = append(out, k)
		}
	}
	for _, k := range out {
		if _, ok := risks[k]; !ok {
			risks[k] = riskOfAlert[k]
		}
	}
	return out, risks
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sortDesc(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] > s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// additionalAlerts is the titles of the flow's other alerts, risk-based
// ones followed by the risk's help link, separated by <br> (", " in text
// mode).
func additionalAlerts(r *alertdb.Record, p params, o *Options) string {
	keys, risks := otherAlerts(r, p)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		t := alerts.TypeTitle(alerts.FamilyFlow, k)
		if risks[k] > 0 && !o.noHTML() {
			t += " " + riskLink(risks[k])
		}
		parts = append(parts, t)
	}
	sep := "<br>"
	if o.noHTML() {
		sep = ", "
	}
	return strings.Join(parts, sep)
}

// flowRelatedInfo summarises the protocol details of the flow (DNS, HTTP,
// TLS, SSH) and its traffic, as ntopng's flow alert list does.
func flowRelatedInfo(r *alertdb.Record, p params, o *Options) string {
	var b strings.Builder
	add := func(name, value string) { b.WriteString(" [ " + name + ": " + value + " ]") }
	link := func(proto, target string) string {
		if o.noHTML() {
			return target
		}
		return externalLink(proto, target)
	}
	pr := p.obj("proto")
	if dns := pr.obj("dns"); len(dns) > 0 {
		if t, ok := dns.num("last_query_type"); ok {
			add("Query Type", badge("bg-info", dnsTypeName(int(t)), o))
		}
		if rc, ok := dns.num("last_return_code"); ok {
			cls := "bg-success"
			if rc != 0 {
				cls = "bg-danger"
			}
			add("Return Code", badge(cls, dnsRcodeName(int(rc)), o))
		}
		if q := dns.str("last_query"); q != "" {
			add("URL", link("https", q))
		}
	}
	if h := pr.obj("http"); len(h) > 0 {
		if code, ok := h.num("last_return_code"); ok && code > 0 {
			add("Response Status Code", badge(httpStatusClass(int(code)), httpStatusText(int(code)), o))
		}
		if ua := h.str("last_user_agent"); ua != "" {
			add("User Agent", esc(ua))
		}
		if u := h.str("last_url"); u != "" {
			proto, target := "http", u
			if s, rest, ok := strings.Cut(u, "://"); ok {
				proto, target = s, rest
			}
			add("URL", link(proto, target))
		}
	}
	if t := pr.obj("tls"); len(t) > 0 {
		nb, okB := t.num("notBefore")
		na, okA := t.num("notAfter")
		if okB && okA && (nb != 0 || na != 0) {
			add("TLS Certificate Validity", dateLabel(nb, o.loc())+" - "+dateLabel(na, o.loc()))
		}
		if cs, ok := t.num("cipher"); ok && cs != 0 {
			state := CipherState(uint16(cs))
			add("Cipher State", badge(cipherClass[state], state, o))
		}
		if sni := t.str("client_requested_server_name"); sni != "" {
			add("Requested Server Name", link("https", sni))
		}
	}
	if s := pr.obj("ssh"); len(s) > 0 {
		if c := s.str("client_signature"); c != "" {
			add("Client Signature", esc(c))
		}
		if sv := s.str("server_signature"); sv != "" {
			add("Server Signature", esc(sv))
		}
	}
	b.WriteString(" [ Server to Client Traffic: " + FormatBytes(intField(r, "srv2cli_bytes")) +
		" | Client to Server Traffic: " + FormatBytes(intField(r, "cli2srv_bytes")) + " ]")
	return b.String()
}

func badge(class, text string, o *Options) string {
	if o.noHTML() {
		return text
	}
	return `<span class="badge ` + class + `">` + esc(text) + `</span>`
}

// dnsTypes names the common DNS query types.
var dnsTypes = map[int]string{
	1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 28: "AAAA",
	29: "LOC", 33: "SRV", 35: "NAPTR", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 64: "SVCB",
	65: "HTTPS", 99: "SPF", 251: "IXFR", 252: "AXFR", 255: "ANY", 257: "CAA",
}

func dnsTypeName(t int) string {
	if n, ok := dnsTypes[t]; ok {
		return n
	}
	return strconv.Itoa(t)
}

// dnsRcodes names the DNS response codes.
var dnsRcodes = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"}

func dnsRcodeName(rc int) string {
	if rc >= 0 && rc < len(dnsRcodes) {
		return dnsRcodes[rc]
	}
	return strconv.Itoa(rc)
}

func httpStatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return strconv.Itoa(code)
}

func httpStatusClass(code int) string {
	switch {
	case code >= 500:
		return "bg-danger"
	case code >= 400:
		return "bg-warning"
	case code >= 300:
		return "bg-info"
	}
	return "bg-success"
}

// TLS cipher states (nDPI's ndpi_cipher_weakness).
const (
	CipherSafe     = "safe"
	CipherWeak     = "weak"
	CipherInsecure = "insecure"
)

var cipherClass = map[string]string{CipherSafe: "bg-success", CipherWeak: "bg-warning", CipherInsecure: "bg-danger"}

// CipherState rates a TLS cipher suite as nDPI does: RC4 suites are
// insecure; RSA key exchange (no forward secrecy), 3DES, IDEA and SEED are
// weak (the list the classifier's weak-cipher risk uses, probe/dpi/tls.go);
// everything else is safe.
func CipherState(cs uint16) string {
	switch cs {
	case 0xc011, 0x0005, 0x0004:
		return CipherInsecure
	case 0x009d, 0x003d, 0x0035, 0x0084, 0x009c, 0x003c, 0x002f, 0x0041,
		0xc012, 0x0016, 0x000a, 0x0096, 0x0007:
		return CipherWeak
	}
	return CipherSafe
}
