package alertdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/db"
)

var ctx = context.Background()

func openDB(t testing.TB, path string) *db.DB {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newStore(t testing.TB, opts Options) (*Store, *db.DB) {
	t.Helper()
	d := openDB(t, filepath.Join(t.TempDir(), "ntopng.db"))
	t.Cleanup(func() { d.Close() })
	return New(d, opts), d
}

func mustInsert(t testing.TB, s *Store, fam Family, alerts ...Alert) {
	t.Helper()
	if err := s.Insert(ctx, fam, alerts); err != nil {
		t.Fatal(err)
	}
}

func query(t testing.TB, s *Store, fam Family, f Filter) ([]Record, int) {
	t.Helper()
	recs, total, err := s.Query(ctx, fam, f)
	if err != nil {
		t.Fatal(err)
	}
	return recs, total
}

// filterOf builds a filter from field=list pairs.
func filterOf(t testing.TB, pairs ...string) Filter {
	t.Helper()
	var f Filter
	for i := 0; i < len(pairs); i += 2 {
		if err := f.Add(pairs[i], pairs[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func rowTstamps(recs []Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Tstamp
	}
	return out
}

// sampleValue returns a valid value of column c, and what Query returns
// for it.
func sampleValue(c column, i int) (in, out any) {
	switch c.kind {
	case kindInt:
		switch c.rule {
		case ruleIPVer:
			return 6, int64(6)
		case ruleLoc:
			return 2, int64(2)
		}
		return uint16(7 + i), int64(7 + i)
	case kindBool:
		return i%2 == 0, i%2 == 0
	case kindReal:
		return 1.5 + float64(i), 1.5 + float64(i)
	case kindIP:
		if i%2 == 0 {
			return "2001:DB8::1", "2001:db8::1" // stored canonical
		}
		return netip.MustParseAddr("10.0.0.1"), "10.0.0.1"
	}
	switch c.rule {
	case "omitempty,mac":
		return "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff"
	case "omitempty,hexadecimal,max=1024":
		return "0a1f", "0a1f"
	case ruleCC:
		return "IT", "IT"
	}
	return "v-" + c.name, "v-" + c.name
}

func TestSchemaMatchesCatalog(t *testing.T) {
	_, d := newStore(t, Options{})
	for _, fam := range Families {
		fi := families[fam]
		want := append([]string{"rowid"}, commonColumns...)
		wantTypes := []string{"INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER",
			"INTEGER", "INTEGER", "INTEGER", "INTEGER", "TEXT", "TEXT", "INTEGER"}
		if fi.hasDescr {
			want = append(want, "granularity", "description")
			wantTypes = append(wantTypes, "INTEGER", "TEXT")
		}
		for _, c := range fi.cols {
			want = append(want, c.name)
			wantTypes = append(wantTypes, map[kind]string{kindInt: "INTEGER", kindBool: "INTEGER",
				kindReal: "REAL", kindText: "TEXT", kindIP: "TEXT"}[c.kind])
		}
		rows, err := d.SQL().Query("SELECT name, type FROM pragma_table_info(?)", fi.table)
		if err != nil {
			t.Fatal(err)
		}
		var got, gotTypes []string
		for rows.Next() {
			var n, ty string
			if err := rows.Scan(&n, &ty); err != nil {
				t.Fatal(err)
			}
			got, gotTypes = append(got, n), append(gotTypes, ty)
		}
		rows.Close()
		if !slices.Equal(got, want) || !slices.Equal(gotTypes, wantTypes) {
			t.Errorf("%s columns\n got %v %v\nwant %v %v", fi.table, got, gotTypes, want, wantTypes)
		}
		var idx []string
		rows, err = d.SQL().Query("SELECT name FROM pragma_index_list(?) ORDER BY name", fi.table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			idx = append(idx, n)
		}
		rows.Close()
		if want := []string{fi.table + "_alert_id", fi.table + "_ifid_status_tstamp"}; !slices.Equal(idx, want) {
			t.Errorf("%s indexes %v, want %v", fi.table, idx, want)
		}
	}
}

func TestRoundTripEveryFamily(t *testing.T) {
	s, _ := newStore(t, Options{})
	for _, fam := range Families {
		t.Run(string(fam), func(t *testing.T) {
			fi := families[fam]
			in := Alert{AlertID: 4100, Category: 3, InterfaceID: 2, Tstamp: 1700000000, TstampEnd: 1700000060,
				Score: 120, Counter: 4, JSON: `{"threshold":5}`, UserLabel: "", Fields: map[string]any{}}
			wantFields := map[string]any{}
			for i, c := range fi.cols {
				v, w := sampleValue(c, i)
				in.Fields[c.name] = v
				wantFields[c.name] = w
			}
			if fi.hasDescr {
				in.Description, in.Granularity = "something <b>happened</b>", 300
			}
			// A second alert with only defaults.
			minimal := Alert{AlertID: 1, InterfaceID: 2, Tstamp: 1700000100, Score: 55}
			mustInsert(t, s, fam, in, minimal)

			recs, total := query(t, s, fam, Filter{IfID: IfID(2)})
			if fam.SystemScoped() {
				// Stored on the system interface whatever was given.
				if recs, total = query(t, s, fam, Filter{IfID: IfID(-1)}); total != 2 {
					t.Fatalf("system-scoped: %d alerts", total)
				}
			}
			if total != 2 || len(recs) != 2 {
				t.Fatalf("got %d/%d records, want 2", len(recs), total)
			}
			r := recs[0]
			wantIf := 2
			if fam.SystemScoped() {
				wantIf = SystemInterfaceID
			}
			if r.RowID == 0 || r.Status != StatusHistorical || r.UserLabelTstamp != 0 ||
				r.AlertID != 4100 || r.Category != 3 || r.InterfaceID != wantIf ||
				r.Tstamp != 1700000000 || r.TstampEnd != 1700000060 || r.Score != 120 ||
				r.Severity != 5 || r.Counter != 4 || r.JSON != `{"threshold":5}` ||
				r.Description != in.Description || r.Granularity != in.Granularity {
				t.Errorf("record %+v", r)
			}
			if !reflect.DeepEqual(r.Fields, wantFields) {
				t.Errorf("fields\n got %#v\nwant %#v", r.Fields, wantFields)
			}
			m := recs[1]
			if m.TstampEnd != m.Tstamp || m.Counter != 1 || m.Severity != 4 || m.JSON != "{}" || m.RowID <= r.RowID {
				t.Errorf("defaults not applied: %+v", m)
			}
			for _, c := range fi.cols {
				if _, ok := m.Fields[c.name]; !ok {
					t.Errorf("missing field %s in %v", c.name, m.Fields)
				}
			}
		})
	}
}

func TestInterfaceScope(t *testing.T) {
	s, _ := newStore(t, Options{})
	mustInsert(t, s, FamilyHost,
		Alert{AlertID: 1, InterfaceID: 0, Tstamp: 10},
		Alert{AlertID: 2, InterfaceID: 1, Tstamp: 11},
		Alert{AlertID: 3, InterfaceID: -1, Tstamp: 12})
	for _, tc := range []struct {
		ifid *int
		want int
	}{{IfID(0), 1}, {IfID(1), 1}, {IfID(-1), 1}, {IfID(65535), 1}, {IfID(7), 0}, {nil, 3}} {
		if _, n := query(t, s, FamilyHost, Filter{IfID: tc.ifid}); n != tc.want {
			t.Errorf("ifid %v: %d alerts, want %d", tc.ifid, n, tc.want)
		}
	}
	if _, _, err := s.Query(ctx, FamilyHost, Filter{IfID: IfID(-2)}); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("ifid -2: %v", err)
	}
	mustInsert(t, s, FamilySystem, Alert{AlertID: 4096, InterfaceID: 3, Tstamp: 10})
	if _, n := query(t, s, FamilySystem, Filter{IfID: IfID(3)}); n != 1 {
		t.Errorf("system family must ignore ifid: %d", n)
	}
}

// flowFixture stores 6 flow alerts whose tstamp is their index.
func flowFixture(t *testing.T, opts Options) *Store {
	s, _ := newStore(t, opts)
	mk := func(ts int64, id, score int, cli, srv, cliName string, fields map[string]any) Alert {
		f := map[string]any{"cli_ip": cli, "srv_ip": srv, "cli_name": cliName}
		for k, v := range fields {
			f[k] = v
		}
		return Alert{AlertID: id, InterfaceID: 0, Tstamp: ts, TstampEnd: ts + 100 - ts*ts, Score: score, Category: int(ts % 2), Fields: f}
	}
	mustInsert(t, s, FamilyFlow,
		mk(0, 1, 10, "10.0.0.1", "10.0.0.2", "alpha.example", map[string]any{"l7_proto": 5, "vlan_id": 1, "is_cli_attacker": true, "flow_risk_bitmap": uint64(1) << 3}),
		mk(1, 2, 50, "10.0.0.2", "10.0.0.3", "beta.example", map[string]any{"l7_proto": 7, "vlan_id": 1, "is_srv_victim": true}),
		mk(2, 2, 100, "10.0.0.3", "10.0.0.1", "Gamma", map[string]any{"l7_proto": 7, "vlan_id": 2, "flow_risk_bitmap": uint64(1)<<3 | 1<<63}),
		mk(3, 3, 150, "2001:db8::1", "10.0.0.4", "50%_off", map[string]any{"l7_proto": 91, "vlan_id": 2, "is_srv_attacker": true}),
		mk(4, 4, 200, "10.0.0.5", "10.0.0.6", "x' OR '1'='1", map[string]any{"l7_proto": 91, "vlan_id": 3}),
		mk(5, 5, 250, "10.0.0.6", "10.0.0.5", "50 percent", map[string]any{"l7_proto": 5, "vlan_id": 3}),
	)
	return s
}

func TestFilterOps(t *testing.T) {
	protos := map[string]int{"DNS": 5, "HTTP": 7, "TLS": 91}
	s := flowFixture(t, Options{ProtoByName: func(n string) (int, bool) { id, ok := protos[n]; return id, ok }})
	for _, tc := range []struct {
		pairs []string
		want  []int64 // tstamps, storage order
	}{
		{[]string{"score", "100"}, []int64{2}},
		{[]string{"score", "100;eq"}, []int64{2}},
		{[]string{"score", "100;neq"}, []int64{0, 1, 3, 4, 5}},
		{[]string{"score", "100;lt"}, []int64{0, 1}},
		{[]string{"score", "100;lte"}, []int64{0, 1, 2}},
		{[]string{"score", "100;gt"}, []int64{3, 4, 5}},
		{[]string{"score", "100;gte"}, []int64{2, 3, 4, 5}},
		{[]string{"alert_id", "2;in"}, []int64{1, 2}},
		{[]string{"alert_id", "2;nin"}, []int64{0, 3, 4, 5}},
		{[]string{"alert_type", "3"}, []int64{3}},
		{[]string{"severity", "4"}, []int64{1}},
		{[]string{"alert_severity", "8;gte"}, []int64{5}},
		{[]string{"alert_category", "1"}, []int64{1, 3, 5}},
		{[]string{"tstamp", "4"}, []int64{4}},
		{[]string{"row_id", "1"}, []int64{0}},
		{[]string{"vlan_id", "2"}, []int64{2, 3}},
		// Text: eq is exact, in/nin mean contains (LIKE, wildcards escaped).
		{[]string{"cli_name", "Gamma"}, []int64{2}},
		{[]string{"cli_name", "gamma"}, nil},
		{[]string{"cli_name", "Gamma;neq"}, []int64{0, 1, 3, 4, 5}},
		{[]string{"cli_name", "example;in"}, []int64{0, 1}},
		{[]string{"cli_name", "GAMM;in"}, []int64{2}},
		{[]string{"cli_name", "example;nin"}, []int64{2, 3, 4, 5}},
		{[]string{"cli_name", "50%;in"}, []int64{3}},
		{[]string{"cli_name", "%_;in"}, []int64{3}}, // literal "%_"
		{[]string{"cli_name", "a;b;in"}, nil},       // value "a;b"
		// IPs: canonical comparison; ip is either side.
		{[]string{"cli_ip", "2001:DB8:0::1"}, []int64{3}},
		{[]string{"srv_ip", "10.0.0.1"}, []int64{2}},
		{[]string{"ip", "10.0.0.1"}, []int64{0, 2}},
		{[]string{"ip", "10.0.0.1;neq"}, []int64{1, 3, 4, 5}},
		{[]string{"ip", "10.0.0.1,10.0.0.4"}, []int64{0, 2, 3}},
		{[]string{"ip", "2001:db8;in"}, []int64{3}},
		// Virtual fields.
		{[]string{"l7proto", "7"}, []int64{1, 2}},
		{[]string{"l7proto", "TLS"}, []int64{3, 4}},
		{[]string{"l7_proto", "DNS;neq"}, []int64{1, 2, 3, 4}},
		{[]string{"role", "attacker"}, []int64{0, 3}},
		{[]string{"role", "victim"}, []int64{1}},
		{[]string{"role", "attacker;neq"}, []int64{1, 2, 4, 5}},
		{[]string{"is_cli_attacker", "true"}, []int64{0}},
		{[]string{"is_cli_attacker", "0"}, []int64{1, 2, 3, 4, 5}},
		{[]string{"flow_risk", "3"}, []int64{0, 2}},
		{[]string{"flow_risk", "63"}, []int64{2}},
		{[]string{"flow_risk", "3;neq"}, []int64{1, 3, 4, 5}},
		{[]string{"flow_risk_bitmap", "8"}, []int64{0}},
		// Empty lists add no condition.
		{[]string{"score", ""}, []int64{0, 1, 2, 3, 4, 5}},
		{[]string{"score", ",,"}, []int64{0, 1, 2, 3, 4, 5}},
	} {
		recs, total := query(t, s, FamilyFlow, filterOf(t, tc.pairs...))
		got := rowTstamps(recs)
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("%v: got %v (total %d), want %v", tc.pairs, got, total, tc.want)
		}
		if n, err := s.Count(ctx, FamilyFlow, filterOf(t, tc.pairs...)); err != nil || n != len(tc.want) {
			t.Errorf("%v: Count = %d, %v", tc.pairs, n, err)
		}
	}
}

func TestFilterCombination(t *testing.T) {
	s := flowFixture(t, Options{})
	for _, tc := range []struct {
		pairs []string
		want  []int64
	}{
		// OR within a field.
		{[]string{"alert_id", "1,3"}, []int64{0, 3}},
		{[]string{"alert_id", "1, 3 "}, []int64{0, 3}}, // spaces around numbers are ignored
		{[]string{"alert_id", "1;eq,3;eq,5;gte"}, []int64{0, 3, 5}},
		{[]string{"alert_id", "1;lt,4;gt"}, []int64{5}},
		// neq items are AND-ed (with the OR group too).
		{[]string{"alert_id", "1;neq,2;neq"}, []int64{3, 4, 5}},
		{[]string{"alert_id", "2,3,2;neq"}, []int64{3}},
		// Every score item is AND-ed: a range.
		{[]string{"score", "50;gte,150;lte"}, []int64{1, 2, 3}},
		{[]string{"score", "50,150"}, nil},
		// AND across fields.
		{[]string{"alert_id", "2,3", "score", "100;gte"}, []int64{2, 3}},
		{[]string{"vlan_id", "1,3", "ip", "10.0.0.5", "l7_proto", "5"}, []int64{5}},
		// The spec example.
		{[]string{"alert_id", "5;eq,20;eq", "score", "100;gte"}, []int64{5}},
	} {
		recs, total := query(t, s, FamilyFlow, filterOf(t, tc.pairs...))
		got := rowTstamps(recs)
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("%v: got %v (total %d), want %v", tc.pairs, got, total, tc.want)
		}
	}
	// Time range: both bounds needed.
	if recs, _ := query(t, s, FamilyFlow, Filter{EpochBegin: 2, EpochEnd: 4}); !slices.Equal(rowTstamps(recs), []int64{2, 3, 4}) {
		t.Errorf("epoch filter: %v", rowTstamps(recs))
	}
	if _, n := query(t, s, FamilyFlow, Filter{EpochBegin: 2}); n != 6 {
		t.Errorf("epoch_begin alone must not filter: %d", n)
	}
}

func TestFilterErrors(t *testing.T) {
	s := flowFixture(t, Options{})
	for _, tc := range []struct {
		field, list string
		unknown     bool
	}{
		{"nosuchfield", "1", true},
		{"description", "x", true}, // flow alerts have no description
		{"score", "high", false},
		{"score", "1;like", false},
		{"score", "1;EQ", false},
		{"score", "1.5", false},
		{"cli_name", "a;lt", false},
		{"cli_ip", "not-an-ip", false},
		{"role", "boss", false},
		{"role", "attacker;gt", false},
		{"flow_risk", "64", false},
		{"is_cli_victim", "maybe", false},
		{"l7proto", "HTTP", false}, // no resolver configured
		{"Score", "1", false},
	} {
		var f Filter
		err := f.Add(tc.field, tc.list)
		if err == nil {
			_, _, err = s.Query(ctx, FamilyFlow, f)
		}
		if !errors.Is(err, ErrInvalidFilter) || errors.Is(err, ErrUnknownField) != tc.unknown {
			t.Errorf("%s=%s: error %v", tc.field, tc.list, err)
		} else {
			t.Logf("%s=%s: %v", tc.field, tc.list, err)
		}
	}
	for _, f := range []Filter{
		{Sort: "nosuch"}, {Sort: "tstamp", Order: "up"}, {Start: -1}, {Length: -5}, {Status: 9},
	} {
		if _, _, err := s.Query(ctx, FamilyFlow, f); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("%+v: error %v", f, err)
		}
	}
	if _, _, err := s.Query(ctx, FamilyFlow, Filter{Status: StatusEngaged}); !errors.Is(err, ErrEngaged) {
		t.Errorf("engaged: %v", err)
	}
	if _, _, err := s.Query(ctx, Family("bogus"), Filter{}); err == nil {
		t.Error("unknown family accepted")
	}
	if _, err := ParseFamily("am_host"); err != nil {
		t.Error(err)
	}
	if _, err := ParseFamily("all"); err == nil {
		t.Error("ParseFamily(all) accepted")
	}
	for in, want := range map[string]Status{"": StatusHistorical, "historical": StatusHistorical,
		"acknowledged": StatusAcknowledged, "any": StatusAny, "engaged": StatusEngaged} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseStatus("x' OR 1=1"); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("ParseStatus: %v", err)
	}
}

