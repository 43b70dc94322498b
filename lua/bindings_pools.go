package lua

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/configdoc"
	"github.com/ntopng-go/ntopng/pools"
)

// Pool bindings (rest-pools.md). The server already checked who may run
// the calling script; the pools package validates and persists. Every
// changing function returns (rc_str, rsp): the return code the endpoint
// answers and its payload ({error = why} on failures).

func (b *binder) poolsModule() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"getPools":            b.getPools,
		"getAllPools":         b.getAllPools,
		"getPoolsByRecipient": b.getPoolsByRecipient,
		"getPoolByMember":     b.getPoolByMember,
		"addPool":             b.addPool,
		"editPool":            b.editPool,
		"deletePool":          b.deletePool,
		"deleteAllPools":      b.deleteAllPools,
		"bindPoolMember":      b.bindPoolMember,
		"importPoolMembers":   b.importPoolMembers,
		"exportConfig":        b.exportConfig,
		"importConfig":        b.importConfig,
		"resetConfig":         b.resetConfig,
	}
}

func (b *binder) pools(L *glua.LState) *pools.Manager {
	if b.app.Pools == nil {
		L.RaiseError("no pools store")
	}
	return b.app.Pools
}

func poolKind(L *glua.LState, n int) pools.Kind {
	k := pools.Kind(L.CheckString(n))
	for _, x := range pools.Kinds {
		if x == k {
			return k
		}
	}
	L.ArgError(n, "unknown pool type")
	return ""
}

// poolValue converts a pool object to Lua through JSON, so that empty
// objects and lists keep their JSON shape.
func (b *binder) poolValue(L *glua.LState, p pools.Pool, withKey bool) glua.LValue {
	return jsonValue(L, b.pools(L).Object(p, withKey))
}

func jsonValue(L *glua.LState, v any) glua.LValue {
	raw, err := json.Marshal(v)
	if err != nil {
		L.RaiseError("%v", err)
	}
	lv, err := DecodeJSON(L, raw)
	if err != nil {
		L.RaiseError("%v", err)
	}
	return lv
}

