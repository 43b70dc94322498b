package dpi

// Peer-to-peer file sharing, cryptocurrencies, the Tinc VPN, and two
// protocols nDPI keeps nearby: OICQ (QQ) and KCP. Tor is recognised by the
// TLS dissector, from its generated server names.
//
// Most of these protocols run on ports the peers choose, so the port hints
// only speed up the common case and every dissector works from the
// payload. Two need more than the payload, as in nDPI: Ethereum's first
// bytes are random-looking unless on its default ports, and a Tinc tunnel
// is only recognisable through the TCP handshake of the same hosts.
var p2pDissectors = []dissector{
	{name: "BitTorrent", l4: onBoth, tcpPorts: []uint16{6881, 51413, 53646}, udpPorts: []uint16{6771, 6881, 51413},
		run: dissectBitTorrent},
	{name: "ETHEREUM", l4: onBoth, tcpPorts: []uint16{30303}, udpPorts: []uint16{30303}, run: dissectEthereum},
	{name: "BITCOIN", l4: onTCP, tcpPorts: []uint16{8333}, run: dissectBitcoin},
	{name: "Mining", l4: onTCP, tcpPorts: []uint16{3333}, run: dissectMining},
	{name: "eDonkey", l4: onTCP, tcpPorts: []uint16{4661, 4662}, run: dissectEDonkey},
	{name: "Gnutella", l4: onTCP, tcpPorts: []uint16{6346}, run: dissectGnutella},
	{name: "TINC", l4: onBoth, tcpPorts: []uint16{655}, udpPorts: []uint16{655}, run: dissectTinc},
	{name: "OICQ", l4: onUDP, udpPorts: []uint16{8000}, run: dissectOICQ},
	{name: "KCP", l4: onBoth, run: dissectKCP},
}

// Protocol ids of the family (nDPI CUR-2024, see protocols.tsv).
const (
	protoGnutella   ProtoID = 35  // Gnutella
	protoEDonkey    ProtoID = 36  // eDonkey
	protoBitTorrent ProtoID = 37  // BitTorrent
	protoMining     ProtoID = 42  // Mining
	protoTINC       ProtoID = 209 // TINC
	protoOICQ       ProtoID = 335 // OICQ
	protoBitcoin    ProtoID = 343 // BITCOIN
	protoEthereum   ProtoID = 354 // ETHEREUM
	protoKCP        ProtoID = 385 // KCP
)
