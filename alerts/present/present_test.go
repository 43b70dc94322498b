package present

import (
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 Bytes", 171: "171 Bytes", 1023: "1023 Bytes", 1024: "1.0 KB", 2048: "2.0 KB", 2130: "2.08 KB",
		5468: "5.34 KB", 1925: "1.88 KB", 1 << 20: "1.0 MB", 3 << 30: "3.0 GB", 1536 << 20: "1.5 GB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 110: "110", 1000: "1,000", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := FormatValue(n); got != want {
			t.Errorf("FormatValue(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCipherStateAndHostnames(t *testing.T) {
	for cs, want := range map[uint16]string{0x1301: CipherSafe, 0xc02f: CipherSafe, 0x002f: CipherWeak,
		0x000a: CipherWeak, 0x0005: CipherInsecure} {
		if got := CipherState(cs); got != want {
			t.Errorf("CipherState(%#04x) = %s, want %s", cs, got, want)
		}
	}
	for s, want := range map[string]bool{"www.example.org": true, "1.2.3.4": true, "_srv._tcp.local": false,
		"": false, "a..b": false, "host name": false} {
		if validHostname(s) != want {
			t.Errorf("validHostname(%q) != %v", s, want)
		}
	}
}

// A record formats whatever its json column holds: nothing, garbage or
// members of unexpected types.
func TestFlowRecordToleratesMissingKeys(t *testing.T) {
	for _, js := range []string{"", "{}", "not json", `{"alerts":"x","proto":[1],"ndpi_risk":"abc","alert_generation":3}`} {
		r := alertdb.Record{RowID: 4, Alert: alertdb.Alert{AlertID: 1234, Tstamp: 10, Score: 5, JSON: js,
			Fields: map[string]any{}}}
		rec := Record(alertdb.FamilyFlow, &r, nil)
		if v, _ := rec.Get("alert_name"); v != "Unknown alert 1234" {
			t.Errorf("%q: alert_name %v", js, v)
		}
		d, _ := rec.Get("description")
		if d.(Object)[0].Value != "Unknown alert 1234" {
			t.Errorf("%q: description %v", js, d)
		}
		if _, err := rec.MarshalJSON(); err != nil {
			t.Errorf("%q: %v", js, err)
		}
	}
}

// Without an alerts map, the other alerts come from the json list, highest
// key first, with the risk link of risk-based ones (from the json, else
// from the risk table).
func TestAdditionalAlertsFromJSONList(t *testing.T) {
	r := alertdb.Record{Alert: alertdb.Alert{AlertID: 33, Score: 100, Fields: map[string]any{},
		JSON: `{"alerts":[{"alert_id":33},{"alert_id":16},{"alert_id":22},{"alert_id":26,"ndpi_risk":46}]}`}}
	got := additionalAlerts(&r, decodeParams(r.JSON), nil)
	want := "Unidirectional Traffic " + riskLink(46) + "<br>TLS Cert. Expired " + riskLink(9) + "<br>Remote to Remote"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := additionalAlerts(&r, decodeParams(r.JSON), &Options{NoHTML: true}); got != "Unidirectional Traffic, TLS Cert. Expired, Remote to Remote" {
		t.Errorf("text mode: %s", got)
	}
}

func TestHostRecord(t *testing.T) {
	r := alertdb.Record{RowID: 9, Alert: alertdb.Alert{AlertID: 5, Category: 3, Tstamp: 100, TstampEnd: 160,
		Score: 100, Counter: 2, UserLabel: "ok", Description: "SYN scan <b>",
		JSON: `{"alert_generation":{"subdir":"host","script_key":"syn_scan"},"mitre_values":{"mitre_id":"T1046"}}`,
		Fields: map[string]any{"ip": "10.0.0.1", "vlan_id": int64(3), "name": "srv", "is_attacker": true,
			"is_client": true, "network": int64(NoNetwork), "host_pool_id": int64(0), "country": "IT"}}}
	rec := Record(alertdb.FamilyHost, &r, &Options{Location: time.UTC})
	want := map[string]any{"family": "host", "row_id": "9", "alert_name": "TCP SYN Scan", "count": 2,
		"duration": int64(60), "script_key": "syn_scan", "user_label": "ok", "description": "SYN scan <b>",
		"vlan_id": "3", "is_attacker": `<i class="fas fa-skull"></i>`, "is_victim": ""}
	for k, v := range want {
		if got, _ := rec.Get(k); got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	ip, _ := rec.Get("ip")
	if l, _ := ip.(Object).Get("shown_label"); l != "srv@3" {
		t.Errorf("shown_label %v", l)
	}
	if local, _ := ip.(Object).Get("is_local"); local != false {
		t.Errorf("is_local %v", local)
	}
	cat, _ := rec.Get("alert_category")
	if l, _ := cat.(Object).Get("label"); l != "Network" {
		t.Errorf("category %v", cat)
	}
	msg, _ := rec.Get("msg")
	if ref, _ := msg.(Object).Get("configset_ref"); !strings.Contains(ref.(string), "subdir=host&check=syn_scan#min") {
		t.Errorf("configset_ref %v", ref)
	}
	text := Record(alertdb.FamilyHost, &r, &Options{NoHTML: true})
	if v, _ := text.Get("is_attacker"); v != "true" {
		t.Errorf("text is_attacker %v", v)
	}
	sev, _ := text.Get("severity")
	if l, _ := sev.(Object).Get("label"); l != "Error" {
		t.Errorf("text severity label %v", l)
	}
}

func TestEngagedRecordHasNoRowID(t *testing.T) {
	r := alertdb.Record{Status: alertdb.StatusEngaged, Alert: alertdb.Alert{AlertID: 4111, Score: 10,
		Fields: map[string]any{"name": "x"}}}
	rec := Record(alertdb.FamilySystem, &r, nil)
	if _, ok := rec.Get("row_id"); ok {
		t.Error("engaged record with row_id")
	}
	if v, _ := rec.Get("alert_name"); v != "Login Failed" {
		t.Errorf("alert_name %v", v)
	}
	if v, _ := Record(alertdb.FamilyAMHost, &r, nil).Get("family"); v != "am" {
		t.Errorf("am_host family %v", v)
	}
}

func TestCSV(t *testing.T) {
	recs := []Object{
		{{"family", "flow"}, {"score", Object{{"value", 10}, {"label", "10"}}},
			{"flow", Object{{"cli_ip", Object{{"value", "1.2.3.4"}}}, {"cli_port", "80"}}},
			{"info", Object{{"descr", "a|b"}}}, {"msg", Object{{"value", 1}}}},
		{{"family", "flow"}, {"cli_role", Object{{"value", "attacker"}}}, {"score", Object{{"value", 20}}}},
	}
	got := string(CSV(recs))
	want := "family|score|cli_ip|cli_port|info|cli_role\nflow|10|1.2.3.4|80|\"a|b\"|\nflow|20||||attacker"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSeries(t *testing.T) {
	s := Series(alertdb.Series{First: 100, Width: 10})
	series := s[0].Value.([]any)
	data := series[0].(Object)[1].Value.([]any)
	if len(series) != 1 || series[0].(Object)[0].Value != "No alerts" || len(data) != 32 ||
		data[31].([]any)[0] != int64(410000) || s[1].Value.([]any)[0] != "#ccc" {
		t.Errorf("no alerts: %v", s)
	}
	var c [alertdb.SeriesSlots]int
	c[3] = 2
	s = Series(alertdb.Series{First: 0, Width: 1, Severities: []alertdb.SeverityCounts{{Severity: 6, Counts: c}, {Severity: 4}}})
	series = s[0].Value.([]any)
	if series[0].(Object)[0].Value != "Critical" || series[1].(Object)[0].Value != "Warning" ||
		series[0].(Object)[1].Value.([]any)[3].([]any)[1] != 2 || s[1].Value.([]any)[1] != "#ffc007" {
		t.Errorf("series: %v", s)
	}
}

func TestDays(t *testing.T) {
	d := NewDays(1590710400, 1590796800) // two UTC midnights: both days
	d.Add(1590710400+3*3600+5, 2)
	d.Add(1590796800+23*3600, 1)
	d.Add(1590710399, 7) // the day before: outside
	o := d.Object()
	if len(o) != 2 || o[0].Key != "1590710400" || o[1].Key != "1590796800" {
		t.Fatalf("days: %v", o)
	}
	if o[0].Value.([]any)[3] != 2 || o[1].Value.([]any)[23] != 1 || o[0].Value.([]any)[0] != 0 {
		t.Errorf("counts: %v", o)
	}
}

func TestGroupRecordAndCounters(t *testing.T) {
	g := Group{Family: alertdb.FamilyHost, Count: 4, Score: 1200,
		BySeverity: map[alerts.SeverityID]int{alerts.SeverityInfo: 1, alerts.SeverityNotice: 1, alerts.SeverityEmergency: 2}}
	rec := GroupRecord(g, "historical", 0, 0, nil)
	if e, _ := rec.Get("entity"); e != `<a href="/lua/alert_stats.lua?page=host&status=historical">Host</a>` {
		t.Errorf("entity %v", e)
	}
	low, _ := rec.Get("count_group_notice_or_lower")
	if v, _ := low.(Object).Get("value"); v != 2 {
		t.Errorf("notice or lower %v", low)
	}
	em, _ := rec.Get("count_group_emergency")
	if u, _ := em.(Object).Get("url"); !strings.HasSuffix(u.(string), "&severity=8;eq") {
		t.Errorf("emergency url %v", u)
	}
	score, _ := rec.Get("score")
	if l, _ := score.(Object).Get("label"); l != "1,200" {
		t.Errorf("score label %v", l)
	}
	tc := TypeCounter(alertdb.FamilyFlow, 33, 5)
	if v, _ := tc.Get("name"); v != "Unexpected DNS server found" {
		t.Errorf("type counter %v", tc)
	}
	if v, _ := tc.Get("entity_id"); v != int(alerts.EntityFlow) {
		t.Errorf("entity id %v", v)
	}
	sc := SeverityCounter(alertdb.FamilyAMHost, alerts.SeverityWarning, 1)
	if v, _ := sc.Get("entity_label"); v != "Active Monitoring" {
		t.Errorf("severity counter %v", sc)
	}
}

// Every flow and host type the product serves has an English title.
func TestServedTypesHaveTitles(t *testing.T) {
	for _, ty := range alerts.ServedTypes() {
		title := alerts.TypeTitle(ty.Family, ty.Key)
		if title == "" || strings.Contains(title, "_") || strings.HasPrefix(title, "Unknown") {
			t.Errorf("%s (%s %d): title %q", ty.Name, ty.Family, ty.Key, title)
		}
	}
	if got := alerts.TypeTitle(alerts.FamilyOther, 4103); got == "" {
		t.Error("no derived title")
	}
}
