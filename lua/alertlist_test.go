package lua

import (
	"context"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/rest/rc"
)

// The alert endpoints through their real scripts (scripts/lua/rest/v1),
// the real bindings and a real alert store.

const t0 = 1700000000 // 2023-11-14 22:13:20 UTC

type alertEnv struct {
	t       *testing.T
	rt      *Runtime
	app     *App
	store   *alertdb.Store
	engaged []alertdb.Record
}

func flowAlert(id, score int, ts int64, cli, srv string, extra map[string]any) alertdb.Alert {
	f := map[string]any{"cli_ip": cli, "srv_ip": srv, "cli_port": 40000, "srv_port": 53, "proto": 17,
		"l7_proto": 5, "cli2srv_bytes": 100, "srv2cli_bytes": 2048, "info": "example.org",
		"cli_network": 65535, "srv_network": 65535, "is_cli_attacker": true}
	for k, v := range extra {
		f[k] = v
	}
	return alertdb.Alert{AlertID: id, Category: 1, Tstamp: ts, Score: score, Fields: f,
		JSON: `{"alert_generation":{"subdir":"flow","script_key":"k` + num(id) + `","confset_id":0},"l7_proto_name":"DNS","l7_confidence":"DPI"}`}
}

func num[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func newAlertEnv(t *testing.T, withStore bool) *alertEnv {
	t.Helper()
	reg := dpi.NewRegistry()
	if0 := probe.New(probe.Config{ID: 0, Name: "eth0", Registry: reg,
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}, nil)})
	if1 := probe.New(probe.Config{ID: 1, Name: "eth1", Registry: reg})
	e := &alertEnv{t: t}
	e.app = &App{Interfaces: []*probe.Interface{if0, if1}, Registry: reg, Version: "t", Start: time.Now(),
		EngagedAlerts: func(ifid int, fam alertdb.Family) []alertdb.Record {
			var out []alertdb.Record
			for _, r := range e.engaged {
				if (fam.SystemScoped() || r.InterfaceID == ifid) && famOf(r) == fam {
					out = append(out, r)
				}
			}
			return out
		}}
	if withStore {
		d, err := db.Open(filepath.Join(t.TempDir(), "ntopng.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		e.store = alertdb.New(d, alertdb.Options{ProtoByName: func(name string) (int, bool) {
			p, ok := reg.ByName(name)
			return int(p.ID), ok
		}})
		e.app.Alerts = e.store
		ctx := context.Background()
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(e.store.Insert(ctx, alertdb.FamilyFlow, []alertdb.Alert{
			flowAlert(33, 110, t0, "192.168.1.10", "8.8.8.8", nil),
			flowAlert(53, 210, t0+100, "10.0.0.5", "10.0.0.1", map[string]any{"info": "evil.example"}),
			flowAlert(16, 10, t0+200, "172.16.0.1", "1.1.1.1", nil),
		}))
		other := flowAlert(33, 110, t0+300, "192.168.1.11", "8.8.4.4", nil)
		other.InterfaceID = 1
		must(e.store.Insert(ctx, alertdb.FamilyFlow, []alertdb.Alert{other}))
		must(e.store.Insert(ctx, alertdb.FamilyHost, []alertdb.Alert{
			{AlertID: 5, Category: 3, Tstamp: t0 + 50, Score: 100, Description: "SYN scan by 192.168.1.10",
				JSON:   `{"alert_generation":{"subdir":"host","script_key":"syn_scan","confset_id":0}}`,
				Fields: map[string]any{"ip": "192.168.1.10", "is_attacker": true, "network": 0}},
			{AlertID: 20, Category: 1, Tstamp: t0 + 150, Score: 50, Description: "scan",
				Fields: map[string]any{"ip": "10.0.0.5", "is_victim": true, "network": 65535}},
		}))
		must(e.store.Insert(ctx, alertdb.FamilySystem, []alertdb.Alert{
			{AlertID: 4111, Category: 4, Tstamp: t0 + 10, Score: 50, Description: "Login failed",
				Fields: map[string]any{"name": "ntopng"}},
		}))
	}
	e.rt = New(Config{ModulesDir: scriptsPath("modules"), PoolSize: 2, Timeout: 10 * time.Second,
		Installers: []Installer{Bindings(e.app)}})
	return e
}

