package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/probe/synth"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden REST answers under testdata/golden")

var binPath string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ntopng-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "ntopng")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sampleCapture writes the synthetic sample into a temp file.
func sampleCapture(t *testing.T) (string, *synth.Writer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := synth.WriteSample(f)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, w
}

type proc struct {
	cmd  *exec.Cmd
	port int
	out  *output
}

// output collects what the process writes; tests may read it while the
// process still runs.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(b)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	port := freePort(t)
	args = append([]string{"-d=" + t.TempDir(), fmt.Sprintf("--http-port=%d", port)}, args...)
	cmd := exec.Command(binPath, args...)
	out := &output{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, port: port, out: out}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return p
}

func (p *proc) get(t *testing.T, path, user, pass string) (int, map[string]any) {
	t.Helper()
	return p.request(t, "GET", path, "", user, pass)
}

// rawAnswer is one HTTP answer as received.
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// env decodes the answer as a REST envelope.
func (a rawAnswer) env(t *testing.T) map[string]any {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(a.body, &env); err != nil {
		t.Fatalf("answer is not a JSON envelope: %q", a.body)
	}
	return env
}

// raw sends a request with any content type (credentials when user is
// set) and returns the answer undecoded.
func (p *proc) raw(t *testing.T, method, path, ctype, body, user, pass string) rawAnswer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path), rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawAnswer{resp.StatusCode, resp.Header, b}
}

// request sends a request (a JSON body when body is not empty) and decodes
// the envelope of the answer.
func (p *proc) request(t *testing.T, method, path, body, user, pass string) (int, map[string]any) {
	t.Helper()
	ctype := ""
	if body != "" {
		ctype = "application/json"
	}
	a := p.raw(t, method, path, ctype, body, user, pass)
	return a.status, a.env(t)
}

