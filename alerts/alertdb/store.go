// Package alertdb is the historical alert store: one SQLite table per
// alert entity family (migration 5 of package db), written in batches and
// read with the filters, paging and sorting of the REST alert endpoints
// (spec rest-alerts-checks.md §1.2–1.3 and §3). See docs/alerts.md.
//
// Every value reaches SQL as a parameter; column names come only from
// the per-family whitelists of family.go.
package alertdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ntopng-go/ntopng/db"
)

// DefaultMaxAlertsPerFamily is the retention used when
// Options.MaxAlertsPerFamily is 0.
const DefaultMaxAlertsPerFamily = 1_000_000

// Options configure a Store.
type Options struct {
	// MaxAlertsPerFamily bounds the rows of each family table (all
	// interfaces together): when an Insert batch makes a table exceed
	// it, the oldest stored rows (smallest rowid, i.e. stored first) are
	// deleted in the same transaction. 0: DefaultMaxAlertsPerFamily;
	// negative: no limit.
	MaxAlertsPerFamily int
	// ProtoByName resolves L7 protocol names in the l7proto filter
	// (optional: without it only ids are accepted).
	ProtoByName ProtoResolver
}

// Store reads and writes historical alerts. It is safe for concurrent
// use. Writers (Insert, Acknowledge, Delete) are serialised by the store
// (SQLite serialises them anyway) so that the per-family row counts kept
// for retention stay exact; readers run concurrently with them and see
// the last committed state (WAL).
type Store struct {
	db   *db.DB
	opts Options

	wmu    sync.Mutex       // held by every write transaction
	counts map[Family]int64 // rows per table, once known; guarded by wmu
}

// New returns a store on d, whose migrations created the tables.
func New(d *db.DB, opts Options) *Store {
	if opts.MaxAlertsPerFamily == 0 {
		opts.MaxAlertsPerFamily = DefaultMaxAlertsPerFamily
	}
	return &Store{db: d, opts: opts, counts: map[Family]int64{}}
}

// Insert stores alerts of family fam as historical alerts, in one
// transaction with one prepared statement: either all of them are stored
// or none (an invalid alert is reported, with its index, before anything
// is written). Retention is applied in the same transaction.
func (s *Store) Insert(ctx context.Context, fam Family, alerts []Alert) error {
	_, err := s.InsertRowIDs(ctx, fam, alerts)
	return err
}

// InsertRowIDs is Insert returning the rowid given to each alert. An
// alert removed at once by retention keeps its (dead) rowid.
func (s *Store) InsertRowIDs(ctx context.Context, fam Family, alerts []Alert) ([]int64, error) {
	fi, err := lookup(fam)
	if err != nil {
		return nil, err
	}
	if len(alerts) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(alerts))
	rows := make([][]any, len(alerts))
	for i := range alerts {
		if rows[i], err = fi.prepare(alerts[i]); err != nil {
			return nil, fmt.Errorf("alertdb: %s alert #%d: %w", fam, i, err)
		}
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var count int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, fi.insertSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, args := range rows {
			res, err := stmt.ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		count, err = s.retain(ctx, tx, fi, int64(len(rows)))
		return err
	})
	if err != nil {
		delete(s.counts, fam) // unknown again: recounted by the next insert
		return nil, fmt.Errorf("alertdb: storing %d %s alerts: %w", len(rows), fam, err)
	}
	if count >= 0 {
		s.counts[fam] = count
	}
	return ids, nil
}

// ErrNoSuchAlert is returned by Update for a rowid that is not stored.
var ErrNoSuchAlert = errors.New("alertdb: no such alert")

