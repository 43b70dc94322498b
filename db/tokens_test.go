package db

import (
	"errors"
	"regexp"
	"testing"
	"time"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestAPITokens(t *testing.T) {
	db := openTest(t)
	if err := db.AddUser(ctx, User{Username: "bob", Group: GroupUnprivileged}, "pw"); err != nil {
		t.Fatal(err)
	}
	tok, err := db.CreateAPIToken(ctx, "bob")
	if err != nil || !hex32.MatchString(tok) {
		t.Fatalf("token %q, %v", tok, err)
	}
	if u, err := db.UserByToken(ctx, tok); err != nil || u.Username != "bob" {
		t.Fatalf("UserByToken = %v, %v", u, err)
	}
	// The database keeps only a hash.
	var stored string
	if err := db.SQL().QueryRow("SELECT token_hash FROM api_tokens").Scan(&stored); err != nil || stored == tok {
		t.Errorf("stored %q (%v)", stored, err)
	}
	tok2, err := db.CreateAPIToken(ctx, "bob")
	if err != nil || tok2 == tok {
		t.Fatal("no new token")
	}
	if _, err := db.UserByToken(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("old token still valid: %v", err)
	}
	for _, bad := range []string{"", "zz", tok2 + "0", "' OR 1=1 --                     "} {
		if _, err := db.UserByToken(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("UserByToken(%q) = %v", bad, err)
		}
	}
	if _, err := db.CreateAPIToken(ctx, "nobody"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("token for a missing user: %v", err)
	}
	if err := db.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UserByToken(ctx, tok2); !errors.Is(err, ErrNoSession) {
		t.Errorf("token of a deleted user still valid: %v", err)
	}
}

func TestSessions(t *testing.T) {
	db := openTest(t)
	if err := db.AddUser(ctx, User{Username: "carol", Group: GroupUnprivileged}, "pw"); err != nil {
		t.Fatal(err)
	}
	id, csrf, err := db.CreateSession(ctx, "carol", 0)
	if err != nil || !hex32.MatchString(id) || !hex32.MatchString(csrf) || id == csrf {
		t.Fatalf("session %q %q %v", id, csrf, err)
	}
	s, err := db.SessionByID(ctx, id)
	if err != nil || s.User.Username != "carol" || !CSRFEqual(s.CSRF, csrf) || !s.Expires.IsZero() {
		t.Fatalf("SessionByID = %+v, %v", s, err)
	}
	short, _, err := db.CreateSession(ctx, "carol", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByID(ctx, short); err != nil {
		t.Fatalf("fresh short session: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := db.SessionByID(ctx, short); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session accepted: %v", err)
	}
	// A role change ends the user's sessions.
	g := GroupAdministrator
	if err := db.UpdateUser(ctx, "carol", UserChanges{Group: &g}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByID(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("session survived a role change: %v", err)
	}
	id, _, _ = db.CreateSession(ctx, "carol", 0)
	if err := db.DeleteSession(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByID(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("logged-out session accepted: %v", err)
	}
	if _, _, err := db.CreateSession(ctx, "carol", -time.Second); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative duration: %v", err)
	}
}

func TestUpdateUser(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUser(ctx, User{Username: "dave", FullName: "Dave"}, "pw"); err != nil {
		t.Fatal(err)
	}
	name, nets, lang, pool, yes := "David", "10.0.0.0/8", "it", 3, true
	pw := "new-secret"
	if err := db.UpdateUser(ctx, "dave", UserChanges{FullName: &name, AllowedNetworks: &nets, Language: &lang,
		HostPoolID: &pool, AllowPcapDownload: &yes, Password: &pw}); err != nil {
		t.Fatal(err)
	}
	u, err := db.Authenticate(ctx, "dave", "new-secret")
	if err != nil || u.FullName != "David" || u.AllowedNetworks != nets || u.Language != "it" ||
		u.HostPoolID == nil || *u.HostPoolID != 3 || !u.AllowPcapDownload {
		t.Fatalf("after edit: %+v %v", u, err)
	}
	// A bad field changes nothing, not even the valid ones given with it.
	badNets, other := "10.0.0.0/33", "Other"
	if err := db.UpdateUser(ctx, "dave", UserChanges{FullName: &other, AllowedNetworks: &badNets}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad networks: %v", err)
	}
	if u, _ := db.GetUser(ctx, "dave"); u.FullName != "David" {
		t.Errorf("partial update applied: %+v", u)
	}
	clear := -1
	if err := db.UpdateUser(ctx, "dave", UserChanges{HostPoolID: &clear}); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.GetUser(ctx, "dave"); u.HostPoolID != nil {
		t.Errorf("pool not cleared: %v", *u.HostPoolID)
	}
	// The last administrator cannot be demoted.
	unpriv := GroupUnprivileged
	if err := db.UpdateUser(ctx, "admin", UserChanges{Group: &unpriv}); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demoting the last admin: %v", err)
	}
	if err := db.UpdateUser(ctx, "ghost", UserChanges{FullName: &name}); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("missing user: %v", err)
	}
}