// famOf tells the test's engaged alerts apart by their fields.
func famOf(r alertdb.Record) alertdb.Family {
	if _, ok := r.Fields["cli_ip"]; ok {
		return alertdb.FamilyFlow
	}
	return alertdb.FamilyHost
}

func scriptsPath(rel string) string {
	return filepath.Join("..", "scripts", "lua", filepath.FromSlash(rel))
}

type alertAnswer struct {
	status int
	ctype  string
	body   string
	env    map[string]any
}

func (a alertAnswer) rc() string {
	s, _ := a.env["rc_str"].(string)
	return s
}

func (a alertAnswer) rsp() map[string]any {
	m, _ := a.env["rsp"].(map[string]any)
	return m
}

func (a alertAnswer) records() []map[string]any {
	list, _ := a.rsp()["records"].([]any)
	out := make([]map[string]any, len(list))
	for i, r := range list {
		out[i] = r.(map[string]any)
	}
	return out
}

// run runs the script at rel (under scripts/lua/rest/v1) with _GET params.
func (e *alertEnv) run(rel string, params map[string]string, req *Request) alertAnswer {
	e.t.Helper()
	if req == nil {
		req = &Request{User: "admin", Admin: true}
	}
	out, err := e.rt.Run(context.Background(), scriptsPath("rest/v1/"+rel), req, func(L *glua.LState, env *glua.LTable) {
		get := L.NewTable()
		for k, v := range params {
			get.RawSetString(k, glua.LString(v))
		}
		env.RawSetString("_GET", get)
		env.RawSetString("_POST", L.NewTable())
	})
	if err != nil {
		e.t.Fatalf("%s: %v", rel, err)
	}
	a := alertAnswer{status: 200, ctype: req.ContentType, body: string(out)}
	if req.Answered {
		a.status, a.ctype, a.body = req.Status, "application/json", string(req.Body)
		if err := json.Unmarshal(req.Body, &a.env); err != nil {
			e.t.Fatalf("%s: not JSON: %s", rel, req.Body)
		}
	}
	return a
}

func TestAlertListPagingSortDraw(t *testing.T) {
	e := newAlertEnv(t, true)
	a := e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "draw": "7"}, nil)
	if a.rc() != "OK" || a.env["recordsFiltered"] != 3.0 || a.env["recordsTotal"] != 3.0 || a.env["draw"] != 7.0 {
		t.Fatalf("list: %s", a.body)
	}
	a = e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "start": "1", "length": "1",
		"sort": "score", "order": "desc"}, nil)
	recs := a.records()
	if a.env["recordsFiltered"] != 3.0 || a.env["recordsTotal"] != 1.0 || len(recs) != 1 {
		t.Fatalf("page: %s", a.body)
	}
	if _, ok := a.env["draw"]; ok {
		t.Error("draw echoed although not sent")
	}
	if id := recs[0]["alert_id"].(map[string]any)["value"]; id != "33" {
		t.Errorf("second highest score: alert %v", id)
	}
	// Interface 1 has its own alerts.
	a = e.run("get/flow/alert/list.lua", map[string]string{"ifid": "1"}, nil)
	if a.env["recordsFiltered"] != 1.0 {
		t.Errorf("ifid 1: %s", a.body)
	}
}

func TestAlertListFilters(t *testing.T) {
	e := newAlertEnv(t, true)
	for _, c := range []struct {
		params map[string]string
		want   float64
	}{
		{map[string]string{"alert_id": "33"}, 1},
		{map[string]string{"alert_type": "53"}, 1},
		{map[string]string{"score": "100;gte"}, 2},
		{map[string]string{"score": "100;gte,200;lt"}, 1},
		{map[string]string{"ip": "10.0.0.1"}, 1},
		{map[string]string{"info": "evil;in"}, 1},
		{map[string]string{"epoch_begin": num(t0 + 50), "epoch_end": num(t0 + 250)}, 2},
		{map[string]string{"alert_id": "33;neq"}, 2},
		{map[string]string{"l7proto": "DNS"}, 3},
		{map[string]string{"alert_type": "alerted"}, 3}, // flow-list words select nothing
	} {
		c.params["ifid"] = "0"
		a := e.run("get/flow/alert/list.lua", c.params, nil)
		if a.rc() != "OK" || a.env["recordsFiltered"] != c.want {
			t.Errorf("%v: %s", c.params, a.body)
		}
	}
}

