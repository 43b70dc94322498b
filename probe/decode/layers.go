package decode

import (
	"encoding/binary"
	"errors"
	"net"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// The layers below are gopacket.DecodingLayers used by the Decoder's
// DecodingLayerParser. Most wrap the corresponding gopacket layer: they
// check the header before handing it to gopacket's DecodeFromBytes (so
// that gopacket never sees input it would mis-handle: uint8 overflows in
// ARP, unchecked address length in SLL, IPv4 version never checked, option
// errors that would discard valid IP/TCP headers, ...), record what the
// Decoder needs, and choose the next layer themselves, so that the chain
// ends with gopacket.LayerTypeZero instead of an UnsupportedLayerType error
// (whose conversion to error would allocate). MPLS, PPPoE, PPP, SLL2 and
// IPv6 (with its extension headers) are decoded here directly: gopacket has
// no DecodingLayer for them or allocates per packet (IPv6 hop-by-hop
// options).

// LayerTypeLinuxSLL2 is the layer type of the Linux cooked capture v2
// header (LINKTYPE_LINUX_SLL2), which gopacket v1.1.19 does not know.
var LayerTypeLinuxSLL2 = gopacket.RegisterLayerType(1276, gopacket.LayerTypeMetadata{
	Name:    "LinuxSLL2",
	Decoder: gopacket.DecodeFunc(decodeLinuxSLL2),
})

// ---- Ethernet, 802.1Q, MPLS, PPPoE, PPP ----

type ethLayer struct {
	layers.Ethernet
	d    *Decoder
	next gopacket.LayerType
}

func (l *ethLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypeEthernet); err != nil {
		return err
	}
	if len(data) < 14 {
		return d.hard(ErrTruncated, layers.LayerTypeEthernet)
	}
	if err := l.Ethernet.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, layers.LayerTypeEthernet)
	}
	if l.Length != 0 { // 802.3 length field: LLC/SNAP frame
		l.next = d.unsupportedNext()
	} else {
		l.next = d.etherNext(l.EthernetType)
	}
	d.want = l.next
	return nil
}

func (l *ethLayer) NextLayerType() gopacket.LayerType { return l.next }

type dot1qLayer struct {
	layers.Dot1Q
	d    *Decoder
	next gopacket.LayerType
}

func (l *dot1qLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypeDot1Q); err != nil {
		return err
	}
	if len(data) < 4 {
		return d.hard(ErrTruncated, layers.LayerTypeDot1Q)
	}
	if err := l.Dot1Q.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, layers.LayerTypeDot1Q)
	}
	if !d.vlanSeen { // the outermost tag is the frame's VLAN
		d.vlanSeen = true
		d.vlan = l.VLANIdentifier
	}
	l.next = d.etherNext(l.Type)
	d.want = l.next
	return nil
}

func (l *dot1qLayer) NextLayerType() gopacket.LayerType { return l.next }

// mplsLayer decodes one MPLS label stack entry; after the bottom of the
// stack the payload is guessed from its first nibble (4: IPv4, 6: IPv6).
type mplsLayer struct {
	layers.MPLS
	d    *Decoder
	next gopacket.LayerType
}

func (l *mplsLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeMPLS }
func (l *mplsLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *mplsLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypeMPLS); err != nil {
		return err
	}
	if len(data) < 4 {
		return d.hard(ErrTruncated, layers.LayerTypeMPLS)
	}
	v := binary.BigEndian.Uint32(data[:4])
	l.Label = v >> 12
	l.TrafficClass = uint8(v>>9) & 0x7
	l.StackBottom = v&0x100 != 0
	l.TTL = uint8(v)
	l.BaseLayer = layers.BaseLayer{Contents: data[:4], Payload: data[4:]}
	switch {
	case !l.StackBottom:
		l.next = layers.LayerTypeMPLS
	case len(data) == 4:
		l.next = layers.LayerTypeIPv4 // something was expected: truncated
	case data[4]>>4 == 4:
		l.next = layers.LayerTypeIPv4
	case data[4]>>4 == 6:
		l.next = layers.LayerTypeIPv6
	default: // Ethernet pseudowire, control word, ...
		l.next = d.unsupportedNext()
	}
	d.want = l.next
	return nil
}

