package lua

import (
	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/probe"
)

// hostObject is the userdata behind interface.getHost: a handle (interface
// and host key) whose functions read the live host when called. A script
// that looks at a few members of many hosts pays for those members only,
// not for the 250-member record getHostInfo builds; this is the shape of
// the reference's `host` object of Lua checks (host.ip(), host.bytes(), …).
type hostObject struct {
	ifc *probe.Interface
	key probe.HostKey
}

const hostObjectType = "ntopng.host"

// hostMethods are the functions of a host object, called without self
// (host.ip(), as in the reference). Each reads the host anew; nil when the
// host has left memory meanwhile.
var hostMethods = map[string]func(L *glua.LState, h *probe.HostSummary) glua.LValue{
	"ip":       func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LString(h.Key.IP.String()) },
	"key":      func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LString(h.Key.String()) },
	"name":     func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LString(h.Name) },
	"vlan_id":  func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.Key.VLAN) },
	"is_local": func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LBool(h.Local) },
	"is_unicast": func(_ *glua.LState, h *probe.HostSummary) glua.LValue {
		return glua.LBool(!h.Multicast && !h.Broadcast)
	},
	"is_multicast": func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LBool(h.Multicast) },
	"is_broadcast": func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LBool(h.Broadcast) },
	"is_blacklisted": func(_ *glua.LState, h *probe.HostSummary) glua.LValue {
		return glua.LBool(h.Blacklisted)
	},
	"bytes_sent":   func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.BytesSent) },
	"bytes_rcvd":   func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.BytesRcvd) },
	"bytes":        func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.BytesSent + h.BytesRcvd) },
	"packets_sent": func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.PktsSent) },
	"packets_rcvd": func(_ *glua.LState, h *probe.HostSummary) glua.LValue { return glua.LNumber(h.PktsRcvd) },
	"score": func(_ *glua.LState, h *probe.HostSummary) glua.LValue {
		return glua.LNumber(h.ScoreAsCli + h.ScoreAsSrv)
	},
	"num_flows": func(_ *glua.LState, h *probe.HostSummary) glua.LValue {
		return glua.LNumber(h.ActiveAsCli + h.ActiveAsSrv)
	},
}

// registerHostObject installs the metatable of host objects in L.
func (b *binder) registerHostObject(L *glua.LState) {
	mt := L.NewTypeMetatable(hostObjectType)
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		ho, ok := L.CheckUserData(1).Value.(*hostObject)
		if !ok {
			L.ArgError(1, "host object expected")
		}
		name := L.CheckString(2)
		if name == "l7" {
			L.Push(L.NewFunction(func(L *glua.LState) int {
				d, ok := ho.ifc.HostDetail(ho.key)
				if !ok {
					L.Push(glua.LNil)
					return 1
				}
				L.Push(b.ndpiTable(L, d.NDPI))
				return 1
			}))
			return 1
		}
		m := hostMethods[name]
		if m == nil {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(L.NewFunction(func(L *glua.LState) int {
			h, ok := ho.ifc.HostSummaryOf(ho.key)
			if !ok {
				L.Push(glua.LNil)
				return 1
			}
			L.Push(m(L, &h))
			return 1
		}))
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *glua.LState) int {
		L.RaiseError("host objects are read-only")
		return 0
	}))
}

// getHost(host, vlan) returns a host object, or nil when the host is not in
// memory.
func (b *binder) getHost(L *glua.LState) int {
	k, ok := b.hostArg(L, 1)
	ifc := b.iface()
	if !ok || !ifc.HasHost(k) {
		L.Push(glua.LNil)
		return 1
	}
	ud := L.NewUserData()
	ud.Value = &hostObject{ifc: ifc, key: k}
	L.SetMetatable(ud, L.GetTypeMetatable(hostObjectType))
	L.Push(ud)
	return 1
}
