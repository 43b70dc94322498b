package db

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-playground/validator/v10"
	"github.com/mattn/go-sqlite3"
)

// User groups.
const (
	GroupAdministrator = "administrator"
	GroupUnprivileged  = "unprivileged"
	GroupCaptivePortal = "captive_portal"
)

// Defaults of the users table.
const (
	DefaultAdminUsername   = "admin"
	DefaultAdminPassword   = "admin"
	DefaultAllowedNetworks = "0.0.0.0/0,::/0"
	DefaultAdminFullName   = "ntopng Administrator"
)

// MaxPasswordLen bounds the password length (bytes).
const MaxPasswordLen = 1024

var (
	// ErrBadCredentials is returned by Authenticate for an unknown user
	// or a wrong password (deliberately not distinguished).
	ErrBadCredentials = errors.New("db: invalid username or password")
	// ErrUserNotFound is returned when the named user does not exist.
	ErrUserNotFound = errors.New("db: user not found")
	// ErrUserExists is returned by AddUser when the username is taken.
	ErrUserExists = errors.New("db: user already exists")
	// ErrLastAdmin is returned when deleting the last administrator.
	ErrLastAdmin = errors.New("db: cannot delete the last administrator")
	// ErrInvalid is wrapped by every validation error; the message says
	// which field is wrong and why.
	ErrInvalid = errors.New("db: invalid input")
)

// User is a user account; the password hash is never exposed.
type User struct {
	Username        string `json:"username" validate:"username"`
	FullName        string `json:"full_name" validate:"max=128,nocontrol"`
	Group           string `json:"group" validate:"oneof=administrator unprivileged captive_portal"`
	AllowedNetworks string `json:"allowed_networks" validate:"cidrlist"`
	AllowedIfname   string `json:"allowed_ifname" validate:"max=64,nocontrol"`
	Language        string `json:"language" validate:"omitempty,language"`
	// Capability flags set per user (spec rest-users-auth.md 2.3).
	AllowPcapDownload    bool `json:"allow_pcap_download"`
	AllowHistoricalFlows bool `json:"allow_historical_flows"`
	AllowAlerts          bool `json:"allow_alerts"`
	// HostPoolID is the user's host pool, nil when unset.
	HostPoolID *int `json:"host_pool_id,omitempty" validate:"omitempty,min=0,max=65535"`
}

// IsAdministrator reports whether u belongs to the administrator group.
func (u *User) IsAdministrator() bool { return u.Group == GroupAdministrator }

var (
	usernameRE = regexp.MustCompile(`^[a-zA-Z0-9._@-]{1,64}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2,3}([_-][A-Za-z]{2,4})?$`)
)

var validate = newValidator()

// NewValidator returns a validator for the stores of the program: fields
// are reported by their JSON names, and "nocontrol" refuses control
// characters. Stores register their own rules on top.
func NewValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report fields by their JSON (and column-like) names.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
	mustRegister(v, "nocontrol", func(fl validator.FieldLevel) bool {
		return !strings.ContainsFunc(fl.Field().String(), unicode.IsControl)
	})
	return v
}

func mustRegister(v *validator.Validate, tag string, fn validator.Func) {
	if err := v.RegisterValidation(tag, fn); err != nil {
		panic(err)
	}
}

func newValidator() *validator.Validate {
	v := NewValidator()
	mustRegister(v, "username", func(fl validator.FieldLevel) bool {
		return usernameRE.MatchString(fl.Field().String())
	})
	mustRegister(v, "language", func(fl validator.FieldLevel) bool {
		return languageRE.MatchString(fl.Field().String())
	})
	mustRegister(v, "cidrlist", func(fl validator.FieldLevel) bool {
		return validCIDRList(fl.Field().String())
	})
	return v
}

func validCIDRList(s string) bool {
	if s == "" || len(s) > 4096 {
		return false
	}
	for _, n := range strings.Split(s, ",") {
		if _, err := netip.ParsePrefix(strings.TrimSpace(n)); err != nil {
			return false
		}
	}
	return true
}