// pppoeLayer decodes the PPPoE header (session stage only).
type pppoeLayer struct {
	layers.PPPoE
	d    *Decoder
	next gopacket.LayerType
}

func (l *pppoeLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypePPPoE }
func (l *pppoeLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *pppoeLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypePPPoE); err != nil {
		return err
	}
	if len(data) < 6 {
		return d.hard(ErrTruncated, layers.LayerTypePPPoE)
	}
	l.Version = data[0] >> 4
	l.Type = data[0] & 0x0f
	l.Code = layers.PPPoECode(data[1])
	l.SessionId = binary.BigEndian.Uint16(data[2:4])
	l.Length = binary.BigEndian.Uint16(data[4:6])
	end := 6 + int(l.Length)
	if end > len(data) {
		end = len(data)
		df.SetTruncated()
	}
	l.BaseLayer = layers.BaseLayer{Contents: data[:6], Payload: data[6:end]}
	if l.Code != layers.PPPoECodeSession {
		l.next = d.unsupportedNext()
	} else {
		l.next = layers.LayerTypePPP
	}
	d.want = l.next
	return nil
}

// pppLayer decodes the PPP protocol field (with an optional HDLC-like
// 0xff 0x03 address/control prefix and protocol-field compression), and
// Cisco HDLC frames (0x0f/0x8f, 0x00, ethertype).
type pppLayer struct {
	layers.PPP
	d    *Decoder
	next gopacket.LayerType
}

func (l *pppLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypePPP }
func (l *pppLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *pppLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypePPP); err != nil {
		return err
	}
	if len(data) >= 4 && (data[0] == 0x0f || data[0] == 0x8f) && data[1] == 0x00 {
		// Cisco HDLC framing (LINKTYPE_C_HDLC, also found under
		// LINKTYPE_PPP): address, control, then an ethertype.
		l.HasPPTPHeader = false
		l.PPPType = 0
		l.BaseLayer = layers.BaseLayer{Contents: data[:4], Payload: data[4:]}
		l.next = d.etherNext(layers.EthernetType(binary.BigEndian.Uint16(data[2:4])))
		d.want = l.next
		return nil
	}
	off := 0
	l.HasPPTPHeader = false
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		off = 2
		l.HasPPTPHeader = true
	}
	if len(data) < off+1 {
		return d.hard(ErrTruncated, layers.LayerTypePPP)
	}
	n := 1
	if data[off]&1 == 0 { // uncompressed two-byte protocol
		n = 2
		if len(data) < off+2 {
			return d.hard(ErrTruncated, layers.LayerTypePPP)
		}
		if data[off+1]&1 == 0 {
			return d.hard(ErrMalformed, layers.LayerTypePPP)
		}
		l.PPPType = layers.PPPType(binary.BigEndian.Uint16(data[off:]))
	} else {
		l.PPPType = layers.PPPType(data[off])
	}
	l.BaseLayer = layers.BaseLayer{Contents: data[:off+n], Payload: data[off+n:]}
	switch l.PPPType {
	case layers.PPPTypeIPv4:
		l.next = layers.LayerTypeIPv4
	case layers.PPPTypeIPv6:
		l.next = layers.LayerTypeIPv6
	case layers.PPPTypeMPLSUnicast, layers.PPPTypeMPLSMulticast:
		l.next = layers.LayerTypeMPLS
	default: // LCP, IPCP, CHAP, ...
		l.next = d.unsupportedNext()
	}
	d.want = l.next
	return nil
}

// ---- Linux cooked capture, loopback ----

type sllLayer struct {
	layers.LinuxSLL
	d    *Decoder
	next gopacket.LayerType
}

func (l *sllLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeLinuxSLL }
func (l *sllLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *sllLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypeLinuxSLL); err != nil {
		return err
	}
	if len(data) < 16 {
		return d.hard(ErrTruncated, layers.LayerTypeLinuxSLL)
	}
	// Decoded here: gopacket slices the address with the unchecked
	// address length field.
	l.PacketType = layers.LinuxSLLPacketType(binary.BigEndian.Uint16(data[0:2]))
	l.AddrType = binary.BigEndian.Uint16(data[2:4])
	l.AddrLen = binary.BigEndian.Uint16(data[4:6])
	alen := int(l.AddrLen)
	if alen > 8 {
		alen = 8
	}
	l.Addr = net.HardwareAddr(data[6 : 6+alen])
	l.EthernetType = layers.EthernetType(binary.BigEndian.Uint16(data[14:16]))
	l.BaseLayer = layers.BaseLayer{Contents: data[:16], Payload: data[16:]}
	l.next = d.etherNext(l.EthernetType)
	d.want = l.next
	return nil
}

