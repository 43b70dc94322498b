package dpi

import "sync"

// The engine: per flow, custom rules and the address table on the first
// packet, then the payload dissectors (dissector.go) packet by packet until
// one classifies the flow or the budget is spent, then a guess from the
// ports or the addresses. State is the per-flow seam with the flow table.

// Classifier is what the flow code needs from a classification engine.
type Classifier interface {
	// Inspect looks at one packet of a flow; it is called for every packet
	// until st.Done.
	Inspect(st *State, p *Packet)
	// Finalize is called once when the flow ends (or the capture ends).
	Finalize(st *State, l4 uint8, cliPort, srvPort uint16)
}

// State is the classification state of one flow, embedded by value in the
// flow. The zero value is ready to use.
type State struct {
	// Result is the classification so far. By nDPI's convention a single
	// protocol is reported as the app with an Unknown master ("TLS"); a
	// service carried by a protocol sets both ("TLS.Facebook").
	Result Result
	// Done is set when no more payload is needed.
	Done bool

	ServerName    string // HTTP Host without port, TLS SNI, DNS query name (lower-case)
	DNSQueryType  uint16 // type of the first question of the first DNS message
	HTTPMethod    string // request method ("GET")
	HTTPStatus    uint16 // response status code
	HTTPUserAgent string

	// Risks are the flow risks found so far.
	Risks Risks
	// Info holds the extracted metadata (nil when there is none).
	Info *Info

	excluded bitset        // dissectors that ruled the flow out
	scratch  []scratchWord // per-dissector words (see ctx.scratch)
	pkts     uint8         // payload packets inspected
	dirPkts  [2]uint8      // the same, per direction
	flags    uint8         // flag* bits
	follow   uint8         // 1 + index of the dissector extracting metadata
	ipProto  ProtoID       // service of the flow's addresses (IP table or custom ip rule)
	dnsProto ProtoID       // service of the name a DNS answer gave the server's address
}

const (
	flagStarted  = 1 << iota // first-packet checks done
	flagDNSSeen              // a DNS message was parsed
	flagHTTPReq              // an HTTP request was parsed
	flagHTTPResp             // an HTTP response was parsed
	flagTLSHello             // a ClientHello was parsed
	flagCustomIP             // ipProto comes from a custom ip rule
)

// Packet budgets: a flow is given up (and guessed from its ports) after
// maxPayloadPackets payload packets without a classification; a classified
// flow whose dissector wants metadata gets at most maxMetaPackets more.
const (
	maxPayloadPackets = 24
	maxMetaPackets    = 32
)

const (
	protoHTTPProxy   ProtoID = 131
	protoHTTPConnect ProtoID = 130
	protoLLMNR       ProtoID = 154
)

// Engine is the classifier of one interface. It is not safe for
// concurrent use: the packet path of an interface has a single writer, and
// the engine reuses one dissector context across packets so that
// inspecting a packet does not allocate.
type Engine struct {
	reg     *Registry
	learner Learner
	diss    *dissectorSet
	c       ctx
	tinc    tincPeerCache // Tinc meta connections awaiting their UDP tunnel
	stun    stunCache     // call endpoints learned from STUN
}

var _ Classifier = (*Engine)(nil)

// builtinSet is the dissector set shared by every engine.
var builtinSet = sync.OnceValue(func() *dissectorSet { return newDissectorSet(builtinDissectors()) })

// NewEngine returns an engine using reg (for custom protocols and
// categories). learner receives names learned from DNS and mDNS answers; it
// may be nil.
func NewEngine(reg *Registry, learner Learner) *Engine {
	return &Engine{reg: reg, learner: learner, diss: builtinSet()}
}

// Registry is the registry the engine classifies with.
func (e *Engine) Registry() *Registry { return e.reg }

