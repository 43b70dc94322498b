package dpi

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// Addresses of the test flows (documentation ranges, in no address table).
var (
	netCli = netip.MustParseAddr("192.0.2.10")
	netSrv = netip.MustParseAddr("198.51.100.20")
)

// netFlow drives one flow through a fresh engine.
type netFlow struct {
	t            *testing.T
	r            *Registry
	e            *Engine
	st           State
	l4           uint8
	cli          netip.Addr
	cport, sport uint16
}

func newNetFlow(t *testing.T, l4 uint8, cport, sport uint16) *netFlow {
	t.Helper()
	r := NewRegistry()
	return &netFlow{t: t, r: r, e: NewEngine(r, nil), l4: l4, cli: netCli, cport: cport, sport: sport}
}

// send inspects one packet in direction dir.
func (f *netFlow) send(dir Direction, payload []byte) *netFlow {
	p := &Packet{L4Proto: f.l4, Src: f.cli, Dst: netSrv, SrcPort: f.cport, DstPort: f.sport, Dir: dir, Payload: payload}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = netSrv, f.cli, f.sport, f.cport
	}
	f.e.Inspect(&f.st, p)
	return f
}

// expect checks the label found by DPI. "!X" means that DPI did not find
// X (alone or in a pair): another dissector may claim a near miss, and a
// given-up flow may be guessed from its port.
func (f *netFlow) expect(want string) {
	f.t.Helper()
	got := f.r.Name(f.st.Result)
	dpi := f.st.Result.Confidence == ConfidenceDPI
	if not, ok := strings.CutPrefix(want, "!"); ok {
		if dpi && (got == not || strings.HasPrefix(got, not+".") || strings.HasSuffix(got, "."+not)) {
			f.t.Errorf("labelled %q by DPI", got)
		}
		return
	}
	if got != want || !dpi {
		f.t.Errorf("got %q (confidence %d), want %q", got, f.st.Result.Confidence, want)
	}
}

// netOne classifies a one-packet flow from the client.
func netOne(t *testing.T, l4 uint8, cport, sport uint16, payload []byte, want string) {
	t.Helper()
	f := newNetFlow(t, l4, cport, sport)
	f.send(ClientToServer, payload)
	f.expect(want)
}

func netCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func netBE16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

func netBE32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// netbiosName is the first-level encoding of a NetBIOS name (padded to 15
// characters with spaces, then the suffix byte): length 32, two letters
// 'A'+nibble per byte, and the root label.
func netbiosName(name string, suffix byte) []byte {
	raw := []byte(name + "               ")[:15]
	raw = append(raw, suffix)
	out := []byte{32}
	for _, c := range raw {
		out = append(out, 'A'+c>>4, 'A'+c&0xf)
	}
	return append(out, 0)
}

func TestNetProtocolNames(t *testing.T) {
	r := NewRegistry()
	for id, want := range map[ProtoID]string{
		netProtoSMBv1: "SMBv1", netProtoSMBv23: "SMBv23", protoSSDP: "SSDP", protoDHCPv6: "DHCPV6",
		protoSNMP: "SNMP", protoKerberos: "Kerberos", protoLDAP: "LDAP", protoSyslog: "Syslog",
		protoTFTP: "TFTP", protoBGP: "BGP", protoNestLogSink: "NestLogSink", protoRadius: "Radius",
		protoRX: "RX", protoHPVirtGrp: "HP_VIRTGRP", protoTPLinkSHP: "TPLINK_SHP",
		protoCollectd: "collectd", protoCAN: "Controller_Area_Network", protoRipeAtlas: "RipeAtlas",
		protoXiaomi: "Xiaomi", protoRoughtime: "Roughtime", protoLDP: "LDP", protoCeph: "Ceph",
		protoUFTP: "UFTP", protoHARTIP: "HART-IP", protoFINS: "FINS", protoIEEEC37118: "IEEE-C37118",
		protoIEC62056: "IEC62056", protoCorba: "Corba", protoATG: "ATG",
		protoSLP: "Service_Location_Protocol", protoJRMI: "JRMI", protoOpenFlow: "OpenFlow",
		protoKismet: "Kismet", protoCPHA: "CPHA", protoRTPS: "RTPS", protoMPEGTS: "MPEG_TS",
		protoBeckhoffADS: "BeckhoffADS", protoProtobuf: "Protobuf", protoModbus: "Modbus",
		protoS7Comm: "S7Comm", protoS7CommPlus: "S7CommPlus", protoUMAS: "UMAS",
		protoMMS: "ISO9506-1-MMS", protoDNP3: "DNP3", protoSOAP: "SOAP",
	} {
		if p := r.Protocol(id); p == nil || p.Name != want {
			t.Errorf("protocol %d: %+v, want %s", id, p, want)
		}
	}
}

