package dpi

import (
	"bytes"
	"encoding/binary"
)

// TFTP (RFC 1350, options RFC 2347): requests go to port 69, but the
// transfer itself runs between two ephemeral ports, so data and
// acknowledgements are recognised from their pairing: DATA block n is
// answered by ACK n from the other side, and ACK n (n = 0 after a write
// request or an option acknowledgement) by DATA n+1.

const protoTFTP ProtoID = 96 // TFTP

const (
	tftpRRQ   = 1
	tftpWRQ   = 2
	tftpDATA  = 3
	tftpACK   = 4
	tftpERROR = 5
	tftpOACK  = 6
)

// tftpMaxData is the largest data block (blksize option, RFC 2348).
const tftpMaxData = 65464

func dissectTFTP(c *ctx) verdict {
	b := c.payload
	if len(b) < 4 || b[0] != 0 {
		return notMine
	}
	switch b[1] {
	case tftpRRQ, tftpWRQ:
		if tftpRequest(b[2:]) {
			c.set(protoTFTP)
			return matched
		}
	case tftpOACK:
		if tftpOptions(b[2:]) {
			c.set(protoTFTP)
			return matched
		}
	case tftpDATA, tftpACK:
		return tftpTransfer(c, b)
	case tftpERROR:
		// An error alone proves little; on the TFTP port it is enough.
		if c.hasPort(69) && b[2] == 0 && b[3] <= 8 && b[len(b)-1] == 0 {
			c.set(protoTFTP)
			return matched
		}
	}
	return notMine
}

// tftpTransfer pairs DATA and ACK packets across the two directions. The
// scratch word holds 1 (seen) | dir<<1 | opcode<<8 | block<<16.
func tftpTransfer(c *ctx, b []byte) verdict {
	op := b[1]
	block := uint64(binary.BigEndian.Uint16(b[2:]))
	if (op == tftpACK && len(b) != 4) || (op == tftpDATA && (len(b) > 4+tftpMaxData || block == 0)) {
		return notMine
	}
	s := c.scratch()
	if *s&1 == 0 {
		*s = 1 | uint64(c.dir)<<1 | uint64(op)<<8 | block<<16
		return needMore
	}
	dir := Direction(*s >> 1 & 1)
	prevOp := byte(*s >> 8)
	prevBlock := *s >> 16 & 0xffff
	if dir != c.dir {
		if (prevOp == tftpDATA && op == tftpACK && block == prevBlock) ||
			(prevOp == tftpACK && op == tftpDATA && block == (prevBlock+1)&0xffff) {
			c.set(protoTFTP)
			return matched
		}
		return notMine
	}
	// More packets from the same side (a lost answer, or a window of
	// blocks): keep the latest.
	if c.dirPkts() > 4 {
		return notMine
	}
	*s = 1 | uint64(c.dir)<<1 | uint64(op)<<8 | block<<16
	return needMore
}

// tftpRequest checks a read or write request: a file name and a transfer
// mode, each NUL-terminated, then optional option/value pairs.
func tftpRequest(b []byte) bool {
	name, rest, ok := tftpString(b)
	if !ok || len(name) == 0 {
		return false
	}
	mode, rest, ok := tftpString(rest)
	if !ok || !(bytes.EqualFold(mode, []byte("octet")) || bytes.EqualFold(mode, []byte("netascii")) ||
		bytes.EqualFold(mode, []byte("mail"))) {
		return false
	}
	return len(rest) == 0 || tftpOptions(rest)
}

// tftpOptions checks a list of option/value pairs ending the packet.
func tftpOptions(b []byte) bool {
	pairs := 0
	for len(b) > 0 {
		opt, rest, ok := tftpString(b)
		if !ok || len(opt) == 0 {
			return false
		}
		_, rest, ok = tftpString(rest)
		if !ok {
			return false
		}
		b = rest
		pairs++
	}
	return pairs > 0
}

// tftpString splits a printable NUL-terminated string off b.
func tftpString(b []byte) (s, rest []byte, ok bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return nil, nil, false
	}
	for _, ch := range b[:i] {
		if ch < 0x20 || ch >= 0x7f {
			return nil, nil, false
		}
	}
	return b[:i], b[i+1:], true
}
