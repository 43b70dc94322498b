package decode

import (
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// LinkTypeLinuxSLL2 is LINKTYPE_LINUX_SLL2 (276). gopacket's layers.LinkType
// is a uint8, so the value is stored truncated to its low byte (20, a link
// type number that is not assigned); the capture package maps the 276 it
// reads from a file header to this constant.
const LinkTypeLinuxSLL2 = layers.LinkType(276 & 0xff)

// Raw-IP link types that some systems use instead of LINKTYPE_RAW (101):
// DLT_RAW is 12 on most BSDs and 14 on OpenBSD.
const (
	LinkTypeRawBSD     = layers.LinkType(12)
	LinkTypeRawOpenBSD = layers.LinkType(14)
)

// maxLayers bounds the number of layers decoded per frame (VLAN tags, MPLS
// labels, ...); deeper stacks are reported as ErrMalformed. It also sizes
// the preallocated list of decoded layer types.
const maxLayers = 32

// SupportedLinkType reports whether NewDecoder has a decoder for link.
func SupportedLinkType(link layers.LinkType) bool {
	switch link {
	case layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, LinkTypeLinuxSLL2,
		layers.LinkTypeRaw, LinkTypeRawBSD, LinkTypeRawOpenBSD,
		layers.LinkTypeIPv4, layers.LinkTypeIPv6,
		layers.LinkTypeNull, layers.LinkTypeLoop,
		layers.LinkTypePPP, layers.LinkTypePPP_HDLC, layers.LinkTypeC_HDLC:
		return true
	}
	return false
}

// Decoder decodes frames of one link type into Packets. It owns
// preallocated gopacket layers and a DecodingLayerParser: decoding a frame
// allocates nothing. A Decoder is not safe for concurrent use; use one per
// capture goroutine.
type Decoder struct {
	link layers.LinkType
	// parser decodes from the link layer; for the raw-IP link types it is
	// nil and parser4/parser6 are chosen from the IP version nibble.
	parser, parser4, parser6 *gopacket.DecodingLayerParser
	raw                      bool
	decoded                  []gopacket.LayerType

	// Per-frame state written by the layers.
	frame       []byte
	depth       int
	want        gopacket.LayerType // next layer expected by the last decoded one
	softErr     error              // error of a layer that still decoded its own fields
	errLayer    gopacket.LayerType
	unsupported bool
	vlanSeen    bool
	vlan        uint16
	ipOffset    int  // offset of the (outermost) IP header in the frame
	ipEnd       int  // IP packet length announced by the header, 0 if unknown
	ipCut       bool // the capture holds fewer bytes than the IP packet

	eth   ethLayer
	dot1q dot1qLayer
	mpls  mplsLayer
	pppoe pppoeLayer
	ppp   pppLayer
	sll   sllLayer
	sll2  sll2Layer
	loop  loopLayer
	ip4   ip4Layer
	ip6   ip6Layer
	tcp   tcpLayer
	udp   udpLayer
	icmp4 icmp4Layer
	icmp6 icmp6Layer
	arp   arpLayer
}

// NewDecoder returns a Decoder for frames of the given link type. Supported:
// Ethernet, Linux cooked capture (SLL and SLL2, see LinkTypeLinuxSLL2), raw
// IP (LinkTypeRaw 101, 12, 14, LinkTypeIPv4 228, LinkTypeIPv6 229),
// null/loopback (0, 108), PPP (9, 50) and Cisco HDLC (104). For any other link type the
// Decoder is still usable: every Decode fills the lengths and timestamp and
// returns ErrUnsupported.
func NewDecoder(link layers.LinkType) *Decoder {
	d := &Decoder{link: link, decoded: make([]gopacket.LayerType, 0, maxLayers)}
	d.eth.d, d.dot1q.d, d.mpls.d, d.pppoe.d, d.ppp.d = d, d, d, d, d
	d.sll.d, d.sll2.d, d.loop.d, d.ip4.d, d.ip6.d = d, d, d, d, d
	d.tcp.d, d.udp.d, d.icmp4.d, d.icmp6.d, d.arp.d = d, d, d, d, d

	var c gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	for _, l := range []gopacket.DecodingLayer{
		&d.eth, &d.dot1q, &d.mpls, &d.pppoe, &d.ppp, &d.sll, &d.sll2, &d.loop,
		&d.ip4, &d.ip6, &d.tcp, &d.udp, &d.icmp4, &d.icmp6, &d.arp,
	} {
		c = c.Put(l)
	}
	newParser := func(first gopacket.LayerType) *gopacket.DecodingLayerParser {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(c)
		return p
	}

	switch link {
	case layers.LinkTypeEthernet:
		d.parser = newParser(layers.LayerTypeEthernet)
	case layers.LinkTypeLinuxSLL:
		d.parser = newParser(layers.LayerTypeLinuxSLL)
	case LinkTypeLinuxSLL2:
		d.parser = newParser(LayerTypeLinuxSLL2)
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		d.parser = newParser(layers.LayerTypeLoopback)
	case layers.LinkTypePPP, layers.LinkTypePPP_HDLC, layers.LinkTypeC_HDLC:
		d.parser = newParser(layers.LayerTypePPP)
	case layers.LinkTypeIPv4:
		d.parser = newParser(layers.LayerTypeIPv4)
	case layers.LinkTypeIPv6:
		d.parser = newParser(layers.LayerTypeIPv6)
	case layers.LinkTypeRaw, LinkTypeRawBSD, LinkTypeRawOpenBSD:
		d.raw = true
		d.parser4 = newParser(layers.LayerTypeIPv4)
		d.parser6 = newParser(layers.LayerTypeIPv6)
	}
	return d
}

// LinkType returns the link type the Decoder was created for.
func (d *Decoder) LinkType() layers.LinkType { return d.link }

// ErrorLayer returns the layer that caused the error of the last Decode
// call (gopacket.LayerTypeZero if it succeeded, or if the link type has no
// decoder).
func (d *Decoder) ErrorLayer() gopacket.LayerType { return d.errLayer }

// Decoded returns the layer types decoded by the last Decode call, outermost
// first. The slice is reused by the next call.
func (d *Decoder) Decoded() []gopacket.LayerType { return d.decoded }

// Decode decodes one frame into p, which is reset first. data is only read,
// never modified, and p.Payload points into it. ci.Length is the original
// frame length (ci.CaptureLength is ignored: len(data) is what was
// captured). It never panics; see ErrTruncated, ErrMalformed and
// ErrUnsupported for the errors and for what p holds then.
func (d *Decoder) Decode(data []byte, ci gopacket.CaptureInfo, p *Packet) error {
	*p = Packet{Timestamp: ci.Timestamp}
	wire := ci.Length
	if wire < len(data) {
		// A record whose original length is smaller than what was captured
		// is broken; count what we have.
		wire = len(data)
	}
	p.WireLen, p.Len = wire, wire

	d.decoded = d.decoded[:0]
	d.frame = data
	d.depth = 0
	d.want = gopacket.LayerTypeZero
	d.softErr = nil
	d.errLayer = gopacket.LayerTypeZero
	d.unsupported = false
	d.vlanSeen, d.vlan = false, 0
	d.ipOffset, d.ipEnd, d.ipCut = 0, 0, false

	parser := d.parser
	if d.raw {
		if len(data) == 0 {
			d.errLayer = layers.LayerTypeIPv4
			return ErrTruncated
		}
		switch data[0] >> 4 {
		case 4:
			parser = d.parser4
		case 6:
			parser = d.parser6
		default:
			d.errLayer = layers.LayerTypeIPv4
			return ErrMalformed
		}
	}
	if parser == nil {
		return ErrUnsupported
	}

	err := parser.DecodeLayers(data, &d.decoded)
	d.fill(p)

	switch {
	case err == ErrTruncated || err == ErrMalformed || err == ErrUnsupported:
		return err
	case err != nil:
		// Not produced by our layers: a recovered panic or an unexpected
		// gopacket error. Neither should happen; never let it escape as
		// anything else than a malformed frame.
		if _, ok := err.(gopacket.UnsupportedLayerType); ok {
			return ErrUnsupported
		}
		if d.errLayer == gopacket.LayerTypeZero && len(d.decoded) > 0 {
			d.errLayer = d.decoded[len(d.decoded)-1]
		}
		return ErrMalformed
	case d.softErr != nil:
		return d.softErr
	case d.unsupported:
		if len(d.decoded) > 0 {
			d.errLayer = d.decoded[len(d.decoded)-1]
		}
		return ErrUnsupported
	case d.want != gopacket.LayerTypeZero:
		// The last layer announced a next layer but left no bytes for it.
		d.errLayer = d.want
		if isTransport(d.want) {
			return d.l4Short()
		}
		return ErrTruncated
	}
	return nil
}

func isTransport(t gopacket.LayerType) bool {
	switch t {
	case layers.LayerTypeTCP, layers.LayerTypeUDP, layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
		return true
	}
	return false
}

// fill copies the decoded layers into p.
func (d *Decoder) fill(p *Packet) {
	var l4payload []byte
	nonFirstFragment := false
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			p.HasEthernet = true
			copy(p.DstMAC[:], d.eth.DstMAC)
			copy(p.SrcMAC[:], d.eth.SrcMAC)
		case layers.LayerTypeARP:
			a := &d.arp
			p.IsARP = true
			p.ARPOp = a.Operation
			if a.Protocol == layers.EthernetTypeIPv4 && a.ProtAddressSize == 4 &&
				len(a.SourceProtAddress) == 4 && len(a.DstProtAddress) == 4 {
				p.ARPSenderIP = netip.AddrFrom4([4]byte(a.SourceProtAddress))
				p.ARPTargetIP = netip.AddrFrom4([4]byte(a.DstProtAddress))
			}
			if a.HwAddressSize == 6 && len(a.SourceHwAddress) == 6 {
				copy(p.ARPSenderMAC[:], a.SourceHwAddress)
			}
		case layers.LayerTypeIPv4:
			ip := &d.ip4.IPv4
			p.IPVersion = 4
			p.Src = netip.AddrFrom4([4]byte(ip.SrcIP))
			p.Dst = netip.AddrFrom4([4]byte(ip.DstIP))
			p.TOS = ip.TOS
			p.TTL = ip.TTL
			p.L4Proto = uint8(ip.Protocol)
			p.Fragment = ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0
			p.FragOffset = ip.FragOffset * 8
			nonFirstFragment = ip.FragOffset != 0
			l4payload = ip.Payload
		case layers.LayerTypeIPv6:
			ip := &d.ip6
			p.IPVersion = 6
			p.Src = netip.AddrFrom16([16]byte(ip.SrcIP))
			p.Dst = netip.AddrFrom16([16]byte(ip.DstIP))
			p.TOS = ip.TrafficClass
			p.TTL = ip.HopLimit
			p.L4Proto = ip.l4proto
			p.Fragment = ip.fragment
			p.FragOffset = ip.fragOffset
			nonFirstFragment = ip.fragOffset != 0
			l4payload = ip.l4payload
		case layers.LayerTypeTCP:
			t := &d.tcp.TCP
			p.HasTransport = true
			p.SrcPort, p.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
			p.TCPFlags = d.tcp.flags
			p.TCPSeq, p.TCPAck = t.Seq, t.Ack
			p.TCPWindow = t.Window
			p.Payload = t.Payload
		case layers.LayerTypeUDP:
			u := &d.udp.UDP
			p.HasTransport = true
			p.SrcPort, p.DstPort = uint16(u.SrcPort), uint16(u.DstPort)
			p.Payload = u.Payload
		case layers.LayerTypeICMPv4:
			i := &d.icmp4
			p.HasTransport = true
			p.ICMPType, p.ICMPCode = i.TypeCode.Type(), i.TypeCode.Code()
			if p.ICMPType == layers.ICMPv4TypeEchoRequest || p.ICMPType == layers.ICMPv4TypeEchoReply {
				p.ICMPID = i.Id
			}
			p.Payload = i.Payload
		case layers.LayerTypeICMPv6:
			i := &d.icmp6
			p.HasTransport = true
			p.ICMPType, p.ICMPCode = i.TypeCode.Type(), i.TypeCode.Code()
			if p.ICMPType == layers.ICMPv6TypeEchoRequest || p.ICMPType == layers.ICMPv6TypeEchoReply {
				p.ICMPID = i.id
			}
			p.Payload = i.payload
		}
	}
	p.VLAN = d.vlan
	if p.IPVersion != 0 && !p.HasTransport && !nonFirstFragment && !isTransport(ipProtoLayer(p.L4Proto, p.IPVersion)) {
		p.Payload = l4payload
	}
	// Len keeps Ethernet trailer padding: the reference counts the frame's
	// original length (see docs/compatibility.md, "Counted bytes").
}

