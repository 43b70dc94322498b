package lua

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/present"
)

// Alert statistics bindings: time series (spec §3.4), counters (§2.4) and
// the legacy endpoints get/alert/data and get/alert/ts (§2.1–§2.2).

// seriesRange is the time range of a ts request: epoch_begin..epoch_end,
// defaulting to the last hour.
func seriesRange(q *alertQuery) (begin, end int64) {
	end = time.Now().Unix()
	if q.hasEnd {
		end = q.end
	}
	begin = end - 3600
	if q.hasBegin {
		begin = q.begin
	}
	return begin, end
}

// severityCounts accumulates per-severity slot counts.
type severityCounts map[int]*[alertdb.SeriesSlots]int

func (s severityCounts) add(sev, slot, n int) {
	c := s[sev]
	if c == nil {
		c = new([alertdb.SeriesSlots]int)
		s[sev] = c
	}
	c[slot] += n
}

// series turns the counts into a store Series (severities highest first).
func (s severityCounts) series(first, width int64) alertdb.Series {
	out := alertdb.Series{First: first, Width: width, Severities: []alertdb.SeverityCounts{}}
	for sev, c := range s {
		out.Severities = append(out.Severities, alertdb.SeverityCounts{Severity: sev, Counts: *c})
	}
	sort.Slice(out.Severities, func(i, j int) bool { return out.Severities[i].Severity > out.Severities[j].Severity })
	return out
}

// countSeries adds family fam's alerts of q to counts (spec §3.4): stored
// alerts in their slot, engaged ones in their slot and every later one up
// to the end of the range.
func (b *binder) countSeries(ctx context.Context, fam alertdb.Family, q *alertQuery, begin, end int64, counts severityCounts) error {
	first, width := alertdb.SeriesWindow(begin, end)
	last := first + alertdb.SeriesSlots*width - 1
	if st := b.app.Alerts; !q.engaged() && st != nil && b.alertKeep(fam) == nil {
		s, err := st.Series(ctx, fam, q.filter, begin, end)
		for _, sc := range s.Severities {
			for i, n := range sc.Counts {
				if n > 0 {
					counts.add(sc.Severity, i, n)
				}
			}
		}
		return err
	}
	qq := *q
	if q.engaged() {
		qq.end, qq.hasEnd = end, true
	} else {
		qq.filter.EpochBegin, qq.filter.EpochEnd = begin, min(end, last)
	}
	return b.eachAlert(ctx, fam, &qq, func(r *alertdb.Record) {
		sev := recordSeverity(r)
		slot := (r.Tstamp - first) / width
		if !q.engaged() {
			if slot >= 0 && slot < alertdb.SeriesSlots {
				counts.add(sev, int(slot), 1)
			}
			return
		}
		lastSlot := min((end-first)/width, alertdb.SeriesSlots-1)
		for s := max(slot, 0); s <= lastSlot; s++ {
			counts.add(sev, int(s), 1)
		}
	})
}

// countDays adds family fam's alerts of q in begin..end to days.
func (b *binder) countDays(ctx context.Context, fam alertdb.Family, q *alertQuery, begin, end int64, days *present.Days) error {
	qq := *q
	if q.engaged() {
		qq.end, qq.hasEnd = end, true
	} else {
		qq.filter.EpochBegin, qq.filter.EpochEnd = begin, end
	}
	return b.eachAlert(ctx, fam, &qq, func(r *alertdb.Record) {
		if r.Tstamp >= begin {
			days.Add(r.Tstamp, 1)
		}
	})
}

