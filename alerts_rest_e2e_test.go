package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// seededAt is the time of the seeded alerts: years before the sample
// capture (2026), so that the alerts the check engine raises on the
// capture stay out of every request that names the seeded range.
const seededAt = 1590000000 // 2020-05-20 18:40 UTC

// seedAlerts writes alerts and a restricted user into the data directory's
// database before the program starts.
func seedAlerts(t *testing.T, dataDir string) {
	t.Helper()
	d, err := db.Open(filepath.Join(dataDir, "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.AddUser(ctx, db.User{Username: "lan", Group: db.GroupUnprivileged,
		AllowedNetworks: "192.168.1.0/24"}, "lan-pw-1"); err != nil {
		t.Fatal(err)
	}
	st := alertdb.New(d, alertdb.Options{})
	flow := func(id, score int, ts int64, cli, srv string) alertdb.Alert {
		return alertdb.Alert{AlertID: id, Category: 1, Tstamp: ts, Score: score,
			JSON: `{"alert_generation":{"subdir":"flow","script_key":"check` + strconv.Itoa(id) + `","confset_id":0},` +
				`"description":"seeded","l7_proto_name":"DNS","l7_confidence":"DPI",` +
				`"proto":{"dns":{"last_query":"example.org","last_query_type":1,"last_return_code":0}}}`,
			Fields: map[string]any{"cli_ip": cli, "srv_ip": srv, "cli_port": 40000, "srv_port": 53, "proto": 17,
				"l7_proto": 5, "info": "example.org", "cli2srv_bytes": 80, "srv2cli_bytes": 160,
				"cli_network": 65535, "srv_network": 65535}}
	}
	for _, ins := range []struct {
		fam    alertdb.Family
		alerts []alertdb.Alert
	}{
		{alertdb.FamilyFlow, []alertdb.Alert{
			flow(33, 110, seededAt, "192.168.1.10", "8.8.8.8"),
			flow(53, 210, seededAt+100, "10.0.0.5", "10.0.0.1"),
			flow(16, 10, seededAt+200, "172.16.0.1", "1.1.1.1"),
		}},
		{alertdb.FamilyHost, []alertdb.Alert{
			{AlertID: 5, Category: 3, Tstamp: seededAt + 50, Score: 100, Description: "SYN scan",
				Fields: map[string]any{"ip": "192.168.1.10", "is_attacker": true}},
			{AlertID: 20, Category: 1, Tstamp: seededAt + 150, Score: 50, Description: "scan",
				Fields: map[string]any{"ip": "10.0.0.5", "is_victim": true, "network": 65535}},
		}},
		{alertdb.FamilySystem, []alertdb.Alert{
			{AlertID: 4111, Category: 4, Tstamp: seededAt + 10, Score: 50, Description: "Login failed",
				Fields: map[string]any{"name": "ntopng"}},
		}},
	} {
		if err := st.Insert(ctx, ins.fam, ins.alerts); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEndToEndAlerts drives the alert endpoints of a real process over a
// database seeded before it started: lists (filters, paging, sort, draw,
// CSV), series, counters, the legacy endpoints, acknowledge and delete,
// refused input that changes nothing, authorization and allowed networks.
func TestEndToEndAlerts(t *testing.T) {
	pcap, truth := sampleCapture(t)
	dataDir := t.TempDir()
	seedAlerts(t, dataDir)
	p := start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	p.waitRead(t, truth.Frames)

	// Every request names the seeded range.
	span := "epoch_begin=" + strconv.Itoa(seededAt-1) + "&epoch_end=" + strconv.Itoa(seededAt+1000)
	get := func(path, query, user, pass string) (int, map[string]any) {
		t.Helper()
		return p.get(t, path+"?"+query, user, pass)
	}
	admin := func(path, query string) (int, map[string]any) {
		t.Helper()
		return get(path, query, "admin", "admin")
	}
	records := func(env map[string]any) []map[string]any {
		t.Helper()
		list, _ := env["rsp"].(map[string]any)["records"].([]any)
		out := make([]map[string]any, len(list))
		for i, r := range list {
			out[i] = r.(map[string]any)
		}
		return out
	}
	filtered := func(path, query string) float64 {
		t.Helper()
		code, env := admin(path, query)
		expectRC(t, path+"?"+query, code, env, "OK", 0, 200)
		n, _ := env["recordsFiltered"].(float64)
		return n
	}

	t.Run("list", func(t *testing.T) {
		for _, v := range []string{"v1", "v2"} {
			code, env := admin("/lua/rest/"+v+"/get/flow/alert/list.lua", "ifid=0&draw=4&"+span)
			expectRC(t, v+" flow list", code, env, "OK", 0, 200)
			if env["recordsFiltered"] != 3.0 || env["recordsTotal"] != 3.0 || env["draw"] != 4.0 || len(records(env)) != 3 {
				t.Errorf("%s flow list: %v", v, env)
			}
		}
		code, env := admin("/lua/rest/v2/get/flow/alert/list.lua", "ifid=0&start=1&length=1&sort=score&order=desc&"+span)
		recs := records(env)
		if code != 200 || env["recordsFiltered"] != 3.0 || env["recordsTotal"] != 1.0 || len(recs) != 1 ||
			recs[0]["alert_id"].(map[string]any)["value"] != "33" || recs[0]["alert_name"] != "Unexpected DNS server found" {
			t.Errorf("page: %v", env)
		}
		if _, ok := env["draw"]; ok {
			t.Error("draw echoed although not sent")
		}
		for q, want := range map[string]float64{
			"alert_id=53": 1, "score=100;gte": 2, "ip=10.0.0.1": 1, "alert_id=33;neq": 2, "score=100;gte,200;lt": 1,
		} {
			if n := filtered("/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&"+q+"&"+span); n != want {
				t.Errorf("%s: %v alerts, want %v", q, n, want)
			}
		}
		if n := filtered("/lua/rest/v1/get/host/alert/list.lua", "ifid=0&"+span); n != 2 {
			t.Errorf("host alerts: %v", n)
		}
		if n := filtered("/lua/rest/v1/get/system/alert/list.lua", span); n != 1 {
			t.Errorf("system alerts (no ifid needed): %v", n)
		}
		code, env = admin("/lua/rest/v1/get/all/alert/list.lua", "ifid=0&"+span)
		if code != 200 || env["recordsFiltered"] != 3.0 {
			t.Errorf("all: %v", env)
		}
	})

	t.Run("csv", func(t *testing.T) {
		a := p.raw(t, "GET", "/lua/rest/v1/get/flow/alert/list.lua?ifid=0&format=csv&"+span, "", "", "admin", "admin")
		lines := strings.Split(strings.TrimSpace(string(a.body)), "\n")
		if a.status != 200 || a.header.Get("Content-Type") != "text/csv" || len(lines) != 4 ||
			!strings.Contains(lines[0], "|alert_name|") {
			t.Errorf("csv: %d %s %q", a.status, a.header.Get("Content-Type"), a.body)
		}
	})

	t.Run("series and counters", func(t *testing.T) {
		code, env := admin("/lua/rest/v1/get/flow/alert/ts.lua", "ifid=0&"+span)
		rsp := env["rsp"].(map[string]any)
		total := 0.0
		for _, s := range rsp["series"].([]any) {
			for _, pt := range s.(map[string]any)["data"].([]any) {
				total += pt.([]any)[1].(float64)
			}
		}
		if code != 200 || total != 3 || len(rsp["colors"].([]any)) != len(rsp["series"].([]any)) {
			t.Errorf("ts: %v", env)
		}
		for _, kind := range []string{"type", "severity"} {
			code, env := admin("/lua/rest/v2/get/alert/"+kind+"/counters.lua", "ifid=0&"+span)
			sum := 0.0
			for _, c := range env["rsp"].([]any) {
				sum += c.(map[string]any)["count"].(float64)
			}
			if code != 200 || sum != 5 { // 3 flow + 2 host alerts of interface 0 in the range
				t.Errorf("%s counters: %v", kind, env)
			}
		}
		code, env = admin("/lua/rest/v2/get/alert/type/counters.lua", "")
		expectRC(t, "counters without ifid", code, env, "INVALID_INTERFACE", -2, 400)
		code, env = admin("/lua/rest/v1/get/alert/data.lua", "ifid=0&status=historical&"+span)
		if list, _ := env["rsp"].([]any); code != 200 || len(list) != 2 || list[0].(map[string]any)["entity"] != "host" {
			t.Errorf("data: %v", env)
		}
		day := seededAt - seededAt%86400
		code, env = admin("/lua/rest/v1/get/alert/ts.lua", "ifid=0&status=historical-flows&epoch_begin="+
			strconv.Itoa(day)+"&epoch_end="+strconv.Itoa(day+86399))
		hours, _ := env["rsp"].(map[string]any)[strconv.Itoa(day)].([]any)
		if code != 200 || len(hours) != 24 || hours[18] != 3.0 {
			t.Errorf("legacy ts: %v", env)
		}
	})

	t.Run("refused input changes nothing", func(t *testing.T) {
		for _, c := range []struct{ path, query string }{
			{"/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&score=abc"},
			{"/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&alert_id=5;like"},
			{"/lua/rest/v1/delete/flow/alerts.lua", "ifid=0&srv_ip=not-an-ip"},
			{"/lua/rest/v1/delete/all/alerts.lua", "ifid=0&nosuchfield=1"},
			{"/lua/rest/v1/acknowledge/host/alerts.lua", "ifid=0&status=engaged"},
			{"/lua/rest/v1/delete/flow/alerts.lua", "ifid=0&epoch_begin=yesterday&epoch_end=1"},
		} {
			code, env := admin(c.path, c.query)
			expectError(t, c.path+"?"+c.query, code, env, "INVALID_ARGUMENTS", -5, 400)
		}
		for _, q := range []string{"", "ifid=7", "ifid=eth9"} {
			code, env := admin("/lua/rest/v1/get/flow/alert/list.lua", q)
			expectRC(t, "list "+q, code, env, "INVALID_INTERFACE", -2, 400)
		}
		code, env := admin("/lua/rest/v1/delete/host/alerts.lua", "")
		expectRC(t, "delete without ifid", code, env, "INVALID_INTERFACE", -2, 400)
		if n := filtered("/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&status=any&"+span); n != 3 {
			t.Errorf("flow alerts after refused requests: %v", n)
		}
	})

	t.Run("authorization and allowed networks", func(t *testing.T) {
		for _, path := range []string{"/lua/rest/v1/get/flow/alert/list.lua", "/lua/rest/v2/get/alert/type/counters.lua",
			"/lua/rest/v1/delete/flow/alerts.lua", "/lua/rest/v1/delete/am_host/alerts.lua"} {
			code, env := get(path, "ifid=0&"+span, "lan", "lan-pw-1")
			expectRC(t, "lan "+path, code, env, "NOT_GRANTED", -3, 403)
		}
		// The alerts capability: not through v1 (ntopng's v1 ignores
		// allow_alerts), granted through v2; then lan reads the alerts of
		// its allowed networks only.
		lanList := func() (int, map[string]any) {
			return get("/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&"+span, "lan", "lan-pw-1")
		}
		code, env := p.post(t, "/lua/rest/v1/edit/ntopng/user.lua", `{"username":"lan","allow_alerts":"1"}`)
		expectRC(t, "v1 edit", code, env, "OK", 0, 200)
		code, env = lanList()
		expectRC(t, "lan after v1 allow_alerts", code, env, "NOT_GRANTED", -3, 403)
		code, env = p.post(t, "/lua/rest/v2/edit/ntopng/user.lua", `{"username":"lan","allow_alerts":"1"}`)
		expectRC(t, "v2 edit", code, env, "OK", 0, 200)
		code, env = lanList()
		expectRC(t, "lan with the alerts capability", code, env, "OK", 0, 200)
		if recs := records(env); env["recordsFiltered"] != 1.0 || len(recs) != 1 ||
			recs[0]["flow"].(map[string]any)["cli_ip"].(map[string]any)["value"] != "192.168.1.10" {
			t.Errorf("lan sees: %v", env)
		}
		code, env = get("/lua/rest/v1/delete/flow/alerts.lua", "ifid=0&"+span, "lan", "lan-pw-1")
		expectRC(t, "lan deletes", code, env, "NOT_GRANTED", -3, 403)

		// The restricted user acknowledges what it sees: the flow alert of
		// 192.168.1.10 only.
		code, env = get("/lua/rest/v1/acknowledge/flow/alerts.lua", "ifid=0&label=lan&"+span, "lan", "lan-pw-1")
		expectRC(t, "lan acknowledges", code, env, "OK", 0, 200)
		code, env = admin("/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&status=acknowledged&"+span)
		recs := records(env)
		if code != 200 || len(recs) != 1 || recs[0]["user_label"] != "lan" ||
			recs[0]["flow"].(map[string]any)["cli_ip"].(map[string]any)["value"] != "192.168.1.10" {
			t.Errorf("acknowledged by lan: %v", env)
		}
	})

	t.Run("acknowledge and delete", func(t *testing.T) {
		code, env := admin("/lua/rest/v1/acknowledge/host/alerts.lua", "ifid=0&alert_id=5&label=known&"+span)
		expectRC(t, "acknowledge", code, env, "OK", 0, 200)
		if n := filtered("/lua/rest/v1/get/host/alert/list.lua", "ifid=0&status=acknowledged&"+span); n != 1 {
			t.Errorf("acknowledged host alerts: %v", n)
		}
		if n := filtered("/lua/rest/v1/get/host/alert/list.lua", "ifid=0&"+span); n != 1 {
			t.Errorf("historical host alerts: %v", n)
		}
		code, env = p.request(t, "POST", "/lua/rest/v1/delete/flow/alerts.lua",
			jsonBody(map[string]any{"ifid": 0, "alert_id": "16", "epoch_begin": seededAt - 1, "epoch_end": seededAt + 1000}),
			"admin", "admin")
		expectRC(t, "delete flow 16", code, env, "OK", 0, 200)
		if n := filtered("/lua/rest/v1/get/flow/alert/list.lua", "ifid=0&status=any&"+span); n != 2 {
			t.Errorf("flow alerts after delete: %v", n)
		}
		code, env = admin("/lua/rest/v1/delete/all/alerts.lua", "ifid=0&status=any&"+span)
		expectRC(t, "delete all", code, env, "OK", 0, 200)
		for _, fam := range []string{"flow", "host", "system"} {
			if n := filtered("/lua/rest/v1/get/"+fam+"/alert/list.lua", "ifid=0&status=any&"+span); n != 0 {
				t.Errorf("%s alerts left after delete/all: %v", fam, n)
			}
		}
	})
}