func TestAlertListBadInput(t *testing.T) {
	e := newAlertEnv(t, true)
	for _, c := range []struct {
		rel    string
		params map[string]string
		rc     string
		msg    string
	}{
		{"get/flow/alert/list.lua", map[string]string{}, "INVALID_INTERFACE", ""},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "9"}, "INVALID_INTERFACE", ""},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "0", "score": "abc"}, "INVALID_ARGUMENTS", "not a number"},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "0", "alert_id": "5;like"}, "INVALID_ARGUMENTS", "unknown operator"},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "0", "bogus": "1"}, "INVALID_ARGUMENTS", "unknown filter field"},
		{"get/system/alert/list.lua", map[string]string{"ip": "1.2.3.4"}, "INVALID_ARGUMENTS", "unknown filter field"},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "0", "sort": "nope"}, "INVALID_ARGUMENTS", "cannot sort"},
		{"get/flow/alert/list.lua", map[string]string{"ifid": "0", "status": "weird"}, "INVALID_ARGUMENTS", "unknown status"},
		{"get/host/alert/list.lua", map[string]string{"ifid": "0", "status": "engaged", "score": "x"}, "INVALID_ARGUMENTS", "not a number"},
		{"acknowledge/flow/alerts.lua", map[string]string{"ifid": "0", "status": "engaged"}, "INVALID_ARGUMENTS", "engaged"},
		{"delete/all/alerts.lua", map[string]string{"ifid": "0", "bogus": "1"}, "INVALID_ARGUMENTS", "unknown filter field"},
		{"get/alert/type/counters.lua", map[string]string{}, "INVALID_INTERFACE", ""},
		{"get/alert/data.lua", map[string]string{"ifid": "0"}, "INVALID_ARGUMENTS", "status"},
		{"get/alert/ts.lua", map[string]string{"ifid": "0", "status": "historical", "epoch_begin": "10", "epoch_end": "5"}, "INVALID_ARGUMENTS", "epoch"},
	} {
		a := e.run(c.rel, c.params, nil)
		msg, _ := a.rsp()["error"].(string)
		if a.rc() != c.rc || !strings.Contains(msg, c.msg) {
			t.Errorf("%s %v: %s", c.rel, c.params, a.body)
		}
		if c.rc == "INVALID_INTERFACE" && (a.status != 400 || !strings.HasSuffix(a.body, `"rsp":[]}`)) {
			t.Errorf("%s: %d %s", c.rel, a.status, a.body)
		}
	}
	// Nothing was changed by the refused requests.
	if n, _ := e.store.Count(context.Background(), alertdb.FamilyFlow, alertdb.Filter{Status: alertdb.StatusAny}); n != 4 {
		t.Errorf("%d flow alerts left", n)
	}
}

func TestAlertRecordsShape(t *testing.T) {
	e := newAlertEnv(t, true)
	a := e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "alert_id": "33"}, nil)
	r := a.records()[0]
	if r["family"] != "flow" || r["row_id"] != "1" || r["alert_name"] != "Unexpected DNS server found" ||
		r["script_key"] != "k33" || r["vlan_id"] != "0" {
		t.Errorf("record: %v", r)
	}
	flow := r["flow"].(map[string]any)
	if flow["cli_port"] != "40000" || flow["srv_ip"].(map[string]any)["value"] != "8.8.8.8" {
		t.Errorf("flow: %v", flow)
	}
	fri := r["flow_related_info"].(map[string]any)["descr"]
	if fri != " [ Server to Client Traffic: 2.0 KB | Client to Server Traffic: 100 Bytes ]" {
		t.Errorf("flow_related_info: %q", fri)
	}
	if r["cli_network"].(map[string]any)["value"] != "" {
		t.Errorf("network: %v", r["cli_network"])
	}
	a = e.run("get/host/alert/list.lua", map[string]string{"ifid": "0", "alert_id": "5"}, nil)
	h := a.records()[0]
	if h["family"] != "host" || h["description"] != "SYN scan by 192.168.1.10" || h["alert_name"] != "TCP SYN Scan" ||
		h["ip"].(map[string]any)["is_local"] != true || h["network"].(map[string]any)["label"] != "192.168.1.0/24" ||
		h["role"].(map[string]any)["value"] != "attacker" {
		t.Errorf("host record: %v", h)
	}
	a = e.run("get/system/alert/list.lua", map[string]string{}, nil)
	if recs := a.records(); len(recs) != 1 || recs[0]["family"] != "system" || recs[0]["alert_name"] != "Login Failed" {
		t.Errorf("system: %s", a.body)
	}
}

