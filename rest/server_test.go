package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/lua"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

type fakeUsers struct{}

func (fakeUsers) Basic(_ context.Context, u, p string) (*Principal, error) {
	if u == "admin" && p == "admin" {
		return &Principal{Name: "admin", Admin: true}, nil
	}
	return nil, errors.New("bad credentials")
}

func (fakeUsers) Token(context.Context, string) (*Principal, error) {
	return nil, errors.New("no tokens")
}

func (fakeUsers) Session(context.Context, string) (*Principal, error) {
	return nil, errors.New("no sessions")
}

func scriptsRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "scripts")
}

func newTestServer(t testing.TB, disableLogin bool) (*httptest.Server, *probe.Interface) {
	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "test.pcap", Registry: reg, PacketClock: true})
	ifc.EndOfInput()
	app := &lua.App{Interfaces: []*probe.Interface{ifc}, Registry: reg, Version: "test", Start: time.Now()}
	root := scriptsRoot(t)
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: 4, Timeout: 5 * time.Second,
		Installers: []lua.Installer{lua.Bindings(app)}})
	s := New(Config{ScriptsDir: root, DisableLogin: disableLogin, Users: fakeUsers{}, Runtime: rt, Version: "test",
		Logger: nil})
	s.cfg.Logger.SetOutput(io.Discard)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, ifc
}

type envelope struct {
	RC    int             `json:"rc"`
	RCStr string          `json:"rc_str"`
	HR    string          `json:"rc_str_hr"`
	Rsp   json.RawMessage `json:"rsp"`
}

func call(t testing.TB, ts *httptest.Server, method, path, ctype, body string, auth bool) (int, envelope) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth {
		req.SetBasicAuth("admin", "admin")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: not a JSON envelope: %q", method, path, raw)
	}
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: content type %q", path, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, env
}

