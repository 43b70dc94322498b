package luacheck

import (
	"strings"
	"testing"
)

// eval runs expr in a flow check and returns the message of the alert it
// raises with tostring(expr), or the problem it caused.
func eval(t *testing.T, expr string) (string, []Problem) {
	t.Helper()
	f := newFixture(t, map[string]string{"flow/probe.lua": checkScript("flow.triggerAlert(1, tostring(" + expr + "))")}, nil)
	f.expectNoProblem()
	got := f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/probe").enabled)
	if len(got) == 1 {
		return got[0].Message, f.takeProblems()
	}
	return "", f.takeProblems()
}

func TestSandboxAbsent(t *testing.T) {
	for _, name := range []string{
		"os.execute", "os.exit", "os.remove", "os.rename", "os.getenv", "os.tmpname", "os.setlocale",
		"io.open", "io.popen", "io.read", "io.lines", "io.output", "io.input", "io.stdout",
		"require", "module", "package", "dofile", "loadfile", "load", "loadstring",
		"getfenv", "setfenv", "_G", "debug", "coroutine", "collectgarbage", "newproxy", "_printregs",
		"string.dump", "math.randomseed", "channel",
	} {
		t.Run(name, func(t *testing.T) {
			if got, ps := eval(t, "type("+name+")"); got != "nil" {
				t.Errorf("%s is %q (%v)", name, got, ps)
			}
		})
	}
}

func TestSandboxAvailable(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"string.format('%05.1f|%s', 3.14159, 'x')", "003.1|x"},
		{"('abc'):upper()", "ABC"},
		{"string.gsub('a.b.c', '%.', '/')", "a/b/c"},
		{"table.concat({1, 2, 3}, ',')", "1,2,3"},
		{"math.floor(7.9) + math.max(1, 2)", "9"},
		{"type(os.time())", "number"},
		{"os.date('!%Y-%m-%d', 0)", "1970-01-01"},
		{"type(os.clock())", "number"},
		{"select('#', 1, 2, 3)", "3"},
		{"pcall(error, 'x')", "false"},
		{"bit.band(0xff, 0x0f)", "15"},
		{"bit.bor(1, 2, 4)", "7"},
		{"bit.bxor(5, 3)", "6"},
		{"bit.lshift(1, 4)", "16"},
		{"bit.lshift(1, 31)", "-2147483648"},
		{"bit.rshift(-1, 28)", "15"},
		{"bit.arshift(-16, 2)", "-4"},
		{"bit.bnot(0)", "-1"},
		{"bit.tobit(2^32 + 5)", "5"},
		{"getmetatable('x')", "nil"},
		{"getmetatable(string)", "false"},
		{"getmetatable(setmetatable({}, {__metatable = 'mine'}))", "mine"},
		{"rawget(setmetatable({}, {__index = {a = 1}}), 'a')", "nil"},
		{"rawset({}, 'a', 1).a", "1"},
		{"_VERSION", "Lua 5.1"},
		{"#string.rep('ab', 3)", "6"},
		// string.gsub is this package's (linear) one: Lua 5.1 semantics.
		{"string.gsub('hello world', 'o', '0')", "hell0 w0rld"},
		{"select(2, string.gsub('hello world', 'o', '0'))", "2"},
		{"string.gsub('hello world', 'o', '0', 1)", "hell0 world"},
		{"string.gsub('hello world', '(%w+) (%w+)', '%2 %1')", "world hello"},
		{"string.gsub('abc', '%w', '%0%0')", "aabbcc"},
		{"string.gsub('abc', '%w', '%1-')", "a-b-c-"},
		{"string.gsub('50%', '%%', '%% pct')", "50% pct"},
		{"string.gsub('$name is $age', '%$(%w+)', {name = 'bob', age = 7})", "bob is 7"},
		{"string.gsub('$name $x', '%$(%w+)', {name = 'bob'})", "bob $x"},
		{"string.gsub('a,b', '%w', function(c) return c:upper() end)", "A,B"},
		{"string.gsub('a,b', '%w', function(c) if c == 'a' then return false end return 1 end)", "a,1"},
		{"string.gsub('abc', '()b', '%1')", "a2c"},
		{"string.gsub('abc', '', '-')", "-a-b-c-"},
		{"string.gsub('abc', 'x', 'y')", "abc"},
		{"('x'):rep(3)", "xxx"},
		{"select('#', unpack({1, 2, 3}))", "3"},
		{"select('#', unpack({}, 1, 8000))", "8000"},
		{"('abc'):byte(-1)", "99"},
		{"select('#', ('x'):rep(9000):byte(1000, 2000))", "1001"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			if got, ps := eval(t, tc.expr); got != tc.want {
				t.Errorf("got %q, want %q (%v)", got, tc.want, ps)
			}
		})
	}
}

