// Package synth writes synthetic captures with gopacket's serializers and
// keeps the ground truth of what it wrote (frames, bytes, flows), so tests
// derive their expected numbers instead of copying the program's output.
// It also builds the bundled sample capture.
package synth

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// FlowTruth is what was written for one conversation.
type FlowTruth struct {
	Proto                  string // "TCP", "UDP", "ICMP"
	Client, Server         string
	ClientPort, ServerPort uint16
	PacketsC2S, PacketsS2C int
	BytesC2S, BytesS2C     int
	PayloadC2S, PayloadS2C int
	ServerName             string
}

// count records one frame of n bytes carrying payload bytes of payload.
func (ft *FlowTruth) count(fromClient bool, n, payload int) {
	if fromClient {
		ft.PacketsC2S++
		ft.BytesC2S += n
		ft.PayloadC2S += payload
	} else {
		ft.PacketsS2C++
		ft.BytesS2C += n
		ft.PayloadS2C += payload
	}
}

// Writer writes Ethernet frames into a pcap stream.
type Writer struct {
	w     *pcapgo.Writer
	ts    time.Time
	Step  time.Duration
	Flows []*FlowTruth
	// Frames and Bytes count everything written.
	Frames, Bytes int
	// TOS is the IPv4 TOS / IPv6 traffic class byte of the next frames
	// (DSCP << 2).
	TOS  uint8
	macs map[string]net.HardwareAddr
}

// NewWriter starts a pcap stream (Ethernet link type) at time start.
func NewWriter(out io.Writer, start time.Time) (*Writer, error) {
	w := pcapgo.NewWriter(out)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return &Writer{w: w, ts: start, Step: 10 * time.Millisecond, macs: map[string]net.HardwareAddr{}}, nil
}

// mac gives every IP a stable MAC address (remote hosts share the router's).
func (w *Writer) mac(ip string) net.HardwareAddr {
	if m, ok := w.macs[ip]; ok {
		return m
	}
	p := net.ParseIP(ip).To16()
	m := net.HardwareAddr{0x02, 0x00, p[12], p[13], p[14], p[15]}
	w.macs[ip] = m
	return m
}

// SetMAC fixes the MAC used for ip (e.g. a gateway for remote addresses).
func (w *Writer) SetMAC(ip string, m net.HardwareAddr) { w.macs[ip] = m }

// Advance moves the packet clock.
func (w *Writer) Advance(d time.Duration) { w.ts = w.ts.Add(d) }

// Now is the timestamp the next frame gets.
func (w *Writer) Now() time.Time { return w.ts }

func (w *Writer) write(ls ...gopacket.SerializableLayer) (int, error) {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		return 0, err
	}
	data := buf.Bytes()
	ci := gopacket.CaptureInfo{Timestamp: w.ts, CaptureLength: len(data), Length: len(data)}
	if err := w.w.WritePacket(ci, data); err != nil {
		return 0, err
	}
	w.ts = w.ts.Add(w.Step)
	w.Frames++
	w.Bytes += len(data)
	return len(data), nil
}

func (w *Writer) ipLayers(src, dst string, proto layers.IPProtocol) (*layers.Ethernet, gopacket.NetworkLayer, gopacket.SerializableLayer) {
	s, d := net.ParseIP(src), net.ParseIP(dst)
	if s.To4() != nil {
		eth := &layers.Ethernet{SrcMAC: w.mac(src), DstMAC: w.mac(dst), EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, TOS: w.TOS, Protocol: proto, SrcIP: s.To4(), DstIP: d.To4()}
		return eth, ip, ip
	}
	eth := &layers.Ethernet{SrcMAC: w.mac(src), DstMAC: w.mac(dst), EthernetType: layers.EthernetTypeIPv6}
	ip := &layers.IPv6{Version: 6, HopLimit: 64, TrafficClass: w.TOS, NextHeader: proto, SrcIP: s, DstIP: d}
	return eth, ip, ip
}

// ARP writes an ARP request from sender (its own MAC) to the broadcast
// address asking for target.
func (w *Writer) ARP(sender, target string) error {
	eth := &layers.Ethernet{SrcMAC: w.mac(sender), DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP}
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: w.mac(sender), SourceProtAddress: net.ParseIP(sender).To4(),
		DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(target).To4()}
	_, err := w.write(eth, arp)
	return err
}

// TCPSession writes a complete TCP conversation: handshake, the client
// and server payloads alternating (c2s[i] then s2c[i]), each acknowledged,
// and a FIN exchange.
func (w *Writer) TCPSession(cli, srv string, cport, sport uint16, c2s, s2c [][]byte, serverName string) (*FlowTruth, error) {
	ft := &FlowTruth{Proto: "TCP", Client: cli, Server: srv, ClientPort: cport, ServerPort: sport, ServerName: serverName}
	cseq, sseq := uint32(1000), uint32(5000)
	send := func(fromClient bool, flags string, payload []byte) error {
		src, dst, sp, dp, seq, ack := cli, srv, cport, sport, cseq, sseq
		if !fromClient {
			src, dst, sp, dp, seq, ack = srv, cli, sport, cport, sseq, cseq
		}
		n, err := w.TCPSegment(Segment{Src: src, Dst: dst, SrcPort: sp, DstPort: dp, Flags: flags,
			Seq: seq, Ack: ack, Payload: payload})
		if err != nil {
			return err
		}
		adv := uint32(len(payload))
		if strings.ContainsAny(flags, "SF") {
			adv++
		}
		if fromClient {
			cseq += adv
		} else {
			sseq += adv
		}
		ft.count(fromClient, n, len(payload))
		return nil
	}
	type step struct {
		fromClient bool
		flags      string
		payload    []byte
	}
	steps := []step{{true, "S", nil}, {false, "SA", nil}, {true, "A", nil}}
	for i := 0; i < len(c2s) || i < len(s2c); i++ {
		if i < len(c2s) {
			steps = append(steps, step{true, "PA", c2s[i]}, step{false, "A", nil})
		}
		if i < len(s2c) {
			steps = append(steps, step{false, "PA", s2c[i]}, step{true, "A", nil})
		}
	}
	steps = append(steps, step{true, "FA", nil}, step{false, "FA", nil}, step{true, "A", nil})
	for _, s := range steps {
		if err := send(s.fromClient, s.flags, s.payload); err != nil {
			return nil, err
		}
	}
	w.Flows = append(w.Flows, ft)
	return ft, nil
}

