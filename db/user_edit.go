package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// UserChanges lists the attributes to change; nil fields stay as they are.
type UserChanges struct {
	FullName          *string
	Group             *string
	AllowedNetworks   *string
	AllowedIfname     *string
	Language          *string
	AllowPcapDownload *bool
	// AllowAlerts and AllowHistoricalFlows grant the "alerts" and
	// "historical_flows" capabilities (v2 endpoints only).
	AllowAlerts          *bool
	AllowHistoricalFlows *bool
	// HostPoolID: a pointer to nil is not expressible here, so -1 clears.
	HostPoolID *int
	Password   *string
}

// Empty reports whether nothing would change.
func (c *UserChanges) Empty() bool { return *c == UserChanges{} }

// UpdateUser applies c to the named user in one transaction: every field is
// validated first (ErrInvalid), and either all changes are stored or none.
// Demoting the last administrator is refused (ErrLastAdmin).
func (db *DB) UpdateUser(ctx context.Context, username string, c UserChanges) error {
	if err := validateUsername(username); err != nil {
		return err
	}
	cur, err := db.GetUser(ctx, username)
	if err != nil {
		return err
	}
	u := *cur
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.FullName, c.FullName)
	set(&u.Group, c.Group)
	set(&u.AllowedNetworks, c.AllowedNetworks)
	set(&u.AllowedIfname, c.AllowedIfname)
	set(&u.Language, c.Language)
	for _, f := range []struct {
		dst *bool
		src *bool
	}{{&u.AllowPcapDownload, c.AllowPcapDownload}, {&u.AllowAlerts, c.AllowAlerts}, {&u.AllowHistoricalFlows, c.AllowHistoricalFlows}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if c.HostPoolID != nil {
		if *c.HostPoolID < 0 {
			u.HostPoolID = nil
		} else {
			id := *c.HostPoolID
			u.HostPoolID = &id
		}
	}
	if err := validate.Struct(u); err != nil {
		return validationError(err)
	}
	hash := ""
	if c.Password != nil {
		if err := validatePassword(*c.Password); err != nil {
			return err
		}
		if hash, err = db.hash(ctx, *c.Password); err != nil {
			return fmt.Errorf("db: hashing password: %w", err)
		}
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if cur.IsAdministrator() && !u.IsAdministrator() {
			if err := notLastAdmin(ctx, tx); err != nil {
				return err
			}
		}
		q := `UPDATE users SET full_name = ?, user_group = ?, allowed_networks = ?, allowed_ifname = ?,
			language = ?, allow_pcap_download = ?, allow_alerts = ?, allow_historical_flows = ?,
			host_pool_id = ?, updated_at = ?`
		args := []any{u.FullName, u.Group, u.AllowedNetworks, u.AllowedIfname, u.Language, u.AllowPcapDownload,
			u.AllowAlerts, u.AllowHistoricalFlows, u.HostPoolID, now()}
		if hash != "" {
			q += ", password_hash = ?"
			args = append(args, hash)
		}
		res, err := tx.ExecContext(ctx, q+" WHERE username = ?", append(args, username)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q", ErrUserNotFound, username)
		}
		if cur.Group != u.Group {
			// Sessions carry the group they were opened with: a changed
			// role must not outlive them.
			_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE username = ?", username)
		}
		return err
	})
	db.auth.invalidate()
	if err != nil && !errors.Is(err, ErrUserNotFound) && !errors.Is(err, ErrLastAdmin) {
		return fmt.Errorf("db: editing user %q: %w", username, err)
	}
	return err
}

// NormalizeUsername is how usernames arrive from the REST API: lower-cased
// (ntopng stores them so) and trimmed of nothing else.
func NormalizeUsername(s string) string { return strings.ToLower(s) }

// DefaultAdminPasswordInUse reports whether the user admin still has the
// factory password. The default admin is created with the shipped hash of
// "admin" and any later password gets a fresh salt, so comparing the
// stored hash with it is exact and costs no KDF run at start-up.
func (db *DB) DefaultAdminPasswordInUse(ctx context.Context) (bool, error) {
	var hash string
	err := db.sql.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE username = ?",
		DefaultAdminUsername).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("db: reading the admin password: %w", err)
	}
	return hash == defaultAdminHash, nil
}
