package lua

import (
	"context"
	"strconv"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// Alert change bindings: acknowledge and delete (spec §3.5–§3.6).

// visibleRowIDs lists the stored alerts of q the caller may see.
func (b *binder) visibleRowIDs(ctx context.Context, fam alertdb.Family, q *alertQuery) ([]int64, error) {
	var ids []int64
	err := b.eachAlert(ctx, fam, q, func(r *alertdb.Record) { ids = append(ids, r.RowID) })
	return ids, err
}

// changeAlerts applies change (acknowledge or delete) to the stored alerts
// of family fam selected by q. For a restricted caller only the alerts it
// may see are changed: they are selected by rowid, at most
// alertdb.MaxFilterItems per transaction.
func (b *binder) changeAlerts(ctx context.Context, fam alertdb.Family, q *alertQuery,
	change func(alertdb.Filter) error) error {
	if b.alertKeep(fam) == nil {
		return change(q.filter)
	}
	ids, err := b.visibleRowIDs(ctx, fam, q)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), alertdb.MaxFilterItems)
		items := make([]alertdb.FilterItem, n)
		for i, id := range ids[:n] {
			items[i] = alertdb.FilterItem{Value: strconv.FormatInt(id, 10), Op: alertdb.OpEq}
		}
		f := q.filter
		f.Fields = append(append([]alertdb.FieldFilter(nil), q.filter.Fields...), alertdb.FieldFilter{Field: "row_id", Items: items})
		if err := change(f); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// acknowledgeAlerts(family, params) → rc_str, rsp: acknowledge/<family>/alerts
// (spec §3.5) with the label parameter.
func (b *binder) acknowledgeAlerts(L *glua.LState) int {
	family := L.CheckString(1)
	params := paramsOf(L.CheckTable(2))
	if family == "all" {
		return answerAlertError(L, invalidAlertArgs("alerts of every family cannot be acknowledged at once"))
	}
	q, err := b.parseAlertQuery(family, params)
	if err != nil {
		return answerAlertError(L, err)
	}
	if q.engaged() {
		return answerAlertError(L, invalidAlertArgs("engaged alerts cannot be acknowledged: they are not stored"))
	}
	ctx := b.ctx(L)
	fam := alertdb.Family(family)
	st := b.app.Alerts
	if st == nil {
		err = b.validateFilter(ctx, fam, q)
	} else {
		label, now := params["label"], time.Now()
		err = b.changeAlerts(ctx, fam, q, func(f alertdb.Filter) error {
			_, err := st.Acknowledge(ctx, fam, f, label, now)
			return err
		})
	}
	if err != nil {
		return answerAlertError(L, err)
	}
	return answerRC(L, "OK", nil)
}

// deleteAlerts(family, params) → rc_str, rsp: delete/<family>/alerts (spec
// §3.6); family "all" deletes in every family, after checking the filters
// against all of them so that a bad one deletes nothing.
func (b *binder) deleteAlerts(L *glua.LState) int {
	q, err := b.parseAlertQuery(L.CheckString(1), paramsOf(L.CheckTable(2)))
	if err != nil {
		return answerAlertError(L, err)
	}
	if q.engaged() {
		return answerAlertError(L, invalidAlertArgs("engaged alerts cannot be deleted: they are not stored"))
	}
	ctx := b.ctx(L)
	fams := q.families()
	var targets []alertdb.Family
	err = eachFamily(fams, func(fam alertdb.Family) error {
		err := b.validateFilter(ctx, fam, q)
		if err == nil {
			targets = append(targets, fam)
		}
		return err
	})
	if err != nil {
		return answerAlertError(L, err)
	}
	if st := b.app.Alerts; st != nil {
		for _, fam := range targets {
			err := b.changeAlerts(ctx, fam, q, func(f alertdb.Filter) error {
				_, err := st.Delete(ctx, fam, f)
				return err
			})
			if err != nil {
				return answerAlertError(L, err)
			}
		}
	}
	return answerRC(L, "OK", nil)
}
