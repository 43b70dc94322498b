package luacheck

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
)

// Limits of the sandbox.
const (
	// maxString bounds the strings string.rep, string.gsub and
	// table.concat may build in one library call: a call that builds more
	// is refused before it allocates, since the time budget is only
	// checked between Lua instructions.
	maxString = 4 << 20
	// maxOutput bounds what a call may print (print, io.write); the rest
	// is dropped.
	maxOutput = 64 << 10
	// maxMessage bounds an alert message.
	maxMessage = 2048
	// maxScore bounds an alert score (ntopng scores are 16-bit).
	maxScore = math.MaxUint16
	// maxResults bounds the values unpack and string.byte push, as Lua
	// 5.1 does (LUAI_MAXCSTACK): gopher-lua's would push millions of them
	// in one library call.
	maxResults = 8000
)

// vm is a pooled Lua state prepared for checks. It is used by one
// goroutine at a time (the pool hands it out), so its fields need no lock.
//
// The state's real global table holds the full libraries gopher-lua opened
// and is unreachable from scripts: a script's globals are a fresh table
// whose __index is base, which holds the allowed functions and read-only
// proxies of the allowed libraries and of the flow/host/interface objects.
// getfenv, setfenv, _G, load*, dofile, require, module, debug, coroutine,
// package and io (but io.write) are absent, so no path leads from a script
// to the real globals or to anything shared it could modify.
type vm struct {
	L        *lua.LState
	base     *lua.LTable // the globals every script sees
	baseMeta *lua.LTable // {__index = base}: metatable of per-call globals
	// readonly holds the proxies of base; rawset and table.insert refuse
	// them (raw access bypasses __newindex).
	readonly map[*lua.LTable]bool

	flowObj, hostObj, ifaceObj *lua.LTable

	// The entity of the current call (one of them), and what the call did.
	flow     *alerts.FlowView
	host     *alerts.HostView
	iface    *alerts.InterfaceView
	alert    pending
	skipHost bool
	out      []byte
	collect  bool // keep what scripts print (Options.Output is set)

	// Budget: ctx is the state's context, cancelled by timer when a call
	// runs past its budget. A cancelled context stays cancelled, so a new
	// one is made after each expiry; otherwise arming and disarming the
	// timer allocates nothing.
	ctx    context.Context
	cancel context.CancelFunc
	timer  *time.Timer

	// Calls run on the state's own goroutine (work), so that a caller can
	// walk away from a call stuck inside one Go library function, which
	// the context cannot interrupt: run hands it a call, done says it
	// returned, stuck bounds the wait. req is written by the caller before
	// run and read back after done (the channels order the accesses).
	run   chan struct{}
	done  chan struct{}
	stuck *time.Timer
	req   struct {
		nargs, nret int
		err         error
	}

	// gen is the generation of the runner's scripts that instances
	// matches; instances of scripts no longer loaded are dropped when it
	// changes.
	gen       uint64
	instances map[*script]*instance
}

// pending is the alert a call raised (the last triggerAlert wins: a check
// raises one alert type per entity).
type pending struct {
	set     bool
	score   int
	message string
	params  map[string]any
}

// instance is a script prepared in one vm.
type instance struct {
	// fn is the chunk of a reference script, run once per call.
	fn *lua.LFunction
	// Check scripts: the chunk ran once in this vm and returned meta; its
	// functions see their globals through a proxy whose metatable
	// (proxyMeta) points at top (the globals the chunk defined) between
	// calls and at a fresh per-call table during a call.
	hooks     map[string]*lua.LFunction
	meta      lua.LValue
	top       *lua.LTable
	proxyMeta *lua.LTable
	callMeta  *lua.LTable // {__index = top}
}

func newVM(collect bool) *vm {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:     true,
		CallStackSize:    200,
		RegistrySize:     1024 * 4,
		RegistryMaxSize:  1024 * 256,
		RegistryGrowStep: 1024,
	})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.OsLibName, lua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	v := &vm{L: L, readonly: map[*lua.LTable]bool{}, collect: collect, instances: map[*script]*instance{},
		run: make(chan struct{}), done: make(chan struct{}, 1), stuck: time.NewTimer(time.Hour)}
	v.stuck.Stop()
	v.renewBudget()
	v.buildBase()
	go v.work()
	return v
}

