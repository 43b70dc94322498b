package lua

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/rest/rc"
)

// Bindings returns the installer of the `interface` and `ntop` modules,
// named after ntopng's Lua API. Module tables are read-only proxies so a
// script cannot leak state into later runs through them.
func Bindings(app *App) Installer {
	return func(L *glua.LState, vm *VM) {
		b := &binder{app: app, vm: vm}
		b.registerHostObject(L)
		L.SetGlobal("interface", readOnly(L, b.interfaceModule(L)))
		L.SetGlobal("ntop", readOnly(L, b.ntopModule(L)))
	}
}

type binder struct {
	app *App
	vm  *VM
}

// req is the state of the run in progress.
func (b *binder) req() *Request {
	r, _ := b.vm.Data.(*Request)
	if r == nil {
		r = &Request{}
		b.vm.Data = r
	}
	return r
}

// iface is the selected interface (the first one by default).
func (b *binder) iface() *probe.Interface {
	r := b.req()
	if r.Iface == nil {
		for _, i := range b.app.Interfaces {
			if b.ifaceAllowed(i) {
				r.Iface = i
				break
			}
		}
	}
	if r.Iface == nil && len(b.app.Interfaces) > 0 {
		// A caller pinned to a missing interface never gets here (the
		// server refuses it); keep a usable default anyway.
		r.Iface = b.app.Interfaces[0]
	}
	return r.Iface
}

// ifaceAllowed: a caller pinned to one interface sees only that one.
func (b *binder) ifaceAllowed(i *probe.Interface) bool {
	n := b.req().AllowedIfname
	return n == "" || n == i.Name()
}

// visible is the caller's view of addresses (allowed networks); nil for
// callers without restrictions, so that they pay nothing.
func (b *binder) visible() probe.Visibility {
	nets := b.req().AllowedNets
	if nets == nil {
		return nil
	}
	return func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range nets {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}

// restricted reports whether the caller has network restrictions.
func (b *binder) restricted() bool { return b.req().AllowedNets != nil }

func readOnly(L *glua.LState, t *glua.LTable) *glua.LTable {
	proxy := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", t)
	meta.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		L.RaiseError("attempt to modify a read-only module")
		return 0
	}))
	meta.RawSetString("__metatable", glua.LFalse)
	L.SetMetatable(proxy, meta)
	return proxy
}

func (b *binder) interfaceModule(L *glua.LState) *glua.LTable {
	return L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"getIfNames":           b.getIfNames,
		"select":               b.selectIface,
		"getId":                func(L *glua.LState) int { L.Push(glua.LNumber(b.iface().ID())); return 1 },
		"getName":              func(L *glua.LState) int { L.Push(glua.LString(b.iface().Name())); return 1 },
		"getStats":             b.getStats,
		"getHostsInfo":         b.getHostsInfo,
		"getHostInfo":          b.getHostInfo,
		"getHostMinInfo":       b.getHostMinInfo,
		"findHostByName":       b.findHostByName,
		"getFlowsInfo":         b.getFlowsInfo,
		"getActiveFlowsStats":  b.getActiveFlowsStats,
		"getnDPIProtocols":     b.getnDPIProtocols,
		"getnDPICategories":    b.getnDPICategories,
		"getnDPIProtoCategory": b.getnDPIProtoCategory,
		"getnDPIProtoName":     b.getnDPIProtoName,
		"getnDPIProtoId":       b.getnDPIProtoID,
		"getnDPICategoryId":    b.getnDPICategoryID,
		"getHostResolvedName":  b.getResolvedName,
		"getStatsExtra":        b.getStatsExtra,
		"getAddresses":         b.getAddresses,
		"getBcastDomains":      b.getBcastDomains,
		"getTopTalkers":        b.getTopTalkers,
		"getHostKeys":          b.getHostKeys,
		"getHost":              b.getHost,
		"getHostPoolsStats":    b.getHostPoolsStats,
	})
}

// setContentType(type [, disposition]) sets the Content-Type of a page
// and, for downloads, its Content-Disposition.
func (b *binder) setContentType(L *glua.LState) int {
	r := b.req()
	r.ContentType = L.CheckString(1)
	r.ContentDisposition = L.OptString(2, "")
	return 0
}

