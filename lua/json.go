package lua

// JSON <-> Lua conversion reproducing the serializer ntopng uses for its REST
// answers (dkjson 2.5, scripts/lua/modules/dkjson.lua), see
// shared/spec/rest-conventions.md §2.2.
//
// Encoding rules (EncodeJSON):
//
//   - A table is an array when every key is an integer number >= 1, unless the
//     largest key is > 10 and > 2 × the number of keys (too many holes), in
//     which case it is an object. Missing slots of an array are null.
//   - An empty table is [] (dkjson's isarray() is true for it), except a table
//     whose metatable has __jsontype == "object" (what DecodeJSON attaches to
//     decoded objects, as dkjson.decode does), which is {}.
//   - Any string key, key 0, a negative or a non-integral key makes an
//     object (dkjson's numeric "n" array-length quirk is not reproduced).
//   - Object keys: strings as they are, numbers stringified like Lua's
//     tostring (integral keys as integers, others %.14g). Members are written
//     in byte-wise key order (ntopng writes hash order; order does not matter
//     to consumers, a sorted order makes the output deterministic). A table
//     key of another type (boolean, table, ...) is an error, as in dkjson.
//   - nil members do not exist in Lua tables, so they are never printed.
//   - Numbers: FormatNumber (%.14g, integers without decimal point, NaN/Inf as
//     null like dkjson).
//   - Strings: raw UTF-8; `"` `\` escaped, \b \f \n \r \t, other control
//     characters and DEL as \u00xx (lower-case hex, like dkjson), and the
//     "invisible" code points dkjson escapes (U+0080–U+009F, U+00AD,
//     U+0600–U+0604, U+070F, U+17B4–U+17B5, U+200C–U+200F, U+2028–U+202F,
//     U+2060–U+206F, U+FEFF, U+FFF0–U+FFFF) as \uxxxx. "/" and any other
//     non-ASCII character (e.g. U+2019 in "luca’s imac") are written raw.
//     Invalid UTF-8 bytes, which dkjson would pass through (producing invalid
//     JSON), are each replaced with \ufffd.
//   - Functions, userdata, threads, channels: error "type 'function' is not
//     supported by JSON". Tables with a __tojson metamethod (dkjson's custom
//     encoder hook, e.g. dkjson's json.null) are an error too: the encoder has
//     no Lua state to call them with.
//   - Reference cycles are an error; so is nesting deeper than maxJSONDepth.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	glua "github.com/yuin/gopher-lua"
)

// maxJSONDepth is the maximum number of nested arrays/objects accepted by
// EncodeJSON and DecodeJSON (and converted by ToLua).
const maxJSONDepth = 64

// ---------------------------------------------------------------------------
// Encoding

type jsonMember struct {
	key  string      // key text (for numeric keys: filled in only for objects)
	num  bool        // key was a number (sorts after an equal string key)
	nkey float64     // numeric key
	val  glua.LValue // member value (never nil)
}

// jsonMemberOrder is what object members are sorted by: the first 8 bytes
// of the key (big-endian, zero padded) and the member's index in
// jsonEncoder.kvs. It holds no pointers, so sorting it is cheap.
type jsonMemberOrder struct {
	prefix uint64
	idx    uint32
}

type jsonEncoder struct {
	buf   []byte
	path  []*glua.LTable    // tables being encoded, for cycle detection
	kvs   []jsonMember      // stack of members of the objects being encoded
	order []jsonMemberOrder // stack of sort orders of the objects being encoded
	tmp   []byte
}

var jsonEncoderPool = sync.Pool{New: func() any { return new(jsonEncoder) }}

// EncodeJSON appends the JSON text of v to dst, following ntopng's (dkjson's)
// rules for Lua values (see the comment at the top of this file).
// On error dst is returned unchanged (same length) with the error.
func EncodeJSON(dst []byte, v glua.LValue) ([]byte, error) {
	e := jsonEncoderPool.Get().(*jsonEncoder)
	e.buf = dst
	err := e.value(v, 0)
	out := e.buf
	e.release()
	if err != nil {
		return dst, err
	}
	return out, nil
}

