package luacheck

import (
	"strings"
	"testing"
)

// messages runs the flow hook with the given checks enabled and returns
// the messages raised.
func messages(f *fixture, ids ...string) []string {
	var out []string
	for _, r := range f.r.RunFlow("flowEnd", dnsFlow(), on("all", ids...).enabled) {
		out = append(out, r.Check+":"+r.Message)
	}
	return out
}

func flowEndScript(msg string) string {
	return `return { hooks = { flowEnd = function(flow) flow.triggerAlert(1, "` + msg + `") end } }`
}

func TestHotReload(t *testing.T) {
	f := newFixture(t, map[string]string{"flow/a.lua": flowEndScript("v1")}, nil)
	f.expectNoProblem()
	check := func(step string, want ...string) {
		t.Helper()
		if got := messages(f, "flow/a", "flow/b"); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %q, want %q", step, got, want)
		}
	}
	check("start", "a:v1")
	if f.r.Reload() {
		t.Error("reload without changes reported a change")
	}

	f.write("flow/a.lua", flowEndScript("v2"))
	if !f.r.Reload() {
		t.Error("edit not seen")
	}
	f.expectNoProblem()
	check("edited", "a:v2")

	// A broken edit is reported once; the previous version keeps running.
	f.write("flow/a.lua", `return { hooks = { flowEnd = function(flow) flow.triggerAlert(1, "v3" end } }`)
	if f.r.Reload() {
		t.Error("a failed edit changed the loaded scripts")
	}
	p := f.expectProblem(KindCompile, "the previous version keeps running")
	if p.Key != "a" || !strings.HasSuffix(p.Path, "/flow/a.lua") {
		t.Errorf("problem %+v", p)
	}
	check("broken edit", "a:v2")
	f.r.Reload()
	f.expectNoProblem()

	// Fixed again.
	f.write("flow/a.lua", flowEndScript("v4"))
	f.r.Reload()
	f.expectNoProblem()
	check("fixed", "a:v4")

	// A new file is picked up; its definition appears.
	f.write("flow/b.lua", flowEndScript("b1"))
	if !f.r.Reload() {
		t.Error("new file not seen")
	}
	check("new file", "a:v4", "b:b1")
	if defs := f.r.Defs(); len(defs) != 2 || defs[1].Key != "b" {
		t.Errorf("defs %+v", defs)
	}

	// A deleted file is gone.
	f.remove("flow/a.lua")
	if !f.r.Reload() {
		t.Error("deletion not seen")
	}
	check("deleted", "b:b1")
	if defs := f.r.Defs(); len(defs) != 1 || defs[0].Key != "b" {
		t.Errorf("defs %+v", defs)
	}
	f.expectNoProblem()
}

// TestUserFolderWins: a user script replaces the shipped one of the same
// key, and removing it brings the shipped one back.
func TestUserFolderWins(t *testing.T) {
	f := newFixture(t, map[string]string{
		"shipped:flow/a.lua":                        flowEndScript("shipped"),
		"shipped:flows/custom_flow_lua_script.lua":  `flow.triggerAlert(1, "shipped ref") return(0)`,
		"flow/a.lua":                                flowEndScript("user"),
		"flows/custom_flow_lua_script.lua":          `flow.triggerAlert(1, "user ref") return(0)`,
		"shipped:hosts/custom_host_lua_script.lua":  `return(0)`,
		"shipped:interface/not_a_check_script.txt":  `ignored`,
		"shipped:flow/.hidden.lua":                  `ignored`,
		"shipped:interface/iface_only_shipped.lua":  `return { hooks = { min = function() end } }`,
		"shipped:host/host_only_shipped_check.lua":  `return { hooks = { ["5mins"] = function() end } }`,
		"shipped:flow/flow_only_shipped_check.lua":  flowEndScript("shipped only"),
		"shipped:flow/zz_disabled_for_the_test.lua": flowEndScript("never enabled"),
	}, nil)
	f.expectNoProblem()
	if got := messages(f, "flow/a", "flow/flow_only_shipped_check"); strings.Join(got, ",") != "a:user,flow_only_shipped_check:shipped only" {
		t.Errorf("got %q", got)
	}
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/custom_lua_script").enabled); len(got) != 1 || got[0].Message != "user ref" {
		t.Errorf("reference: %+v", got)
	}
	var keys []string
	for _, d := range f.r.Defs() {
		keys = append(keys, d.Subdir+"/"+d.Key)
	}
	if strings.Join(keys, " ") != "flow/a flow/flow_only_shipped_check flow/zz_disabled_for_the_test host/host_only_shipped_check interface/iface_only_shipped" {
		t.Errorf("defs %v", keys)
	}

	f.remove("flow/a.lua")
	f.remove("flows/custom_flow_lua_script.lua")
	if !f.r.Reload() {
		t.Error("removal not seen")
	}
	if got := messages(f, "flow/a"); strings.Join(got, ",") != "a:shipped" {
		t.Errorf("after removal: %q", got)
	}
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/custom_lua_script").enabled); len(got) != 1 || got[0].Message != "shipped ref" {
		t.Errorf("reference after removal: %+v", got)
	}
}
