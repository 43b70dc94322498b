package luacheck

import (
	"strings"
	"testing"
	"time"
)

func TestBudgetExceeded(t *testing.T) {
	for _, tc := range []struct {
		name, body string
	}{
		{"endless loop", "while true do end"},
		{"loop that catches errors", "while true do pcall(function() while true do end end) end"},
		{"error handler that loops", "xpcall(function() error('x') end, function() while true do end end) while true do end"},
		{"deep recursion in a loop", "local function f(n) if n > 0 then return f(n - 1) end return 0 end while true do f(100) end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				"flow/loop.lua": checkScript(tc.body),
				"flow/fine.lua": checkScript(`flow.triggerAlert(1, "fine")`),
			}, func(o *Options) { o.Budget = 250 * time.Millisecond; o.DisableFor = time.Minute })
			enabled := on("all", "flow/loop", "flow/fine").enabled
			start := time.Now()
			got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled)
			// Generous bound: the point is that the call returns at all.
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("the call took %v", d)
			}
			if len(got) != 1 || got[0].Check != "fine" {
				t.Errorf("alerts %+v: the other script must still run", got)
			}
			p := f.expectProblem(KindBudget, "stopped after its budget of 250ms: hook protocolDetected")
			if p.Key != "loop" || !p.DisabledUntil.Equal(f.r.opts.Now().Add(time.Minute)) {
				t.Errorf("problem %+v", p)
			}

			// Disabled: not run, nothing reported.
			f.advance(59 * time.Second)
			if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); len(got) != 1 {
				t.Errorf("alerts %+v", got)
			}
			f.expectNoProblem()

			// Retried once the time is up: re-enabled, stopped again.
			f.advance(time.Second)
			f.r.RunFlow("protocolDetected", dnsFlow(), enabled)
			ps := f.takeProblems()
			if len(ps) != 2 || ps[0].Kind != KindReenabled || ps[1].Kind != KindBudget {
				t.Fatalf("problems %+v", ps)
			}
		})
	}
}

// TestBudgetThenEdit: fixing a disabled script runs the new version at
// once.
func TestBudgetThenEdit(t *testing.T) {
	f := newFixture(t, map[string]string{"flow/loop.lua": checkScript("while true do end")},
		func(o *Options) { o.Budget = 20 * time.Millisecond })
	enabled := on("all", "flow/loop").enabled
	f.r.RunFlow("protocolDetected", dnsFlow(), enabled)
	f.expectProblem(KindBudget, "budget")
	f.write("flow/loop.lua", checkScript(`flow.triggerAlert(1, "fixed")`))
	f.r.Reload()
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); len(got) != 1 || got[0].Message != "fixed" {
		t.Errorf("alerts %+v", got)
	}
	f.expectNoProblem()
}

func TestRuntimeErrors(t *testing.T) {
	f := newFixture(t, map[string]string{
		// Fails on DNS flows only.
		"flow/picky.lua": checkScript(`if flow.srv_port() == 53 then local t = nil; return t.x end`),
		"flow/fine.lua":  checkScript(`flow.triggerAlert(1, "fine")`),
	}, func(o *Options) { o.DisableFor = 10 * time.Minute })
	enabled := on("all", "flow/picky", "flow/fine").enabled
	dns := func() {
		t.Helper()
		if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); len(got) != 1 || got[0].Check != "fine" {
			t.Fatalf("alerts %+v: a failing script must not affect the others", got)
		}
	}

	// The first failure is reported with the place of the error.
	dns()
	p := f.expectProblem(KindRuntime, "picky.lua:2: attempt to index a non-table object(nil)")
	if !p.DisabledUntil.IsZero() || !strings.HasPrefix(p.Message, "hook protocolDetected: ") {
		t.Errorf("problem %+v", p)
	}
	// A second one within the minute is counted, not reported.
	dns()
	f.expectNoProblem()
	// A success resets the count of failures in a row.
	f.r.RunFlow("protocolDetected", httpFlow(), enabled)
	dns()
	dns()
	f.expectNoProblem()
	// The third failure in a row disables the script, and says so.
	dns()
	p = f.expectProblem(KindRuntime, "(3 failures in a row) (and 3 more errors since the last report)")
	if !p.DisabledUntil.Equal(f.r.opts.Now().Add(10 * time.Minute)) {
		t.Errorf("disabled until %v", p.DisabledUntil)
	}
	dns()
	f.expectNoProblem()

	f.advance(10 * time.Minute)
	dns()
	ps := f.takeProblems()
	if len(ps) != 2 || ps[0].Kind != KindReenabled || ps[1].Kind != KindRuntime {
		t.Errorf("problems %+v", ps)
	}
}