func TestNetNetBIOS(t *testing.T) {
	// Name query for WORKGROUP<1d> to port 137.
	query := netCat(
		[]byte{0x80, 0x01},             // transaction id
		[]byte{0x01, 0x10},             // flags: query, recursion desired, broadcast
		[]byte{0, 1, 0, 0, 0, 0, 0, 0}, // 1 question, no answer/authority/additional
		netbiosName("WORKGROUP", 0x1d),
		[]byte{0x00, 0x20, 0x00, 0x01}, // type NB, class IN
	)
	f := newNetFlow(t, 17, 137, 137)
	f.send(ClientToServer, query)
	f.expect("NetBIOS")
	if f.st.ServerName != "workgroup" {
		t.Errorf("server name %q", f.st.ServerName)
	}
	// The same with a name that is not first-level encoded ('Z').
	bad := bytes.Clone(query)
	bad[13] = 'Z'
	netOne(t, 17, 137, 137, bad, "!NetBIOS")

	// Direct group datagram to port 138 from 192.0.2.10 carrying an SMB
	// mailslot message (browser announcement).
	smb := netCat([]byte{0xff, 'S', 'M', 'B', 0x25}, make([]byte, 27))
	body := netCat(netbiosName("HOST", 0x00), netbiosName("WORKGROUP", 0x1d), smb)
	dgm := netCat(
		[]byte{0x11, 0x02},    // direct group datagram, flags
		[]byte{0x12, 0x34},    // datagram id
		[]byte{192, 0, 2, 10}, // source address: the sender's
		[]byte{0x00, 0x8a},    // source port 138
		netBE16(len(body)),    // datagram length
		[]byte{0x00, 0x00},    // packet offset
		body,
	)
	f = newNetFlow(t, 17, 138, 138)
	f.send(ClientToServer, dgm)
	f.expect("NetBIOS.SMBv1")
	if f.st.ServerName != "host" {
		t.Errorf("server name %q", f.st.ServerName)
	}
	// A source address that is not the sender's.
	bad = bytes.Clone(dgm)
	bad[7] = 11
	netOne(t, 17, 138, 138, bad, "!NetBIOS")

	// Session request to TCP 139 (called and calling names), and a session
	// message with SMB2.
	req := netCat([]byte{0x81, 0x00, 0x00, 0x44}, netbiosName("SERVER", 0x20), netbiosName("CLIENT", 0))
	netOne(t, 6, 50000, 139, req, "NetBIOS")
	smb2 := netCat([]byte{0x00, 0x00, 0x00, 0x44, 0xfe, 'S', 'M', 'B'}, make([]byte, 64))
	netOne(t, 6, 50000, 139, smb2, "NetBIOS.SMBv23")
	netOne(t, 6, 50000, 139, []byte{0x81, 0x00, 0x00, 0x10, 1, 2, 3, 4}, "!NetBIOS")
}

func TestNetSSDP(t *testing.T) {
	search := []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n" +
		"MX: 1\r\nST: urn:dial-multiscreen-org:service:dial:1\r\nUSER-AGENT: Chrome/77\r\n\r\n")
	f := newNetFlow(t, 17, 57547, 1900)
	f.send(ClientToServer, search)
	f.expect("SSDP")
	if f.st.ServerName != "239.255.255.250:1900" || f.st.HTTPUserAgent != "Chrome/77" {
		t.Errorf("headers: %q %q", f.st.ServerName, f.st.HTTPUserAgent)
	}
	// The unicast answer, between two ephemeral ports.
	netOne(t, 17, 38616, 61328, []byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\n\r\n"), "SSDP")
	// Another request method.
	netOne(t, 17, 57547, 1900, []byte("GET * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n"), "!SSDP")
}

// netDHCP is a DHCP DISCOVER: the BOOTP header, the magic cookie and the
// options message type, host name "Laptop-1" and end.
func netDHCP() []byte {
	b := make([]byte, 236)
	b[0], b[1], b[2] = 1, 1, 6                                   // op request, htype Ethernet, hlen 6
	copy(b[4:], []byte{0xde, 0xad, 0xbe, 0xef})                  // xid
	copy(b[28:], []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55})     // chaddr
	b = append(b, 0x63, 0x82, 0x53, 0x63)                        // magic cookie
	b = append(b, 53, 1, 1)                                      // DHCP message type: DISCOVER
	b = append(b, 12, 8, 'L', 'a', 'p', 't', 'o', 'p', '-', '1') // host name
	return append(b, 255)                                        // end
}