// Inspect classifies with one packet of the flow.
func (e *Engine) Inspect(st *State, p *Packet) {
	if st.Done {
		return
	}
	d := e.reg.snap()
	if st.flags&flagStarted == 0 {
		st.flags |= flagStarted
		if e.firstPacket(st, p, d) {
			return
		}
	}
	if len(p.Payload) == 0 {
		return
	}
	if st.pkts < 255 {
		st.pkts++
	}
	if st.dirPkts[p.Dir&1] < 255 {
		st.dirPkts[p.Dir&1]++
	}
	// The context (and a copy of the packet) lives in the engine, so that
	// neither escapes to the heap on every packet.
	c := &e.c
	*c = ctx{e: e, st: st, d: d, pkt: *p, payload: p.Payload, dir: p.Dir & 1, l4: p.L4Proto}
	c.p = &c.pkt
	c.cliPort, c.srvPort = p.SrcPort, p.DstPort
	if c.dir == ServerToClient {
		c.cliPort, c.srvPort = c.srvPort, c.cliPort
	}
	defer func() { c.st, c.payload, c.pkt.Payload = nil, nil, nil }()
	if st.follow != 0 {
		e.runFollow(c)
		return
	}
	t := 0
	switch p.L4Proto {
	case 6:
	case 17:
		t = 1
	default:
		return
	}
	var tried bitset
	if e.runHinted(c, t, c.srvPort, &tried) || (c.cliPort != c.srvPort && e.runHinted(c, t, c.cliPort, &tried)) {
		return
	}
	left := false
	for _, i := range e.diss.byL4[t] {
		if st.excluded.has(i) {
			continue
		}
		if tried.has(i) {
			left = true // a hinted dissector that may still match
			continue
		}
		if e.runOne(c, i) {
			return
		}
		if !st.excluded.has(i) {
			left = true
		}
	}
	if !left || st.pkts >= maxPayloadPackets {
		// Every dissector ruled the flow out, or the budget is spent.
		e.giveUp(st, d, p.L4Proto, c.cliPort, c.srvPort)
	}
}

// runHinted runs the dissectors that name port as theirs. It reports
// whether the flow got classified.
func (e *Engine) runHinted(c *ctx, t int, port uint16, tried *bitset) bool {
	for _, i := range e.diss.hints[t][port] {
		if c.st.excluded.has(i) || tried.has(i) {
			continue
		}
		tried.add(i)
		if e.runOne(c, i) {
			return true
		}
	}
	return false
}

// runOne runs dissector i and applies its verdict. It reports whether the
// flow got classified.
func (e *Engine) runOne(c *ctx, i uint8) bool {
	c.idx = i
	switch e.diss.all[i].run(c) {
	case notMine:
		c.st.excluded.add(i)
	case matched:
		c.st.Done = true
		c.st.scratch = nil
		checkPorts(c)
		return true
	case matchedMore:
		c.st.follow = i + 1
		c.st.pkts = 0 // the metadata budget starts now
		checkPorts(c)
		return true
	}
	return false
}

// checkPorts flags a protocol found by its payload on ports that are not
// its own (nDPI's "known protocol on non-standard port"): the carrier
// protocol (TLS of TLS.YouTube) is checked, against its default ports for
// the flow's transport, and so are the ports of the service it carries
// (DoT on 853); protocols without default ports are not checked.
func checkPorts(c *ctx) {
	res := c.st.Result
	if res.Confidence != ConfidenceDPI {
		return
	}
	id := res.Master
	if id == ProtoUnknown {
		id = res.App
	}
	if id == protoFTPData || id == protoSSDP || id == protoHTTPProxy || id == protoHTTPConnect {
		return // dynamic ports (data connections, unicast replies) or a proxy port
	}
	checked := false
	for _, p := range [2]ProtoID{id, res.App} {
		tcp, udp := defaultPorts(p)
		ports := tcp
		if c.l4 == 17 {
			ports = udp
		}
		for _, p := range ports {
			if p == c.srvPort || p == c.cliPort {
				return
			}
		}
		checked = checked || len(ports) > 0
	}
	if checked {
		c.risk(RiskKnownProtoNonStdPort)
	}
}

// runFollow gives one more packet to the dissector extracting metadata of
// a classified flow.
func (e *Engine) runFollow(c *ctx) {
	c.idx = c.st.follow - 1
	switch e.diss.all[c.idx].run(c) {
	case needMore, matchedMore:
		if c.st.pkts < maxMetaPackets {
			return
		}
	}
	c.st.Done = true
	c.st.follow = 0
	c.st.scratch = nil
	if c.st.Info != nil {
		c.st.Info.TLS.hs = nil
	}
}

