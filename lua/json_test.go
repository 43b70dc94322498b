package lua

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	glua "github.com/yuin/gopher-lua"
)

func newJSONTestState(t testing.TB) *glua.LState {
	t.Helper()
	L := glua.NewState()
	t.Cleanup(L.Close)
	return L
}

// evalLuaForJSON evaluates a Lua expression, or a chunk if code starts with
// "return" or "local".
func evalLuaForJSON(t testing.TB, L *glua.LState, code string) glua.LValue {
	t.Helper()
	if c := strings.TrimSpace(code); !strings.HasPrefix(c, "return") && !strings.HasPrefix(c, "local") {
		code = "return " + code
	}
	top := L.GetTop()
	if err := L.DoString(code); err != nil {
		t.Fatalf("lua %q: %v", code, err)
	}
	if L.GetTop() != top+1 {
		t.Fatalf("lua %q returned %d values", code, L.GetTop()-top)
	}
	v := L.Get(-1)
	L.Pop(1)
	return v
}

func mustEncodeJSON(t testing.TB, v glua.LValue) string {
	t.Helper()
	out, err := EncodeJSON(nil, v)
	if err != nil {
		t.Fatalf("EncodeJSON: %v", err)
	}
	if !json.Valid(out) {
		t.Fatalf("EncodeJSON produced invalid JSON: %q", out)
	}
	return string(out)
}

