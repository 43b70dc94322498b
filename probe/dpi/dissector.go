package dpi

import "net/netip"

// A dissector recognises one protocol (or a small family) from payload.
// The engine calls every dissector that still may match a flow, one
// payload packet at a time, until one of them classifies the flow. A
// dissector that sees the flow is not its protocol says so (notMine) and is
// not called again for that flow, which keeps the per-packet cost small:
// after the first payload packet or two, most flows have only a handful of
// candidates left.

// verdict is a dissector's answer for one packet.
type verdict uint8

const (
	// needMore: the payload may still be this protocol; call again with
	// the next payload packet.
	needMore verdict = iota
	// notMine: the flow is not this protocol; never call again for it.
	notMine
	// matched: the dissector classified the flow (with ctx.set*) and needs
	// no more packets.
	matched
	// matchedMore: the dissector classified the flow but wants to see more
	// packets to extract metadata (an HTTP response, a TLS certificate, an
	// SSH server banner). Only this dissector is called from now on, until
	// it answers matched or the metadata budget is spent.
	matchedMore
)

// l4Mask says which transports a dissector looks at.
type l4Mask uint8

const (
	onTCP  l4Mask = 1
	onUDP  l4Mask = 2
	onBoth        = onTCP | onUDP
)

// dissector describes one payload dissector.
type dissector struct {
	name string // protocol family, for tests and docs
	l4   l4Mask
	// ports are tried first when the flow uses one of them (either side),
	// so that the likely dissector gets the first look. They are a hint
	// only: every dissector still sees flows on any port.
	tcpPorts, udpPorts []uint16
	run                func(c *ctx) verdict
}

// ctx is what a dissector sees of the packet being inspected.
type ctx struct {
	e  *Engine
	st *State
	d  *regData
	p  *Packet // &pkt
	// pkt is the engine's copy of the packet being inspected.
	pkt Packet
	// payload is the packet's L4 payload (never empty).
	payload []byte
	// dir is the direction of this packet relative to the flow's client.
	dir Direction
	// cliPort and srvPort are the flow's ports (client and server side).
	cliPort, srvPort uint16
	l4               uint8
	// idx is the index of the running dissector (for scratch).
	idx uint8
}

// fromClient reports whether the packet goes from client to server.
func (c *ctx) fromClient() bool { return c.dir == ClientToServer }

// pkts is the number of payload packets of the flow inspected so far,
// this one included.
func (c *ctx) pkts() int { return int(c.st.pkts) }

// dirPkts is the number of payload packets inspected so far in the
// direction of this packet, this one included.
func (c *ctx) dirPkts() int { return int(c.st.dirPkts[c.dir]) }

// nowUnix is the packet's capture time in Unix seconds (0 when unknown).
func (c *ctx) nowUnix() int64 { return c.p.TimeUs / 1e6 }

// hasPort reports whether either side of the flow uses port p.
func (c *ctx) hasPort(p uint16) bool { return c.cliPort == p || c.srvPort == p }

// serverAddr and clientAddr are the flow's addresses.
func (c *ctx) serverAddr() netip.Addr {
	if c.dir == ClientToServer {
		return c.p.Dst
	}
	return c.p.Src
}

func (c *ctx) clientAddr() netip.Addr {
	if c.dir == ClientToServer {
		return c.p.Src
	}
	return c.p.Dst
}

// ipService is the service of the flow's addresses from the address-range
// table (server side first), or ProtoUnknown.
func (c *ctx) ipService() ProtoID { return c.st.ipProto }

// set classifies the flow as a single protocol ("SSH") with DPI confidence.
func (c *ctx) set(app ProtoID) { c.setPair(ProtoUnknown, app) }

// setPair classifies the flow as master.app ("TLS.YouTube"). An app equal
// to the master, or Unknown, stores the lone protocol.
func (c *ctx) setPair(master, app ProtoID) {
	if app == ProtoUnknown || app == master {
		master, app = ProtoUnknown, master
	}
	c.e.set(c.st, master, app, ConfidenceDPI)
}

// setByName classifies the flow as master carrying the service that name
// (a server name from SNI, Host or a DNS query) belongs to, or as the lone
// master when the name matches no service. The name is recorded as the
// flow's server name. It reports whether the name matched a service.
func (c *ctx) setByName(master ProtoID, name string) bool {
	return c.setName(master, name, false)
}

