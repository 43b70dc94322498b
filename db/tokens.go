package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoSession is returned for an unknown or expired session or token.
var ErrNoSession = errors.New("db: no such session or token")

// newSecret returns 16 random bytes as 32 lower-case hex characters, the
// format of ntopng's session ids and API tokens.
func newSecret() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// secretHash is what the database keeps of a session id or token: a leaked
// database file then holds nothing a client could present.
func secretHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func validSecret(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// CreateAPIToken makes a new API token for the user; the previous one stops
// working. The token is returned once and stored hashed.
func (db *DB) CreateAPIToken(ctx context.Context, username string) (string, error) {
	if _, err := db.GetUser(ctx, username); err != nil {
		return "", err
	}
	tok, err := newSecret()
	if err != nil {
		return "", err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens(username, token_hash, created_at) VALUES(?, ?, ?)
			ON CONFLICT(username) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
			username, secretHash(tok), now())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("db: creating an API token for %q: %w", username, err)
	}
	return tok, nil
}

// UserByToken returns the owner of an API token.
func (db *DB) UserByToken(ctx context.Context, token string) (*User, error) {
	if !validSecret(token) {
		return nil, ErrNoSession
	}
	u, err := scanUser(db.sql.QueryRowContext(ctx, "SELECT "+userColumns+
		" FROM users WHERE username = (SELECT username FROM api_tokens WHERE token_hash = ?)", secretHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("db: looking up a token: %w", err)
	}
	return &u, nil
}

// Session is a server-side login session.
type Session struct {
	User *User
	// CSRF is the token state-changing requests of the session must carry.
	CSRF string
	// Expires is zero for a session that never expires.
	Expires time.Time
}

// CreateSession opens a session for the user lasting d (0: never
// expires). It returns the session id (shown once, stored hashed) and the
// session's CSRF token. Expired sessions are purged on the way.
func (db *DB) CreateSession(ctx context.Context, username string, d time.Duration) (id, csrf string, err error) {
	if d < 0 {
		return "", "", fmt.Errorf("%w: negative session duration", ErrInvalid)
	}
	if _, err := db.GetUser(ctx, username); err != nil {
		return "", "", err
	}
	if id, err = newSecret(); err != nil {
		return "", "", err
	}
	if csrf, err = newSecret(); err != nil {
		return "", "", err
	}
	var exp int64
	if d > 0 {
		exp = time.Now().Add(d).Unix()
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at != 0 AND expires_at < ?",
			time.Now().Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions(id_hash, username, csrf, expires_at, created_at)
			VALUES(?, ?, ?, ?, ?)`, secretHash(id), username, csrf, exp, now())
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("db: creating a session for %q: %w", username, err)
	}
	return id, csrf, nil
}

// SessionByID returns a live session.
func (db *DB) SessionByID(ctx context.Context, id string) (*Session, error) {
	if !validSecret(id) {
		return nil, ErrNoSession
	}
	var csrf string
	var exp int64
	u, err := scanUser(db.sql.QueryRowContext(ctx, "SELECT "+userPrefixed("u")+`, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.username = s.username WHERE s.id_hash = ?`, secretHash(id)), &csrf, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("db: looking up a session: %w", err)
	}
	s := &Session{User: &u, CSRF: csrf}
	if exp != 0 {
		s.Expires = time.Unix(exp, 0)
		if !time.Now().Before(s.Expires) {
			return nil, ErrNoSession
		}
	}
	return s, nil
}

// DeleteSession ends a session (logout).
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if !validSecret(id) {
		return ErrNoSession
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", secretHash(id))
		return err
	})
}

// CSRFEqual compares CSRF tokens in constant time.
func CSRFEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// userPrefixed is userColumns qualified with a table alias.
func userPrefixed(alias string) string {
	cols := strings.Split(userColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