// validationError turns validator errors into a single clear message
// wrapping ErrInvalid.
func validationError(err error) error {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	msgs := make([]string, 0, len(ves))
	for _, fe := range ves {
		field, value := fe.Field(), fmt.Sprint(fe.Value())
		var m string
		switch fe.Tag() {
		case "username":
			m = fmt.Sprintf("%s %q must be 1 to 64 letters, digits, '.', '_', '@' or '-'", field, value)
		case "oneof":
			m = fmt.Sprintf("%s %q must be one of %s", field, value, strings.ReplaceAll(fe.Param(), " ", ", "))
		case "max":
			m = fmt.Sprintf("%s must be at most %s characters long", field, fe.Param())
		case "nocontrol":
			m = fmt.Sprintf("%s %q must not contain control characters", field, value)
		case "cidrlist":
			m = fmt.Sprintf("%s %q must be a comma separated list of networks (e.g. 192.168.1.0/24,::/0)", field, value)
		case "language":
			m = fmt.Sprintf("%s %q must be a language code such as en or pt_BR", field, value)
		default:
			m = fmt.Sprintf("%s %q fails the %q rule", field, value, fe.Tag())
		}
		msgs = append(msgs, m)
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(msgs, "; "))
}

func validateUsername(username string) error {
	if err := validate.Var(username, "username"); err != nil {
		return fmt.Errorf("%w: username %q must be 1 to 64 letters, digits, '.', '_', '@' or '-'", ErrInvalid, username)
	}
	return nil
}

// validatePassword never includes the password in the error.
func validatePassword(password string) error {
	if err := validate.Var(password, fmt.Sprintf("required,max=%d", MaxPasswordLen)); err != nil {
		return fmt.Errorf("%w: password must be 1 to %d bytes long", ErrInvalid, MaxPasswordLen)
	}
	return nil
}

// withDefaults fills the empty optional fields of u.
func withDefaults(u User) User {
	if u.Group == "" {
		u.Group = GroupUnprivileged
	}
	if u.AllowedNetworks == "" {
		u.AllowedNetworks = DefaultAllowedNetworks
	}
	return u
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// hash runs the KDF, bounded to a few concurrent runs (each one allocates
// hashParams.memory) so that a burst of logins cannot exhaust memory.
func (db *DB) hash(ctx context.Context, password string) (string, error) {
	if err := db.acquireKDF(ctx); err != nil {
		return "", err
	}
	defer db.releaseKDF()
	return hashPassword(password)
}

func (db *DB) check(ctx context.Context, encoded, password string) (bool, error) {
	if err := db.acquireKDF(ctx); err != nil {
		return false, err
	}
	defer db.releaseKDF()
	db.kdfChecks.Add(1)
	return checkPassword(encoded, password)
}

func (db *DB) acquireKDF(ctx context.Context) error {
	select {
	case db.kdf <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (db *DB) releaseKDF() { <-db.kdf }

const userColumns = "username, full_name, user_group, allowed_networks, allowed_ifname, language, " +
	"allow_pcap_download, allow_historical_flows, allow_alerts, host_pool_id"

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner, extra ...any) (User, error) {
	var u User
	var pool sql.NullInt64
	dest := append([]any{&u.Username, &u.FullName, &u.Group, &u.AllowedNetworks, &u.AllowedIfname, &u.Language,
		&u.AllowPcapDownload, &u.AllowHistoricalFlows, &u.AllowAlerts, &pool}, extra...)
	err := s.Scan(dest...)
	if pool.Valid {
		id := int(pool.Int64)
		u.HostPoolID = &id
	}
	return u, err
}

// EnsureDefaultAdmin creates the user admin with password admin in the
// administrator group when there is no administrator and no user named
// admin. It reports whether the user was created.
func (db *DB) EnsureDefaultAdmin(ctx context.Context) (bool, error) {
	const q = "SELECT EXISTS(SELECT 1 FROM users WHERE user_group = ? OR username = ?)"
	var exists bool
	if err := db.sql.QueryRowContext(ctx, q, GroupAdministrator, DefaultAdminUsername).Scan(&exists); err != nil {
		return false, fmt.Errorf("db: checking for an administrator: %w", err)
	}
	if exists {
		return false, nil
	}
	// The default password is public, so its hash is computed once and
	// shipped (defaultAdminHash): a first start does not pay the KDF's time
	// and memory. Any password set later gets a fresh random salt.
	hash := defaultAdminHash
	created := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, q, GroupAdministrator, DefaultAdminUsername).Scan(&exists); err != nil || exists {
			return err
		}
		t := now()
		_, err := tx.ExecContext(ctx, `INSERT INTO users(username, full_name, password_hash, user_group,
			allowed_networks, allowed_ifname, language, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, '', '', ?, ?)`,
			DefaultAdminUsername, DefaultAdminFullName, hash, GroupAdministrator,
			DefaultAllowedNetworks, t, t)
		created = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: creating the default administrator: %w", err)
	}
	if created {
		db.auth.invalidate()
	}
	return created, nil
}