// UDPExchange writes one datagram each way per payload pair (a nil reply
// is skipped).
func (w *Writer) UDPExchange(cli, srv string, cport, sport uint16, req, resp []byte, serverName string) (*FlowTruth, error) {
	ft := &FlowTruth{Proto: "UDP", Client: cli, Server: srv, ClientPort: cport, ServerPort: sport, ServerName: serverName}
	for i, p := range [][]byte{req, resp} {
		if p == nil {
			continue
		}
		src, dst, sp, dp := cli, srv, cport, sport
		if i == 1 {
			src, dst, sp, dp = srv, cli, sport, cport
		}
		eth, nl, ip := w.ipLayers(src, dst, layers.IPProtocolUDP)
		udp := &layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}
		_ = udp.SetNetworkLayerForChecksum(nl)
		n, err := w.write(eth, ip, udp, gopacket.Payload(p))
		if err != nil {
			return nil, err
		}
		ft.count(i == 0, n, len(p))
	}
	w.Flows = append(w.Flows, ft)
	return ft, nil
}

// Ping writes an ICMP echo request and its reply.
func (w *Writer) Ping(cli, srv string, id, seq uint16) (*FlowTruth, error) {
	ft := &FlowTruth{Proto: "ICMP", Client: cli, Server: srv}
	data := []byte("synthetic-ping-payload-0123456789")
	for i, t := range []uint8{layers.ICMPv4TypeEchoRequest, layers.ICMPv4TypeEchoReply} {
		src, dst := cli, srv
		if i == 1 {
			src, dst = srv, cli
		}
		eth, _, ip := w.ipLayers(src, dst, layers.IPProtocolICMPv4)
		icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(t, 0), Id: id, Seq: seq}
		n, err := w.write(eth, ip, icmp, gopacket.Payload(data))
		if err != nil {
			return nil, err
		}
		// Echo payloads are not transport payload in the truth's sense.
		ft.count(i == 0, n, 0)
	}
	w.Flows = append(w.Flows, ft)
	return ft, nil
}

// DNSQuery builds a DNS query message for name (type A or AAAA).
func DNSQuery(id uint16, name string, qtype uint16) []byte {
	b := make([]byte, 12, 64)
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[2:], 0x0100) // RD
	binary.BigEndian.PutUint16(b[4:], 1)
	b = appendName(b, name)
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, qtype), 1)
}

// DNSResponse builds a positive answer to DNSQuery with the given IPv4
// addresses.
func DNSResponse(id uint16, name string, addrs ...string) []byte {
	b := DNSQuery(id, name, 1)
	binary.BigEndian.PutUint16(b[2:], 0x8180) // QR, RD, RA
	binary.BigEndian.PutUint16(b[6:], uint16(len(addrs)))
	for _, a := range addrs {
		b = append(b, 0xc0, 12) // pointer to the question name
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint32(b, 300)
		b = binary.BigEndian.AppendUint16(b, 4)
		b = append(b, net.ParseIP(a).To4()...)
	}
	return b
}

func appendName(b []byte, name string) []byte {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			b = append(b, byte(i-start))
			b = append(b, name[start:i]...)
			start = i + 1
		}
	}
	return append(b, 0)
}

// HTTPGet builds a GET request.
func HTTPGet(host, path string) []byte { return HTTPRequest("GET", host, path, "synth/1.0") }

// HTTPRequest builds a request with a method and a User-Agent.
func HTTPRequest(method, host, path, userAgent string) []byte {
	return []byte(fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n", method, path, host, userAgent))
}

// HTTPStatus builds a response with a status code and an n-byte body.
func HTTPStatus(code int, reason string, n int) []byte {
	body := make([]byte, n)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	return append([]byte(fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", code, reason, n)), body...)
}

// HTTPOK builds a 200 response with a body of n bytes.
func HTTPOK(n int) []byte { return HTTPStatus(200, "OK", n) }

// TLSClientHello builds a TLS 1.2 ClientHello record carrying an SNI.
func TLSClientHello(sni string) []byte {
	var ext []byte
	// server_name extension
	name := []byte(sni)
	sn := []byte{0, 0}
	sn = binary.BigEndian.AppendUint16(sn, uint16(len(name)+5))
	sn = binary.BigEndian.AppendUint16(sn, uint16(len(name)+3))
	sn = append(sn, 0)
	sn = binary.BigEndian.AppendUint16(sn, uint16(len(name)))
	sn = append(sn, name...)
	ext = append(ext, sn...)
	body := []byte{0x03, 0x03}
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // session id
	body = append(body, 0, 4, 0x13, 0x01, 0xc0, 0x2f)
	body = append(body, 1, 0) // null compression
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{1, 0, byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 0x03, 0x01}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

// TLSServerData builds an opaque TLS application-data record of n bytes.
func TLSServerData(n int) []byte {
	rec := []byte{0x17, 0x03, 0x03}
	rec = binary.BigEndian.AppendUint16(rec, uint16(n))
	return append(rec, make([]byte, n)...)
}
