package alerts

import (
	"net/netip"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

// FlowView is a copy of one flow, taken by the capture goroutine under the
// flow's lock and handed to the check engine. Checks (built-in and Lua)
// read only views, so they never touch the live tables and never hold a
// lock of the packet path.
type FlowView struct {
	IfID   int
	Key    uint32 // REST "key"
	HashID uint32 // REST "hash_id"

	CliIP, SrvIP     netip.Addr
	CliPort, SrvPort uint16
	VLAN             uint16
	L4Proto          uint8
	Cli, Srv         Peer
	// DstBroadcastMAC is set when the flow's frames go to ff:ff:ff:ff:ff:ff.
	DstBroadcastMAC bool

	C2S, S2C Direction
	// FirstSeen and LastSeen are unix seconds of the reference clock.
	FirstSeen, LastSeen int64

	// Layer 7: nDPI ids, the "Master.App" name, category and confidence.
	Master, App  dpi.ProtoID
	ProtoName    string
	Category     dpi.CategoryID
	CategoryName string
	Confidence   string
	// DetectionDone is set once the engine needs no more payload.
	DetectionDone bool
	Risks         dpi.Risks

	ServerName    string // HTTP Host, TLS SNI or DNS query name
	DNSQueryType  uint16
	HTTPMethod    string
	HTTPStatus    uint16
	HTTPUserAgent string
	// Info is a private copy of the extracted metadata (nil when none).
	Info *dpi.Info

	// ThreeWayHandshake is set when SYN, SYN+ACK and ACK were all seen.
	ThreeWayHandshake bool
	// Sampled is set for flows of sampled traffic (never, for now: captures
	// see every packet).
	Sampled bool
}

// Peer is what a flow view knows of one of its hosts.
type Peer struct {
	Local, Multicast, Broadcast bool
	Network                     int // local network id, -1 when none
	Pool                        int
	Country                     string
	Name                        string
}

// Direction is one direction of a flow (client to server or back).
type Direction struct {
	Packets, Bytes, Goodput uint64
	TCPFlags                uint8
	Retransmissions         uint32
	OutOfOrder              uint32
	Lost                    uint32
}

// Bytes is the total of both directions.
func (v *FlowView) Bytes() uint64 { return v.C2S.Bytes + v.S2C.Bytes }

// Oneway reports whether only one side sent packets.
func (v *FlowView) Oneway() bool { return v.C2S.Packets == 0 || v.S2C.Packets == 0 }

// Unicast reports whether neither peer is a multicast or broadcast address.
func (v *FlowView) Unicast() bool {
	return !v.Cli.Multicast && !v.Cli.Broadcast && !v.Srv.Multicast && !v.Srv.Broadcast && !v.DstBroadcastMAC
}

// Direction names the flow's locality the way ntopng's Lua checks see it:
// local2local, local2remote, remote2local or remote2remote.
func (v *FlowView) DirectionName() string {
	switch {
	case v.Cli.Local && v.Srv.Local:
		return "local2local"
	case v.Cli.Local:
		return "local2remote"
	case v.Srv.Local:
		return "remote2local"
	}
	return "remote2remote"
}

// HostView is a copy of one host for host checks, taken under the host's
// lock once per check period.
type HostView struct {
	IfID int
	IP   netip.Addr
	VLAN uint16
	MAC  string
	Name string

	Local, Multicast, Broadcast, Blacklisted bool
	Network                                  int // -1 when none
	Pool                                     int
	Country                                  string

	BytesSent, BytesRcvd     uint64
	PacketsSent, PacketsRcvd uint64
	ScoreAsCli, ScoreAsSrv   int
	ActiveFlowsAsCli         uint32
	ActiveFlowsAsSrv         uint32
	// L7 is the per-application traffic (nDPI name → counters).
	L7 []L7Stat
}

// L7Stat is one application's traffic of a host.
type L7Stat struct {
	Name                 string
	BytesSent, BytesRcvd uint64
	Duration             uint32
}

// Raised is one alert a check raised on a flow or a host.
type Raised struct {
	// Subdir and Check name the check (e.g. "flow", "custom_lua_script").
	Subdir, Check string
	// Type is the alert type key in the family of the entity (flow alerts
	// for flows, host alerts for hosts).
	Type int
	// Score is the alert's score; 0 means the default of its severity.
	Score int
	// Message is the human description (plain text).
	Message string
	// CliAttacker/SrvVictim and friends say who the alert blames (flows).
	CliAttacker, CliVictim, SrvAttacker, SrvVictim bool
	// Params are type-specific values stored in the alert's json column.
	Params map[string]any
}

// InterfaceView is a copy of an interface's counters for interface checks.
type InterfaceView struct {
	IfID          int
	Name          string
	Packets       uint64
	Bytes         uint64
	Drops         uint64
	ThroughputBps float64
	ThroughputPps float64
	NumFlows      int
	NumHosts      int
}
