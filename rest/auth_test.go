package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/lua"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// authEnv is a server with real users (SQLite), the sample capture read
// into an interface, and the project's scripts.
type authEnv struct {
	ts    *httptest.Server
	srv   *Server
	store *db.DB
}

func newAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	store, err := db.Open(filepath.Join(t.TempDir(), "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	if _, err := store.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		db.User
		pw string
	}{
		{db.User{Username: "viewer", Group: db.GroupUnprivileged}, "viewer-pw"},
		{db.User{Username: "googler", Group: db.GroupUnprivileged, AllowedNetworks: "142.250.180.0/24"}, "googler-pw"},
		{db.User{Username: "pinned", Group: db.GroupUnprivileged, AllowedIfname: "sample.pcap"}, "pinned-pw"},
		{db.User{Username: "lost", Group: db.GroupUnprivileged, AllowedIfname: "eth9"}, "lost-pw"},
	} {
		if err := store.AddUser(ctx, u.User, u.pw); err != nil {
			t.Fatal(err)
		}
	}

	path := filepath.Join(t.TempDir(), "sample.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteSample(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "sample.pcap", Registry: reg, PacketClock: true,
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix(synth.SampleLocalNet)}, nil)})
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ifc.Capture(ctx, src); err != nil {
		t.Fatal(err)
	}
	src.Close()

	aliases, err := store.HostAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app := &lua.App{Interfaces: []*probe.Interface{ifc}, Registry: reg, Version: "test", Start: time.Now(),
		Users: store, HostAliases: aliases.Get,
		SetHostAlias: func(ctx context.Context, host, alias string) error {
			_, err := aliases.Set(ctx, host, alias)
			return err
		}}
	root := scriptsRoot(t)
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: 4, Timeout: 10 * time.Second,
		Installers: []lua.Installer{lua.Bindings(app)}})
	s := New(Config{ScriptsDir: root, Users: DBUsers{Store: store}, Runtime: rt, Version: "test",
		Interfaces: func(name string) bool { return name == ifc.Name() }})
	s.cfg.Logger.SetOutput(io.Discard)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &authEnv{ts: ts, srv: s, store: store}
}

// creds is how a request authenticates.
type creds struct {
	user, pass string // basic
	token      string
	cookie     *http.Cookie
	csrf       string
}

type answer struct {
	status int
	RCStr  string          `json:"rc_str"`
	Rsp    json.RawMessage `json:"rsp"`
	header http.Header
}

func (e *authEnv) do(t *testing.T, method, path, body string, c creds) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.user != "":
		req.SetBasicAuth(c.user, c.pass)
	case c.token != "":
		req.Header.Set("Authorization", "Token "+c.token)
	case c.cookie != nil:
		req.AddCookie(c.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &a); err != nil && resp.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("%s %s: not JSON: %q", method, path, raw)
	}
	return a
}

var (
	admin  = creds{user: "admin", pass: "admin"}
	viewer = creds{user: "viewer", pass: "viewer-pw"}
)

