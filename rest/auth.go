package rest

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Principal is an authenticated caller, with what it may see.
type Principal struct {
	Name  string
	Admin bool
	// AllowedNets restricts the hosts and flows the caller sees; nil means
	// every network.
	AllowedNets []netip.Prefix
	// AllowedIfname pins the caller to one interface ("" for all).
	AllowedIfname string
	PcapDownload  bool
	// Alerts is ntopng's "alerts" capability: reading alerts.
	Alerts bool
	// Via says how the caller authenticated: "nologin", "basic", "token"
	// or "session".
	Via string
	// Session and CSRF are the session id and its CSRF token (Via ==
	// "session").
	Session, CSRF string
}

// Authenticator checks credentials. Each method returns an error for
// credentials it does not accept.
type Authenticator interface {
	Basic(ctx context.Context, user, password string) (*Principal, error)
	Token(ctx context.Context, token string) (*Principal, error)
	Session(ctx context.Context, id string) (*Principal, error)
}

// Login lock-out (rest-users-auth.md 2.1): failed password checks from one
// client address are counted for lockWindow after the last one; at
// lockAfter failures the address is refused until the counter expires,
// even with the right password. A success clears the counter.
const (
	lockAfter   = 5
	lockWindow  = 300 * time.Second
	lockMaxKeys = 65536
)

type failCount struct {
	n       int
	expires time.Time
}

type lockout struct {
	mu sync.Mutex
	m  map[string]failCount
}

// locked reports whether addr is locked out, and for how long.
func (l *lockout) locked(addr string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.m[addr]
	if !ok || !now.Before(c.expires) {
		return false, 0
	}
	return c.n >= lockAfter, c.expires.Sub(now)
}

func (l *lockout) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]failCount)
	}
	if len(l.m) >= lockMaxKeys {
		// Bounded: expired counters go first, then arbitrary ones (a
		// flood of addresses must not grow memory without limit).
		for k, c := range l.m {
			if !now.Before(c.expires) || len(l.m) >= lockMaxKeys {
				delete(l.m, k)
			}
		}
	}
	c := l.m[addr]
	if !now.Before(c.expires) {
		c.n = 0
	}
	c.n++
	c.expires = now.Add(lockWindow)
	l.m[addr] = c
}

func (l *lockout) success(addr string) {
	l.mu.Lock()
	delete(l.m, addr)
	l.mu.Unlock()
}

// clientAddr is the address failed logins are counted against.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authOutcome says why a request is not authenticated.
type authOutcome int

const (
	authOK authOutcome = iota
	authMissing
	authRejected
	authLocked
)

// authenticate applies the credential order of rest-conventions.md §4.1:
// login disabled, Authorization (Basic, then Token), session cookie.
func (s *Server) authenticate(r *http.Request) (*Principal, authOutcome, time.Duration) {
	if s.cfg.DisableLogin {
		return &Principal{Name: "nologin", Admin: true, Via: "nologin"}, authOK, 0
	}
	if s.cfg.Users == nil {
		return nil, authMissing, 0
	}
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Basic"):
			user, pass, ok := r.BasicAuth()
			if !ok {
				return nil, authRejected, 0
			}
			addr := clientAddr(r)
			if locked, wait := s.locks.locked(addr, time.Now()); locked {
				return nil, authLocked, wait
			}
			p, err := s.cfg.Users.Basic(ctx, user, pass)
			if err != nil {
				if ctx.Err() == nil {
					s.locks.fail(addr, time.Now())
				}
				return nil, authRejected, 0
			}
			s.locks.success(addr)
			p.Via = "basic"
			return p, authOK, 0
		case strings.EqualFold(scheme, "Token"):
			p, err := s.cfg.Users.Token(ctx, strings.TrimSpace(cred))
			if err != nil {
				return nil, authRejected, 0
			}
			p.Via = "token"
			return p, authOK, 0
		}
		return nil, authRejected, 0
	}
	if id := s.sessionCookie(r); id != "" {
		p, err := s.cfg.Users.Session(ctx, id)
		if err != nil {
			return nil, authRejected, 0
		}
		p.Via, p.Session = "session", id
		return p, authOK, 0
	}
	return nil, authMissing, 0
}

// SessionCookieName is ntopng's session cookie for an HTTP port (HTTPS is
// not served, hence the 0).
func SessionCookieName(httpPort string) string { return "session_" + httpPort + "_0" }

// sessionCookie returns the session id the request carries: the
// session_<port>_0 cookie, or plain "session" on REST URIs.
func (s *Server) sessionCookie(r *http.Request) string {
	if c, err := r.Cookie(SessionCookieName(s.port(r))); err == nil && c.Value != "" {
		return c.Value
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/lua/rest/") || strings.HasPrefix(p, "/lua/pro/rest/") {
		if c, err := r.Cookie("session"); err == nil {
			return c.Value
		}
	}
	return ""
}

// port is the HTTP port the request arrived on ("3000").
func (s *Server) port(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			return p
		}
	}
	if s.ln != nil {
		if _, p, err := net.SplitHostPort(s.ln.Addr().String()); err == nil {
			return p
		}
	}
	if _, p, err := net.SplitHostPort(s.cfg.Addr); err == nil {
		return p
	}
	return "3000"
}

// csrfExempt: JSON POSTs to REST reads (a URI containing /get/) need no
// CSRF token (rest-conventions.md §4.3).
func csrfExempt(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") &&
		strings.Contains(r.URL.Path, "/get/") &&
		(strings.HasPrefix(r.URL.Path, "/lua/rest/") || strings.HasPrefix(r.URL.Path, "/lua/pro/rest/"))
}

func csrfEqual(got, want string) bool {
	return want != "" && len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
