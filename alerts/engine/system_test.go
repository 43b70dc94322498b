package engine

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// TestHealthChecks: dropped flow events and a worker that makes no
// progress with events waiting raise the system alerts; a healthy idle
// worker raises nothing; a disabled system check stays silent.
func TestHealthChecks(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	ifc := probe.New(probe.Config{ID: 0, Name: "eth9", Registry: dpi.NewRegistry(),
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}, nil)})
	e := New(Options{Store: fx.store, Checks: fx.checks, Dispatcher: fx.rec})
	e.Attach(ifc)
	w := e.workers[0]

	marks := e.healthMarks()
	marks = e.checkHealth(marks) // idle and healthy
	if len(fx.rec.got) != 0 {
		t.Fatalf("healthy engine raised %v", fx.rec.got)
	}

	// The worker is not started: a queued batch is never checked.
	w.queue <- batch{}
	w.dropped.Add(7)
	marks = e.checkHealth(marks)
	got := map[int]string{}
	for _, n := range fx.rec.got {
		if n.Family != "system" || n.Status != "stored" {
			t.Errorf("notification %+v", n)
		}
		got[n.Type] = n.Description
	}
	if !strings.Contains(got[alertDroppedAlerts], "7 flow events of interface eth9") {
		t.Errorf("dropped alerts: %q", got[alertDroppedAlerts])
	}
	if !strings.Contains(got[alertPeriodicNotExecuted], "interface eth9 made no progress") {
		t.Errorf("stuck worker: %q", got[alertPeriodicNotExecuted])
	}
	recs, n, err := fx.store.Query(ctx, alertdb.FamilySystem, alertdb.Filter{})
	if err != nil || n != 2 || recs[0].InterfaceID != systemIfID {
		t.Fatalf("stored system alerts: %d %v %+v", n, err, recs)
	}

	// Disabled, the check is silent although the worker is still stuck.
	if err := fx.checks.Enable(ctx, "system", systemPeriodicNotExecuted, false); err != nil {
		t.Fatal(err)
	}
	fx.rec.got = nil
	e.checkHealth(marks)
	if len(fx.rec.got) != 0 {
		t.Errorf("disabled check raised %v", fx.rec.got)
	}
	if e.SystemCheckOn(systemPeriodicNotExecuted) || !e.SystemCheckOn("system_error") {
		t.Error("SystemCheckOn does not follow the configuration")
	}
}