func TestAlertListTextMode(t *testing.T) {
	e := newAlertEnv(t, true)
	a := e.run("get/host/alert/list.lua", map[string]string{"ifid": "0", "format": "txt"}, nil)
	if a.ctype != "text/csv" || a.env != nil {
		t.Fatalf("text mode: %s %q", a.ctype, a.body)
	}
	lines := strings.Split(strings.TrimSpace(a.body), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "family|row_id|tstamp|alert_id|") {
		t.Fatalf("csv: %q", a.body)
	}
	if !strings.Contains(lines[1], "|TCP SYN Scan|") || !strings.Contains(lines[1], "|true|false|") {
		t.Errorf("csv line: %q", lines[1])
	}
}

func TestAlertEngaged(t *testing.T) {
	e := newAlertEnv(t, true)
	for i, ip := range []string{"192.168.1.20", "10.9.9.9", "192.168.1.21"} {
		e.engaged = append(e.engaged, alertdb.Record{Status: alertdb.StatusEngaged, Alert: alertdb.Alert{
			AlertID: 5 + i, Tstamp: t0 + int64(i)*60, Score: 50 * (i + 1),
			Fields: map[string]any{"ip": ip, "vlan_id": int64(0), "is_attacker": i == 0}}})
	}
	list := func(params map[string]string, req *Request) alertAnswer {
		params["ifid"], params["status"] = "0", "engaged"
		return e.run("get/host/alert/list.lua", params, req)
	}
	a := list(map[string]string{}, nil)
	recs := a.records()
	if a.env["recordsFiltered"] != 3.0 || len(recs) != 3 || recs[0]["alert_id"].(map[string]any)["value"] != "7" {
		t.Fatalf("engaged (newest first): %s", a.body)
	}
	if _, ok := recs[0]["row_id"]; ok {
		t.Error("engaged records have no row_id")
	}
	for _, c := range []struct {
		params map[string]string
		want   float64
	}{
		{map[string]string{"alert_id": "6"}, 1},
		{map[string]string{"score": "100;gte"}, 2},
		{map[string]string{"severity": "4"}, 1}, // score 50: warning
		{map[string]string{"epoch_end": num(t0 + 60)}, 2},
		{map[string]string{"ip": "192.168.1.21"}, 1},
		{map[string]string{"role": "attacker"}, 1},
	} {
		if a := list(c.params, nil); a.env["recordsFiltered"] != c.want {
			t.Errorf("%v: %s", c.params, a.body)
		}
	}
	a = list(map[string]string{"start": "1", "length": "1", "sort": "score", "order": "asc"}, nil)
	if recs := a.records(); len(recs) != 1 || recs[0]["score"].(map[string]any)["value"] != 100.0 {
		t.Errorf("engaged page: %s", a.body)
	}
	restricted := &Request{User: "u", AllowedNets: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}}
	if a := list(map[string]string{}, restricted); a.env["recordsFiltered"] != 2.0 {
		t.Errorf("restricted engaged: %s", a.body)
	}
}

func TestAlertAllowedNetworks(t *testing.T) {
	e := newAlertEnv(t, true)
	restricted := func() *Request {
		return &Request{User: "u", AllowedNets: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24"),
			netip.MustParsePrefix("1.1.1.1/32")}}
	}
	a := e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "length": "1"}, restricted())
	if a.env["recordsFiltered"] != 2.0 || a.env["recordsTotal"] != 1.0 {
		t.Fatalf("restricted flow list: %s", a.body)
	}
	a = e.run("get/host/alert/list.lua", map[string]string{"ifid": "0"}, restricted())
	if recs := a.records(); a.env["recordsFiltered"] != 1.0 || recs[0]["ip"].(map[string]any)["value"] != "192.168.1.10" {
		t.Errorf("restricted host list: %s", a.body)
	}
	a = e.run("get/alert/type/counters.lua", map[string]string{"ifid": "0"}, restricted())
	total := 0.0
	for _, c := range a.env["rsp"].([]any) {
		total += c.(map[string]any)["count"].(float64)
	}
	if total != 3 { // 2 flow + 1 host
		t.Errorf("restricted counters: %s", a.body)
	}
	a = e.run("get/flow/alert/ts.lua", map[string]string{"ifid": "0", "epoch_begin": num(t0), "epoch_end": num(t0 + 310)}, restricted())
	if n := seriesTotal(a); n != 2 {
		t.Errorf("restricted series counts %d: %s", n, a.body)
	}
	// Acknowledging changes only what the caller sees.
	a = e.run("acknowledge/flow/alerts.lua", map[string]string{"ifid": "0", "label": "seen"}, restricted())
	if a.rc() != "OK" {
		t.Fatalf("acknowledge: %s", a.body)
	}
	ack, _ := e.store.Count(context.Background(), alertdb.FamilyFlow, alertdb.Filter{Status: alertdb.StatusAcknowledged})
	if ack != 2 {
		t.Errorf("%d flow alerts acknowledged, want 2", ack)
	}
}