// endpointScripts lists every script a client can reach, discovered from
// the tree, so that a new endpoint is covered without editing the test.
func endpointScripts(t *testing.T) []string {
	t.Helper()
	root := scriptsRoot(t)
	var out []string
	err := filepath.WalkDir(filepath.Join(root, "lua"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() && rel == "lua/modules" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(rel, ".lua") {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil || len(out) < 30 {
		t.Fatalf("scripts: %d, %v", len(out), err)
	}
	return out
}

// adminScript matches the scripts that must be administrator-only
// whatever the access table says: user management, the scripts that
// change configuration, and the GUI page that toggles checks.
var adminScript = regexp.MustCompile(`^lua/(rest/v[12]/(add|edit|delete|set|bind|import|export|reset|enable|disable)/.*|rest/v1/get/ntopng/users\.lua|toggle_all_checks\.lua)$`)

// TestEveryEndpointIsAuthorizedCentrally walks every script: without
// credentials or with a wrong password it answers 401 JSON, an
// unprivileged user gets 403 NOT_GRANTED on administrator scripts, and an
// API token gets the same answer as basic authentication.
func TestEveryEndpointIsAuthorizedCentrally(t *testing.T) {
	e := newAuthEnv(t)
	ctx := context.Background()
	for _, rel := range endpointScripts(t) {
		rule, known := scriptAccess[rel]
		if !known {
			t.Errorf("%s has no access rule (the server refuses it)", rel)
			continue
		}
		if adminScript.MatchString(rel) && rule != adminOnly {
			t.Errorf("%s changes state or lists users but is not administrator-only", rel)
		}
		path := "/" + rel
		t.Run(rel, func(t *testing.T) {
			if a := e.do(t, "POST", path, "{}", creds{}); a.status != 401 || a.RCStr != "NOT_GRANTED" {
				t.Errorf("no credentials: %d %s", a.status, a.RCStr)
			}
			a := e.do(t, "POST", path, "{}", creds{user: "viewer", pass: "wrong"})
			e.srv.locks.success("127.0.0.1") // keep the walk under the lock-out threshold
			if a.status != 401 || a.RCStr != "NOT_GRANTED" {
				t.Errorf("wrong password: %d %s", a.status, a.RCStr)
			}
			v := e.do(t, "POST", path, "{}", viewer)
			if rule == adminOnly || rule == alertReaders { // viewer has no alerts capability
				if v.status != 403 || v.RCStr != "NOT_GRANTED" {
					t.Errorf("unprivileged on an administrator script: %d %s", v.status, v.RCStr)
				}
			} else if v.status == 401 || v.status == 403 {
				t.Errorf("unprivileged refused on a script open to users: %d %s", v.status, v.RCStr)
			}
			for _, who := range []string{"viewer", "admin"} {
				tok, err := e.store.CreateAPIToken(ctx, who)
				if err != nil {
					t.Fatal(err)
				}
				pw := map[string]string{"viewer": "viewer-pw", "admin": "admin"}[who]
				byToken := e.do(t, "POST", path, "{}", creds{token: tok})
				byBasic := e.do(t, "POST", path, "{}", creds{user: who, pass: pw})
				if byToken.status != byBasic.status || byToken.RCStr != byBasic.RCStr || !sameShape(byToken.Rsp, byBasic.Rsp) {
					t.Errorf("%s: token %d %s %.80s, basic %d %s %.80s", who, byToken.status, byToken.RCStr, byToken.Rsp,
						byBasic.status, byBasic.RCStr, byBasic.Rsp)
				}
			}
		})
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/users.lua", "", creds{token: "0123456789abcdef0123456789abcdef"}); a.status != 401 {
		t.Errorf("unknown token: %d", a.status)
	}
}

// sameShape compares two answers ignoring values that change with time
// (epochs, CPU, memory): same JSON type, same object keys.
func sameShape(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return shape(x) == shape(y)
}

func shape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k == "api_token" || k == "session" {
				continue // a new secret each time
			}
			keys = append(keys, k+":"+shape(x[k]))
		}
		sortStrings(keys)
		return "{" + strings.Join(keys, ",") + "}"
	case []any:
		return fmt.Sprintf("[%d]", len(x))
	}
	return fmt.Sprintf("%T", v)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func rspMap(t *testing.T, a answer) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Rsp, &m); err != nil {
		t.Fatalf("rsp %s: %v", a.Rsp, err)
	}
	return m
}

// TestAllowedNetworksRestrictEveryAnswer: a user restricted to one /24 sees
// only that /24's hosts, the flows touching it, and no other host's data.
func TestAllowedNetworksRestrictEveryAnswer(t *testing.T) {
	e := newAuthEnv(t)
	g := creds{user: "googler", pass: "googler-pw"}
	in24 := func(ip string) bool { return strings.HasPrefix(ip, "142.250.180.") }

	hosts := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=100", "", g))["data"].([]any)
	all := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=100", "", admin))["data"].([]any)
	if len(hosts) != 1 || len(all) <= len(hosts) {
		t.Fatalf("restricted user sees %d hosts (admin %d)", len(hosts), len(all))
	}
	for _, h := range hosts {
		if ip := h.(map[string]any)["ip"].(string); !in24(ip) {
			t.Errorf("host %s outside the user's /24", ip)
		}
	}
	flows := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=100", "", g))
	allFlows := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=100", "", admin))
	if flows["totalRows"].(float64) == 0 || flows["totalRows"].(float64) >= allFlows["totalRows"].(float64) {
		t.Errorf("flows: %v of %v", flows["totalRows"], allFlows["totalRows"])
	}
	for _, f := range flows["data"].([]any) {
		m := f.(map[string]any)
		c, s := m["client"].(map[string]any)["ip"].(string), m["server"].(map[string]any)["ip"].(string)
		if !in24(c) && !in24(s) {
			t.Errorf("flow %s -> %s touches nothing of the user's /24", c, s)
		}
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/host/data.lua?ifid=0&host=142.250.180.4", "", g); a.status != 200 {
		t.Errorf("own host: %d %s", a.status, a.RCStr)
	}
	for _, p := range []string{
		"/lua/rest/v1/get/host/data.lua?ifid=0&host=192.168.1.10",
		"/lua/rest/v1/get/host/l7/stats.lua?ifid=0&host=192.168.1.10",
		"/lua/rest/v1/get/host/custom_data.lua?ifid=0&host=192.168.1.10",
		"/lua/rest/v1/get/flow/active.lua?ifid=0&host=192.168.1.10",
	} {
		if a := e.do(t, "GET", p, "", g); a.status != 404 || a.RCStr != "NOT_FOUND" {
			t.Errorf("%s: %d %s", p, a.status, a.RCStr)
		}
	}
	// Interface totals: no flow or device totals, hosts recounted.
	d := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/interface/data.lua?ifid=0", "", g))
	if _, ok := d["num_flows"]; ok || d["num_hosts"] != 1.0 {
		t.Errorf("interface data for a restricted user: num_flows present=%v num_hosts=%v", ok, d["num_hosts"])
	}
	if _, ok := d["num_devices"]; ok {
		t.Error("num_devices shown to a restricted user")
	}
	// Custom data of all hosts and the L7 counters follow the same view.
	var custom []any
	_ = json.Unmarshal(e.do(t, "GET", "/lua/rest/v1/get/host/custom_data.lua?ifid=0&field_alias=ip", "", g).Rsp, &custom)
	if len(custom) != 1 {
		t.Errorf("custom_data of all hosts: %v", custom)
	}
}

