package checks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Store is the checks configuration of the program, persisted in SQLite.
// It is safe for concurrent use: readers take a read lock on the current
// configuration; a change is computed on a copy, written in one
// transaction and only then made current, all under the write lock, so
// that the database and what readers see never disagree. The change
// listeners run after the lock is released.
type Store struct {
	db *sql.DB
	// builtin is the set of checks given to NewStore; Register never
	// replaces them.
	builtin map[checkID]bool

	mu   sync.RWMutex // guards cfg and defs
	cfg  Config
	defs []Def // the checks given to NewStore, then the registered ones

	lmu       sync.Mutex // guards listeners
	listeners []func()
}

// NewStore opens the checks configuration kept in sqlDB, for the checks
// defs (normally Builtin()), in the table checks_config of migration 6 of
// package db. It writes the
// defaults on a fresh database, and adds the checks of defs missing from
// a stored configuration (existing entries are kept as they are).
func NewStore(ctx context.Context, sqlDB *sql.DB, defs []Def) (*Store, error) {
	s := &Store{db: sqlDB, defs: slices.Clone(defs), builtin: make(map[checkID]bool, len(defs))}
	for _, d := range defs {
		s.builtin[checkID{d.Subdir, d.Key}] = true
	}
	cfg, found, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	if !found {
		cfg = Defaults(defs)
	}
	if added := cfg.MergeDefaults(defs); !found || added > 0 {
		if err := s.save(ctx, cfg); err != nil {
			return nil, err
		}
	}
	s.cfg = cfg
	return s, nil
}

func (s *Store) load(ctx context.Context) (Config, bool, error) {
	var set, excl string
	err := s.db.QueryRowContext(ctx,
		`SELECT config_set, alert_exclusions FROM checks_config WHERE id = 0`).Scan(&set, &excl)
	if errors.Is(err, sql.ErrNoRows) {
		return Config{}, false, nil
	}
	if err != nil {
		return Config{}, false, fmt.Errorf("checks: loading the configuration: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(set), &cfg); err != nil {
		return Config{}, false, fmt.Errorf("checks: the stored configuration is damaged: %w", err)
	}
	if !json.Valid([]byte(excl)) {
		return Config{}, false, errors.New("checks: the stored alert exclusions are damaged")
	}
	cfg.Exclusions = compact(json.RawMessage(excl))
	return cfg, true, nil
}

// save writes cfg in one transaction.
func (s *Store) save(ctx context.Context, cfg Config) error {
	set, err := cfg.MarshalJSON()
	if err != nil {
		return &Error{Kind: InternalError, Msg: "checks: encoding the configuration", Err: err}
	}
	excl := cfg.Exclusions
	if len(excl) == 0 {
		excl = emptyTable
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return &Error{Kind: InternalError, Msg: "checks: saving the configuration", Err: err}
	}
	defer tx.Rollback() //nolint:errcheck // no effect after Commit
	_, err = tx.ExecContext(ctx, `INSERT INTO checks_config (id, config_set, alert_exclusions, updated_at)
VALUES (0, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET config_set = excluded.config_set,
	alert_exclusions = excluded.alert_exclusions, updated_at = excluded.updated_at`,
		string(set), string(excl), time.Now().UTC().Format(time.RFC3339))
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return &Error{Kind: InternalError, Msg: "checks: saving the configuration", Err: err}
	}
	return nil
}

// update applies change to a copy of the current configuration, saves the
// result and makes it current. change reports whether anything changed.
func (s *Store) update(ctx context.Context, change func(*Config) (bool, error)) error {
	s.mu.Lock()
	next := s.cfg.Clone()
	changed, err := change(&next)
	if err == nil && changed {
		if err = s.save(ctx, next); err == nil {
			s.cfg = next
		}
	}
	s.mu.Unlock()
	if err == nil && changed {
		s.notify()
	}
	return err
}

// Defs returns the check definitions of the store: those given to
// NewStore, then the registered ones. The slice is the caller's.
func (s *Store) Defs() []Def {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.defs)
}

// Config returns a copy of the current configuration.
func (s *Store) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.Clone()
}

// Document is the answer of get/checks/config:
// {"0": <configuration set>, "alert_exclusions": <exclusions>}.
func (s *Store) Document() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.Document()
}

// Exclusions returns the alert exclusions document (`[]` when none).
func (s *Store) Exclusions() json.RawMessage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.Exclusions
}

// Enabled returns the enabled hooks of (subdir, key), sorted, and their
// script_conf, for the engine. A check of the store's definitions that the
// configuration lacks (a set imported without it) runs with its defaults,
// as it would after the next start-up.
func (s *Store) Enabled(subdir, key string) (hooks []string, scriptConf json.RawMessage) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.cfg.Checks[subdir][key]) > 0 {
		return s.cfg.Enabled(subdir, key)
	}
	d, ok := Lookup(s.defs, subdir, key)
	if !ok {
		return nil, nil
	}
	var c Config
	c.setHooks(subdir, key, d.DefaultHooks())
	return c.Enabled(subdir, key)
}

// Set applies a set/checks/config document (Config.Set) and saves it.
// Errors carry their Kind; nothing changes on error.
func (s *Store) Set(ctx context.Context, doc []byte) error {
	return s.update(ctx, func(c *Config) (bool, error) { return c.Set(doc) })
}

// Enable enables (on) or disables every hook of the check (subdir, key)
// (Config.Enable) and saves. Errors carry their Kind (InvalidArguments,
// UnknownCheck, InternalError).
func (s *Store) Enable(ctx context.Context, subdir, key string, on bool) error {
	return s.update(ctx, func(c *Config) (bool, error) {
		return true, c.Enable(s.defs, subdir, key, on)
	})
}

// Reset replaces the configuration with the defaults and deletes every
// alert exclusion (rest-alerts-checks.md §4.6).
func (s *Store) Reset(ctx context.Context) error {
	return s.update(ctx, func(c *Config) (bool, error) {
		*c = Defaults(s.defs)
		return true, nil
	})
}

// OnChange registers fn, called (without any lock of the store held)
// after every saved change: the engine reloads its checks there.
func (s *Store) OnChange(fn func()) {
	s.lmu.Lock()
	s.listeners = append(s.listeners, fn)
	s.lmu.Unlock()
}

func (s *Store) notify() {
	s.lmu.Lock()
	fns := append([]func(){}, s.listeners...)
	s.lmu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
