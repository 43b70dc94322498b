package synth

import (
	"fmt"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Segment is one TCP segment written on its own, outside a conversation:
// the half-open connections of SYN floods and scans, the RSTs closed
// ports answer with, stray segments.
type Segment struct {
	Src, Dst         string
	SrcPort, DstPort uint16
	// Flags are the flag letters: S (SYN), A (ACK), F (FIN), R (RST),
	// P (PSH), U (URG).
	Flags    string
	Seq, Ack uint32 // Ack is written only with the ACK flag
	// Window is the receive window (0: 65535).
	Window  uint16
	Payload []byte
}

// TCPSegment writes s as one frame and returns the frame's length. Like
// the other writers it moves the clock by Step; it counts the frame in
// Frames and Bytes but records no FlowTruth (a segment is not a
// conversation).
func (w *Writer) TCPSegment(s Segment) (int, error) {
	eth, nl, ip := w.ipLayers(s.Src, s.Dst, layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(s.SrcPort), DstPort: layers.TCPPort(s.DstPort),
		Seq: s.Seq, Window: s.Window}
	if tcp.Window == 0 {
		tcp.Window = 65535
	}
	for _, f := range s.Flags {
		switch f {
		case 'S':
			tcp.SYN = true
		case 'A':
			tcp.ACK = true
		case 'F':
			tcp.FIN = true
		case 'R':
			tcp.RST = true
		case 'P':
			tcp.PSH = true
		case 'U':
			tcp.URG = true
		default:
			return 0, fmt.Errorf("synth: unknown TCP flag %q in %q", f, s.Flags)
		}
	}
	if tcp.ACK {
		tcp.Ack = s.Ack
	}
	if err := tcp.SetNetworkLayerForChecksum(nl); err != nil {
		return 0, err
	}
	return w.write(eth, ip, tcp, gopacket.Payload(s.Payload))
}
