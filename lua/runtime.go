// Package lua runs ntopng-style Lua scripts (REST endpoints, later user
// checks) with gopher-lua: scripts are compiled once and cached by path and
// modification time, VMs come from a bounded pool, and every run gets a
// fresh environment table so globals never leak between runs.
package lua

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Installer adds Go bindings to a fresh VM. It receives the VM's per-run
// slot so bindings can reach the state of the run they serve.
type Installer func(L *glua.LState, vm *VM)

// Config of a Runtime.
type Config struct {
	// ModulesDir is added to package.path for require().
	ModulesDir string
	// PoolSize bounds the number of live VMs (and concurrent runs).
	PoolSize int
	// Timeout limits one run.
	Timeout time.Duration
	// Installers add bindings to each new VM.
	Installers []Installer
}

// VM is a pooled Lua state. Run-specific data travels in Data, set for the
// duration of one run only.
type VM struct {
	L    *glua.LState
	Data any
	// Out collects what the script printed.
	Out []byte
}

// Runtime compiles, caches and runs scripts.
type Runtime struct {
	cfg  Config
	pool chan *VM

	mu    sync.Mutex
	cache map[string]cachedProto
}

type cachedProto struct {
	proto   *glua.FunctionProto
	modTime time.Time
	size    int64
}

// ErrTimeout is returned when a script exceeds its time limit.
var ErrTimeout = errors.New("lua: script time limit exceeded")

// New creates a runtime; VMs are created lazily up to PoolSize.
func New(cfg Config) *Runtime {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	r := &Runtime{cfg: cfg, pool: make(chan *VM, cfg.PoolSize), cache: map[string]cachedProto{}}
	for i := 0; i < cfg.PoolSize; i++ {
		r.pool <- nil // a nil slot is a VM not created yet
	}
	return r
}

// newVM builds a sandboxed state: base, package, table, string, math and a
// safe subset of os; no io, no os.execute, no loadfile/dofile.
func (r *Runtime) newVM() *VM {
	L := glua.NewState(glua.Options{SkipOpenLibs: true, CallStackSize: 256, RegistrySize: 1024 * 8})
	for _, lib := range []struct {
		name string
		fn   glua.LGFunction
	}{
		{glua.LoadLibName, glua.OpenPackage},
		{glua.BaseLibName, glua.OpenBase},
		{glua.TabLibName, glua.OpenTable},
		{glua.StringLibName, glua.OpenString},
		{glua.MathLibName, glua.OpenMath},
		{glua.OsLibName, glua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(glua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	for _, name := range []string{"dofile", "loadfile", "load", "loadstring"} {
		g.RawSetString(name, glua.LNil)
	}
	if osT, ok := g.RawGetString("os").(*glua.LTable); ok {
		safe := L.NewTable()
		for _, n := range []string{"time", "date", "clock", "difftime"} {
			safe.RawSetString(n, osT.RawGetString(n))
		}
		g.RawSetString("os", safe)
	}
	if pkg, ok := g.RawGetString("package").(*glua.LTable); ok && r.cfg.ModulesDir != "" {
		pkg.RawSetString("path", glua.LString(filepath.Join(r.cfg.ModulesDir, "?.lua")))
		pkg.RawSetString("cpath", glua.LString(""))
	}
	vm := &VM{L: L}
	// print writes to the run's output buffer.
	g.RawSetString("print", L.NewFunction(func(L *glua.LState) int {
		n := L.GetTop()
		for i := 1; i <= n; i++ {
			if i > 1 {
				vm.Out = append(vm.Out, '\t')
			}
			vm.Out = append(vm.Out, L.ToStringMeta(L.Get(i)).String()...)
		}
		vm.Out = append(vm.Out, '\n')
		return 0
	}))
	for _, inst := range r.cfg.Installers {
		inst(L, vm)
	}
	return vm
}

// compile returns the cached prototype of path, recompiling it when the file
// changed.
func (r *Runtime) compile(path string) (*glua.FunctionProto, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	c, ok := r.cache[path]
	r.mu.Unlock()
	if ok && c.modTime.Equal(st.ModTime()) && c.size == st.Size() {
		return c.proto, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	chunk, err := parse.Parse(bufio.NewReader(f), path)
	if err != nil {
		return nil, err
	}
	proto, err := glua.Compile(chunk, path)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cache[path] = cachedProto{proto: proto, modTime: st.ModTime(), size: st.Size()}
	r.mu.Unlock()
	return proto, nil
}

// Run executes the script at path. setup fills the run's environment (for
// example _GET and _POST); data is made available to bindings as vm.Data.
// It returns what the script printed.
func (r *Runtime) Run(ctx context.Context, path string, data any, setup func(L *glua.LState, env *glua.LTable)) (out []byte, err error) {
	proto, err := r.compile(path)
	if err != nil {
		return nil, err
	}
	var vm *VM
	select {
	case vm = <-r.pool:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if vm == nil {
		vm = r.newVM()
	}
	healthy := false
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("lua: panic in %s: %v", filepath.Base(path), p)
		}
		vm.Data = nil
		vm.Out = vm.Out[:0]
		if healthy {
			r.pool <- vm
		} else {
			vm.L.Close()
			r.pool <- nil
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	L := vm.L
	L.SetContext(ctx)
	vm.Data = data
	vm.Out = vm.Out[:0]

	env := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", L.G.Global)
	L.SetMetatable(env, meta)
	if setup != nil {
		setup(L, env)
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = env
	L.Push(fn)
	callErr := L.PCall(0, 0, nil)
	L.SetTop(0)
	L.RemoveContext()
	if callErr != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, ErrTimeout
		}
		// A VM that raised may hold half-updated module state: keep it
		// only for plain script errors, which unwind cleanly.
		healthy = true
		return nil, callErr
	}
	healthy = true
	out = append([]byte(nil), vm.Out...)
	return out, nil
}
