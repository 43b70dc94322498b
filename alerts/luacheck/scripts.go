package luacheck

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/checks"
)

// Subdirectories of a checks folder holding check scripts, and the
// entity each checks.
const (
	SubdirFlow      = "flow"
	SubdirHost      = "host"
	SubdirInterface = "interface"
)

var subdirs = []string{SubdirFlow, SubdirHost, SubdirInterface}

// The reference scripts: their files, the built-in checks that enable
// them, the hook they run on and the alert type they raise.
const (
	refFlowFile = "flows/custom_flow_lua_script.lua"
	refHostFile = "hosts/custom_host_lua_script.lua"

	refFlowCheck = "custom_lua_script"
	refHostCheck = "custom_host_lua_script"

	refFlowHook = "protocolDetected"
	refHostHook = "min"

	customFlowAlert = 87 // alert_custom_lua_script
	customHostAlert = 24 // host_alert_custom_lua_script
)

// hookNames are the hooks a check script may define, by subdir.
var hookNames = map[string][]string{
	SubdirFlow:      {"protocolDetected", "periodicUpdate", "flowEnd"},
	SubdirHost:      {"min", "5mins"},
	SubdirInterface: {"min", "5mins"},
}

// defaultAlert is the alert type a check script raises unless its metadata
// names another one of its entity's family: the custom_lua_script types
// for flows and hosts; interface alerts are of the "other" family, which
// has no custom type, and alert_threshold_cross (4136) is the type
// ntopng's own interface threshold checks raise.
var defaultAlert = map[string]int{SubdirFlow: customFlowAlert, SubdirHost: customHostAlert, SubdirInterface: 4136}

var familyOf = map[string]alerts.Family{
	SubdirFlow:      alerts.FamilyFlow,
	SubdirHost:      alerts.FamilyHost,
	SubdirInterface: alerts.FamilyOther,
}

// keyPattern: a script key is a single lower-case word (REST validation of
// script_key), and it is the file name.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// maxFileSize bounds a script file: checks are small, and a huge file is
// a mistake worth reporting rather than compiling.
const maxFileSize = 1 << 20

type scriptKind uint8

const (
	// In the order scripts of one entity run: the reference script first.
	kindRefFlow scriptKind = iota // flows/custom_flow_lua_script.lua
	kindRefHost                   // hosts/custom_host_lua_script.lua
	kindCheck                     // {flow,host,interface}/<key>.lua returning metadata
)

// stamp identifies a version of a file.
type stamp struct {
	mod  time.Time
	size int64
}

// script is one loaded version of a script file. Everything but its
// health and caches is immutable once loaded; a changed file is a new
// script.
type script struct {
	path   string
	stamp  stamp
	prio   int // index of its folder: 0 is the most important
	kind   scriptKind
	subdir string
	key    string
	proto  *lua.FunctionProto

	// Check scripts.
	def       checks.Def
	hooks     map[string]bool // the hooks it defines
	alertType int

	health health
	conf   atomic.Pointer[confCache]

	// Reference host script: hosts that called skipVisitedHost.
	skipMu  sync.Mutex
	skipped map[hostID]struct{}
}

// maxSkipped bounds the hosts remembered by skipVisitedHost; when full the
// set starts over (those hosts are visited once more), so a host table
// that churns cannot grow it without end.
const maxSkipped = 1 << 18

type hostID struct {
	ifid int
	ip   netip.Addr
	vlan uint16
}

// confCache is the last script_conf a script received, decoded: the
// configuration rarely changes, so decoding the JSON once is enough.
type confCache struct {
	raw string
	v   any
}

func (s *script) confValue(raw []byte) any {
	if c := s.conf.Load(); c != nil && c.raw == string(raw) {
		return c.v
	}
	c := &confCache{raw: string(raw), v: decodeConf(raw)}
	s.conf.Store(c)
	return c.v
}

func (s *script) isSkipped(h *alerts.HostView) bool {
	s.skipMu.Lock()
	defer s.skipMu.Unlock()
	_, ok := s.skipped[hostID{h.IfID, h.IP, h.VLAN}]
	return ok
}

func (s *script) skip(h *alerts.HostView) {
	s.skipMu.Lock()
	defer s.skipMu.Unlock()
	if s.skipped == nil || len(s.skipped) >= maxSkipped {
		s.skipped = map[hostID]struct{}{}
	}
	s.skipped[hostID{h.IfID, h.IP, h.VLAN}] = struct{}{}
}

