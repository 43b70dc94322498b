package luacheck

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/checks"
)

// Options of a Runner. Zero values get the defaults in brackets.
type Options struct {
	// Dirs are the checks folders shipped with the program
	// (scripts/checks), each with flow/, host/ and interface/ subfolders
	// (and flows/, hosts/ for the reference scripts).
	Dirs []string
	// UserDir is the checks folder of the data directory
	// (<datadir>/checks), same layout; it is created if missing, and its
	// scripts replace shipped scripts of the same key.
	UserDir string
	// Budget is the time one call may take [50ms].
	Budget time.Duration
	// DisableFor is how long a script that exceeded its budget or kept
	// failing stays disabled before it is retried [5m].
	DisableFor time.Duration
	// MaxFailures is the number of failed calls in a row that disables a
	// script [3].
	MaxFailures int
	// PoolSize bounds the Lua states, hence the calls running at once
	// [4]. Calls beyond it wait for a state.
	PoolSize int
	// Report receives compile errors, runtime errors, budget overruns,
	// stuck calls and re-enablings. It is called synchronously from Reload
	// and the Run functions: it should be quick and must not call back
	// into the Runner [discard].
	Report func(Problem)
	// Output receives what a call printed (print, io.write), at most
	// 64 KiB per call [discard].
	Output func(subdir, key, text string)
	// Now is the clock of DisableFor [time.Now]. Budget uses real time.
	Now func() time.Time
}

// Enabled is how the runner reads the checks configuration:
// checks.Store.Enabled. It returns the enabled hooks of the check (subdir,
// key) and its script_conf.
type Enabled func(subdir, key string) (hooks []string, scriptConf json.RawMessage)

// Runner loads the Lua checks of a set of folders and runs them. It is
// safe for concurrent use: Run functions may be called from several
// goroutines (one per interface), concurrently with Reload.
type Runner struct {
	opts Options
	dirs []string // UserDir first, then Dirs
	// stuckAfter is how long a call may run before it is abandoned as
	// stuck in a Go function (KindStuck).
	stuckAfter time.Duration

	// Lua states: slots bounds the states in use (a token per state
	// handed out); idle holds the idle ones, reused last-in first-out so
	// that a lightly loaded runner keeps using the same warm state
	// instead of creating PoolSize of them.
	slots  chan struct{}
	idleMu sync.Mutex
	idle   []*vm

	reloadMu    sync.Mutex
	failedLoads map[string]stamp // guarded by reloadMu: versions that did not load

	// snap is the current set of loaded scripts, replaced as a whole by
	// Reload; readers load it once per call and never see a half reload.
	snap atomic.Pointer[snapshot]

	syncMu     sync.Mutex
	registered map[[2]string]bool // guarded by syncMu: what Sync registered
}

// snapshot is an immutable set of loaded scripts.
type snapshot struct {
	gen    uint64
	byPath map[string]*script // every loaded file, shadowed ones included
	// The scripts that run, by entity: the reference script first, then
	// by key.
	flow, host, iface []*script
	defs              []checks.Def
}