func TestEnvelopesAndCodes(t *testing.T) {
	ts, _ := newTestServer(t, false)
	cases := []struct {
		name, method, path, ctype, body string
		auth                            bool
		status                          int
		rcStr                           string
	}{
		{"no credentials", "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", "", false, 401, "NOT_GRANTED"},
		{"interfaces", "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", "", true, 200, "OK"},
		{"v2 reaches v1", "GET", "/lua/rest/v2/get/ntopng/interfaces.lua", "", "", true, 200, "OK"},
		{"pro reaches v1", "GET", "/lua/pro/rest/v1/get/ntopng/interfaces.lua", "", "", true, 200, "OK"},
		{"unknown path", "GET", "/lua/rest/v1/get/nothing/here.lua", "", "", true, 404, "NOT_FOUND"},
		{"not lua", "GET", "/index.html", "", "", true, 404, "NOT_FOUND"},
		{"dotdot", "GET", "/lua/rest/v1/../../etc/passwd.lua", "", "", true, 400, "BAD_FORMAT"},
		{"missing ifid", "GET", "/lua/rest/v1/get/interface/data.lua", "", "", true, 400, "INVALID_INTERFACE"},
		{"bad ifid value dropped", "GET", "/lua/rest/v1/get/interface/data.lua?ifid=abc", "", "", true, 400, "INVALID_INTERFACE"},
		{"unknown ifid", "GET", "/lua/rest/v1/get/host/active.lua?ifid=7", "", "", true, 400, "INVALID_INTERFACE"},
		{"json body", "POST", "/lua/rest/v1/get/interface/data.lua", "application/json", `{"ifid": 0}`, true, 200, "OK"},
		{"broken json", "POST", "/lua/rest/v1/get/interface/data.lua", "application/json", `{"ifid": `, true, 400, "BAD_FORMAT"},
		{"json not an object", "POST", "/lua/rest/v1/get/interface/data.lua", "application/json", `[1,2]`, true, 400, "BAD_FORMAT"},
		{"unknown parameter", "GET", "/lua/rest/v1/get/interface/data.lua?ifid=0&bogus=1", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"sql-looking value dropped", "GET", "/lua/rest/v1/get/host/data.lua?ifid=0&host=1'%20OR%201=1", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"host not found", "GET", "/lua/rest/v1/get/host/data.lua?ifid=0&host=10.9.9.9", "", "", true, 404, "NOT_FOUND"},
		{"host interfaces needs host", "GET", "/lua/rest/v1/get/host/interfaces.lua", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"oversized body", "POST", "/lua/rest/v1/get/interface/data.lua", "application/json", `{"ifid":"` + strings.Repeat("0", MaxBody) + `"}`, true, 400, "BAD_CONTENT"},
		{"huge page size", "GET", "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=99999999999&currentPage=99999999999", "", "", true, 200, "OK"},
		{"huge host page size", "GET", "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=99999999999", "", "", true, 200, "OK"},
		{"huge flow limit", "GET", "/lua/rest/v1/get/host/data.lua?ifid=0&host=10.9.9.9&host_stats_flows=1&limit=99999999999", "", "", true, 404, "NOT_FOUND"},
		{"l7 stats without mode", "GET", "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"l7 stats bad mode dropped", "GET", "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0&ndpistats_mode=all", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"l7 stats empty interface", "GET", "/lua/rest/v1/get/interface/l7/stats.lua?ifid=0&ndpistats_mode=count", "", "", true, 200, "OK"},
		{"host l7 stats unknown host", "GET", "/lua/rest/v1/get/host/l7/stats.lua?ifid=0&host=10.9.9.9", "", "", true, 404, "NOT_FOUND"},
		{"host dscp stats no host", "GET", "/lua/rest/v1/get/host/dscp/stats.lua?ifid=0&direction=recvd", "", "", true, 404, "NOT_FOUND"},
		{"custom data empty alias list", "POST", "/lua/rest/v1/get/host/custom_data.lua", "application/json", `{"ifid":0,"field_alias":""}`, true, 400, "INVALID_ARGUMENTS"},
		{"custom data all hosts", "GET", "/lua/rest/v1/get/host/custom_data.lua?ifid=0", "", "", true, 200, "OK"},
		{"alias from query string ignored", "POST", "/lua/rest/v1/set/host/alias.lua?host=10.0.0.1&custom_name=x", "", "", true, 400, "INVALID_ARGUMENTS"},
		{"alias not stored", "POST", "/lua/rest/v1/set/host/alias.lua", "application/json", `{"host":"10.0.0.1","custom_name":"x"}`, true, 400, "INVALID_ARGUMENTS"},
		{"bcast domains needs ifid", "GET", "/lua/rest/v1/get/interface/bcast_domains.lua", "", "", true, 400, "INVALID_INTERFACE"},
		{"system stats", "GET", "/lua/rest/v1/get/system/stats.lua", "", "", true, 200, "OK"},
		{"pro top talkers", "GET", "/lua/pro/rest/v1/get/interface/top/remote/talkers.lua?ifid=0", "", "", true, 200, "OK"},
		{"form body ignored for reads", "POST", "/lua/rest/v1/get/interface/data.lua", "application/x-www-form-urlencoded", "ifid=0", true, 400, "INVALID_INTERFACE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, env := call(t, ts, c.method, c.path, c.ctype, c.body, c.auth)
			if status != c.status || env.RCStr != c.rcStr {
				t.Errorf("got %d %s (%s), want %d %s", status, env.RCStr, env.Rsp, c.status, c.rcStr)
			}
		})
	}
}