// work makes the calls of the state until it is closed, then closes the
// Lua state: a state abandoned in a stuck call is closed when (if ever)
// that call returns.
func (v *vm) work() {
	for range v.run {
		v.req.err = v.L.PCall(v.req.nargs, v.req.nret, nil)
		v.done <- struct{}{}
	}
	v.L.Close()
}

// close retires the state. It does not touch the Lua state, which may
// still be in use by a stuck call.
func (v *vm) close() {
	v.timer.Stop()
	v.stuck.Stop()
	v.cancel()
	close(v.run)
}

// renewBudget gives the state a fresh, uncancelled context.
func (v *vm) renewBudget() {
	ctx, cancel := context.WithCancel(context.Background())
	v.ctx, v.cancel = ctx, cancel
	v.timer = time.AfterFunc(time.Hour, cancel)
	v.timer.Stop()
	v.L.SetContext(ctx)
}

// errStuck: a call did not return within stuckAfter; its state was
// abandoned to the goroutine running it and must not be touched again.
var errStuck = errors.New("stuck in a library call")

// call runs fn with up to two arguments within budget and leaves nret
// results on the stack (the caller pops them). exceeded reports that the
// call was stopped because it ran past its budget. When the call does not
// return within stuckAfter (the budget cannot stop a Go function), call
// gives up on it and returns errStuck.
func (v *vm) call(budget, stuckAfter time.Duration, fn *lua.LFunction, nargs, nret int, a1, a2 lua.LValue) (exceeded bool, err error) {
	L := v.L
	L.Push(fn)
	if nargs > 0 {
		L.Push(a1)
	}
	if nargs > 1 {
		L.Push(a2)
	}
	v.req.nargs, v.req.nret = nargs, nret
	v.timer.Reset(budget)
	v.stuck.Reset(stuckAfter)
	v.run <- struct{}{}
	select {
	case <-v.done:
		v.stuck.Stop()
	case <-v.stuck.C:
		select {
		case <-v.done: // returned just in time
		default:
			return true, errStuck
		}
	}
	err = v.req.err
	if !v.timer.Stop() {
		// The timer fired (or is firing): the context is, or is about to
		// be, cancelled. The call counts as stopped only if it failed
		// because of it.
		exceeded = err != nil && v.ctx.Err() != nil
		v.cancel()
		v.renewBudget()
	}
	return exceeded, err
}

