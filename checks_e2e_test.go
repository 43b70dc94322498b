package main

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/alerts/luacheck"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// TestEndToEndChecksConfig drives the checks configuration endpoints of a
// real process: defaults, enable/disable, refused documents, export →
// reset → import, toggle_all_checks, restart.
func TestEndToEndChecksConfig(t *testing.T) {
	pcap, truth := sampleCapture(t)
	dataDir := t.TempDir()
	p := start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	p.waitRead(t, truth.Frames)

	config := func() map[string]any {
		t.Helper()
		return rspOf(t, p, "/lua/rest/v1/get/checks/config.lua").(map[string]any)
	}
	hook := func(cfg map[string]any, subdir, key, hook string) map[string]any {
		t.Helper()
		c, _ := cfg["0"].(map[string]any)["config"].(map[string]any)[subdir].(map[string]any)[key].(map[string]any)
		h, _ := c[hook].(map[string]any)
		if h == nil {
			t.Fatalf("no %s/%s/%s in %v", subdir, key, hook, c)
		}
		return h
	}

	// A fresh install answers the defaults of the built-in checks and of
	// the check scripts shipped in scripts/checks.
	shipped, err := luacheck.New(luacheck.Options{Dirs: []string{filepath.Join("scripts", "checks")}})
	if err != nil {
		t.Fatal(err)
	}
	defer shipped.Close()
	if len(shipped.Defs()) == 0 {
		t.Fatal("no shipped check script")
	}
	want, err := checks.Defaults(append(checks.Builtin(), shipped.Defs()...)).Document()
	if err != nil {
		t.Fatal(err)
	}
	var wantDoc any
	_ = json.Unmarshal(want, &wantDoc)
	fresh := config()
	if !reflect.DeepEqual(any(fresh), wantDoc) {
		t.Errorf("fresh configuration differs from the defaults")
	}
	if h := hook(fresh, "host", "syn_scan", "min"); h["enabled"] != false {
		t.Errorf("syn_scan enabled by default: %v", h)
	}

	code, env := p.post(t, "/lua/rest/v1/enable/check.lua", `{"check_subdir":"host","script_key":"syn_scan"}`)
	if code != 200 || env["rsp"].(map[string]any)["success"] != true {
		t.Errorf("enable: %d %v", code, env)
	}
	if hook(config(), "host", "syn_scan", "min")["enabled"] != true {
		t.Error("syn_scan not enabled")
	}
	_, env = p.post(t, "/lua/rest/v1/disable/check.lua", `{"check_subdir":"host","script_key":"no_such_check"}`)
	if rsp := env["rsp"].(map[string]any); env["rc_str"] != "OK" || rsp["success"] != false || rsp["error"] != `Unknown user script "no_such_check"` {
		t.Errorf("unknown check: %v", env)
	}

	// Refused documents change nothing.
	before := config()
	for body, rc := range map[string]string{
		`{"check_subdir":"nowhere","script_key":"syn_scan"}`: "INVALID_ARGUMENTS",
		`{"script_key":"syn_scan"}`:                          "INVALID_ARGUMENTS",
	} {
		if _, env := p.post(t, "/lua/rest/v1/enable/check.lua", body); env["rc_str"] != rc {
			t.Errorf("enable %s: %v, want %s", body, env["rc_str"], rc)
		}
	}
	for doc, rc := range map[string]string{
		`not json`:                        "INVALID_ARGUMENTS",
		`{"x":1}`:                         "BAD_CONTENT",
		`{"0":{"id":3,"config":{}}}`:      "INTERNAL_ERROR",
		`{"0":{"config":{"flow":"bad"}}}`: "BAD_CONTENT",
	} {
		body, _ := json.Marshal(map[string]string{"JSON": doc})
		if _, env := p.post(t, "/lua/rest/v1/set/checks/config.lua", string(body)); env["rc_str"] != rc {
			t.Errorf("set %s: %v, want %s", doc, env["rc_str"], rc)
		}
	}
	if !reflect.DeepEqual(config(), before) {
		t.Error("a refused change changed the configuration")
	}
	if code, _ := p.request(t, "GET", "/lua/rest/v1/get/checks/config.lua", "", "nobody", "x"); code != 401 {
		t.Errorf("unauthenticated read: %d", code)
	}

	// Export → reset → import gives the configuration back.
	exported := p.raw(t, "GET", "/lua/rest/v1/export/checks/config.lua?download=1", "", "", "admin", "admin")
	if exported.status != 200 || exported.header.Get("Content-Disposition") == "" {
		t.Fatalf("export: %d %v", exported.status, exported.header)
	}
	if _, env := p.post(t, "/lua/rest/v1/reset/checks/config.lua", ""); env["rc_str"] != "OK" {
		t.Fatalf("reset: %v", env)
	}
	if hook(config(), "host", "syn_scan", "min")["enabled"] != false {
		t.Error("reset kept syn_scan enabled")
	}
	a := p.raw(t, "POST", "/lua/rest/v1/import/checks/config.lua", "application/x-www-form-urlencoded",
		"JSON="+url.QueryEscape(string(exported.body)), "admin", "admin")
	if env := a.env(t); env["rc_str"] != "OK" {
		t.Fatalf("import: %v", env)
	}
	imported := config()
	if hook(imported, "host", "syn_scan", "min")["enabled"] != true {
		t.Error("import did not restore syn_scan")
	}
	// The first import gives the set its id 0, as in ntopng.
	delete(imported["0"].(map[string]any), "id")
	delete(before["0"].(map[string]any), "id")
	if !reflect.DeepEqual(imported, before) {
		t.Error("export → reset → import changed the configuration")
	}

	// toggle_all_checks switches every check, and answers an empty body.
	tg := p.raw(t, "POST", "/lua/toggle_all_checks.lua", "application/json", `{"ifid":0,"action":"enable"}`, "admin", "admin")
	if tg.status != 200 || len(tg.body) != 0 {
		t.Errorf("toggle_all_checks: %d %q", tg.status, tg.body)
	}
	if hook(config(), "flow", "custom_lua_script", "all")["enabled"] != true {
		t.Error("toggle_all_checks did not enable custom_lua_script")
	}

	// Restart on the same data directory: the configuration is kept.
	after := config()
	p = start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	p.waitRead(t, truth.Frames)
	if !reflect.DeepEqual(config(), after) {
		t.Error("the configuration changed across a restart")
	}
}