func (e *jsonEncoder) release() {
	e.buf = nil
	// Do not keep Lua values reachable from the pool.
	clear(e.kvs[:cap(e.kvs)])
	clear(e.path[:cap(e.path)])
	e.kvs, e.path, e.order = e.kvs[:0], e.path[:0], e.order[:0]
	if cap(e.kvs) > 1<<16 {
		e.kvs, e.order = nil, nil
	}
	jsonEncoderPool.Put(e)
}

func (e *jsonEncoder) value(v glua.LValue, depth int) error {
	switch x := v.(type) {
	case glua.LString:
		e.buf = appendJSONString(e.buf, string(x))
	case glua.LNumber:
		e.buf = FormatNumber(e.buf, float64(x))
	case glua.LBool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case *glua.LTable:
		return e.table(x, depth)
	case *glua.LNilType:
		e.buf = append(e.buf, "null"...)
	case nil:
		e.buf = append(e.buf, "null"...)
	default:
		return fmt.Errorf("json: type '%s' is not supported by JSON", v.Type())
	}
	return nil
}

// jsonTableScan is the state of dkjson's isarray() over one table.
type jsonTableScan struct {
	isArray bool
	maxKey  float64 // dkjson's max
	nKeys   int     // dkjson's n: number of numeric keys
	badKey  glua.LValue
}

func (sc *jsonTableScan) stringKey(key string, v glua.LValue) {
	if !sc.isArray {
		return
	}
	// Any string key makes an object. dkjson reads a numeric "n" member as
	// an array length (table.pack convention); that would turn a record
	// with an "n" field into an array, so it is deliberately not copied.
	sc.isArray = false
}

func (sc *jsonTableScan) numberKey(f float64) {
	if !sc.isArray {
		return
	}
	if f < 1 || math.Floor(f) != f {
		sc.isArray = false
		return
	}
	if f > sc.maxKey {
		sc.maxKey = f
	}
	sc.nKeys++
}

// scanHash classifies the hash part of t (keys other than the array part
// 1..arrayN) and appends its members to e.kvs. It uses LTable.Next, which
// hands out the table's already boxed keys (LTable.ForEach would allocate
// for every key), and reports false if it meets an integer key that
// gopher-lua's Next cannot step over (one stored in the hash part although
// it belongs to the array range, or NaN): the caller then uses scanAll.
func (e *jsonEncoder) scanHash(t *glua.LTable, arrayN int, sc *jsonTableScan) bool {
	var k, v glua.LValue
	if arrayN == 0 {
		k, v = t.Next(glua.LNil)
	} else {
		k, v = t.Next(jsonBoxedInt(arrayN))
	}
	for k != glua.LNil {
		switch key := k.(type) {
		case glua.LString:
			sc.stringKey(string(key), v)
			e.kvs = append(e.kvs, jsonMember{key: string(key), val: v})
		case glua.LNumber:
			f := float64(key)
			if f != f || (f >= 1 && f < float64(glua.MaxArrayIndex) && math.Floor(f) == f) {
				return false
			}
			sc.numberKey(f)
			e.kvs = append(e.kvs, jsonMember{num: true, nkey: f, val: v})
		default:
			sc.isArray = false
			if sc.badKey == nil {
				sc.badKey = k
			}
		}
		k, v = t.Next(k)
	}
	return true
}

// scanAll classifies t and appends all its members to e.kvs.
func (e *jsonEncoder) scanAll(t *glua.LTable, sc *jsonTableScan) {
	t.ForEach(func(k, v glua.LValue) {
		switch key := k.(type) {
		case glua.LString:
			sc.stringKey(string(key), v)
			e.kvs = append(e.kvs, jsonMember{key: string(key), val: v})
		case glua.LNumber:
			sc.numberKey(float64(key))
			e.kvs = append(e.kvs, jsonMember{num: true, nkey: float64(key), val: v})
		default:
			sc.isArray = false
			if sc.badKey == nil {
				sc.badKey = k
			}
		}
	})
}

