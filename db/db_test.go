package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenPragmas(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	// Every pooled connection must be configured, not just the first one:
	// hold several at once.
	var conns []*sql.Conn
	for range 3 {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var mode string
		var fk, busy, sync int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != BusyTimeoutMS || sync != 1 {
			t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d; want wal 1 %d 1(NORMAL)",
				i, mode, fk, busy, sync, BusyTimeoutMS)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestOpenCreatesParentDirAndOddPaths(t *testing.T) {
	for _, name := range []string{"a/b/c/ntopng.db", "we?ird#na%20me/x.db", "sp ace/x.db"} {
		path := filepath.Join(t.TempDir(), name)
		db, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if db.Path() != path {
			t.Errorf("Path() = %q, want %q", db.Path(), path)
		}
		db.Close()
		// Reopening finds the same file (and its migrations).
		db, err = Open(path)
		if err != nil {
			t.Fatalf("%s: reopen: %v", name, err)
		}
		var n int
		if err := db.SQL().QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(migrations) {
			t.Errorf("%s: %d migrations recorded (%v), want %d", name, n, err, len(migrations))
		}
		db.Close()
	}
	if _, err := Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ntopng.db")
	read := func() map[int]string {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.SQL().Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[int]string{}
		for rows.Next() {
			var v int
			var at string
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			got[v] = at
		}
		return got
	}
	first := read()
	second := read()
	if len(first) != len(migrations) {
		t.Fatalf("applied %d migrations, want %d", len(first), len(migrations))
	}
	for v, at := range first {
		if second[v] != at {
			t.Errorf("migration %d re-applied: applied_at %q then %q", v, at, second[v])
		}
	}
}

func TestMigrateIncremental(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	sqlDB := db.SQL()

	next := migrations[len(migrations)-1].Version + 1
	extra := append(append([]Migration(nil), migrations...),
		Migration{Version: next, Name: "t1", SQL: "CREATE TABLE t1(x INTEGER); INSERT INTO t1 VALUES(1);"})
	for range 2 {
		if err := migrate(ctx, sqlDB, extra); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM t1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("t1 has %d rows (%v), want 1: migration run more than once?", n, err)
	}

	// A failing migration leaves nothing behind: neither its changes nor
	// its version.
	failing := append(extra, Migration{Version: next + 1, Name: "broken",
		SQL: "CREATE TABLE t2(x INTEGER); THIS IS NOT SQL;"})
	err := migrate(ctx, sqlDB, failing)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("broken migration: got %v", err)
	}
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 't2'").Scan(&n); err != nil || n != 0 {
		t.Errorf("t2 exists after failed migration (%d, %v)", n, err)
	}
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", next+1).Scan(&n); err != nil || n != 0 {
		t.Errorf("failed migration recorded (%d, %v)", n, err)
	}

	// Func migrations run in the same transaction.
	withFunc := append(extra, Migration{Version: next + 1, Name: "func", Func: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO t1 VALUES(2)")
		return err
	}})
	if err := migrate(ctx, sqlDB, withFunc); err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM t1").Scan(&n); err != nil || n != 2 {
		t.Errorf("t1 has %d rows (%v), want 2", n, err)
	}

	// The program's own migrations now see a newer schema.
	if err := migrate(ctx, sqlDB, migrations); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("newer schema: got %v", err)
	}
}

func TestCheckMigrations(t *testing.T) {
	if err := checkMigrations(migrations); err != nil {
		t.Fatalf("the package's migrations are invalid: %v", err)
	}
	bad := [][]Migration{
		{{Version: 0, SQL: "x"}},
		{{Version: 1, SQL: "x"}, {Version: 1, SQL: "y"}},
		{{Version: 2, SQL: "x"}, {Version: 1, SQL: "y"}},
		{{Version: 1}},
	}
	for i, ms := range bad {
		if err := checkMigrations(ms); err == nil {
			t.Errorf("case %d: accepted", i)
		}
	}
}

func TestTx(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.SQL().Exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := db.SQL().QueryRow("SELECT COUNT(*) FROM kv").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(tx *sql.Tx, k string) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO kv VALUES(?, 'v')", k)
		return err
	}

	if err := db.Tx(ctx, func(tx *sql.Tx) error { return insert(tx, "a") }); err != nil {
		t.Fatal(err)
	}
	if count() != 1 {
		t.Fatal("commit lost")
	}

	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insert(tx, "b"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 1 {
		t.Fatalf("error: got %v, %d rows; want boom and rollback", err, count())
	}

	func() {
		defer func() {
			if r := recover(); r != "panic!" {
				t.Errorf("recovered %v, want the original panic", r)
			}
		}()
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			if err := insert(tx, "c"); err != nil {
				return err
			}
			panic("panic!")
		})
	}()
	if count() != 1 {
		t.Fatal("panic: not rolled back")
	}

	// The connection went back to the pool usable.
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return insert(tx, "d") }); err != nil || count() != 2 {
		t.Fatalf("after rollbacks: %v, %d rows", err, count())
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Tx(cancelled, func(tx *sql.Tx) error { return insert(tx, "e") }); err == nil {
		t.Error("Tx with a cancelled context succeeded")
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	db := openTest(t)
	_, err := db.SQL().Exec(`CREATE TABLE parent(id INTEGER PRIMARY KEY);
		CREATE TABLE child(pid INTEGER REFERENCES parent(id));`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec("INSERT INTO child VALUES(42)"); err == nil {
		t.Error("foreign key not enforced")
	}
}