// LinuxSLL2 is the Linux cooked capture v2 header (20 bytes).
type LinuxSLL2 struct {
	layers.BaseLayer
	EthernetType layers.EthernetType
	IfIndex      uint32
	ARPHRDType   uint16
	PacketType   layers.LinuxSLLPacketType
	AddrLen      uint8
	Addr         net.HardwareAddr
}

// LayerType returns LayerTypeLinuxSLL2.
func (s *LinuxSLL2) LayerType() gopacket.LayerType { return LayerTypeLinuxSLL2 }

// CanDecode returns LayerTypeLinuxSLL2.
func (s *LinuxSLL2) CanDecode() gopacket.LayerClass { return LayerTypeLinuxSLL2 }

// NextLayerType returns the layer of the protocol field.
func (s *LinuxSLL2) NextLayerType() gopacket.LayerType { return s.EthernetType.LayerType() }

var errSLL2Short = errors.New("Linux SLL2 header too short")

// DecodeFromBytes decodes the 20-byte SLL2 header.
func (s *LinuxSLL2) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return errSLL2Short
	}
	s.EthernetType = layers.EthernetType(binary.BigEndian.Uint16(data[0:2]))
	s.IfIndex = binary.BigEndian.Uint32(data[4:8])
	s.ARPHRDType = binary.BigEndian.Uint16(data[8:10])
	s.PacketType = layers.LinuxSLLPacketType(data[10])
	s.AddrLen = data[11]
	alen := int(s.AddrLen)
	if alen > 8 {
		alen = 8
	}
	s.Addr = net.HardwareAddr(data[12 : 12+alen])
	s.BaseLayer = layers.BaseLayer{Contents: data[:20], Payload: data[20:]}
	return nil
}

func decodeLinuxSLL2(data []byte, p gopacket.PacketBuilder) error {
	s := &LinuxSLL2{}
	if err := s.DecodeFromBytes(data, p); err != nil {
		return err
	}
	p.AddLayer(s)
	return p.NextDecoder(s.EthernetType)
}

type sll2Layer struct {
	LinuxSLL2
	d    *Decoder
	next gopacket.LayerType
}

func (l *sll2Layer) NextLayerType() gopacket.LayerType { return l.next }

func (l *sll2Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(LayerTypeLinuxSLL2); err != nil {
		return err
	}
	if err := l.LinuxSLL2.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrTruncated, LayerTypeLinuxSLL2)
	}
	l.next = d.etherNext(l.EthernetType)
	d.want = l.next
	return nil
}

type loopLayer struct {
	layers.Loopback
	d    *Decoder
	next gopacket.LayerType
}

func (l *loopLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *loopLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	if err := d.enter(layers.LayerTypeLoopback); err != nil {
		return err
	}
	if len(data) < 4 {
		return d.hard(ErrTruncated, layers.LayerTypeLoopback)
	}
	if data[0] == 0 && data[1] == 0 {
		if data[2] != 0 { // big-endian family > 255
			return d.hard(ErrMalformed, layers.LayerTypeLoopback)
		}
	} else if data[1] != 0 || data[2] != 0 || data[3] != 0 { // little-endian > 255
		return d.hard(ErrMalformed, layers.LayerTypeLoopback)
	}
	if err := l.Loopback.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, layers.LayerTypeLoopback)
	}
	switch l.Family {
	case layers.ProtocolFamilyIPv4:
		l.next = layers.LayerTypeIPv4
	case layers.ProtocolFamilyIPv6BSD, layers.ProtocolFamilyIPv6FreeBSD,
		layers.ProtocolFamilyIPv6Darwin, layers.ProtocolFamilyIPv6Linux:
		l.next = layers.LayerTypeIPv6
	default:
		l.next = d.unsupportedNext()
	}
	d.want = l.next
	return nil
}

// ---- IPv4, IPv6 ----

type ip4Layer struct {
	layers.IPv4
	d    *Decoder
	next gopacket.LayerType
}

func (l *ip4Layer) NextLayerType() gopacket.LayerType { return l.next }

