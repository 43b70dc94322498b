package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"unicode/utf8"
)

// MaxAliasLen bounds a host alias in bytes. Aliases are display labels;
// nothing legitimate needs more, and the bound keeps the table small.
const MaxAliasLen = 256

// ErrInvalidAlias is returned for an address that is not an IP literal or
// an alias that is too long or not valid UTF-8.
var ErrInvalidAlias = errors.New("invalid host alias")

// HostAliases are the user labels of hosts (set/host/alias), keyed by the
// bare IP string as ntopng keys them. Reads are served from memory because
// every host and flow label of every answer consults them; writes go to
// SQLite first (one transaction each) and only then to memory, so a failed
// write changes nothing.
type HostAliases struct {
	db *DB
	mu sync.RWMutex
	m  map[string]string
}

// HostAliases loads the stored aliases.
func (db *DB) HostAliases(ctx context.Context) (*HostAliases, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT ip, alias FROM host_aliases`)
	if err != nil {
		return nil, fmt.Errorf("db: loading host aliases: %w", err)
	}
	defer rows.Close()
	h := &HostAliases{db: db, m: make(map[string]string)}
	for rows.Next() {
		var ip, alias string
		if err := rows.Scan(&ip, &alias); err != nil {
			return nil, fmt.Errorf("db: loading host aliases: %w", err)
		}
		h.m[ip] = alias
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: loading host aliases: %w", err)
	}
	return h, nil
}

// Get returns the alias of ip (an address string as printed by Go).
func (h *HostAliases) Get(ip string) (string, bool) {
	h.mu.RLock()
	a, ok := h.m[ip]
	h.mu.RUnlock()
	return a, ok
}

// Len is the number of aliases.
func (h *HostAliases) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.m)
}

// Set stores alias for host; an empty alias deletes it. host is an IP
// literal, optionally with "@vlan", which is ignored for storage (the
// reference keys aliases by the bare IP). It returns the canonical key.
func (h *HostAliases) Set(ctx context.Context, host, alias string) (string, error) {
	ip, ok := canonicalIP(host)
	if !ok || len(alias) > MaxAliasLen || !utf8.ValidString(alias) {
		return "", ErrInvalidAlias
	}
	err := h.db.Tx(ctx, func(tx *sql.Tx) error {
		if alias == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM host_aliases WHERE ip = ?`, ip)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO host_aliases (ip, alias, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(ip) DO UPDATE SET alias = excluded.alias, updated_at = excluded.updated_at`, ip, alias, now())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("db: storing host alias: %w", err)
	}
	h.mu.Lock()
	if alias == "" {
		delete(h.m, ip)
	} else {
		h.m[ip] = alias
	}
	h.mu.Unlock()
	return ip, nil
}

// canonicalIP strips an "@vlan" suffix and prints the address the way
// host records print it, so that "::FFFF:1.2.3.4" and "1.2.3.4" or
// "2001:DB8::1" and "2001:db8::1" name the same host.
func canonicalIP(host string) (string, bool) {
	for i := 0; i < len(host); i++ {
		if host[i] == '@' {
			host = host[:i]
			break
		}
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	return a.Unmap().String(), true
}