func (e *jsonEncoder) table(t *glua.LTable, depth int) error {
	if depth >= maxJSONDepth {
		return fmt.Errorf("json: tables nested deeper than %d levels", maxJSONDepth)
	}
	for _, p := range e.path {
		if p == t {
			return errors.New("json: reference cycle")
		}
	}
	mt, _ := t.Metatable.(*glua.LTable)
	if mt != nil && mt.RawGetString("__tojson") != glua.LNil {
		return errors.New("json: tables with a __tojson metamethod are not supported")
	}
	e.path = append(e.path, t)

	// Classify the table the way dkjson's isarray() does, collecting the
	// members of its hash part in case it turns out to be an object. The
	// array part (slots 1..arrayN, arrayN being the last non-nil one) is only
	// looked at again if needed.
	start := len(e.kvs)
	sc := jsonTableScan{isArray: true}
	arrayN := t.MaxN()
	arrayCounted := false // array-part members are in e.kvs
	if arrayN > 0 {
		sc.maxKey = float64(arrayN)
	}
	if !e.scanHash(t, arrayN, &sc) {
		e.kvs = e.kvs[:start]
		sc = jsonTableScan{isArray: true}
		e.scanAll(t, &sc)
		arrayCounted = true
	}
	if sc.badKey != nil {
		return fmt.Errorf("json: type '%s' is not supported as a key by JSON", sc.badKey.Type())
	}
	if sc.isArray && sc.maxKey > 10 {
		nKeys := sc.nKeys
		if !arrayCounted {
			for i := 1; i <= arrayN; i++ {
				if t.RawGetInt(i) != glua.LNil {
					nKeys++
				}
			}
		}
		if sc.maxKey > float64(nKeys)*2 {
			sc.isArray = false // too many holes
		}
	}
	if sc.isArray && sc.maxKey == 0 && mt != nil && mt.RawGetString("__jsontype") == glua.LString("object") {
		sc.isArray = false
	}

	if sc.isArray {
		e.kvs = e.kvs[:start]
		n := int(sc.maxKey) // maxKey >= 0; dkjson's "for i = 1, n" stops at floor(n)
		e.buf = append(e.buf, '[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				e.buf = append(e.buf, ',')
			}
			v := t.RawGetInt(i)
			if v == glua.LNil && (arrayCounted || i >= glua.MaxArrayIndex) {
				// integer keys can live in the hash part (RawSetH, or keys
				// from glua.MaxArrayIndex on)
				v = t.RawGetH(glua.LNumber(i))
			}
			if err := e.value(v, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	} else {
		if !arrayCounted {
			for i := 1; i <= arrayN; i++ {
				if v := t.RawGetInt(i); v != glua.LNil {
					e.kvs = append(e.kvs, jsonMember{num: true, nkey: float64(i), val: v})
				}
			}
		}
		end := len(e.kvs)
		ostart := len(e.order)
		for i := start; i < end; i++ {
			m := &e.kvs[i]
			if m.num {
				m.key = e.numKeyText(m.nkey)
			}
			e.order = append(e.order, jsonMemberOrder{prefix: jsonKeyPrefix(m.key), idx: uint32(i)})
		}
		kvs := e.kvs
		slices.SortFunc(e.order[ostart:], func(a, b jsonMemberOrder) int {
			switch {
			case a.prefix < b.prefix:
				return -1
			case a.prefix > b.prefix:
				return 1
			}
			return compareJSONMembers(&kvs[a.idx], &kvs[b.idx])
		})
		e.buf = append(e.buf, '{')
		for i := start; i < end; i++ {
			m := e.kvs[e.order[ostart+i-start].idx] // copy: e.kvs may grow below
			if i > start {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendJSONString(e.buf, m.key)
			e.buf = append(e.buf, ':')
			if err := e.value(m.val, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
		clear(e.kvs[start:end])
		e.kvs = e.kvs[:start]
		e.order = e.order[:ostart]
	}
	e.path[len(e.path)-1] = nil
	e.path = e.path[:len(e.path)-1]
	return nil
}

// jsonBoxedInts holds small integers already converted to glua.LValue, so that
// passing them as keys does not allocate.
var jsonBoxedInts = func() (b [1024]glua.LValue) {
	for i := range b {
		b[i] = glua.LNumber(i)
	}
	return
}()

func jsonBoxedInt(i int) glua.LValue {
	if i >= 0 && i < len(jsonBoxedInts) {
		return jsonBoxedInts[i]
	}
	return glua.LNumber(i)
}

func jsonKeyPrefix(s string) uint64 {
	var p uint64
	for i := 0; i < 8; i++ {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}

// numKeyText returns the text of a numeric object key. Small non-negative
// integers come from a static table; other keys (rare) allocate.
func (e *jsonEncoder) numKeyText(f float64) string {
	if f >= 0 && f < float64(len(jsonSmallIntKeys)) && f == math.Floor(f) {
		return jsonSmallIntKeys[int(f)]
	}
	e.tmp = appendKeyNumber(e.tmp[:0], f)
	return string(e.tmp)
}

var jsonSmallIntKeys = func() (s [256]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return
}()

func compareJSONMembers(a, b *jsonMember) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.num == b.num:
		return 0
	case b.num:
		return -1
	default:
		return 1
	}
}

const jsonHexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal (see the file comment
// for the escaping rules).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', jsonHexDigits[c>>4], jsonHexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 { // invalid UTF-8 byte (r == utf8.RuneError)
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if escapedRune(r) {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u',
				jsonHexDigits[r>>12&0xf], jsonHexDigits[r>>8&0xf], jsonHexDigits[r>>4&0xf], jsonHexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// escapedRune reports whether dkjson's quotestring() escapes the (valid,
// non-ASCII) code point r.
func escapedRune(r rune) bool {
	switch {
	case r < 0x600:
		return r <= 0x9f || r == 0xad
	case r < 0x2000:
		return r <= 0x604 || r == 0x70f || r == 0x17b4 || r == 0x17b5
	case r < 0xfeff:
		return (r >= 0x200c && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) || (r >= 0x2060 && r <= 0x206f)
	default:
		return r == 0xfeff || (r >= 0xfff0 && r <= 0xffff)
	}
}

// ---------------------------------------------------------------------------
// Decoding

// DecodeJSON parses one JSON document (RFC 8259; a leading UTF-8 byte order
// mark and surrounding white space are allowed, anything else after the value
// is an error) into Lua values:
//
//   - objects become tables with string keys, arrays 1-based tables;
//   - numbers become LNumber (out-of-range magnitudes become ±Inf, as Lua's
//     tonumber does), strings LString (bytes kept as they are), booleans LBool;
//   - null is LNil: an object member that is null is absent (a later null
//     also removes an earlier duplicate), an array element that is null
//     leaves a hole;
//   - like dkjson.decode, decoded objects get a shared metatable
//     {__jsontype="object"} and arrays {__jsontype="array"}, so an empty
//     object re-encodes as {} and an empty array as [].
//
// Escaped lone UTF-16 surrogates (\ud800 without its pair) decode to U+FFFD.
// Nesting is limited to maxJSONDepth arrays/objects.
func DecodeJSON(L *glua.LState, data []byte) (glua.LValue, error) {
	d := jsonDecoder{L: L, s: string(data)}
	if strings.HasPrefix(d.s, "\xef\xbb\xbf") {
		d.i = 3
	}
	d.skipSpace()
	v, err := d.value()
	if err != nil {
		return glua.LNil, err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return glua.LNil, d.errorf("unexpected data after the top-level value")
	}
	return v, nil
}

type jsonDecoder struct {
	L       *glua.LState
	s       string // the document; strings without escapes are slices of it
	i       int
	depth   int
	objMeta *glua.LTable
	arrMeta *glua.LTable
	sb      []byte
	members []jsonDecodedMember // stack of members of the objects being decoded
	elems   []glua.LValue       // stack of elements of the arrays being decoded
}

type jsonDecodedMember struct {
	key string
	val glua.LValue
}

// JSONSyntaxError is returned by DecodeJSON for malformed input.
type JSONSyntaxError struct {
	Offset int // byte offset of the error in the input
	Msg    string
}

func (e *JSONSyntaxError) Error() string {
	return "json: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return &JSONSyntaxError{Offset: d.i, Msg: fmt.Sprintf(format, args...)}
}

func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value() (glua.LValue, error) {
	if d.i >= len(d.s) {
		return glua.LNil, d.errorf("unexpected end of input")
	}
	switch c := d.s[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, err := d.str()
		if err != nil {
			return glua.LNil, err
		}
		return glua.LString(s), nil
	case 't':
		return d.literal("true", glua.LTrue)
	case 'f':
		return d.literal("false", glua.LFalse)
	case 'n':
		return d.literal("null", glua.LNil)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number()
		}
		return glua.LNil, d.errorf("invalid character %q looking for a value", c)
	}
}

func (d *jsonDecoder) literal(word string, v glua.LValue) (glua.LValue, error) {
	if !strings.HasPrefix(d.s[d.i:], word) {
		return glua.LNil, d.errorf("invalid literal")
	}
	d.i += len(word)
	return v, nil
}

func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return d.errorf("arrays/objects nested deeper than %d levels", maxJSONDepth)
	}
	return nil
}

func (d *jsonDecoder) meta(object bool) *glua.LTable {
	if d.objMeta == nil {
		d.objMeta = d.L.CreateTable(0, 1)
		d.objMeta.RawSetString("__jsontype", glua.LString("object"))
		d.arrMeta = d.L.CreateTable(0, 1)
		d.arrMeta.RawSetString("__jsontype", glua.LString("array"))
	}
	if object {
		return d.objMeta
	}
	return d.arrMeta
}

func (d *jsonDecoder) object() (glua.LValue, error) {
	if err := d.enter(); err != nil {
		return glua.LNil, err
	}
	d.i++ // '{'
	// Members are collected on d.members first so that the table can be
	// created with the right size.
	start := len(d.members)
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return d.endObject(start), nil
	}
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return glua.LNil, d.errorf("expected a string (object key)")
		}
		key, err := d.str()
		if err != nil {
			return glua.LNil, err
		}
		d.skipSpace()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return glua.LNil, d.errorf("expected ':' after object key")
		}
		d.i++
		d.skipSpace()
		v, err := d.value()
		if err != nil {
			return glua.LNil, err
		}
		d.members = append(d.members, jsonDecodedMember{key: key, val: v})
		d.skipSpace()
		if d.i >= len(d.s) {
			return glua.LNil, d.errorf("unterminated object")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.skipSpace()
		case '}':
			d.i++
			return d.endObject(start), nil
		default:
			return glua.LNil, d.errorf("expected ',' or '}' in object")
		}
	}
}