// firstPacket applies the checks that need no payload: custom ip and port
// rules, which take precedence over everything (as in nDPI), and the
// IP-protocol classification of flows that are neither TCP nor UDP. It
// reports whether the flow is classified.
func (e *Engine) firstPacket(st *State, p *Packet, d *regData) bool {
	if id, ok := d.matchIP(p.Src, p.Dst, p.SrcPort, p.DstPort); ok {
		if d.protos[id].Custom {
			e.set(st, ProtoUnknown, id, ConfidenceCustomRule)
			st.Done = true
			return true
		}
		st.ipProto = id
		st.flags |= flagCustomIP
	}
	if nl, ok := e.learner.(NameLookup); ok {
		srv := p.Dst
		if p.Dir == ServerToClient {
			srv = p.Src
		}
		if name, ok := nl.ResolvedName(srv); ok {
			st.dnsProto, _ = e.classifyName(d, name)
		}
	}
	if st.ipProto == ProtoUnknown {
		// The server's address first: the client is usually a local host.
		srv, cli := p.Dst, p.Src
		if p.Dir == ServerToClient {
			srv, cli = cli, srv
		}
		if id := matchIPTable(srv); id != ProtoUnknown {
			st.ipProto = id
		} else {
			st.ipProto = matchIPTable(cli)
		}
	}
	switch p.L4Proto {
	case 6, 17:
		cli, srv := p.SrcPort, p.DstPort
		if p.Dir == ServerToClient {
			cli, srv = srv, cli
		}
		if id, ok := d.matchPort(p.L4Proto, srv, cli); ok && d.protos[id].Custom {
			e.set(st, ProtoUnknown, id, ConfidenceCustomRule)
			st.Done = true
			return true
		}
	default:
		if id, ok := ipProtocols[p.L4Proto]; ok {
			e.set(st, ProtoUnknown, id, ConfidenceMatchByIP)
			st.Done = true
			return true
		}
	}
	return false
}

// Finalize completes the classification when the flow ends: a flow the
// dissectors did not classify gets the protocol guessed from its ports (or
// stays Unknown).
func (e *Engine) Finalize(st *State, l4 uint8, cliPort, srvPort uint16) {
	if st.Done {
		return
	}
	e.giveUp(st, e.reg.snap(), l4, cliPort, srvPort)
}

// giveUp ends the inspection, guessing the protocol if nothing matched.
func (e *Engine) giveUp(st *State, d *regData, l4 uint8, cli, srv uint16) {
	st.Done = true
	st.follow = 0
	st.scratch = nil
	if st.Info != nil {
		st.Info.TLS.hs = nil // a handshake cut short: drop its buffers
	}
	if st.Result.Master != ProtoUnknown || st.Result.App != ProtoUnknown {
		return
	}
	if id, conf := guess(d, l4, cli, srv, st.ipProto, st.flags&flagCustomIP != 0); id != ProtoUnknown {
		e.set(st, ProtoUnknown, id, conf)
	} else if st.dnsProto != ProtoUnknown {
		e.set(st, ProtoUnknown, st.dnsProto, ConfidenceDNS)
	}
}

// guess is the fallback classification of an unmatched flow.
//
// The order is nDPI's: a custom port rule, the well-known ports, then the
// service of the addresses; a user's ip rule naming a built-in protocol
// comes before the ports, since the user stated it.
func guess(d *regData, l4 uint8, cli, srv uint16, ipGuess ProtoID, customIP bool) (ProtoID, Confidence) {
	if l4 != 6 && l4 != 17 {
		if id, ok := ipProtocols[l4]; ok {
			return id, ConfidenceMatchByIP
		}
	}
	if id, ok := d.matchPort(l4, srv, cli); ok {
		if d.protos[id].Custom {
			return id, ConfidenceCustomRule
		}
		return id, ConfidenceMatchByPort
	}
	if customIP && ipGuess != ProtoUnknown {
		return ipGuess, ConfidenceMatchByIP
	}
	if id := guessByPort(l4, cli, srv); id != ProtoUnknown {
		return id, ConfidenceMatchByPort
	}
	if ipGuess != ProtoUnknown {
		return ipGuess, ConfidenceMatchByIP
	}
	return ProtoUnknown, ConfidenceUnknown
}

// set stores a classification and its category.
//
// Like nDPI, a flow whose protocol is rated unsafe (clear-text logins:
// FTP, POP3, IMAP, Telnet, ...) gets the unsafe-protocol risk, however it
// was classified.
func (e *Engine) set(st *State, master, app ProtoID, conf Confidence) {
	st.Result = Result{Master: master, App: app, Confidence: conf}
	st.Result.Category = e.reg.CategoryOf(st.Result)
	for _, id := range [2]ProtoID{master, app} {
		if p := e.reg.Protocol(id); id != ProtoUnknown && p != nil && p.Breed == BreedUnsafe {
			st.Risks.Set(RiskUnsafeProtocol)
		}
	}
}

// classifyName maps a lower-case server name to a service and, for names
// listed only for their category (advertising, trackers), a category:
// custom host rules first, then the built-in table.
func (e *Engine) classifyName(d *regData, name string) (ProtoID, CategoryID) {
	if id, ok := d.matchHost(name); ok {
		return id, 0
	}
	return matchHostTable(name)
}