// getAlertSeries(family, params) → rc_str, rsp: get/<family>/alert/ts
// (spec §3.4), or the day/hour counters with by_24h.
func (b *binder) getAlertSeries(L *glua.LState) int {
	q, err := b.parseAlertQuery(L.CheckString(1), paramsOf(L.CheckTable(2)))
	if err != nil {
		return answerAlertError(L, err)
	}
	ctx := b.ctx(L)
	begin, end := seriesRange(q)
	if end < begin {
		return answerAlertError(L, invalidAlertArgs("epoch_end %d is before epoch_begin %d", end, begin))
	}
	if q.by24h {
		days := present.NewDays(begin, end)
		err = eachFamily(q.families(), func(fam alertdb.Family) error {
			return b.countDays(ctx, fam, q, begin, end, days)
		})
		if err != nil {
			return answerAlertError(L, err)
		}
		L.Push(glua.LString("OK"))
		L.Push(presentToLua(L, days.Object()))
		return 2
	}
	counts := severityCounts{}
	err = eachFamily(q.families(), func(fam alertdb.Family) error {
		return b.countSeries(ctx, fam, q, begin, end, counts)
	})
	if err != nil {
		return answerAlertError(L, err)
	}
	L.Push(glua.LString("OK"))
	L.Push(presentToLua(L, present.Series(counts.series(alertdb.SeriesWindow(begin, end)))))
	return 2
}

// counterKey is one group of the counters.
type counterKey struct {
	fam   alertdb.Family
	value int
}

// getAlertCounters(kind, params) → rc_str, rsp: the v2 type ("type") and
// severity ("severity") counters of an interface (spec §2.4). Unlike the
// reference, status, epoch_begin/epoch_end and field filters are applied.
func (b *binder) getAlertCounters(L *glua.LState) int {
	kind := L.CheckString(1)
	column := map[string]string{"type": "alert_id", "severity": "severity"}[kind]
	if column == "" {
		L.ArgError(1, "counter kind must be type or severity")
	}
	q, err := b.parseAlertQuery("all", paramsOf(L.CheckTable(2)))
	if err != nil {
		return answerAlertError(L, err)
	}
	ctx := b.ctx(L)
	counts := map[counterKey]int{}
	err = eachFamily(interfaceFamilies(), func(fam alertdb.Family) error {
		st := b.app.Alerts
		if q.engaged() || st == nil || b.alertKeep(fam) != nil {
			return b.eachAlert(ctx, fam, q, func(r *alertdb.Record) {
				v := r.AlertID
				if column == "severity" {
					v = recordSeverity(r)
				}
				counts[counterKey{fam, v}]++
			})
		}
		groups, err := st.CountBy(ctx, fam, q.filter, column)
		for _, g := range groups {
			counts[counterKey{fam, int(g.Value)}] += g.Count
		}
		return err
	})
	if err != nil {
		return answerAlertError(L, err)
	}
	keys := make([]counterKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if counts[a] != counts[c] {
			return counts[a] > counts[c]
		}
		if ea, ec := present.Entity(a.fam).ID, present.Entity(c.fam).ID; ea != ec {
			return ea < ec
		}
		return a.value < c.value
	})
	out := make([]any, len(keys))
	for i, k := range keys {
		if column == "severity" {
			out[i] = present.SeverityCounter(k.fam, alerts.SeverityID(k.value), counts[k])
		} else {
			out[i] = present.TypeCounter(k.fam, k.value, counts[k])
		}
	}
	L.Push(glua.LString("OK"))
	L.Push(presentToLua(L, out))
	return 2
}