// ipProtoLayer maps the transports we decode to their layer type.
func ipProtoLayer(proto, version uint8) gopacket.LayerType {
	switch proto {
	case uint8(layers.IPProtocolTCP):
		return layers.LayerTypeTCP
	case uint8(layers.IPProtocolUDP):
		return layers.LayerTypeUDP
	case uint8(layers.IPProtocolICMPv4):
		if version == 4 {
			return layers.LayerTypeICMPv4
		}
	case uint8(layers.IPProtocolICMPv6):
		if version == 6 {
			return layers.LayerTypeICMPv6
		}
	}
	return gopacket.LayerTypeZero
}

// enter is called first by every layer: it bounds the depth and clears the
// expectation left by the previous layer.
func (d *Decoder) enter(lt gopacket.LayerType) error {
	d.depth++
	d.want = gopacket.LayerTypeZero
	if d.depth > maxLayers {
		d.errLayer = lt
		return ErrMalformed
	}
	return nil
}

// hard records a failure of layer lt whose own fields are not usable.
func (d *Decoder) hard(err error, lt gopacket.LayerType) error {
	d.errLayer = lt
	return err
}

// soft records a failure of layer lt that still decoded its own fields; the
// parser carries on (the layer stops the chain by announcing no next layer).
func (d *Decoder) soft(err error, lt gopacket.LayerType) {
	if d.softErr == nil {
		d.softErr = err
		d.errLayer = lt
	}
}

