package present

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// Options carry what a record needs beyond the stored row. Every hook is
// optional.
type Options struct {
	// NoHTML selects the text mode (format=txt/csv): labels are plain
	// titles, flags are "true"/"false", descriptions carry no links.
	NoHTML bool
	// Location is the time zone of date labels (default: time.Local, as
	// ntopng formats them in the server's zone).
	Location *time.Location
	// PoolName is the name of a host pool id.
	PoolName func(id int) string
	// NetworkName is the name (CIDR) of a local network id.
	NetworkName func(id int) string
	// ProtoName is the "Master.App" name of an L7 classification, used
	// when the alert does not carry l7_proto_name.
	ProtoName func(master, app int) string
	// ActiveFlow finds the live flow of a flow alert (its REST key and
	// hash id), for the active_url link.
	ActiveFlow func(r *alertdb.Record) (key, hashID uint32, ok bool)
}

func (o *Options) loc() *time.Location {
	if o == nil || o.Location == nil {
		return time.Local
	}
	return o.Location
}

func (o *Options) noHTML() bool { return o != nil && o.NoHTML }

// NoNetwork is the local network id stored for hosts outside every local
// network.
const NoNetwork = 65535

// dateLabel formats an epoch as ntopng's alert tables do.
func dateLabel(epoch int64, loc *time.Location) string {
	return time.Unix(epoch, 0).In(loc).Format("02/01/2006 15:04:05")
}

// severityOf is the severity shown for a record: always derived from the
// score (spec §1.1).
func severityOf(score int) alerts.Severity {
	s, _ := alerts.SeverityByID(alerts.ScoreToSeverity(score))
	return s
}

// storedSeverity is the severity column of a record (derived from the
// score when unset, as the store does on insert).
func storedSeverity(r *alertdb.Record) alerts.SeverityID {
	if r.Severity > 0 {
		return alerts.SeverityID(r.Severity)
	}
	return alerts.ScoreToSeverity(r.Score)
}

// severityIcons are the icon classes of the severity labels (REF-v1).
var severityIcons = map[alerts.SeverityID]string{
	alerts.SeverityNone:      "fas fa-info-circle text-info",
	alerts.SeverityDebug:     "fas fa-bug text-info",
	alerts.SeverityInfo:      "fas fa-info-circle text-info",
	alerts.SeverityNotice:    "fas fa-info-circle text-info",
	alerts.SeverityWarning:   "fas fa-exclamation-triangle text-warning",
	alerts.SeverityError:     "fas fa-exclamation-triangle text-danger",
	alerts.SeverityCritical:  "fas fa-exclamation-triangle text-danger",
	alerts.SeverityEmergency: "fas fa-bomb text-danger",
}

func severityObject(score int, o *Options) Object {
	s := severityOf(score)
	label := s.Title
	if !o.noHTML() {
		label = fmt.Sprintf("<i class='%s' style='color: %s!important' title='%s'></i> ", severityIcons[s.ID], s.Color, s.Title)
	}
	return Object{{"value", int(s.ID)}, {"label", label}, {"color", s.Color}}
}

func scoreObject(score int) Object {
	return Object{{"value", score}, {"label", FormatValue(int64(score))}, {"color", severityOf(score).Color}}
}

func tstampObject(epoch int64, score int, o *Options) Object {
	return Object{{"value", epoch}, {"label", dateLabel(epoch, o.loc())}, {"highlight", severityOf(score).Color}}
}

// typeIcons are the icons of alert types whose icon is not the default
// exclamation mark.
var typeIcons = map[alerts.Family]map[int]string{
	alerts.FamilyFlow: {26: "fas fa-fw fa-info-circle"},
}

func typeIcon(f alerts.Family, key int) string {
	if i, ok := typeIcons[f][key]; ok {
		return i
	}
	return "fas fa-fw fa-exclamation"
}

func alertIDObject(f alerts.Family, key int, o *Options) Object {
	title := alerts.TypeTitle(f, key)
	label := title
	if !o.noHTML() {
		label = `<i class="` + typeIcon(f, key) + `"></i> ` + title
	}
	return Object{{"value", strconv.Itoa(key)}, {"label", label}}
}

// categoryIcons are the icons of the check categories.
var categoryIcons = map[alerts.CategoryID]string{
	alerts.CategoryOther:            "fas fa-scroll",
	alerts.CategorySecurity:         "fas fa-shield-alt",
	alerts.CategoryInternals:        "fas fa-wrench",
	alerts.CategoryNetwork:          "fas fa-network-wired",
	alerts.CategorySystem:           "fas fa-server",
	alerts.CategoryIDSIPS:           "fas fa-user-lock",
	alerts.CategoryActiveMonitoring: "fas fa-tachometer-alt",
	alerts.CategorySNMP:             "fas fa-server",
}

func categoryObject(id int) Object {
	c, ok := alerts.CategoryByID(alerts.CategoryID(id))
	if !ok {
		c = alerts.Category{ID: alerts.CategoryID(id), Title: "Unknown"}
	}
	return Object{{"value", id}, {"label", c.Title}, {"icon", categoryIcons[c.ID]}}
}

