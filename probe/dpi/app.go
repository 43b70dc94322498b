package dpi

import "bytes"

// Application protocols over TCP: remote access, mail, databases, file
// transfer, VPNs.
var appDissectors = []dissector{
	{name: "SSH", l4: onTCP, tcpPorts: []uint16{22}, run: dissectSSH},
}

// dissectSSH recognises the SSH identification string ("SSH-2.0-...").
func dissectSSH(c *ctx) verdict {
	b := c.payload
	if len(b) >= 8 && bytes.HasPrefix(b, []byte("SSH-")) &&
		(bytes.HasPrefix(b[4:], []byte("2.0-")) || bytes.HasPrefix(b[4:], []byte("1."))) {
		c.set(ProtoSSH)
		return matched
	}
	return notMine
}

// SSHInfo is what the SSH dissector learns from the identification strings
// and the key exchange.
type SSHInfo struct {
	ClientBanner, ServerBanner string
	HASSHClient, HASSHServer   string // MD5 hex of the HASSH strings
}
