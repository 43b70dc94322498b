package alerts

import (
	"sort"
	"testing"
)

// The appendix headings count the distinct (key, type) pairs of each
// family over the three reference editions; its last line counts each
// edition's list.
func TestTypeCountsMatchAppendix(t *testing.T) {
	perFamily := map[Family]int{}
	for _, ty := range AllTypes() {
		perFamily[ty.Family]++
	}
	want := map[Family]int{FamilyFlow: 110, FamilyHost: 30, FamilyOther: 74}
	for f, n := range want {
		if perFamily[f] != n {
			t.Errorf("%s: %d types, appendix says %d", f, perFamily[f], n)
		}
	}
	if n := len(AllTypes()); n != 214 {
		t.Errorf("union: %d, want 214", n)
	}
	editions := []struct {
		e                        Edition
		total, flow, host, other int
	}{
		{Pro2024, 188, 95, 26, 67},
		{Community2024, 177, 90, 27, 60},
		{Pro2022, 144, 71, 21, 52},
	}
	for _, c := range editions {
		got := map[Family]int{}
		list := TypesIn(c.e)
		for _, ty := range list {
			got[ty.Family]++
		}
		if len(list) != c.total || got[FamilyFlow] != c.flow || got[FamilyHost] != c.host || got[FamilyOther] != c.other {
			t.Errorf("%s: %d (flow %d host %d other %d), want %d (%d %d %d)", c.e, len(list),
				got[FamilyFlow], got[FamilyHost], got[FamilyOther], c.total, c.flow, c.host, c.other)
		}
	}
	if got, want := len(ServedTypes()), len(TypesIn(Served)); got != want {
		t.Errorf("served list: %d types, edition %s has %d", got, Served, want)
	}
}

func TestTypeUniqueness(t *testing.T) {
	names := map[string]bool{}
	for _, ty := range AllTypes() {
		if names[ty.Name] {
			t.Errorf("name %s twice", ty.Name)
		}
		names[ty.Name] = true
		if ty.Editions == 0 {
			t.Errorf("%s belongs to no edition", ty.Name)
		}
		if ty.Family != FamilyOf(ty.Name, ty.Key) {
			t.Errorf("%s: family %s", ty.Name, ty.Family)
		}
	}
	// Inside one edition a (family, key) pair names one type; across
	// editions a freed key may be reused.
	for _, e := range []Edition{Pro2024, Community2024, Pro2022} {
		seen := map[familyKey]string{}
		for _, ty := range TypesIn(e) {
			fk := familyKey{ty.Family, ty.Key}
			if prev, dup := seen[fk]; dup {
				t.Errorf("%s: %s key %d is both %s and %s", e, ty.Family, ty.Key, prev, ty.Name)
			}
			seen[fk] = ty.Name
		}
	}
}

func TestTypeSpotValues(t *testing.T) {
	cases := []struct {
		f        Family
		key      int
		name     string
		editions Edition
	}{
		{FamilyFlow, 1, "alert_flow_blacklisted", Pro2024 | Community2024 | Pro2022},
		{FamilyFlow, 6, "alert_dns_data_exfiltration", Pro2024 | Community2024 | Pro2022},
		{FamilyHost, 6, "host_alert_tcp_syn_flood", Pro2024 | Community2024 | Pro2022},
		{FamilyHost, 5, "host_alert_tcp_syn_scan", Pro2024 | Community2024 | Pro2022},
		{FamilyFlow, 89, "ndpi_minor_issues", Pro2024 | Community2024},
		{FamilyFlow, 101, "ndpi_probing_attempt", Pro2024},
		{FamilyHost, 29, "host_alert_server_ports_contacts", Pro2024},
		{FamilyOther, 4099, "alert_dropped_alerts", Pro2024 | Community2024 | Pro2022},
		{FamilyOther, 4192, "alert_exporters_limit_exceeded", Pro2024},
		// Keys reused by a later type: the served edition's type wins.
		{FamilyFlow, 63, "alert_ndpi_http_suspicious_content", Pro2024 | Community2024},
		{FamilyOther, 4122, "alert_port_load_threshold_exceeded", Community2024 | Pro2022},
		{FamilyFlow, 79, "alert_ndpi_malicious_ja3", Community2024},
		// Keys without a served type resolve to the newest edition's.
		{FamilyFlow, 13, "alert_blacklisted_server_contact", Pro2024},
		{FamilyOther, 4103, "alert_no_exporter_activity", Pro2024},
		{FamilyHost, 8, "host_alert_p2p_traffic", Community2024 | Pro2022},
	}
	for _, c := range cases {
		ty, ok := TypeByFamilyKey(c.f, c.key)
		if !ok || ty.Name != c.name || ty.Editions != c.editions || ty.Family != c.f || ty.Key != c.key {
			t.Errorf("TypeByFamilyKey(%s, %d) = %+v %v, want %s %s", c.f, c.key, ty, ok, c.name, c.editions)
		}
		byName, ok := TypeByName(c.name)
		if !ok || byName != ty {
			t.Errorf("TypeByName(%s) = %+v %v", c.name, byName, ok)
		}
	}
	other, ok := TypeByName("alert_blacklisted_server_contact")
	if !ok || other.Family != FamilyFlow || other.Key != 13 || other.Editions != Pro2024 {
		t.Errorf("alert_blacklisted_server_contact: %+v %v", other, ok)
	}
	for _, miss := range []struct {
		f   Family
		key int
	}{{FamilyFlow, 17}, {FamilyFlow, 0}, {FamilyHost, 30}, {FamilyOther, 4096}, {FamilyOther, 1}, {FamilyFlow, 4099}} {
		if ty, ok := TypeByFamilyKey(miss.f, miss.key); ok {
			t.Errorf("TypeByFamilyKey(%s, %d) = %+v", miss.f, miss.key, ty)
		}
	}
	if _, ok := TypeByName("host_alert_syn_scan"); ok {
		t.Error("host_alert_syn_scan is not a type name")
	}
}