func TestEncodeJSONRules(t *testing.T) {
	L := newJSONTestState(t)
	cases := []struct {
		name, lua, want string
	}{
		// keys exactly 1..n: array
		{"list", `{1, 2, 3}`, `[1,2,3]`},
		{"list of strings", `{"a", "b"}`, `["a","b"]`},
		{"booleans", `{true, false}`, `[true,false]`},
		// empty table: []
		{"empty", `{}`, `[]`},
		{"empty member", `{a = {}}`, `{"a":[]}`},
		{"envelope", `{rc = 0, rc_str = "OK", rc_str_hr = "Success", rsp = {}}`,
			`{"rc":0,"rc_str":"OK","rc_str_hr":"Success","rsp":[]}`},
		{"envelope addresses", `{rc = 0, rc_str = "OK", rc_str_hr = "Success", rsp = {addresses = {}}}`,
			`{"rc":0,"rc_str":"OK","rc_str_hr":"Success","rsp":{"addresses":[]}}`},
		// integer keys starting above 1: padded array
		{"only slot 2", `{[2] = "asc"}`, `[null,"asc"]`},
		{"hole", `{1, nil, 3}`, `[1,null,3]`},
		{"max key 10", `{[10] = 1}`, `[null,null,null,null,null,null,null,null,null,1]`},
		{"max key 11, 1 key", `{[11] = 1}`, `{"11":1}`},
		{"max key 2n", `{[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [12] = 12}`,
			`[1,2,3,4,5,null,null,null,null,null,null,12]`},
		{"max key > 2n", `{[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [13] = 13}`,
			`{"1":1,"13":13,"2":2,"3":3,"4":4,"5":5}`},
		{"sparse big", `{[1] = "a", [100] = "b"}`, `{"1":"a","100":"b"}`},
		// key 0, negative, non-integral: object
		{"key 0 and 1", `{[0] = 1.52, [1] = 98.4}`, `{"0":1.52,"1":98.4}`},
		{"score breakdown", `{score_pct = {score_breakdown_client = {[0] = 1.5199999809265, [1] = 98.480003356934}}}`,
			`{"score_pct":{"score_breakdown_client":{"0":1.5199999809265,"1":98.480003356934}}}`},
		{"negative key", `{[-1] = "x"}`, `{"-1":"x"}`},
		{"fractional key", `{[1.5] = "x", [2] = "y"}`, `{"1.5":"x","2":"y"}`},
		{"huge integral key", `{[1e15] = 1, x = 1}`, `{"1000000000000000":1,"x":1}`},
		// string keys: object
		{"mixed", `{1, 2, x = 3}`, `{"1":1,"2":2,"x":3}`},
		{"string key 1", `{["1"] = "a"}`, `{"1":"a"}`},
		{"sorted keys", `{b = 1, a = 2, A = 3, [""] = 4, ab = 5}`, `{"":4,"A":3,"a":2,"ab":5,"b":1}`},
		{"same text, string first", `{"x", ["1"] = "s"}`, `{"1":"s","1":"x"}`},
		// nil members: omitted
		{"nil member", `{a = nil, b = 1}`, `{"b":1}`},
		{"all nil", `{a = nil}`, `[]`},
		// dkjson: a numeric "n" member is the array length
		{"n is a plain member", `{n = 2}`, `{"n":2}`},
		{"n with items", `{1, 2, n = 3}`, `{"1":1,"2":2,"n":3}`},
		{"n not a number", `{n = "x"}`, `{"n":"x"}`},
		{"n with other string", `{n = 1, m = 2}`, `{"m":2,"n":1}`},
		// numbers
		{"counter", `{bytes = 21475341296}`, `{"bytes":21475341296}`},
		{"integral float", `{x = 3.0}`, `{"x":3}`},
		{"fractions", `{-0.88262498378754, 5.2767765737372e-05, 1e15, 1e14, 99999999999999}`,
			`[-0.88262498378754,5.2767765737372e-05,1e+15,1e+14,99999999999999]`},
		{"nan and inf", `{0/0, 1/0, -1/0}`, `[null,null,null]`},
		// strings
		{"quote backslash", `"a\"b\\c"`, `"a\"b\\c"`},
		{"controls", `"\n\t\r\b\f"`, `"\n\t\r\b\f"`},
		{"other controls", `"\0\1\31\127"`, `"\u0000\u0001\u001f\u007f"`},
		{"slash", `"a/b</c>"`, `"a/b</c>"`},
		{"utf8 raw", `"luca’s imac"`, `"luca’s imac"`},
		{"non-ascii raw", `"é ü 日本 😀"`, `"é ü 日本 😀"`},
		{"dkjson escapes", "\"\u0085 \u00ad \u0600 \u070f \u17b4 \u200c \u2028 \u202f \u2060 \ufeff \ufff0 \ufffd\"",
			`"\u0085 \u00ad \u0600 \u070f \u17b4 \u200c \u2028 \u202f \u2060 \ufeff \ufff0 \ufffd"`},
		{"not escaped", "\"\u00a0 \u00ae \u0605 \u200b \u2019 \u2030 \u2070 \ufeef\"", "\"\u00a0 \u00ae \u0605 \u200b \u2019 \u2030 \u2070 \ufeef\""},
		{"invalid utf8", `"a\255b\192\128c\237\160\128d"`, `"a\ufffdb\ufffd\ufffdc\ufffd\ufffd\ufffdd"`},
		{"truncated utf8", `"x\226\128"`, `"x\ufffd\ufffd"`},
		{"string key escaped", `{["a\"b\n"] = 1}`, `{"a\"b\n":1}`},
		// top-level scalars
		{"nil", `nil`, `null`},
		{"true", `true`, `true`},
		{"number", `42`, `42`},
		// the same table twice (not a cycle)
		{"shared", `(function() local s = {1} return {a = s, b = s} end)()`, `{"a":[1],"b":[1]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustEncodeJSON(t, evalLuaForJSON(t, L, c.lua)); got != c.want {
				t.Errorf("%s\n got %s\nwant %s", c.lua, got, c.want)
			}
		})
	}
}

func TestEncodeJSONHashPartIntegerKeys(t *testing.T) {
	tb := &glua.LTable{Metatable: glua.LNil}
	tb.RawSetH(glua.LNumber(2), glua.LString("x")) // integer key stored in the hash part
	if got := mustEncodeJSON(t, tb); got != `[null,"x"]` {
		t.Fatalf("got %s", got)
	}
	L := newJSONTestState(t)
	big := L.NewTable()
	big.RawSetInt(glua.MaxArrayIndex+1, glua.LTrue)
	big.RawSetString("k", glua.LFalse)
	want := `{"` + strconv.Itoa(glua.MaxArrayIndex+1) + `":true,"k":false}`
	if got := mustEncodeJSON(t, big); got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestEncodeJSONMutatedTables(t *testing.T) {
	L := newJSONTestState(t)
	cases := []struct{ lua, want string }{
		{`local t = {a = 1, b = 2} t.a = nil return t`, `{"b":2}`},
		{`local t = {a = 1} t.a = nil return t`, `[]`},
		{`local t = {1, 2, 3} t[3] = nil return t`, `[1,2]`},
		{`local t = {1, 2, 3} t[1] = nil return t`, `[null,2,3]`},
		{`local t = {1, 2, 3} t[1], t[2], t[3] = nil, nil, nil return t`, `[]`},
		{`local t = {} for i = 1, 100 do t[i] = i end for i = 1, 99 do t[i] = nil end return t`, `{"100":100}`},
		{`local t = {} for i = 1, 20 do t[i] = i end for i = 1, 10 do t[i] = nil end return t`,
			`[null,null,null,null,null,null,null,null,null,null,11,12,13,14,15,16,17,18,19,20]`},
		{`local t = {} t[3] = "c" t.x = 1 t.x = nil return t`, `[null,null,"c"]`},
		{`local t = {x = 1, [0] = 0} t.x = nil return t`, `{"0":0}`},
		{`local t = {} t[1.5] = 1 t[-2] = 2 t[1e20] = 3 return t`, `{"-2":2,"1.5":1,"1e+20":3}`},
		{`local t = {10, 20, k = "v"} return t`, `{"1":10,"2":20,"k":"v"}`},
	}
	for _, c := range cases {
		if got := mustEncodeJSON(t, evalLuaForJSON(t, L, c.lua)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.lua, got, c.want)
		}
	}
	// A NaN key can only be stored with RawSetH; it must not hang the
	// encoder. It cannot be read back, and pairs() does not show it either.
	tb := L.NewTable()
	tb.RawSetInt(1, glua.LTrue)
	tb.RawSetH(glua.LNumber(math.NaN()), glua.LFalse)
	tb.RawSetString("k", glua.LFalse)
	if got := mustEncodeJSON(t, tb); got != `{"1":true,"k":false}` {
		t.Errorf("NaN key: got %s", got)
	}
}

func TestEncodeJSONJsonTypeMetatable(t *testing.T) {
	L := newJSONTestState(t)
	v := evalLuaForJSON(t, L, `return {
		a = setmetatable({}, {__jsontype = "object"}),
		b = setmetatable({}, {__jsontype = "array"}),
		c = setmetatable({1}, {__jsontype = "object"}),
		d = setmetatable({}, {__index = function() return 1 end}),
	}`)
	if got, want := mustEncodeJSON(t, v), `{"a":{},"b":[],"c":[1],"d":[]}`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestEncodeJSONErrors(t *testing.T) {
	L := newJSONTestState(t)
	cases := []struct{ name, lua, msg string }{
		{"function", `print`, "type 'function' is not supported by JSON"},
		{"nested function", `{a = {f = function() end}}`, "'function'"},
		{"coroutine", `coroutine.create(function() end)`, "'thread'"},
		{"boolean key", `{[true] = 1}`, "type 'boolean' is not supported as a key"},
		{"table key", `{[{}] = 1}`, "type 'table' is not supported as a key"},
		{"cycle", `local t = {} t.self = t return t`, "reference cycle"},
		{"array cycle", `local t = {} t[1] = {t} return t`, "reference cycle"},
		{"tojson", `setmetatable({}, {__tojson = function() return "null" end})`, "__tojson"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := []byte("prefix")
			out, err := EncodeJSON(dst, evalLuaForJSON(t, L, c.lua))
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want it to contain %q", err, c.msg)
			}
			if string(out) != "prefix" {
				t.Fatalf("dst changed on error: %q", out)
			}
		})
	}
	ud := L.NewUserData()
	if _, err := EncodeJSON(nil, ud); err == nil || !strings.Contains(err.Error(), "'userdata'") {
		t.Fatalf("userdata: err = %v", err)
	}
}

func nestedLuaTables(L *glua.LState, depth int) glua.LValue {
	var v glua.LValue = glua.LNumber(1)
	for i := 0; i < depth; i++ {
		t := L.NewTable()
		t.RawSetInt(1, v)
		v = t
	}
	return v
}

func TestEncodeJSONDepth(t *testing.T) {
	L := newJSONTestState(t)
	got := mustEncodeJSON(t, nestedLuaTables(L, maxJSONDepth))
	if want := strings.Repeat("[", maxJSONDepth) + "1" + strings.Repeat("]", maxJSONDepth); got != want {
		t.Fatalf("got %s", got)
	}
	if _, err := EncodeJSON(nil, nestedLuaTables(L, maxJSONDepth+1)); err == nil {
		t.Fatal("no error for too deep nesting")
	}
}

func TestEncodeJSONAppends(t *testing.T) {
	L := newJSONTestState(t)
	out, err := EncodeJSON([]byte("x="), evalLuaForJSON(t, L, `{a = 1}`))
	if err != nil || string(out) != `x={"a":1}` {
		t.Fatalf("got %q, %v", out, err)
	}
}

// sanitizeUTF8ForJSON replaces every invalid byte with U+FFFD, as EncodeJSON does.
func sanitizeUTF8ForJSON(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 && r == utf8.RuneError {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func checkJSONStringRoundTrip(t *testing.T, s string) {
	out := appendJSONString(nil, s)
	var back string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%q -> %q: %v", s, out, err)
	}
	if want := sanitizeUTF8ForJSON(s); back != want {
		t.Fatalf("%q -> %q -> %q, want %q", s, out, back, want)
	}
	if bytes.Count(out, []byte("/")) != strings.Count(s, "/") {
		t.Fatalf("%q: escaped slash in %q", s, out)
	}
}

func TestEncodeJSONStringRandom(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	alphabet := []string{"a", "/", "\"", "\\", "\n", "\x00", "\x7f", "\x1f", "é", "’", "\u2028", "\ufeff",
		"\ufffd", "😀", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for j := r.Intn(12); j > 0; j-- {
			if r.Intn(4) == 0 {
				b.WriteByte(byte(r.Intn(256)))
			} else {
				b.WriteString(alphabet[r.Intn(len(alphabet))])
			}
		}
		checkJSONStringRoundTrip(t, b.String())
	}
}

func FuzzEncodeJSONString(f *testing.F) {
	for _, s := range []string{"", "abc", "luca’s imac", "a\"b\\c\n", "\xff\xfe", "\u2028\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(checkJSONStringRoundTrip)
}

// ---------------------------------------------------------------------------
// DecodeJSON

func mustDecodeJSON(t testing.TB, L *glua.LState, doc string) glua.LValue {
	t.Helper()
	v, err := DecodeJSON(L, []byte(doc))
	if err != nil {
		t.Fatalf("DecodeJSON(%q): %v", doc, err)
	}
	return v
}

func TestDecodeJSONRoundTrip(t *testing.T) {
	L := newJSONTestState(t)
	// Documents in canonical form (sorted keys, no white space, numbers as
	// FormatNumber prints them) come back unchanged.
	same := []string{
		`{"rc":0,"rc_str":"OK","rc_str_hr":"Success","rsp":{"addresses":[]}}`,
		`{"rc":-2,"rc_str":"INVALID_INTERFACE","rc_str_hr":"Invalid interface","rsp":[]}`,
		`{"a":[]}`,
		`{"a":{}}`, // decoded objects keep their type, as with dkjson
		`{}`,
		`[]`,
		`[null,"asc"]`,
		`[1,null,3]`,
		`{"score_pct":{"score_breakdown_client":{"0":1.52,"1":98.4}}}`,
		`{"bytes":21475341296,"f":0.37000000476837,"g":-0.88262498378754,"h":5.2767765737372e-05,"i":1e+15}`,
		`{"name":"luca’s imac","path":"/lua/rest/v1","q":"a\"b\\c\nd\te\u0001"}`,
		`[true,false,"x",0,-1,[[[]]],{"k":{"k":[1]}}]`,
		`"just a string"`,
		`12`,
		`true`,
		`null`,
	}
	for _, doc := range same {
		if got := mustEncodeJSON(t, mustDecodeJSON(t, L, doc)); got != doc {
			t.Errorf("round trip\n got %s\nwant %s", got, doc)
		}
	}
	changed := []struct{ in, want string }{
		{" {\n\t\"b\" : [ 1 , 2 ] ,\r\n \"a\" : 1 } ", `{"a":1,"b":[1,2]}`},
		{"\xef\xbb\xbf[1]", `[1]`},
		{`{"a":null,"b":1}`, `{"b":1}`},
		{`{"a":null}`, `{}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{"a":1,"a":null}`, `{}`},
		{`[1,null]`, `[1]`},
		{`[null]`, `[]`},
		{`[1,null,null,null,null,null,null,null,null,null,null,2]`, `{"1":1,"12":2}`}, // too many holes
		{`{"x":1.0,"y":1e2,"z":-0.5E-1,"w":1E+400,"v":-1e400,"u":1e-400}`, `{"u":0,"v":null,"w":null,"x":1,"y":100,"z":-0.05}`},
		{`[0.1234567890123456789,12345678901234567890,-0]`, `[0.12345678901235,1.2345678901235e+19,-0]`},
		{`"\u00e9\/\u2019\ud83d\ude00\u0041"`, `"é/’😀A"`},
		{`"\ud800x\udc00"`, `"\ufffdx\ufffd"`},
		{`"\uD834\uDD1E"`, `"𝄞"`},
		{`"\u2028\uFEFF"`, `"\u2028\ufeff"`},
		{`"\u0000"`, `"\u0000"`},
		{"\"\xff\"", `"\ufffd"`},
	}
	for _, c := range changed {
		if got := mustEncodeJSON(t, mustDecodeJSON(t, L, c.in)); got != c.want {
			t.Errorf("%q\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDecodeJSONLuaView(t *testing.T) {
	L := newJSONTestState(t)
	v := mustDecodeJSON(t, L, `{"ifid":"0","n":1.5,"arr":[10,null,30],"obj":{"k":true},"nul":null,"e":{}, "s":"a\nb"}`)
	L.SetGlobal("doc", v)
	err := L.DoString(`
		assert(type(doc) == "table")
		assert(doc.ifid == "0")
		assert(doc.n == 1.5)
		assert(doc.arr[1] == 10 and doc.arr[2] == nil and doc.arr[3] == 30)
		assert(doc.obj.k == true)
		assert(doc.nul == nil)
		assert(next(doc.e) == nil)
		assert(doc.s == "a\nb")
		assert(getmetatable(doc).__jsontype == "object")
		assert(getmetatable(doc.arr).__jsontype == "array")
		local count = 0
		for k, v in pairs(doc) do count = count + 1 end
		assert(count == 6, "members: " .. count)
	`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	L := newJSONTestState(t)
	bad := []string{
		``, ` `, `{`, `}`, `[`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{1:2}`,
		`{"a":1 "b":2}`, `01`, `1.`, `.5`, `-`, `-a`, `1e`, `1e+`, `+1`, `0x10`, `tru`, `nul`, `nulls`, `True`,
		`"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\nb\"", `[1] x`, `{} {}`, `1 2`, `NaN`, `Infinity`,
		`-Infinity`, `'a'`, `// c` + "\n1", `[1]/**/`, "\x00", `"\`,
	}
	for _, doc := range bad {
		v, err := DecodeJSON(L, []byte(doc))
		if err == nil {
			t.Errorf("DecodeJSON(%q) succeeded: %v", doc, v)
			continue
		}
		var se *JSONSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("DecodeJSON(%q): error %T is not a *JSONSyntaxError", doc, err)
		}
		if v != glua.LNil {
			t.Errorf("DecodeJSON(%q) returned %v with the error", doc, v)
		}
	}
}

func TestDecodeJSONDepth(t *testing.T) {
	L := newJSONTestState(t)
	ok := strings.Repeat(`[{"a":`, maxJSONDepth/2) + "1" + strings.Repeat(`}]`, maxJSONDepth/2)
	if got := mustEncodeJSON(t, mustDecodeJSON(t, L, ok)); got != ok {
		t.Fatalf("got %s", got)
	}
	tooDeep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	if _, err := DecodeJSON(L, []byte(tooDeep)); err == nil {
		t.Fatal("no error for too deep nesting")
	}
	huge := strings.Repeat("[", 1<<20)
	if _, err := DecodeJSON(L, []byte(huge)); err == nil {
		t.Fatal("no error for huge nesting")
	}
}

// validJSONForDecode reports whether encoding/json accepts doc, allowing the
// leading byte order mark that DecodeJSON skips.
func validJSONForDecode(doc []byte) bool {
	return json.Valid(bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf")))
}

func FuzzDecodeJSON(f *testing.F) {
	seeds := []string{
		`{"rc":0,"rc_str":"OK","rc_str_hr":"Success","rsp":{"addresses":[]}}`,
		`[null,"asc"]`, `{"0":1.52,"1":98.4}`, `{"a":{}}`, `[]`, `{}`, `"luca’s imac"`,
		`[1,null,3]`, `{"n":3}`, `{"n":1e300}`, `"\ud800\udc00\u0000\/"`, `-0.0e-0`, `1E400`,
		`{"a":[1,2,{"b":null}],"c":"\u2028"}`, "\xef\xbb\xbf{}", `[1,]`, `{"a":1,"a":null}`,
		`{"":1E700}`, `[-1e999]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	L := glua.NewState(glua.Options{SkipOpenLibs: true})
	defer L.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(L, data)
		valid := validJSONForDecode(data)
		if err != nil {
			var se *JSONSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if valid && !strings.Contains(se.Msg, "nested deeper") {
				t.Fatalf("valid JSON %q rejected: %v", data, err)
			}
			return
		}
		if !valid {
			t.Fatalf("invalid JSON %q accepted", data)
		}
		out, err := EncodeJSON(nil, v)
		if err != nil {
			t.Fatalf("re-encoding %q: %v", data, err)
		}
		if !json.Valid(out) {
			t.Fatalf("%q re-encoded to invalid JSON %q", data, out)
		}
		// After one round trip the output is a fixed point (except in the
		// cases described at roundTripUnstable).
		if roundTripUnstable(v) {
			return
		}
		v2, err := DecodeJSON(L, out)
		if err != nil {
			t.Fatalf("decoding our own output %q: %v", out, err)
		}
		out2, err := EncodeJSON(nil, v2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("not stable: %q -> %q -> %q (%v)", data, out, out2, err)
		}
	})
}

// roundTripUnstable reports whether v holds something that makes the first
// re-encoding differ from the second one: a non-finite number
// ({"a":1e400} -> {"a":null} -> {}).
func roundTripUnstable(v glua.LValue) bool {
	switch x := v.(type) {
	case glua.LNumber:
		return math.IsInf(float64(x), 0) || math.IsNaN(float64(x))
	case *glua.LTable:
		found := false
		x.ForEach(func(_, e glua.LValue) { found = found || roundTripUnstable(e) })
		return found
	}
	return false
}

// ---------------------------------------------------------------------------
// ToLua

type jsonTestStringer struct{}

func (jsonTestStringer) String() string { return "str" }

func TestToLua(t *testing.T) {
	L := newJSONTestState(t)
	self := []any{nil}
	self[0] = self
	cases := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"s", `"s"`},
		{[]byte("b"), `"b"`},
		{3, `3`},
		{int8(-3), `-3`},
		{uint8(200), `200`},
		{int32(7), `7`},
		{uint32(4294967295), `4294967295`},
		{int64(21475341296), `21475341296`},
		{uint64(21475341296), `21475341296`},
		{uint64(math.MaxUint64), `1.844674407371e+19`},
		{float32(0.37), `0.37000000476837`},
		{1.5, `1.5`},
		{json.Number("21475341296"), `21475341296`},
		{json.Number("1e2"), `100`},
		{json.Number("bogus"), `"bogus"`},
		{map[string]any{}, `[]`},
		{[]any{}, `[]`},
		{map[string]any{"a": 1, "b": nil, "c": []any{1, nil, "x"}, "d": map[string]any{}}, `{"a":1,"c":[1,null,"x"],"d":[]}`},
		{map[string]any{"0": 1.52}, `{"0":1.52}`},
		{[]any{nil, "asc"}, `[null,"asc"]`},
		{[]map[string]any{{"k": "v"}}, `[{"k":"v"}]`},
		{map[string]string{"k": "v"}, `{"k":"v"}`},
		{map[string]int{"k": 1}, `{"k":1}`},
		{map[string]int64{"k": 1}, `{"k":1}`},
		{map[string]uint64{"k": 1}, `{"k":1}`},
		{map[string]float64{"k": 0.5}, `{"k":0.5}`},
		{map[string]bool{"k": true}, `{"k":true}`},
		{[]string{"a", "b"}, `["a","b"]`},
		{[]int{1, 2}, `[1,2]`},
		{[]int64{1}, `[1]`},
		{[]uint64{1}, `[1]`},
		{[]float64{0.25}, `[0.25]`},
		{glua.LString("lv"), `"lv"`},
		{errors.New("boom"), `"boom"`},
		{jsonTestStringer{}, `"str"`},
		{struct{ A int }{1}, `"{1}"`},
	}
	for _, c := range cases {
		if got := mustEncodeJSON(t, ToLua(L, c.in)); got != c.want {
			t.Errorf("ToLua(%#v) -> %s, want %s", c.in, got, c.want)
		}
	}
	// self-referencing value: cut at the depth limit instead of recursing forever
	if got := mustEncodeJSON(t, ToLua(L, self)); !strings.HasPrefix(got, "[[[") {
		t.Errorf("self-referencing slice: %s", got)
	}
	// decoded with encoding/json (UseNumber) and converted: same as DecodeJSON
	doc := `{"a":[1,2.5,{"b":null,"c":"x"}],"d":{},"e":21475341296}`
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		t.Fatal(err)
	}
	if got, want := mustEncodeJSON(t, ToLua(L, x)), `{"a":[1,2.5,{"c":"x"}],"d":[],"e":21475341296}`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

// ---------------------------------------------------------------------------
// Benchmarks

// benchJSONHosts builds a 1000-element array of 20-member objects resembling
// ntopng host entries.
func benchJSONHosts(L *glua.LState) *glua.LTable {
	arr := L.CreateTable(1000, 0)
	for i := 0; i < 1000; i++ {
		h := L.CreateTable(0, 20)
		h.RawSetString("ip", glua.LString("192.168."+strconv.Itoa(i/256)+"."+strconv.Itoa(i%256)))
		h.RawSetString("name", glua.LString("host-"+strconv.Itoa(i)+".example.org"))
		h.RawSetString("mac", glua.LString("AA:BB:CC:DD:EE:FF"))
		h.RawSetString("vlan", glua.LNumber(0))
		h.RawSetString("ifid", glua.LNumber(1))
		h.RawSetString("is_local", glua.LBool(i%2 == 0))
		h.RawSetString("is_blacklisted", glua.LFalse)
		h.RawSetString("bytes.sent", glua.LNumber(21475341296+i))
		h.RawSetString("bytes.rcvd", glua.LNumber(1234567+i))
		h.RawSetString("packets.sent", glua.LNumber(12345+i))
		h.RawSetString("packets.rcvd", glua.LNumber(54321+i))
		h.RawSetString("throughput_bps", glua.LNumber(float32(1234.5678)*float32(i+1)))
		h.RawSetString("throughput_pps", glua.LNumber(float32(0.37)*float32(i+1)))
		h.RawSetString("score", glua.LNumber(i%300))
		h.RawSetString("seen.first", glua.LNumber(1650000000+i))
		h.RawSetString("seen.last", glua.LNumber(1650000300+i))
		h.RawSetString("country", glua.LString("IT"))
		h.RawSetString("os_detail", glua.LString("Linux — “quoted”\tdetail"))
		h.RawSetString("num_flows", glua.LNumber(i))
		tags := L.CreateTable(2, 0)
		tags.RawSetInt(1, glua.LString("a"))
		tags.RawSetInt(2, glua.LString("b/c"))
		h.RawSetString("tags", tags)
		arr.RawSetInt(i+1, h)
	}
	return arr
}

func BenchmarkEncodeJSON(b *testing.B) {
	L := newJSONTestState(b)
	tb := benchJSONHosts(L)
	out, err := EncodeJSON(nil, tb)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	buf := make([]byte, 0, 2*len(out))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf, err = EncodeJSON(buf[:0], tb); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSONReference marshals the same data held in Go maps with
// encoding/json, for comparison.
func BenchmarkEncodingJSONReference(b *testing.B) {
	L := newJSONTestState(b)
	out, err := EncodeJSON(nil, benchJSONHosts(L))
	if err != nil {
		b.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(out, &x); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := json.Marshal(x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	L := newJSONTestState(b)
	out, err := EncodeJSON(nil, benchJSONHosts(L))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeJSON(L, out); err != nil {
			b.Fatal(err)
		}
	}
}
