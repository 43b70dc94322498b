package lua

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/db"
)

// usersModule is ntop's user-management surface. The server already
// checked who may run the calling script (administrators for the user
// endpoints); the self-or-admin rules of sessions and tokens are checked
// here, where the target user is known.

// getUsers returns {username = record} as get/ntopng/users answers it,
// without any password material.
func (b *binder) getUsers(L *glua.LState) int {
	users, err := b.users(L).ListUsers(b.ctx(L))
	if err != nil {
		L.RaiseError("%v", err)
	}
	t := L.NewTable()
	for _, u := range users {
		e := L.NewTable()
		setStr(e, "full_name", u.FullName)
		setStr(e, "group", u.Group)
		setStr(e, "language", u.Language)
		setStr(e, "allowed_nets", u.AllowedNetworks)
		setStr(e, "allowed_ifname", u.AllowedIfname)
		for _, f := range []struct {
			k string
			v bool
		}{{"allow_pcap_download", u.AllowPcapDownload}, {"allow_historical_flows", u.AllowHistoricalFlows},
			{"allow_alerts", u.AllowAlerts}} {
			if f.v {
				setBool(e, f.k, true)
			}
		}
		if u.HostPoolID != nil {
			setNum(e, "host_pool_id", float64(*u.HostPoolID))
		}
		t.RawSetString(u.Username, e)
	}
	L.Push(t)
	return 1
}

// result pushes (rc_str, message) for a store error, or ("OK", nil).
func result(L *glua.LState, err error, failed string) int {
	switch {
	case err == nil:
		L.Push(glua.LString("OK"))
		L.Push(glua.LNil)
		return 2
	case errors.Is(err, db.ErrInvalid):
		L.Push(glua.LString("INVALID_ARGUMENTS"))
	case errors.Is(err, db.ErrUserExists):
		L.Push(glua.LString("USER_ALREADY_EXISTING"))
	case errors.Is(err, db.ErrUserNotFound):
		L.Push(glua.LString("USER_DOES_NOT_EXIST"))
	default:
		L.Push(glua.LString(failed))
	}
	L.Push(glua.LString(err.Error()))
	return 2
}

func optStr(t *glua.LTable, k string) *string {
	v := t.RawGetString(k)
	if v == glua.LNil {
		return nil
	}
	s := glua.LVAsString(v)
	return &s
}

// addUser(fields) creates a user; fields are the add/ntopng/user
// parameters after the script checked presence and password equality.
// Returns rc_str and an error message.
func (b *binder) addUser(L *glua.LState) int {
	t := L.CheckTable(1)
	u := db.User{
		Username:          db.NormalizeUsername(optString(t, "username")),
		FullName:          optString(t, "full_name"),
		Group:             optString(t, "user_role"),
		AllowedNetworks:   optString(t, "allowed_networks"),
		AllowedIfname:     optString(t, "allowed_ifname"),
		Language:          optString(t, "language"),
		AllowPcapDownload: optString(t, "allow_pcap_download") == "1",
	}
	if b.v2() {
		u.AllowAlerts = optString(t, "allow_alerts") == "1"
		u.AllowHistoricalFlows = optString(t, "allow_historical_flows") == "1"
	}
	if s := optString(t, "host_pool_id"); s != "" {
		id, err := strconv.Atoi(s)
		if err != nil {
			return result(L, errors.Join(db.ErrInvalid, err), "ADD_USER_FAILED")
		}
		u.HostPoolID = &id
	}
	return result(L, b.users(L).AddUser(b.ctx(L), u, optString(t, "password")), "ADD_USER_FAILED")
}

// v2 reports whether the request came through a /lua/rest/v2/ URL (which
// runs the v1 script with a few more parameters).
func (b *binder) v2() bool { return strings.Contains(b.req().Path, "/rest/v2/") }

