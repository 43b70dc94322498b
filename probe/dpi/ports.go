package dpi

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Well-known ports, from ports.tsv: nDPI's default TCP/UDP ports per
// protocol. They guess the protocol of flows the payload dissectors could
// not classify (confidence ConfidenceMatchByPort), and tell whether a
// protocol runs on one of its usual ports.

//go:embed ports.tsv
var portsTSV []byte

// portTables is ports.tsv loaded: the guess per port (the last protocol
// listing a port wins) and the port lists per protocol.
type portTables struct {
	tcp, udp map[uint16]ProtoID
	byProto  map[ProtoID][2][]uint16 // TCP, UDP
}

var builtinPorts struct {
	once sync.Once
	t    *portTables
}

func loadedPorts() *portTables {
	builtinPorts.once.Do(func() {
		builtinPorts.t = mustParse(parsePorts(portsTSV))
	})
	return builtinPorts.t
}

// parsePorts reads ports.tsv: protocol name, TCP ports, UDP ports, the
// ports comma-separated, "a-b" for a range and "-" for none.
func parsePorts(data []byte) (*portTables, error) {
	loadBuiltin()
	byName := make(map[string]ProtoID, len(builtin.protos))
	for _, p := range builtin.protos {
		byName[strings.ToLower(p.Name)] = p.ID
	}
	t := &portTables{
		tcp:     make(map[uint16]ProtoID),
		udp:     make(map[uint16]ProtoID),
		byProto: make(map[ProtoID][2][]uint16),
	}
	err := tsvLines(data, func(line int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("ports line %d: want name, TCP ports, UDP ports", line)
		}
		id, ok := byName[strings.ToLower(f[0])]
		if !ok || id == ProtoUnknown {
			return fmt.Errorf("ports line %d: unknown protocol %q", line, f[0])
		}
		if _, dup := t.byProto[id]; dup {
			return fmt.Errorf("ports line %d: %s listed twice", line, f[0])
		}
		var lists [2][]uint16
		for i, m := range []map[uint16]ProtoID{t.tcp, t.udp} {
			ports, err := parsePortList(f[1+i])
			if err != nil {
				return fmt.Errorf("ports line %d: %v", line, err)
			}
			for _, p := range ports {
				m[p] = id
			}
			lists[i] = ports
		}
		t.byProto[id] = lists
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// parsePortList parses "80,8080,6000-6003" or "-".
func parsePortList(s string) ([]uint16, error) {
	if s == "-" {
		return nil, nil
	}
	var out []uint16
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil || a == 0 {
			return nil, fmt.Errorf("bad port %q", item)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
				return nil, fmt.Errorf("bad port range %q", item)
			}
		}
		for p := a; p <= b; p++ {
			out = append(out, uint16(p))
		}
	}
	return out, nil
}

// ipProtocols classifies flows that are neither TCP nor UDP by their IP
// protocol number, as nDPI does.
var ipProtocols = map[uint8]ProtoID{
	1:   81,  // ICMP
	2:   82,  // IGMP
	4:   86,  // IP_in_IP
	8:   83,  // EGP
	47:  80,  // GRE
	50:  79,  // ESP -> IPSec
	51:  79,  // AH -> IPSec
	58:  102, // ICMPV6
	89:  85,  // OSPF
	103: 297, // IP_PIM
	112: 73,  // VRRP
	113: 296, // PGM
	132: 84,  // SCTP
}

// guessByPort returns the well-known protocol of a TCP/UDP flow. Like
// nDPI, it tries the lower of the two ports first (usually the server's),
// then the other.
func guessByPort(l4 uint8, cliPort, srvPort uint16) ProtoID {
	var t map[uint16]ProtoID
	switch l4 {
	case 6:
		t = loadedPorts().tcp
	case 17:
		t = loadedPorts().udp
	default:
		return ProtoUnknown
	}
	lo, hi := cliPort, srvPort
	if hi < lo {
		lo, hi = hi, lo
	}
	if id, ok := t[lo]; ok && lo != 0 {
		return id
	}
	if id, ok := t[hi]; ok && hi != 0 {
		return id
	}
	return ProtoUnknown
}

// defaultPorts returns the usual TCP and UDP ports of a protocol (nil when
// it has none), for the "known protocol on a non-standard port" risk. The
// slices are shared: callers must not modify them.
func defaultPorts(id ProtoID) (tcp, udp []uint16) {
	l := loadedPorts().byProto[id]
	return l[0], l[1]
}