func (l *ip4Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeIPv4
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 20 {
		return d.hard(ErrTruncated, lt)
	}
	if data[0]>>4 != 4 { // gopacket does not check the version
		return d.hard(ErrMalformed, lt)
	}
	ihl := int(data[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(data[2:4]))
	if ihl < 20 || (total != 0 && total < ihl) {
		return d.hard(ErrMalformed, lt)
	}
	if len(data) < ihl {
		return d.hard(ErrTruncated, lt)
	}
	end := total
	if total == 0 {
		// Total length 0 (TCP segmentation offload on the capturing
		// host): the packet is what was captured, no padding is known.
		end = len(data)
	}
	d.ipOffset = d.offsetOf(data)
	d.ipEnd = total
	d.ipCut = len(data) < end
	if validIPv4Options(data[20:ihl]) {
		if err := l.IPv4.DecodeFromBytes(data, df); err != nil {
			return d.hard(ErrMalformed, lt) // not reached after the checks above
		}
	} else {
		// gopacket would reject the whole header (and allocate an error)
		// for a bad option; options are not needed: keep the fixed header
		// and the payload.
		l.decodeFixed(data, ihl, end)
	}
	l.next = gopacket.LayerTypeZero
	if l.FragOffset == 0 { // only the first fragment has transport headers
		l.next = ipProtoLayer(uint8(l.Protocol), 4)
	}
	d.want = l.next
	return nil
}

// validIPv4Options tells whether gopacket's IPv4 option parser accepts opts.
func validIPv4Options(opts []byte) bool {
	for len(opts) > 0 {
		switch opts[0] {
		case 0: // end of options
			return true
		case 1: // no-op
			opts = opts[1:]
		default:
			if len(opts) < 2 || opts[1] <= 2 || int(opts[1]) > len(opts) {
				return false
			}
			opts = opts[opts[1]:]
		}
	}
	return true
}

// decodeFixed fills the IPv4 fields from the fixed 20-byte header only.
func (l *ip4Layer) decodeFixed(data []byte, ihl, end int) {
	flagsfrags := binary.BigEndian.Uint16(data[6:8])
	l.Version = data[0] >> 4
	l.IHL = data[0] & 0x0f
	l.TOS = data[1]
	l.Length = binary.BigEndian.Uint16(data[2:4])
	l.Id = binary.BigEndian.Uint16(data[4:6])
	l.Flags = layers.IPv4Flag(flagsfrags >> 13)
	l.FragOffset = flagsfrags & 0x1fff
	l.TTL = data[8]
	l.Protocol = layers.IPProtocol(data[9])
	l.Checksum = binary.BigEndian.Uint16(data[10:12])
	l.SrcIP = net.IP(data[12:16])
	l.DstIP = net.IP(data[16:20])
	l.Options = l.Options[:0]
	l.Padding = nil
	if end > len(data) {
		end = len(data)
	}
	l.BaseLayer = layers.BaseLayer{Contents: data[:ihl], Payload: data[ihl:end]}
}

// ip6Layer decodes the IPv6 header and walks the extension headers
// (hop-by-hop, routing, fragment, destination options) itself: gopacket's
// IPv6 decoder allocates every hop-by-hop option and has no DecodingLayer
// for the routing and fragment headers.
type ip6Layer struct {
	layers.IPv6
	d          *Decoder
	next       gopacket.LayerType
	l4proto    uint8
	fragment   bool
	fragOffset uint16
	l4payload  []byte
}

func (l *ip6Layer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeIPv6 }
func (l *ip6Layer) NextLayerType() gopacket.LayerType { return l.next }
func (l *ip6Layer) LayerPayload() []byte              { return l.l4payload }

// maxIPv6Ext bounds the number of extension headers walked.
const maxIPv6Ext = 16

func (l *ip6Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeIPv6
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 40 {
		return d.hard(ErrTruncated, lt)
	}
	if data[0]>>4 != 6 {
		return d.hard(ErrMalformed, lt)
	}
	l.Version = 6
	l.TrafficClass = uint8(binary.BigEndian.Uint16(data[0:2]) >> 4)
	l.FlowLabel = binary.BigEndian.Uint32(data[0:4]) & 0x000fffff
	l.Length = binary.BigEndian.Uint16(data[4:6])
	l.NextHeader = layers.IPProtocol(data[6])
	l.HopLimit = data[7]
	l.SrcIP = net.IP(data[8:24])
	l.DstIP = net.IP(data[24:40])
	l.HopByHop = nil
	l.fragment, l.fragOffset = false, 0
	l.next = gopacket.LayerTypeZero

	d.ipOffset = d.offsetOf(data)
	end := 40 + int(l.Length)
	if l.Length == 0 && l.NextHeader != layers.IPProtocolNoNextHeader {
		// Jumbogram (the length is in a hop-by-hop option) or a segment
		// captured before TCP segmentation offload filled the length in:
		// take what was captured and do not guess any padding.
		end = len(data)
		d.ipEnd = 0
	} else {
		d.ipEnd = end
	}
	d.ipCut = len(data) < end
	if end > len(data) {
		end = len(data)
		df.SetTruncated()
	}
	payload := data[40:end]
	l.BaseLayer = layers.BaseLayer{Contents: data[:40], Payload: payload}

	nh := uint8(l.NextHeader)
	off := 0
	for i := 0; ; i++ {
		switch layers.IPProtocol(nh) {
		case layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination:
			if i == maxIPv6Ext {
				d.soft(ErrMalformed, lt)
				goto done
			}
			if len(payload)-off < 2 {
				d.soft(d.l4Short(), lt)
				goto done
			}
			hl := (int(payload[off+1]) + 1) * 8
			if len(payload)-off < hl {
				d.soft(d.l4Short(), lt)
				goto done
			}
			nh = payload[off]
			off += hl
			continue
		case layers.IPProtocolIPv6Fragment:
			if i == maxIPv6Ext {
				d.soft(ErrMalformed, lt)
				goto done
			}
			if len(payload)-off < 8 {
				d.soft(d.l4Short(), lt)
				goto done
			}
			fo := binary.BigEndian.Uint16(payload[off+2 : off+4])
			l.fragOffset = fo &^ 7
			l.fragment = l.fragOffset != 0 || fo&1 != 0
			nh = payload[off]
			off += 8
			if l.fragOffset != 0 {
				// The rest is the middle of the datagram: no headers.
				l.l4proto = nh
				l.l4payload = nil
				d.want = l.next
				return nil
			}
			continue
		}
		break
	}
	l.next = ipProtoLayer(nh, 6)
done:
	l.l4proto = nh
	l.l4payload = payload[off:]
	d.want = l.next
	return nil
}

// ---- Transports, ARP ----

type tcpLayer struct {
	layers.TCP
	d     *Decoder
	flags uint8
}

func (l *tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *tcpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeTCP
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 20 {
		return d.hard(d.l4Short(), lt)
	}
	l.flags = data[13]
	off := int(data[12]>>4) * 4
	switch {
	case off < 20:
		l.decodeFixed(data)
		l.Contents, l.Payload = data[:20], nil
		d.soft(ErrMalformed, lt)
	case off > len(data):
		l.decodeFixed(data)
		l.Contents, l.Payload = data, nil
		d.soft(d.l4Short(), lt)
	case !validTCPOptions(data[20:off]):
		// gopacket would fail (and allocate an error); the options are
		// not needed.
		l.decodeFixed(data)
		l.Contents, l.Payload = data[:off], data[off:]
	default:
		if err := l.TCP.DecodeFromBytes(data, df); err != nil {
			return d.hard(ErrMalformed, lt) // not reached after the checks above
		}
	}
	return nil
}

// validTCPOptions tells whether gopacket's TCP option parser accepts opts.
func validTCPOptions(opts []byte) bool {
	for len(opts) > 0 {
		switch opts[0] {
		case 0:
			return true
		case 1:
			opts = opts[1:]
		default:
			if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
				return false
			}
			opts = opts[opts[1]:]
		}
	}
	return true
}

