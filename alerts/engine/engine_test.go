package engine

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// recorder is a Dispatcher keeping what it receives.
type recorder struct{ got []Notification }

func (r *recorder) Dispatch(n Notification) { r.got = append(r.got, n) }

func (r *recorder) types(family string) map[string]int {
	m := map[string]int{}
	for _, n := range r.got {
		if n.Family == family {
			m[n.TypeName]++
		}
	}
	return m
}

type fixture struct {
	store   *alertdb.Store
	checks  *checks.Store
	rec     *recorder
	scripts Scripts // nil: no user scripts
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cs, err := checks.NewStore(context.Background(), d.SQL(), checks.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: alertdb.New(d, alertdb.Options{}), checks: cs, rec: &recorder{}}
}

// run writes a capture with write, reads it through an interface checked
// by a new engine, and waits for the checks.
func (fx *fixture) run(t *testing.T, write func(w *synth.Writer) error) *probe.Interface {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := synth.NewWriter(f, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := write(w); err != nil {
		t.Fatal(err)
	}
	f.Close()
	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "c.pcap", Registry: reg, PacketClock: true,
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}, nil)})
	e := New(Options{Store: fx.store, Checks: fx.checks, Registry: reg, Dispatcher: fx.rec, Scripts: fx.scripts})
	e.Attach(ifc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Start(ctx)
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := ifc.Capture(ctx, src); err != nil {
		t.Fatal(err)
	}
	e.Drain(ctx)
	cancel()
	e.Wait()
	return ifc
}

func suspiciousTraffic(w *synth.Writer) error {
	// A DNS query for a DGA-looking name, answered.
	name := "xjkqzvbwplmrtyhg.com"
	if _, err := w.UDPExchange("192.168.1.10", "192.168.1.1", 40000, 53,
		synth.DNSQuery(7, name, 1), synth.DNSResponse(7, name, "203.0.113.9"), name); err != nil {
		return err
	}
	// An HTTP request to a numeric host.
	_, err := w.TCPSession("192.168.1.10", "198.51.100.7", 40001, 80,
		[][]byte{synth.HTTPGet("198.51.100.7", "/x")}, [][]byte{synth.HTTPOK(100)}, "")
	return err
}

func TestFlowAlertsFromRisks(t *testing.T) {
	fx := newFixture(t)
	ifc := fx.run(t, suspiciousTraffic)
	got := fx.rec.types("flow")
	for _, want := range []string{"alert_ndpi_suspicious_dga_domain", "alert_ndpi_numeric_ip_host"} {
		if got[want] != 1 {
			t.Errorf("%s raised %d times, want once (all: %v)", want, got[want], got)
		}
	}
	recs, n, err := fx.store.Query(context.Background(), alertdb.FamilyFlow, alertdb.Filter{})
	if err != nil || n != 2 || len(recs) != 2 {
		t.Fatalf("stored %d flow alerts (%v), want one row per alerted flow", n, err)
	}
	for _, r := range recs {
		if r.Score == 0 || r.Fields["cli_ip"] != "192.168.1.10" {
			t.Errorf("stored row %+v", r)
		}
	}
	if ifc.AlertedFlows() != 2 {
		t.Errorf("alerted flows %d, want 2", ifc.AlertedFlows())
	}
}

func TestDisabledCheckRaisesNothing(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	if err := fx.checks.Enable(ctx, "flow", "ndpi_suspicious_dga_domain", false); err != nil {
		t.Fatal(err)
	}
	fx.run(t, suspiciousTraffic)
	got := fx.rec.types("flow")
	if got["alert_ndpi_suspicious_dga_domain"] != 0 || got["alert_ndpi_numeric_ip_host"] != 1 {
		t.Fatalf("with the DGA check disabled: %v", got)
	}
}

func TestExcludedAlertIsNotRaised(t *testing.T) {
	fx := newFixture(t)
	if err := fx.checks.AddExclusion(context.Background(), checks.Exclusion{Subject: "198.51.100.7", Family: "flow", Key: 43}); err != nil {
		t.Fatal(err)
	}
	fx.run(t, suspiciousTraffic)
	if got := fx.rec.types("flow"); got["alert_ndpi_numeric_ip_host"] != 0 || got["alert_ndpi_suspicious_dga_domain"] != 1 {
		t.Fatalf("with an exclusion for the numeric host: %v", got)
	}
}