// New loads the scripts of the folders. Problems with scripts are
// reported, not returned: the error is for a user folder that cannot be
// created.
func New(o Options) (*Runner, error) {
	if o.Budget <= 0 {
		o.Budget = 50 * time.Millisecond
	}
	if o.DisableFor <= 0 {
		o.DisableFor = 5 * time.Minute
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 3
	}
	if o.PoolSize <= 0 {
		o.PoolSize = 4
	}
	if o.Report == nil {
		o.Report = func(Problem) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Runner{opts: o, slots: make(chan struct{}, o.PoolSize), failedLoads: map[string]stamp{},
		stuckAfter: max(10*o.Budget, time.Second)}
	if o.UserDir != "" {
		for _, sub := range subdirs {
			if err := os.MkdirAll(filepath.Join(o.UserDir, sub), 0o755); err != nil {
				return nil, fmt.Errorf("luacheck: creating the user checks folder: %w", err)
			}
		}
		r.dirs = append(r.dirs, filepath.Clean(o.UserDir))
	}
	for _, d := range o.Dirs {
		if d = filepath.Clean(d); !slices.Contains(r.dirs, d) {
			r.dirs = append(r.dirs, d)
		}
	}
	r.snap.Store(&snapshot{byPath: map[string]*script{}})
	r.Reload()
	return r, nil
}

// Defs returns one definition per loaded check script (not the reference
// scripts, whose checks are built in), sorted by subdir and key, for the
// checks configuration.
func (r *Runner) Defs() []checks.Def { return slices.Clone(r.snap.Load().defs) }

// Registry is what Sync needs of the checks configuration;
// *checks.Store is one.
type Registry interface {
	Register(ctx context.Context, defs []checks.Def) error
	Unregister(subdir, key string) bool
}

var _ Registry = (*checks.Store)(nil)

// Sync makes the checks configuration know the loaded check scripts:
// it registers Defs and unregisters the checks of scripts that are gone.
// Call it after New and after every Reload that reported a change.
func (r *Runner) Sync(ctx context.Context, reg Registry) error {
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	defs := r.Defs()
	if err := reg.Register(ctx, defs); err != nil {
		return err
	}
	now := make(map[[2]string]bool, len(defs))
	for _, d := range defs {
		now[[2]string{d.Subdir, d.Key}] = true
	}
	for id := range r.registered {
		if !now[id] {
			reg.Unregister(id[0], id[1])
		}
	}
	r.registered = now
	return nil
}

// Reload rescans the folders: new and changed files (by modification time
// and size) are compiled and loaded, deleted ones dropped. A file that
// fails to load is reported once per version, and its previous version,
// if any, keeps running. It reports whether the loaded scripts changed.
func (r *Runner) Reload() (changed bool) {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	old := r.snap.Load()
	byPath := map[string]*script{}
	seen := map[string]bool{}
	for _, c := range scan(r.dirs) {
		seen[c.path] = true
		prev := old.byPath[c.path]
		if prev != nil && prev.stamp.same(c.stamp) && prev.kind == c.kind {
			byPath[c.path] = prev
			continue
		}
		if st, ok := r.failedLoads[c.path]; ok && st.same(c.stamp) {
			if prev != nil {
				byPath[c.path] = prev
			}
			continue
		}
		s, err := r.load(c)
		if err != nil {
			r.failedLoads[c.path] = c.stamp
			msg := err.Error()
			if prev != nil {
				msg += "; the previous version keeps running"
				byPath[c.path] = prev
			}
			r.opts.Report(Problem{Subdir: c.subdir, Key: c.key, Path: c.path, Kind: KindCompile, Message: msg})
			continue
		}
		delete(r.failedLoads, c.path)
		byPath[c.path] = s
	}
	for p := range r.failedLoads {
		if !seen[p] {
			delete(r.failedLoads, p)
		}
	}
	if len(byPath) == len(old.byPath) {
		same := true
		for p, s := range byPath {
			if old.byPath[p] != s {
				same = false
				break
			}
		}
		if same {
			return false
		}
	}
	r.snap.Store(resolve(old.gen+1, byPath))
	return true
}

func (a stamp) same(b stamp) bool { return a.size == b.size && a.mod.Equal(b.mod) }

// resolve picks, for every check, the script of the most important folder
// and builds the snapshot.
func resolve(gen uint64, byPath map[string]*script) *snapshot {
	win := map[[2]string]*script{}
	for _, s := range byPath {
		id := [2]string{s.subdir, s.key}
		if w := win[id]; w == nil || s.prio < w.prio || s.prio == w.prio && s.path < w.path {
			win[id] = s
		}
	}
	snap := &snapshot{gen: gen, byPath: byPath}
	for _, s := range win {
		switch s.subdir {
		case SubdirFlow:
			snap.flow = append(snap.flow, s)
		case SubdirHost:
			snap.host = append(snap.host, s)
		case SubdirInterface:
			snap.iface = append(snap.iface, s)
		}
		if s.kind == kindCheck {
			snap.defs = append(snap.defs, s.def)
		}
	}
	order := func(a, b *script) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.key, b.key))
	}
	slices.SortFunc(snap.flow, order)
	slices.SortFunc(snap.host, order)
	slices.SortFunc(snap.iface, order)
	slices.SortFunc(snap.defs, func(a, b checks.Def) int {
		return cmp.Or(cmp.Compare(a.Subdir, b.Subdir), cmp.Compare(a.Key, b.Key))
	})
	return snap
}

