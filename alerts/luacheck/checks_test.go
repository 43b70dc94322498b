package luacheck

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/checks"
)

const flowCheck = `
-- A flow check with every metadata field.
local function big(flow, limit)
   return flow.bytes() > limit
end

return {
   key = "big_flow",
   title = "Big flow",
   description = "A flow moved more bytes than the threshold",
   category = "network",
   alert_type = "alert_flow_blacklisted",
   default_enabled = false,
   default_value = { operator = "gt", threshold = 1000, items = { "a", "b" } },
   input_builder = "threshold_cross",
   hooks = {
      periodicUpdate = function(flow, conf)
         if big(flow, conf.threshold) then
            flow.triggerAlert(70, "periodic " .. flow.bytes() .. " > " .. conf.threshold, { bytes = flow.bytes(), items = conf.items })
         end
      end,
      flowEnd = function(flow, conf)
         flow.triggerAlert(10, "end")
      end,
   },
}
`

const hostCheck = `
return {
   title = "Chatty host",
   hooks = {
      min = function(host, conf)
         if host.bytes() > (conf.threshold or 0) then
            host.triggerAlert(40, "min " .. host.ip())
         end
      end,
      ["5mins"] = function(host, conf)
         host.triggerAlert(41, "5mins " .. host.ip())
      end,
   },
}
`

const ifaceCheck = `
return {
   description = "Drops above 5%",
   category = "internals",
   alert_type = "alert_too_many_drops",
   hooks = {
      min = function(ifc, conf)
         if ifc.drops() * 100 > ifc.packets() * 5 then
            ifc.triggerAlert(100, ifc.name() .. " drops " .. ifc.drops())
         end
      end,
   },
}
`

func TestCheckScriptDefs(t *testing.T) {
	f := newFixture(t, map[string]string{
		"flow/big_flow.lua":         flowCheck,
		"host/chatty.lua":           hostCheck,
		"interface/drops_check.lua": ifaceCheck,
	}, nil)
	f.expectNoProblem()
	want := []checks.Def{
		{Subdir: "flow", Key: "big_flow", Edition: checks.Community, Listed: true, Hooks: []string{"all"}, Enabled: false,
			Conf:    `{"items":["a","b"],"operator":"gt","threshold":1000}`,
			AlertID: 1, AlertFamily: "flow", Category: "network", Input: "threshold_cross",
			Description: "A flow moved more bytes than the threshold", Title: "Big flow", Script: f.user + "/flow/big_flow.lua"},
		{Subdir: "host", Key: "chatty", Edition: checks.Community, Listed: true, Hooks: []string{"5mins", "min"}, Enabled: true,
			Conf: `[]`, AlertID: 24, AlertFamily: "host", Category: "security", Title: "Chatty host", Script: f.user + "/host/chatty.lua"},
		{Subdir: "interface", Key: "drops_check", Edition: checks.Community, Listed: true, Hooks: []string{"min"}, Enabled: true,
			Conf: `[]`, AlertID: 4137, AlertFamily: "other", Category: "internals", Description: "Drops above 5%", Script: f.user + "/interface/drops_check.lua"},
	}
	if got := f.r.Defs(); !reflect.DeepEqual(got, want) {
		t.Errorf("defs\n got %+v\nwant %+v", got, want)
	}
	// The definitions are valid for the checks configuration.
	cfg := checks.Defaults(append(checks.Builtin(), f.r.Defs()...))
	if hooks, conf := cfg.Enabled("host", "chatty"); !reflect.DeepEqual(hooks, []string{"5mins", "min"}) || string(conf) != "[]" {
		t.Errorf("host/chatty in the defaults: %v %s", hooks, conf)
	}
}