func TestServedTypesOrderedAndCopied(t *testing.T) {
	s := ServedTypes()
	if !sort.SliceIsSorted(s, func(i, j int) bool {
		if s[i].Family != s[j].Family {
			return s[i].Family < s[j].Family
		}
		return s[i].Key < s[j].Key
	}) {
		t.Error("served list not ordered by family and key")
	}
	for _, ty := range s {
		if !ty.In(Served) {
			t.Errorf("%s served but not in %s", ty.Name, Served)
		}
	}
	s[0].Name = "changed"
	if ServedTypes()[0].Name == "changed" {
		t.Error("ServedTypes hands out the table")
	}
}

func TestFamilyOf(t *testing.T) {
	cases := []struct {
		name string
		key  int
		want Family
	}{
		{"host_alert_flow_flood", 4, FamilyHost},
		{"alert_flow_flood_victim", 4153, FamilyOther},
		{"alert_dropped_alerts", 4096, FamilyOther},
		{"alert_tcp_flow_reset", 4095, FamilyFlow},
		{"ndpi_fully_encrypted", 96, FamilyFlow},
	}
	for _, c := range cases {
		if got := FamilyOf(c.name, c.key); got != c.want {
			t.Errorf("FamilyOf(%s, %d) = %s, want %s", c.name, c.key, got, c.want)
		}
	}
}

func TestSeverities(t *testing.T) {
	s := Severities()
	if len(s) != 8 {
		t.Fatalf("%d severities", len(s))
	}
	ids := map[SeverityID]bool{}
	for _, v := range s {
		ids[v.ID] = true
		byKey, ok := SeverityByKey(v.Key)
		if !ok || byKey != v {
			t.Errorf("SeverityByKey(%s) = %+v", v.Key, byKey)
		}
	}
	if ids[7] || !ids[8] || len(ids) != 8 {
		t.Errorf("ids %v: 0-6 and 8, never 7", ids)
	}
	if _, ok := SeverityByID(7); ok {
		t.Error("severity 7 exists")
	}
	w, _ := SeverityByID(SeverityWarning)
	if w.Key != "warning" || w.Title != "Warning" || w.Color != "#ffc007" || w.Syslog != 4 {
		t.Errorf("warning: %+v", w)
	}
	e, _ := SeverityByID(SeverityEmergency)
	if e.Key != "emergency" || e.Syslog != 0 || e.Color != "#fb6962" {
		t.Errorf("emergency: %+v", e)
	}
	n, _ := SeverityByKey("none")
	if n.ID != 0 || n.Syslog != 10 {
		t.Errorf("none: %+v", n)
	}
}