// waitRead waits until the interface reports n packets (the file is read).
func (p *proc) waitRead(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/lua/rest/v1/get/interface/data.lua?ifid=0", p.port), nil)
		req.SetBasicAuth("admin", "admin")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			var env struct {
				Rsp struct {
					Packets float64 `json:"packets"`
				} `json:"rsp"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&env)
			resp.Body.Close()
			if int(env.Rsp.Packets) == n {
				time.Sleep(200 * time.Millisecond) // end-of-input housekeeping
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("capture not read in time; output:\n%s", p.out)
}

func TestEndToEndSampleCapture(t *testing.T) {
	pcap, truth := sampleCapture(t)
	p := start(t, "-i", pcap, "-m", synth.SampleLocalNet)
	p.waitRead(t, truth.Frames)

	// Authentication is required: default admin/admin, JSON 401 otherwise.
	if code, env := p.get(t, "/lua/rest/v1/get/ntopng/interfaces.lua", "admin", "nope"); code != 401 || env["rc_str"] != "NOT_GRANTED" {
		t.Errorf("bad password: %d %v", code, env["rc_str"])
	}

	_, env := p.get(t, "/lua/rest/v1/get/interface/data.lua?ifid=0", "admin", "admin")
	rsp := env["rsp"].(map[string]any)
	if rsp["packets"] != float64(truth.Frames) || rsp["bytes"] != float64(truth.Bytes+24*truth.Frames) {
		t.Errorf("interface packets/bytes %v/%v, want %d/%d", rsp["packets"], rsp["bytes"], truth.Frames, truth.Bytes+24*truth.Frames)
	}
	if rsp["num_flows"] != float64(len(truth.Flows)) {
		t.Errorf("num_flows %v, want %d", rsp["num_flows"], len(truth.Flows))
	}

	_, env = p.get(t, "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=1000&verbose=true", "admin", "admin")
	flows := env["rsp"].(map[string]any)["data"].([]any)
	if len(flows) != len(truth.Flows) {
		t.Fatalf("flows %d, want %d", len(flows), len(truth.Flows))
	}
	type key struct {
		proto, cli, srv string
		cport, sport    float64
	}
	got := map[key]map[string]any{}
	for _, f := range flows {
		m := f.(map[string]any)
		c, s := m["client"].(map[string]any), m["server"].(map[string]any)
		got[key{m["protocol"].(map[string]any)["l4"].(string), c["ip"].(string), s["ip"].(string), c["port"].(float64), s["port"].(float64)}] = m
	}
	for _, ft := range truth.Flows {
		m := got[key{ft.Proto, ft.Client, ft.Server, float64(ft.ClientPort), float64(ft.ServerPort)}]
		if m == nil {
			t.Errorf("flow %+v missing", ft)
			continue
		}
		if m["bytes"] != float64(ft.BytesC2S+ft.BytesS2C) || m["packets"] != float64(ft.PacketsC2S+ft.PacketsS2C) {
			t.Errorf("flow %s:%d->%s:%d bytes/packets %v/%v, want %d/%d", ft.Client, ft.ClientPort, ft.Server, ft.ServerPort,
				m["bytes"], m["packets"], ft.BytesC2S+ft.BytesS2C, ft.PacketsC2S+ft.PacketsS2C)
		}
		if ft.ServerName != "" && ft.Proto == "TCP" && m["server"].(map[string]any)["name"] != ft.ServerName {
			t.Errorf("server name %v, want %s", m["server"].(map[string]any)["name"], ft.ServerName)
		}
	}

	// Host counters are fed from flows: each local host's bytes are the sum
	// of its flows' directions.
	wantSent := map[string]int{}
	wantRcvd := map[string]int{}
	for _, ft := range truth.Flows {
		wantSent[ft.Client] += ft.BytesC2S
		wantRcvd[ft.Client] += ft.BytesS2C
		wantSent[ft.Server] += ft.BytesS2C
		wantRcvd[ft.Server] += ft.BytesC2S
	}
	for _, h := range []string{"192.168.1.10", "192.168.1.20"} {
		_, env := p.get(t, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+h, "admin", "admin")
		r := env["rsp"].(map[string]any)
		if r["bytes.sent"] != float64(wantSent[h]) || r["bytes.rcvd"] != float64(wantRcvd[h]) {
			t.Errorf("host %s sent/rcvd %v/%v, want %d/%d", h, r["bytes.sent"], r["bytes.rcvd"], wantSent[h], wantRcvd[h])
		}
		if r["localhost"] != true || r["local_network_name"] != synth.SampleLocalNet {
			t.Errorf("host %s local=%v net=%v", h, r["localhost"], r["local_network_name"])
		}
	}

	checkGolden(t, p)

	// SIGTERM: orderly shutdown, exit code 0.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.out)
	}
}

// volatile members change with the wall clock or the machine.
var volatile = map[string]bool{"epoch": true, "localtime": true, "uptime": true, "system_host_stats": true,
	"last_seen": true, "seen.last": true, "duration": true, "throughput_bps": true, "throughput_pps": true,
	"throughput_trend_bps": true, "throughput_trend_pps": true, "thpt": true, "throughput": true}

func scrub(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if volatile[k] {
				delete(x, k)
			} else {
				x[k] = scrub(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = scrub(x[i])
		}
		sort.Slice(x, func(i, j int) bool {
			a, _ := json.Marshal(x[i])
			b, _ := json.Marshal(x[j])
			return string(a) < string(b)
		})
	}
	return v
}

// checkGolden compares whole answers with testdata/golden (pcap in, JSON
// out); -update rewrites them on purpose.
func checkGolden(t *testing.T, p *proc) {
	calls := map[string]string{
		"interface_data":  "/lua/rest/v1/get/interface/data.lua?ifid=0",
		"host_active":     "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=100",
		"host_data":       "/lua/rest/v1/get/host/data.lua?ifid=0&host=192.168.1.10",
		"flow_active":     "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=100&sortColumn=bytes&sortOrder=desc",
		"flow_l4":         "/lua/rest/v1/get/flow/l4/counters.lua?ifid=0",
		"flow_l7":         "/lua/rest/v1/get/flow/l7/counters.lua?ifid=0",
		"host_interfaces": "/lua/rest/v1/get/host/interfaces.lua?host=192.168.1.20",
	}
	for name, path := range calls {
		_, env := p.get(t, path, "admin", "admin")
		got, _ := json.MarshalIndent(scrub(env), "", " ")
		file := filepath.Join("testdata", "golden", name+".json")
		if *updateGolden {
			_ = os.MkdirAll(filepath.Dir(file), 0o755)
			if err := os.WriteFile(file, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run go test . -run EndToEnd -update)", name, err)
			continue
		}
		if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
			t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", name, file, got)
		}
	}
}

func TestTestScriptsTimingAndShutdown(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed: the runtime script needs it")
	}
	pcap, truth := sampleCapture(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	port := freePort(t)
	conf := filepath.Join(dir, "ntopng.conf")
	url := fmt.Sprintf("http://127.0.0.1:%d/lua/rest/v1/get/interface/data.lua?ifid=0", port)
	content := strings.Join([]string{
		"-d=" + filepath.Join(dir, "data"),
		fmt.Sprintf("--http-port=%d", port),
		"-r=@2", "--dont-change-user", "--pid=" + filepath.Join(dir, "ntopng.pid"),
		"--disable-login=1", "--shutdown-when-done",
		"-i=" + pcap,
		"--test-script-pre=curl -s " + url + " > " + log + ".pre",
		"--test-script=curl -s " + url + " > " + log + ".runtime",
		"--test-script-post=echo post >> " + log + ".post",
	}, "\n")
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, conf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	packets := func(file string) float64 {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var env struct {
			Rsp struct {
				Packets float64 `json:"packets"`
			} `json:"rsp"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Fatalf("%s: %q", file, raw)
		}
		return env.Rsp.Packets
	}
	// pre runs before any packet is read, runtime after all of them.
	if n := packets(log + ".pre"); n != 0 {
		t.Errorf("pre script saw %v packets, want 0", n)
	}
	if n := packets(log + ".runtime"); n != float64(truth.Frames) {
		t.Errorf("runtime script saw %v packets, want %d", n, truth.Frames)
	}
	if b, _ := os.ReadFile(log + ".post"); string(b) != "post\n" {
		t.Errorf("post script output %q", b)
	}
}

func TestCommandLineErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--no-such-option"}, "--no-such-option"},
		{[]string{"-w", "notaport", "-i", "x.pcap"}, "notaport"},
		{[]string{"-x", "-5", "-i", "x.pcap"}, "-x"},
		{[]string{"-i", "/does/not/exist.pcap", "-d", os.TempDir()}, "/does/not/exist.pcap"},
	}
	for _, c := range cases {
		cmd := exec.Command(binPath, c.args...)
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Errorf("%v: exit %v, want 1", c.args, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%v: output %q should be one line naming %q", c.args, out, c.want)
		}
	}
	out, err := exec.Command(binPath, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ntopng ") {
		t.Errorf("--version: %v %q", err, out)
	}
	out, err = exec.Command(binPath, "-h").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--interface") {
		t.Errorf("--help: %v %q", err, out)
	}
}