// getPools(kind [, id]): every pool of kind by id, or the one pool (nil
// when it does not exist).
func (b *binder) getPools(L *glua.LState) int {
	m := b.pools(L)
	k := poolKind(L, 1)
	if L.GetTop() >= 2 && L.Get(2) != glua.LNil {
		p, ok := m.Get(k, L.CheckInt(2))
		if !ok {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(b.poolValue(L, p, false))
		return 1
	}
	t := L.NewTable()
	for _, p := range m.List(k) {
		t.Append(b.poolValue(L, p, false))
	}
	L.Push(t)
	return 1
}

// getAllPools: the pools of every kind, each with its "key".
func (b *binder) getAllPools(L *glua.LState) int {
	m := b.pools(L)
	t := L.NewTable()
	for _, k := range pools.Kinds {
		for _, p := range m.List(k) {
			t.Append(b.poolValue(L, p, true))
		}
	}
	L.Push(t)
	return 1
}

// getPoolsByRecipient(id): the pools of every kind with that recipient.
func (b *binder) getPoolsByRecipient(L *glua.LState) int {
	t := L.NewTable()
	for _, p := range b.pools(L).WithRecipient(L.CheckInt(1)) {
		t.Append(b.poolValue(L, p, true))
	}
	L.Push(t)
	return 1
}

// getPoolByMember(member): the host pool holding member, nil when none;
// on an invalid member nil and the reason.
func (b *binder) getPoolByMember(L *glua.LState) int {
	p, ok, err := b.pools(L).PoolByMember(L.CheckString(1))
	switch {
	case err != nil:
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	case !ok:
		L.Push(glua.LNil)
		return 1
	}
	L.Push(b.poolValue(L, p, false))
	return 1
}

// poolSpec reads name, members (comma list) and recipients (comma list,
// nil: unchanged) from the arguments at n, n+1, n+2.
func poolSpec(L *glua.LState, n int) (pools.Spec, error) {
	spec := pools.Spec{Name: L.CheckString(n)}
	if ms := L.OptString(n+1, ""); ms != "" {
		spec.Members = strings.Split(ms, ",")
	}
	if v := L.Get(n + 2); v != glua.LNil {
		spec.RecipientsSet = true
		if rs := glua.LVAsString(v); rs != "" {
			for _, r := range strings.Split(rs, ",") {
				id, err := strconv.Atoi(strings.TrimSpace(r))
				if err != nil {
					return spec, errors.New("recipients must be a comma separated list of recipient ids")
				}
				spec.Recipients = append(spec.Recipients, id)
			}
		}
	}
	return spec, nil
}

// answerRC pushes (code, rsp) with rsp = {error = message} for failures.
func answerRC(L *glua.LState, code string, err error) int {
	L.Push(glua.LString(code))
	t := L.NewTable()
	if err != nil {
		t.RawSetString("error", glua.LString(err.Error()))
	}
	L.Push(t)
	return 2
}

// poolFailure is the code of a refused pool change: internal errors
// (the database) apart, the endpoint's own failure code.
func poolFailure(err error, failed string) string {
	for _, e := range []error{pools.ErrInvalid, pools.ErrNameTaken, pools.ErrUnknownRecipient,
		pools.ErrTooManyMembers, pools.ErrNotFound, pools.ErrTooManyPools} {
		if errors.Is(err, e) {
			return failed
		}
	}
	var be *pools.BoundError
	if errors.As(err, &be) {
		return failed
	}
	return "INTERNAL_ERROR"
}

// addPool(kind, name, members, recipients) → rc_str, {pool_id = id}.
func (b *binder) addPool(L *glua.LState) int {
	k := poolKind(L, 1)
	spec, err := poolSpec(L, 2)
	if err != nil {
		return answerRC(L, "ADD_POOL_FAILED", err)
	}
	id, err := b.pools(L).Add(b.ctx(L), k, spec)
	switch {
	case errors.Is(err, pools.ErrTooManyPools):
		// The "upgrade your edition" wording of -53 does not apply.
		return answerRC(L, "ADD_POOL_FAILED_TOO_MANY_POOLS_ENTERPRISE", err)
	case err != nil:
		return answerRC(L, poolFailure(err, "ADD_POOL_FAILED"), err)
	}
	L.Push(glua.LString("POOL_ADDED_SUCCESSFULLY"))
	t := L.NewTable()
	t.RawSetString("pool_id", glua.LNumber(id))
	L.Push(t)
	return 2
}

// editPool(kind, id, name, members, recipients) → rc_str, rsp.
func (b *binder) editPool(L *glua.LState) int {
	k := poolKind(L, 1)
	id := L.CheckInt(2)
	spec, err := poolSpec(L, 3)
	if err == nil {
		err = b.pools(L).Edit(b.ctx(L), k, id, spec)
	}
	if err != nil {
		return answerRC(L, poolFailure(err, "EDIT_POOL_FAILED"), err)
	}
	return answerRC(L, "POOL_EDITED_SUCCESSFULLY", nil)
}

// deletePool(kind, id) → rc_str, rsp.
func (b *binder) deletePool(L *glua.LState) int {
	err := b.pools(L).Delete(b.ctx(L), poolKind(L, 1), L.CheckInt(2))
	if err != nil {
		return answerRC(L, poolFailure(err, "POOL_NOT_FOUND"), err)
	}
	return answerRC(L, "POOL_DELETED_SUCCESSFULLY", nil)
}

// deleteAllPools() → rc_str, rsp.
func (b *binder) deleteAllPools(L *glua.LState) int {
	if err := b.pools(L).DeleteAll(b.ctx(L)); err != nil {
		return answerRC(L, "INTERNAL_ERROR", err)
	}
	return answerRC(L, "OK", nil)
}

// bindPoolMember(id, member [, old_member]) → rc_str, rsp; when the member
// belongs to another pool rsp is that pool.
func (b *binder) bindPoolMember(L *glua.LState) int {
	err := b.pools(L).Bind(b.ctx(L), L.CheckInt(1), L.CheckString(2), L.OptString(3, ""))
	var be *pools.BoundError
	switch {
	case errors.As(err, &be):
		L.Push(glua.LString("BIND_POOL_MEMBER_ALREADY_BOUND"))
		L.Push(b.poolValue(L, be.Owner, false))
		return 2
	case err != nil:
		return answerRC(L, poolFailure(err, "BIND_POOL_MEMBER_FAILED"), err)
	}
	return answerRC(L, "POOL_MEMBER_BOUND_SUCCESSFULLY", nil)
}

// importPoolMembers(id, text) → rc_str, rsp.
func (b *binder) importPoolMembers(L *glua.LState) int {
	_, _, err := b.pools(L).AddMembers(b.ctx(L), L.CheckInt(1), L.CheckString(2))
	switch {
	case errors.Is(err, pools.ErrNotFound):
		return answerRC(L, "POOL_NOT_FOUND", err)
	case err != nil:
		return answerRC(L, poolFailure(err, "BIND_POOL_MEMBER_FAILED"), err)
	}
	return answerRC(L, "OK", nil)
}

func (b *binder) config(L *glua.LState) *configdoc.Registry {
	if b.app.Config == nil {
		L.RaiseError("no configuration registry")
	}
	return b.app.Config
}

// exportConfig(endpoint [, text]) → document (a table, or its JSON text
// when text is true), failed (true when a module could not be exported).
func (b *binder) exportConfig(L *glua.LState) int {
	doc, failed, err := b.config(L).Export(b.ctx(L), L.CheckString(1))
	if err != nil {
		L.RaiseError("%v", err)
	}
	pushDocument(L, doc, L.OptBool(2, false))
	L.Push(glua.LBool(len(failed) > 0))
	return 2
}

// pushDocument pushes a JSON document as its text, or as a Lua value that
// keeps the JSON shape of empty objects and lists.
func pushDocument(L *glua.LState, doc []byte, text bool) {
	if text {
		L.Push(glua.LString(doc))
		return
	}
	v, err := DecodeJSON(L, doc)
	if err != nil {
		L.RaiseError("%v", err)
	}
	L.Push(v)
}

// importConfig(endpoint, text) → rc_str, rsp.
func (b *binder) importConfig(L *glua.LState) int {
	res := b.config(L).Import(b.ctx(L), L.CheckString(1), L.CheckString(2))
	var err error
	if res.Message != "" {
		err = errors.New(res.Message)
	}
	return answerRC(L, res.Code, err)
}

// resetConfig(module) → rc_str, rsp.
func (b *binder) resetConfig(L *glua.LState) int {
	if err := b.config(L).ResetModule(b.ctx(L), L.CheckString(1)); err != nil {
		return answerRC(L, "INTERNAL_ERROR", err)
	}
	return answerRC(L, "OK", nil)
}

// getHostPoolsStats() → {[pool_id] = {num_hosts, bytes = {sent, rcvd}, ...}}
// for the hosts of the selected interface the caller sees.
func (b *binder) getHostPoolsStats(L *glua.LState) int {
	t := L.NewTable()
	for id, ps := range b.iface().PoolStats(b.visible()) {
		e := L.NewTable()
		setNum(e, "num_hosts", float64(ps.Hosts))
		setNum(e, "num_local_hosts", float64(ps.LocalHosts))
		bytes := L.NewTable()
		setNum(bytes, "sent", float64(ps.BytesSent))
		setNum(bytes, "rcvd", float64(ps.BytesRcvd))
		e.RawSetString("bytes", bytes)
		pkts := L.NewTable()
		setNum(pkts, "sent", float64(ps.PacketsSent))
		setNum(pkts, "rcvd", float64(ps.PacketsRcvd))
		e.RawSetString("packets", pkts)
		setNum(e, "throughput_bps", ps.ThptBps)
		setNum(e, "throughput_pps", ps.ThptPps)
		t.RawSetInt(id, e)
	}
	L.Push(t)
	return 1
}
