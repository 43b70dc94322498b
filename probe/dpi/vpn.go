package dpi

import "bytes"

// VPNs: OpenVPN (TCP and UDP), WireGuard, IPsec key exchange (ISAKMP/IKE on
// UDP 500 and 4500) and Cisco VPN. A VPN flow to a known provider's address
// is labelled with the provider as the app ("OpenVPN.NordVPN").

// OpenVPN opcodes (the high 5 bits of the first byte; the low 3 bits are
// the key id).
const (
	ovpnHardResetClientV1 = 1
	ovpnHardResetServerV1 = 2
	ovpnSoftResetV1       = 3
	ovpnControlV1         = 4
	ovpnAckV1             = 5
	ovpnDataV1            = 6
	ovpnHardResetClientV2 = 7
	ovpnHardResetServerV2 = 8
	ovpnDataV2            = 9
	ovpnHardResetClientV3 = 10
	ovpnControlWKCV1      = 11
)

// OpenVPN scratch layout: per direction, a 24-bit digest of the session id
// of its control packets and how many control packets carried it.
const (
	ovpnSIDBits   = 24
	ovpnSIDMask   = 1<<ovpnSIDBits - 1
	ovpnCountBase = 2 * ovpnSIDBits // 3 bits per direction
	ovpnSetBase   = ovpnCountBase + 6
	ovpnMaxPkts   = 10
)

// dissectOpenVPN recognises OpenVPN's control channel: the flow opens with
// a hard reset, every control packet of one side repeats that side's
// session id, and the server's reset acknowledges the client's session id.
// Without tls-auth or with tls-crypt the acknowledgement cannot be found
// (or is encrypted); two packets per direction with stable session ids (four
// in a one-way capture) then decide.
func dissectOpenVPN(c *ctx) verdict {
	p := c.payload
	if c.l4 == 6 {
		// Each packet is prefixed with its length.
		if len(p) < 2 || int(appBE16(p)) != len(p)-2 {
			if c.pkts() > 1 && c.dirPkts() > 1 && c.pkts() < ovpnMaxPkts {
				return needMore // a segment holding several packets or a part
			}
			return notMine
		}
		p = p[2:]
	}
	if len(p) < 14 {
		return notMine
	}
	op, key := p[0]>>3, p[0]&7
	if c.pkts() == 1 {
		switch op {
		case ovpnHardResetClientV1, ovpnHardResetClientV2, ovpnHardResetClientV3,
			ovpnHardResetServerV1, ovpnHardResetServerV2:
		default:
			return notMine
		}
	}
	switch op {
	case ovpnDataV1, ovpnDataV2:
		if c.pkts() < ovpnMaxPkts {
			return needMore
		}
		return notMine
	case ovpnHardResetClientV1, ovpnHardResetServerV1, ovpnSoftResetV1, ovpnControlV1, ovpnAckV1,
		ovpnHardResetClientV2, ovpnHardResetServerV2, ovpnHardResetClientV3, ovpnControlWKCV1:
	default:
		return notMine
	}
	if key != 0 {
		return notMine
	}
	st := c.scratch()
	d := uint(c.dir)
	sid := ovpnSID(p[1:9])
	sidShift, cntShift, setBit := d*ovpnSIDBits, ovpnCountBase+3*d, uint64(1)<<(ovpnSetBase+d)
	if *st&setBit == 0 {
		*st |= setBit | sid<<sidShift
	} else if *st>>sidShift&ovpnSIDMask != sid {
		return notMine
	}
	if n := *st >> cntShift & 7; n < 7 {
		*st += 1 << cntShift
	}
	// The server's reset acknowledges the client's reset and names the
	// client's session id.
	other := 1 - d
	if (op == ovpnHardResetServerV1 || op == ovpnHardResetServerV2) && *st&(1<<(ovpnSetBase+other)) != 0 &&
		ovpnAcksSession(p, *st>>(other*ovpnSIDBits)&ovpnSIDMask) {
		setVPN(c, protoOpenVPN)
		return matched
	}
	mine, theirs := *st>>cntShift&7, *st>>(ovpnCountBase+3*other)&7
	if mine >= 2 && theirs >= 2 || mine >= 4 && theirs == 0 {
		setVPN(c, protoOpenVPN)
		return matched
	}
	if c.pkts() >= ovpnMaxPkts {
		return notMine
	}
	return needMore
}

// ovpnSID folds an 8-byte session id into the 24 bits kept per direction.
func ovpnSID(b []byte) uint64 {
	return uint64(appBE32(b)^appBE32(b[4:])) & ovpnSIDMask
}

// ovpnAcksSession looks for the remote session id that follows the ack
// array of a control packet. The ack array comes after the session id,
// after the HMAC and replay packet id when tls-auth is used; the HMAC size
// depends on the digest, so the common sizes are tried.
func ovpnAcksSession(p []byte, sid uint64) bool {
	for _, hmac := range [...]int{0, 16, 20, 32, 64} {
		off := 9
		if hmac > 0 {
			off += hmac + 8 // HMAC, packet id and timestamp
		}
		if off >= len(p) {
			continue
		}
		n := int(p[off])
		if n == 0 || n > 8 {
			continue
		}
		rs := off + 1 + 4*n
		if rs+8 <= len(p) && ovpnSID(p[rs:rs+8]) == sid {
			return true
		}
	}
	return false
}

