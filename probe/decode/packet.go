// Package decode turns raw frames into a flat Packet description using
// gopacket's DecodingLayerParser with preallocated layers, so that the
// steady-state packet path allocates nothing.
package decode

import (
	"net/netip"
	"time"
)

// Packet is the decoded view of one frame. A Decoder reuses the same Packet
// for every frame: slices (Payload) point into the frame buffer and are only
// valid until the next Decode call.
type Packet struct {
	Timestamp time.Time
	// WireLen is the frame's original length from the capture record.
	WireLen int
	// Len is the length counted by flow/host counters (spec A.1): WireLen
	// minus stripped tunnel encapsulation (none is stripped yet). Ethernet
	// trailer padding is kept: the reference counts it, whatever spec A.1
	// says (docs/compatibility.md).
	// The Decoder strips no tunnel (IP-in-IP, GRE, ... are reported as
	// the outer packet), so Len is WireLen minus the bytes after the end of
	// the outermost IP packet as announced by its header (none for non-IP
	// frames, IPv4 total length 0 and IPv6 payload length 0).
	Len int

	HasEthernet    bool
	SrcMAC, DstMAC [6]byte
	// VLAN is the outermost 802.1Q tag (0 when untagged).
	VLAN uint16

	IsARP bool
	// ARP fields (IPv4 ARP only).
	ARPOp                    uint16
	ARPSenderIP, ARPTargetIP netip.Addr
	ARPSenderMAC             [6]byte

	// IPVersion is 4 or 6, 0 for non-IP frames.
	IPVersion uint8
	Src, Dst  netip.Addr
	TOS       uint8
	TTL       uint8
	// L4Proto is the IP protocol number of the transport (after IPv6
	// extension headers).
	L4Proto uint8
	// Fragment is true for an IPv4/IPv6 fragment; only the first fragment
	// (FragOffset 0) carries transport headers.
	Fragment bool
	// FragOffset is the byte offset of the fragment's data in the original
	// datagram (the header field times 8); 0 for the first fragment and for
	// unfragmented packets.
	FragOffset uint16

	// HasTransport is true when the TCP/UDP/ICMP/ICMPv6 header was decoded,
	// i.e. SrcPort/DstPort/TCP* or ICMPType/ICMPCode are meaningful (ports
	// and ICMP type can legitimately be 0). False for non-first fragments,
	// other IP protocols and transport headers cut by the capture.
	HasTransport bool

	SrcPort, DstPort uint16
	TCPFlags         uint8
	TCPSeq, TCPAck   uint32
	TCPWindow        uint16
	ICMPType         uint8
	ICMPCode         uint8
	// ICMPID is the identifier of ICMP/ICMPv6 echo request/reply messages
	// (bytes 4-5 of the ICMP header), 0 otherwise.
	ICMPID uint16
	// Payload is the transport payload as captured (may be shorter than
	// announced when the snap length cut the frame). TCP: after the TCP
	// header and options; UDP: after the 8-byte header, bounded by the UDP
	// length; ICMP/ICMPv6: after the first 8 bytes of the message; other IP
	// protocols: the IP payload after IPv6 extension headers. Nil for
	// non-first fragments and non-IP frames.
	Payload []byte
}

// TCP flag bits as they appear in the TCP header flags byte.
const (
	TCPFlagFIN = 0x01
	TCPFlagSYN = 0x02
	TCPFlagRST = 0x04
	TCPFlagPSH = 0x08
	TCPFlagACK = 0x10
	TCPFlagURG = 0x20
	TCPFlagECE = 0x40
	TCPFlagCWR = 0x80
)