func TestPagingAndSort(t *testing.T) {
	s := flowFixture(t, Options{})
	for _, tc := range []struct {
		f    Filter
		want []int64
	}{
		{Filter{}, []int64{0, 1, 2, 3, 4, 5}},
		{Filter{Sort: "tstamp", Order: "desc"}, []int64{5, 4, 3, 2, 1, 0}},
		{Filter{Sort: "tstamp", Order: "DESC", Start: 1, Length: 2}, []int64{4, 3}},
		{Filter{Sort: "tstamp", Order: "desc", Start: 4, Length: 10}, []int64{1, 0}},
		{Filter{Sort: "tstamp", Order: "desc", Start: 6, Length: 10}, []int64{}},
		{Filter{Sort: "tstamp", Start: 100}, []int64{}},
		{Filter{Length: 2}, []int64{0, 1}},
		{Filter{Sort: "score", Order: "desc", Length: 3}, []int64{5, 4, 3}},
		{Filter{Sort: "alert_id", Order: "asc"}, []int64{0, 1, 2, 3, 4, 5}}, // ties by rowid
		{Filter{Sort: "alert_id", Order: "desc"}, []int64{5, 4, 3, 2, 1, 0}},
		{Filter{Sort: "cli_name"}, []int64{5, 3, 2, 0, 1, 4}},
		// duration = tstamp_end − tstamp = 100 − ts² − ... decreasing with ts.
		{Filter{Sort: "duration"}, []int64{5, 4, 3, 2, 1, 0}},
		{Filter{Sort: "l7proto", Order: "desc", Length: 2}, []int64{4, 3}},
		{Filter{Sort: "row_id", Order: "desc", Length: 1}, []int64{5}},
	} {
		recs, total := query(t, s, FamilyFlow, tc.f)
		if got := rowTstamps(recs); !slices.Equal(got, tc.want) || total != 6 {
			t.Errorf("%+v: got %v (total %d), want %v (total 6)", tc.f, got, total, tc.want)
		}
	}
}