// candidate is a script file found by a scan.
type candidate struct {
	path   string
	prio   int
	kind   scriptKind
	subdir string
	key    string
	stamp  stamp
}

// scan lists the script files of the folders, most important folder
// first. Missing folders are fine: a checks folder need not have every
// subdir.
func scan(dirs []string) []candidate {
	var out []candidate
	for prio, dir := range dirs {
		for _, ref := range []struct {
			file, subdir, key string
			kind              scriptKind
		}{
			{refFlowFile, SubdirFlow, refFlowCheck, kindRefFlow},
			{refHostFile, SubdirHost, refHostCheck, kindRefHost},
		} {
			p := filepath.Join(dir, filepath.FromSlash(ref.file))
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				out = append(out, candidate{p, prio, ref.kind, ref.subdir, ref.key, stamp{st.ModTime(), st.Size()}})
			}
		}
		for _, sub := range subdirs {
			entries, err := os.ReadDir(filepath.Join(dir, sub))
			if err != nil {
				continue
			}
			for _, e := range entries {
				name := e.Name()
				if !strings.HasSuffix(name, ".lua") || strings.HasPrefix(name, ".") {
					continue
				}
				st, err := e.Info()
				if err != nil || !st.Mode().IsRegular() {
					continue
				}
				p := filepath.Join(dir, sub, name)
				out = append(out, candidate{p, prio, kindCheck, sub, strings.TrimSuffix(name, ".lua"), stamp{st.ModTime(), st.Size()}})
			}
		}
	}
	return out
}

// compile reads and compiles a script file.
func compile(path string) (*lua.FunctionProto, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("the file is larger than %d bytes", maxFileSize)
	}
	if bytes.HasPrefix(src, []byte("\x1bLua")) {
		return nil, errors.New("precompiled Lua is not accepted")
	}
	chunk, err := parse.Parse(bytes.NewReader(src), path)
	if err != nil {
		return nil, err
	}
	proto, err := lua.Compile(chunk, path)
	if err != nil {
		return nil, err
	}
	// A main chunk is a vararg function, and gopher-lua builds the Lua
	// 5.0 `arg` table for it on every call unless told otherwise: a
	// reference script, run once per flow, would pay a table per call for
	// a variable no check uses.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return proto, nil
}

// metaFields are the fields of a check script's metadata table.
var metaFields = []string{
	"key", "title", "description", "category", "alert_type",
	"default_enabled", "default_value", "input_builder", "hooks",
}

var inputBuilders = []string{
	checks.InputThreshold, checks.InputItems, checks.InputMultiThreshold,
	checks.InputElephantFlows, checks.InputLongLived,
}

