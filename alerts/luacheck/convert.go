package luacheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// maxDepth bounds the nesting of the tables converted between Lua and Go
// (configurations, alert parameters).
const maxDepth = 32

// toGo converts a Lua value made of tables, strings, numbers and booleans
// into JSON-shaped Go values: a table whose keys are exactly 1..n is an
// array ([]any; the empty table too, as ntopng writes `[]`), any other
// table an object (map[string]any, number keys written as text).
func toGo(v lua.LValue, depth int) (any, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LString:
		return string(x), nil
	case lua.LNumber:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("numbers must be finite")
		}
		return f, nil
	case *lua.LTable:
		if depth >= maxDepth {
			return nil, fmt.Errorf("tables nested deeper than %d", maxDepth)
		}
		return tableToGo(x, depth)
	}
	return nil, fmt.Errorf("a %s cannot be converted", v.Type())
}

func tableToGo(t *lua.LTable, depth int) (any, error) {
	n := t.Len()
	count := 0
	seq := true
	var err error
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if f, ok := k.(lua.LNumber); !ok || float64(f) != math.Trunc(float64(f)) || f < 1 || int(f) > n {
			seq = false
		}
	})
	if seq && count == n {
		arr := make([]any, 0, n)
		for i := 1; i <= n && err == nil; i++ {
			var e any
			e, err = toGo(t.RawGetInt(i), depth+1)
			arr = append(arr, e)
		}
		return arr, err
	}
	obj := make(map[string]any, count)
	t.ForEach(func(k, val lua.LValue) {
		if err != nil {
			return
		}
		var key string
		switch kk := k.(type) {
		case lua.LString:
			key = string(kk)
		case lua.LNumber:
			key = strconv.FormatFloat(float64(kk), 'g', -1, 64)
		default:
			err = fmt.Errorf("a %s key cannot be converted", k.Type())
			return
		}
		var e any
		if e, err = toGo(val, depth+1); err == nil {
			obj[key] = e
		}
	})
	return obj, err
}

// toLua converts JSON-shaped Go values into Lua values (arrays become
// sequences from 1, objects tables with string keys).
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case json.Number:
		f, _ := x.Float64()
		return lua.LNumber(f)
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, e := range x {
			t.Append(toLua(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	return lua.LNil
}

// luaJSON is the compact JSON text of a Lua value (a check's default
// configuration).
func luaJSON(v lua.LValue) (string, error) {
	g, err := toGo(v, 0)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(g); err != nil {
		return "", err
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// decodeConf decodes a script_conf; an absent or invalid one is an empty
// table, as ntopng hands `[]` to a check without parameters.
func decodeConf(raw json.RawMessage) any {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return []any{}
	}
	return v
}