func TestStatusAcknowledgeDelete(t *testing.T) {
	s := flowFixture(t, Options{})
	now := time.Unix(1800000000, 0)
	// Acknowledge alert ids 2 (two alerts) with a label.
	n, err := s.Acknowledge(ctx, FamilyFlow, filterOf(t, "alert_id", "2"), "seen by bob", now)
	if err != nil || n != 2 {
		t.Fatalf("Acknowledge = %d, %v", n, err)
	}
	// Again: they are no longer historical.
	if n, err := s.Acknowledge(ctx, FamilyFlow, filterOf(t, "alert_id", "2"), "again", now); err != nil || n != 0 {
		t.Fatalf("second Acknowledge = %d, %v", n, err)
	}
	if recs, _ := query(t, s, FamilyFlow, Filter{}); !slices.Equal(rowTstamps(recs), []int64{0, 3, 4, 5}) {
		t.Errorf("historical: %v", rowTstamps(recs))
	}
	recs, _ := query(t, s, FamilyFlow, Filter{Status: StatusAcknowledged})
	if !slices.Equal(rowTstamps(recs), []int64{1, 2}) {
		t.Errorf("acknowledged: %v", rowTstamps(recs))
	}
	for _, r := range recs {
		if r.Status != StatusAcknowledged || r.UserLabel != "seen by bob" || r.UserLabelTstamp != 1800000000 {
			t.Errorf("acknowledged record %+v", r)
		}
	}
	if _, n := query(t, s, FamilyFlow, Filter{Status: StatusAny}); n != 6 {
		t.Errorf("any: %d", n)
	}
	// A label that cannot be stored changes nothing.
	if _, err := s.Acknowledge(ctx, FamilyFlow, Filter{}, "bad\x00label", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad label: %v", err)
	}
	// A bad filter changes nothing.
	if _, err := s.Acknowledge(ctx, FamilyFlow, filterOf(t, "score", "x"), "", now); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("bad filter: %v", err)
	}
	// Delete with the default status leaves acknowledged alerts alone.
	if n, err := s.Delete(ctx, FamilyFlow, filterOf(t, "score", "100;gte")); err != nil || n != 3 {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	if recs, _ := query(t, s, FamilyFlow, Filter{Status: StatusAny}); !slices.Equal(rowTstamps(recs), []int64{0, 1, 2}) {
		t.Errorf("after delete: %v", rowTstamps(recs))
	}
	if n, err := s.Delete(ctx, FamilyFlow, Filter{Status: StatusAcknowledged, Fields: filterOf(t, "ip", "10.0.0.1").Fields}); err != nil || n != 1 {
		t.Fatalf("Delete acknowledged = %d, %v", n, err)
	}
	if recs, _ := query(t, s, FamilyFlow, Filter{Status: StatusAny}); !slices.Equal(rowTstamps(recs), []int64{0, 1}) {
		t.Errorf("after delete acknowledged: %v", rowTstamps(recs))
	}
	// Acknowledge without filters: every historical alert of the family
	// (of the interface).
	if n, err := s.Acknowledge(ctx, FamilyFlow, Filter{IfID: IfID(1)}, "", now); err != nil || n != 0 {
		t.Errorf("ack other interface = %d, %v", n, err)
	}
	if n, err := s.Acknowledge(ctx, FamilyFlow, Filter{IfID: IfID(0)}, "", now); err != nil || n != 1 {
		t.Errorf("ack all = %d, %v", n, err)
	}
	if n, err := s.Delete(ctx, FamilyFlow, Filter{Status: StatusAny}); err != nil || n != 2 {
		t.Errorf("delete any = %d, %v", n, err)
	}
}