func seriesTotal(a alertAnswer) int {
	n := 0
	for _, s := range a.rsp()["series"].([]any) {
		for _, p := range s.(map[string]any)["data"].([]any) {
			n += int(p.([]any)[1].(float64))
		}
	}
	return n
}

func TestAlertSeries(t *testing.T) {
	e := newAlertEnv(t, true)
	a := e.run("get/flow/alert/ts.lua", map[string]string{"ifid": "0", "epoch_begin": num(t0), "epoch_end": num(t0 + 310)}, nil)
	series := a.rsp()["series"].([]any)
	colors := a.rsp()["colors"].([]any)
	if len(series) != 3 || len(colors) != 3 || seriesTotal(a) != 3 {
		t.Fatalf("series: %s", a.body)
	}
	first := series[0].(map[string]any)
	if first["name"] != "Critical" || len(first["data"].([]any)) != 32 {
		t.Errorf("highest severity first, 32 points: %v", first["name"])
	}
	p0 := first["data"].([]any)[0].([]any)
	if p0[0] != float64(t0)*1000 {
		t.Errorf("first slot %v", p0[0])
	}
	a = e.run("get/flow/alert/ts.lua", map[string]string{"ifid": "0", "epoch_begin": "1000", "epoch_end": "2000"}, nil)
	if s := a.rsp()["series"].([]any); len(s) != 1 || s[0].(map[string]any)["name"] != "No alerts" ||
		a.rsp()["colors"].([]any)[0] != "#ccc" {
		t.Errorf("no alerts: %s", a.body)
	}
	a = e.run("get/all/alert/ts.lua", map[string]string{"ifid": "0", "epoch_begin": num(t0), "epoch_end": num(t0 + 310)}, nil)
	if n := seriesTotal(a); n != 6 { // 3 flow, 2 host, 1 system
		t.Errorf("all series counts %d", n)
	}
	a = e.run("get/flow/alert/ts.lua", map[string]string{"ifid": "0", "epoch_begin": num(t0), "epoch_end": num(t0 + 310), "by_24h": "true"}, nil)
	day := a.rsp()[num(t0-t0%86400)].([]any)
	if len(a.rsp()) != 1 || len(day) != 24 || day[22] != 3.0 { // 22:13 UTC
		t.Errorf("by_24h: %s", a.body)
	}
	a = e.run("get/alert/ts.lua", map[string]string{"ifid": "0", "status": "historical-flows",
		"epoch_begin": num(t0 - t0%86400), "epoch_end": num(t0 - t0%86400 + 86400)}, nil)
	if len(a.rsp()) != 2 || a.rsp()[num(t0-t0%86400)].([]any)[22] != 3.0 {
		t.Errorf("legacy ts: %s", a.body)
	}
	a = e.run("get/alert/ts.lua", map[string]string{"ifid": "0", "status": "historical", "alert_type": "5",
		"epoch_begin": num(t0), "epoch_end": num(t0 + 600)}, nil)
	if a.rsp()[num(t0-t0%86400)].([]any)[22] != 1.0 {
		t.Errorf("legacy ts, host alert type 5: %s", a.body)
	}
}

