package engine

import (
	"sort"
	"strings"
	"sync"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// engagedKey identifies an engaged alert: one alert type on one entity
// (a host and its role, an interface) of one interface.
type engagedKey struct {
	ifid   int
	family alertdb.Family
	entity string
	typ    int
}

type engagedAlert struct {
	alert alertdb.Alert
	check string // script_key of the check that raised it
}

// engagedTable holds the engaged alerts of every interface. Workers
// write it; REST readers list it.
type engagedTable struct {
	mu sync.RWMutex
	m  map[engagedKey]*engagedAlert
}

// engage records an engaged alert. It returns true when the alert is
// new; an alert already engaged keeps its engage time and takes the
// latest values.
func (t *engagedTable) engage(k engagedKey, check string, a alertdb.Alert, now int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.m[k]; ok {
		a.Tstamp = cur.alert.Tstamp
		a.Counter = cur.alert.Counter + 1
		cur.alert = a
		return false
	}
	a.Counter = 1
	t.m[k] = &engagedAlert{alert: a, check: check}
	return true
}

// releaseMissing releases the engaged alerts of worker w's interface
// that were not raised again this tick: they become historical alerts
// (tstamp = engage time, tstamp_end = release time) and are dispatched.
func (t *engagedTable) releaseMissing(w *worker, now int64, active map[engagedKey]bool) {
	var released []engagedKey
	var alerts []alertdb.Alert
	var checks []string
	t.mu.Lock()
	for k, e := range t.m {
		if k.ifid != w.ifc.ID() || active[k] {
			continue
		}
		a := e.alert
		a.TstampEnd = max(now/1e6, a.Tstamp)
		alerts = append(alerts, a)
		checks = append(checks, e.check)
		released = append(released, k)
		delete(t.m, k)
	}
	t.mu.Unlock()
	for i, a := range alerts {
		k := released[i]
		w.store(k.family, a)
		entity := k.entity
		if k.family == alertdb.FamilyHost {
			// "ip@vlan/role": the role keeps the attacker and victim
			// alerts of a host apart; recipients get the host, as when
			// the alert was engaged.
			entity, _, _ = strings.Cut(entity, "/")
		}
		w.dispatch(Notification{Family: string(k.family), IfID: k.ifid, Type: a.AlertID, Check: checks[i], Score: a.Score,
			Tstamp: a.Tstamp, TstampEnd: a.TstampEnd, Entity: entity, Description: a.Description, Status: "released"})
	}
}

func (t *engagedTable) list(ifid int, fam alertdb.Family) []alertdb.Record {
	t.mu.RLock()
	var out []alertdb.Record
	for k, e := range t.m {
		if k.family == fam && (k.ifid == ifid || fam.SystemScoped()) {
			out = append(out, alertdb.Record{Status: alertdb.StatusEngaged, Alert: e.alert})
		}
	}
	t.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Tstamp > out[j].Tstamp })
	return out
}

func (t *engagedTable) count(ifid int) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := 0
	for k := range t.m {
		if k.ifid == ifid {
			n++
		}
	}
	return n
}