// load compiles a file and, for a check script, runs its top level once to
// read and validate its metadata.
func (r *Runner) load(c candidate) (*script, error) {
	proto, err := compile(c.path)
	if err != nil {
		return nil, err
	}
	s := &script{path: c.path, stamp: c.stamp, prio: c.prio, kind: c.kind, subdir: c.subdir, key: c.key, proto: proto}
	switch c.kind {
	case kindRefFlow:
		s.alertType = customFlowAlert
		return s, nil
	case kindRefHost:
		s.alertType = customHostAlert
		return s, nil
	}
	if !keyPattern.MatchString(s.key) {
		return nil, fmt.Errorf("the file name %q is not a valid check key (lower-case letters, digits and _, starting with a letter)", filepath.Base(c.path))
	}
	v := r.get(nil)
	inst, exceeded, err := r.instantiate(v, s)
	if errors.Is(err, errStuck) {
		r.put(v, false)
		return nil, fmt.Errorf("its top level got stuck in one library call for over %v", r.stuckAfter)
	}
	r.flush(v, s)
	r.put(v, err == nil || !isPanic(err))
	switch {
	case exceeded:
		return nil, fmt.Errorf("its top level ran past the budget of %v", r.loadBudget())
	case err != nil:
		return nil, errors.New(errText(err))
	}
	if err := s.parseMeta(inst.meta); err != nil {
		return nil, err
	}
	return s, nil
}

// get takes a state from the pool (waiting when all are busy) and drops
// its instances of scripts that snap no longer holds.
func (r *Runner) get(snap *snapshot) *vm {
	r.slots <- struct{}{}
	var v *vm
	r.idleMu.Lock()
	if n := len(r.idle); n > 0 {
		v = r.idle[n-1]
		r.idle = r.idle[:n-1]
	}
	r.idleMu.Unlock()
	if v == nil {
		v = newVM(r.opts.Output != nil)
	}
	if snap != nil && v.gen != snap.gen {
		for s := range v.instances {
			if snap.byPath[s.path] != s {
				delete(v.instances, s)
			}
		}
		v.gen = snap.gen
	}
	return v
}

// put returns a state to the pool; a state that saw a Go panic is closed
// (a fresh one is made when needed).
func (r *Runner) put(v *vm, healthy bool) {
	if healthy {
		v.flow, v.host, v.iface = nil, nil, nil
		r.idleMu.Lock()
		r.idle = append(r.idle, v)
		r.idleMu.Unlock()
	} else {
		v.close()
	}
	<-r.slots
}

// instantiate prepares s in v. For a check script it runs the top level,
// whose globals land in the instance's own table.
func (r *Runner) instantiate(v *vm, s *script) (inst *instance, exceeded bool, err error) {
	L := v.L
	fn := L.NewFunctionFromProto(s.proto)
	if s.kind != kindCheck {
		return &instance{fn: fn}, false, nil
	}
	inst = &instance{top: L.NewTable(), proxyMeta: L.NewTable(), callMeta: L.NewTable()}
	inst.top.Metatable = v.baseMeta
	inst.proxyMeta.RawSetString("__index", inst.top)
	inst.proxyMeta.RawSetString("__newindex", inst.top)
	inst.callMeta.RawSetString("__index", inst.top)
	proxy := L.NewTable()
	proxy.Metatable = inst.proxyMeta
	fn.Env = proxy
	exceeded, err = v.call(r.loadBudget(), r.stuckAfter, fn, 0, 1, nil, nil)
	if err != nil {
		return nil, exceeded, err
	}
	meta := L.Get(-1)
	L.Pop(1)
	inst.meta = meta
	inst.hooks = map[string]*lua.LFunction{}
	if t, ok := meta.(*lua.LTable); ok {
		if hooks, ok := t.RawGetString("hooks").(*lua.LTable); ok {
			hooks.ForEach(func(k, f lua.LValue) {
				if fn, ok := f.(*lua.LFunction); ok && k.Type() == lua.LTString {
					inst.hooks[k.String()] = fn
				}
			})
		}
	}
	return inst, false, nil
}

// RunFlow runs the flow scripts of hook ("protocolDetected",
// "periodicUpdate" or "flowEnd") on a copy of a flow, as cfg enables them,
// and returns the alerts they raised.
func (r *Runner) RunFlow(hook string, v *alerts.FlowView, cfg Enabled) []alerts.Raised {
	if v == nil {
		return nil
	}
	snap := r.snap.Load()
	return r.runAll(snap, snap.flow, hook, cfg, func(m *vm) *lua.LTable { m.flow = v; return m.flowObj }, nil)
}

