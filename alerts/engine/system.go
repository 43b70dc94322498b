package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// systemIfID is the interface id of system-scoped alerts (ntopng's
// system interface).
const systemIfID = 65535

// Reload takes a new snapshot of the checks configuration. Changes saved
// through the store reload by themselves; checks registered with
// checks.Store.Register (user scripts) do not notify, so their
// registrar calls Reload.
func (e *Engine) Reload() { e.reload() }

// SystemAlert stores and dispatches a one-shot system alert, stamped with
// the wall clock: something the administrator must know about the
// program itself (a user Lua check that failed, for instance). subdir and
// key name what raised it; params go to the alert's json column.
func (e *Engine) SystemAlert(typ int, sev alerts.SeverityID, subdir, key, msg string, params map[string]any) {
	now := time.Now().Unix()
	gen := map[string]any{"alert_generation": map[string]any{"subdir": subdir, "script_key": key, "confset_id": 0}}
	for k, v := range params {
		gen[k] = v
	}
	a := alertdb.Alert{AlertID: typ, Category: int(alerts.CategorySystem), InterfaceID: systemIfID,
		Tstamp: now, Score: alerts.DefaultScore(sev), Description: msg, JSON: jsonText(gen),
		Fields: map[string]any{"name": subdir + "/" + key}}
	if s := e.opts.Store; s != nil {
		if err := s.Insert(context.Background(), alertdb.FamilySystem, []alertdb.Alert{a}); err != nil {
			e.opts.Log.Printf("ERROR: storing a system alert: %v", err)
		}
	}
	e.dispatch(Notification{Family: "system", IfID: systemIfID, Type: typ, Check: key, Score: a.Score,
		Tstamp: now, Entity: subdir + "/" + key, Description: msg, Status: "stored"})
}

// Health of the engine itself: the system checks that watch the program
// ("process health"), on the wall clock since they are about the machine,
// not the traffic.
const (
	alertDroppedAlerts        = 4099 // alert_dropped_alerts
	alertPeriodicNotExecuted  = 4118 // alert_periodic_activity_not_executed
	systemDroppedAlerts       = "dropped_alerts"
	systemPeriodicNotExecuted = "periodic_activity_not_executed"
)

// healthMark is what the health checks remember of a worker.
type healthMark struct{ batches, dropped uint64 }

// watchHealth runs checkHealth every HealthEvery until ctx ends.
func (e *Engine) watchHealth(ctx context.Context) {
	t := time.NewTicker(e.opts.HealthEvery)
	defer t.Stop()
	prev := e.healthMarks()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			prev = e.checkHealth(prev)
		}
	}
}

func (e *Engine) healthMarks() []healthMark {
	out := make([]healthMark, len(e.workers))
	for i, w := range e.workers {
		out[i] = healthMark{w.batches.Load(), w.dropped.Load()}
	}
	return out
}

// checkHealth compares every worker with its previous mark: flow events
// dropped since (the queue was full: checks cannot keep up), or events
// waiting while none was checked (the worker is stuck, e.g. in a slow
// script or a blocked database). It returns the new marks.
func (e *Engine) checkHealth(prev []healthMark) []healthMark {
	cfg := e.cfg.Load()
	cur := e.healthMarks()
	for i, w := range e.workers {
		if cfg.check("system", systemDroppedAlerts) != nil && cur[i].dropped > prev[i].dropped {
			e.SystemAlert(alertDroppedAlerts, alerts.SeverityError, "system", systemDroppedAlerts,
				fmt.Sprintf("%d flow events of interface %s were not checked in the last %s: the check queue was full",
					cur[i].dropped-prev[i].dropped, w.ifc.Name(), e.opts.HealthEvery), nil)
		}
		if cfg.check("system", systemPeriodicNotExecuted) != nil && cur[i].batches == prev[i].batches && len(w.queue) > 0 {
			e.SystemAlert(alertPeriodicNotExecuted, alerts.SeverityError, "system", systemPeriodicNotExecuted,
				fmt.Sprintf("The checks of interface %s made no progress in the last %s (%d batches waiting)",
					w.ifc.Name(), e.opts.HealthEvery, len(w.queue)), nil)
		}
	}
	return cur
}

// SystemCheckOn reports whether the system check key is enabled (the
// caller of SystemAlert for system_error asks first).
func (e *Engine) SystemCheckOn(key string) bool { return e.cfg.Load().check("system", key) != nil }