func TestNetDHCP(t *testing.T) {
	f := newNetFlow(t, 17, 68, 67)
	f.send(ClientToServer, netDHCP())
	f.expect("DHCP")
	if f.st.ServerName != "laptop-1" {
		t.Errorf("host name %q", f.st.ServerName)
	}
	bad := netDHCP()
	bad[239] = 0x64 // wrong cookie
	netOne(t, 17, 68, 67, bad, "!DHCP")
	// The right message on other ports is left alone (nDPI's rule).
	netOne(t, 17, 5000, 6000, netDHCP(), "!DHCP")

	// DHCPv6 SOLICIT (type 1, transaction id, an elapsed-time option).
	solicit := []byte{0x01, 0x12, 0x34, 0x56, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00}
	netOne(t, 17, 546, 547, solicit, "DHCPV6")
	netOne(t, 17, 546, 547, []byte{0x7f, 0x12, 0x34, 0x56}, "!DHCPV6")
}

func TestNetNTP(t *testing.T) {
	// NTPv4 client request: LI 0, version 4, mode 3, then 47 bytes.
	req := append([]byte{0x23, 0x00, 0x06, 0xec}, make([]byte, 44)...)
	netOne(t, 17, 50000, 123, req, "NTP")
	// Version 7 does not exist.
	bad := bytes.Clone(req)
	bad[0] = 0x3b
	netOne(t, 17, 50000, 123, bad, "!NTP")
}

func TestNetSNMP(t *testing.T) {
	// GetRequest v2c, community "public", one varbind sysDescr.0 = NULL.
	get := []byte{
		0x30, 0x29, // SEQUENCE
		0x02, 0x01, 0x01, // version v2c
		0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', // community
		0xa0, 0x1c, // GetRequest PDU
		0x02, 0x04, 0x12, 0x34, 0x56, 0x78, // request id
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00, // error status, index
		0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0, 0x05, 0x00, // varbinds
	}
	netOne(t, 17, 50000, 161, get, "SNMP")
	bad := bytes.Clone(get)
	bad[4] = 0x02 // version 3 with a v2c body
	netOne(t, 17, 50000, 161, bad, "!SNMP")
}

func TestNetKerberos(t *testing.T) {
	// AS-REQ skeleton: [APPLICATION 10] SEQUENCE { pvno [1] 5,
	// msg-type [2] 10, req-body [4] ... }.
	asReq := []byte{
		0x6a, 0x12, 0x30, 0x10,
		0xa1, 0x03, 0x02, 0x01, 0x05, // pvno 5
		0xa2, 0x03, 0x02, 0x01, 0x0a, // msg-type 10
		0xa4, 0x04, 0x30, 0x02, 0x05, 0x00, // req-body (truncated)
	}
	netOne(t, 17, 50000, 88, asReq, "Kerberos")
	// Over TCP behind the record length.
	netOne(t, 6, 50000, 88, netCat(netBE32(len(asReq)), asReq), "Kerberos")
	// KRB-ERROR tag with the AS-REQ body: the message type disagrees.
	bad := bytes.Clone(asReq)
	bad[0] = 0x7e
	netOne(t, 17, 50000, 88, bad, "!Kerberos")
}

func TestNetLDAP(t *testing.T) {
	// BindRequest: messageID 1, version 3, name "", simple "".
	bind := []byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00}
	netOne(t, 6, 50000, 389, bind, "LDAP")
	netOne(t, 17, 50000, 389, bind, "LDAP") // CLDAP
	bad := bytes.Clone(bind)
	bad[5] = 0x04 // an OCTET STRING is no protocolOp
	netOne(t, 6, 50000, 389, bad, "!LDAP")
}

func TestNetSyslog(t *testing.T) {
	netOne(t, 17, 50000, 514, []byte("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"), "Syslog")
	netOne(t, 6, 50000, 514, []byte("<167>2016-05-24T09:50:52.926451+02:00 ldap01 slapd[1]: conn=1"), "Syslog")
	netOne(t, 6, 50000, 601, []byte("58 <165>1 2003-10-11T22:14:15.003Z host app - ID47 - message"), "Syslog")
	netOne(t, 17, 50000, 514, []byte("<34>hello world, this is not syslog"), "!Syslog")
}

func TestNetRadius(t *testing.T) {
	// Access-Request: code 1, id, length 26, authenticator, User-Name "ab".
	req := netCat([]byte{0x01, 0x07, 0x00, 0x1a}, bytes.Repeat([]byte{0x11}, 16), []byte{0x01, 0x04, 'a', 'b', 0x50, 0x02})
	netOne(t, 17, 50000, 1812, req, "Radius")
	bad := bytes.Clone(req)
	bad[21] = 0x09 // attribute length past the end
	netOne(t, 17, 50000, 1812, bad, "!Radius")
}

