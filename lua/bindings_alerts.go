package lua

import (
	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
)

// Alert constant bindings (rest-alerts-checks.md §2.3). The tables live in
// package alerts; these only shape them for the endpoints.

func (b *binder) alertConstsModule() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"getAlertTypes":      getAlertTypes,
		"getAlertSeverities": getAlertSeverities,
	}
}

// getAlertTypes(): the served alert types, {type = name, key = key} each,
// ordered by family, key and name.
func getAlertTypes(L *glua.LState) int {
	types := alerts.ServedTypes()
	t := L.CreateTable(len(types), 0)
	for _, ty := range types {
		e := L.CreateTable(0, 2)
		e.RawSetString("type", glua.LString(ty.Name))
		e.RawSetString("key", glua.LNumber(ty.Key))
		t.Append(e)
	}
	L.Push(t)
	return 1
}

// getAlertSeverities(): the 8 severities, {severity = key, id = id} each,
// by id.
func getAlertSeverities(L *glua.LState) int {
	sevs := alerts.Severities()
	t := L.CreateTable(len(sevs), 0)
	for _, s := range sevs {
		e := L.CreateTable(0, 2)
		e.RawSetString("severity", glua.LString(s.Key))
		e.RawSetString("id", glua.LNumber(s.ID))
		t.Append(e)
	}
	L.Push(t)
	return 1
}