// WireGuard message types and sizes.
const (
	wgInitiation = 1 // 148 bytes
	wgResponse   = 2 // 92 bytes
	wgCookie     = 3 // 64 bytes
	wgTransport  = 4 // 16-byte header and a padded, authenticated payload
)

// WireGuard scratch layout: a stage and the session index of each side
// (the second one cut to 24 bits).
const (
	wgStageMask = 7
	wgIdx0Shift = 8
	wgIdx1Shift = 40
	wgIdx1Mask  = 1<<24 - 1
)

// dissectWireGuard recognises WireGuard from its fixed message sizes and
// the session indexes that tie the two directions together: the response
// to a handshake initiation names the initiator's index, and transport
// packets of each side always carry the same receiver index.
func dissectWireGuard(c *ctx) verdict {
	b := c.payload
	if len(b) < 32 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return notMine
	}
	typ := b[0]
	switch {
	case typ == wgInitiation && len(b) == 148:
	case typ == wgResponse && len(b) == 92:
	case typ == wgCookie && len(b) == 64:
	case typ == wgTransport && len(b)%16 == 0:
	default:
		return notMine
	}
	st := c.scratch()
	d := uint64(c.dir)
	stage := *st & wgStageMask
	getIdx := func(dir uint64) uint64 {
		if dir == 0 {
			return *st >> wgIdx0Shift & 0xffffffff
		}
		return *st >> wgIdx1Shift & wgIdx1Mask
	}
	setIdx := func(dir, v uint64) {
		if dir == 0 {
			*st = *st&^(0xffffffff<<wgIdx0Shift) | v<<wgIdx0Shift
		} else {
			*st = *st&^(wgIdx1Mask<<wgIdx1Shift) | (v&wgIdx1Mask)<<wgIdx1Shift
		}
	}
	norm := func(dir, v uint64) uint64 {
		if dir == 1 {
			return v & wgIdx1Mask
		}
		return v
	}
	setStage := func(s uint64) { *st = *st&^wgStageMask | s }
	switch typ {
	case wgInitiation:
		setStage(1 + d)
		setIdx(d, uint64(appLE32(b[4:])))
	case wgResponse, wgCookie:
		off := 8 // response: sender index, then receiver index
		if typ == wgCookie {
			off = 4
		}
		if stage == 2-d {
			if norm(1-d, uint64(appLE32(b[off:]))) == getIdx(1-d) {
				setVPN(c, protoWireGuard)
				return matched
			}
			return notMine
		}
	case wgTransport:
		r := uint64(appLE32(b[4:]))
		switch stage {
		case 0:
			setStage(3 + d)
			setIdx(d, r)
		case 4 - d:
			setStage(5)
			setIdx(d, r)
		case 3 + d:
			if norm(d, r) != getIdx(d) {
				return notMine
			}
		case 5:
			if norm(d, r) != getIdx(d) {
				return notMine
			}
			setVPN(c, protoWireGuard)
			return matched
		}
	}
	if c.pkts() >= 12 {
		return notMine
	}
	return needMore
}

// ISAKMP exchange types of IKEv1 and IKEv2.
func ikeExchange(version, exch byte) bool {
	switch version {
	case 0x10: // IKEv1: base, identity protection, authentication only, aggressive, informational, quick mode, new group
		return exch >= 1 && exch <= 5 || exch == 32 || exch == 33
	case 0x20: // IKEv2: IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL
		return exch >= 34 && exch <= 37
	}
	return false
}

// dissectIPsec recognises the key exchange of IPsec (ISAKMP/IKE) on UDP 500
// and 4500 (where it follows a 4-byte non-ESP marker), and the Cisco VPN
// client's UDP encapsulation on port 10000.
func dissectIPsec(c *ctx) verdict {
	b := c.payload
	if c.srvPort == 10000 && c.cliPort == 10000 {
		if len(b) >= 4 && appBE32(b) == 0xfe577e2b {
			c.set(protoCiscoVPN)
			return matched
		}
		return notMine
	}
	if c.hasPort(4500) && len(b) >= 4 && appBE32(b) == 0 {
		b = b[4:]
	} else if !c.hasPort(500) {
		return notMine
	}
	// Initiator SPI (8), responder SPI (8), next payload, version,
	// exchange type, flags, message id (4), length (4).
	if len(b) < 28 || !ikeExchange(b[17], b[18]) || int(appBE32(b[24:])) != len(b) {
		return notMine
	}
	var zero [8]byte
	if bytes.Equal(b[:8], zero[:]) {
		return notMine // the initiator's SPI is never zero
	}
	c.set(protoIPsec)
	return matched
}
