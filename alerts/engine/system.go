package engine

import (
	"context"
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
