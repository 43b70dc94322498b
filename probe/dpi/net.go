package dpi

// Network services: name resolution, discovery, time, management, logging,
// directory and authentication, plus the infrastructure and industrial
// protocols that announce themselves with a fixed header. The families
// with metadata or state have a dissector each; the protocols recognised
// from one packet's header share the netSignatures dissector (net_sig.go)
// so that they cost one slot of the per-flow exclusion bitmap.
var netDissectors = []dissector{
	{name: "NetBIOS", l4: onBoth, tcpPorts: []uint16{139}, udpPorts: []uint16{137, 138}, run: dissectNetBIOS},
	{name: "SSDP", l4: onUDP, udpPorts: []uint16{1900}, run: dissectSSDP},
	{name: "DHCP", l4: onUDP, udpPorts: []uint16{67, 68}, run: dissectDHCP},
	{name: "DHCPV6", l4: onUDP, udpPorts: []uint16{546, 547}, run: dissectDHCPv6},
	{name: "NTP", l4: onUDP, udpPorts: []uint16{123}, run: dissectNTP},
	{name: "SNMP", l4: onUDP, udpPorts: []uint16{161, 162}, run: dissectSNMP},
	{name: "Kerberos", l4: onBoth, tcpPorts: []uint16{88}, udpPorts: []uint16{88}, run: dissectKerberos},
	{name: "LDAP", l4: onBoth, tcpPorts: []uint16{389, 3268}, udpPorts: []uint16{389}, run: dissectLDAP},
	{name: "Syslog", l4: onBoth, tcpPorts: []uint16{514, 601}, udpPorts: []uint16{514}, run: dissectSyslog},
	{name: "Radius", l4: onUDP, udpPorts: []uint16{1812, 1813, 1645, 1646, 3799}, run: dissectRadius},
	{name: "TFTP", l4: onUDP, udpPorts: []uint16{69}, run: dissectTFTP},
	{name: "BGP", l4: onTCP, tcpPorts: []uint16{179}, run: dissectBGP},
	{name: "Modbus", l4: onTCP, tcpPorts: []uint16{502}, run: dissectModbus},
	// RX, NestLogSink, SOAP and ISO-TSAP need several packets: without
	// port hints they run in the main pass, where a "need more" keeps the
	// flow open (a hinted dissector's "need more" does not).
	{name: "RX", l4: onUDP, run: dissectRX},
	{name: "NestLogSink", l4: onTCP, run: dissectNestLogSink},
	{name: "SOAP", l4: onTCP, run: dissectSOAP},
	{name: "ISO-TSAP", l4: onTCP, run: dissectISOTSAP},
	{name: "signatures", l4: onBoth, tcpPorts: netSigTCPPorts, udpPorts: netSigUDPPorts, run: dissectNetSignatures},
	// Protobuf is a loose structural heuristic: it goes last.
	{name: "Protobuf", l4: onBoth, run: dissectProtobuf},
}