// Authenticate checks username and password. It returns ErrBadCredentials
// when the user does not exist or the password is wrong; the KDF runs in
// both cases so that response times do not tell them apart. Successful
// results are cached (see authCache) so that repeated basic-auth requests
// do not pay the KDF.
func (db *DB) Authenticate(ctx context.Context, username, password string) (*User, error) {
	key := db.auth.key(username, password)
	if u, ok := db.auth.get(key); ok {
		return &u, nil
	}
	gen := db.auth.generation()

	hash := ""
	var u User
	if validateUsername(username) == nil && validatePassword(password) == nil {
		var err error
		u, err = scanUser(db.sql.QueryRowContext(ctx,
			"SELECT "+userColumns+", password_hash FROM users WHERE username = ?", username), &hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("db: authenticating %q: %w", username, err)
		}
	}
	found := hash != ""
	if !found {
		hash = dummyHash()
	}
	ok, err := db.check(ctx, hash, password)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("%w: stored password hash of %q: %w", ErrBadCredentials, username, err)
	}
	if !found || !ok {
		return nil, ErrBadCredentials
	}
	db.auth.put(key, u, gen)
	return &u, nil
}

// GetUser returns the named user, or ErrUserNotFound.
func (db *DB) GetUser(ctx context.Context, username string) (*User, error) {
	if err := validateUsername(username); err != nil {
		return nil, err
	}
	u, err := scanUser(db.sql.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUserNotFound, username)
	}
	if err != nil {
		return nil, fmt.Errorf("db: reading user %q: %w", username, err)
	}
	return &u, nil
}

// ListUsers returns every user, ordered by username.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("db: listing users: %w", err)
	}
	defer rows.Close()
	users := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("db: listing users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: listing users: %w", err)
	}
	return users, nil
}

