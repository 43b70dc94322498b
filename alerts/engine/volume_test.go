package engine

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// setScriptConf enables a check with the given script_conf through the
// configuration document, as set/checks/config does.
func setScriptConf(t *testing.T, cs *checks.Store, subdir, key, hook, conf string) {
	t.Helper()
	raw, err := cs.Document()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var c any
	if err := json.Unmarshal([]byte(conf), &c); err != nil {
		t.Fatal(err)
	}
	doc["0"].(map[string]any)["config"].(map[string]any)[subdir].(map[string]any)[key] = map[string]any{
		hook: map[string]any{"enabled": true, "script_conf": c}}
	b, _ := json.Marshal(doc)
	if err := cs.Set(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// dnsBurst: one DNS exchange a minute, except 30 in the third minute.
func dnsBurst(w *synth.Writer) error {
	port := uint16(30000)
	for minute := range 5 {
		n := 1
		if minute == 2 {
			n = 30
		}
		for range n {
			port++
			name := "www.example.org"
			if _, err := w.UDPExchange("192.168.1.10", "192.168.1.1", port, 53,
				synth.DNSQuery(port, name, 1), synth.DNSResponse(port, name, "203.0.113.9"), name); err != nil {
				return err
			}
		}
		w.Advance(time.Minute)
	}
	return nil
}

// TestTrafficVolumeChecks: the dns and pkt_threshold host checks raise
// their alerts on the minute of a DNS burst only, for the host that sent
// it, and dns stays silent while disabled.
func TestTrafficVolumeChecks(t *testing.T) {
	fx := newFixture(t)
	setScriptConf(t, fx.checks, "host", "dns", "min", `{"operator":"gt","threshold":3000}`)
	setScriptConf(t, fx.checks, "host", "pkt_threshold", "min", `{"operator":"gt","threshold":40}`)
	fx.run(t, dnsBurst)
	got := map[string][]string{}
	for _, n := range fx.rec.got {
		if n.Family == "host" && n.Status == "engaged" {
			got[n.TypeName] = append(got[n.TypeName], n.Entity)
		}
	}
	// 30 exchanges of about 150 bytes each way: over 3000 bytes and 40
	// packets in that minute, for the client and for the DNS server; one
	// exchange (2 packets, ~300 bytes) in the other minutes.
	for _, typ := range []string{"host_alert_dns_traffic", "host_alert_pkt_threshold"} {
		if len(got[typ]) != 2 {
			t.Errorf("%s engaged on %v, want the client and the server once each (all: %v)", typ, got[typ], got)
		}
	}

	fx = newFixture(t)
	setScriptConf(t, fx.checks, "host", "pkt_threshold", "min", `{"operator":"gt","threshold":40}`)
	fx.run(t, dnsBurst)
	for _, n := range fx.rec.got {
		if n.Check == "dns" {
			t.Errorf("dns check disabled but raised %+v", n)
		}
	}
}

// TestElephantAndLongLivedFlows: a local client downloading more than the
// configured volume raises alert_elephant_flow; a flow lasting longer than
// min_duration raises alert_longlived; a short small flow raises neither.
func TestElephantAndLongLivedFlows(t *testing.T) {
	fx := newFixture(t)
	setScriptConf(t, fx.checks, "flow", "elephant_flows", "all", `{"l2r_bytes_value":100000,"r2l_bytes_value":20000}`)
	setScriptConf(t, fx.checks, "flow", "long_lived", "all", `{"min_duration":120}`)
	fx.run(t, func(w *synth.Writer) error {
		// A download of 30 kB from a remote web server.
		var body [][]byte
		for range 20 {
			body = append(body, synth.HTTPOK(1500))
		}
		if _, err := w.TCPSession("192.168.1.10", "198.51.100.7", 40001, 80,
			[][]byte{synth.HTTPGet("www.example.org", "/big")}, body, "www.example.org"); err != nil {
			return err
		}
		// A session of three minutes, little traffic.
		w.Step = time.Minute
		if _, err := w.TCPSession("192.168.1.10", "198.51.100.8", 40002, 80,
			[][]byte{synth.HTTPGet("slow.example.org", "/")}, [][]byte{synth.HTTPOK(10)}, "slow.example.org"); err != nil {
			return err
		}
		w.Step = 10 * time.Millisecond
		// A short small flow.
		_, err := w.TCPSession("192.168.1.10", "198.51.100.9", 40003, 80,
			[][]byte{synth.HTTPGet("small.example.org", "/")}, [][]byte{synth.HTTPOK(10)}, "small.example.org")
		return err
	})
	got := map[string][]string{}
	for _, n := range fx.rec.got {
		if n.Family == "flow" {
			got[n.TypeName] = append(got[n.TypeName], n.Entity)
		}
	}
	if e := got["alert_elephant_flow"]; len(e) != 1 || e[0] != "192.168.1.10:40001 -> 198.51.100.7:80" {
		t.Errorf("elephant flows: %v (all: %v)", e, got)
	}
	if l := got["alert_longlived"]; len(l) != 1 || l[0] != "192.168.1.10:40002 -> 198.51.100.8:80" {
		t.Errorf("long-lived flows: %v (all: %v)", l, got)
	}
}