func TestInterfacePinning(t *testing.T) {
	e := newAuthEnv(t)
	p := creds{user: "pinned", pass: "pinned-pw"}
	if a := e.do(t, "GET", "/lua/rest/v1/get/interface/data.lua?ifid=0", "", p); a.status != 200 {
		t.Errorf("own interface: %d %s", a.status, a.RCStr)
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/system/stats.lua", "", p); a.status != 403 || a.RCStr != "NOT_GRANTED" {
		t.Errorf("system stats for a pinned user: %d %s", a.status, a.RCStr)
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", creds{user: "lost", pass: "lost-pw"}); a.status != 403 {
		t.Errorf("user pinned to a missing interface: %d %s", a.status, a.RCStr)
	}
}

func TestSessionsAndCSRF(t *testing.T) {
	e := newAuthEnv(t)
	// A user opens a session for itself, not for others.
	a := e.do(t, "POST", "/lua/rest/v1/create/ntopng/session.lua", `{"username":"viewer"}`, viewer)
	if a.status != 200 {
		t.Fatalf("create session: %d %s %s", a.status, a.RCStr, a.Rsp)
	}
	id := rspMap(t, a)["session"].(string)
	if a := e.do(t, "POST", "/lua/rest/v1/create/ntopng/session.lua", `{"username":"admin"}`, viewer); a.RCStr != "INVALID_ARGUMENTS" {
		t.Errorf("session for another user: %d %s", a.status, a.RCStr)
	}
	port := strings.TrimPrefix(e.ts.URL[strings.LastIndex(e.ts.URL, ":"):], ":")
	for _, c := range []*http.Cookie{{Name: "session", Value: id}, {Name: "session_" + port + "_0", Value: id}} {
		if a := e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0", "", creds{cookie: c}); a.status != 200 {
			t.Errorf("cookie %s: %d %s", c.Name, a.status, a.RCStr)
		}
	}
	// JSON POSTs to reads need no CSRF token; changes do.
	ck := creds{cookie: &http.Cookie{Name: "session", Value: id}}
	if a := e.do(t, "POST", "/lua/rest/v1/get/host/active.lua", `{"ifid":0}`, ck); a.status != 200 {
		t.Errorf("JSON read with a session: %d %s", a.status, a.RCStr)
	}
	adminSess := rspMap(t, e.do(t, "POST", "/lua/rest/v1/create/ntopng/session.lua", `{"username":"admin"}`, admin))["session"].(string)
	ac := &http.Cookie{Name: "session", Value: adminSess}
	for _, body := range []string{
		`{"host":"192.168.1.10","custom_name":"x"}`,
		`{"host":"192.168.1.10","custom_name":"x","csrf":"00000000000000000000000000000000"}`,
	} {
		if a := e.do(t, "POST", "/lua/rest/v1/set/host/alias.lua", body, creds{cookie: ac}); a.status != 403 || a.RCStr != "NOT_GRANTED" {
			t.Errorf("POST without the right CSRF token: %d %s", a.status, a.RCStr)
		}
	}
	if a := e.do(t, "POST", "/lua/rest/v1/add/ntopng/user.lua", `{"username":"eve","full_name":"E","password":"p","confirm_password":"p",`+
		`"user_role":"administrator","allowed_networks":"0.0.0.0/0","allowed_interface":""}`, creds{cookie: ac}); a.status != 403 {
		t.Errorf("user added without CSRF: %d %s", a.status, a.RCStr)
	}
	if _, err := e.store.GetUser(context.Background(), "eve"); err == nil {
		t.Error("the user was created")
	}
	var alias string
	_ = e.store.SQL().QueryRow("SELECT COUNT(*) FROM host_aliases").Scan(&alias)
	if alias != "0" {
		t.Errorf("an alias was stored: %s", alias)
	}
	// Expiry and logout.
	short := rspMap(t, e.do(t, "POST", "/lua/rest/v1/create/ntopng/session.lua", `{"username":"viewer","auth_session_duration":1}`, viewer))["session"].(string)
	time.Sleep(1100 * time.Millisecond)
	if a := e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0", "", creds{cookie: &http.Cookie{Name: "session", Value: short}}); a.status != 401 {
		t.Errorf("expired session: %d", a.status)
	}
	if a := e.do(t, "GET", "/lua/logout.lua", "", creds{cookie: &http.Cookie{Name: "session_" + port + "_0", Value: id}}); a.status != 200 {
		t.Errorf("logout: %d", a.status)
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0", "", ck); a.status != 401 {
		t.Errorf("session after logout: %d", a.status)
	}
}

