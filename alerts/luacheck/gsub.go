package luacheck

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// gsub is string.gsub (Lua 5.1 semantics) built in one pass. gopher-lua's
// rebuilds the whole string for every match, which is quadratic: a single
// gsub over a long string would run for minutes inside one library call,
// where the time budget cannot stop it. This one copies each byte once
// and refuses a result longer than maxString as it grows.
func gsub(L *lua.LState) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	L.CheckTypes(3, lua.LTString, lua.LTTable, lua.LTFunction)
	repl := L.Get(3)
	limit := L.OptInt(4, -1)

	matches, err := pm.Find(pat, []byte(str), 0, limit)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if len(matches) == 0 {
		L.SetTop(1)
		L.Push(lua.LNumber(0))
		return 2
	}
	buf := make([]byte, 0, len(str))
	last := 0
	for _, m := range matches {
		start, end := m.Capture(0), m.Capture(1)
		buf = append(buf, str[last:start]...)
		switch r := repl.(type) {
		case lua.LString:
			buf = expandRepl(L, buf, string(r), str, m)
		case *lua.LTable:
			buf = appendValue(L, buf, L.GetTable(r, capture(str, m, 1)), str[start:end])
		case *lua.LFunction:
			L.Push(r)
			n := pushCaptures(L, str, m)
			L.Call(n, 1)
			v := L.Get(-1)
			L.Pop(1)
			buf = appendValue(L, buf, v, str[start:end])
		}
		if len(buf) > maxString {
			L.RaiseError("string.gsub: the result would exceed %d bytes", maxString)
		}
		last = end
	}
	buf = append(buf, str[last:]...)
	L.Push(lua.LString(buf))
	L.Push(lua.LNumber(len(matches)))
	return 2
}

// capture returns capture i (1-based) of m; capture 1 of a pattern without
// captures is the whole match, as in Lua. Position captures are numbers.
func capture(str string, m *pm.MatchData, i int) lua.LValue {
	idx := 2 * i
	if m.CaptureLength() == 2 && i == 1 {
		idx = 0
	}
	if idx >= m.CaptureLength() {
		return lua.LNil
	}
	if m.IsPosCapture(idx) {
		return lua.LNumber(m.Capture(idx))
	}
	return lua.LString(str[m.Capture(idx):m.Capture(idx+1)])
}

// pushCaptures pushes the captures of m (the whole match when it has
// none) and returns how many.
func pushCaptures(L *lua.LState, str string, m *pm.MatchData) int {
	n := max(m.CaptureLength()/2-1, 1)
	for i := 1; i <= n; i++ {
		L.Push(capture(str, m, i))
	}
	return n
}

// expandRepl appends a replacement string: %0 is the whole match, %1-%9
// the captures, %x any other character x.
func expandRepl(L *lua.LState, buf []byte, repl, str string, m *pm.MatchData) []byte {
	for i := 0; i < len(repl); i++ {
		// Copy up to the next escape in one go.
		j := strings.IndexByte(repl[i:], '%')
		if j < 0 || i+j+1 == len(repl) {
			return append(buf, repl[i:]...)
		}
		buf = append(buf, repl[i:i+j]...)
		i += j + 1
		c := repl[i]
		switch {
		case c == '0':
			buf = append(buf, str[m.Capture(0):m.Capture(1)]...)
		case c >= '1' && c <= '9':
			n := int(c - '0')
			if n > 1 && n > m.CaptureLength()/2-1 {
				L.RaiseError("invalid capture index %%%d", n)
			}
			buf = append(buf, lua.LVAsString(capture(str, m, n))...)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// appendValue appends the value a table or function gave for a match:
// false or nil keep the match, a string or number replaces it.
func appendValue(L *lua.LState, buf []byte, v lua.LValue, match string) []byte {
	switch x := v.(type) {
	case lua.LString:
		return append(buf, x...)
	case lua.LNumber:
		return append(buf, x.String()...)
	case *lua.LNilType:
		return append(buf, match...)
	case lua.LBool:
		if !x {
			return append(buf, match...)
		}
	}
	L.RaiseError("invalid replacement value (a %s)", v.Type())
	return buf
}