func TestNetTFTP(t *testing.T) {
	// RRQ "rfc1350.txt" in octet mode.
	netOne(t, 17, 50618, 69, []byte("\x00\x01rfc1350.txt\x00octet\x00"), "TFTP")
	netOne(t, 17, 50618, 69, []byte("\x00\x01rfc1350.txt\x00binary\x00"), "!TFTP")
	// OACK with blksize.
	netOne(t, 17, 47649, 35840, []byte("\x00\x06blksize\x001468\x00"), "TFTP")

	// A transfer between ephemeral ports: DATA block 1, then ACK 1.
	data := netCat([]byte{0x00, 0x03, 0x00, 0x01}, bytes.Repeat([]byte("x"), 512))
	f := newNetFlow(t, 17, 3445, 50618)
	f.send(ClientToServer, data)
	f.expect("!TFTP")
	f.send(ServerToClient, []byte{0x00, 0x04, 0x00, 0x01})
	f.expect("TFTP")
	// ACK of another block.
	g := newNetFlow(t, 17, 3445, 50618)
	g.send(ClientToServer, data)
	g.send(ServerToClient, []byte{0x00, 0x04, 0x00, 0x07})
	g.expect("!TFTP")
}

func TestNetBGP(t *testing.T) {
	// KEEPALIVE: marker, length 19, type 4.
	ka := netCat(bytes.Repeat([]byte{0xff}, 16), []byte{0x00, 0x13, 0x04})
	netOne(t, 6, 50000, 179, ka, "BGP")
	bad := bytes.Clone(ka)
	bad[3] = 0xfe
	netOne(t, 6, 50000, 179, bad, "!BGP")
}

// netRX is an RX header: epoch, connection id, call, sequence, serial,
// type 1 (data), flags 5, status 0, security 0, checksum, service id.
func netRX(epoch, conn uint32) []byte {
	return netCat(
		netBE32(int(epoch)), netBE32(int(conn)), // epoch, connection id
		[]byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, // call, sequence, serial numbers
		[]byte{0x01, 0x05, 0x00, 0x00},             // type data, flags, user status, security index
		[]byte{0x00, 0x00, 0x00, 0x49},             // checksum, service id
	)
}

func TestNetRX(t *testing.T) {
	f := newNetFlow(t, 17, 41559, 7002)
	f.send(ClientToServer, netRX(0x570fb560, 0x5c3fc988))
	f.expect("!RX")
	f.send(ServerToClient, netRX(0x570fb560, 0x5c3fc988))
	f.expect("RX")
	// A different connection id in the answer.
	g := newNetFlow(t, 17, 41559, 7002)
	g.send(ClientToServer, netRX(0x570fb560, 0x5c3fc988))
	g.send(ServerToClient, netRX(0x570fb560, 0x5c3fc989))
	g.expect("!RX")
}

func TestNetNestLogSink(t *testing.T) {
	// Records: length byte, type <= 2, flags 0x00/0x10, 0x13, ...
	rec := []byte{0x32, 0x00, 0x00, 0x13, 0x09, 0x03, 0x00, 0x00, 0x36, 0x9e}
	f := newNetFlow(t, 6, 63342, 11095)
	f.send(ClientToServer, rec).send(ServerToClient, rec)
	f.expect("!NestLogSink")
	f.send(ClientToServer, rec)
	f.expect("NestLogSink")
	// The same records on another port.
	g := newNetFlow(t, 6, 63342, 11096)
	g.send(ClientToServer, rec).send(ServerToClient, rec).send(ClientToServer, rec)
	g.expect("!NestLogSink")
}

func TestNetModbus(t *testing.T) {
	// MBAP: transaction 0, protocol 0, length 4, unit 0; function 0x5a
	// (UMAS), UMAS code.
	umas := []byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x00, 0x02}
	netOne(t, 6, 7718, 502, umas, "Modbus.UMAS")
	// Read holding registers.
	read := []byte{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02}
	netOne(t, 6, 7718, 502, read, "Modbus")
	bad := bytes.Clone(read)
	bad[5] = 0x07 // length disagrees
	netOne(t, 6, 7718, 502, bad, "!Modbus")
}