func TestLoginLockout(t *testing.T) {
	e := newAuthEnv(t)
	for i := 0; i < lockAfter; i++ {
		if a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", creds{user: "admin", pass: "guess"}); a.status != 401 {
			t.Fatalf("failure %d: %d", i, a.status)
		}
	}
	a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", admin)
	if a.status != 429 || a.RCStr != "NOT_GRANTED" || a.header.Get("Retry-After") == "" || !strings.Contains(string(a.Rsp), "retry") {
		t.Errorf("locked out client with the right password: %d %s %s retry-after=%q", a.status, a.RCStr, a.Rsp, a.header.Get("Retry-After"))
	}
	// Tokens are not password guesses: they still work.
	tok, _ := e.store.CreateAPIToken(context.Background(), "admin")
	if a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/interfaces.lua", "", creds{token: tok}); a.status != 200 {
		t.Errorf("token during a lock-out: %d", a.status)
	}
}

// TestUserManagementRejectsBadInput: every bad request answers a clear code
// and leaves the users table as it was.
func TestUserManagementRejectsBadInput(t *testing.T) {
	e := newAuthEnv(t)
	count := func() int {
		var n int
		if err := e.store.SQL().QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := count()
	user := func(over map[string]string) string {
		m := map[string]string{"username": "mario", "full_name": "Super Mario", "password": "s3cret'<\"x",
			"confirm_password": "s3cret'<\"x", "user_role": "unprivileged", "allowed_networks": "192.168.1.0/24",
			"allowed_interface": "", "user_language": "it", "allow_pcap_download": "1"}
		for k, v := range over {
			if v == "-" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, c := range []struct {
		name string
		body string
		code string
	}{
		{"overlong name", user(map[string]string{"username": strings.Repeat("m", 65)}), "INVALID_ARGUMENTS"},
		{"SQL-looking name", user(map[string]string{"username": "x' OR '1'='1"}), "INVALID_ARGUMENTS"},
		{"invalid network", user(map[string]string{"allowed_networks": "10.0.0.0/33"}), "INVALID_ARGUMENTS"},
		{"unknown role", user(map[string]string{"user_role": "root"}), "INVALID_ARGUMENTS"},
		{"missing password", user(map[string]string{"password": "-"}), "INVALID_ARGUMENTS"},
		{"mismatched passwords", user(map[string]string{"confirm_password": "other"}), "PASSWORD_MISMATCH"},
		{"unknown interface", user(map[string]string{"allowed_interface": "7"}), "INVALID_ARGUMENTS"},
		{"duplicate", user(map[string]string{"username": "Viewer"}), "USER_ALREADY_EXISTING"},
		{"broken JSON", `{"username": "mario",`, "BAD_FORMAT"},
		{"wrong types", `{"username": ["mario"], "password": {"a": 1}}`, "INVALID_ARGUMENTS"},
	} {
		if a := e.do(t, "POST", "/lua/rest/v1/add/ntopng/user.lua", c.body, admin); a.RCStr != c.code {
			t.Errorf("%s: %d %s %s, want %s", c.name, a.status, a.RCStr, a.Rsp, c.code)
		}
		if n := count(); n != base {
			t.Fatalf("%s changed the users table (%d -> %d)", c.name, base, n)
		}
	}
	// The good request, then the listing: no password material.
	if a := e.do(t, "POST", "/lua/rest/v1/add/ntopng/user.lua", user(nil), admin); a.RCStr != "OK" {
		t.Fatalf("add: %d %s %s", a.status, a.RCStr, a.Rsp)
	}
	if _, err := e.store.Authenticate(context.Background(), "mario", "s3cret'<\"x"); err != nil {
		t.Errorf("the password was altered on the way: %v", err)
	}
	users := rspMap(t, e.do(t, "GET", "/lua/rest/v1/get/ntopng/users.lua", "", admin))
	m := users["mario"].(map[string]any)
	if m["group"] != "unprivileged" || m["allowed_nets"] != "192.168.1.0/24" || m["language"] != "it" ||
		m["allow_pcap_download"] != true || m["full_name"] != "Super Mario" {
		t.Errorf("listed %v", m)
	}
	if strings.Contains(string(e.do(t, "GET", "/lua/rest/v1/get/ntopng/users.lua", "", admin).Rsp), "password") {
		t.Error("password material in get/ntopng/users")
	}
	// Edits: nothing to change, unknown user, a bad field (nothing applied).
	for _, c := range []struct{ body, code string }{
		{`{"username":"mario"}`, "INVALID_ARGUMENTS"},
		{`{"username":"luigi","full_name":"L"}`, "USER_DOES_NOT_EXIST"},
		{`{"username":"mario","full_name":"New","password":"a","confirm_password":"b"}`, "PASSWORD_MISMATCH"},
		{`{"username":"mario","full_name":"New","allowed_networks":"300.1.1.1/8"}`, "INVALID_ARGUMENTS"},
	} {
		if a := e.do(t, "POST", "/lua/rest/v1/edit/ntopng/user.lua", c.body, admin); a.RCStr != c.code {
			t.Errorf("edit %s: %s %s", c.body, a.RCStr, a.Rsp)
		}
	}
	if u, _ := e.store.GetUser(context.Background(), "mario"); u.FullName != "Super Mario" {
		t.Errorf("a refused edit changed the user: %+v", u)
	}
	if a := e.do(t, "POST", "/lua/rest/v1/edit/ntopng/user.lua", `{"username":"mario","user_role":"administrator","password":"n3w","confirm_password":"n3w"}`, admin); a.RCStr != "OK" {
		t.Errorf("edit: %s %s", a.RCStr, a.Rsp)
	}
	if a := e.do(t, "GET", "/lua/rest/v1/get/ntopng/users.lua", "", creds{user: "mario", pass: "n3w"}); a.status != 200 {
		t.Errorf("promoted user with the new password: %d", a.status)
	}
	// Deleting: a missing user, then every administrator but the last.
	if a := e.do(t, "POST", "/lua/rest/v1/delete/ntopng/user.lua", `{"username":"luigi"}`, admin); a.RCStr != "DELETE_USER_FAILED" {
		t.Errorf("delete a missing user: %s", a.RCStr)
	}
	if a := e.do(t, "POST", "/lua/rest/v1/delete/ntopng/user.lua", `{"username":"mario"}`, admin); a.RCStr != "OK" {
		t.Errorf("delete mario: %s", a.RCStr)
	}
	if a := e.do(t, "POST", "/lua/rest/v1/delete/ntopng/user.lua", `{"username":"admin"}`, admin); a.RCStr != "DELETE_USER_FAILED" ||
		!strings.Contains(string(a.Rsp), "last administrator") {
		t.Errorf("delete the last administrator: %s %s", a.RCStr, a.Rsp)
	}
	if _, err := e.store.GetUser(context.Background(), "admin"); err != nil {
		t.Errorf("admin gone: %v", err)
	}
	// Tokens: for oneself, not for others (unprivileged).
	if a := e.do(t, "POST", "/lua/rest/v1/create/ntopng/api_token.lua", `{"username":"admin"}`, viewer); a.RCStr != "INVALID_ARGUMENTS" {
		t.Errorf("token for another user: %s", a.RCStr)
	}
	tok := rspMap(t, e.do(t, "POST", "/lua/rest/v1/create/ntopng/api_token.lua", "", viewer))["api_token"].(string)
	if a := e.do(t, "GET", "/lua/rest/v1/get/host/active.lua?ifid=0", "", creds{token: tok}); a.status != 200 {
		t.Errorf("new token: %d", a.status)
	}
}