// TestSandboxRefuses: what a script cannot do fails as a runtime error of
// that script.
func TestSandboxRefuses(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`os.execute("true")`, "attempt to call a non-function object"},
		{`io.open("/etc/passwd")`, "attempt to call a non-function object"},
		{`require("os")`, "attempt to call a non-function object"},
		{`dofile("/etc/passwd")`, "attempt to call a non-function object"},
		{`loadstring("\27LuaQ\0\1\4\8\4\8\0")()`, "attempt to call a non-function object"},
		{`string.upper = nil`, "string is read-only"},
		{`table.insert = nil`, "table is read-only"},
		{`math.pi = 3`, "math is read-only"},
		{`rawset(string, "upper", print)`, "rawset: the table is read-only"},
		{`table.insert(bit, 1)`, "the table is read-only"},
		{`setmetatable(os, {})`, "cannot change a protected metatable"},
		{`setmetatable("x", {})`, "bad argument #1 to setmetatable"},
		{`getmetatable("").__index.upper = nil`, "attempt to index a non-table object(nil)"},
		{`local s = string.rep("x", 5 * 1024 * 1024)`, "string.rep: the result would exceed"},
		{`local s = ("x"):rep(10):gsub("x", ("y"):rep(1024 * 1024))`, "string.gsub: the result would exceed"},
		{`local s = ("x"):rep(5 * 1024 * 1024)`, "string.rep: the result would exceed"},
		{`local s = string.dump(print)`, "attempt to call a non-function object"},
		{`local s = ("x"):dump()`, "attempt to call a non-function object"},
		{`string.gsub("abc", "(a)", "%2")`, "invalid capture index %2"},
		{`string.gsub("abc", "a", {a = {}})`, "invalid replacement value (a table)"},
		{`string.gsub("abc", "[a", "")`, "unexpected EOS"},
		{`local t = {} for i = 1, 10 do t[i] = string.rep("x", 1024 * 1024) end table.concat(t)`, "table.concat: the result would exceed"},
		{`local function f() return 1 + f() end f()`, "stack overflow"},
		{`local x = unpack({}, 1, 1e8)`, "too many results to unpack"},
		{`local t = {("x"):rep(10000):byte(1, -1)}`, "string slice too long"},
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

// TestNoLeaks: globals do not survive a call, and scripts do not see each
// other's globals; the reference script gets fresh globals too.
func TestNoLeaks(t *testing.T) {
	f := newFixture(t, map[string]string{
		"flow/a.lua": checkScript(`counter = (counter or 0) + 1; shared = "from a"; flow.triggerAlert(1, "a" .. counter)`),
		"flow/b.lua": checkScript(`flow.triggerAlert(1, "b" .. tostring(shared) .. tostring(counter))`),
		"flow/c.lua": `
			-- a top-level global is visible to the hooks, which cannot
			-- change it for the next call
			limit = 10
			return { hooks = { protocolDetected = function(flow)
				limit = limit + 1
				flow.triggerAlert(1, "c" .. limit)
			end } }`,
		"flows/custom_flow_lua_script.lua": `seen = (seen or 0) + 1; flow.triggerAlert(1, "ref" .. seen) return(0)`,
	}, nil)
	enabled := on("all", "flow/a", "flow/b", "flow/c", "flow/custom_lua_script").enabled
	for i := 0; i < 3; i++ {
		var got []string
		for _, r := range f.r.RunFlow("protocolDetected", dnsFlow(), enabled) {
			got = append(got, r.Message)
		}
		if strings.Join(got, " ") != "ref1 a1 bnilnil c11" {
			t.Fatalf("run %d: %q", i, got)
		}
	}
	f.expectNoProblem()
}

// TestOutput: print and io.write reach Options.Output, bounded.
func TestOutput(t *testing.T) {
	f := newFixture(t, map[string]string{"flow/talk.lua": checkScript(`
		print("a", 1, true, nil)
		io.write("b", 2, "\n")
		if conf.flood then for i = 1, 100 do io.write(string.rep("0123456789", 100)) end end`)}, nil)
	f.r.RunFlow("protocolDetected", dnsFlow(), on("all", "flow/talk").enabled)
	if out := f.takeOutput(); len(out) != 1 || out[0] != "flow/talk: a\t1\ttrue\tnil\nb2\n" {
		t.Errorf("output %q", out)
	}
	f.r.RunFlow("protocolDetected", dnsFlow(), config{"flow/talk": {hooks: []string{"all"}, conf: `{"flood":true}`}}.enabled)
	if out := f.takeOutput(); len(out) != 1 || len(out[0]) != len("flow/talk: ")+maxOutput {
		t.Errorf("flood output of %d bytes", len(out[0]))
	}
	f.expectNoProblem()
}
