// Package dpi classifies flows at layer 7 with nDPI's protocol ids, names,
// categories and breeds. The registry is the single source of truth for
// those facts; the classifier fills a per-flow State.
package dpi

import "net/netip"

// ProtoID is an nDPI protocol id (CUR-2024 numbering).
type ProtoID uint16

// CategoryID is an nDPI category id.
type CategoryID uint16

// Well-known protocol ids used by the rest of the program.
const (
	ProtoUnknown ProtoID = 0
	ProtoPOP3    ProtoID = 2
	ProtoSMTP    ProtoID = 3
	ProtoIMAP    ProtoID = 4
	ProtoDNS     ProtoID = 5
	ProtoHTTP    ProtoID = 7
	ProtoMDNS    ProtoID = 8
	ProtoNTP     ProtoID = 9
	ProtoNetBIOS ProtoID = 10
	ProtoDHCP    ProtoID = 18
	ProtoPOPS    ProtoID = 23
	ProtoSMTPS   ProtoID = 29
	ProtoIMAPS   ProtoID = 51
	ProtoTLS     ProtoID = 91
	ProtoSSH     ProtoID = 92
	ProtoQUIC    ProtoID = 188
)

// Confidence says how a classification was obtained (nDPI's confidence).
type Confidence uint8

const (
	ConfidenceUnknown Confidence = iota
	ConfidenceMatchByPort
	ConfidenceMatchByIP
	ConfidenceDPI
	ConfidenceGuessed
	ConfidenceCustomRule
	// ConfidenceDNS: the server's address was learned from a DNS answer
	// whose name belongs to a service.
	ConfidenceDNS
)

// Direction of a packet relative to the flow's client.
type Direction uint8

const (
	ClientToServer Direction = 0
	ServerToClient Direction = 1
)

// Result is a classification: the master/app pair, as nDPI reports it.
type Result struct {
	Master     ProtoID
	App        ProtoID
	Category   CategoryID
	Confidence Confidence
}

// NameSource tells where a learned host name comes from (spec A.4.1).
type NameSource uint8

const (
	NameResolved NameSource = iota // DNS answer: address -> queried name
	NameMDNS                       // mDNS answer name of the sender
	NameMDNSTXT
	NameNetBIOS
	NameTLS
	NameHTTP
	NameDHCP
	// NameMDNSInfo is the instance name of a device service (HTTP, SFTP,
	// SMB, device-info, Privet, AFP) the sender announces over mDNS; it is
	// ntopng's host "info" text, not a host name.
	NameMDNSInfo
)

// Packet is what the classifier sees of one packet of a flow.
type Packet struct {
	L4Proto          uint8
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Dir              Direction
	TCPFlags         uint8
	TCPSeq           uint32 // sequence number of a TCP segment
	Payload          []byte
	// TimeUs is the packet's capture time in microseconds since the Unix
	// epoch (0 when unknown), for checks such as certificate expiry.
	TimeUs int64
}

// Learner receives facts learned from traffic that outlive one flow, such as
// DNS answers (address -> name). Implementations must be cheap and safe to
// call from the packet path.
type Learner interface {
	LearnName(addr netip.Addr, name string, src NameSource)
}

// NameLookup is implemented by learners that can tell the name a DNS
// answer gave an address; flows the payload leaves unclassified are then
// labelled with that name's service.
type NameLookup interface {
	ResolvedName(addr netip.Addr) (string, bool)
}