// FormatValue groups the digits of n by thousands ("1,234"), as ntopng's
// formatValue does for scores.
func FormatValue(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatBytes renders a byte count as ntopng's bytesToSize: whole bytes
// below 1 KB ("171 Bytes"), else the value in the largest unit rounded to
// two decimals and printed like a Lua float ("2.08 KB", "2.0 KB").
func FormatBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " Bytes"
	}
	v := float64(n)
	unit := ""
	for _, u := range []string{"KB", "MB", "GB", "TB", "PB"} {
		v /= 1024
		unit = u
		if v < 1024 {
			break
		}
	}
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s + " " + unit
}

// htmlEscaper neutralises the characters that would let a value seen on
// the wire (a URL, a user agent) break out of the HTML snippets. '&' is
// kept: URLs carry it and ntopng shows them as they are.
var htmlEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func esc(s string) string { return htmlEscaper.Replace(s) }

// externalLink is ntopng's copy button + external link to proto://target,
// showing target.
func externalLink(proto, target string) string {
	u := esc(proto + "://" + target)
	return "<span><button data-to-copy='" + u + "' class='copy-http-url btn btn-light btn-sm border ms-1' " +
		"style='cursor: pointer;'><i class='fas fa-copy'></i></button>  <a class='ntopng-external-link' href='" +
		u + "' target='_blank'><i class='fas fa-external-link-alt'></i> " + esc(target) + "</a></span>"
}

// riskLink is the help link of an nDPI flow risk.
func riskLink(risk int) string {
	return fmt.Sprintf(`<a href="https://www.ntop.org/guides/nDPI/flow_risks.html#risk-%03d" target="_blank">`+
		`<i class="fas fa-lg fa-question-circle"></i></a>`, risk)
}

// hostReference is the link to a host's details page.
func hostReference(ip string, vlan int64) string {
	host := ip
	if vlan != 0 {
		host += "@" + strconv.FormatInt(vlan, 10)
	}
	return "<a href='/lua/host_details.lua?host=" + esc(host) +
		"' data-bs-toggle='tooltip' title=''><i class='fas fa-laptop'></i></a>"
}

// shorten cuts a host label longer than 24 bytes to 24 bytes + "…", as the
// host and flow lists do (scripts/lua/modules/host_labels.lua).
func shorten(label string) string {
	if len(label) > 24 {
		return label[:24] + "…"
	}
	return label
}

// configsetRef links the configuration of the check that raised an alert.
func configsetRef(subdir, key string) string {
	hook := "min"
	switch subdir {
	case "flow", "syslog", "snmp_device":
		hook = "all"
	}
	return ` <a href="/lua/admin/edit_configset.lua?subdir=` + esc(subdir) + `&check=` + esc(key) + `#` + hook +
		`"><i class="fas fa-cog" title="Edit Configuration"></i></a>`
}

// params is the decoded json column of a record. Engines and checks write
// it; a missing or malformed member reads as its zero value, so a record
// never fails to format.
type params map[string]any

func decodeParams(s string) params {
	var p params
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&p); err != nil || p == nil {
		return params{}
	}
	return p
}

func (p params) obj(k string) params {
	m, _ := p[k].(map[string]any)
	return params(m)
}

func (p params) str(k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// num returns member k as an integer and whether it is a number.
func (p params) num(k string) (int64, bool) {
	switch v := p[k].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

func (p params) has(k string) bool {
	_, ok := p[k]
	return ok
}

// generation is the alert_generation member: which check raised the alert.
func (p params) generation() (subdir, key string) {
	g := p.obj("alert_generation")
	return g.str("subdir"), g.str("script_key")
}

// field reads family column k of a record as text, as ntopng's store
// hands columns to its formatters.
func field(r *alertdb.Record, k string) string {
	switch v := r.Fields[k].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case float64:
		return strconv.FormatFloat(v, 'g', 14, 64)
	}
	return ""
}

func intField(r *alertdb.Record, k string) int64 {
	switch v := r.Fields[k].(type) {
	case int64:
		return v
	case bool:
		if v {
			return 1
		}
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

func boolField(r *alertdb.Record, k string) bool { return intField(r, k) != 0 }

// validHostname reports whether s is a DNS host name (letters, digits,
// hyphens, dot-separated labels): info values that are not (service names
// such as "_companion-link._tcp.local", free text) get no "value".
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// poolObject is a host pool member of a record.
func poolObject(id int64, o *Options) Object {
	name := ""
	if o != nil && o.PoolName != nil {
		name = o.PoolName(int(id))
	}
	if name == "" && id == 0 {
		name = "Default"
	}
	return Object{{"value", strconv.FormatInt(id, 10)}, {"label", name}}
}

// networkObject is a local network member of a record; hosts outside the
// local networks have an empty one.
func networkObject(id int64, o *Options) Object {
	if id < 0 || id == NoNetwork {
		return Object{{"value", ""}, {"label", ""}}
	}
	name := ""
	if o != nil && o.NetworkName != nil {
		name = o.NetworkName(int(id))
	}
	return Object{{"value", strconv.FormatInt(id, 10)}, {"label", name}}
}

func isMulticast(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.IsMulticast()
}
