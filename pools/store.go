package pools

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// eachRow runs scan on every row of query.
func eachRow(ctx context.Context, q *sql.DB, query string, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// load reads every pool from the database (tables of migration 4).
func (m *Manager) load(ctx context.Context) (*state, error) {
	s := emptyState()
	q := m.db.SQL()
	err := eachRow(ctx, q, "SELECT kind, id, name, policy FROM pools", func(rows *sql.Rows) error {
		p := &Pool{}
		if err := rows.Scan(&p.Kind, &p.ID, &p.Name, &p.Policy); err != nil {
			return err
		}
		if s.pools[p.Kind] == nil {
			m.cfg.Logger.Printf("WARNING: pools: ignoring pool %d of unknown type %q", p.ID, p.Kind)
			return nil
		}
		s.pools[p.Kind][p.ID] = p
		return nil
	})
	if err == nil {
		err = eachRow(ctx, q, "SELECT kind, member, pool_id FROM pool_members ORDER BY member", func(rows *sql.Rows) error {
			var kind Kind
			var key string
			var id int
			if err := rows.Scan(&kind, &key, &id); err != nil {
				return err
			}
			p := s.pools[kind][id]
			if p == nil {
				return nil
			}
			if p.Kind == Host {
				mem, err := ParseMember(key, false)
				if err != nil {
					m.cfg.Logger.Printf("WARNING: pools: ignoring member %q of pool %d: %v", key, id, err)
					return nil
				}
				p.members = append(p.members, mem)
			}
			p.Members = append(p.Members, key)
			s.owner[p.Kind][key] = id
			return nil
		})
	}
	if err == nil {
		err = eachRow(ctx, q, "SELECT kind, pool_id, recipient_id FROM pool_recipients ORDER BY recipient_id", func(rows *sql.Rows) error {
			var kind Kind
			var id, r int
			if err := rows.Scan(&kind, &id, &r); err != nil {
				return err
			}
			if p := s.pools[kind][id]; p != nil {
				p.Recipients = append(p.Recipients, r)
			}
			return nil
		})
	}
	if err == nil {
		err = eachRow(ctx, q, "SELECT kind, next_id FROM pool_next_ids", func(rows *sql.Rows) error {
			var kind Kind
			var next int
			if err := rows.Scan(&kind, &next); err != nil {
				return err
			}
			s.next[kind] = next
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("pools: loading: %w", err)
	}
	return s, nil
}

// persist writes the difference between two states in one transaction.
// Pools are immutable values, so a pool changed when its pointer did.
func (m *Manager) persist(ctx context.Context, prev, next *state) error {
	type ref struct {
		k  Kind
		id int
	}
	var gone, changed []ref
	var saves []*Pool
	for _, k := range Kinds {
		for id, p := range prev.pools[k] {
			if n := next.pools[k][id]; n != p {
				gone = append(gone, ref{k, id})
			}
		}
		for id, p := range next.pools[k] {
			if prev.pools[k][id] != p {
				changed = append(changed, ref{k, id})
				saves = append(saves, p)
			}
		}
	}
	nextChanged := false
	for _, k := range Kinds {
		if prev.next[k] != next.next[k] {
			nextChanged = true
		}
	}
	if len(gone) == 0 && len(saves) == 0 && !nextChanged {
		return nil
	}
	// Saves follow ids so that a failure names the same pool every time.
	slices.SortFunc(saves, func(a, b *Pool) int {
		if a.Kind != b.Kind {
			if a.Kind < b.Kind {
				return -1
			}
			return 1
		}
		return a.ID - b.ID
	})
	return m.db.Tx(ctx, func(tx *sql.Tx) error {
		// Members and recipients of every touched pool go first, so a
		// member moving between pools, or a name freed by one pool and
		// taken by another, never meets its old row.
		for _, r := range append(gone, changed...) {
			for _, stmt := range []string{
				"DELETE FROM pool_members WHERE kind = ? AND pool_id = ?",
				"DELETE FROM pool_recipients WHERE kind = ? AND pool_id = ?",
			} {
				if _, err := tx.ExecContext(ctx, stmt, string(r.k), r.id); err != nil {
					return err
				}
			}
		}
		for _, r := range gone {
			if next.pools[r.k][r.id] == nil {
				if _, err := tx.ExecContext(ctx, "DELETE FROM pools WHERE kind = ? AND id = ?", string(r.k), r.id); err != nil {
					return err
				}
			}
		}
		for _, p := range saves {
			// A placeholder name first: renames within one change must
			// not collide on the unique name index midway.
			if _, err := tx.ExecContext(ctx, `INSERT INTO pools(kind, id, name, policy) VALUES(?, ?, ?, ?)
				ON CONFLICT(kind, id) DO UPDATE SET name = excluded.name, policy = excluded.policy`,
				string(p.Kind), p.ID, fmt.Sprintf("\x00%d", p.ID), p.Policy); err != nil {
				return err
			}
		}
		for _, p := range saves {
			if _, err := tx.ExecContext(ctx, "UPDATE pools SET name = ? WHERE kind = ? AND id = ?", p.Name, string(p.Kind), p.ID); err != nil {
				return fmt.Errorf("pool %d: %w", p.ID, err)
			}
			for _, mem := range p.Members {
				if _, err := tx.ExecContext(ctx, "INSERT INTO pool_members(kind, member, pool_id) VALUES(?, ?, ?)",
					string(p.Kind), mem, p.ID); err != nil {
					return fmt.Errorf("pool %d member %s: %w", p.ID, mem, err)
				}
			}
			for _, r := range p.Recipients {
				if _, err := tx.ExecContext(ctx, "INSERT INTO pool_recipients(kind, pool_id, recipient_id) VALUES(?, ?, ?)",
					string(p.Kind), p.ID, r); err != nil {
					return err
				}
			}
		}
		for _, k := range Kinds {
			if prev.next[k] != next.next[k] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO pool_next_ids(kind, next_id) VALUES(?, ?)
					ON CONFLICT(kind) DO UPDATE SET next_id = excluded.next_id`, string(k), next.next[k]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
