package dpi

// SMB over TCP port 445 ("direct hosting"): each message is prefixed with a
// 4-byte NetBIOS session header (type 0, 24-bit length). nDPI reports these
// flows under the NetBIOS master: NetBIOS.SMBv1 or NetBIOS.SMBv23. SMB over
// port 139, behind a NetBIOS session request, is the net family's.

const (
	smbDirectPort = 445
	smbMaxPackets = 8
)

// dissectSMB recognises SMB1 ("\xffSMB") and SMB2/3 ("\xfeSMB", or the
// "\xfdSMB" transform header of encrypted SMB3) messages. An SMB1 negotiate
// is not conclusive, since clients offer SMB2 dialects in it: the flow is
// SMBv1 only when SMB1 goes on after it.
func dissectSMB(c *ctx) verdict {
	b := c.payload
	if !c.hasPort(smbDirectPort) {
		return notMine
	}
	if len(b) <= 32+4+4 || b[0] != 0 || int(appBE32(b)) != len(b)-4 || b[5] != 'S' || b[6] != 'M' || b[7] != 'B' {
		// After an SMB message, the segments of a long one.
		if c.pkts() > 1 && c.pkts() < smbMaxPackets {
			return needMore
		}
		return notMine
	}
	switch b[4] {
	case 0xff:
		if b[8] == 0x72 { // SMB_COM_NEGOTIATE
			if c.pkts() < smbMaxPackets {
				return needMore
			}
			return notMine
		}
		c.setPair(ProtoNetBIOS, protoSMBv1)
		c.risk(RiskSMBInsecureVersion)
		return matched
	case 0xfe, 0xfd:
		c.setPair(ProtoNetBIOS, protoSMBv23)
		return matched
	}
	return notMine
}