// l4Short classifies a transport header that does not fit: truncated when
// the capture cut the IP packet, malformed when the IP packet itself is too
// short for it.
func (d *Decoder) l4Short() error {
	if d.ipCut {
		return ErrTruncated
	}
	return ErrMalformed
}

// offsetOf returns the offset of b, a subslice of the current frame, in it.
func (d *Decoder) offsetOf(b []byte) int { return cap(d.frame) - cap(b) }

// etherNext maps an ethertype to the next layer to decode.
func (d *Decoder) etherNext(t layers.EthernetType) gopacket.LayerType {
	switch t {
	case layers.EthernetTypeIPv4:
		return layers.LayerTypeIPv4
	case layers.EthernetTypeIPv6:
		return layers.LayerTypeIPv6
	case layers.EthernetTypeARP:
		return layers.LayerTypeARP
	case layers.EthernetTypeDot1Q, layers.EthernetTypeQinQ, 0x9100, 0x9200:
		return layers.LayerTypeDot1Q
	case layers.EthernetTypeMPLSUnicast, layers.EthernetTypeMPLSMulticast:
		return layers.LayerTypeMPLS
	case layers.EthernetTypePPPoESession:
		return layers.LayerTypePPPoE
	}
	return d.unsupportedNext()
}

// unsupportedNext records that the payload of the layer being decoded (the
// last one entered) is not dissected.
func (d *Decoder) unsupportedNext() gopacket.LayerType {
	d.unsupported = true
	return gopacket.LayerTypeZero
}
