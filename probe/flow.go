package probe

import (
	"net/netip"
	"strconv"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

// flowKey is the table key of a flow: VLAN, L4 protocol and the two
// endpoints in canonical order (lower endpoint first), plus the DNS
// transaction id or ICMP discriminator (spec A.9.1).
type flowKey struct {
	a, b   netip.Addr
	pa, pb uint16
	vlan   uint16
	proto  uint8
	extra  uint32
}

// DirCounters are the counters of one direction of a flow.
type DirCounters struct {
	Packets, Bytes uint64
	Goodput        uint64 // transport payload bytes
	TCPFlags       uint8  // OR of all flags seen
	TOS            uint8  // last TOS byte seen
	nextSeq        uint32
	seqValid       bool
	Retransmission uint32
	OutOfOrder     uint32
	Lost           uint32
}

// Flow is one conversation. Its fields are guarded by the lock of the flow
// table shard that holds it; only the capture goroutine writes them.
type Flow struct {
	key     flowKey
	KeyHash uint32 // REST "key"
	Serial  uint32 // REST "hash_id"

	CliIP, SrvIP     netip.Addr
	CliPort, SrvPort uint16
	VLAN             uint16
	L4Proto          uint8
	Cli, Srv         *Host
	dstBroadcastMAC  bool

	C2S, S2C DirCounters
	// pend holds per-packet host statistics per direction (0: sent by the
	// client) until the next visit credits them.
	pend [2]pendingPackets

	FirstSeenUs, LastSeenUs int64 // unix microseconds, reference clock

	DPI dpi.State
	// flowRisks are the risks found from the flow's counters rather than
	// its payload (unidirectional traffic).
	flowRisks dpi.Risks
	// scoreCredited is the client and server share of the flow score last
	// added to the hosts' scores.
	scoreCredited [2]int32
	// fpCredited is set once the client fingerprints went to the client host.
	fpCredited bool

	// Check engine state (checkhook.go): whether the protocolDetected
	// event was sent, when and at which packet count the last event was
	// queued; set by SetFlowAlerts: alerted and the client and server
	// shares of the scores of alerts not counted from risks.
	detectedSent bool
	lastCheckUs  int64
	checkedPkts  uint64
	alerted      bool
	alertScore   [2]int32

	// TCP handshake timing (unix microseconds; 0 when not seen).
	synUs, synAckUs, ackUs      int64
	firstCliPayloadUs           int64
	firstSrvPayloadUs           int64
	synC2S, synAckC2S, synS2C   bool
	swapRequested, swapDisabled bool
	detectionAccounted          bool
	unreachable                 uint8 // 1 port unreachable, 2 host unreachable

	// Periodic visit state: what has already been credited to hosts, per
	// direction (index 0 client->server).
	credited    [2]struct{ pkts, bytes uint64 }
	visited     bool
	lastVisitUs int64
	// queued and gone are owned by the capture goroutine: the flow is in
	// the interface's list of flows to visit / was purged.
	queued, gone bool
	ThptBps      float32
	ThptPps      float32
	thptBytes    uint64
	thptPkts     uint64
	thptTimeUs   int64
	idleDeadline int64
}

// Risks are the flow's risks, from the payload and from its counters.
func (f *Flow) Risks() dpi.Risks { return f.DPI.Risks | f.flowRisks }

// updateFlowRisks sets the risks that depend on the flow's counters: a
// unicast flow whose packets all go one way is unidirectional.
func (f *Flow) updateFlowRisks() {
	uni := (f.C2S.Packets == 0) != (f.S2C.Packets == 0) && f.L4Proto != 1 && f.L4Proto != 58 &&
		!f.SrvIP.IsMulticast() && f.SrvIP != broadcastV4 && !f.dstBroadcastMAC
	if uni {
		f.flowRisks.Set(dpi.RiskUnidirectionalTraffic)
	} else {
		f.flowRisks &^= 1 << dpi.RiskUnidirectionalTraffic
	}
}

// Bytes is the total of both directions.
func (f *Flow) Bytes() uint64 { return f.C2S.Bytes + f.S2C.Bytes }

// Packets is the total of both directions.
func (f *Flow) Packets() uint64 { return f.C2S.Packets + f.S2C.Packets }

// FirstSeen in unix seconds.
func (f *Flow) FirstSeen() int64 { return f.FirstSeenUs / 1e6 }

// LastSeen in unix seconds.
func (f *Flow) LastSeen() int64 { return f.LastSeenUs / 1e6 }

// swapDirection exchanges client and server, with everything that is
// per-direction (spec A.9.2, CUR-2024: counters stay with their labels,
// i.e. they move along with the endpoints).
func (f *Flow) swapDirection() {
	f.CliIP, f.SrvIP = f.SrvIP, f.CliIP
	f.CliPort, f.SrvPort = f.SrvPort, f.CliPort
	f.Cli, f.Srv = f.Srv, f.Cli
	f.C2S, f.S2C = f.S2C, f.C2S
	f.pend[0], f.pend[1] = f.pend[1], f.pend[0]
	f.credited[0], f.credited[1] = f.credited[1], f.credited[0]
	f.synC2S, f.synS2C = f.synS2C, f.synC2S
	f.swapRequested = false
}

// L4Name is the protocol name used in flow records (spec A.9.3).
func L4Name(p uint8) string {
	switch p {
	case 0:
		return "IP"
	case 1:
		return "ICMP"
	case 2:
		return "IGMP"
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	case 41:
		return "IPv6"
	case 46:
		return "RSVP"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	case 58:
		return "IPv6-ICMP"
	case 88:
		return "EIGRP"
	case 89:
		return "OSPF"
	case 103:
		return "PIM"
	case 112:
		return "VRRP"
	case 139:
		return "HIP"
	}
	return strconv.Itoa(int(p))
}