// parseMeta validates the metadata table a check script returned and
// fills s.def, s.hooks and s.alertType.
func (s *script) parseMeta(meta lua.LValue) error {
	t, ok := meta.(*lua.LTable)
	if !ok {
		hint := ""
		if s.subdir == SubdirFlow || s.subdir == SubdirHost {
			hint = fmt.Sprintf(" (a reference script without metadata belongs in %s)", map[string]string{SubdirFlow: refFlowFile, SubdirHost: refHostFile}[s.subdir])
		}
		return fmt.Errorf("a check script must return its metadata table, not a %s%s", meta.Type(), hint)
	}
	var bad error
	t.ForEach(func(k, _ lua.LValue) {
		name, ok := k.(lua.LString)
		if bad == nil && (!ok || !slices.Contains(metaFields, string(name))) {
			bad = fmt.Errorf("unknown metadata field %v (known: %s)", k, strings.Join(metaFields, ", "))
		}
	})
	if bad != nil {
		return bad
	}
	str := func(field string) (string, error) {
		switch v := t.RawGetString(field).(type) {
		case *lua.LNilType:
			return "", nil
		case lua.LString:
			return string(v), nil
		default:
			return "", fmt.Errorf("%s must be a string, not a %s", field, v.Type())
		}
	}

	key, err := str("key")
	if err != nil {
		return err
	}
	if key != "" && key != s.key {
		return fmt.Errorf("key %q differs from the file name: the key of %s is %q", key, filepath.Base(s.path), s.key)
	}
	for _, b := range checks.All() {
		if b.Subdir == s.subdir && b.Key == s.key {
			return fmt.Errorf("key %q is the key of a built-in %s check: rename the file", s.key, s.subdir)
		}
	}
	title, err := str("title")
	if err != nil {
		return err
	}
	descr, err := str("description")
	if err != nil {
		return err
	}
	category, err := str("category")
	if err != nil {
		return err
	}
	if category == "" {
		category = "security"
	}
	if _, ok := alerts.CategoryByKey(category); !ok {
		return fmt.Errorf("unknown category %q", category)
	}
	input, err := str("input_builder")
	if err != nil {
		return err
	}
	if input != "" && !slices.Contains(inputBuilders, input) {
		return fmt.Errorf("unknown input_builder %q (known: %s)", input, strings.Join(inputBuilders, ", "))
	}
	enabled := true // absent means enabled, as for ntopng's checks
	switch v := t.RawGetString("default_enabled").(type) {
	case *lua.LNilType:
	case lua.LBool:
		enabled = bool(v)
	default:
		return fmt.Errorf("default_enabled must be a boolean, not a %s", v.Type())
	}
	conf := "[]"
	switch v := t.RawGetString("default_value").(type) {
	case *lua.LNilType:
	case *lua.LTable:
		if conf, err = luaJSON(v); err != nil {
			return fmt.Errorf("default_value: %v", err)
		}
	default:
		return fmt.Errorf("default_value must be a table, not a %s", v.Type())
	}
	typ, err := s.resolveAlertType(t.RawGetString("alert_type"))
	if err != nil {
		return err
	}
	hooks, err := s.parseHooks(t.RawGetString("hooks"))
	if err != nil {
		return err
	}

	s.hooks = map[string]bool{}
	for _, h := range hooks {
		s.hooks[h] = true
	}
	s.alertType = typ.Key
	cfgHooks := hooks // host and interface: the hooks themselves
	if s.subdir == SubdirFlow {
		cfgHooks = []string{"all"} // flow checks have one configuration hook
	}
	s.def = checks.Def{
		Subdir:      s.subdir,
		Key:         s.key,
		Edition:     checks.Community,
		Listed:      true,
		Hooks:       cfgHooks,
		Enabled:     enabled,
		Conf:        conf,
		AlertID:     typ.Key,
		AlertFamily: typ.Family.String(),
		Category:    category,
		Input:       input,
		Description: descr,
		Title:       title,
		Script:      s.path,
	}
	return nil
}

// resolveAlertType finds the alert type the metadata names (its name or
// its key), which must be of the family of the script's entity and listed
// by this program.
func (s *script) resolveAlertType(v lua.LValue) (alerts.Type, error) {
	fam := familyOf[s.subdir]
	var (
		t  alerts.Type
		ok bool
	)
	switch x := v.(type) {
	case *lua.LNilType:
		t, ok = alerts.TypeByFamilyKey(fam, defaultAlert[s.subdir])
	case lua.LString:
		t, ok = alerts.TypeByName(string(x))
	case lua.LNumber:
		t, ok = alerts.TypeByFamilyKey(fam, int(x))
	default:
		return t, fmt.Errorf("alert_type must be an alert type name or key, not a %s", v.Type())
	}
	switch {
	case !ok:
		return t, fmt.Errorf("unknown alert type %v", v)
	case t.Family != fam:
		return t, fmt.Errorf("alert type %s is a %s alert: a %s check raises %s alerts", t.Name, t.Family, s.subdir, fam)
	case !t.In(alerts.Served):
		return t, fmt.Errorf("alert type %s is not one this program lists", t.Name)
	}
	return t, nil
}

// parseHooks checks the hooks table: known names, function values, at
// least one. It returns the names, sorted.
func (s *script) parseHooks(v lua.LValue) ([]string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("hooks must be a table of functions (%s), not a %s", strings.Join(hookNames[s.subdir], ", "), v.Type())
	}
	var names []string
	var bad error
	t.ForEach(func(k, fn lua.LValue) {
		name, ok := k.(lua.LString)
		switch {
		case bad != nil:
		case !ok || !slices.Contains(hookNames[s.subdir], string(name)):
			bad = fmt.Errorf("unknown %s hook %v (known: %s)", s.subdir, k, strings.Join(hookNames[s.subdir], ", "))
		case fn.Type() != lua.LTFunction:
			bad = fmt.Errorf("hook %s must be a function, not a %s", name, fn.Type())
		default:
			names = append(names, string(name))
		}
	})
	if bad != nil {
		return nil, bad
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no hook: define at least one of %s", strings.Join(hookNames[s.subdir], ", "))
	}
	slices.Sort(names)
	return names, nil
}