// Update rewrites the stored alert rowid of family fam with a, keeping its
// status and acknowledgement label (the engine updates the one row of a
// flow when further alerts are raised on it), in one transaction.
func (s *Store) Update(ctx context.Context, fam Family, rowid int64, a Alert) error {
	fi, err := lookup(fam)
	if err != nil {
		return err
	}
	args, err := fi.prepare(a)
	if err != nil {
		return fmt.Errorf("alertdb: %s alert: %w", fam, err)
	}
	cols := fi.insertColumns()
	var set []string
	var vals []any
	for i, c := range cols {
		if c == "user_label" {
			continue
		}
		set = append(set, quote(c)+" = ?")
		vals = append(vals, args[i])
	}
	vals = append(vals, rowid)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE "+quote(fi.table)+" SET "+strings.Join(set, ", ")+" WHERE rowid = ?", vals...)
		if err != nil {
			return fmt.Errorf("alertdb: updating %s alert %d: %w", fam, rowid, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return ErrNoSuchAlert
		}
		return nil
	})
}

// retain applies MaxAlertsPerFamily after added rows were inserted in
// tx, and returns the new row count of the table (-1: not tracked).
// Called with wmu held.
func (s *Store) retain(ctx context.Context, tx *sql.Tx, fi *familyInfo, added int64) (int64, error) {
	limit := int64(s.opts.MaxAlertsPerFamily)
	if limit < 0 {
		return -1, nil
	}
	n, known := s.counts[fi.family]
	n += added
	if !known || n > limit {
		// Exact count: the first time, and before deleting anything
		// (another process may have deleted rows meanwhile).
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(fi.table)).Scan(&n); err != nil {
			return 0, err
		}
	}
	if n <= limit {
		return n, nil
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM "+quote(fi.table)+
		" WHERE rowid IN (SELECT rowid FROM "+quote(fi.table)+" ORDER BY rowid LIMIT ?)", n-limit)
	if err != nil {
		return 0, err
	}
	del, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n - del, nil
}