func TestCountBy(t *testing.T) {
	s := flowFixture(t, Options{})
	got, err := s.CountBy(ctx, FamilyFlow, Filter{}, "alert_id")
	want := []GroupCount{{2, 2}, {1, 1}, {3, 1}, {4, 1}, {5, 1}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("CountBy alert_id = %v, %v; want %v", got, err, want)
	}
	got, err = s.CountBy(ctx, FamilyFlow, filterOf(t, "score", "100;gte"), "severity")
	want = []GroupCount{{5, 2}, {6, 1}, {8, 1}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("CountBy severity = %v, %v; want %v", got, err, want)
	}
	if _, err := s.CountBy(ctx, FamilyFlow, Filter{}, "cli_ip"); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("CountBy cli_ip: %v", err)
	}
}

func TestSeries(t *testing.T) {
	if f, w := SeriesWindow(1003, 1313); f != 1000 || w != 10 {
		t.Errorf("SeriesWindow(1003, 1313) = %d, %d", f, w)
	}
	if f, w := SeriesWindow(100, 110); f != 100 || w != 1 {
		t.Errorf("SeriesWindow(100, 110) = %d, %d", f, w)
	}
	if f, w := SeriesWindow(3600, 7200); f != 3596 || w != 116 {
		t.Errorf("SeriesWindow(3600, 7200) = %d, %d", f, w) // 3600/31 = 116.1
	}

	s, _ := newStore(t, Options{})
	a := func(ts int64, score int) Alert { return Alert{AlertID: 1, Tstamp: ts, Score: score} }
	mustInsert(t, s, FamilyHost,
		a(1002, 50),  // before begin: not counted
		a(1003, 50),  // slot 0 (warning)
		a(1009, 60),  // slot 0
		a(1010, 100), // slot 1 (error)
		a(1019, 100), // slot 1
		a(1155, 10),  // slot 15 (notice)
		a(1313, 70),  // slot 31 (= end)
		a(1314, 70),  // after end
	)
	// An acknowledged alert is not counted by default.
	mustInsert(t, s, FamilyHost, a(1004, 250))
	if _, err := s.Acknowledge(ctx, FamilyHost, filterOf(t, "score", "250"), "", time.Now()); err != nil {
		t.Fatal(err)
	}
	ser, err := s.Series(ctx, FamilyHost, Filter{IfID: IfID(0)}, 1003, 1313)
	if err != nil {
		t.Fatal(err)
	}
	if ser.First != 1000 || ser.Width != 10 || ser.SlotTime(31) != 1310 {
		t.Fatalf("window %d %d", ser.First, ser.Width)
	}
	want := map[int]map[int]int{5: {1: 2}, 4: {0: 2, 31: 1}, 3: {15: 1}}
	var sevs []int
	for _, sc := range ser.Severities {
		sevs = append(sevs, sc.Severity)
		for i, n := range sc.Counts {
			if n != want[sc.Severity][i] {
				t.Errorf("severity %d slot %d: %d, want %d", sc.Severity, i, n, want[sc.Severity][i])
			}
		}
	}
	if !slices.Equal(sevs, []int{5, 4, 3}) {
		t.Errorf("severities %v, want [5 4 3]", sevs)
	}
	// Filters apply; status any adds the acknowledged emergency.
	f := Filter{Status: StatusAny}
	f.Add("score", "100;gte")
	ser, err = s.Series(ctx, FamilyHost, f, 1003, 1313)
	if err != nil || len(ser.Severities) != 2 || ser.Severities[0].Severity != 8 || ser.Severities[0].Counts[0] != 1 ||
		ser.Severities[1].Severity != 5 || ser.Severities[1].Counts[1] != 2 {
		t.Errorf("filtered series %+v, %v", ser, err)
	}
	// Width rounded down: 61 s in 32 one-second slots; later alerts dropped.
	ser, err = s.Series(ctx, FamilyHost, Filter{}, 1003, 1064)
	if err != nil || ser.Width != 1 || ser.First != 1003 || len(ser.Severities) != 2 ||
		ser.Severities[0].Counts[7] != 1 || ser.Severities[0].Counts[16] != 1 ||
		ser.Severities[1].Counts[0] != 1 || ser.Severities[1].Counts[6] != 1 ||
		ser.Severities[1].Counts[31] != 0 {
		t.Errorf("narrow series %+v, %v", ser, err)
	}
	// No alert at all.
	ser, err = s.Series(ctx, FamilyHost, Filter{}, 5000, 6000)
	if err != nil || len(ser.Severities) != 0 || ser.Severities == nil {
		t.Errorf("empty series %+v, %v", ser, err)
	}
	if _, err := s.Series(ctx, FamilyHost, Filter{}, 10, 5); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("end < begin: %v", err)
	}
}