// RunHost runs the host scripts of hook ("min" or "5mins") on a copy of a
// host.
func (r *Runner) RunHost(hook string, v *alerts.HostView, cfg Enabled) []alerts.Raised {
	if v == nil {
		return nil
	}
	snap := r.snap.Load()
	return r.runAll(snap, snap.host, hook, cfg, func(m *vm) *lua.LTable { m.host = v; return m.hostObj }, v)
}

// RunInterface runs the interface scripts of hook ("min" or "5mins") on a
// copy of an interface.
func (r *Runner) RunInterface(hook string, v *alerts.InterfaceView, cfg Enabled) []alerts.Raised {
	if v == nil {
		return nil
	}
	snap := r.snap.Load()
	return r.runAll(snap, snap.iface, hook, cfg, func(m *vm) *lua.LTable { m.iface = v; return m.ifaceObj }, nil)
}

// Active reports whether some loaded script of subdir (SubdirFlow,
// SubdirHost, SubdirInterface) is enabled by cfg on hook: the engine asks
// before walking every host for nothing.
func (r *Runner) Active(subdir, hook string, cfg Enabled) bool {
	if cfg == nil {
		return false
	}
	snap := r.snap.Load()
	var scripts []*script
	switch subdir {
	case SubdirFlow:
		scripts = snap.flow
	case SubdirHost:
		scripts = snap.host
	case SubdirInterface:
		scripts = snap.iface
	}
	for _, s := range scripts {
		if _, ok := wants(s, hook, cfg, nil); ok {
			return true
		}
	}
	return false
}

// runAll runs the scripts that cfg enables for hook, one state for all of
// them. bind makes the entity current in a state and returns its object.
func (r *Runner) runAll(snap *snapshot, scripts []*script, hook string, cfg Enabled, bind func(*vm) *lua.LTable, host *alerts.HostView) []alerts.Raised {
	if len(scripts) == 0 || cfg == nil {
		return nil
	}
	var (
		out []alerts.Raised
		v   *vm
		obj *lua.LTable
	)
	for _, s := range scripts {
		conf, ok := wants(s, hook, cfg, host)
		if !ok || !r.runnable(s) {
			continue
		}
		if v == nil {
			v = r.get(snap)
			obj = bind(v)
		}
		raised, ok, healthy := r.runOne(v, s, hook, conf, obj)
		if !healthy {
			r.put(v, false)
			v = nil
			continue
		}
		if ok {
			out = append(out, raised)
		}
	}
	if v != nil {
		r.put(v, true)
	}
	return out
}

// wants reports whether cfg enables s on hook, and its script_conf.
func wants(s *script, hook string, cfg Enabled, host *alerts.HostView) (json.RawMessage, bool) {
	var want string
	switch s.kind {
	case kindRefFlow:
		if hook != refFlowHook {
			return nil, false
		}
		want = "all"
	case kindRefHost:
		if hook != refHostHook || host != nil && s.isSkipped(host) {
			return nil, false
		}
		want = refHostHook
	default:
		if !s.hooks[hook] {
			return nil, false
		}
		want = hook
		if s.subdir == SubdirFlow {
			want = "all"
		}
	}
	hooks, conf := cfg(s.subdir, s.key)
	return conf, slices.Contains(hooks, want)
}

// runOne runs one script in v. ok reports an alert; healthy is false when
// the state must be discarded (a Go panic went through it).
func (r *Runner) runOne(v *vm, s *script, hook string, conf json.RawMessage, obj *lua.LTable) (raised alerts.Raised, ok, healthy bool) {
	v.alert = pending{}
	v.skipHost = false
	inst := v.instances[s]
	var (
		exceeded bool
		err      error
	)
	if inst == nil {
		inst, exceeded, err = r.instantiate(v, s)
		if err == nil {
			v.instances[s] = inst
		}
	}
	if err == nil {
		exceeded, err = r.invoke(v, s, inst, hook, conf, obj)
	}
	if errors.Is(err, errStuck) {
		// v belongs to the stuck call now: not a field of it is read.
		r.gotStuck(s, hook)
		return raised, false, false
	}
	r.flush(v, s)
	if err != nil {
		// The state's copy of the script may be half-updated: the next call
		// starts from a fresh one.
		delete(v.instances, s)
		if exceeded {
			r.failed(s, KindBudget, fmt.Sprintf("hook %s", hook))
		} else {
			r.failed(s, KindRuntime, fmt.Sprintf("hook %s: %s", hook, errText(err)))
		}
		return raised, false, !isPanic(err)
	}
	s.succeeded()
	if v.skipHost && v.host != nil {
		s.skip(v.host)
	}
	if !v.alert.set {
		return raised, false, true
	}
	return alerts.Raised{
		Subdir:  s.subdir,
		Check:   s.key,
		Type:    s.alertType,
		Score:   v.alert.score,
		Message: v.alert.message,
		Params:  v.alert.params,
	}, true, true
}

