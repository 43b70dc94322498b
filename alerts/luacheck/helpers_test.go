package luacheck

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// fixture is a runner over a temporary user folder (and optionally a
// "shipped" folder), with a fake clock and the problems and output it
// reported.
type fixture struct {
	t       testing.TB
	user    string
	shipped string
	r       *Runner

	mu       sync.Mutex
	now      time.Time
	problems []Problem
	output   []string
	tick     int
}

func newFixture(t testing.TB, files map[string]string, tweak func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, user: filepath.Join(t.TempDir(), "checks"), shipped: t.TempDir(),
		now: time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)}
	for name, src := range files {
		f.write(name, src)
	}
	o := Options{
		Dirs:    []string{f.shipped},
		UserDir: f.user,
		Budget:  5 * time.Second, // tests about the budget set their own
		Report: func(p Problem) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.problems = append(f.problems, p)
		},
		Output: func(subdir, key, text string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.output = append(f.output, subdir+"/"+key+": "+text)
		},
		Now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.now
		},
	}
	if tweak != nil {
		tweak(&o)
	}
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	f.r = r
	return f
}

// write writes a script under the user folder ("shipped:" prefix: the
// shipped folder) and gives it a modification time of its own, so that a
// rewrite is always seen as a change.
func (f *fixture) write(name, src string) string {
	f.t.Helper()
	dir := f.user
	if rest, ok := strings.CutPrefix(name, "shipped:"); ok {
		dir, name = f.shipped, rest
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.tick++
	mt := time.Date(2024, 1, 1, 0, 0, f.tick, 0, time.UTC)
	if err := os.Chtimes(p, mt, mt); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) remove(name string) {
	f.t.Helper()
	if err := os.Remove(filepath.Join(f.user, filepath.FromSlash(name))); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// takeProblems returns the problems reported since the last call.
func (f *fixture) takeProblems() []Problem {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.problems
	f.problems = nil
	return p
}

func (f *fixture) takeOutput() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.output
	f.output = nil
	return o
}

// expectProblem checks that exactly one problem was reported, of kind,
// whose message contains want.
func (f *fixture) expectProblem(kind, want string) Problem {
	f.t.Helper()
	ps := f.takeProblems()
	if len(ps) != 1 || ps[0].Kind != kind || !strings.Contains(ps[0].Message, want) {
		f.t.Fatalf("problems %+v, want one %s containing %q", ps, kind, want)
	}
	return ps[0]
}

func (f *fixture) expectNoProblem() {
	f.t.Helper()
	if ps := f.takeProblems(); len(ps) != 0 {
		f.t.Fatalf("unexpected problems %+v", ps)
	}
}

// config is a checks configuration for tests: "subdir/key" → enabled
// hooks and script_conf. Checks absent are disabled.
type config map[string]struct {
	hooks []string
	conf  string
}

func (c config) enabled(subdir, key string) ([]string, json.RawMessage) {
	e, ok := c[subdir+"/"+key]
	if !ok {
		return nil, nil
	}
	conf := e.conf
	if conf == "" {
		conf = "[]"
	}
	return e.hooks, json.RawMessage(conf)
}

// on enables the checks with no parameters on the hook.
func on(hook string, ids ...string) config {
	c := config{}
	for _, id := range ids {
		c[id] = struct {
			hooks []string
			conf  string
		}{hooks: []string{hook}}
	}
	return c
}

// dnsFlow is a DNS flow from a local client.
func dnsFlow() *alerts.FlowView {
	return &alerts.FlowView{
		IfID:    1,
		CliIP:   netip.MustParseAddr("192.168.1.10"),
		SrvIP:   netip.MustParseAddr("8.8.8.8"),
		CliPort: 40000, SrvPort: 53,
		VLAN:    7,
		L4Proto: 17,
		Cli:     alerts.Peer{Local: true, Network: 0, Name: "laptop.lan"},
		Srv:     alerts.Peer{Network: -1, Country: "US", Name: "dns.google"},
		C2S:     alerts.Direction{Packets: 1, Bytes: 80},
		S2C:     alerts.Direction{Packets: 1, Bytes: 140},

		FirstSeen: 1700000000, LastSeen: 1700000003,
		Master: dpi.ProtoDNS, App: dpi.ProtoDNS, ProtoName: "DNS", CategoryName: "Network",
		ServerName:   "www.example.com",
		DNSQueryType: 1,
	}
}

// httpFlow is an HTTP flow from a local client.
func httpFlow() *alerts.FlowView {
	return &alerts.FlowView{
		IfID:    1,
		CliIP:   netip.MustParseAddr("192.168.1.10"),
		SrvIP:   netip.MustParseAddr("93.184.216.34"),
		CliPort: 50000, SrvPort: 80,
		L4Proto: 6,
		Cli:     alerts.Peer{Local: true},
		C2S:     alerts.Direction{Packets: 5, Bytes: 600},
		S2C:     alerts.Direction{Packets: 4, Bytes: 4000},

		Master: dpi.ProtoHTTP, App: dpi.ProtoHTTP, ProtoName: "HTTP",
		ServerName: "example.com", HTTPMethod: "GET", HTTPStatus: 200, HTTPUserAgent: "curl/8.0",
		Info: &dpi.Info{HTTP: dpi.HTTPInfo{URL: "/setup.exe", ContentType: "application/octet-stream"}},
	}
}

func aHost() *alerts.HostView {
	return &alerts.HostView{
		IfID: 1, IP: netip.MustParseAddr("192.168.1.10"), VLAN: 7, MAC: "AA:BB:CC:DD:EE:FF", Name: "laptop.lan",
		Local: true, Network: 0, Country: "IT",
		BytesSent: 1000, BytesRcvd: 5000, PacketsSent: 10, PacketsRcvd: 20,
		ScoreAsCli: 30, ScoreAsSrv: 5, ActiveFlowsAsCli: 3, ActiveFlowsAsSrv: 1,
		L7: []alerts.L7Stat{{Name: "DNS", BytesSent: 100, BytesRcvd: 200, Duration: 60}, {Name: "TLS", BytesSent: 900, BytesRcvd: 4800, Duration: 120}},
	}
}

// checkScript is a flow check script whose protocolDetected hook runs
// body (with flow and conf in scope).
func checkScript(body string) string {
	return "return { hooks = { protocolDetected = function(flow, conf)\n" + body + "\nend } }\n"
}
