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
	{
		Version: 5,
		Name:    "alert store",
		// Historical alerts of package alerts/alertdb, one table per
		// entity family (spec rest-alerts-checks.md §1.2). alert_status:
		// 0 historical, 1 acknowledged. System, user and active
		// monitoring alerts use interface_id 65535 (the system
		// interface). rowid is AUTOINCREMENT so that ids are never
		// reused and the smallest rowid is the oldest stored alert.
		// The (interface_id, alert_status, tstamp) index serves the
		// usual page (one interface, one status or IN (0, 1), by
		// tstamp) and its count without reading the table.
		SQL: `
CREATE TABLE flow_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	ip_version        INTEGER NOT NULL DEFAULT 0,
	cli_ip            TEXT    NOT NULL DEFAULT '',
	srv_ip            TEXT    NOT NULL DEFAULT '',
	cli_port          INTEGER NOT NULL DEFAULT 0,
	srv_port          INTEGER NOT NULL DEFAULT 0,
	vlan_id           INTEGER NOT NULL DEFAULT 0,
	is_cli_attacker   INTEGER NOT NULL DEFAULT 0,
	is_cli_victim     INTEGER NOT NULL DEFAULT 0,
	is_srv_attacker   INTEGER NOT NULL DEFAULT 0,
	is_srv_victim     INTEGER NOT NULL DEFAULT 0,
	proto             INTEGER NOT NULL DEFAULT 0,
	l7_proto          INTEGER NOT NULL DEFAULT 0,
	l7_master_proto   INTEGER NOT NULL DEFAULT 0,
	l7_cat            INTEGER NOT NULL DEFAULT 0,
	cli_name          TEXT    NOT NULL DEFAULT '',
	srv_name          TEXT    NOT NULL DEFAULT '',
	cli_country       TEXT    NOT NULL DEFAULT '',
	srv_country       TEXT    NOT NULL DEFAULT '',
	cli_blacklisted   INTEGER NOT NULL DEFAULT 0,
	srv_blacklisted   INTEGER NOT NULL DEFAULT 0,
	cli2srv_bytes     INTEGER NOT NULL DEFAULT 0,
	srv2cli_bytes     INTEGER NOT NULL DEFAULT 0,
	cli2srv_pkts      INTEGER NOT NULL DEFAULT 0,
	srv2cli_pkts      INTEGER NOT NULL DEFAULT 0,
	first_seen        INTEGER NOT NULL DEFAULT 0,
	community_id      TEXT    NOT NULL DEFAULT '',
	alerts_map        TEXT    NOT NULL DEFAULT '',
	flow_risk_bitmap  INTEGER NOT NULL DEFAULT 0,
	output_snmp       INTEGER NOT NULL DEFAULT 0,
	input_snmp        INTEGER NOT NULL DEFAULT 0,
	probe_ip          TEXT    NOT NULL DEFAULT '',
	cli_location      INTEGER NOT NULL DEFAULT 0,
	srv_location      INTEGER NOT NULL DEFAULT 0,
	info              TEXT    NOT NULL DEFAULT '',
	cli_host_pool_id  INTEGER NOT NULL DEFAULT 0,
	srv_host_pool_id  INTEGER NOT NULL DEFAULT 0,
	cli_network       INTEGER NOT NULL DEFAULT 0,
	srv_network       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX flow_alerts_ifid_status_tstamp ON flow_alerts(interface_id, alert_status, tstamp);
CREATE INDEX flow_alerts_alert_id ON flow_alerts(alert_id);
CREATE TABLE host_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	ip_version        INTEGER NOT NULL DEFAULT 0,
	ip                TEXT    NOT NULL DEFAULT '',
	vlan_id           INTEGER NOT NULL DEFAULT 0,
	name              TEXT    NOT NULL DEFAULT '',
	is_attacker       INTEGER NOT NULL DEFAULT 0,
	is_victim         INTEGER NOT NULL DEFAULT 0,
	is_client         INTEGER NOT NULL DEFAULT 0,
	is_server         INTEGER NOT NULL DEFAULT 0,
	host_pool_id      INTEGER NOT NULL DEFAULT 0,
	network           INTEGER NOT NULL DEFAULT 0,
	country           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX host_alerts_ifid_status_tstamp ON host_alerts(interface_id, alert_status, tstamp);
CREATE INDEX host_alerts_alert_id ON host_alerts(alert_id);
CREATE TABLE mac_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	address           TEXT    NOT NULL DEFAULT '',
	device_type       INTEGER NOT NULL DEFAULT 0,
	name              TEXT    NOT NULL DEFAULT '',
	is_attacker       INTEGER NOT NULL DEFAULT 0,
	is_victim         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mac_alerts_ifid_status_tstamp ON mac_alerts(interface_id, alert_status, tstamp);
CREATE INDEX mac_alerts_alert_id ON mac_alerts(alert_id);
CREATE TABLE snmp_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	ip                TEXT    NOT NULL DEFAULT '',
	port              INTEGER NOT NULL DEFAULT 0,
	name              TEXT    NOT NULL DEFAULT '',
	port_name         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX snmp_alerts_ifid_status_tstamp ON snmp_alerts(interface_id, alert_status, tstamp);
CREATE INDEX snmp_alerts_alert_id ON snmp_alerts(alert_id);
CREATE TABLE network_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	local_network_id  INTEGER NOT NULL DEFAULT 0,
	name              TEXT    NOT NULL DEFAULT '',
	alias             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX network_alerts_ifid_status_tstamp ON network_alerts(interface_id, alert_status, tstamp);
CREATE INDEX network_alerts_alert_id ON network_alerts(alert_id);
CREATE TABLE interface_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	ifid              INTEGER NOT NULL DEFAULT 0,
	subtype           TEXT    NOT NULL DEFAULT '',
	name              TEXT    NOT NULL DEFAULT '',
	alias             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX interface_alerts_ifid_status_tstamp ON interface_alerts(interface_id, alert_status, tstamp);
CREATE INDEX interface_alerts_alert_id ON interface_alerts(alert_id);
CREATE TABLE user_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	"user"            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX user_alerts_ifid_status_tstamp ON user_alerts(interface_id, alert_status, tstamp);
CREATE INDEX user_alerts_alert_id ON user_alerts(alert_id);
CREATE TABLE system_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	name              TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX system_alerts_ifid_status_tstamp ON system_alerts(interface_id, alert_status, tstamp);
CREATE INDEX system_alerts_alert_id ON system_alerts(alert_id);
CREATE TABLE active_monitoring_alerts (
	rowid             INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id          INTEGER NOT NULL,
	alert_status      INTEGER NOT NULL DEFAULT 0 CHECK (alert_status IN (0, 1)),
	alert_category    INTEGER NOT NULL DEFAULT 0,
	interface_id      INTEGER NOT NULL,
	tstamp            INTEGER NOT NULL,
	tstamp_end        INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	score             INTEGER NOT NULL DEFAULT 0,
	counter           INTEGER NOT NULL DEFAULT 1,
	json              TEXT    NOT NULL DEFAULT '{}',
	user_label        TEXT    NOT NULL DEFAULT '',
	user_label_tstamp INTEGER NOT NULL DEFAULT 0,
	granularity       INTEGER NOT NULL DEFAULT 0,
	description       TEXT    NOT NULL DEFAULT '',
	resolved_ip       TEXT    NOT NULL DEFAULT '',
	resolved_name     TEXT    NOT NULL DEFAULT '',
	measurement       TEXT    NOT NULL DEFAULT '',
	measure_threshold REAL    NOT NULL DEFAULT 0,
	measure_value     REAL    NOT NULL DEFAULT 0
);
CREATE INDEX active_monitoring_alerts_ifid_status_tstamp ON active_monitoring_alerts(interface_id, alert_status, tstamp);
CREATE INDEX active_monitoring_alerts_alert_id ON active_monitoring_alerts(alert_id);
`,
	},
	{
		Version: 6,
		Name:    "checks configuration",
		// Package alerts/checks: the one configuration set (id 0) and the
		// alert exclusions, as JSON documents. IF NOT EXISTS: development
		// databases may have the table already.
		SQL: `
CREATE TABLE IF NOT EXISTS checks_config (
	id               INTEGER PRIMARY KEY NOT NULL CHECK (id = 0),
	config_set       TEXT NOT NULL,
	alert_exclusions TEXT NOT NULL DEFAULT '[]',
	updated_at       TEXT NOT NULL
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
