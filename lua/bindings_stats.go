package lua

import (
	"context"
	"io/fs"
	"net"
	"path/filepath"
	"strconv"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// getStatsExtra returns what the statistics endpoints need beyond
// getStats: ARP bytes, per-category and per-DSCP-class counters.
func (b *binder) getStatsExtra(L *glua.LState) int {
	c := b.iface().Counters()
	t := L.NewTable()
	setU(t, "arp_bytes", c.ARPBytes)
	t.RawSetString("ndpi_categories", categoriesTable(L, b.app.Registry, c.Categories))
	t.RawSetString("dscp", dscpTable(L, c.DSCP))
	L.Push(t)
	return 1
}

// categoriesTable is the ndpi_categories member of host and interface
// records: {name = {category, bytes, bytes.sent, bytes.rcvd, duration}}.
func categoriesTable(L *glua.LState, reg *dpi.Registry, m map[dpi.CategoryID]*probe.ActivityCounter) *glua.LTable {
	t := L.NewTable()
	for id, ac := range m {
		e := L.NewTable()
		setNum(e, "category", float64(id))
		setU(e, "bytes", ac.BytesSent+ac.BytesRcvd)
		setU(e, "bytes.sent", ac.BytesSent)
		setU(e, "bytes.rcvd", ac.BytesRcvd)
		setNum(e, "duration", float64(ac.Duration))
		t.RawSetString(reg.CategoryName(id), e)
	}
	return t
}

// dscpTable is the dscp member: {class = {bytes.sent, bytes.rcvd,
// packets.sent, packets.rcvd}}.
func dscpTable(L *glua.LState, m map[string]*probe.TrafficCounter) *glua.LTable {
	t := L.NewTable()
	for class, c := range m {
		e := L.NewTable()
		trafficPair(e, "", *c, false)
		t.RawSetString(class, e)
	}
	return t
}

// getAddresses lists the addresses of the capture device as
// "address/prefix", in the order the OS reports them; none for files.
func (b *binder) getAddresses(L *glua.LState) int {
	t := L.NewTable()
	ifc := b.iface()
	if !ifc.IsFile() {
		if dev, err := net.InterfaceByName(ifc.Name()); err == nil {
			if addrs, err := dev.Addrs(); err == nil {
				for _, a := range addrs {
					if n, ok := a.(*net.IPNet); ok {
						ones, _ := n.Mask.Size()
						t.Append(glua.LString(n.IP.String() + "/" + strconv.Itoa(ones)))
					}
				}
			}
		}
	}
	L.Push(t)
	return 1
}

// getBcastDomains returns {["net/len"] = {hits=, ghost_network=}}.
func (b *binder) getBcastDomains(L *glua.LState) int {
	t := L.NewTable()
	for _, d := range b.iface().BcastDomains() {
		e := L.NewTable()
		setU(e, "hits", d.Hits)
		// Ghost networks are only meaningful on live, non-mirror
		// interfaces whose own networks are known; not computed yet
		// (always false, as the reference for file inputs).
		setBool(e, "ghost_network", false)
		t.RawSetString(d.Prefix.String(), e)
	}
	L.Push(t)
	return 1
}

// getTopTalkers returns the hosts (local or remote) with their traffic since
// the last minute checkpoint, largest first.
func (b *binder) getTopTalkers(L *glua.LState) int {
	local := L.CheckBool(1)
	ifc := b.iface()
	list := L.NewTable()
	top, rest := ifc.TopTalkers(local, b.visible())
	for _, h := range top {
		e := L.NewTable()
		setStr(e, "ip", h.Key.IP.String())
		setStr(e, "key", h.Key.String())
		setStr(e, "name", h.Name)
		setU(e, "value", h.Value)
		setBool(e, "local", h.Local)
		list.Append(e)
	}
	L.Push(list)
	L.Push(glua.LNumber(rest))
	return 2
}

// setHostAlias stores (or with "" deletes) the alias of a host; it returns
// true, or false and an error text.
func (b *binder) setHostAlias(L *glua.LState) int {
	host, alias := L.CheckString(1), L.CheckString(2)
	if !b.req().Admin {
		L.Push(glua.LFalse)
		L.Push(glua.LString("not granted"))
		return 2
	}
	if b.app.SetHostAlias == nil {
		L.Push(glua.LFalse)
		L.Push(glua.LString("aliases are not available"))
		return 2
	}
	if err := b.app.SetHostAlias(context.Background(), host, alias); err != nil {
		L.Push(glua.LFalse)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

// getStorageStats measures the data directory: the bytes used per
// interface folder (named by ifid), the rest, the total, and the volume.
func (b *binder) getStorageStats(L *glua.LState) int {
	dir := b.app.DataDir
	if dir == "" {
		L.Push(glua.LNil)
		return 1
	}
	t := L.NewTable()
	ifaces := L.NewTable()
	var perIface uint64
	for _, ifc := range b.app.Interfaces {
		id := strconv.Itoa(ifc.ID())
		n := dirSize(filepath.Join(dir, id))
		perIface += n
		e := L.NewTable()
		setU(e, "total", n)
		setStr(e, "name", ifc.Name())
		ifaces.RawSetString(id, e)
	}
	total := dirSize(dir)
	setU(t, "total", total)
	setU(t, "pcap_total", 0)
	t.RawSetString("interfaces", ifaces)
	if size, free, dev, ok := volumeOf(dir); ok {
		setU(t, "volume_size", size)
		setStr(t, "volume_dev", dev)
		// other: what the rest of the volume uses.
		used := size - free
		if used > total {
			setU(t, "other", used-total)
		} else {
			setU(t, "other", 0)
		}
	}
	L.Push(t)
	return 1
}

// dirSize sums the sizes of the regular files under dir (0 if missing).
func dirSize(dir string) uint64 {
	var n uint64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += uint64(info.Size())
			}
		}
		return nil
	})
	return n
}

// getHostKeys lists the keys ("ip" or "ip@vlan") of the hosts in memory.
func (b *binder) getHostKeys(L *glua.LState) int {
	t := L.NewTable()
	for _, k := range b.iface().HostKeys(b.visible()) {
		t.Append(glua.LString(k.String()))
	}
	L.Push(t)
	return 1
}

// ndpiTable is the ndpi member of host and interface records: per stats
// protocol name, {breed, bytes.sent, bytes.rcvd, packets.sent,
// packets.rcvd, duration, num_flows}.
func (b *binder) ndpiTable(L *glua.LState, m map[dpi.ProtoID]*probe.ActivityCounter) *glua.LTable {
	t := L.NewTable()
	for id, ac := range m {
		p := b.app.Registry.Protocol(id)
		e := L.NewTable()
		setStr(e, "breed", p.Breed.String())
		trafficPair(e, "", ac.TrafficCounter, false)
		setNum(e, "duration", float64(ac.Duration))
		setNum(e, "num_flows", float64(ac.NumFlows))
		t.RawSetString(p.Name, e)
	}
	return t
}
