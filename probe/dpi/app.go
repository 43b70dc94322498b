package dpi

// Application protocols (mostly over TCP): remote access, mail, file
// transfer, databases, file sharing and VPNs. The dissectors of the family
// live in ssh.go, app_*.go, mail.go, db_*.go and vpn.go; this file keeps
// their order, the protocol ids they use and a few byte helpers.
var appDissectors = []dissector{
	{name: "SSH", l4: onTCP, tcpPorts: []uint16{22}, run: dissectSSH},
	{name: "RDP", l4: onBoth, tcpPorts: []uint16{3389}, udpPorts: []uint16{3389}, run: dissectRDP},
	{name: "SMB", l4: onTCP, tcpPorts: []uint16{445}, run: dissectSMB},
	{name: "PostgreSQL", l4: onTCP, tcpPorts: []uint16{5432}, run: dissectPostgres},
	{name: "MySQL", l4: onTCP, tcpPorts: []uint16{3306}, run: dissectMySQL},
	{name: "OpenVPN", l4: onBoth, tcpPorts: []uint16{1194}, udpPorts: []uint16{1194}, run: dissectOpenVPN},
	{name: "WireGuard", l4: onUDP, udpPorts: []uint16{51820}, run: dissectWireGuard},
	{name: "IPsec", l4: onUDP, udpPorts: []uint16{500, 4500}, run: dissectIPsec},
	{name: "VNC", l4: onTCP, tcpPorts: []uint16{5900, 5901}, run: dissectVNC},
	{name: "SOCKS", l4: onTCP, tcpPorts: []uint16{1080}, run: dissectSOCKS},
	{name: "TeamViewer", l4: onBoth, tcpPorts: []uint16{5938}, udpPorts: []uint16{5938}, run: dissectTeamViewer},
	{name: "app signatures", l4: onTCP,
		tcpPorts: []uint16{43, 1494, 2598, 4343, 5672, 8009, 8010, 9000, 10000, 50000},
		run:      dissectAppSignatures},
	{name: "RESP", l4: onTCP, tcpPorts: []uint16{6379}, run: dissectRedis},
	{name: "MongoDB", l4: onTCP, tcpPorts: []uint16{27017}, run: dissectMongoDB},
	{name: "FTP", l4: onTCP, tcpPorts: []uint16{21}, run: dissectFTP},
	{name: "SMTP", l4: onTCP, tcpPorts: []uint16{25, 587}, run: dissectSMTP},
	{name: "POP3", l4: onTCP, tcpPorts: []uint16{110}, run: dissectPOP3},
	{name: "IMAP", l4: onTCP, tcpPorts: []uint16{143}, run: dissectIMAP},
	{name: "Usenet", l4: onTCP, tcpPorts: []uint16{119}, run: dissectUsenet},
	{name: "IRC", l4: onTCP, tcpPorts: []uint16{194, 6667}, run: dissectIRC},
	{name: "Telnet", l4: onTCP, tcpPorts: []uint16{23}, run: dissectTelnet},
	// Last: a directory listing at the start of a connection is a weak hint.
	{name: "FTP_DATA", l4: onTCP, tcpPorts: []uint16{20}, run: dissectFTPData},
}