// singleInteger checks a legacy alert_type/alert_severity value: one
// integer (alert_type: not negative); the alert_type words select
// nothing and are dropped.
func singleInteger(params map[string]string, name string, nonNegative bool) error {
	v := strings.TrimSpace(params[name])
	if v == "" {
		delete(params, name)
		return nil
	}
	if name == "alert_type" && legacyTypeWords[v] {
		delete(params, name)
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || (nonNegative && n < 0) {
		return invalidAlertArgs("%s %q must be a single integer", name, v)
	}
	params[name] = v
	return nil
}

// getLegacyAlerts(params) → rc_str, rsp: get/alert/data.lua (spec §2.1),
// host alerts in the legacy record format.
func (b *binder) getLegacyAlerts(L *glua.LState) int {
	params := paramsOf(L.CheckTable(1))
	if _, ok := b.alertInterface(params["ifid"]); !ok {
		return answerAlertError(L, errNoInterface)
	}
	status := strings.TrimSpace(params["status"])
	if status == "" {
		return answerAlertError(L, invalidAlertArgs("status is required (historical or engaged)"))
	}
	if status != "engaged" {
		params["status"] = "historical"
	}
	begin, hasBegin, err1 := intParam(params, "epoch_begin")
	end, hasEnd, err2 := intParam(params, "epoch_end")
	if err := errors.Join(err1, err2); err != nil {
		return answerAlertError(L, err)
	}
	if !hasBegin || !hasEnd || begin > end {
		delete(params, "epoch_begin")
		delete(params, "epoch_end")
	}
	if err := errors.Join(singleInteger(params, "alert_type", true), singleInteger(params, "alert_severity", false)); err != nil {
		return answerAlertError(L, err)
	}
	q, err := b.parseAlertQuery("host", params)
	if err != nil {
		return answerAlertError(L, err)
	}
	page, _, err := b.alertPage(b.ctx(L), alertdb.FamilyHost, q)
	if err != nil {
		return answerAlertError(L, err)
	}
	out := make([]any, len(page))
	for i := range page {
		out[i] = present.Legacy(alertdb.FamilyHost, &page[i])
	}
	L.Push(glua.LString("OK"))
	L.Push(presentToLua(L, out))
	return 2
}

// getLegacyAlertSeries(params) → rc_str, rsp: get/alert/ts.lua (spec §2.2),
// alerts per UTC day and hour, really counted: historical-flows counts
// flow alerts, historical the other alerts of the interface, engaged the
// engaged ones. alert_type, alert_severity, host and vlan filter them.
func (b *binder) getLegacyAlertSeries(L *glua.LState) int {
	in := paramsOf(L.CheckTable(1))
	if _, ok := b.alertInterface(in["ifid"]); !ok {
		return answerAlertError(L, errNoInterface)
	}
	var fams []alertdb.Family
	status := strings.TrimSpace(in["status"])
	switch status {
	case "historical-flows":
		fams = []alertdb.Family{alertdb.FamilyFlow}
	case "historical", "engaged":
		for _, f := range interfaceFamilies() {
			if f != alertdb.FamilyFlow || status == "engaged" {
				fams = append(fams, f)
			}
		}
	default:
		return answerAlertError(L, invalidAlertArgs("status must be historical, historical-flows or engaged"))
	}
	begin, hasBegin, err1 := intParam(in, "epoch_begin")
	end, hasEnd, err2 := intParam(in, "epoch_end")
	if err := errors.Join(err1, err2); err != nil {
		return answerAlertError(L, err)
	}
	if !hasBegin || !hasEnd || end <= begin {
		return answerAlertError(L, invalidAlertArgs("epoch_begin and epoch_end are required, epoch_end after epoch_begin"))
	}
	params := map[string]string{"ifid": in["ifid"], "status": "historical",
		"alert_type": in["alert_type"], "alert_severity": in["alert_severity"]}
	if status == "engaged" {
		params["status"] = "engaged"
	}
	if err := errors.Join(singleInteger(params, "alert_type", true), singleInteger(params, "alert_severity", false)); err != nil {
		return answerAlertError(L, err)
	}
	if h := strings.TrimSpace(in["host"]); h != "" {
		k, ok := ParseHost(h, in["vlan"])
		if !ok {
			return answerAlertError(L, invalidAlertArgs("host %q is not an IP address", h))
		}
		params["ip"] = k.IP.String()
		params["vlan_id"] = strconv.Itoa(int(k.VLAN))
	} else if v := strings.TrimSpace(in["vlan"]); v != "" {
		params["vlan_id"] = v
	}
	q, err := b.parseAlertQuery("all", params)
	if err != nil {
		return answerAlertError(L, err)
	}
	ctx := b.ctx(L)
	days := present.NewDays(begin, end)
	err = eachFamily(fams, func(fam alertdb.Family) error {
		return b.countDays(ctx, fam, q, begin, end, days)
	})
	if err != nil {
		return answerAlertError(L, err)
	}
	L.Push(glua.LString("OK"))
	L.Push(presentToLua(L, days.Object()))
	return 2
}