func TestCheckScriptsRun(t *testing.T) {
	f := newFixture(t, map[string]string{
		"flow/big_flow.lua":         flowCheck,
		"host/chatty.lua":           hostCheck,
		"interface/drops_check.lua": ifaceCheck,
	}, nil)
	f.expectNoProblem()
	flowOn := config{"flow/big_flow": {hooks: []string{"all"}, conf: `{"threshold":200,"items":["x"]}`}}
	bigParams := map[string]any{"bytes": float64(220), "items": []any{"x"}}
	iv := &alerts.InterfaceView{IfID: 1, Name: "eth0", Packets: 1000, Drops: 80}

	for _, tc := range []struct {
		name string
		run  func() []alerts.Raised
		want []alerts.Raised
	}{
		{"flow hook with its script_conf", func() []alerts.Raised { return f.r.RunFlow("periodicUpdate", dnsFlow(), flowOn.enabled) },
			[]alerts.Raised{{Subdir: "flow", Check: "big_flow", Type: 1, Score: 70, Message: "periodic 220 > 200", Params: bigParams}}},
		{"conf decides", func() []alerts.Raised {
			return f.r.RunFlow("periodicUpdate", dnsFlow(), config{"flow/big_flow": {hooks: []string{"all"}, conf: `{"threshold":5000}`}}.enabled)
		}, nil},
		{"another flow hook", func() []alerts.Raised { return f.r.RunFlow("flowEnd", dnsFlow(), flowOn.enabled) },
			[]alerts.Raised{{Subdir: "flow", Check: "big_flow", Type: 1, Score: 10, Message: "end"}}},
		{"hook the script lacks", func() []alerts.Raised { return f.r.RunFlow("protocolDetected", dnsFlow(), flowOn.enabled) }, nil},
		{"flow check disabled", func() []alerts.Raised { return f.r.RunFlow("periodicUpdate", dnsFlow(), config{}.enabled) }, nil},
		{"no configuration", func() []alerts.Raised { return f.r.RunFlow("periodicUpdate", dnsFlow(), nil) }, nil},
		{"host min", func() []alerts.Raised { return f.r.RunHost("min", aHost(), on("min", "host/chatty").enabled) },
			[]alerts.Raised{{Subdir: "host", Check: "chatty", Type: 24, Score: 40, Message: "min 192.168.1.10"}}},
		{"host conf", func() []alerts.Raised {
			return f.r.RunHost("min", aHost(), config{"host/chatty": {hooks: []string{"min"}, conf: `{"threshold":1e9}`}}.enabled)
		}, nil},
		{"host 5mins", func() []alerts.Raised { return f.r.RunHost("5mins", aHost(), on("5mins", "host/chatty").enabled) },
			[]alerts.Raised{{Subdir: "host", Check: "chatty", Type: 24, Score: 41, Message: "5mins 192.168.1.10"}}},
		{"host hook disabled", func() []alerts.Raised { return f.r.RunHost("5mins", aHost(), on("min", "host/chatty").enabled) }, nil},
		{"interface", func() []alerts.Raised { return f.r.RunInterface("min", iv, on("min", "interface/drops_check").enabled) },
			[]alerts.Raised{{Subdir: "interface", Check: "drops_check", Type: 4137, Score: 100, Message: "eth0 drops 80"}}},
		{"interface disabled", func() []alerts.Raised { return f.r.RunInterface("min", iv, config{}.enabled) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			f.expectNoProblem()
		})
	}
}