func TestSQLInjection(t *testing.T) {
	s := flowFixture(t, Options{})
	// Operators and field names that look like SQL are refused.
	for _, tc := range [][2]string{
		{"alert_id", "1;eq) OR 1=1 --"},
		{"score", "1) OR (1=1"},
		{"alert_id) OR (1=1", "1"},
		{"cli_ip", "x' OR '1'='1"},
		{"ip", "1.2.3.4' OR ''='"},
		{"tstamp", "0 OR 1=1"},
		{"cli_name", "'; DROP TABLE flow_alerts; --"}, // op " --"
	} {
		var f Filter
		if err := f.Add(tc[0], tc[1]); err != nil {
			if !errors.Is(err, ErrInvalidFilter) {
				t.Errorf("%s=%s: %v", tc[0], tc[1], err)
			}
			continue
		}
		if _, _, err := s.Query(ctx, FamilyFlow, f); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("%s=%s: %v", tc[0], tc[1], err)
		}
		if n, err := s.Delete(ctx, FamilyFlow, f); !errors.Is(err, ErrInvalidFilter) || n != 0 {
			t.Errorf("%s=%s: Delete = %d, %v", tc[0], tc[1], n, err)
		}
	}
	// Text values are data: they match only themselves.
	for _, tc := range []struct {
		field, list string
		want        []int64
	}{
		{"cli_name", "x' OR '1'='1", []int64{4}},
		{"cli_name", "' OR 1=1 --", nil},
		{"cli_name", "%;in", []int64{3}}, // a literal '%'
		{"community_id", "\" OR \"\"=\"", nil},
	} {
		recs, _ := query(t, s, FamilyFlow, filterOf(t, tc.field, tc.list))
		got := rowTstamps(recs)
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s=%s: %v, want %v", tc.field, tc.list, got, tc.want)
		}
	}
	for _, f := range []Filter{
		{Sort: "tstamp; DROP TABLE flow_alerts"},
		{Sort: "tstamp", Order: "desc; DROP TABLE flow_alerts"},
		{Sort: `"tstamp"`},
		{Sort: "1"},
	} {
		if _, _, err := s.Query(ctx, FamilyFlow, f); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("sort %q order %q: %v", f.Sort, f.Order, err)
		}
	}
	if _, err := s.Acknowledge(ctx, FamilyFlow, filterOf(t, "cli_name", "' OR 1=1 --"), "'); DROP TABLE flow_alerts; --", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, n := query(t, s, FamilyFlow, Filter{}); n != 6 {
		t.Errorf("table changed: %d historical alerts", n)
	}
	// Stored values are data too.
	mustInsert(t, s, FamilyFlow, Alert{AlertID: 9, Tstamp: 9, JSON: `{"q":"'); DROP TABLE flow_alerts; --"}`,
		Fields: map[string]any{"info": "') OR 1=1 DELETE FROM flow_alerts --"}})
	recs, n := query(t, s, FamilyFlow, filterOf(t, "info", "') OR 1=1 DELETE FROM flow_alerts --"))
	if n != 1 || recs[0].JSON != `{"q":"'); DROP TABLE flow_alerts; --"}` {
		t.Errorf("stored SQL-looking values: %d %+v", n, recs)
	}
	if _, n := query(t, s, FamilyFlow, Filter{Status: StatusAny}); n != 7 {
		t.Errorf("%d alerts, want 7", n)
	}
}