// buildBase fills base with what scripts may use.
func (v *vm) buildBase() {
	L := v.L
	g := L.G.Global
	base := L.NewTable()
	for _, name := range []string{
		"assert", "error", "ipairs", "pairs", "next", "pcall", "xpcall", "select",
		"tonumber", "tostring", "type", "rawequal", "rawget", "_VERSION",
	} {
		base.RawSetString(name, g.RawGetString(name))
	}
	base.RawSetString("unpack", L.NewFunction(unpack(goFunction(g, "unpack"))))
	base.RawSetString("rawset", L.NewFunction(v.rawset))
	base.RawSetString("getmetatable", L.NewFunction(getmetatable))
	base.RawSetString("setmetatable", L.NewFunction(setmetatable))
	base.RawSetString("print", L.NewFunction(v.print))

	// The real string module is also the metatable of strings, whose
	// __index it is: ("x"):rep(n) finds rep there. So it is fixed in place
	// (it is this state's own table, out of reach of scripts otherwise),
	// and scripts get a read-only view of a copy without __index, which
	// would hand out the module itself.
	realString := g.RawGetString("string").(*lua.LTable)
	realString.RawSetString("dump", lua.LNil)
	realString.RawSetString("rep", L.NewFunction(strRep))
	realString.RawSetString("gsub", L.NewFunction(gsub))
	realString.RawSetString("byte", L.NewFunction(strByte(goFunction(realString, "byte"))))
	base.RawSetString("string", v.readOnly("string", copyTable(L, realString, "__index")))

	realTable := g.RawGetString("table").(*lua.LTable)
	tbl := copyTable(L, realTable)
	tbl.RawSetString("concat", L.NewFunction(guardConcat(goFunction(realTable, "concat"))))
	tbl.RawSetString("insert", L.NewFunction(v.guardWritable(goFunction(realTable, "insert"))))
	tbl.RawSetString("remove", L.NewFunction(v.guardWritable(goFunction(realTable, "remove"))))
	tbl.RawSetString("sort", L.NewFunction(v.guardWritable(goFunction(realTable, "sort"))))
	base.RawSetString("table", v.readOnly("table", tbl))

	base.RawSetString("math", v.readOnly("math", copyTable(L, g.RawGetString("math").(*lua.LTable), "randomseed")))

	realOS := g.RawGetString("os").(*lua.LTable)
	osT := L.NewTable()
	for _, n := range []string{"time", "date", "clock", "difftime"} {
		osT.RawSetString(n, realOS.RawGetString(n))
	}
	base.RawSetString("os", v.readOnly("os", osT))

	io := L.NewTable()
	io.RawSetString("write", L.NewFunction(v.write))
	base.RawSetString("io", v.readOnly("io", io))

	base.RawSetString("bit", v.readOnly("bit", bitLib(L)))

	v.flowObj = v.readOnly("flow", v.flowMethods())
	v.hostObj = v.readOnly("host", v.hostMethods())
	v.ifaceObj = v.readOnly("interface", v.ifaceMethods())
	// The reference scripts find their entity in a global.
	base.RawSetString("flow", v.flowObj)
	base.RawSetString("host", v.hostObj)

	v.base = base
	v.baseMeta = L.NewTable()
	v.baseMeta.RawSetString("__index", base)
}

// copyTable returns a copy of t without the fields in omit.
func copyTable(L *lua.LState, t *lua.LTable, omit ...string) *lua.LTable {
	out := L.NewTable()
	t.ForEach(func(k, val lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			for _, o := range omit {
				if string(s) == o {
					return
				}
			}
		}
		out.RawSet(k, val)
	})
	return out
}

func goFunction(t *lua.LTable, name string) lua.LGFunction {
	return t.RawGetString(name).(*lua.LFunction).GFunction
}

// readOnly returns an empty table that reads from methods and refuses
// writes; its metatable is protected, so setmetatable cannot swap it and
// getmetatable answers false.
func (v *vm) readOnly(name string, methods *lua.LTable) *lua.LTable {
	L := v.L
	mt := L.NewTable()
	mt.RawSetString("__index", methods)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("%s is read-only", name)
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	p := L.NewTable()
	p.Metatable = mt
	v.readonly[p] = true
	return p
}

// rawset refuses the read-only proxies, then behaves as Lua's.
func (v *vm) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if v.readonly[t] {
		L.RaiseError("rawset: the table is read-only")
	}
	L.CheckAny(2)
	t.RawSet(L.Get(2), L.CheckAny(3))
	L.Push(t)
	return 1
}

// guardWritable wraps a table library function whose first argument it
// modifies in place.
func (v *vm) guardWritable(fn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if v.readonly[L.CheckTable(1)] {
			L.RaiseError("the table is read-only")
		}
		return fn(L)
	}
}

// getmetatable honours __metatable (gopher-lua's does not) and hides the
// metatable of strings, which is the string library itself.
func getmetatable(L *lua.LState) int {
	obj := L.CheckAny(1)
	switch obj.(type) {
	case *lua.LTable, *lua.LUserData:
	default:
		L.Push(lua.LNil)
		return 1
	}
	mt := L.GetMetatable(obj)
	if t, ok := mt.(*lua.LTable); ok {
		if p := t.RawGetString("__metatable"); p != lua.LNil {
			mt = p
		}
	}
	L.Push(mt)
	return 1
}

