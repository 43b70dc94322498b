package db

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var ctx = context.Background()

func TestDefaultAdmin(t *testing.T) {
	db := openTest(t)
	created, err := db.EnsureDefaultAdmin(ctx)
	if err != nil || !created {
		t.Fatalf("EnsureDefaultAdmin = %v, %v; want true, nil", created, err)
	}
	created, err = db.EnsureDefaultAdmin(ctx)
	if err != nil || created {
		t.Fatalf("second EnsureDefaultAdmin = %v, %v; want false, nil", created, err)
	}

	u, err := db.Authenticate(ctx, "admin", "admin")
	if err != nil {
		t.Fatal(err)
	}
	want := User{Username: "admin", FullName: DefaultAdminFullName, Group: GroupAdministrator,
		AllowedNetworks: DefaultAllowedNetworks, Language: ""}
	if *u != want || !u.IsAdministrator() {
		t.Errorf("admin = %+v, want %+v", *u, want)
	}

	for _, c := range [][2]string{{"admin", "wrong"}, {"admin", ""}, {"Admin", "admin"}, {"nobody", "admin"}, {"", ""}} {
		if u, err := db.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ErrBadCredentials) || u != nil {
			t.Errorf("Authenticate(%q, %q) = %v, %v; want ErrBadCredentials", c[0], c[1], u, err)
		}
	}

	// The hash is stored PHC-encoded, never the password.
	var hash string
	if err := db.SQL().QueryRow("SELECT password_hash FROM users WHERE username = 'admin'").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(hash) {
		t.Errorf("stored hash %q is not PHC argon2id", hash)
	}
}

func TestEnsureDefaultAdminKeepsExistingAdmins(t *testing.T) {
	db := openTest(t)
	if err := db.AddUser(ctx, User{Username: "root", Group: GroupAdministrator}, "pw"); err != nil {
		t.Fatal(err)
	}
	if created, err := db.EnsureDefaultAdmin(ctx); err != nil || created {
		t.Fatalf("EnsureDefaultAdmin with an administrator = %v, %v", created, err)
	}
	if _, err := db.GetUser(ctx, "admin"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("admin created although an administrator exists: %v", err)
	}
}

func TestUnknownUserCostsAKDF(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"nobody", "x"}, {"admin", "wrong"}, {"bad name'--", "x"}, {"admin", strings.Repeat("x", MaxPasswordLen+1)}} {
		before := db.kdfChecks.Load()
		if _, err := db.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%q) = %v", c[0], err)
		}
		if got := db.kdfChecks.Load() - before; got != 1 {
			t.Errorf("Authenticate(%q) ran %d KDF checks, want 1", c[0], got)
		}
	}
}

func TestUsersCRUD(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	bob := User{Username: "bob", FullName: "Bob Bobson", Group: GroupUnprivileged,
		AllowedNetworks: "192.168.1.0/24,fd00::/8", AllowedIfname: "eth0", Language: "it"}
	if err := db.AddUser(ctx, bob, "s3cret pass"); err != nil {
		t.Fatal(err)
	}
	// Defaults for empty optional fields.
	if err := db.AddUser(ctx, User{Username: "alice@example.com"}, "pw"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUser(ctx, User{Username: "bob"}, "other"); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate AddUser: %v, want ErrUserExists", err)
	}

	got, err := db.GetUser(ctx, "bob")
	if err != nil || *got != bob {
		t.Errorf("GetUser(bob) = %+v, %v; want %+v", got, err, bob)
	}
	if _, err := db.GetUser(ctx, "carol"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("GetUser(carol): %v, want ErrUserNotFound", err)
	}

	list, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list {
		names = append(names, u.Username)
	}
	if strings.Join(names, ",") != "admin,alice@example.com,bob" {
		t.Errorf("ListUsers = %v", names)
	}
	alice := list[1]
	if alice.Group != GroupUnprivileged || alice.AllowedNetworks != DefaultAllowedNetworks || alice.Language != "" {
		t.Errorf("alice defaults = %+v", alice)
	}

	if u, err := db.Authenticate(ctx, "bob", "s3cret pass"); err != nil || *u != bob {
		t.Errorf("Authenticate(bob) = %v, %v", u, err)
	}
	if err := db.SetPassword(ctx, "bob", "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "bob", "new"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := db.SetPassword(ctx, "carol", "x"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetPassword(carol): %v", err)
	}

	if err := db.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetUser(ctx, "bob"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("bob still there: %v", err)
	}
	if _, err := db.Authenticate(ctx, "bob", "new"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("deleted user authenticates: %v", err)
	}
	if err := db.DeleteUser(ctx, "bob"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("second DeleteUser: %v", err)
	}

	// The last administrator stays.
	if err := db.DeleteUser(ctx, "admin"); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("deleting the last admin: %v", err)
	}
	if err := db.AddUser(ctx, User{Username: "admin2", Group: GroupAdministrator}, "pw"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, "admin"); err != nil {
		t.Errorf("deleting one of two admins: %v", err)
	}
}