func (d *jsonDecoder) endObject(start int) *glua.LTable {
	d.depth--
	members := d.members[start:]
	n := 0
	for _, m := range members {
		if m.val != glua.LNil {
			n++
		}
	}
	t := d.L.CreateTable(0, n)
	t.Metatable = d.meta(true)
	for _, m := range members {
		// In document order: a later duplicate wins, a later null removes.
		if m.val != glua.LNil || t.RawGetString(m.key) != glua.LNil {
			t.RawSetString(m.key, m.val)
		}
	}
	clear(members)
	d.members = d.members[:start]
	return t
}

func (d *jsonDecoder) array() (glua.LValue, error) {
	if err := d.enter(); err != nil {
		return glua.LNil, err
	}
	d.i++ // '['
	start := len(d.elems)
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return d.endArray(start), nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return glua.LNil, err
		}
		d.elems = append(d.elems, v)
		d.skipSpace()
		if d.i >= len(d.s) {
			return glua.LNil, d.errorf("unterminated array")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.skipSpace()
		case ']':
			d.i++
			return d.endArray(start), nil
		default:
			return glua.LNil, d.errorf("expected ',' or ']' in array")
		}
	}
}

func (d *jsonDecoder) endArray(start int) *glua.LTable {
	d.depth--
	elems := d.elems[start:]
	n := len(elems)
	for n > 0 && elems[n-1] == glua.LNil { // trailing nulls leave no slot
		n--
	}
	t := d.L.CreateTable(n, 0)
	t.Metatable = d.meta(false)
	for i, v := range elems[:n] {
		t.RawSetInt(i+1, v) // a null leaves a hole (a nil slot)
	}
	clear(elems)
	d.elems = d.elems[:start]
	return t
}

