package dpi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 section 3.3):
// the keys derive from a per-version salt and the Destination Connection ID
// the client chose, so anyone on the path can remove the protection and read
// the ClientHello. Only the client's keys are derived: the server's Initial
// carries nothing the classification needs.

// Initial salts. Drafts changed the salt at draft-23, draft-29 and draft-33
// (the RFC 9001 salt); Google's Q050/T050/T051 and QUIC v2 have their own.
var (
	quicSaltDraft22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	quicSaltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	quicSaltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	quicSaltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	quicSaltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	quicSaltQ050    = []byte{0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45}
	quicSaltT050    = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	quicSaltT051    = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
)

// quicSalt returns the Initial salt of version v.
func quicSalt(v uint32) []byte {
	switch v {
	case gquicQ050:
		return quicSaltQ050
	case gquicT050:
		return quicSaltT050
	case gquicT051:
		return quicSaltT051
	case quicV2:
		return quicSaltV2
	}
	switch d := quicDraft(v); {
	case d <= 22:
		return quicSaltDraft22
	case d <= 28:
		return quicSaltDraft23
	case d <= 32:
		return quicSaltDraft29
	}
	return quicSaltV1
}

// quicKeys is the client's Initial packet protection.
type quicKeys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   [12]byte
}

// quicRawKeys are the derived key bytes (exposed for the RFC test vectors).
type quicRawKeys struct {
	key, iv, hp []byte
}

// quicDeriveRaw derives the client Initial key, IV and header protection key
// of version v for the connection id dcid.
func quicDeriveRaw(v uint32, dcid []byte) (quicRawKeys, bool) {
	var k quicRawKeys
	initial, err := hkdf.Extract(sha256.New, dcid, quicSalt(v))
	if err != nil {
		return k, false
	}
	client, ok := quicExpandLabel(initial, "client in", sha256.Size)
	if !ok {
		return k, false
	}
	// QUIC v2 renamed the labels so that v1 keys never decrypt v2 packets.
	key, iv, hp := "quic key", "quic iv", "quic hp"
	if v == quicV2 {
		key, iv, hp = "quicv2 key", "quicv2 iv", "quicv2 hp"
	}
	var ok1, ok2, ok3 bool
	k.key, ok1 = quicExpandLabel(client, key, 16)
	k.iv, ok2 = quicExpandLabel(client, iv, 12)
	k.hp, ok3 = quicExpandLabel(client, hp, 16)
	return k, ok1 && ok2 && ok3
}

// quicExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func quicExpandLabel(secret []byte, label string, n int) ([]byte, bool) {
	const prefix = "tls13 "
	var info [2 + 1 + 32 + 1]byte
	l := len(prefix) + len(label)
	if l > 32 {
		return nil, false
	}
	binary.BigEndian.PutUint16(info[:], uint16(n))
	info[2] = byte(l)
	copy(info[3:], prefix)
	copy(info[3+len(prefix):], label)
	info[3+l] = 0 // context length
	out, err := hkdf.Expand(sha256.New, secret, string(info[:4+l]), n)
	return out, err == nil
}

// quicInitialKeys builds the client's Initial ciphers.
func quicInitialKeys(v uint32, dcid []byte) (*quicKeys, bool) {
	raw, ok := quicDeriveRaw(v, dcid)
	if !ok {
		return nil, false
	}
	pp, err := aes.NewCipher(raw.key)
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(pp)
	if err != nil {
		return nil, false
	}
	hp, err := aes.NewCipher(raw.hp)
	if err != nil {
		return nil, false
	}
	k := &quicKeys{aead: aead, hp: hp}
	copy(k.iv[:], raw.iv)
	return k, true
}

// quicUnprotect removes the protection of the long-header packet that
// starts at b[0]: pnOff is the offset of the packet number and end the end
// of the packet (pnOff plus the Length field). It returns the plaintext
// frames.
func (k *quicKeys) unprotect(b []byte, pnOff, end int) ([]byte, bool) {
	// The header protection sample is taken as if the packet number were
	// 4 bytes long; the packet must hold the sample and the AEAD tag.
	if pnOff+4+aes.BlockSize > end || end > len(b) {
		return nil, false
	}
	var mask [aes.BlockSize]byte
	k.hp.Encrypt(mask[:], b[pnOff+4:pnOff+4+aes.BlockSize])
	first := b[0] ^ mask[0]&0x0f
	pnLen := int(first&3) + 1
	hdrLen := pnOff + pnLen
	if hdrLen+k.aead.Overhead() >= end {
		return nil, false
	}
	hdr := make([]byte, hdrLen, end)
	copy(hdr, b[:hdrLen])
	hdr[0] = first
	var pn uint64
	for i := range pnLen {
		hdr[pnOff+i] ^= mask[1+i]
		pn = pn<<8 | uint64(hdr[pnOff+i])
	}
	// Initial packet numbers start at 0, so the truncated number is the
	// full one for the first packets of a connection.
	nonce := k.iv
	binary.BigEndian.PutUint64(nonce[4:], binary.BigEndian.Uint64(nonce[4:])^pn)
	// The plaintext reuses the spare capacity of hdr.
	out, err := k.aead.Open(hdr[hdrLen:hdrLen], nonce[:], b[hdrLen:end], hdr)
	if err != nil {
		return nil, false
	}
	return out, true
}