func TestNetISOTSAP(t *testing.T) {
	// TPKT + COTP DT + S7CommPlus (0x72 ... 0x72 in the trailer).
	s7p := []byte{
		0x03, 0x00, 0x00, 0x19, // TPKT, length 25
		0x02, 0xf0, 0x80, // COTP data
		0x72, 0x01, 0x00, 0x0a, 0x31, 0x00, 0x00, 0x04, 0xca, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x72, 0x01, 0x00, 0x00, // trailer
	}
	netOne(t, 6, 53162, 102, s7p, "S7CommPlus")
	// S7Comm job request.
	s7 := []byte{0x03, 0x00, 0x00, 0x16, 0x02, 0xf0, 0x80,
		0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x01, 0x00}
	netOne(t, 6, 53162, 102, s7, "S7Comm")
	// A TPKT length that disagrees.
	bad := bytes.Clone(s7)
	bad[3] = 0x17
	netOne(t, 6, 53162, 102, bad, "!S7Comm")
}

func TestNetSignatures(t *testing.T) {
	tests := []struct {
		name         string
		l4           uint8
		cport, sport uint16
		payload      []byte
		want         string
	}{
		// HP_VIRTGRP: type 0x16, length 8 (= packet), zero.
		{"hpvirtgrp", 6, 46570, 5223, []byte{0x16, 0x00, 0x08, 0x00, 0xaa, 0x88, 0x42, 0x62}, "HP_VIRTGRP"},
		{"hpvirtgrp bad length", 6, 46570, 5223, []byte{0x16, 0x00, 0x09, 0x00, 0xaa, 0x88, 0x42, 0x62}, "!HP_VIRTGRP"},
		// Xiaomi: magic, length 4, constant, 4 bytes of TLVs.
		{"xiaomi", 6, 45904, 5222, []byte{0xc2, 0xfe, 0x00, 0x05, 0, 0, 0, 4, 0x00, 0x02, 0x00, 0x16, 1, 2, 3, 4}, "Xiaomi"},
		{"xiaomi bad", 6, 45904, 5222, []byte{0xc2, 0xfe, 0x00, 0x06, 0, 0, 0, 4, 0x00, 0x02, 0x00, 0x16, 1, 2, 3, 4}, "!Xiaomi"},
		{"ceph", 6, 35556, 6789, []byte("ceph v027"), "Ceph"},
		{"ceph bad", 6, 35556, 6789, []byte("cephv027 "), "!Ceph"},
		// ATG: SOH "I20100" CR LF.
		{"atg", 6, 3134, 10001, []byte("\x01I20100\r\n"), "ATG"},
		{"atg no crlf", 6, 3134, 10001, []byte("\x01I20100\r\r"), "!ATG"},
		{"jrmi", 6, 40000, 1099, []byte{'J', 'R', 'M', 'I', 0x00, 0x02, 0x4b}, "JRMI"},
		{"jrmi bad", 6, 40000, 1099, []byte{'J', 'R', 'M', 'I', 0x00, 0x03, 0x4b}, "!JRMI"},
		// GIOP 1.2 request header.
		{"corba", 6, 42717, 56899, []byte("GIOP\x01\x02\x00\x00\x00\x00\x00\xd8"), "Corba"},
		{"corba udp miop", 17, 34477, 15984, []byte("MIOP\x10\x03\xe4\x00\x00\x00\x00\x00"), "Corba"},
		{"corba bad version", 6, 42717, 56899, []byte("GIOP\x07\x02\x00\x00\x00\x00\x00\xd8"), "!Corba"},
		{"can", 17, 56551, 25353, []byte("ISO11898\x01\x02\x6a\x12"), "Controller_Area_Network"},
		{"can bad", 17, 56551, 25353, []byte("ISO11899\x01\x02\x6a\x12"), "!Controller_Area_Network"},
		{"ripe atlas", 17, 41059, 38409, []byte("MGLNDD_11.111.11.111_1114"), "RipeAtlas"},
		{"ripe atlas length", 17, 41059, 38409, []byte("MGLNDD_11.111.11.111_11145"), "!RipeAtlas"},
		// collectd: host "h", time, plugin "cpu" parts.
		{"collectd", 17, 36576, 25826, []byte{0x00, 0x00, 0x00, 0x06, 'h', 0x00, 0x00, 0x01, 0x00, 0x0c, 0, 0, 0, 0, 0x5e, 0, 0, 0,
			0x00, 0x02, 0x00, 0x08, 'c', 'p', 'u', 0x00}, "collectd"},
		{"collectd two parts", 17, 36576, 25826, []byte{0x00, 0x00, 0x00, 0x06, 'h', 0x00, 0x00, 0x01, 0x00, 0x0c, 0, 0, 0, 0, 0x5e, 0, 0, 0}, "!collectd"},
		// LDP Hello: version 1, PDU length 30, LSR id, label space, Hello.
		{"ldp", 17, 646, 646, []byte{0x00, 0x01, 0x00, 0x1e, 10, 0, 0, 6, 0x00, 0x00, 0x01, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
			0x04, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x00, 0x00, 0x04, 0x01, 0x00, 0x04, 10, 0, 0, 6}, "LDP"},
		{"ldp bad type", 17, 646, 646, []byte{0x00, 0x01, 0x00, 0x1e, 10, 0, 0, 6, 0x00, 0x00, 0x02, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
			0x04, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x00, 0x00, 0x04, 0x01, 0x00, 0x04, 10, 0, 0, 6}, "!LDP"},
		// FINS/UDP: ICF 0x80, RSV 0, GCT 2, DNA, DA1, DA2, SNA, SA1, SA2 all 0, SID 0x7a, command 0101.
		{"fins udp", 17, 58722, 9600, []byte{0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x01, 0x01}, "FINS"},
		{"fins udp gct", 17, 58722, 9600, []byte{0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x01, 0x01}, "!FINS"},
		{"fins tcp", 6, 17134, 9600, []byte("FINS\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), "FINS"},
		// HART-IP: version 1, request, session initiate, status, seq 2, length 13.
		{"hart-ip", 17, 49905, 5094, []byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0d, 0x01, 0x00, 0x00, 0x75, 0x30}, "HART-IP"},
		{"hart-ip length", 17, 49905, 5094, []byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x75, 0x30}, "!HART-IP"},
		// Roughtime: 2 tags, offset 0x40, NONC, PAD\xff, 64 bytes of values.
		{"roughtime", 17, 36225, 2002, netCat([]byte{2, 0, 0, 0, 0x40, 0, 0, 0, 'N', 'O', 'N', 'C', 'P', 'A', 'D', 0xff}, make([]byte, 64)), "Roughtime"},
		{"roughtime tag", 17, 36225, 2002, netCat([]byte{2, 0, 0, 0, 0x40, 0, 0, 0, 'N', 'O', 'P', 'E', 'P', 'A', 'D', 0xff}, make([]byte, 64)), "!Roughtime"},
		// SLPv2 SrvRqst: version 2, function 1, length 20, flags, ext, xid, "en".
		{"slp", 17, 40000, 427, []byte{0x02, 0x01, 0x00, 0x00, 0x14, 0x20, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 'e', 'n', 0, 0, 0, 0}, "Service_Location_Protocol"},
		{"slp length", 17, 40000, 427, []byte{0x02, 0x01, 0x00, 0x00, 0x15, 0x20, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 'e', 'n', 0, 0, 0, 0}, "!Service_Location_Protocol"},
		// OpenFlow 1.5 HELLO: version 6, type 0, length 16, xid, element.
		{"openflow", 6, 49234, 6653, []byte{0x06, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0x40}, "OpenFlow"},
		{"openflow tpkt", 6, 49234, 6653, []byte{0x03, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0x40}, "!OpenFlow"},
		// UFTP v4: version, function 1, block size, group id, source id, ... function again at 16.
		{"uftp", 17, 37173, 1044, []byte{0x40, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x96, 0xf4, 0xc3, 0x04, 0x00, 0x9d, 0x00, 0x00,
			0x01, 0x06, 0x00, 0x14, 0, 0, 0, 0}, "UFTP"},
		{"uftp function", 17, 37173, 1044, []byte{0x40, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x96, 0xf4, 0xc3, 0x04, 0x00, 0x9d, 0x00, 0x00,
			0x02, 0x06, 0x00, 0x14, 0, 0, 0, 0}, "!UFTP"},
		// TP-Link: "{\"sys" XOR-autokeyed from 171.
		{"tplink", 17, 9999, 9999, []byte{0xd0, 0xf2, 0x81, 0xf8, 0x8b, 0xff, 0x9a, 0xf7}, "TPLINK_SHP"},
		{"tplink bad", 17, 9999, 9999, []byte{0xd0, 0xf3, 0x81, 0xf8, 0x8b, 0xff, 0x9a, 0xf7}, "!TPLINK_SHP"},
		{"kismet", 6, 34065, 2501, []byte("*KISMET: 0.0.0 1144004381 Kismet"), "Kismet"},
		{"kismet bad", 6, 34065, 2501, []byte("*KISMAT: 0.0.0 1144004381 Kismet"), "!Kismet"},
		{"rtps", 17, 28108, 7410, []byte("RTPS\x02\x01\x01\x01NDDSPING"), "RTPS"},
		{"rtps version", 17, 28108, 7410, []byte("RTPS\x09\x01\x01\x01NDDSPING"), "!RTPS"},
		{"mpeg-ts", 17, 40737, 1234, netCat([]byte{0x47, 0x01, 0x01, 0x17}, make([]byte, 184), []byte{0x47, 0x01, 0x01, 0x18}, make([]byte, 184)), "MPEG_TS"},
		{"mpeg-ts sync", 17, 40737, 1234, netCat([]byte{0x47, 0x01, 0x01, 0x17}, make([]byte, 184), []byte{0x48, 0x01, 0x01, 0x18}, make([]byte, 184)), "!MPEG_TS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { netOne(t, tt.l4, tt.cport, tt.sport, tt.payload, tt.want) })
	}
}

func TestNetChecksummedFrames(t *testing.T) {
	// IEEE C37.118 command frame: sync 0xAA41, size 18, id, SOC, FRACSEC,
	// command, then the CRC-CCITT of the first 16 bytes.
	cmd := []byte{0xaa, 0x41, 0x00, 0x12, 0x00, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x05}
	cmd = binary.BigEndian.AppendUint16(cmd, crc16CCITTFalse(cmd))
	netOne(t, 6, 36835, 4712, cmd, "IEEE-C37118")
	bad := bytes.Clone(cmd)
	bad[17] ^= 1
	netOne(t, 6, 36835, 4712, bad, "!IEEE-C37118")

	// DLMS over HDLC: SNRM frame 7E A0 07 03 21 93 FCS 7E.
	snrm := []byte{0x7e, 0xa0, 0x07, 0x03, 0x21, 0x93}
	snrm = binary.LittleEndian.AppendUint16(snrm, crc16X25(snrm[1:]))
	snrm = append(snrm, 0x7e)
	netOne(t, 6, 60797, 4060, snrm, "IEC62056")
	if !bytes.Equal(snrm[6:8], []byte{0x0f, 0x01}) {
		t.Errorf("FCS %x, want 0f01 (the capture's)", snrm[6:8])
	}
	bad = bytes.Clone(snrm)
	bad[4] = 0x22
	netOne(t, 6, 60797, 4060, bad, "!IEC62056")

	// DNP3 link header: start 0564, length 8, control c4, destination 4,
	// source 3, CRC (b4 b8 in the capture), then a data block.
	dnp := []byte{0x05, 0x64, 0x08, 0xc4, 0x04, 0x00, 0x03, 0x00}
	dnp = binary.LittleEndian.AppendUint16(dnp, crc16DNP(dnp))
	if !bytes.Equal(dnp[8:], []byte{0xb4, 0xb8}) {
		t.Errorf("DNP3 CRC %x, want b4b8", dnp[8:])
	}
	dnp = append(dnp, 0xc0, 0xc1, 0x0d, 0xd2, 0x2d)
	netOne(t, 6, 1080, 20000, dnp, "DNP3")
	bad = bytes.Clone(dnp)
	bad[5] = 0x01
	netOne(t, 6, 1080, 20000, bad, "!DNP3")
}

func TestNetBeckhoffCPHA(t *testing.T) {
	// AMS/TCP: reserved, length 32; AMS header: target and source net id
	// and port, command 5 (read state), flags 4, data length 0, error 0,
	// invoke id.
	ads := []byte{0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
		5, 13, 117, 96, 1, 1, 0x10, 0x27, 192, 168, 1, 99, 1, 1, 0x03, 0x80,
		0x04, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0}
	netOne(t, 6, 49201, 48898, ads, "BeckhoffADS")
	bad := bytes.Clone(ads)
	bad[24] = 0x06 // state flags
	netOne(t, 6, 49201, 48898, bad, "!BeckhoffADS")

	// CPHA from 0.0.0.0:8116 to 8116.
	f := newNetFlow(t, 17, 8116, 8116)
	f.cli = netip.MustParseAddr("0.0.0.0")
	f.send(ClientToServer, netCat([]byte{0x1a, 0x90, 0x0c, 0x31}, make([]byte, 20)))
	f.expect("CPHA")
	netOne(t, 17, 8116, 8116, netCat([]byte{0x1a, 0x90, 0x0c, 0x31}, make([]byte, 20)), "!CPHA")
}

func TestNetProtobuf(t *testing.T) {
	// field 2 "bla", field 4 {1: 1, 2: "test1"} x3, field 5 fixed32: one
	// packet with 8+ fields including length-delimited ones.
	msg := []byte{
		0x12, 0x03, 'b', 'l', 'a',
		0x22, 0x09, 0x08, 0x01, 0x12, 0x05, 't', 'e', 's', 't', '1',
		0x22, 0x09, 0x08, 0x02, 0x12, 0x05, 't', 'e', 's', 't', '2',
		0x22, 0x09, 0x08, 0x03, 0x12, 0x05, 't', 'e', 's', 't', '3',
		0x2d, 0xf3, 0x23, 0xa7, 0x44,
		0x31, 0xe7, 0x1d, 0xa7, 0xe8, 0x88, 0xe4, 0x94, 0x40,
		0x38, 0x01, 0x40, 0x02, 0x48, 0x03,
	}
	netOne(t, 6, 52392, 12345, msg, "Protobuf")
	// Four small messages (two varint fields each) on UDP.
	f := newNetFlow(t, 17, 1119, 1120)
	for range 3 {
		f.send(ClientToServer, []byte{0x58, 0x58, 0x58, 0x58})
	}
	f.expect("!Protobuf")
	f.send(ClientToServer, []byte{0x58, 0x58, 0x58, 0x58})
	f.expect("Protobuf")
	// A group wire type (3) is refused.
	netOne(t, 6, 52392, 12345, []byte{0x0b, 0x08, 0x01, 0x0c}, "!Protobuf")
}

// netRecorder is a Learner that keeps the last name it was told.
type netRecorder struct {
	addr netip.Addr
	name string
	src  NameSource
}

func (r *netRecorder) LearnName(addr netip.Addr, name string, src NameSource) {
	r.addr, r.name, r.src = addr, name, src
}

func TestNetNetBIOSLearn(t *testing.T) {
	// Name registration of LAB111<00> by 192.0.2.10: one question, one
	// additional record (TTL, length 6, NB flags, the address).
	reg := netCat(
		[]byte{0x12, 0x34, 0x29, 0x10}, // id, flags: registration, RD, broadcast
		[]byte{0, 1, 0, 0, 0, 0, 0, 1}, // 1 question, 1 additional
		netbiosName("LAB111", 0x00),
		[]byte{0x00, 0x20, 0x00, 0x01}, // NB, IN
		[]byte{0xc0, 0x0c, 0x00, 0x20, 0x00, 0x01, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x06, 0x00, 0x00, 192, 0, 2, 10},
	)
	rec := &netRecorder{}
	r := NewRegistry()
	e := NewEngine(r, rec)
	var st State
	e.Inspect(&st, &Packet{L4Proto: 17, Src: netCli, Dst: netip.MustParseAddr("192.0.2.255"),
		SrcPort: 137, DstPort: 137, Payload: reg})
	if r.Name(st.Result) != "NetBIOS" || rec.name != "lab111" || rec.addr != netCli || rec.src != NameNetBIOS {
		t.Errorf("%s: learned %+v", r.Name(st.Result), rec)
	}
}

// FuzzNetDissectors feeds arbitrary payloads to the engine on the ports
// of this family, over TCP and UDP, in both directions.
func FuzzNetDissectors(f *testing.F) {
	f.Add([]byte("\x00\x01rfc1350.txt\x00octet\x00"), uint16(69), true)
	f.Add(netDHCP(), uint16(67), true)
	f.Add([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00}, uint16(389), false)
	f.Add([]byte{0x6a, 0x81, 0x12, 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, uint16(88), false)
	f.Add([]byte{0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x72}, uint16(102), false)
	r := NewRegistry()
	e := NewEngine(r, &netRecorder{})
	f.Fuzz(func(t *testing.T, b []byte, port uint16, udp bool) {
		if len(b) == 0 {
			return
		}
		l4 := uint8(6)
		if udp {
			l4 = 17
		}
		var st State
		for i := 0; i < 4 && !st.Done; i++ {
			p := &Packet{L4Proto: l4, Src: netCli, Dst: netSrv, SrcPort: 40000, DstPort: port, Payload: b}
			if i%2 == 1 {
				p.Src, p.Dst, p.SrcPort, p.DstPort, p.Dir = netSrv, netCli, port, 40000, ServerToClient
			}
			e.Inspect(&st, p)
		}
	})
}

func TestNetSOAP(t *testing.T) {
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ZMessage target="ZBBP.1.ResolveKID">`)
	f := newNetFlow(t, 6, 56028, 80)
	f.send(ClientToServer, xml)
	f.expect("!SOAP")
	f.send(ServerToClient, []byte{0x8f, 0x12, 0x00, 0x69})
	f.expect("SOAP")
	// XML 1.1 is not what the rule looks for.
	g := newNetFlow(t, 6, 56028, 80)
	g.send(ClientToServer, []byte(`<?xml version="1.1"?><a/>`))
	g.send(ServerToClient, []byte{0x8f, 0x12, 0x00, 0x69})
	g.expect("!SOAP")
}