// number scans an RFC 8259 number.
func (d *jsonDecoder) number() (glua.LValue, error) {
	start := d.i
	s := d.s
	i := d.i
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		d.i = i
		return glua.LNil, d.errorf("invalid number")
	}
	simple := i-start <= 16 // at most 15 digits: exact in an int64 and a float64
	if i < len(s) && s[i] == '.' {
		i++
		simple = false
		if digits() == 0 {
			d.i = i
			return glua.LNil, d.errorf("invalid number: digits expected after '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		simple = false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.i = i
			return glua.LNil, d.errorf("invalid number: digits expected in exponent")
		}
	}
	d.i = i
	text := s[start:i]
	if simple {
		var n int64
		j := 0
		if text[0] == '-' {
			j = 1
		}
		for ; j < len(text); j++ {
			n = n*10 + int64(text[j]-'0')
		}
		if text[0] == '-' {
			if n == 0 {
				return glua.LNumber(math.Copysign(0, -1)), nil
			}
			n = -n
		}
		return glua.LNumber(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		d.i = start
		return glua.LNil, d.errorf("invalid number %q", text)
	}
	return glua.LNumber(f), nil // ErrRange: ±Inf or 0, like Lua's tonumber
}

// str scans a string literal starting at the opening quote.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // opening quote
	start := d.i
	s := d.s
	i := start
	for i < len(s) {
		c := s[i]
		if c == '"' {
			d.i = i + 1
			return s[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			d.i = i
			return "", d.errorf("control character in string")
		}
		i++
	}
	if i >= len(s) {
		d.i = start - 1
		return "", d.errorf("unterminated string")
	}
	// Slow path: the string has escapes.
	b := append(d.sb[:0], s[start:i]...)
	for {
		if i >= len(s) {
			d.i = start - 1
			return "", d.errorf("unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.sb = b
			return string(b), nil
		case c < 0x20:
			d.i = i
			return "", d.errorf("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			d.i = i
			return "", d.errorf("unterminated string")
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := jsonHex4(s, i+2)
			if !ok {
				d.i = i
				return "", d.errorf("invalid \\u escape")
			}
			i += 6
			if r >= 0xd800 && r < 0xdc00 {
				if r2, ok := jsonHex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' && r2 >= 0xdc00 && r2 < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
					i += 6
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xdc00 && r < 0xe000 {
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			d.i = i
			return "", d.errorf("invalid escape sequence \\%c", e)
		}
		i += 2
	}
}

func jsonHex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// ---------------------------------------------------------------------------
// Go -> Lua

// ToLua converts a Go value into a Lua value, for bindings:
//
//	nil                      -> nil
//	glua.LValue              -> itself
//	bool                     -> boolean
//	string, []byte           -> string
//	all int/uint/float kinds -> number (64-bit values above 2^53 lose
//	                            precision, like ntopng's counters pushed as
//	                            Lua floats)
//	json.Number              -> number (string if it does not parse)
//	map[string]any (and map[string]string/int/int64/uint64/float64/bool)
//	                         -> table with string keys; nil values are absent
//	[]any (and []string, []int, []int64, []uint64, []float64, []map[string]any)
//	                         -> 1-based table; nil elements are holes
//	error                    -> its message
//	fmt.Stringer             -> its String()
//	anything else            -> string formatted with fmt's %v
//
// The tables carry no metatable, like the tables ntopng's C bindings push,
// so an empty map or slice is serialized as [] by EncodeJSON. Containers
// nested deeper than maxJSONDepth (e.g. a self-referencing []any) become nil.
func ToLua(L *glua.LState, v any) glua.LValue {
	return toLuaDepth(L, v, 0)
}

func toLuaDepth(L *glua.LState, v any, depth int) glua.LValue {
	switch x := v.(type) {
	case nil:
		return glua.LNil
	case glua.LValue:
		return x
	case bool:
		return glua.LBool(x)
	case string:
		return glua.LString(x)
	case []byte:
		return glua.LString(x)
	case float64:
		return glua.LNumber(x)
	case float32:
		return glua.LNumber(x)
	case int:
		return glua.LNumber(x)
	case int8:
		return glua.LNumber(x)
	case int16:
		return glua.LNumber(x)
	case int32:
		return glua.LNumber(x)
	case int64:
		return glua.LNumber(x)
	case uint:
		return glua.LNumber(x)
	case uint8:
		return glua.LNumber(x)
	case uint16:
		return glua.LNumber(x)
	case uint32:
		return glua.LNumber(x)
	case uint64:
		return glua.LNumber(x)
	case uintptr:
		return glua.LNumber(x)
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return glua.LNumber(f)
		}
		return glua.LString(x)
	case map[string]any:
		if depth >= maxJSONDepth {
			return glua.LNil
		}
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			if lv := toLuaDepth(L, e, depth+1); lv != glua.LNil {
				t.RawSetString(k, lv)
			}
		}
		return t
	case []any:
		if depth >= maxJSONDepth {
			return glua.LNil
		}
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			if lv := toLuaDepth(L, e, depth+1); lv != glua.LNil {
				t.RawSetInt(i+1, lv)
			}
		}
		return t
	case []map[string]any:
		if depth >= maxJSONDepth {
			return glua.LNil
		}
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			if lv := toLuaDepth(L, e, depth+1); lv != glua.LNil {
				t.RawSetInt(i+1, lv)
			}
		}
		return t
	case map[string]string:
		return mapToLuaTable(L, x, func(s string) glua.LValue { return glua.LString(s) })
	case map[string]int:
		return mapToLuaTable(L, x, func(n int) glua.LValue { return glua.LNumber(n) })
	case map[string]int64:
		return mapToLuaTable(L, x, func(n int64) glua.LValue { return glua.LNumber(n) })
	case map[string]uint64:
		return mapToLuaTable(L, x, func(n uint64) glua.LValue { return glua.LNumber(n) })
	case map[string]float64:
		return mapToLuaTable(L, x, func(n float64) glua.LValue { return glua.LNumber(n) })
	case map[string]bool:
		return mapToLuaTable(L, x, func(b bool) glua.LValue { return glua.LBool(b) })
	case []string:
		return sliceToLuaTable(L, x, func(s string) glua.LValue { return glua.LString(s) })
	case []int:
		return sliceToLuaTable(L, x, func(n int) glua.LValue { return glua.LNumber(n) })
	case []int64:
		return sliceToLuaTable(L, x, func(n int64) glua.LValue { return glua.LNumber(n) })
	case []uint64:
		return sliceToLuaTable(L, x, func(n uint64) glua.LValue { return glua.LNumber(n) })
	case []float64:
		return sliceToLuaTable(L, x, func(n float64) glua.LValue { return glua.LNumber(n) })
	case error:
		return glua.LString(x.Error())
	case fmt.Stringer:
		return glua.LString(x.String())
	default:
		return glua.LString(fmt.Sprintf("%v", x))
	}
}

func mapToLuaTable[T any](L *glua.LState, m map[string]T, conv func(T) glua.LValue) glua.LValue {
	t := L.CreateTable(0, len(m))
	for k, v := range m {
		t.RawSetString(k, conv(v))
	}
	return t
}

func sliceToLuaTable[T any](L *glua.LState, s []T, conv func(T) glua.LValue) glua.LValue {
	t := L.CreateTable(len(s), 0)
	for i, v := range s {
		t.RawSetInt(i+1, conv(v))
	}
	return t
}