// Query returns the page of alerts of family fam selected by f, and the
// number of alerts matching f before paging (recordsFiltered).
func (s *Store) Query(ctx context.Context, fam Family, f Filter) ([]Record, int, error) {
	fi, err := lookup(fam)
	if err != nil {
		return nil, 0, err
	}
	w, err := fi.where(&f, s.opts.ProtoByName, nil)
	if err != nil {
		return nil, 0, err
	}
	order, pageArgs, err := fi.orderBy(&f)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.count(ctx, fi, w)
	if err != nil {
		return nil, 0, err
	}
	if total == 0 || (f.Start > 0 && f.Start >= total) {
		return []Record{}, total, nil
	}
	rows, err := s.db.SQL().QueryContext(ctx, fi.selectSQL+w.String()+order, append(w.args, pageArgs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("alertdb: querying %s alerts: %w", fam, err)
	}
	defer rows.Close()
	capacity := total - f.Start
	if f.Length > 0 {
		capacity = min(capacity, f.Length)
	}
	out := make([]Record, 0, capacity)
	for rows.Next() {
		r, err := fi.scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("alertdb: reading %s alerts: %w", fam, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("alertdb: reading %s alerts: %w", fam, err)
	}
	return out, total, nil
}

// scan reads one row of fi.selectSQL.
func (fi *familyInfo) scan(rows *sql.Rows) (Record, error) {
	var r Record
	var status int
	dest := []any{&r.RowID, &r.AlertID, &status, &r.Category, &r.InterfaceID, &r.Tstamp,
		&r.TstampEnd, &r.Severity, &r.Score, &r.Counter, &r.JSON, &r.UserLabel, &r.UserLabelTstamp}
	if fi.hasDescr {
		dest = append(dest, &r.Granularity, &r.Description)
	}
	vals := make([]any, len(fi.cols))
	for i, c := range fi.cols {
		switch c.kind {
		case kindInt, kindBool:
			vals[i] = new(int64)
		case kindReal:
			vals[i] = new(float64)
		default:
			vals[i] = new(string)
		}
		dest = append(dest, vals[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return Record{}, err
	}
	r.Status = Status(status)
	r.Fields = make(map[string]any, len(fi.cols))
	for i, c := range fi.cols {
		switch v := vals[i].(type) {
		case *int64:
			if c.kind == kindBool {
				r.Fields[c.name] = *v != 0
			} else {
				r.Fields[c.name] = *v
			}
		case *float64:
			r.Fields[c.name] = *v
		case *string:
			r.Fields[c.name] = *v
		}
	}
	return r, nil
}

// Count returns the number of alerts of family fam matching f.
func (s *Store) Count(ctx context.Context, fam Family, f Filter) (int, error) {
	fi, err := lookup(fam)
	if err != nil {
		return 0, err
	}
	w, err := fi.where(&f, s.opts.ProtoByName, nil)
	if err != nil {
		return 0, err
	}
	return s.count(ctx, fi, w)
}

func (s *Store) count(ctx context.Context, fi *familyInfo, w *sqlWhere) (int, error) {
	var n int
	err := s.db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(fi.table)+w.String(), w.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("alertdb: counting %s alerts: %w", fi.family, err)
	}
	return n, nil
}

// GroupCount is one group of CountBy.
type GroupCount struct {
	Value int64
	Count int
}

// countByColumns are the columns CountBy may group on.
var countByColumns = map[string]bool{"alert_id": true, "severity": true, "alert_category": true, "score": true}

// CountBy counts the alerts of family fam matching f per value of column
// (alert_id, severity, alert_category or score), by count descending then
// value ascending (the v2 type/severity counters, spec §2.4).
func (s *Store) CountBy(ctx context.Context, fam Family, f Filter, column string) ([]GroupCount, error) {
	fi, err := lookup(fam)
	if err != nil {
		return nil, err
	}
	if !countByColumns[column] {
		return nil, fmt.Errorf("%w: cannot count by %q (alert_id, severity, alert_category, score)", ErrInvalidFilter, column)
	}
	w, err := fi.where(&f, s.opts.ProtoByName, nil)
	if err != nil {
		return nil, err
	}
	c := quote(column)
	rows, err := s.db.SQL().QueryContext(ctx, "SELECT "+c+", COUNT(*) AS n FROM "+quote(fi.table)+w.String()+
		" GROUP BY "+c+" ORDER BY n DESC, "+c+" ASC", w.args...)
	if err != nil {
		return nil, fmt.Errorf("alertdb: counting %s alerts: %w", fam, err)
	}
	defer rows.Close()
	out := []GroupCount{}
	for rows.Next() {
		var g GroupCount
		if err := rows.Scan(&g.Value, &g.Count); err != nil {
			return nil, fmt.Errorf("alertdb: counting %s alerts: %w", fam, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("alertdb: counting %s alerts: %w", fam, err)
	}
	return out, nil
}

// Acknowledge marks the alerts of family fam matching f (default status
// filter: historical) as acknowledged with the given label and time, in
// one transaction, and returns how many were changed (spec §3.5).
func (s *Store) Acknowledge(ctx context.Context, fam Family, f Filter, label string, now time.Time) (int, error) {
	fi, err := lookup(fam)
	if err != nil {
		return 0, err
	}
	if err := validate.Var(label, "max=1024,nocontrol"); err != nil {
		return 0, fmt.Errorf("alertdb: %w: %s", ErrInvalid, describe(err, "label"))
	}
	w, err := fi.where(&f, s.opts.ProtoByName, nil)
	if err != nil {
		return 0, err
	}
	args := append([]any{int(StatusAcknowledged), label, now.Unix()}, w.args...)
	var n int64
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE "+quote(fi.table)+
			` SET "alert_status" = ?, "user_label" = ?, "user_label_tstamp" = ?`+w.String(), args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("alertdb: acknowledging %s alerts: %w", fam, err)
	}
	return int(n), nil
}

// Delete deletes the alerts of family fam matching f (default status
// filter: historical) in one transaction and returns how many were
// deleted (spec §3.6).
func (s *Store) Delete(ctx context.Context, fam Family, f Filter) (int, error) {
	fi, err := lookup(fam)
	if err != nil {
		return 0, err
	}
	w, err := fi.where(&f, s.opts.ProtoByName, nil)
	if err != nil {
		return 0, err
	}
	var n int64
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+quote(fi.table)+w.String(), w.args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		delete(s.counts, fam)
		return 0, fmt.Errorf("alertdb: deleting %s alerts: %w", fam, err)
	}
	if c, ok := s.counts[fam]; ok {
		s.counts[fam] = c - n
	}
	return int(n), nil
}