// TestErrorsInsideTheCall: errors raised by the objects' functions are
// runtime errors of the script.
func TestErrorsInsideTheCall(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`flow.triggerAlert("high", "x")`, "bad argument #1 to triggerAlert"},
		{`flow.triggerAlert(-1, "x")`, "the score must be a number >= 0"},
		{`flow.triggerAlert(1, {})`, "bad argument #2 to triggerAlert"},
		{`flow.triggerAlert(1, "x", { f = print })`, "a function cannot be converted"},
		{`flow.triggerAlert(1, "x", { 1, 2 })`, "params must be a table with string keys"},
		{`error({})`, "table"},
		{`flow.cli = nil`, "flow is read-only"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			f := newFixture(t, map[string]string{"flow/bad.lua": checkScript(tc.body)}, nil)
			if got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/bad").enabled); got != nil {
				t.Errorf("alerts %+v", got)
			}
			f.expectProblem(KindRuntime, tc.want)
		})
	}
}

func TestTriggerAlertLimits(t *testing.T) {
	f := newFixture(t, map[string]string{"flow/lim.lua": checkScript(`
		flow.triggerAlert(5, "first")
		flow.triggerAlert(1e9, string.rep("é", 2000), { n = 1, s = "x", b = true, t = { 1, 2 }, e = {} })`)}, nil)
	got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/lim").enabled)
	f.expectNoProblem()
	if len(got) != 1 {
		t.Fatalf("alerts %+v", got)
	}
	r := got[0]
	if r.Score != 65535 || len(r.Message) != 2048 || !strings.HasSuffix(r.Message, "é") {
		t.Errorf("score %d, message of %d bytes", r.Score, len(r.Message))
	}
	if r.Params["n"] != float64(1) || r.Params["s"] != "x" || r.Params["b"] != true || len(r.Params["t"].([]any)) != 2 || len(r.Params["e"].([]any)) != 0 {
		t.Errorf("params %#v", r.Params)
	}
}

// TestStuckCall: a call stuck inside one library function (a pattern that
// backtracks for seconds; the budget cannot interrupt Go code) is
// abandoned; the script stays disabled until its file changes, and the
// other scripts keep running.
func TestStuckCall(t *testing.T) {
	f := newFixture(t, map[string]string{
		"flow/stuck.lua": checkScript(`local s = ("a"):rep(150) s:find("a*a*a*b")`),
		"flow/fine.lua":  checkScript(`flow.triggerAlert(1, "fine")`),
	}, func(o *Options) { o.Budget = 10 * time.Millisecond })
	f.r.stuckAfter = 100 * time.Millisecond
	enabled := on("all", "flow/stuck", "flow/fine").enabled
	for i := range 3 {
		got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled)
		if len(got) != 1 || got[0].Check != "fine" {
			t.Errorf("run %d: %+v", i, got)
		}
	}
	p := f.expectProblem(KindStuck, "hook protocolDetected: stuck in one library call for over 100ms")
	if p.Key != "stuck" || !p.DisabledUntil.IsZero() {
		t.Errorf("problem %+v", p)
	}
	f.advance(time.Hour)
	f.r.RunFlow("protocolDetected", dnsFlow(), enabled)
	f.expectNoProblem()

	f.write("flow/stuck.lua", checkScript(`flow.triggerAlert(2, "fixed")`))
	f.r.Reload()
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); len(got) != 2 {
		t.Errorf("after the fix: %+v", got)
	}
	f.expectNoProblem()
}

// TestStuckTopLevel: a top level that gets stuck is a load problem.
func TestStuckTopLevel(t *testing.T) {
	f := newFixture(t, nil, func(o *Options) { o.Budget = 10 * time.Millisecond })
	f.r.stuckAfter = 100 * time.Millisecond
	f.write("flow/stuck.lua", `local s = ("a"):rep(150) s:find("a*a*a*b") return { hooks = { flowEnd = function() end } }`)
	f.r.Reload()
	f.expectProblem(KindCompile, "its top level got stuck in one library call for over 100ms")
	if len(f.r.Defs()) != 0 {
		t.Errorf("defs %+v", f.r.Defs())
	}
}