// sqlLooking are usernames an attacker might try; all must be rejected by
// validation before reaching SQL.
var sqlLooking = []string{
	"admin' OR '1'='1",
	"admin'--",
	"x'; DROP TABLE users; --",
	"\"; DELETE FROM users; --",
	"admin; UPDATE users SET user_group='administrator'",
	"a b",
	"admin\x00",
	"",
	strings.Repeat("a", 65),
	"ädmin",
	"admin:x",
}

func TestSQLLookingUsernamesRejected(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hashBefore string
	if err := db.SQL().QueryRow("SELECT password_hash FROM users").Scan(&hashBefore); err != nil {
		t.Fatal(err)
	}

	for _, name := range sqlLooking {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			err := db.AddUser(ctx, User{Username: name, Group: GroupAdministrator}, "pw")
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "username") {
				t.Errorf("AddUser: %v, want ErrInvalid naming username", err)
			}
			if _, err := db.GetUser(ctx, name); !errors.Is(err, ErrInvalid) {
				t.Errorf("GetUser: %v", err)
			}
			if err := db.SetPassword(ctx, name, "pw"); !errors.Is(err, ErrInvalid) {
				t.Errorf("SetPassword: %v", err)
			}
			if err := db.DeleteUser(ctx, name); !errors.Is(err, ErrInvalid) {
				t.Errorf("DeleteUser: %v", err)
			}
			if _, err := db.Authenticate(ctx, name, "admin"); !errors.Is(err, ErrBadCredentials) {
				t.Errorf("Authenticate: %v", err)
			}
		})
	}

	after, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("users changed: %v -> %v", before, after)
	}
	var hashAfter string
	if err := db.SQL().QueryRow("SELECT password_hash FROM users").Scan(&hashAfter); err != nil || hashAfter != hashBefore {
		t.Errorf("admin password changed (%v)", err)
	}
	if _, err := db.Authenticate(ctx, "admin", "admin"); err != nil {
		t.Errorf("admin no longer authenticates: %v", err)
	}
}

func TestValidationMessages(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		u        User
		password string
		want     string
	}{
		{User{Username: "u1", Group: "root"}, "pw", `group "root" must be one of administrator, unprivileged, captive_portal`},
		{User{Username: "u1", AllowedNetworks: "10.0.0.0/8,nope"}, "pw", `allowed_networks "10.0.0.0/8,nope" must be a comma separated list of networks`},
		{User{Username: "u1", Language: "english"}, "pw", `language "english" must be a language code`},
		{User{Username: "u1", FullName: "a\nb"}, "pw", `full_name "a\nb" must not contain control characters`},
		{User{Username: "u1", FullName: strings.Repeat("x", 129)}, "pw", `full_name must be at most 128 characters long`},
		{User{Username: "u1", AllowedIfname: strings.Repeat("x", 65)}, "pw", `allowed_ifname must be at most 64 characters long`},
		{User{Username: "u 1", Group: "x"}, "pw", `username "u 1" must be 1 to 64 letters, digits, '.', '_', '@' or '-'; group "x" must be one of`},
		{User{Username: "u1"}, "", `password must be 1 to 1024 bytes long`},
		{User{Username: "u1"}, strings.Repeat("p", MaxPasswordLen+1), `password must be 1 to 1024 bytes long`},
	}
	for _, tt := range tests {
		err := db.AddUser(ctx, tt.u, tt.password)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("AddUser(%+v) error %q, want ErrInvalid containing %q", tt.u, err, tt.want)
		}
	}
	if users, _ := db.ListUsers(ctx); len(users) != 0 {
		t.Errorf("invalid users were stored: %v", users)
	}
	// Accepted edge cases.
	for _, u := range []User{
		{Username: strings.Repeat("a", 64)},
		{Username: "first.last-1_x@example.org", Group: GroupCaptivePortal, Language: "pt_BR", FullName: "Zoë Ünïcode"},
	} {
		if err := db.AddUser(ctx, u, "pw"); err != nil {
			t.Errorf("AddUser(%q): %v", u.Username, err)
		}
	}
	if err := db.SetPassword(ctx, "first.last-1_x@example.org", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty SetPassword: %v", err)
	}
}

func TestAuthCacheHitAndInvalidation(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "admin", "admin"); err != nil {
		t.Fatal(err)
	}
	if db.auth.len() != 1 {
		t.Fatalf("cache has %d entries after a success, want 1", db.auth.len())
	}
	// Failures are not cached.
	_, _ = db.Authenticate(ctx, "admin", "nope")
	if db.auth.len() != 1 {
		t.Fatalf("cache has %d entries after a failure, want 1", db.auth.len())
	}

	// A cached success does not run the KDF.
	before := db.kdfChecks.Load()
	for range 10 {
		if _, err := db.Authenticate(ctx, "admin", "admin"); err != nil {
			t.Fatal(err)
		}
	}
	if n := db.kdfChecks.Load() - before; n != 0 {
		t.Errorf("cached authentications ran %d KDF checks", n)
	}

	// SetPassword invalidates: the old password stops working at once.
	if err := db.SetPassword(ctx, "admin", "n3w"); err != nil {
		t.Fatal(err)
	}
	if db.auth.len() != 0 {
		t.Errorf("cache not cleared by SetPassword")
	}
	if _, err := db.Authenticate(ctx, "admin", "admin"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after SetPassword: %v", err)
	}
	if _, err := db.Authenticate(ctx, "admin", "n3w"); err != nil {
		t.Errorf("new password: %v", err)
	}

	// Other changes invalidate too.
	if err := db.AddUser(ctx, User{Username: "x"}, "pw"); err != nil {
		t.Fatal(err)
	}
	if db.auth.len() != 0 {
		t.Errorf("cache not cleared by AddUser")
	}
	if _, err := db.Authenticate(ctx, "x", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "x", "pw"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("deleted user authenticates from cache: %v", err)
	}
}