// invoke calls the script with a fresh table for its globals.
func (r *Runner) invoke(v *vm, s *script, inst *instance, hook string, conf json.RawMessage, obj *lua.LTable) (bool, error) {
	L := v.L
	// CreateTable(0, 0): NewTable preallocates room for 32+32 entries,
	// kilobytes per call for a table most calls never write.
	env := L.CreateTable(0, 0)
	if s.kind != kindCheck {
		env.Metatable = v.baseMeta
		inst.fn.Env = env
		return v.call(r.opts.Budget, r.stuckAfter, inst.fn, 0, 0, nil, nil)
	}
	fn := inst.hooks[hook]
	if fn == nil {
		return false, fmt.Errorf("the script defines no %s hook any more", hook)
	}
	env.Metatable = inst.callMeta
	inst.proxyMeta.RawSetString("__index", env)
	inst.proxyMeta.RawSetString("__newindex", env)
	exceeded, err := v.call(r.opts.Budget, r.stuckAfter, fn, 2, 0, obj, toLua(L, s.confValue(conf)))
	if !errors.Is(err, errStuck) { // a stuck call still uses the state
		inst.proxyMeta.RawSetString("__index", inst.top)
		inst.proxyMeta.RawSetString("__newindex", inst.top)
	}
	return exceeded, err
}

func (r *Runner) flush(v *vm, s *script) {
	if len(v.out) == 0 {
		return
	}
	if r.opts.Output != nil {
		r.opts.Output(s.subdir, s.key, string(v.out))
	}
	v.out = v.out[:0]
}

// errText is the message of a Lua error without its stack traceback
// ("path:line: message").
func errText(err error) string {
	var api *lua.ApiError
	if errors.As(err, &api) && api.Object != nil {
		return api.Object.String()
	}
	return err.Error()
}

func isPanic(err error) bool {
	var api *lua.ApiError
	return errors.As(err, &api) && api.Type == lua.ApiErrorPanic
}

// Close releases the idle Lua states. The runner must not be used after
// Close; calls in progress finish normally.
func (r *Runner) Close() {
	r.idleMu.Lock()
	idle := r.idle
	r.idle = nil
	r.idleMu.Unlock()
	for _, v := range idle {
		v.close()
	}
}

// Configured is a Runner bound to a checks configuration, with the
// methods the alert engine calls (its Scripts interface).
type Configured struct {
	r   *Runner
	cfg Enabled
}

// Configured binds r to cfg (normally checks.Store.Enabled).
func (r *Runner) Configured(cfg Enabled) Configured { return Configured{r, cfg} }

// RunFlow is Runner.RunFlow with the bound configuration.
func (c Configured) RunFlow(hook string, v *alerts.FlowView) []alerts.Raised {
	return c.r.RunFlow(hook, v, c.cfg)
}

// RunHost is Runner.RunHost with the bound configuration.
func (c Configured) RunHost(hook string, v *alerts.HostView) []alerts.Raised {
	return c.r.RunHost(hook, v, c.cfg)
}

// Active is Runner.Active with the bound configuration.
func (c Configured) Active(subdir, hook string) bool { return c.r.Active(subdir, hook, c.cfg) }

// RunInterface is Runner.RunInterface with the bound configuration.
func (c Configured) RunInterface(hook string, v *alerts.InterfaceView) []alerts.Raised {
	return c.r.RunInterface(hook, v, c.cfg)
}

// loadBudget is the time a script's top level may take. It runs once per
// Lua state, not per flow or host, and on a busy machine a cold state can
// need longer than a hook's Budget; it stays below stuckAfter so that a
// looping top level is stopped by its budget rather than abandoned.
func (r *Runner) loadBudget() time.Duration { return max(r.opts.Budget, r.stuckAfter/2) }