func TestAlertCountersAndLegacyData(t *testing.T) {
	e := newAlertEnv(t, true)
	a := e.run("get/alert/type/counters.lua", map[string]string{"ifid": "0"}, nil)
	list := a.env["rsp"].([]any)
	if len(list) != 5 {
		t.Fatalf("type counters: %s", a.body)
	}
	top := list[0].(map[string]any)
	if top["count"] != 1.0 || top["entity_label"] == "" || top["name"] == "" {
		t.Errorf("counter: %v", top)
	}
	a = e.run("get/alert/severity/counters.lua", map[string]string{"ifid": "0", "epoch_begin": num(t0 + 90),
		"epoch_end": num(t0 + 160)}, nil)
	list = a.env["rsp"].([]any)
	if len(list) != 2 { // flow critical (t0+100), host warning (t0+150)
		t.Errorf("severity counters in range: %s", a.body)
	}
	if _, ok := list[0].(map[string]any)["alert_id"]; ok {
		t.Error("severity counters carry no alert_id")
	}
	a = e.run("get/alert/data.lua", map[string]string{"ifid": "0", "status": "historical", "alert_type": "5"}, nil)
	recs := a.env["rsp"].([]any)
	if len(recs) != 1 {
		t.Fatalf("data: %s", a.body)
	}
	r := recs[0].(map[string]any)
	if r["type"] != "host_alert_tcp_syn_scan" || r["severity"] != "error" || r["entity"] != "host" ||
		r["msg"] != "SYN scan by 192.168.1.10" || r["count"] != 1.0 {
		t.Errorf("legacy record: %v", r)
	}
}

func TestAlertAcknowledgeAndDelete(t *testing.T) {
	e := newAlertEnv(t, true)
	ctx := context.Background()
	a := e.run("acknowledge/flow/alerts.lua", map[string]string{"ifid": "0", "alert_id": "33", "label": "known"}, nil)
	if a.rc() != "OK" {
		t.Fatal(a.body)
	}
	a = e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "status": "acknowledged"}, nil)
	if recs := a.records(); len(recs) != 1 || recs[0]["user_label"] != "known" {
		t.Errorf("acknowledged: %s", a.body)
	}
	a = e.run("delete/flow/alerts.lua", map[string]string{"ifid": "0", "score": "200;gte"}, nil)
	if a.rc() != "OK" {
		t.Fatal(a.body)
	}
	if n, _ := e.store.Count(ctx, alertdb.FamilyFlow, alertdb.Filter{Status: alertdb.StatusAny}); n != 3 {
		t.Errorf("%d flow alerts after deleting one", n)
	}
	a = e.run("get/all/alert/list.lua", map[string]string{"ifid": "0", "status": "any"}, nil)
	if recs := a.records(); a.env["recordsFiltered"] != 3.0 || recs[0]["entity_id"] != 1.0 {
		t.Errorf("all list: %s", a.body)
	}
	a = e.run("delete/all/alerts.lua", map[string]string{"ifid": "0", "status": "any", "score": "100;lte"}, nil)
	if a.rc() != "OK" {
		t.Fatal(a.body)
	}
	for fam, want := range map[alertdb.Family]int{alertdb.FamilyFlow: 2, alertdb.FamilyHost: 0, alertdb.FamilySystem: 0} {
		if n, _ := e.store.Count(ctx, fam, alertdb.Filter{Status: alertdb.StatusAny}); n != want {
			t.Errorf("%s: %d alerts left, want %d", fam, n, want)
		}
	}
}

func TestAlertsWithoutStore(t *testing.T) {
	e := newAlertEnv(t, false)
	a := e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0"}, nil)
	if a.rc() != "OK" || a.env["recordsFiltered"] != 0.0 || len(a.records()) != 0 {
		t.Errorf("empty list: %s", a.body)
	}
	a = e.run("get/flow/alert/list.lua", map[string]string{"ifid": "0", "bogus": "1"}, nil)
	if a.rc() != "INVALID_ARGUMENTS" {
		t.Errorf("bad field without a store: %s", a.body)
	}
	for _, rel := range []string{"acknowledge/host/alerts.lua", "delete/all/alerts.lua", "get/alert/type/counters.lua"} {
		if a := e.run(rel, map[string]string{"ifid": "0"}, nil); a.rc() != "OK" {
			t.Errorf("%s: %s", rel, a.body)
		}
	}
}

func TestExtendedEnvelope(t *testing.T) {
	got := string(EnvelopeWith(mustCode(t, "OK"), []byte(`{"a":1}`), []EnvelopeMember{{"recordsFiltered", []byte("5")}}))
	want := `{"rc":0,"rc_str":"OK","rc_str_hr":"Success","recordsFiltered":5,"rsp":{"a":1}}`
	if got != want {
		t.Errorf("got %s", got)
	}
}

func mustCode(t *testing.T, s string) rc.Code {
	t.Helper()
	c, ok := rc.ByStr(s)
	if !ok {
		t.Fatalf("no code %s", s)
	}
	return c
}
