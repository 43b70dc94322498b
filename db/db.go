// Package db is the SQLite persistence layer (github.com/mattn/go-sqlite3).
//
// Open configures every connection for concurrent use: WAL journal mode (one
// writer and many readers at the same time), foreign keys on, a busy timeout
// so that concurrent writers wait instead of failing with SQLITE_BUSY, and
// synchronous=NORMAL (durable with WAL except for the last transactions on a
// power loss). Transactions start with BEGIN IMMEDIATE, which takes the write
// lock up front: a deferred transaction that reads and then writes can fail
// with SQLITE_BUSY without the busy timeout being honoured.
//
// The schema is created and upgraded by the versioned migrations in
// migrations.go.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// BusyTimeoutMS is how long a statement waits for a lock held by another
// connection before failing with SQLITE_BUSY.
const BusyTimeoutMS = 5000

// DB is an open database. It is safe for concurrent use.
type DB struct {
	sql  *sql.DB
	path string

	auth      authCache     // users.go
	kdf       chan struct{} // bounds concurrent KDF runs
	kdfChecks atomic.Int64  // password checks run, for tests
}

// Open opens (creating it and its parent directory if needed) the database
// at path and applies the pending migrations.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("db: creating database directory: %w", err)
	}
	sqlDB, err := sql.Open("sqlite3", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("db: opening %s: %w", abs, err)
	}
	// With WAL readers do not block the writer nor each other; writers are
	// serialised by SQLite (waiting up to BusyTimeoutMS). A few connections
	// are enough for concurrent readers; idle ones are kept to avoid
	// reopening the file (and re-running the per-connection pragmas).
	n := max(4, runtime.NumCPU())
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)

	db := &DB{sql: sqlDB, path: abs, kdf: make(chan struct{}, max(2, runtime.NumCPU()))}
	if err := db.init(context.Background()); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// dsn returns the go-sqlite3 data source name for the file at abs. The
// "_" parameters are applied by the driver to every new connection.
func dsn(abs string) string {
	// A "file:" URI so that paths containing '?' or '#' work: those
	// characters (and '%') are percent-encoded, SQLite decodes them.
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(abs)) + "?" + strings.Join([]string{
		"mode=rwc",
		"_journal_mode=WAL",
		"_foreign_keys=on",
		fmt.Sprintf("_busy_timeout=%d", BusyTimeoutMS),
		"_synchronous=NORMAL",
		"_txlock=immediate",
	}, "&")
}

func (db *DB) init(ctx context.Context) error {
	var mode string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("db: opening %s: %w", db.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("db: %s: cannot enable WAL journal mode (got %q); is the file system local?", db.path, mode)
	}
	if err := migrate(ctx, db.sql, migrations); err != nil {
		return fmt.Errorf("db: %s: %w", db.path, err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	return db.sql.Close()
}

// SQL returns the underlying *sql.DB, for packages that keep their own
// tables (their schema still belongs in the migrations of this package).
func (db *DB) SQL() *sql.DB {
	return db.sql
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string {
	return db.path
}

// Tx runs fn in a transaction: committed when fn returns nil, rolled back
// when fn returns an error or panics (the panic is then propagated). Use one
// transaction per change.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return runTx(ctx, db.sql, fn)
}

func runTx(ctx context.Context, sqlDB *sql.DB, fn func(*sql.Tx) error) (err error) {
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			// The error of Rollback is of no interest: the transaction
			// failed already (or panicked).
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return tx.Commit()
}