// setmetatable accepts tables only, as Lua 5.1 does: gopher-lua's would
// also replace the metatable shared by all strings of the state.
func setmetatable(L *lua.LState) int {
	t := L.CheckTable(1)
	L.CheckTypes(2, lua.LTNil, lua.LTTable)
	if cur, ok := t.Metatable.(*lua.LTable); ok && cur.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	L.SetMetatable(t, L.Get(2))
	L.Push(t)
	return 1
}

// print and io.write append to the call's output, which Options.Output
// receives after the call.
func (v *vm) print(L *lua.LState) int {
	n := L.GetTop()
	for i := 1; i <= n; i++ {
		if i > 1 {
			v.emit("\t")
		}
		v.emit(L.ToStringMeta(L.Get(i)).String())
	}
	v.emit("\n")
	return 0
}

func (v *vm) write(L *lua.LState) int {
	n := L.GetTop()
	for i := 1; i <= n; i++ {
		v.emit(L.CheckString(i))
	}
	return 0
}

func (v *vm) emit(s string) {
	if !v.collect || len(v.out) >= maxOutput {
		return
	}
	if room := maxOutput - len(v.out); len(s) > room {
		s = s[:room]
	}
	v.out = append(v.out, s...)
}

func strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxString/len(s) {
		L.RaiseError("string.rep: the result would exceed %d bytes", maxString)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// unpack refuses to return more than maxResults values.
func unpack(unpack lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		i, j := L.OptInt(2, 1), L.OptInt(3, t.Len())
		if i <= j && j-i >= maxResults {
			L.RaiseError("too many results to unpack")
		}
		return unpack(L)
	}
}

// strByte refuses to return more than maxResults values.
func strByte(byteFn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := len(L.CheckString(1))
		i := L.OptInt(2, 1)
		j := L.OptInt(3, i)
		if i < 0 {
			i += n + 1
		}
		if j < 0 {
			j += n + 1
		}
		if min(j, n)-max(i, 1) >= maxResults {
			L.RaiseError("string slice too long")
		}
		return byteFn(L)
	}
}

// guardConcat refuses a concatenation longer than maxString.
func guardConcat(concat lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		sep := len(L.OptString(2, ""))
		i := L.OptInt(3, 1)
		j := L.OptInt(4, t.Len())
		total := 0
		for k := i; k <= j && total <= maxString; k++ {
			total += len(lua.LVAsString(t.RawGetInt(k)))
			if k > i {
				total += sep
			}
		}
		if total > maxString {
			L.RaiseError("table.concat: the result would exceed %d bytes", maxString)
		}
		return concat(L)
	}
}

// bitLib is the LuaBitOp subset: operands are reduced modulo 2^32 and
// results are signed 32-bit numbers, as in LuaJIT's bit module.
func bitLib(L *lua.LState) *lua.LTable {
	arg := func(L *lua.LState, n int) uint32 {
		f := float64(L.CheckNumber(n))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			L.ArgError(n, "not a finite number")
		}
		return uint32(int64(math.Mod(math.Trunc(f), 1<<32)))
	}
	ret := func(L *lua.LState, x uint32) int {
		L.Push(lua.LNumber(int32(x)))
		return 1
	}
	fold := func(op func(a, b uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			x := arg(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				x = op(x, arg(L, i))
			}
			return ret(L, x)
		}
	}
	shift := func(op func(x uint32, n uint) uint32) lua.LGFunction {
		return func(L *lua.LState) int { return ret(L, op(arg(L, 1), uint(arg(L, 2)&31))) }
	}
	t := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"tobit":  func(L *lua.LState) int { return ret(L, arg(L, 1)) },
		"bnot":   func(L *lua.LState) int { return ret(L, ^arg(L, 1)) },
		"band":   fold(func(a, b uint32) uint32 { return a & b }),
		"bor":    fold(func(a, b uint32) uint32 { return a | b }),
		"bxor":   fold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift": shift(func(x uint32, n uint) uint32 { return x << n }),
		"rshift": shift(func(x uint32, n uint) uint32 { return x >> n }),
		"arshift": shift(func(x uint32, n uint) uint32 {
			return uint32(int32(x) >> n)
		}),
	} {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}