// setByNameOrAddr is setByName, except that without a matching service the
// service of the flow's addresses is used, as nDPI does for QUIC and the
// TLS forms of mail protocols (not for HTTP or DNS).
func (c *ctx) setByNameOrAddr(master ProtoID, name string) bool {
	return c.setName(master, name, true)
}

func (c *ctx) setName(master ProtoID, name string, addrFallback bool) bool {
	if name != "" {
		c.st.ServerName = name
	}
	app := ProtoUnknown
	var cat CategoryID
	if name != "" {
		app, cat = c.e.classifyName(c.d, name)
		if master != ProtoDNS {
			nameRisks(c, name)
		}
	}
	byName := app != ProtoUnknown
	if !byName && addrFallback {
		app = c.st.ipProto
	}
	c.setPair(master, app)
	if cat != 0 {
		c.st.Result.Category = cat
	}
	return byName
}

// nameRisks flags the risks of a server name (SNI, Host): an address
// instead of a name, or a generated-looking name.
func nameRisks(c *ctx, name string) {
	if isNumericHost(name) {
		c.risk(RiskNumericIPHost)
	} else if looksGenerated(name) {
		c.risk(RiskSuspiciousDGADomain)
	}
}

// risk flags a flow risk.
func (c *ctx) risk(r RiskID) { c.st.Risks.Set(r) }

// info returns the flow's metadata record, allocating it on first use.
func (c *ctx) info() *Info { return c.st.info() }

// scratch returns a word of per-flow state private to the running
// dissector, zero the first time. Dissectors that must remember something
// between packets (a counter, a sequence number, a seen-direction bit) keep
// it here; it is allocated only for flows that need it.
func (c *ctx) scratch() *uint64 {
	for i := range c.st.scratch {
		if c.st.scratch[i].idx == c.idx {
			return &c.st.scratch[i].v
		}
	}
	c.st.scratch = append(c.st.scratch, scratchWord{idx: c.idx})
	return &c.st.scratch[len(c.st.scratch)-1].v
}

// peekScratch reads the running dissector's scratch word without
// allocating it (0 when it was never written).
func (c *ctx) peekScratch() uint64 {
	for _, w := range c.st.scratch {
		if w.idx == c.idx {
			return w.v
		}
	}
	return 0
}

type scratchWord struct {
	idx uint8
	v   uint64
}

// dissectorSet is the ordered list of dissectors and the per-port hints,
// built once.
type dissectorSet struct {
	all []dissector
	// byL4[0] lists the TCP dissectors, byL4[1] the UDP ones, in priority
	// order.
	byL4 [2][]uint8
	// hints maps a port to the dissectors that name it, per transport.
	hints [2]map[uint16][]uint8
}

// maxDissectors bounds the dissector count to the per-flow exclusion bitmap.
const maxDissectors = 64 * len(State{}.excluded)

// builtinDissectors lists the dissectors in priority order: when two could
// match the same payload, the earlier one wins. Families with strict
// signatures come first; heuristic ones (RTP, generic games) last.
func builtinDissectors() []dissector {
	var all []dissector
	for _, fam := range [][]dissector{
		dnsDissectors,
		httpDissectors,
		tlsDissectors,
		quicDissectors,
		appDissectors,
		netDissectors,
		voipDissectors,
		p2pDissectors,
		gameDissectors,
	} {
		all = append(all, fam...)
	}
	return all
}

func newDissectorSet(list []dissector) *dissectorSet {
	if len(list) > maxDissectors {
		panic("dpi: too many dissectors for the exclusion bitmap")
	}
	s := &dissectorSet{all: list}
	for t := range s.hints {
		s.hints[t] = make(map[uint16][]uint8)
	}
	for i, d := range list {
		if d.l4&onTCP != 0 {
			s.byL4[0] = append(s.byL4[0], uint8(i))
			for _, p := range d.tcpPorts {
				s.hints[0][p] = append(s.hints[0][p], uint8(i))
			}
		}
		if d.l4&onUDP != 0 {
			s.byL4[1] = append(s.byL4[1], uint8(i))
			for _, p := range d.udpPorts {
				s.hints[1][p] = append(s.hints[1][p], uint8(i))
			}
		}
	}
	return s
}

// bitset is the per-flow set of excluded dissectors.
type bitset [2]uint64

func (b *bitset) has(i uint8) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b *bitset) add(i uint8)      { b[i>>6] |= 1 << (i & 63) }