func TestInvalidBatchInsertsNothing(t *testing.T) {
	s, d := newStore(t, Options{})
	good := Alert{AlertID: 1, Tstamp: 100}
	for _, tc := range []struct {
		name string
		bad  Alert
		fam  Family
	}{
		{"bad ip", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"cli_ip": "10.0.0.300"}}, FamilyFlow},
		{"unknown field", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"nosuch": 1}}, FamilyFlow},
		{"wrong type", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"cli_port": "80"}}, FamilyFlow},
		{"port range", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"cli_port": 70000}}, FamilyFlow},
		{"vlan range", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"vlan_id": 5000}}, FamilyFlow},
		{"bool", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"is_cli_victim": 2}}, FamilyFlow},
		{"flow description", Alert{AlertID: 1, Tstamp: 100, Description: "x"}, FamilyFlow},
		{"negative tstamp", Alert{AlertID: 1, Tstamp: -1}, FamilyFlow},
		{"end before begin", Alert{AlertID: 1, Tstamp: 100, TstampEnd: 50}, FamilyFlow},
		{"severity 7", Alert{AlertID: 1, Tstamp: 100, Severity: 7}, FamilyFlow},
		{"bad json", Alert{AlertID: 1, Tstamp: 100, JSON: "{"}, FamilyFlow},
		{"interface id", Alert{AlertID: 1, Tstamp: 100, InterfaceID: 70000}, FamilyFlow},
		{"label control", Alert{AlertID: 1, Tstamp: 100, UserLabel: "a\nb"}, FamilyFlow},
		{"mac", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"address": "zz"}}, FamilyMAC},
		{"nan", Alert{AlertID: 1, Tstamp: 100, Fields: map[string]any{"measure_value": math.NaN()}}, FamilyAMHost},
	} {
		err := s.Insert(ctx, tc.fam, []Alert{good, tc.bad, good})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "#1") {
			t.Errorf("%s: %v", tc.name, err)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
		if _, n := query(t, s, tc.fam, Filter{Status: StatusAny}); n != 0 {
			t.Fatalf("%s: %d alerts stored", tc.name, n)
		}
	}
	// A database error in the middle of the batch rolls it back too.
	if _, err := d.SQL().Exec(`CREATE TRIGGER boom BEFORE INSERT ON flow_alerts WHEN NEW.alert_id = 666
		BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, FamilyFlow, []Alert{good, good, {AlertID: 666, Tstamp: 1}, good}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing insert: %v", err)
	}
	if _, n := query(t, s, FamilyFlow, Filter{Status: StatusAny}); n != 0 {
		t.Fatalf("%d alerts stored", n)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Insert(cctx, FamilyFlow, []Alert{good, good}); err == nil {
		t.Error("insert with a cancelled context succeeded")
	}
	if _, n := query(t, s, FamilyFlow, Filter{Status: StatusAny}); n != 0 {
		t.Fatalf("%d alerts stored", n)
	}
	mustInsert(t, s, FamilyFlow, good, good)
	if _, n := query(t, s, FamilyFlow, Filter{Status: StatusAny}); n != 2 {
		t.Fatalf("%d alerts stored, want 2", n)
	}
	if err := s.Insert(ctx, FamilyFlow, nil); err != nil {
		t.Error(err)
	}
	if err := s.Insert(ctx, Family("all"), []Alert{good}); err == nil {
		t.Error("family all accepted")
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "ntopng.db")
	d := openDB(t, path)
	s := New(d, Options{})
	mustInsert(t, s, FamilyMAC, Alert{AlertID: 4101, InterfaceID: 1, Tstamp: 42, Score: 10, Description: "new device",
		Fields: map[string]any{"address": "00:11:22:33:44:55", "is_victim": true}})
	if _, err := s.Acknowledge(ctx, FamilyMAC, Filter{}, "ok", time.Unix(50, 0)); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, FamilyMAC, Alert{AlertID: 4102, InterfaceID: 1, Tstamp: 43})
	d.Close()

	d = openDB(t, path)
	defer d.Close()
	s = New(d, Options{})
	recs, n := query(t, s, FamilyMAC, Filter{IfID: IfID(1), Status: StatusAny})
	if n != 2 || recs[0].AlertID != 4101 || recs[0].Status != StatusAcknowledged || recs[0].UserLabel != "ok" ||
		recs[0].UserLabelTstamp != 50 || recs[0].Description != "new device" ||
		recs[0].Fields["address"] != "00:11:22:33:44:55" || recs[0].Fields["is_victim"] != true ||
		recs[1].AlertID != 4102 || recs[1].Status != StatusHistorical {
		t.Errorf("after reopening: %d %+v", n, recs)
	}
}

func TestRetention(t *testing.T) {
	s, d := newStore(t, Options{MaxAlertsPerFamily: 5})
	batch := func(from, n int) []Alert {
		out := make([]Alert, n)
		for i := range out {
			out[i] = Alert{AlertID: from + i, Tstamp: int64(from + i)}
		}
		return out
	}
	ids := func(fam Family) []int64 {
		recs, _ := query(t, s, fam, Filter{Status: StatusAny})
		return rowTstamps(recs)
	}
	mustInsert(t, s, FamilyHost, batch(1, 3)...)
	mustInsert(t, s, FamilyHost, batch(4, 4)...)
	if got := ids(FamilyHost); !slices.Equal(got, []int64{3, 4, 5, 6, 7}) {
		t.Errorf("after 7: %v", got)
	}
	mustInsert(t, s, FamilyHost, batch(8, 8)...) // a batch bigger than the limit
	if got := ids(FamilyHost); !slices.Equal(got, []int64{11, 12, 13, 14, 15}) {
		t.Errorf("after 15: %v", got)
	}
	// Acknowledged alerts count too; deletions make room.
	if _, err := s.Acknowledge(ctx, FamilyHost, Filter{}, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Delete(ctx, FamilyHost, Filter{Status: StatusAny, Fields: filterOf(t, "alert_id", "11,12").Fields}); err != nil || n != 2 {
		t.Fatal(n, err)
	}
	mustInsert(t, s, FamilyHost, batch(16, 2)...)
	if got := ids(FamilyHost); !slices.Equal(got, []int64{13, 14, 15, 16, 17}) {
		t.Errorf("after delete+insert: %v", got)
	}
	// Another family is counted separately.
	mustInsert(t, s, FamilyFlow, batch(100, 2)...)
	if got := ids(FamilyFlow); !slices.Equal(got, []int64{100, 101}) {
		t.Errorf("flow: %v", got)
	}
	// Rows written behind the store's back (another store on the same
	// database): the exact count is taken before deleting.
	other := New(d, Options{MaxAlertsPerFamily: -1})
	mustInsert(t, other, FamilyHost, batch(18, 3)...)
	mustInsert(t, s, FamilyHost, batch(21, 1)...)
	if got := ids(FamilyHost); !slices.Equal(got, []int64{17, 18, 19, 20, 21}) {
		t.Errorf("after foreign rows: %v", got)
	}
	if _, n := query(t, other, FamilyHost, Filter{Status: StatusAny}); n != 5 {
		t.Errorf("%d rows", n)
	}
	// Default retention.
	if New(d, Options{}).opts.MaxAlertsPerFamily != DefaultMaxAlertsPerFamily {
		t.Error("default retention not applied")
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _ := newStore(t, Options{MaxAlertsPerFamily: 300})
	ack := filterOf(t, "score", "90")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 20 {
				batch := make([]Alert, 10)
				for j := range batch {
					batch[j] = Alert{AlertID: w, Tstamp: int64(i*10 + j), Score: 10 * j}
				}
				if err := s.Insert(ctx, FamilyFlow, batch); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if _, _, err := s.Query(ctx, FamilyFlow, Filter{Sort: "tstamp", Order: "desc", Length: 10}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Acknowledge(ctx, FamilyFlow, ack, "", time.Now()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, err := s.Count(ctx, FamilyFlow, Filter{Status: StatusAny}); err != nil || n != 300 {
		t.Errorf("%d alerts (%v), want 300", n, err)
	}
}

func TestParseFilterList(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []FilterItem
	}{
		{"", nil},
		{"5", []FilterItem{{"5", OpEq}}},
		{"5;eq,20;eq", []FilterItem{{"5", OpEq}, {"20", OpEq}}},
		{"a;b;neq", []FilterItem{{"a;b", OpNeq}}},
		{";eq", []FilterItem{{"", OpEq}}},
		{"1;lt,2;gt,3;gte,4;lte,5;in,6;nin", []FilterItem{{"1", OpLt}, {"2", OpGt}, {"3", OpGte}, {"4", OpLte}, {"5", OpIn}, {"6", OpNin}}},
	} {
		ff, err := ParseFilterList("f", tc.text)
		if err != nil || ff.Field != "f" || !slices.Equal(ff.Items, tc.want) {
			t.Errorf("%q: %+v, %v", tc.text, ff, err)
		}
	}
	if _, err := ParseFilterList("f", strings.Repeat("1,", MaxFilterItems+1)); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("too many items: %v", err)
	}
	if _, err := ParseFilterList("", "1"); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("empty field: %v", err)
	}
}

func ExampleParseFilterList() {
	ff, _ := ParseFilterList("alert_id", "5;eq,20;eq,7;neq")
	fmt.Println(ff.Items)
	// Output: [{5 eq} {20 eq} {7 neq}]
}

func TestUpdateKeepsStatusAndRowID(t *testing.T) {
	s, _ := newStore(t, Options{})
	ids, err := s.InsertRowIDs(ctx, FamilySystem, []Alert{{AlertID: 4187, Tstamp: 10, Score: 10, Description: "a"}, {AlertID: 4187, Tstamp: 11, Score: 10, Description: "b"}})
	if err != nil || len(ids) != 2 || ids[1] != ids[0]+1 {
		t.Fatalf("ids %v, err %v", ids, err)
	}
	if _, err := s.Acknowledge(ctx, FamilySystem, Filter{}, "seen", time.Unix(20, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, FamilySystem, ids[0], Alert{AlertID: 4187, Tstamp: 10, Score: 100, Description: "changed"}); err != nil {
		t.Fatal(err)
	}
	recs, _ := query(t, s, FamilySystem, Filter{Status: StatusAny})
	if len(recs) != 2 || recs[0].RowID != ids[0] || recs[0].Score != 100 || recs[0].Description != "changed" ||
		recs[0].Status != StatusAcknowledged || recs[0].UserLabel != "seen" || recs[1].Description != "b" {
		t.Fatalf("after update: %+v", recs)
	}
	if err := s.Update(ctx, FamilySystem, 999, Alert{AlertID: 1, Tstamp: 1}); !errors.Is(err, ErrNoSuchAlert) {
		t.Fatalf("unknown rowid: %v", err)
	}
	if err := s.Update(ctx, FamilySystem, ids[1], Alert{AlertID: 1, Tstamp: 5, TstampEnd: 1}); err == nil {
		t.Fatal("invalid alert accepted")
	}
}