// nDPI protocol ids of the family (protocols.tsv).
const (
	protoFTPControl ProtoID    = 1   // FTP_CONTROL
	protoPOP3       ProtoID    = 2   // POP3
	protoSMTP       ProtoID    = 3   // SMTP
	protoIMAP       ProtoID    = 4   // IMAP
	protoSMBv1      ProtoID    = 16  // SMBv1
	protoPostgreSQL ProtoID    = 19  // PostgreSQL
	protoMySQL      ProtoID    = 20  // MySQL
	protoPOPS       ProtoID    = 23  // POPS
	protoSMTPS      ProtoID    = 29  // SMTPS
	protoSMBv23     ProtoID    = 41  // SMBv23
	protoIMAPS      ProtoID    = 51  // IMAPS
	protoMongoDB    ProtoID    = 60  // MongoDB
	protoIRC        ProtoID    = 65  // IRC
	protoTelnet     ProtoID    = 77  // Telnet
	protoIPsec      ProtoID    = 79  // IPSec
	protoRDP        ProtoID    = 88  // RDP
	protoVNC        ProtoID    = 89  // VNC
	protoUsenet     ProtoID    = 93  // Usenet
	protoCitrix     ProtoID    = 132 // Citrix
	protoAJP        ProtoID    = 139 // AJP
	protoTeamViewer ProtoID    = 148 // TeamViewer
	protoOpenVPN    ProtoID    = 159 // OpenVPN
	protoCiscoVPN   ProtoID    = 161 // CiscoVPN
	protoWhoisDAS   ProtoID    = 170 // Whois-DAS
	protoSOCKS      ProtoID    = 172 // SOCKS
	protoFTPData    ProtoID    = 175 // FTP_DATA
	protoRESP       ProtoID    = 182 // RESP (Redis)
	protoAMQP       ProtoID    = 192 // AMQP
	protoWireGuard  ProtoID    = 206 // WireGuard
	protoDRDA       ProtoID    = 227 // DRDA
	protoFastCGI    ProtoID    = 310 // FastCGI
	protoJSONRPC    ProtoID    = 375 // JSON-RPC
	categoryVPN     CategoryID = 2
)

// setVPN classifies a VPN flow; when the server's address belongs to a VPN
// provider (NordVPN, Mullvad, ...), the provider is the app, as nDPI
// reports "OpenVPN.NordVPN" or "WireGuard.Mullvad".
func setVPN(c *ctx, proto ProtoID) {
	if id := c.ipService(); id != ProtoUnknown && int(id) < len(c.d.protos) &&
		c.d.protos[id].Category == categoryVPN {
		c.setPair(proto, id)
		return
	}
	c.set(proto)
}

// appPeek returns the running dissector's scratch word without allocating
// it: 0 when the dissector stored nothing for the flow yet.
func appPeek(c *ctx) uint64 {
	for _, w := range c.st.scratch {
		if w.idx == c.idx {
			return w.v
		}
	}
	return 0
}

// appBE16 and appBE32 read big-endian integers; the caller checks the
// bounds.
func appBE16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func appBE32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// appLE32 reads a little-endian integer; the caller checks the bounds.
func appLE32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// hasPrefixFold reports whether b starts with the ASCII string p, ignoring
// case. p must be upper case.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// appLine returns the first line of b without its line ending, and whether
// the line ended (CRLF or LF) inside b.
func appLine(b []byte) ([]byte, bool) {
	for i, c := range b {
		if c == '\n' {
			if i > 0 && b[i-1] == '\r' {
				return b[:i-1], true
			}
			return b[:i], true
		}
	}
	return b, false
}

// endsCRLF reports whether b ends with "\r\n".
func endsCRLF(b []byte) bool {
	return len(b) >= 2 && b[len(b)-2] == '\r' && b[len(b)-1] == '\n'
}

// isDigit3 reports whether b starts with three ASCII digits.
func isDigit3(b []byte) bool {
	return len(b) >= 3 && b[0] >= '0' && b[0] <= '9' && b[1] >= '0' && b[1] <= '9' &&
		b[2] >= '0' && b[2] <= '9'
}

// appText returns a printable copy of b, cut at max bytes, for metadata.
func appText(b []byte, max int) string {
	if len(b) > max {
		b = b[:max]
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b = b[:i]
			break
		}
	}
	return string(b)
}

// SSHInfo is what the SSH dissector learns from the identification strings
// and the key exchange.
type SSHInfo struct {
	ClientBanner, ServerBanner string
	HASSHClient, HASSHServer   string // MD5 hex of the HASSH strings
}
