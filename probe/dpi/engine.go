package dpi

// A first classifier: DNS/mDNS/LLMNR, HTTP and TLS payload dissectors, SSH
// and QUIC signatures, server-name matching, custom protocol rules and a
// well-known port guess.
// A complete nDPI-like engine can replace it behind the Classifier
// interface; State is the per-flow seam both share.

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

	pkts    uint8   // payload packets inspected
	flags   uint8   // flag* bits
	ipGuess ProtoID // built-in protocol of a custom ip rule, used as a fallback
}

const (
	flagStarted  = 1 << iota // first-packet checks done
	flagDNSSeen              // a DNS message was parsed
	flagHTTPReq              // an HTTP request was parsed
	flagHTTPResp             // an HTTP response was parsed
	flagTLSHello             // a ClientHello was parsed
)

// maxPayloadPackets is the number of payload packets inspected before the
// engine gives up and falls back to the port guess.
const maxPayloadPackets = 8

const protoHTTPConnect ProtoID = 130

// Engine is the classifier. It is safe for concurrent use by several
// capture goroutines (each flow's State must be used by one at a time).
type Engine struct {
	reg     *Registry
	learner Learner
}

var _ Classifier = (*Engine)(nil)

// NewEngine returns an engine using reg (for custom protocols and
// categories). learner receives names learned from DNS and mDNS answers; it
// may be nil.
func NewEngine(reg *Registry, learner Learner) *Engine {
	return &Engine{reg: reg, learner: learner}
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
	cli, srv := p.SrcPort, p.DstPort
	if p.Dir == ServerToClient {
		cli, srv = srv, cli
	}
	switch p.L4Proto {
	case 17:
		switch {
		case srv == 53 || cli == 53:
			e.inspectDNS(st, p, d, ProtoDNS)
		case srv == 5353 || cli == 5353:
			e.inspectDNS(st, p, d, ProtoMDNS)
		case srv == 5355 || cli == 5355:
			e.inspectDNS(st, p, d, protoLLMNR)
		default:
			e.inspectSignature(st, p)
		}
	case 6:
		switch {
		case srv == 53 || cli == 53:
			e.inspectDNS(st, p, d, ProtoDNS)
		case st.flags&(flagHTTPReq|flagHTTPResp) != 0:
			e.inspectHTTP(st, p, d)
		case e.inspectTLS(st, p, d), e.inspectSignature(st, p):
		default:
			e.inspectHTTP(st, p, d)
		}
	}
	if !st.Done && st.pkts >= maxPayloadPackets {
		e.giveUp(st, d, p.L4Proto, cli, srv)
	}
}

const protoLLMNR ProtoID = 154

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
		st.ipGuess = id
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
	if st.Result.Master != ProtoUnknown || st.Result.App != ProtoUnknown {
		return
	}
	if id, conf := guess(d, l4, cli, srv, st.ipGuess); id != ProtoUnknown {
		e.set(st, ProtoUnknown, id, conf)
	}
}

// guess is the fallback classification of an unmatched flow.
func guess(d *regData, l4 uint8, cli, srv uint16, ipGuess ProtoID) (ProtoID, Confidence) {
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
	if ipGuess != ProtoUnknown {
		return ipGuess, ConfidenceMatchByIP
	}
	if id := guessByPort(l4, cli, srv); id != ProtoUnknown {
		return id, ConfidenceMatchByPort
	}
	return ProtoUnknown, ConfidenceUnknown
}

// set stores a classification and its category.
func (e *Engine) set(st *State, master, app ProtoID, conf Confidence) {
	st.Result = Result{Master: master, App: app, Confidence: conf}
	st.Result.Category = e.reg.CategoryOf(st.Result)
}

// classifyName maps a lower-case server name to a service: custom host
// rules first, then the built-in table.
func (e *Engine) classifyName(d *regData, name string) (ProtoID, bool) {
	if id, ok := d.matchHost(name); ok {
		return id, true
	}
	return matchHostTable(name)
}
