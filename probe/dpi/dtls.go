package dpi

import "encoding/binary"

// DTLS (RFC 6347, RFC 9147) over UDP: the TLS handshake carried in
// datagrams, each record with a 13-byte header (type, version, epoch,
// sequence number, length) and each handshake message with a 12-byte one
// (type, length, message sequence, fragment offset and length). The
// ClientHello names the service as with TLS; application data classifies a
// session seen from its middle. A datagram must be whole records.

const (
	dtlsRecordHeader = 13
	dtlsMsgHeader    = 12
)

// dtlsRecordOK checks a DTLS record header: a TLS content type and a DTLS
// version (1.0, 1.2, 1.3 or OpenSSL's pre-standard 0x0100).
func dtlsRecordOK(b []byte) bool {
	if len(b) <= dtlsRecordHeader || b[0] < tlsChangeCipher || b[0] > tlsAppData {
		return false
	}
	switch v := binary.BigEndian.Uint16(b[1:]); v {
	case verDTLS10, verDTLS12, verDTLS13, 0x0100:
	default:
		return false
	}
	l := int(binary.BigEndian.Uint16(b[11:]))
	return l > 0 && dtlsRecordHeader+l <= len(b)
}

// dissectDTLS recognises DTLS and reads its handshake.
func dissectDTLS(c *ctx) verdict {
	ti := c.tlsInfo()
	if ti == nil || ti.hs == nil {
		if !dtlsRecordOK(c.payload) {
			return notMine
		}
		ti = &c.info().TLS
		ti.hs = &tlsFlow{master: protoDTLS, dtls: true}
	}
	return dtlsStep(c, ti)
}

// dtlsFollow lets a protocol multiplexing DTLS on its flow (STUN and
// WebRTC) hand a DTLS datagram to the DTLS reader, from its follow-up
// packets: the flow becomes DTLS, with app as its service when known. It
// returns notMine for a datagram that is not DTLS, which the caller may
// then read itself.
func dtlsFollow(c *ctx, app ProtoID) verdict {
	if !dtlsRecordOK(c.payload) {
		return notMine
	}
	ti := &c.info().TLS
	if ti.hs == nil {
		if ti.ClientVersion != 0 || ti.Version != 0 {
			return matched // already read
		}
		ti.hs = &tlsFlow{master: protoDTLS, app: app, dtls: true, stun: true, named: app != ProtoUnknown}
	}
	return dtlsStep(c, ti)
}

// dtlsStep feeds one datagram to the handshake reader.
func dtlsStep(c *ctx, ti *TLSInfo) verdict {
	f := ti.hs
	if !f.feedDTLS(c, ti, c.payload) {
		ti.hs = nil
		if f.seen&tlsSeenClass != 0 {
			return matched
		}
		return notMine
	}
	if f.seen&tlsSeenClass == 0 {
		if c.pkts() >= maxPayloadPackets {
			ti.hs = nil
			return notMine
		}
		return needMore
	}
	// Unlike TCP, nothing is read after the certificate, a
	// ChangeCipherSpec or application data.
	if f.done() || f.seen&tlsSeenCert != 0 || c.st.follow != 0 && c.pkts() >= tlsMaxFollowedPkts {
		ti.hs = nil
		return matched
	}
	return matchedMore
}

// feedDTLS reads the records of one datagram. It reports false when the
// datagram is not (whole) DTLS records.
func (f *tlsFlow) feedDTLS(c *ctx, ti *TLSInfo, p []byte) bool {
	for b := p; len(b) > 0; {
		if !dtlsRecordOK(b) {
			return false
		}
		b = b[dtlsRecordHeader+int(binary.BigEndian.Uint16(b[11:])):]
	}
	s := &f.dir[c.dir]
	for len(p) > 0 {
		n := dtlsRecordHeader + int(binary.BigEndian.Uint16(p[11:]))
		typ, epoch, body := p[0], binary.BigEndian.Uint16(p[3:]), p[dtlsRecordHeader:n]
		p = p[n:]
		switch typ {
		case tlsHandshake:
			// From epoch 1 on, handshake messages are encrypted.
			if epoch == 0 && !f.dtlsHandshake(c, ti, s, body) {
				return false
			}
		case tlsChangeCipher:
			// What follows is encrypted: the handshake in clear is over.
			s.ccs, s.appData = true, true
			f.seen |= tlsSeenCert
			if f.seen&tlsSeenClass == 0 {
				f.classify(c, "")
			}
			return true
		case tlsAlert:
			if len(body) == 2 && body[0] == 2 {
				c.risk(RiskTLSFatalAlert)
			}
		case tlsAppData:
			// A session seen from its middle.
			s.appData = true
			f.seen |= tlsSeenCert
			if f.seen&tlsSeenClass == 0 {
				f.classify(c, "")
			}
			return true
		}
	}
	return true
}

// dtlsHandshake reads the handshake fragments of one record, joining the
// fragments of a message sent in order (a certificate chain is often
// split over several datagrams).
func (f *tlsFlow) dtlsHandshake(c *ctx, ti *TLSInfo, s *tlsStream, b []byte) bool {
	for len(b) > 0 {
		if len(b) < dtlsMsgHeader {
			return false
		}
		msgLen := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		off := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
		n := int(b[9])<<16 | int(b[10])<<8 | int(b[11])
		if dtlsMsgHeader+n > len(b) || off+n > msgLen {
			return false
		}
		frag := b[:dtlsMsgHeader+n]
		b = b[dtlsMsgHeader+n:]
		if off == 0 && n == msgLen {
			f.message(c, ti, frag)
			continue
		}
		switch {
		case off == 0:
			// First fragment: keep it, with the header made whole.
			s.msg = append(s.msg[:0], frag...)
			s.msg[9], s.msg[10], s.msg[11] = byte(msgLen>>16), byte(msgLen>>8), byte(msgLen)
		case len(s.msg) > 0 && s.msg[0] == frag[0] && off == len(s.msg)-dtlsMsgHeader:
			if len(s.msg)+n > tlsMaxBuffer {
				s.msg = nil
				continue
			}
			s.msg = append(s.msg, frag[dtlsMsgHeader:]...)
		default:
			continue // out of order or a retransmission: ignored
		}
		if len(s.msg)-dtlsMsgHeader == msgLen {
			f.message(c, ti, s.msg)
			s.msg = nil
		} else if s.msg[0] == tlsCertificate && f.certificate(c, ti, s.msg, false) {
			s.msg = nil // the first certificate is read
		}
	}
	return true
}