func (b *binder) ntopModule(L *glua.LState) *glua.LTable {
	t := L.SetFuncs(L.NewTable(), b.poolsModule())
	t = L.SetFuncs(t, b.alertConstsModule())
	t = L.SetFuncs(t, b.checksModule())
	t = L.SetFuncs(t, b.alertListModule())
	return L.SetFuncs(t, map[string]glua.LGFunction{
		"getVersion":          func(L *glua.LState) int { L.Push(glua.LString(b.app.Version)); return 1 },
		"getUptime":           func(L *glua.LState) int { L.Push(glua.LNumber(int64(time.Since(b.app.Start).Seconds()))); return 1 },
		"getStartTime":        func(L *glua.LState) int { L.Push(glua.LNumber(b.app.Start.Unix())); return 1 },
		"isAdministrator":     func(L *glua.LState) int { L.Push(glua.LBool(b.req().Admin)); return 1 },
		"getCurrentUser":      func(L *glua.LState) int { L.Push(glua.LString(b.req().User)); return 1 },
		"getRestCodes":        b.getRestCodes,
		"sendRestAnswer":      b.sendRestAnswer,
		"setContentType":      b.setContentType,
		"getSystemHostStats":  b.getSystemHostStats,
		"getL4ProtocolConsts": b.getL4Consts,
		"getHostAlias":        b.getHostAlias,
		"setHostAlias":        b.setHostAlias,
		"getUsers":            b.getUsers,
		"addUser":             b.addUser,
		"editUser":            b.editUser,
		"deleteUser":          b.deleteUser,
		"createSession":       b.createSession,
		"createApiToken":      b.createAPIToken,
		"logout":              b.logout,
		"getStorageStats":     b.getStorageStats,
		"isIPAddress": func(L *glua.LState) int {
			_, err := netip.ParseAddr(L.CheckString(1))
			L.Push(glua.LBool(err == nil))
			return 1
		},
		"formatUptime": func(L *glua.LState) int { L.Push(glua.LString(FormatUptime(int64(L.CheckNumber(1))))); return 1 },
		"localtime":    func(L *glua.LState) int { L.Push(glua.LString(time.Now().Format("15:04:05 -0700"))); return 1 },
		"epoch":        func(L *glua.LState) int { L.Push(glua.LNumber(time.Now().Unix())); return 1 },
		"jsonEncode":   b.jsonEncode,
	})
}