// TestInvalidScripts: a script that does not compile or whose metadata is
// wrong is reported and not loaded; the others load.
func TestInvalidScripts(t *testing.T) {
	for _, tc := range []struct {
		file, src, want string
	}{
		{"flow/syntax.lua", "return {", "syntax.lua"},
		{"flow/no_meta.lua", "return(0)", "must return its metadata table, not a number (a reference script without metadata belongs in flows/custom_flow_lua_script.lua)"},
		{"flow/typo.lua", `return { hook = {} }`, `unknown metadata field hook`},
		{"flow/no_hooks.lua", `return { title = "x" }`, "hooks must be a table of functions"},
		{"flow/empty_hooks.lua", `return { hooks = {} }`, "no hook"},
		{"flow/bad_hook.lua", `return { hooks = { min = function() end } }`, "unknown flow hook min"},
		{"host/bad_hook.lua", `return { hooks = { protocolDetected = function() end } }`, "unknown host hook protocolDetected"},
		{"flow/not_fn.lua", `return { hooks = { flowEnd = 3 } }`, "hook flowEnd must be a function"},
		{"flow/other_key.lua", `return { key = "another", hooks = { flowEnd = function() end } }`, `key "another" differs from the file name`},
		{"flow/low_goodput.lua", `return { hooks = { flowEnd = function() end } }`, `key "low_goodput" is the key of a built-in flow check`},
		{"flow/custom_lua_script.lua", `return { hooks = { flowEnd = function() end } }`, `built-in flow check`},
		{"host/syn_scan.lua", `return { hooks = { min = function() end } }`, `built-in host check`},
		{"flow/Bad-Name.lua", `return { hooks = { flowEnd = function() end } }`, "not a valid check key"},
		{"flow/wrong_family.lua", `return { alert_type = "host_alert_custom_lua_script", hooks = { flowEnd = function() end } }`, "is a host alert: a flow check raises flow alerts"},
		{"flow/unknown_type.lua", `return { alert_type = "alert_nonsense", hooks = { flowEnd = function() end } }`, "unknown alert type"},
		{"host/unknown_key.lua", `return { alert_type = 9999, hooks = { min = function() end } }`, "unknown alert type 9999"},
		{"flow/category.lua", `return { category = "fun", hooks = { flowEnd = function() end } }`, `unknown category "fun"`},
		{"flow/enabled.lua", `return { default_enabled = "yes", hooks = { flowEnd = function() end } }`, "default_enabled must be a boolean"},
		{"flow/conf.lua", `return { default_value = { f = function() end }, hooks = { flowEnd = function() end } }`, "default_value: a function cannot be converted"},
		{"flow/input.lua", `return { input_builder = "slider", hooks = { flowEnd = function() end } }`, `unknown input_builder "slider"`},
		{"flow/top_error.lua", `error("cannot start")`, "cannot start"},
		{"flow/top_loop.lua", `while true do end`, "top level ran past the budget"},
		{"flow/bytecode.lua", "\x1bLuaQ\x00\x01", "precompiled Lua is not accepted"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				tc.file:         tc.src,
				"flow/fine.lua": `return { hooks = { flowEnd = function(flow) flow.triggerAlert(1, "fine") end } }`,
			}, func(o *Options) { o.Budget = 250 * time.Millisecond }) // top_loop: stopped quickly
			p := f.expectProblem(KindCompile, tc.want)
			if p.Path != f.user+"/"+tc.file || p.Subdir != strings.Split(tc.file, "/")[0] {
				t.Errorf("problem %+v", p)
			}
			defs := f.r.Defs()
			if len(defs) != 1 || defs[0].Key != "fine" {
				t.Errorf("defs %+v", defs)
			}
			got := f.r.RunFlow("flowEnd", dnsFlow(), config{"flow/fine": {hooks: []string{"all"}}, "flow/" + strings.TrimSuffix(strings.TrimPrefix(tc.file, "flow/"), ".lua"): {hooks: []string{"all"}}}.enabled)
			if len(got) != 1 || got[0].Check != "fine" {
				t.Errorf("ran %+v", got)
			}
			// Reported once per version of the file.
			if f.r.Reload() {
				t.Error("a reload without changes changed something")
			}
			f.expectNoProblem()
		})
	}
}

// TestActive: Active answers whether an enabled script runs on a hook of
// an entity, so that the engine skips host walks nobody needs.
func TestActive(t *testing.T) {
	f := newFixture(t, map[string]string{
		"host/every_min.lua": `return { title = "t", description = "d", hooks = { min = function(host, conf) end } }`,
	}, nil)
	f.expectNoProblem()
	on := config{"host/every_min": {hooks: []string{"min"}}}.enabled
	off := config{}.enabled
	for _, c := range []struct {
		subdir, hook string
		cfg          Enabled
		want         bool
	}{
		{SubdirHost, "min", on, true},
		{SubdirHost, "5mins", on, false},
		{SubdirHost, "min", off, false},
		{SubdirFlow, "protocolDetected", on, false},
		{SubdirInterface, "min", on, false},
		{SubdirHost, "min", nil, false},
	} {
		if got := f.r.Active(c.subdir, c.hook, c.cfg); got != c.want {
			t.Errorf("Active(%s, %s) = %v, want %v", c.subdir, c.hook, got, c.want)
		}
	}
	if !f.r.Configured(on).Active(SubdirHost, "min") {
		t.Error("Configured.Active does not use its configuration")
	}
}