// decodeFixed fills the TCP fields from the fixed 20-byte header only.
func (l *tcpLayer) decodeFixed(data []byte) {
	t := &l.TCP
	t.SrcPort = layers.TCPPort(binary.BigEndian.Uint16(data[0:2]))
	t.DstPort = layers.TCPPort(binary.BigEndian.Uint16(data[2:4]))
	t.Seq = binary.BigEndian.Uint32(data[4:8])
	t.Ack = binary.BigEndian.Uint32(data[8:12])
	t.DataOffset = data[12] >> 4
	f := data[13]
	t.FIN, t.SYN, t.RST, t.PSH = f&0x01 != 0, f&0x02 != 0, f&0x04 != 0, f&0x08 != 0
	t.ACK, t.URG, t.ECE, t.CWR = f&0x10 != 0, f&0x20 != 0, f&0x40 != 0, f&0x80 != 0
	t.NS = data[12]&0x01 != 0
	t.Window = binary.BigEndian.Uint16(data[14:16])
	t.Checksum = binary.BigEndian.Uint16(data[16:18])
	t.Urgent = binary.BigEndian.Uint16(data[18:20])
	t.Options = t.Options[:0]
	t.Padding = t.Padding[:0]
}

type udpLayer struct {
	layers.UDP
	d *Decoder
}

