package rest

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/ntopng-go/ntopng/db"
)

// DBUsers authenticates against the users, tokens and sessions of the
// database.
type DBUsers struct{ Store *db.DB }

// Basic checks a username and password.
func (d DBUsers) Basic(ctx context.Context, user, password string) (*Principal, error) {
	u, err := d.Store.Authenticate(ctx, user, password)
	if err != nil {
		return nil, err
	}
	return principalOf(u)
}

// Token looks up an API token.
func (d DBUsers) Token(ctx context.Context, token string) (*Principal, error) {
	u, err := d.Store.UserByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return principalOf(u)
}

// Session looks up a live session.
func (d DBUsers) Session(ctx context.Context, id string) (*Principal, error) {
	s, err := d.Store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := principalOf(s.User)
	if err != nil {
		return nil, err
	}
	p.CSRF = s.CSRF
	return p, nil
}

// errCaptivePortal: captive-portal users cannot use the GUI or the API.
var errCaptivePortal = errors.New("captive portal users cannot log in")

func principalOf(u *db.User) (*Principal, error) {
	if u.Group == db.GroupCaptivePortal {
		return nil, errCaptivePortal
	}
	admin := u.IsAdministrator()
	p := &Principal{Name: u.Username, Admin: admin, PcapDownload: u.AllowPcapDownload || admin,
		Alerts: u.AllowAlerts || admin}
	if !p.Admin {
		p.AllowedNets = ParseAllowedNets(u.AllowedNetworks)
		p.AllowedIfname = u.AllowedIfname
	}
	return p, nil
}

// ParseAllowedNets turns an allowed-networks list into prefixes; nil when
// the list covers everything (both 0.0.0.0/0 and ::/0, or empty), so that
// unrestricted users pay nothing for the check.
func ParseAllowedNets(s string) []netip.Prefix {
	var out []netip.Prefix
	all4, all6 := false, false
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" || f == "-1" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			if a, err := netip.ParseAddr(f); err == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			} else {
				continue
			}
		}
		p = p.Masked()
		if p.Bits() == 0 {
			if p.Addr().Is4() {
				all4 = true
			} else {
				all6 = true
			}
		}
		out = append(out, p)
	}
	if len(out) == 0 || all4 && all6 {
		return nil
	}
	return out
}