func TestAuthCacheBoundedAndGeneration(t *testing.T) {
	var c authCache
	for i := range authCacheMax + 100 {
		c.put(c.key(fmt.Sprint("u", i), "pw"), User{}, c.generation())
	}
	if n := c.len(); n > authCacheMax {
		t.Errorf("cache grew to %d entries, max %d", n, authCacheMax)
	}

	// A result computed before an invalidation is not cached after it.
	gen := c.generation()
	c.invalidate()
	k := c.key("late", "pw")
	c.put(k, User{Username: "late"}, gen)
	if _, ok := c.get(k); ok {
		t.Error("stale result cached")
	}
	// The key depends on both parts and on the separator-free username.
	if c.key("a", "b:c") == c.key("a:b", "c") || c.key("a", "b") == c.key("a", "c") {
		t.Error("key collision")
	}
}

func TestConcurrentAuthenticate(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUser(ctx, User{Username: "bob"}, "bobpw"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				user, pw, ok := "admin", "admin", true
				switch (g + i) % 3 {
				case 1:
					user, pw = "bob", "bobpw"
				case 2:
					pw, ok = "wrong", false
				}
				u, err := db.Authenticate(ctx, user, pw)
				switch {
				case ok && (err != nil || u.Username != user):
					errs <- fmt.Errorf("Authenticate(%s) = %v, %v", user, u, err)
				case !ok && !errors.Is(err, ErrBadCredentials):
					errs <- fmt.Errorf("Authenticate(%s, wrong) = %v", user, err)
				}
			}
		}()
	}
	// Writers concurrently with the readers: cache invalidations and
	// WAL writes while authentications run.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 3 {
			if err := db.AddUser(ctx, User{Username: fmt.Sprint("w", i)}, "pw"); err != nil {
				errs <- err
			}
			if _, err := db.ListUsers(ctx); err != nil {
				errs <- err
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestAuthenticateCancelled(t *testing.T) {
	db := openTest(t)
	if _, err := db.EnsureDefaultAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	// Fill the KDF semaphore so that Authenticate has to wait.
	for range cap(db.kdf) {
		db.kdf <- struct{}{}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Authenticate(cctx, "admin", "admin"); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	for range cap(db.kdf) {
		<-db.kdf
	}
}

func TestCorruptStoredHash(t *testing.T) {
	db := openTest(t)
	if err := db.AddUser(ctx, User{Username: "eve"}, "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec("UPDATE users SET password_hash = 'plaintext' WHERE username = 'eve'"); err != nil {
		t.Fatal(err)
	}
	_, err := db.Authenticate(ctx, "eve", "plaintext")
	if !errors.Is(err, ErrBadCredentials) || !strings.Contains(err.Error(), "eve") {
		t.Errorf("corrupt hash: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	h1, err := hashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := hashPassword("pw")
	if h1 == h2 {
		t.Error("same salt twice")
	}
	if ok, err := checkPassword(h1, "pw"); !ok || err != nil {
		t.Errorf("checkPassword(right) = %v, %v", ok, err)
	}
	if ok, err := checkPassword(h1, "pW"); ok || err != nil {
		t.Errorf("checkPassword(wrong) = %v, %v", ok, err)
	}
	parts := strings.Split(h1, "$")
	salt, key := parts[4], parts[5]
	for _, bad := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[:10],
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
	} {
		if _, err := checkPassword(bad, "pw"); err == nil {
			t.Errorf("checkPassword accepted %q", bad)
		}
	}
}

// TestDefaultAdminHash checks the shipped hash of the default password.
func TestDefaultAdminHash(t *testing.T) {
	ok, err := checkPassword(defaultAdminHash, DefaultAdminPassword)
	if err != nil || !ok {
		t.Fatalf("defaultAdminHash does not verify %q: %v", DefaultAdminPassword, err)
	}
	if ok, _ := checkPassword(defaultAdminHash, "Admin"); ok {
		t.Fatal("defaultAdminHash verifies another password")
	}
	p, _, _, err := parseHash(defaultAdminHash)
	if err != nil || p != hashParams {
		t.Fatalf("defaultAdminHash parameters %+v differ from hashParams %+v", p, hashParams)
	}
}