func TestScoreToSeverity(t *testing.T) {
	cases := []struct {
		score int
		want  SeverityID
	}{
		{-5, SeverityNone}, {0, SeverityNone},
		{1, SeverityInfo}, {9, SeverityInfo},
		{10, SeverityNotice}, {49, SeverityNotice},
		{50, SeverityWarning}, {99, SeverityWarning},
		{100, SeverityError}, {199, SeverityError},
		{200, SeverityCritical}, {249, SeverityCritical},
		{250, SeverityEmergency}, {1000000, SeverityEmergency},
	}
	for _, c := range cases {
		if got := ScoreToSeverity(c.score); got != c.want {
			t.Errorf("ScoreToSeverity(%d) = %d, want %d", c.score, got, c.want)
		}
	}
}

func TestDefaultScore(t *testing.T) {
	want := map[SeverityID]int{
		SeverityNone: 1, SeverityDebug: 1, SeverityInfo: 1, SeverityNotice: 10,
		SeverityWarning: 50, SeverityError: 100, SeverityCritical: 200, SeverityEmergency: 250,
	}
	for sev, score := range want {
		if got := DefaultScore(sev); got != score {
			t.Errorf("DefaultScore(%d) = %d, want %d", sev, got, score)
		}
		// The default score of a severity from notice up maps back to it.
		if sev >= SeverityNotice && ScoreToSeverity(score) != sev {
			t.Errorf("ScoreToSeverity(DefaultScore(%d)) = %d", sev, ScoreToSeverity(score))
		}
	}
}

func TestSeverityGroup(t *testing.T) {
	want := map[SeverityID]string{
		SeverityNone: "notice_or_lower", SeverityDebug: "notice_or_lower", SeverityInfo: "notice_or_lower",
		SeverityNotice: "notice_or_lower", SeverityWarning: "warning", SeverityError: "error",
		SeverityCritical: "critical", SeverityEmergency: "emergency",
	}
	for sev, g := range want {
		if got := SeverityGroup(sev); got != g {
			t.Errorf("SeverityGroup(%d) = %s, want %s", sev, got, g)
		}
	}
}

func TestEntitiesCategoriesStatuses(t *testing.T) {
	if n := len(Entities()); n != 12 {
		t.Errorf("%d entities, want 12", n)
	}
	if _, ok := EntityByID(6); ok {
		t.Error("entity 6 is retired")
	}
	seen := map[string]bool{}
	for _, e := range Entities() {
		if seen[e.Key] {
			t.Errorf("entity key %s twice", e.Key)
		}
		seen[e.Key] = true
		if byKey, _ := EntityByKey(e.Key); byKey != e {
			t.Errorf("EntityByKey(%s) = %+v", e.Key, byKey)
		}
	}
	if f, _ := EntityByID(EntityFlow); f.Key != "flow" || f.Table != "flow_alerts" || f.Path != "flow" {
		t.Errorf("flow entity: %+v", f)
	}
	if am, _ := EntityByKey("am_host"); am.ID != 8 || am.Table != "active_monitoring_alerts" {
		t.Errorf("am_host entity: %+v", am)
	}
	if o, _ := EntityByID(EntityOther); o.Key != "other" || o.Table != "system_alerts" || o.Path != "" {
		t.Errorf("other entity: %+v", o)
	}

	if n := len(Categories()); n != 8 {
		t.Errorf("%d categories, want 8", n)
	}
	for i, c := range Categories() {
		if int(c.ID) != i {
			t.Errorf("category %s has id %d at %d", c.Key, c.ID, i)
		}
		if byKey, _ := CategoryByKey(c.Key); byKey != c {
			t.Errorf("CategoryByKey(%s) = %+v", c.Key, byKey)
		}
	}
	if c, _ := CategoryByID(CategorySecurity); c.Key != "security" || c.Title != "Cybersecurity" {
		t.Errorf("security category: %+v", c)
	}
	if c, _ := CategoryByKey("ids_ips"); c.ID != 5 || c.Title != "Intrusion Detection and Prevention" {
		t.Errorf("ids_ips category: %+v", c)
	}

	for i, s := range Statuses() {
		if int(s.ID) != i {
			t.Errorf("status %s has id %d at %d", s.Key, s.ID, i)
		}
		if byKey, _ := StatusByKey(s.Key); byKey != s {
			t.Errorf("StatusByKey(%s) = %+v", s.Key, byKey)
		}
	}
	if s, _ := StatusByKey("engaged"); s.ID != StatusEngaged || StatusEngaged != 2 {
		t.Errorf("engaged: %+v", s)
	}
	if s, _ := StatusByID(3); s.Key != "any" {
		t.Errorf("status 3: %+v", s)
	}
}
