package decode_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/decode"
)

var (
	macA = net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	macB = net.HardwareAddr{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}
	ip4A = net.IP{192, 168, 1, 93}
	ip4B = net.IP{8, 241, 92, 250}
	ip6A = net.ParseIP("2001:db8::1")
	ip6B = net.ParseIP("fe80::2")
	ts   = time.Unix(1589741868, 123456000).UTC()
)

func mac6(m net.HardwareAddr) (a [6]byte) { copy(a[:], m); return }
func addr(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		panic(ip)
	}
	return a
}

// rawLayer serializes fixed bytes: headers gopacket cannot serialize
// (Linux SLL/SLL2, IPv6 routing/fragment headers) and payloads.
type rawLayer struct {
	b  []byte
	lt gopacket.LayerType
}

func (r rawLayer) LayerType() gopacket.LayerType { return r.lt }
func (r rawLayer) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	p, err := b.PrependBytes(len(r.b))
	if err != nil {
		return err
	}
	copy(p, r.b)
	return nil
}

func payload(b []byte) rawLayer { return rawLayer{b: b, lt: gopacket.LayerTypePayload} }

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: t}
}

func ipv4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, TOS: 0xb8, TTL: 61, Id: 7, Protocol: proto, SrcIP: ip4A, DstIP: ip4B}
}

func ipv6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, TrafficClass: 0x28, FlowLabel: 0x12345, HopLimit: 254, NextHeader: next, SrcIP: ip6A, DstIP: ip6B}
}

func tcp(nl gopacket.NetworkLayer) *layers.TCP {
	l := &layers.TCP{SrcPort: 61683, DstPort: 443, Seq: 0x01020304, Ack: 0x0a0b0c0d, SYN: true, ACK: true, PSH: true, Window: 29200,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}}
	if err := l.SetNetworkLayerForChecksum(nl); err != nil {
		panic(err)
	}
	return l
}

func udp(nl gopacket.NetworkLayer, sport, dport uint16) *layers.UDP {
	l := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := l.SetNetworkLayerForChecksum(nl); err != nil {
		panic(err)
	}
	return l
}

var hello = []byte("hello, world")

type frameCase struct {
	name    string
	link    layers.LinkType
	frame   []byte
	wire    int // original length; 0: len(frame)
	want    decode.Packet
	wantErr error
}

// tcpWant is the Packet expected for the tcp() header above.
func tcpWant(p decode.Packet) decode.Packet {
	p.HasTransport = true
	p.SrcPort, p.DstPort = 61683, 443
	p.TCPFlags = decode.TCPFlagSYN | decode.TCPFlagACK | decode.TCPFlagPSH
	p.TCPSeq, p.TCPAck, p.TCPWindow = 0x01020304, 0x0a0b0c0d, 29200
	return p
}

func l2(p decode.Packet) decode.Packet {
	p.HasEthernet = true
	p.SrcMAC, p.DstMAC = mac6(macA), mac6(macB)
	return p
}

func v4(p decode.Packet, proto uint8) decode.Packet {
	p.IPVersion = 4
	p.Src, p.Dst = addr(ip4A), addr(ip4B)
	p.TOS, p.TTL, p.L4Proto = 0xb8, 61, proto
	return p
}

func v6(p decode.Packet, proto uint8) decode.Packet {
	p.IPVersion = 6
	p.Src, p.Dst = addr(ip6A), addr(ip6B)
	p.TOS, p.TTL, p.L4Proto = 0x28, 254, proto
	return p
}

// withLen sets the frame length; the counted length equals it, padding
// included (no tunnel is stripped).
func withLen(p decode.Packet, wire int) decode.Packet {
	p.Timestamp = ts
	p.WireLen, p.Len = wire, wire
	return p
}

// sllHeader is a Linux cooked capture v1 header (16 bytes).
func sllHeader(proto layers.EthernetType) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[0:], 0) // to us
	binary.BigEndian.PutUint16(h[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:], 6)
	copy(h[6:], macA)
	binary.BigEndian.PutUint16(h[14:], uint16(proto))
	return h
}

// sll2Header is a Linux cooked capture v2 header (20 bytes).
func sll2Header(proto layers.EthernetType) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], uint16(proto))
	binary.BigEndian.PutUint32(h[4:], 3) // ifindex
	binary.BigEndian.PutUint16(h[8:], 1) // ARPHRD_ETHER
	h[10] = 4                            // outgoing
	h[11] = 6
	copy(h[12:], macA)
	return h
}

