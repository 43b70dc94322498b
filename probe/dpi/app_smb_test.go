package dpi

import "testing"

// smbMessage builds an SMB message over TCP 445: the 4-byte session header
// (type 0, length) and a 64-byte SMB header starting with proto.
func smbMessage(proto string, cmd byte) []byte {
	hdr := appCat([]byte(proto), []byte{cmd}, make([]byte, 59))
	n := len(hdr)
	return appCat([]byte{0x00, byte(n >> 16), byte(n >> 8), byte(n)}, hdr)
}

func TestSMB(t *testing.T) {
	a := newAppConv(t, 6, 56848, 445)
	a.c2s(smbMessage("\xfeSMB", 0x40)) // SMB2 header (structure size 64)
	a.wantDPI("NetBIOS.SMBv23")

	// SMB1: the negotiate proves nothing; the session setup does.
	b := newAppConv(t, 6, 54120, 445)
	b.c2s(smbMessage("\xffSMB", 0x72)).s2c(smbMessage("\xffSMB", 0x72))
	b.wantDPI("")
	b.c2s(smbMessage("\xffSMB", 0x73))
	b.wantDPI("NetBIOS.SMBv1")
	b.wantRisk(RiskSMBInsecureVersion)
	// An SMB1 negotiate answered in SMB2.
	c := newAppConv(t, 6, 54121, 445)
	c.c2s(smbMessage("\xffSMB", 0x72)).s2c(smbMessage("\xfeSMB", 0x00))
	c.wantDPI("NetBIOS.SMBv23")

	// Near misses: a wrong length, another port, another magic.
	bad := smbMessage("\xfeSMB", 0x40)
	bad[3]++
	d := newAppConv(t, 6, 40000, 445)
	d.c2s(bad).wantDPI("")
	e := newAppConv(t, 6, 40000, 446)
	e.c2s(smbMessage("\xfeSMB", 0x40)).wantDPI("")
	f := newAppConv(t, 6, 40000, 445)
	f.c2s(smbMessage("\xfeSMC", 0x40)).wantDPI("")
}