// editUser(username, fields) applies the present fields in one
// transaction. Returns rc_str and an error message.
func (b *binder) editUser(L *glua.LState) int {
	name := db.NormalizeUsername(L.CheckString(1))
	t := L.CheckTable(2)
	c := db.UserChanges{
		FullName: optStr(t, "full_name"), Group: optStr(t, "user_role"),
		AllowedNetworks: optStr(t, "allowed_networks"), AllowedIfname: optStr(t, "allowed_ifname"),
		Language: optStr(t, "language"), Password: optStr(t, "password"),
	}
	flag := func(param string, dst **bool) {
		if v := optStr(t, param); v != nil {
			on := *v == "1"
			*dst = &on
		}
	}
	flag("allow_pcap_download", &c.AllowPcapDownload)
	if b.v2() {
		// ntopng's v2 user endpoints also set these two capabilities.
		flag("allow_alerts", &c.AllowAlerts)
		flag("allow_historical_flows", &c.AllowHistoricalFlows)
	}
	if v := optStr(t, "host_pool_id"); v != nil {
		id, err := strconv.Atoi(*v)
		if err != nil {
			return result(L, errors.Join(db.ErrInvalid, err), "EDIT_USER_FAILED")
		}
		c.HostPoolID = &id
	}
	err := b.users(L).UpdateUser(b.ctx(L), name, c)
	if errors.Is(err, db.ErrLastAdmin) {
		L.Push(glua.LString("EDIT_USER_FAILED"))
		L.Push(glua.LString(err.Error()))
		return 2
	}
	return result(L, err, "EDIT_USER_FAILED")
}

// deleteUser(username) returns rc_str and an error message.
func (b *binder) deleteUser(L *glua.LState) int {
	err := b.users(L).DeleteUser(b.ctx(L), db.NormalizeUsername(L.CheckString(1)))
	if err != nil {
		// A missing user and the last administrator both answer
		// DELETE_USER_FAILED (spec 3.4), with the reason.
		L.Push(glua.LString("DELETE_USER_FAILED"))
		L.Push(glua.LString(err.Error()))
		return 2
	}
	return result(L, nil, "")
}

// mayActFor: administrators act for anyone, others for themselves.
func (b *binder) mayActFor(user string) bool {
	r := b.req()
	return r.Admin || user == r.User
}

// createSession(username, seconds) returns the session id, or nil and a
// reason (unknown user, not allowed).
func (b *binder) createSession(L *glua.LState) int {
	name := db.NormalizeUsername(L.CheckString(1))
	secs := L.OptInt64(2, 0)
	return b.newSecret(L, name, secs >= 0, func(ctx context.Context) (string, error) {
		id, _, err := b.users(L).CreateSession(ctx, name, time.Duration(secs)*time.Second)
		return id, err
	})
}

// createApiToken(username) returns a new token, or nil and a reason.
func (b *binder) createAPIToken(L *glua.LState) int {
	name := db.NormalizeUsername(L.OptString(1, b.req().User))
	return b.newSecret(L, name, true, func(ctx context.Context) (string, error) {
		return b.users(L).CreateAPIToken(ctx, name)
	})
}

// newSecret runs create for user name when the caller may act for it (and
// valid holds), pushing the secret or nil and the reason.
func (b *binder) newSecret(L *glua.LState, name string, valid bool, create func(context.Context) (string, error)) int {
	secret, err := "", errors.New("not allowed")
	if valid && b.mayActFor(name) {
		secret, err = create(b.ctx(L))
	}
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LString(secret))
	return 1
}

// logout ends the caller's session (no-op for other credentials).
func (b *binder) logout(L *glua.LState) int {
	if id := b.req().Session; id != "" {
		_ = b.users(L).DeleteSession(b.ctx(L), id)
	}
	return 0
}

func (b *binder) users(L *glua.LState) *db.DB {
	if b.app.Users == nil {
		L.RaiseError("no users store")
	}
	return b.app.Users
}

// ctx is the run's context (cancelled with the request).
func (b *binder) ctx(L *glua.LState) context.Context {
	if c := L.Context(); c != nil {
		return c
	}
	return context.Background()
}