// FormatUptime renders seconds the way ntopng's uptime member does.
func FormatUptime(secs int64) string {
	if secs < 1 {
		return "< 1 sec"
	}
	days := secs / 86400
	years := days / 365
	days %= 365
	h := (secs % 86400) / 3600
	m := (secs % 3600) / 60
	s := secs % 60
	var pfx string
	if years > 0 {
		pfx += strconv.FormatInt(years, 10) + plural(years, " Year", " Years") + ", "
	}
	if days > 0 {
		pfx += strconv.FormatInt(days, 10) + plural(days, " Day", " Days") + ", "
	}
	two := func(n int64) string {
		if n < 10 {
			return "0" + strconv.FormatInt(n, 10)
		}
		return strconv.FormatInt(n, 10)
	}
	switch {
	case secs < 60:
		return two(m) + ":" + two(s) + " sec"
	case secs < 3600:
		return pfx + two(m) + ":" + two(s)
	}
	return pfx + two(h) + ":" + two(m) + ":" + two(s)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (b *binder) getIfNames(L *glua.LState) int {
	t := L.NewTable()
	for _, i := range b.app.Interfaces {
		if b.ifaceAllowed(i) {
			t.RawSetInt(i.ID(), glua.LString(i.Name()))
		}
	}
	// Interface 0 needs a non-array slot: RawSetInt(0) stores it in the
	// hash part already, so pairs() sees every interface.
	L.Push(t)
	return 1
}

// selectIface selects by id (number or numeric string) or by name.
func (b *binder) selectIface(L *glua.LState) int {
	v := L.Get(1)
	s := strings.TrimSpace(glua.LVAsString(v))
	for _, i := range b.app.Interfaces {
		if s == i.Name() && b.ifaceAllowed(i) {
			b.req().Iface = i
			L.Push(glua.LTrue)
			return 1
		}
	}
	if id, err := strconv.ParseInt(s, 0, 32); err == nil {
		if i := b.app.Interface(int(id)); i != nil && b.ifaceAllowed(i) {
			b.req().Iface = i
			L.Push(glua.LTrue)
			return 1
		}
	}
	L.Push(glua.LFalse)
	return 1
}

func (b *binder) getRestCodes(L *glua.LState) int {
	t := L.CreateTable(len(rc.All), 0)
	for _, c := range rc.All {
		e := L.CreateTable(0, 5)
		e.RawSetString("key", glua.LString(c.Key()))
		e.RawSetString("rc", glua.LNumber(c.RC))
		e.RawSetString("str", glua.LString(c.Str))
		e.RawSetString("http_code", glua.LNumber(c.HTTP))
		e.RawSetString("hr", glua.LString(c.HR))
		t.Append(e)
	}
	L.Push(t)
	return 1
}

// sendRestAnswer(rc_str, payload) encodes the envelope of the run.
func (b *binder) sendRestAnswer(L *glua.LState) int {
	code, ok := rc.ByStr(L.CheckString(1))
	if !ok {
		L.ArgError(1, "unknown return code")
	}
	payload := L.Get(2)
	if payload == glua.LNil {
		payload = L.NewTable()
	}
	rsp, err := EncodeJSON(make([]byte, 0, 4096), payload)
	if err != nil {
		L.RaiseError("cannot encode answer: %v", err)
	}
	r := b.req()
	r.Answered = true
	r.Status = code.HTTP
	b.vm.Out = b.vm.Out[:0]
	r.Body = Envelope(code, rsp)
	return 0
}

// Envelope builds {"rc":…,"rc_str":…,"rc_str_hr":…,"rsp":rsp}: the one
// shape of every REST answer, for scripts and for the server's own errors.
func Envelope(code rc.Code, rsp []byte) []byte {
	out := make([]byte, 0, len(rsp)+96)
	out = append(out, `{"rc":`...)
	out = strconv.AppendInt(out, int64(code.RC), 10)
	out = append(out, `,"rc_str":`...)
	out, _ = EncodeJSON(out, glua.LString(code.Str))
	out = append(out, `,"rc_str_hr":`...)
	out, _ = EncodeJSON(out, glua.LString(code.HR))
	out = append(out, `,"rsp":`...)
	out = append(out, rsp...)
	return append(out, '}')
}

func (b *binder) jsonEncode(L *glua.LState) int {
	out, err := EncodeJSON(nil, L.Get(1))
	if err != nil {
		L.RaiseError("json: %v", err)
	}
	L.Push(glua.LString(out))
	return 1
}

func (b *binder) getHostAlias(L *glua.LState) int {
	if b.app.HostAliases != nil {
		if a, ok := b.app.HostAliases(L.CheckString(1)); ok {
			L.Push(glua.LString(a))
			return 1
		}
	}
	L.Push(glua.LNil)
	return 1
}

func (b *binder) getResolvedName(L *glua.LState) int {
	addr, err := netip.ParseAddr(L.CheckString(1))
	if err == nil {
		if n, ok := b.iface().NameCache().Lookup(addr); ok {
			L.Push(glua.LString(n))
			return 1
		}
	}
	L.Push(glua.LNil)
	return 1
}

// ParseHost splits "ip", "ip@vlan" with an optional separate vlan
// (rest-conventions.md §3.5). ok is false when host is not an IP literal.
func ParseHost(host string, vlan string) (probe.HostKey, bool) {
	h := host
	var v uint64
	if at := strings.LastIndexByte(h, '@'); at >= 0 {
		vv, err := strconv.ParseUint(h[at+1:], 10, 16)
		if err != nil {
			return probe.HostKey{}, false
		}
		v, h = vv, h[:at]
	} else if vlan != "" {
		vv, err := strconv.ParseUint(vlan, 0, 16)
		if err == nil {
			v = vv
		}
	}
	addr, err := netip.ParseAddr(h)
	if err != nil {
		return probe.HostKey{VLAN: uint16(v)}, false
	}
	return probe.HostKey{IP: addr.Unmap(), VLAN: uint16(v)}, true
}

// resolveHost finds a host given as an IP literal ("ip" or "ip@vlan") or
// as a host name of that VLAN (rest-conventions.md §3.5).
func resolveHost(ifc *probe.Interface, host, vlan string) (probe.HostKey, bool) {
	k, ok := ParseHost(host, vlan)
	if ok {
		return k, true
	}
	name := host
	if at := strings.LastIndexByte(name, '@'); at >= 0 {
		name = name[:at]
	}
	return ifc.FindHostByName(name, k.VLAN)
}

// hostArg resolves the (host, vlan) arguments at idx and idx+1.
func (b *binder) hostArg(L *glua.LState, idx int) (probe.HostKey, bool) {
	vlan := ""
	if v := L.Get(idx + 1); v != glua.LNil {
		vlan = glua.LVAsString(v)
	}
	return b.resolveVisible(b.iface(), L.CheckString(idx), vlan)
}

// resolveVisible is resolveHost for the caller: hosts outside its allowed
// networks do not exist for it.
func (b *binder) resolveVisible(ifc *probe.Interface, host, vlan string) (probe.HostKey, bool) {
	k, ok := resolveHost(ifc, host, vlan)
	if ok && !b.visible().Sees(k.IP) {
		return probe.HostKey{}, false
	}
	return k, ok
}

func (b *binder) findHostByName(L *glua.LState) int {
	k, ok := b.hostArg(L, 1)
	if !ok {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(glua.LString(k.String()))
	return 1
}

func (b *binder) getnDPIProtocols(L *glua.LState) int {
	t := L.NewTable()
	for _, p := range b.app.Registry.Protocols() {
		t.RawSetString(p.Name, glua.LString(strconv.Itoa(int(p.ID))))
	}
	L.Push(t)
	return 1
}

func (b *binder) getnDPICategories(L *glua.LState) int {
	t := L.NewTable()
	for _, c := range b.app.Registry.Categories() {
		t.RawSetString(c.Name, glua.LString(strconv.Itoa(int(c.ID))))
	}
	L.Push(t)
	return 1
}

func (b *binder) getnDPIProtoCategory(L *glua.LState) int {
	p := b.app.Registry.Protocol(dpi.ProtoID(L.CheckInt(1)))
	t := L.NewTable()
	t.RawSetString("id", glua.LNumber(p.Category))
	t.RawSetString("name", glua.LString(b.app.Registry.CategoryName(p.Category)))
	L.Push(t)
	return 1
}

func (b *binder) getnDPIProtoName(L *glua.LState) int {
	L.Push(glua.LString(b.app.Registry.Protocol(dpi.ProtoID(L.CheckInt(1))).Name))
	return 1
}

// getnDPIProtoId resolves a protocol name (case-insensitive) to its id, -1
// when unknown.
func (b *binder) getnDPIProtoID(L *glua.LState) int {
	if p, ok := b.app.Registry.ByName(L.CheckString(1)); ok {
		L.Push(glua.LNumber(p.ID))
	} else {
		L.Push(glua.LNumber(-1))
	}
	return 1
}

func (b *binder) getnDPICategoryID(L *glua.LState) int {
	name := L.CheckString(1)
	for _, c := range b.app.Registry.Categories() {
		if strings.EqualFold(c.Name, name) {
			L.Push(glua.LNumber(c.ID))
			return 1
		}
	}
	L.Push(glua.LNumber(-1))
	return 1
}

// L4Consts is the fixed list of get/l4/protocol/consts (appendix-consts.md
// §1.2, CUR-2024).
var L4Consts = []struct {
	Name, Other string
	ID          int
}{
	{"IP", "ip", 0}, {"ICMP", "icmp", 1}, {"IGMP", "igmp", 2}, {"TCP", "tcp", 6}, {"UDP", "udp", 17},
	{"IPv6", "ipv6", 41}, {"RSVP", "rsvp", 46}, {"GRE", "gre", 47}, {"ESP", "esp", 50},
	{"IPv6-ICMP", "ipv6icmp", 58}, {"EIGRP", "eigrp", 88}, {"OSPF", "ospf", 89}, {"PIM", "pim", 103},
	{"VRRP", "vrrp", 112}, {"L2TP", "l2tp", 115}, {"HIP", "hip", 139}, {"SCTP", "sctp", 132},
	{"ICMPv6", "icmpv6", 58}, {"IGMP", "igmp", 2}, {"Other IP", "other_ip", -1},
}

func (b *binder) getL4Consts(L *glua.LState) int {
	t := L.CreateTable(len(L4Consts), 0)
	for _, c := range L4Consts {
		e := L.CreateTable(0, 3)
		e.RawSetString("name", glua.LString(c.Name))
		e.RawSetString("other", glua.LString(c.Other))
		e.RawSetString("id", glua.LNumber(c.ID))
		t.Append(e)
	}
	L.Push(t)
	return 1
}

func (b *binder) getActiveFlowsStats(L *glua.LState) int {
	ifc := b.iface()
	l4 := L.NewTable()
	for p, n := range ifc.FlowL4Counts(b.visible()) {
		l4.RawSetInt(int(p), glua.LNumber(n))
	}
	l7 := L.NewTable()
	for p, n := range ifc.FlowL7Counts(b.visible()) {
		l7.RawSetString(b.app.Registry.Protocol(p).Name, glua.LNumber(n))
	}
	t := L.NewTable()
	t.RawSetString("l4", l4)
	t.RawSetString("l7", l7)
	L.Push(t)
	return 1
}

// optString/optInt read members of an options table.
func optString(t *glua.LTable, k string) string {
	if t == nil {
		return ""
	}
	v := t.RawGetString(k)
	if v == glua.LNil {
		return ""
	}
	return glua.LVAsString(v)
}

func optInt(t *glua.LTable, k string, def int) int {
	s := strings.TrimSpace(optString(t, k))
	if s == "" {
		return def
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return int(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int(f)
	}
	return def
}
