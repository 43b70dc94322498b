package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/probe/synth"
)

// userChecks are the scripts TestEndToEndLuaChecks puts in the data
// directory before the program starts: one that works, one that always
// fails, one that never ends and one that does not compile.
var userChecks = map[string]string{
	"flow/dns_seen.lua": `
return {
   title = "DNS query seen",
   description = "Every DNS query (test)",
   category = "network",
   default_enabled = true,
   hooks = {
      protocolDetected = function(flow, conf)
         local dns = flow.dns()
         if dns ~= nil and dns["protos.dns.last_query"] ~= nil then
            flow.triggerAlert(77, "dns query " .. dns["protos.dns.last_query"], { query = dns["protos.dns.last_query"] })
         end
      end,
   },
}`,
	"flow/always_fails.lua": `
return {
   title = "Always fails", description = "Raises an error on every flow", default_enabled = true,
   hooks = { protocolDetected = function(flow, conf) error("deliberate failure") end },
}`,
	"flow/endless.lua": `
return {
   title = "Endless", description = "Never returns", default_enabled = true,
   hooks = { protocolDetected = function(flow, conf) while true do end end },
}`,
	"flow/no_compile.lua": `return { title = "Broken"`,
}

// TestEndToEndLuaChecks runs user Lua checks in a real process: a check
// script in the data directory raises alerts that the REST alert list
// shows; a failing, an endless and an uncompilable script are reported
// as system alerts and disabled while the capture is read completely; a
// script added while the program runs is loaded without a restart.
func TestEndToEndLuaChecks(t *testing.T) {
	pcap, truth := sampleCapture(t)
	dataDir := t.TempDir()
	for name, src := range userChecks {
		path := filepath.Join(dataDir, "checks", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dnsFlows := 0
	for _, f := range truth.Flows {
		if f.Proto == "UDP" && f.ServerPort == 53 {
			dnsFlows++
		}
	}
	p := start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	// Every packet is read although three of the scripts misbehave.
	p.waitRead(t, truth.Frames)

	const span = "epoch_begin=1&epoch_end=4000000000"
	records := func(path string) []map[string]any {
		t.Helper()
		code, env := p.get(t, path, "admin", "admin")
		if code != 200 {
			t.Fatalf("%s: HTTP %d %v", path, code, env)
		}
		list, _ := env["rsp"].(map[string]any)["records"].([]any)
		out := make([]map[string]any, len(list))
		for i, r := range list {
			out[i] = r.(map[string]any)
		}
		return out
	}
	// poll waits until records of path satisfy ok (the engine checks the
	// flows after the capture goroutine has counted their packets).
	poll := func(path string, ok func([]map[string]any) bool) []map[string]any {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			recs := records(path)
			if ok(recs) || time.Now().After(deadline) {
				return recs
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// The working check: one alert per DNS flow of the capture, of type
	// alert_custom_lua_script with the script's score and message.
	dnsAlerts := poll("/lua/rest/v1/get/flow/alert/list.lua?ifid=0&alert_id=87&length=100&"+span,
		func(r []map[string]any) bool { return len(r) >= dnsFlows })
	if len(dnsAlerts) != dnsFlows || dnsFlows == 0 {
		t.Errorf("%d alerts of the dns_seen check, want one per DNS query (%d)", len(dnsAlerts), dnsFlows)
	}
	for _, r := range dnsAlerts {
		if score, _ := r["score"].(map[string]any); score["value"] != 77.0 {
			t.Errorf("score: %v", r["score"])
		}
		if d, _ := r["description"].(map[string]any); !strings.HasPrefix(fmt.Sprint(d["descr"]), "dns query www.") {
			t.Errorf("message: %v", r["description"])
		}
	}

	// The broken scripts: each one reported as a system alert naming it.
	wantProblems := map[string]string{
		"flow/always_fails": "deliberate failure",
		"flow/endless":      "budget",
		"flow/no_compile":   "compile",
	}
	sys := poll("/lua/rest/v1/get/system/alert/list.lua?length=100&"+span, func(r []map[string]any) bool {
		return len(r) >= len(wantProblems)
	})
	for check, want := range wantProblems {
		found := false
		for _, r := range sys {
			msg, _ := r["description"].(string)
			found = found || strings.Contains(msg, check) && strings.Contains(msg, want)
		}
		if !found {
			t.Errorf("no system alert for %s mentioning %q in %v", check, want, sys)
		}
	}
	if !strings.Contains(p.out.String(), "flow/always_fails") {
		t.Error("the failing script is not in the log")
	}

	// The configuration lists the loaded scripts (not the one that does
	// not compile), enabled as their metadata says.
	cfg := rspOf(t, p, "/lua/rest/v1/get/checks/config.lua").(map[string]any)
	flowChecks := cfg["0"].(map[string]any)["config"].(map[string]any)["flow"].(map[string]any)
	for _, key := range []string{"dns_seen", "always_fails", "endless"} {
		// Flow checks have one hook in the configuration, "all".
		h, _ := flowChecks[key].(map[string]any)["all"].(map[string]any)
		if h["enabled"] != true {
			t.Errorf("%s: %v", key, flowChecks[key])
		}
	}
	if _, ok := flowChecks["no_compile"]; ok {
		t.Error("a script that does not compile is in the configuration")
	}

	// Hot reload: a script saved now shows up without a restart.
	late := filepath.Join(dataDir, "checks", "host", "late_check.lua")
	if err := os.WriteFile(late, []byte(`return { title = "Late", description = "Added at run time",
		hooks = { min = function(host, conf) end } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cfg := rspOf(t, p, "/lua/rest/v1/get/checks/config.lua").(map[string]any)
		hosts := cfg["0"].(map[string]any)["config"].(map[string]any)["host"].(map[string]any)
		if _, ok := hosts["late_check"]; ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a script added at run time was not loaded")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