func (l *udpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *udpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeUDP
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 8 {
		return d.hard(d.l4Short(), lt)
	}
	if n := binary.BigEndian.Uint16(data[4:6]); n != 0 && n < 8 {
		// gopacket would return an (allocated) error: ports are valid,
		// the length is not.
		l.SrcPort = layers.UDPPort(binary.BigEndian.Uint16(data[0:2]))
		l.DstPort = layers.UDPPort(binary.BigEndian.Uint16(data[2:4]))
		l.Length = n
		l.Checksum = binary.BigEndian.Uint16(data[6:8])
		l.BaseLayer = layers.BaseLayer{Contents: data[:8]}
		d.soft(ErrMalformed, lt)
		return nil
	}
	if err := l.UDP.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, lt) // not reached after the checks above
	}
	return nil
}

type icmp4Layer struct {
	layers.ICMPv4
	d *Decoder
}

func (l *icmp4Layer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *icmp4Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeICMPv4
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 2 {
		return d.hard(d.l4Short(), lt)
	}
	if len(data) < 8 { // type and code are there, the rest is not
		l.TypeCode = layers.CreateICMPv4TypeCode(data[0], data[1])
		l.Id, l.Seq = 0, 0
		l.BaseLayer = layers.BaseLayer{Contents: data}
		d.soft(d.l4Short(), lt)
		return nil
	}
	if err := l.ICMPv4.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, lt)
	}
	return nil
}

type icmp6Layer struct {
	layers.ICMPv6
	d       *Decoder
	id      uint16
	payload []byte
}

func (l *icmp6Layer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *icmp6Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeICMPv6
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 2 {
		return d.hard(d.l4Short(), lt)
	}
	l.id, l.payload = 0, nil
	if len(data) < 4 {
		l.TypeCode = layers.CreateICMPv6TypeCode(data[0], data[1])
		l.BaseLayer = layers.BaseLayer{Contents: data}
		d.soft(d.l4Short(), lt)
		return nil
	}
	if err := l.ICMPv6.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, lt)
	}
	if len(data) >= 8 {
		l.id = binary.BigEndian.Uint16(data[4:6])
		l.payload = data[8:]
	}
	return nil
}

type arpLayer struct {
	layers.ARP
	d *Decoder
}

func (l *arpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *arpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d := l.d
	lt := layers.LayerTypeARP
	if err := d.enter(lt); err != nil {
		return err
	}
	if len(data) < 8 {
		return d.hard(ErrTruncated, lt)
	}
	hl, pl := int(data[4]), int(data[5])
	n := 8 + 2*hl + 2*pl
	if len(data) < n {
		return d.hard(ErrTruncated, lt)
	}
	if n > 255 {
		// gopacket computes the ARP length in uint8 and would overflow:
		// keep the fixed part only.
		l.AddrType = layers.LinkType(binary.BigEndian.Uint16(data[0:2]))
		l.Protocol = layers.EthernetType(binary.BigEndian.Uint16(data[2:4]))
		l.HwAddressSize, l.ProtAddressSize = data[4], data[5]
		l.Operation = binary.BigEndian.Uint16(data[6:8])
		l.SourceHwAddress, l.SourceProtAddress = nil, nil
		l.DstHwAddress, l.DstProtAddress = nil, nil
		l.BaseLayer = layers.BaseLayer{Contents: data[:n], Payload: data[n:]}
		return nil
	}
	if err := l.ARP.DecodeFromBytes(data, df); err != nil {
		return d.hard(ErrMalformed, lt)
	}
	return nil
}
