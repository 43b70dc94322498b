package dpi

// Well-known ports, used to guess the protocol of flows the payload
// dissectors could not classify (confidence ConfidenceMatchByPort). Ids are
// CUR-2024 nDPI ids; most ports are nDPI's defaults for the protocol.
var tcpPorts = map[uint16]ProtoID{
	20: 175, 21: 1, 22: 92, 23: 77, 25: 3, 43: 170, 53: 5, 80: 7, 88: 111,
	110: 2, 135: 370, 139: 10, 143: 4, 177: 15, 179: 13, 194: 65, 389: 112,
	443: 91, 445: 41, 465: 29, 502: 44, 514: 17, 548: 97, 554: 50, 587: 3,
	601: 17, 853: 196, 873: 166, 903: 28, 993: 51, 995: 23,
	1080: 172, 1194: 159, 1352: 150, 1433: 114, 1434: 114, 1521: 167,
	1719: 158, 1720: 158, 1812: 146, 1813: 146, 1883: 222, 1935: 174,
	2000: 164, 2049: 11, 2404: 245, 3128: 131, 3306: 20, 3389: 88,
	3868: 237, 4569: 95, 4949: 329, 5060: 100, 5061: 100, 5355: 154,
	5432: 19, 5800: 89, 5900: 89, 5901: 89, 5938: 148, 6379: 182,
	6514: 17, 6556: 138, 7000: 264, 8080: 131, 8883: 222, 9042: 264,
	9092: 377, 9418: 226, 10050: 248, 10051: 248, 11211: 40,
	20000: 244, 27017: 60, 44818: 278,
}

var udpPorts = map[uint16]ProtoID{
	53: 5, 67: 18, 68: 18, 69: 96, 88: 111, 123: 9, 137: 10, 138: 10,
	139: 10, 161: 14, 162: 14, 177: 15, 319: 358, 320: 358, 389: 112,
	443: 188, 500: 79, 514: 17, 546: 103, 547: 103, 623: 351, 784: 196,
	853: 196, 1194: 159, 1812: 146, 1813: 146, 1900: 12, 1985: 282,
	2049: 11, 2055: 128, 2123: 152, 2152: 152, 3389: 88, 3478: 78,
	3702: 153, 3784: 401, 3785: 401, 4341: 236, 4342: 236, 4500: 79,
	4789: 64, 5060: 100, 5061: 100, 5351: 312, 5353: 8, 5354: 8,
	5355: 154, 5683: 27, 5684: 27, 6343: 129, 6771: 37, 8612: 204,
	10001: 31, 11211: 40, 17500: 121, 27015: 333, 41641: 24,
	47808: 334, 51413: 37, 51820: 206,
}

// ipProtocols classifies flows that are neither TCP nor UDP by their IP
// protocol number, as nDPI does.
var ipProtocols = map[uint8]ProtoID{
	1:   81,  // ICMP
	2:   82,  // IGMP
	4:   86,  // IP_in_IP
	8:   83,  // EGP
	47:  80,  // GRE
	50:  79,  // ESP -> IPSec
	51:  79,  // AH -> IPSec
	58:  102, // ICMPV6
	89:  85,  // OSPF
	103: 297, // IP_PIM
	112: 73,  // VRRP
	113: 296, // PGM
	132: 84,  // SCTP
}

// guessByPort returns the well-known protocol of a TCP/UDP flow, trying the
// server port first.
func guessByPort(l4 uint8, cliPort, srvPort uint16) ProtoID {
	var t map[uint16]ProtoID
	switch l4 {
	case 6:
		t = tcpPorts
	case 17:
		t = udpPorts
	default:
		return ProtoUnknown
	}
	if id, ok := t[srvPort]; ok {
		return id
	}
	if id, ok := t[cliPort]; ok {
		return id
	}
	return ProtoUnknown
}
