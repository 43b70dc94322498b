package rest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ntopng-go/ntopng/alerts"
)

func TestAlertTypeConsts(t *testing.T) {
	ts, _ := newTestServer(t, false)
	for _, path := range []string{"/lua/rest/v1/get/alert/type/consts.lua", "/lua/rest/v2/get/alert/type/consts.lua"} {
		status, env := call(t, ts, "GET", path, "application/json", "", true)
		if status != 200 || env.RC != 0 || env.RCStr != "OK" {
			t.Fatalf("%s: %d %s", path, status, env.RCStr)
		}
		var rsp []map[string]any
		if err := json.Unmarshal(env.Rsp, &rsp); err != nil {
			t.Fatalf("%s: %v: %s", path, err, env.Rsp)
		}
		served := alerts.ServedTypes()
		if len(rsp) != len(served) {
			t.Fatalf("%d types, want %d", len(rsp), len(served))
		}
		got := map[string]float64{}
		for _, e := range rsp {
			if len(e) != 2 {
				t.Fatalf("element %v: want exactly type and key", e)
			}
			name, ok1 := e["type"].(string)
			key, ok2 := e["key"].(float64)
			if !ok1 || !ok2 {
				t.Fatalf("element %v: type must be a string, key a number", e)
			}
			got[name] = key
		}
		for name, key := range map[string]float64{
			"alert_flow_blacklisted":             1,
			"host_alert_tcp_syn_flood":           6,
			"alert_dns_data_exfiltration":        6,
			"alert_dropped_alerts":               4099,
			"alert_ndpi_http_suspicious_content": 63,
			"host_alert_tcp_syn_scan":            5,
		} {
			if k, ok := got[name]; !ok || k != key {
				t.Errorf("%s: key %v (present %v), want %v", name, k, ok, key)
			}
		}
	}
	// Integers print without a decimal point.
	_, env := call(t, ts, "GET", "/lua/rest/v1/get/alert/type/consts.lua", "", "", true)
	if !json.Valid(env.Rsp) || bytes.IndexByte(env.Rsp, '.') >= 0 {
		t.Errorf("keys must be integers: %.200s", env.Rsp)
	}
}

func TestAlertSeverityConsts(t *testing.T) {
	ts, _ := newTestServer(t, false)
	status, env := call(t, ts, "POST", "/lua/rest/v1/get/alert/severity/consts.lua", "application/json", "{}", true)
	if status != 200 || env.RCStr != "OK" {
		t.Fatalf("%d %s", status, env.RCStr)
	}
	want := `[{"id":0,"severity":"none"},{"id":1,"severity":"debug"},{"id":2,"severity":"info"},` +
		`{"id":3,"severity":"notice"},{"id":4,"severity":"warning"},{"id":5,"severity":"error"},` +
		`{"id":6,"severity":"critical"},{"id":8,"severity":"emergency"}]`
	var got, exp []map[string]any
	if err := json.Unmarshal(env.Rsp, &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(want), &exp)
	if string(mustJSON(got)) != string(mustJSON(exp)) {
		t.Errorf("got %s\nwant %s", env.Rsp, want)
	}
}