func TestInterfaceDataEchoesIfidAsString(t *testing.T) {
	ts, _ := newTestServer(t, true)
	_, env := call(t, ts, "POST", "/lua/rest/v1/get/interface/data.lua", "application/json", `{"ifid":0}`, false)
	var rsp map[string]any
	if err := json.Unmarshal(env.Rsp, &rsp); err != nil {
		t.Fatal(err)
	}
	if rsp["ifid"] != "0" || rsp["ifname"] != "test.pcap" {
		t.Errorf("ifid %#v ifname %#v", rsp["ifid"], rsp["ifname"])
	}
	if string(mustJSON(rsp["ts_alerts"])) != "[]" || string(mustJSON(rsp["profiles"])) != "[]" {
		t.Errorf("empty tables must serialize as []: %s %s", mustJSON(rsp["ts_alerts"]), mustJSON(rsp["profiles"]))
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestLuaErrorAnswersInternalErrorAndServerSurvives(t *testing.T) {
	ts, _ := newTestServer(t, true)
	dir := t.TempDir()
	_ = dir
	// A request for a script that raises: use the Lua runtime directly
	// through a broken script placed in a temporary scripts tree.
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "lua", "modules", "rest_utils.lua"), "return {}")
	mustWrite(t, filepath.Join(root, "lua", "rest", "v1", "boom.lua"), `error("boom")`)
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: 1, Timeout: time.Second})
	s := New(Config{ScriptsDir: root, DisableLogin: true, Runtime: rt})
	s.rules = map[string]access{"lua/rest/v1/boom.lua": anyUser, "lua/rest/v1/loop.lua": anyUser, "lua/rest/v1/leak.lua": anyUser}
	s.cfg.Logger.SetOutput(io.Discard)
	bad := httptest.NewServer(s)
	defer bad.Close()
	for i := 0; i < 3; i++ {
		status, env := call(t, bad, "GET", "/lua/rest/v1/boom.lua", "", "", false)
		if status != 500 || env.RCStr != "INTERNAL_ERROR" {
			t.Fatalf("got %d %s", status, env.RCStr)
		}
	}
	if status, _ := call(t, ts, "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", "", false); status != 200 {
		t.Errorf("server stopped answering: %d", status)
	}
}

func TestScriptTimeout(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "lua", "modules", "x.lua"), "return {}")
	mustWrite(t, filepath.Join(root, "lua", "rest", "v1", "loop.lua"), `while true do end`)
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: 1, Timeout: 200 * time.Millisecond})
	s := New(Config{ScriptsDir: root, DisableLogin: true, Runtime: rt})
	s.rules = map[string]access{"lua/rest/v1/boom.lua": anyUser, "lua/rest/v1/loop.lua": anyUser, "lua/rest/v1/leak.lua": anyUser}
	s.cfg.Logger.SetOutput(io.Discard)
	srv := httptest.NewServer(s)
	defer srv.Close()
	status, env := call(t, srv, "GET", "/lua/rest/v1/loop.lua", "", "", false)
	if status != 500 || env.RCStr != "INTERNAL_ERROR" {
		t.Fatalf("got %d %s", status, env.RCStr)
	}
}

func TestGlobalsDoNotLeakBetweenRequests(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "lua", "modules", "x.lua"), "return {}")
	mustWrite(t, filepath.Join(root, "lua", "rest", "v1", "leak.lua"), `
local seen = leaked_global
leaked_global = "set"
ntop.sendRestAnswer("OK", { seen = seen or "nothing" })`)
	reg := dpi.NewRegistry()
	app := &lua.App{Registry: reg, Version: "t", Start: time.Now()}
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: 1, Timeout: time.Second,
		Installers: []lua.Installer{lua.Bindings(app)}})
	s := New(Config{ScriptsDir: root, DisableLogin: true, Runtime: rt})
	s.rules = map[string]access{"lua/rest/v1/boom.lua": anyUser, "lua/rest/v1/loop.lua": anyUser, "lua/rest/v1/leak.lua": anyUser}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for i := 0; i < 2; i++ {
		_, env := call(t, srv, "GET", "/lua/rest/v1/leak.lua", "", "", false)
		if string(env.Rsp) != `{"seen":"nothing"}` {
			t.Fatalf("run %d saw %s", i, env.Rsp)
		}
	}
}
