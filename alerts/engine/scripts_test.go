package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// fakeScripts stands for the user Lua checks: it counts the calls by
// hook and raises an alert on every host at the hook given in raiseOn.
type fakeScripts struct {
	mu      sync.Mutex
	calls   map[string]int
	raiseOn string
}

func (f *fakeScripts) count(kind, hook string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[kind+"/"+hook]++
}

func (f *fakeScripts) Active(subdir, hook string) bool { return true }

func (f *fakeScripts) RunFlow(hook string, v *alerts.FlowView) []alerts.Raised {
	f.count("flow", hook)
	if v.SrvPort != 53 {
		return nil
	}
	return []alerts.Raised{{Subdir: "flow", Check: "dns_seen", Type: 87, Score: 33, Message: "dns", CliAttacker: true}}
}

func (f *fakeScripts) RunHost(hook string, v *alerts.HostView) []alerts.Raised {
	f.count("host", hook)
	if hook != f.raiseOn {
		return nil
	}
	return []alerts.Raised{{Subdir: "host", Check: "every_host", Type: 24, Score: 42, Message: "seen"}}
}

func (f *fakeScripts) RunInterface(hook string, v *alerts.InterfaceView) []alerts.Raised {
	f.count("interface", hook)
	return nil
}

// minutesOfDNS writes one answered DNS query per minute for n minutes.
func minutesOfDNS(n int) func(w *synth.Writer) error {
	return func(w *synth.Writer) error {
		for i := range n {
			name := "www.example.org"
			if _, err := w.UDPExchange("192.168.1.10", "192.168.1.1", uint16(40000+i), 53,
				synth.DNSQuery(uint16(i), name, 1), synth.DNSResponse(uint16(i), name, "203.0.113.9"), name); err != nil {
				return err
			}
			w.Advance(time.Minute)
		}
		return nil
	}
}

// TestScriptHooksAndAlerts: scripts run on flows and on every host at
// each minute tick, "5mins" every fifth tick; their alerts are stored with
// their own score, and with the category of their registered check.
func TestScriptHooksAndAlerts(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	def := checks.Def{Subdir: "flow", Key: "dns_seen", Title: "DNS seen", AlertID: 87, AlertFamily: "flow",
		Category: "network", Hooks: []string{"all"}, Enabled: true, Listed: true, Conf: "[]"}
	if err := fx.checks.Register(ctx, []checks.Def{def}); err != nil {
		t.Fatal(err)
	}
	fs := &fakeScripts{calls: map[string]int{}, raiseOn: "5mins"}
	fx.scripts = fs
	fx.run(t, minutesOfDNS(12))

	fs.mu.Lock()
	calls := fs.calls
	fs.mu.Unlock()
	// 12 minutes of capture: 11 minute boundaries and the final tick at
	// the end of the input; the first takes baselines, then 12 checked
	// ticks of which 2 (the 5th and 10th) are also 5-minute ones.
	if calls["interface/min"] != 12 || calls["interface/5mins"] != 2 {
		t.Errorf("interface hooks: %v", calls)
	}
	if calls["host/5mins"] == 0 || calls["host/min"] < 5*calls["host/5mins"] {
		t.Errorf("host hooks: %v", calls)
	}
	if calls["flow/protocolDetected"] < 12 {
		t.Errorf("flow hooks: %v", calls)
	}

	flows, n, err := fx.store.Query(ctx, alertdb.FamilyFlow, alertdb.Filter{})
	if err != nil || n != 12 {
		t.Fatalf("%d flow alerts (%v), want one per DNS flow", n, err)
	}
	net, _ := alerts.CategoryByKey("network")
	for _, r := range flows {
		if r.AlertID != 87 || r.Score != 33 || r.Category != int(net.ID) {
			t.Errorf("flow alert %+v: want type 87, score 33, category network", r.Alert)
		}
	}
	// The host alert of the 5-minute hook stays engaged between two
	// 5-minute ticks (not released at the next minute), so each host
	// has one engaged alert, not one per 5-minute pass.
	hosts := 0
	for _, n := range fx.rec.got {
		if n.Family == "host" && n.Type == 24 {
			if n.Score != 42 {
				t.Errorf("host alert score %d, want the script's 42", n.Score)
			}
			if n.Status == "released" {
				t.Errorf("host alert released while the script keeps raising it: %+v", n)
			}
			hosts++
		}
	}
	if hosts == 0 {
		t.Error("no host alert from the 5-minute hook")
	}
}