// AddUser creates a user. Empty Group and AllowedNetworks take their
// defaults (unprivileged, 0.0.0.0/0,::/0); an empty Language means unset. It returns an error
// wrapping ErrInvalid when a field is invalid and ErrUserExists when the
// username is taken.
func (db *DB) AddUser(ctx context.Context, u User, password string) error {
	u = withDefaults(u)
	if err := validate.Struct(u); err != nil {
		return validationError(err)
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	hash, err := db.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("db: hashing password: %w", err)
	}
	t := now()
	_, err = db.sql.ExecContext(ctx, `INSERT INTO users(username, full_name, password_hash, user_group,
		allowed_networks, allowed_ifname, language, allow_pcap_download, allow_historical_flows, allow_alerts,
		host_pool_id, created_at, updated_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.FullName, hash, u.Group, u.AllowedNetworks, u.AllowedIfname, u.Language,
		u.AllowPcapDownload, u.AllowHistoricalFlows, u.AllowAlerts, u.HostPoolID, t, t)
	if isConstraint(err) {
		return fmt.Errorf("%w: %q", ErrUserExists, u.Username)
	}
	if err != nil {
		return fmt.Errorf("db: adding user %q: %w", u.Username, err)
	}
	db.auth.invalidate()
	return nil
}

func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// SetPassword changes the password of the named user.
func (db *DB) SetPassword(ctx context.Context, username, password string) error {
	if err := validateUsername(username); err != nil {
		return err
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	hash, err := db.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("db: hashing password: %w", err)
	}
	res, err := db.sql.ExecContext(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?",
		hash, now(), username)
	// Invalidate even on error: the update may have been applied.
	db.auth.invalidate()
	if err != nil {
		return fmt.Errorf("db: setting the password of %q: %w", username, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: %q", ErrUserNotFound, username)
	}
	return nil
}

// DeleteUser deletes the named user. The last administrator cannot be
// deleted (ErrLastAdmin).
func (db *DB) DeleteUser(ctx context.Context, username string) error {
	if err := validateUsername(username); err != nil {
		return err
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var group string
		err := tx.QueryRowContext(ctx, "SELECT user_group FROM users WHERE username = ?", username).Scan(&group)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %q", ErrUserNotFound, username)
		}
		if err != nil {
			return err
		}
		if group == GroupAdministrator {
			if err := notLastAdmin(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM users WHERE username = ?", username)
		return err
	})
	db.auth.invalidate()
	if err != nil && !errors.Is(err, ErrUserNotFound) && !errors.Is(err, ErrLastAdmin) {
		return fmt.Errorf("db: deleting user %q: %w", username, err)
	}
	return err
}

// notLastAdmin fails with ErrLastAdmin when the administrator about to be
// removed or demoted (inside tx) is the only one.
func notLastAdmin(ctx context.Context, tx *sql.Tx) error {
	var admins int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE user_group = ?",
		GroupAdministrator).Scan(&admins); err != nil {
		return err
	}
	if admins <= 1 {
		return ErrLastAdmin
	}
	return nil
}

// Authentication cache.
const (
	authCacheMax = 1024
	authCacheTTL = 5 * time.Minute
)

// authCache maps HMAC-SHA256(secret, len(user) || "user:password") to the user of a
// successful authentication. A keyed hash rather than a bare SHA-256: the
// keys held in memory cannot be brute-forced offline without the per-process
// secret. The whole cache is dropped on any change to the users table; the
// generation counter prevents an authentication that read the table before
// a change from caching its (stale) result after the change.
type authCache struct {
	once    sync.Once
	secret  []byte
	mu      sync.Mutex
	gen     uint64
	entries map[[sha256.Size]byte]authEntry
}

type authEntry struct {
	user    User
	expires time.Time
}

func (c *authCache) key(username, password string) [sha256.Size]byte {
	c.once.Do(func() {
		c.secret = make([]byte, 32)
		if _, err := rand.Read(c.secret); err != nil {
			panic(err)
		}
	})
	m := hmac.New(sha256.New, c.secret)
	// Length-prefixed: ("a", "b:c") and ("a:b", "c") must differ even
	// though valid usernames cannot contain ':'.
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(username)))
	m.Write(n[:])
	m.Write([]byte(username))
	m.Write([]byte{':'})
	m.Write([]byte(password))
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

func (c *authCache) get(k [sha256.Size]byte) (User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return User{}, false
	}
	if time.Now().After(e.expires) {
		delete(c.entries, k)
		return User{}, false
	}
	return e.user, true
}

func (c *authCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores u unless the table changed since generation gen was read.
func (c *authCache) put(k [sha256.Size]byte, u User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = make(map[[sha256.Size]byte]authEntry)
	}
	now := time.Now()
	if len(c.entries) >= authCacheMax {
		for k, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		// Still full: evict arbitrary entries (map order is random).
		for k := range c.entries {
			if len(c.entries) < authCacheMax {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[k] = authEntry{user: u, expires: now.Add(authCacheTTL)}
}

func (c *authCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

func (c *authCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
