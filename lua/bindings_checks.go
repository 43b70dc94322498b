package lua

import (
	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts/checks"
)

// Checks configuration bindings (rest-alerts-checks.md §4). The server
// already checked who may run the calling script.

func (b *binder) checksModule() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"getChecksConfig":   b.getChecksConfig,
		"setChecksConfig":   b.setChecksConfig,
		"enableCheck":       b.enableCheck,
		"enableAllChecks":   b.enableAllChecks,
		"resetChecksConfig": b.resetChecksConfig,
		"addAlertExclusion": b.addAlertExclusion,
	}
}

func (b *binder) checks(L *glua.LState) *checks.Store {
	if b.app.Checks == nil {
		L.RaiseError("no checks configuration store")
	}
	return b.app.Checks
}

// getChecksConfig([text]) → {"0": set, "alert_exclusions": …}, or its JSON
// text when text is true.
func (b *binder) getChecksConfig(L *glua.LState) int {
	doc, err := b.checks(L).Document()
	if err != nil {
		L.RaiseError("%v", err)
	}
	pushDocument(L, doc, L.OptBool(1, false))
	return 1
}

// checksFailure maps a checks error to its return code.
func checksFailure(err error) string {
	switch checks.KindOf(err) {
	case checks.InvalidArguments:
		return "INVALID_ARGUMENTS"
	case checks.BadContent:
		return "BAD_CONTENT"
	}
	return "INTERNAL_ERROR"
}

// setChecksConfig(json) → rc_str, rsp (set/checks/config semantics).
func (b *binder) setChecksConfig(L *glua.LState) int {
	if err := b.checks(L).Set(b.ctx(L), []byte(L.CheckString(1))); err != nil {
		return answerRC(L, checksFailure(err), err)
	}
	return answerRC(L, "OK", nil)
}

// enableCheck(subdir, key, on) → rc_str, rsp: {success = true}, or
// {success = false, error = …} for an unknown check (answered OK, as
// ntopng does), INVALID_ARGUMENTS for an unknown subdir.
func (b *binder) enableCheck(L *glua.LState) int {
	err := b.checks(L).Enable(b.ctx(L), L.CheckString(1), L.CheckString(2), L.CheckBool(3))
	t := L.NewTable()
	switch {
	case err == nil:
		t.RawSetString("success", glua.LTrue)
	case checks.KindOf(err) == checks.UnknownCheck:
		t.RawSetString("success", glua.LFalse)
		t.RawSetString("error", glua.LString(err.Error()))
	default:
		return answerRC(L, checksFailure(err), err)
	}
	L.Push(glua.LString("OK"))
	L.Push(t)
	return 2
}

// enableAllChecks(on) → rc_str, rsp: every listed check on or off.
func (b *binder) enableAllChecks(L *glua.LState) int {
	st := b.checks(L)
	on := L.CheckBool(1)
	for _, d := range st.Defs() {
		if !d.Listed {
			continue
		}
		if err := st.Enable(b.ctx(L), d.Subdir, d.Key, on); err != nil {
			return answerRC(L, checksFailure(err), err)
		}
	}
	return answerRC(L, "OK", nil)
}

// resetChecksConfig() → rc_str, rsp.
func (b *binder) resetChecksConfig(L *glua.LState) int {
	if err := b.checks(L).Reset(b.ctx(L)); err != nil {
		return answerRC(L, "INTERNAL_ERROR", err)
	}
	return answerRC(L, "OK", nil)
}

// addAlertExclusion(addr, family, key) → rc_str, rsp: alert type key of
// family ("flow" or "host") is no longer raised for addr.
func (b *binder) addAlertExclusion(L *glua.LState) int {
	ex := checks.Exclusion{Subject: L.CheckString(1), Family: L.CheckString(2), Key: L.CheckInt(3)}
	if err := b.checks(L).AddExclusion(b.ctx(L), ex); err != nil {
		return answerRC(L, checksFailure(err), err)
	}
	return answerRC(L, "OK", nil)
}