// frameCases builds the table shared by the table test, the prefix test,
// the allocation test and the fuzz seeds.
func frameCases(t testing.TB) []frameCase {
	var cs []frameCase
	add := func(c frameCase) {
		if c.wire == 0 {
			c.wire = len(c.frame)
		}
		cs = append(cs, c)
	}

	{ // Ethernet / IPv4 / TCP with payload: 14+20+24+12 = 70 bytes, no padding.
		ip := ipv4(layers.IPProtocolTCP)
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, tcp(ip), payload(hello))
		w := withLen(tcpWant(v4(l2(decode.Packet{}), 6)), 70)
		w.Payload = hello
		add(frameCase{name: "eth-ipv4-tcp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // Ethernet padding: 60-byte frame carrying a 40-byte IPv4 packet; the
		// padding counts (the reference's flow bytes include it).
		ip := ipv4(layers.IPProtocolTCP)
		tl := tcp(ip)
		tl.Options = nil
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, tl)
		if len(f) != 60 {
			t.Fatalf("padded frame is %d bytes", len(f))
		}
		w := withLen(tcpWant(v4(l2(decode.Packet{}), 6)), 60)
		w.Payload = []byte{}
		add(frameCase{name: "eth-padding", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // 802.1Q / IPv4 / UDP, snap length 50 of a 18+20+8+12 = 58 byte frame
		// (+2 bytes of padding to 60).
		ip := ipv4(layers.IPProtocolUDP)
		f := serialize(t, eth(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 100, Priority: 3, Type: layers.EthernetTypeIPv4},
			ip, udp(ip, 5353, 53), payload(hello))
		if len(f) != 60 {
			t.Fatalf("dot1q frame is %d bytes", len(f))
		}
		w := withLen(v4(l2(decode.Packet{}), 17), 60)
		w.VLAN, w.HasTransport, w.SrcPort, w.DstPort = 100, true, 5353, 53
		w.Payload = hello
		add(frameCase{name: "dot1q-ipv4-udp", link: layers.LinkTypeEthernet, frame: f, want: w})
		w2 := w
		w2.Payload = hello[:50-18-28]
		add(frameCase{name: "dot1q-ipv4-udp-snap50", link: layers.LinkTypeEthernet, frame: f[:50], wire: 60, want: w2})
	}
	{ // QinQ: 802.1ad outer tag 200, inner 100 / IPv6 / UDP.
		ip := ipv6(layers.IPProtocolUDP)
		f := serialize(t, eth(layers.EthernetTypeQinQ),
			&layers.Dot1Q{VLANIdentifier: 200, Type: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv6},
			ip, udp(ip, 546, 547), payload(hello))
		n := 14 + 8 + 40 + 8 + len(hello)
		w := withLen(v6(l2(decode.Packet{}), 17), n)
		w.VLAN, w.HasTransport, w.SrcPort, w.DstPort = 200, true, 546, 547
		w.Payload = hello
		add(frameCase{name: "qinq-ipv6-udp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // ICMPv4 echo request.
		ip := ipv4(layers.IPProtocolICMPv4)
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip,
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 0x1234, Seq: 9}, payload(hello))
		w := withLen(v4(l2(decode.Packet{}), 1), 60)
		w.HasTransport, w.ICMPType, w.ICMPCode, w.ICMPID = true, 8, 0, 0x1234
		w.Payload = hello
		add(frameCase{name: "icmpv4-echo", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // ICMPv4 port unreachable: ICMPID stays 0.
		ip := ipv4(layers.IPProtocolICMPv4)
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip,
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3), Id: 0x1234}, payload(hello))
		w := withLen(v4(l2(decode.Packet{}), 1), 60)
		w.HasTransport, w.ICMPType, w.ICMPCode = true, 3, 3
		w.Payload = hello
		add(frameCase{name: "icmpv4-unreach", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // ICMPv6 echo reply.
		ip := ipv6(layers.IPProtocolICMPv6)
		ic := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(129, 0)}
		if err := ic.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		f := serialize(t, eth(layers.EthernetTypeIPv6), ip, ic, &layers.ICMPv6Echo{Identifier: 0xbeef, SeqNumber: 1}, payload(hello))
		n := 14 + 40 + 8 + len(hello)
		w := withLen(v6(l2(decode.Packet{}), 58), n)
		w.HasTransport, w.ICMPType, w.ICMPID = true, 129, 0xbeef
		w.Payload = hello
		add(frameCase{name: "icmpv6-echo", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv6 + hop-by-hop + routing + fragment (first, M=1) + destination options / TCP.
		ip := ipv6(layers.IPProtocolIPv6HopByHop)
		hbh := &layers.IPv6HopByHop{}
		hbh.NextHeader = layers.IPProtocolIPv6Routing
		hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 1, OptionData: make([]byte, 4)}} // PadN
		routing := rawLayer{b: []byte{byte(layers.IPProtocolIPv6Fragment), 0, 0, 0, 0, 0, 0, 0}, lt: layers.LayerTypeIPv6Routing}
		frag := rawLayer{b: []byte{byte(layers.IPProtocolIPv6Destination), 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef}, lt: layers.LayerTypeIPv6Fragment}
		dst := &layers.IPv6Destination{}
		dst.NextHeader = layers.IPProtocolTCP
		dst.Options = []*layers.IPv6DestinationOption{{OptionType: 1, OptionData: make([]byte, 4)}}
		tl := tcp(ip)
		f := serialize(t, eth(layers.EthernetTypeIPv6), ip, hbh, routing, frag, dst, tl, payload(hello))
		n := 14 + 40 + 8*4 + 24 + len(hello)
		if len(f) != n {
			t.Fatalf("ipv6 ext frame: %d bytes, want %d", len(f), n)
		}
		w := withLen(tcpWant(v6(l2(decode.Packet{}), 6)), n)
		w.Fragment = true
		w.Payload = hello
		add(frameCase{name: "ipv6-ext-tcp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv6 payload length 0 (captured before segmentation offload).
		ip := ipv6(layers.IPProtocolTCP)
		f := serialize(t, eth(layers.EthernetTypeIPv6), ip, tcp(ip), payload(hello))
		binary.BigEndian.PutUint16(f[14+4:], 0)
		n := 14 + 40 + 24 + len(hello)
		w := withLen(tcpWant(v6(l2(decode.Packet{}), 6)), n)
		w.Payload = hello
		add(frameCase{name: "ipv6-tso-length0", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv4 total length 0 (captured before segmentation offload).
		ip := ipv4(layers.IPProtocolTCP)
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, tcp(ip), payload(hello))
		binary.BigEndian.PutUint16(f[14+2:], 0)
		w := withLen(tcpWant(v4(l2(decode.Packet{}), 6)), 70)
		w.Payload = hello
		add(frameCase{name: "ipv4-tso-length0", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv6 non-first fragment: offset 1448, no transport decoding.
		ip := ipv6(layers.IPProtocolIPv6Fragment)
		frag := rawLayer{b: []byte{byte(layers.IPProtocolUDP), 0, 0x05, 0xa8, 0, 0, 0, 1}, lt: layers.LayerTypeIPv6Fragment}
		f := serialize(t, eth(layers.EthernetTypeIPv6), ip, frag, payload(hello))
		n := 14 + 40 + 8 + len(hello)
		w := withLen(v6(l2(decode.Packet{}), 17), n)
		w.Fragment, w.FragOffset = true, 1448
		add(frameCase{name: "ipv6-frag-nonfirst", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv4 first fragment (MF) with UDP header.
		ip := ipv4(layers.IPProtocolUDP)
		ip.Flags = layers.IPv4MoreFragments
		u := udp(ip, 1024, 2049)
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, u, payload(bytes.Repeat([]byte{7}, 40)))
		n := 14 + 20 + 8 + 40
		w := withLen(v4(l2(decode.Packet{}), 17), n)
		w.Fragment, w.HasTransport, w.SrcPort, w.DstPort = true, true, 1024, 2049
		w.Payload = bytes.Repeat([]byte{7}, 40)
		add(frameCase{name: "ipv4-frag-first", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv4 non-first fragment: offset 185*8 = 1480, last fragment.
		ip := ipv4(layers.IPProtocolUDP)
		ip.FragOffset = 185
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, payload(bytes.Repeat([]byte{7}, 40)))
		n := 14 + 20 + 40
		w := withLen(v4(l2(decode.Packet{}), 17), n)
		w.Fragment, w.FragOffset = true, 1480
		add(frameCase{name: "ipv4-frag-last", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // IPv4 with options (router alert) / UDP.
		ip := ipv4(layers.IPProtocolUDP)
		ip.Options = []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}}
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, udp(ip, 1900, 1900), payload(hello))
		w := withLen(v4(l2(decode.Packet{}), 17), 60)
		w.HasTransport, w.SrcPort, w.DstPort = true, 1900, 1900
		w.Payload = hello
		add(frameCase{name: "ipv4-options-udp", link: layers.LinkTypeEthernet, frame: f, want: w})

		// Same frame with an invalid option length (2): gopacket rejects the
		// option, the decoder ignores options and keeps going.
		g := append([]byte(nil), f...)
		g[14+21] = 2
		add(frameCase{name: "ipv4-bad-option-udp", link: layers.LinkTypeEthernet, frame: g, want: w})
	}
	{ // ARP request.
		a := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: make([]byte, 6), DstProtAddress: ip4B}
		f := serialize(t, eth(layers.EthernetTypeARP), a)
		w := withLen(l2(decode.Packet{}), 60) // ARP is not IP: no padding removed
		w.IsARP, w.ARPOp = true, 1
		w.ARPSenderIP, w.ARPTargetIP, w.ARPSenderMAC = addr(ip4A), addr(ip4B), mac6(macA)
		add(frameCase{name: "arp-request", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // MPLS, two labels / IPv4 / UDP.
		ip := ipv4(layers.IPProtocolUDP)
		f := serialize(t, eth(layers.EthernetTypeMPLSUnicast),
			&layers.MPLS{Label: 100, TTL: 64}, &layers.MPLS{Label: 200, StackBottom: true, TTL: 64},
			ip, udp(ip, 4789, 53), payload(hello))
		n := 14 + 8 + 20 + 8 + len(hello)
		w := withLen(v4(l2(decode.Packet{}), 17), n)
		w.HasTransport, w.SrcPort, w.DstPort = true, 4789, 53
		w.Payload = hello
		add(frameCase{name: "mpls-ipv4-udp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // MPLS / IPv6 / TCP.
		ip := ipv6(layers.IPProtocolTCP)
		f := serialize(t, eth(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 16, StackBottom: true, TTL: 1}, ip, tcp(ip))
		n := 14 + 4 + 40 + 24
		w := withLen(tcpWant(v6(l2(decode.Packet{}), 6)), n)
		w.Payload = []byte{}
		add(frameCase{name: "mpls-ipv6-tcp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // PPPoE session / PPP / IPv4 / TCP.
		ip := ipv4(layers.IPProtocolTCP)
		f := serialize(t, eth(layers.EthernetTypePPPoESession),
			&layers.PPPoE{Version: 1, Type: 1, Code: layers.PPPoECodeSession, SessionId: 0x11},
			&layers.PPP{PPPType: layers.PPPTypeIPv4}, ip, tcp(ip), payload(hello))
		n := 14 + 6 + 2 + 20 + 24 + len(hello)
		w := withLen(tcpWant(v4(l2(decode.Packet{}), 6)), n)
		w.Payload = hello
		add(frameCase{name: "pppoe-ipv4-tcp", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // PPPoE discovery: unsupported.
		f := serialize(t, eth(layers.EthernetTypePPPoEDiscovery),
			&layers.PPPoE{Version: 1, Type: 1, Code: layers.PPPoECodePADI}, payload([]byte{1, 1, 0, 0}))
		add(frameCase{name: "pppoe-discovery", link: layers.LinkTypeEthernet, frame: f, want: withLen(l2(decode.Packet{}), 60), wantErr: decode.ErrUnsupported})
	}
	{ // LLDP: unsupported ethertype, still an Ethernet frame.
		f := serialize(t, eth(layers.EthernetTypeLinkLayerDiscovery), payload(bytes.Repeat([]byte{2}, 50)))
		add(frameCase{name: "lldp", link: layers.LinkTypeEthernet, frame: f, want: withLen(l2(decode.Packet{}), 64), wantErr: decode.ErrUnsupported})
	}
	{ // GRE inside IPv4: another IP protocol, Payload is the IP payload.
		ip := ipv4(layers.IPProtocolGRE)
		gre := []byte{0, 0, 0x08, 0x00, 0x45, 0, 0, 20}
		f := serialize(t, eth(layers.EthernetTypeIPv4), ip, payload(gre))
		w := withLen(v4(l2(decode.Packet{}), 47), 60)
		w.Payload = gre
		add(frameCase{name: "ipv4-gre", link: layers.LinkTypeEthernet, frame: f, want: w})
	}
	{ // Linux cooked capture / IPv4 / UDP.
		ip := ipv4(layers.IPProtocolUDP)
		f := serialize(t, rawLayer{b: sllHeader(layers.EthernetTypeIPv4), lt: layers.LayerTypeLinuxSLL}, ip, udp(ip, 123, 123), payload(hello))
		n := 16 + 20 + 8 + len(hello)
		w := withLen(v4(decode.Packet{}, 17), n)
		w.HasTransport, w.SrcPort, w.DstPort = true, 123, 123
		w.Payload = hello
		add(frameCase{name: "sll-ipv4-udp", link: layers.LinkTypeLinuxSLL, frame: f, want: w})
	}
	{ // Linux cooked capture v2 / IPv6 / TCP.
		ip := ipv6(layers.IPProtocolTCP)
		f := serialize(t, rawLayer{b: sll2Header(layers.EthernetTypeIPv6), lt: decode.LayerTypeLinuxSLL2}, ip, tcp(ip), payload(hello))
		n := 20 + 40 + 24 + len(hello)
		w := withLen(tcpWant(v6(decode.Packet{}, 6)), n)
		w.Payload = hello
		add(frameCase{name: "sll2-ipv6-tcp", link: decode.LinkTypeLinuxSLL2, frame: f, want: w})
	}
	{ // Linux cooked capture / ARP.
		a := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPReply, SourceHwAddress: macB, SourceProtAddress: ip4B, DstHwAddress: macA, DstProtAddress: ip4A}
		f := serialize(t, rawLayer{b: sllHeader(layers.EthernetTypeARP), lt: layers.LayerTypeLinuxSLL}, a)
		w := withLen(decode.Packet{}, 16+28)
		w.IsARP, w.ARPOp = true, 2
		w.ARPSenderIP, w.ARPTargetIP, w.ARPSenderMAC = addr(ip4B), addr(ip4A), mac6(macB)
		add(frameCase{name: "sll-arp", link: layers.LinkTypeLinuxSLL, frame: f, want: w})
	}
	{ // Raw IPv4 and IPv6 link types.
		ip := ipv4(layers.IPProtocolUDP)
		f := serialize(t, ip, udp(ip, 53, 40000), payload(hello))
		n := 20 + 8 + len(hello)
		w := withLen(v4(decode.Packet{}, 17), n)
		w.HasTransport, w.SrcPort, w.DstPort = true, 53, 40000
		w.Payload = hello
		for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeIPv4, 12, 14} {
			add(frameCase{name: fmt.Sprintf("raw%d-ipv4-udp", lt), link: lt, frame: f, want: w})
		}
		ip6 := ipv6(layers.IPProtocolTCP)
		g := serialize(t, ip6, tcp(ip6))
		w6 := withLen(tcpWant(v6(decode.Packet{}, 6)), 64)
		w6.Payload = []byte{}
		for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeIPv6} {
			add(frameCase{name: fmt.Sprintf("raw%d-ipv6-tcp", lt), link: lt, frame: g, want: w6})
		}
	}
	{ // BSD loopback (DLT_NULL, host byte order) / IPv4 / TCP.
		ip := ipv4(layers.IPProtocolTCP)
		f := serialize(t, &layers.Loopback{Family: layers.ProtocolFamilyIPv4}, ip, tcp(ip), payload(hello))
		n := 4 + 20 + 24 + len(hello)
		w := withLen(tcpWant(v4(decode.Packet{}, 6)), n)
		w.Payload = hello
		add(frameCase{name: "null-ipv4-tcp", link: layers.LinkTypeNull, frame: f, want: w})
	}
	{ // Errors that keep partial information.
		ip := ipv4(layers.IPProtocolTCP)
		full := serialize(t, eth(layers.EthernetTypeIPv4), ip, tcp(ip), payload(hello))

		// TCP header cut by the snap length: IP fields valid, no transport.
		w := withLen(v4(l2(decode.Packet{}), 6), 70)
		add(frameCase{name: "tcp-snapped", link: layers.LinkTypeEthernet, frame: full[:14+20+10], wire: 70, want: w, wantErr: decode.ErrTruncated})

		// IP version 5 under ethertype IPv4: L2 fields only.
		g := append([]byte(nil), full...)
		g[14] = 0x55
		add(frameCase{name: "ipv4-bad-version", link: layers.LinkTypeEthernet, frame: g, want: withLen(l2(decode.Packet{}), 70), wantErr: decode.ErrMalformed})

		// TCP data offset 3: ports and flags are known, the header is not.
		h := append([]byte(nil), full...)
		h[14+20+12] = 3 << 4
		wt := tcpWant(v4(l2(decode.Packet{}), 6))
		wt = withLen(wt, 70)
		add(frameCase{name: "tcp-bad-offset", link: layers.LinkTypeEthernet, frame: h, want: wt, wantErr: decode.ErrMalformed})

		// IPv4 total length shorter than the header + TCP: malformed.
		k := append([]byte(nil), full...)
		binary.BigEndian.PutUint16(k[14+2:], 30)
		wk := withLen(v4(l2(decode.Packet{}), 6), 70)
		add(frameCase{name: "ipv4-short-total", link: layers.LinkTypeEthernet, frame: k, want: wk, wantErr: decode.ErrMalformed})

		// Ethernet header only.
		add(frameCase{name: "eth-only", link: layers.LinkTypeEthernet, frame: full[:14], wire: 70, want: withLen(l2(decode.Packet{}), 70), wantErr: decode.ErrTruncated})

		// Unknown link type.
		add(frameCase{name: "unknown-link", link: layers.LinkTypeIEEE802_11, frame: full, want: withLen(decode.Packet{}, 70), wantErr: decode.ErrUnsupported})
	}
	return cs
}

func ci(c frameCase) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(c.frame), Length: c.wire}
}

// equalPacket compares two Packets, Payload by content (nil == empty).
func equalPacket(a, b decode.Packet) bool {
	if !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	a.Payload, b.Payload = nil, nil
	return reflect.DeepEqual(a, b)
}

func TestDecodeTable(t *testing.T) {
	for _, c := range frameCases(t) {
		t.Run(c.name, func(t *testing.T) {
			d := decode.NewDecoder(c.link)
			var p decode.Packet
			// Pre-fill p to check that Decode resets it.
			p.VLAN, p.IsARP, p.Payload, p.ICMPID = 4095, true, []byte{1}, 77
			err := d.Decode(c.frame, ci(c), &p)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
				t.Fatalf("err = %v (layer %v), want %v", err, d.ErrorLayer(), c.wantErr)
			}
			if !equalPacket(p, c.want) {
				t.Errorf("decoded (layers %v)\n got  %+v\n want %+v", d.Decoded(), p, c.want)
			}
			// Decoding again with the same Decoder gives the same result.
			var q decode.Packet
			if err2 := d.Decode(c.frame, ci(c), &q); err2 != err || !equalPacket(p, q) {
				t.Errorf("second decode differs: %v %+v", err2, q)
			}
		})
	}
}

// TestDecodePrefixes decodes every prefix of every table frame (as a snap
// length would cut it): no panic, only sentinel errors, and whatever is
// decoded agrees with the full decode.
func TestDecodePrefixes(t *testing.T) {
	for _, c := range frameCases(t) {
		d := decode.NewDecoder(c.link)
		var full decode.Packet
		_ = d.Decode(c.frame, ci(c), &full)
		for n := 0; n <= len(c.frame); n++ {
			// Copy into an exact-size buffer so that reading past the end
			// would be caught by the bounds checks.
			b := append(make([]byte, 0, n), c.frame[:n]...)
			var p decode.Packet
			err := d.Decode(b, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: n, Length: c.wire}, &p)
			if err != nil && err != decode.ErrTruncated && err != decode.ErrMalformed && err != decode.ErrUnsupported {
				t.Fatalf("%s[:%d]: unexpected error %v", c.name, n, err)
			}
			if p.WireLen != c.wire || p.Len > p.WireLen || p.Len < 0 {
				t.Fatalf("%s[:%d]: WireLen %d Len %d", c.name, n, p.WireLen, p.Len)
			}
			if p.HasEthernet && (p.SrcMAC != full.SrcMAC || p.DstMAC != full.DstMAC || (p.VLAN != 0 && p.VLAN != full.VLAN)) {
				t.Fatalf("%s[:%d]: L2 %+v vs %+v", c.name, n, p, full)
			}
			if p.IPVersion != 0 && (p.Src != full.Src || p.Dst != full.Dst || p.Len != full.Len || (err == nil && p.L4Proto != full.L4Proto)) {
				t.Fatalf("%s[:%d]: IP %+v vs %+v", c.name, n, p, full)
			}
			if p.HasTransport && (p.SrcPort != full.SrcPort || p.DstPort != full.DstPort || p.ICMPType != full.ICMPType) {
				t.Fatalf("%s[:%d]: L4 %+v vs %+v", c.name, n, p, full)
			}
			if n < len(c.frame) && err == nil && !bytes.HasPrefix(full.Payload, p.Payload) {
				t.Fatalf("%s[:%d]: payload %x not a prefix of %x", c.name, n, p.Payload, full.Payload)
			}
		}
	}
}

func TestDecodeAllocs(t *testing.T) {
	cs := frameCases(t)
	decoders := map[layers.LinkType]*decode.Decoder{}
	for _, c := range cs {
		if decoders[c.link] == nil {
			decoders[c.link] = decode.NewDecoder(c.link)
		}
	}
	var p decode.Packet
	allocs := testing.AllocsPerRun(200, func() {
		for _, c := range cs {
			_ = decoders[c.link].Decode(c.frame, ci(c), &p)
		}
	})
	if allocs != 0 {
		for _, c := range cs {
			if a := testing.AllocsPerRun(10, func() { _ = decoders[c.link].Decode(c.frame, ci(c), &p) }); a != 0 {
				t.Errorf("%s: %v allocs", c.name, a)
			}
		}
		t.Fatalf("Decode allocates %v times per round of %d frames", allocs, len(cs))
	}
	// Every prefix as well (the error paths).
	allocs = testing.AllocsPerRun(20, func() {
		for _, c := range cs {
			for n := 0; n <= len(c.frame); n++ {
				_ = decoders[c.link].Decode(c.frame[:n], ci(c), &p)
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("Decode of truncated frames allocates %v times per round", allocs)
	}
}

func TestDecodeIPv6Jumbo(t *testing.T) {
	// Payload length 0 with a hop-by-hop header: jumbogram, no padding guessed.
	ip := ipv6(layers.IPProtocolIPv6HopByHop)
	f := serialize(t, eth(layers.EthernetTypeIPv6), ip,
		rawLayer{b: []byte{17, 0, 0xc2, 4, 0, 0, 0, 0}, lt: layers.LayerTypeIPv6HopByHop},
		rawLayer{b: []byte{0, 53, 0, 53, 0, 0, 0, 0}, lt: layers.LayerTypeUDP})
	binary.BigEndian.PutUint16(f[14+4:], 0)
	d := decode.NewDecoder(layers.LinkTypeEthernet)
	var p decode.Packet
	if err := d.Decode(f, gopacket.CaptureInfo{Length: len(f) + 10}, &p); err != nil {
		t.Fatal(err)
	}
	if p.L4Proto != 17 || p.SrcPort != 53 || p.Len != len(f)+10 {
		t.Fatalf("%+v", p)
	}
}

func TestDecodeDepthLimit(t *testing.T) {
	// 100 nested 802.1Q tags: bounded, malformed, outermost tag kept.
	f := append([]byte(nil), macB...)
	f = append(f, macA...)
	for i := 0; i < 100; i++ {
		f = append(f, 0x81, 0x00, 0x00, byte(i+1))
	}
	f = append(f, 0x08, 0x00)
	d := decode.NewDecoder(layers.LinkTypeEthernet)
	var p decode.Packet
	err := d.Decode(f, gopacket.CaptureInfo{Length: len(f)}, &p)
	if err != decode.ErrMalformed || p.VLAN != 1 || !p.HasEthernet {
		t.Fatalf("err %v packet %+v", err, p)
	}
}
