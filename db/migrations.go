package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Migration is one versioned schema change.
type Migration struct {
	// Version is unique and strictly increasing along the migrations
	// slice; it is recorded in schema_migrations once applied.
	Version int
	// Name is a short description, for error messages.
	Name string
	// SQL is executed (it may hold several statements) and then Func,
	// when set; both inside the migration's transaction.
	SQL  string
	Func func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the ordered list of schema changes. Each one is applied
// exactly once, in its own transaction, together with the row recording it
// in schema_migrations.
//
// To change the schema APPEND a migration with the next version number,
// e.g.
//
//	{Version: 2, Name: "create alerts", SQL: `CREATE TABLE alerts (...);`},
//
// Never edit, renumber, reorder or delete a migration that has been
// released: databases in the field have already applied it and will not
// run it again. Do not put BEGIN/COMMIT in the SQL.
var migrations = []Migration{
	{
		Version: 1,
		Name:    "create users",
		SQL: `
CREATE TABLE users (
	username         TEXT PRIMARY KEY NOT NULL,
	full_name        TEXT NOT NULL DEFAULT '',
	password_hash    TEXT NOT NULL,
	user_group       TEXT NOT NULL DEFAULT 'unprivileged',
	allowed_networks TEXT NOT NULL DEFAULT '0.0.0.0/0,::/0',
	allowed_ifname   TEXT NOT NULL DEFAULT '',
	language         TEXT NOT NULL DEFAULT 'en',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX users_user_group ON users(user_group);
`,
	},
	{
		Version: 2,
		Name:    "create host_aliases",
		SQL: `
CREATE TABLE host_aliases (
	ip         TEXT PRIMARY KEY NOT NULL,
	alias      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
`,
	},
	{
		Version: 3,
		Name:    "user flags, API tokens and sessions",
		SQL: `
ALTER TABLE users ADD COLUMN allow_pcap_download    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN allow_historical_flows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN allow_alerts           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN host_pool_id           INTEGER;
CREATE TABLE api_tokens (
	username   TEXT PRIMARY KEY NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY NOT NULL,
	username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX sessions_username ON sessions(username);
`,
	},
	{
		Version: 4,
		Name:    "pools",
		// Tables of package pools. A member belongs to at most one pool
		// of its kind: the primary key of pool_members says so too.
		SQL: `
CREATE TABLE pools (
	kind   TEXT NOT NULL,
	id     INTEGER NOT NULL,
	name   TEXT NOT NULL,
	policy TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (kind, id),
	UNIQUE (kind, name)
);
CREATE TABLE pool_members (
	kind    TEXT NOT NULL,
	member  TEXT NOT NULL,
	pool_id INTEGER NOT NULL,
	PRIMARY KEY (kind, member),
	FOREIGN KEY (kind, pool_id) REFERENCES pools(kind, id) ON DELETE CASCADE
);
CREATE INDEX pool_members_pool ON pool_members(kind, pool_id);
CREATE TABLE pool_recipients (
	kind         TEXT NOT NULL,
	pool_id      INTEGER NOT NULL,
	recipient_id INTEGER NOT NULL,
	PRIMARY KEY (kind, pool_id, recipient_id),
	FOREIGN KEY (kind, pool_id) REFERENCES pools(kind, id) ON DELETE CASCADE
);
CREATE TABLE pool_next_ids (
	kind    TEXT PRIMARY KEY NOT NULL,
	next_id INTEGER NOT NULL
);
`,
	},
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY NOT NULL,
	applied_at TEXT NOT NULL
)`

// checkMigrations verifies that versions are positive and strictly
// increasing.
func checkMigrations(ms []Migration) error {
	prev := 0
	for i, m := range ms {
		if m.Version <= prev {
			return fmt.Errorf("migration #%d (%q): version %d must be greater than %d", i, m.Name, m.Version, prev)
		}
		if m.SQL == "" && m.Func == nil {
			return fmt.Errorf("migration %d (%q) has neither SQL nor Func", m.Version, m.Name)
		}
		prev = m.Version
	}
	return nil
}

// migrate applies the migrations of ms not yet recorded in
// schema_migrations.
func migrate(ctx context.Context, sqlDB *sql.DB, ms []Migration) error {
	if err := checkMigrations(ms); err != nil {
		return err
	}
	if _, err := sqlDB.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, sqlDB)
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	for v := range applied {
		if v > latest {
			return fmt.Errorf("database schema version %d is newer than the latest known by this program (%d)", v, latest)
		}
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		err := runTx(ctx, sqlDB, func(tx *sql.Tx) error {
			// Checked inside the (immediate, hence exclusive for
			// writers) transaction: another process may have applied
			// it meanwhile.
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.Version).Scan(&one)
			if err == nil {
				return nil // already applied
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if m.SQL != "" {
				if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
					return err
				}
			}
			if m.Func != nil {
				if err := m.Func(ctx, tx); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)",
				m.Version, time.Now().UTC().Format(time.RFC3339Nano))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, sqlDB *sql.DB) (map[int]bool, error) {
	rows, err := sqlDB.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("reading schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	return applied, nil
}
