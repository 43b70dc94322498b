package dpi

import "testing"

// mysqlGreeting is a MySQL 8 Initial Handshake packet (protocol 10).
func mysqlGreeting(version string) []byte {
	body := appCat(
		[]byte{10},                 // protocol version
		[]byte(version), []byte{0}, // server version, NUL
		[]byte{0x0b, 0x00, 0x00, 0x00}, // connection id
		[]byte("abcdefgh"),             // auth-plugin-data part 1
		[]byte{0x00},                   // filler
		[]byte{0xff, 0xff},             // capability flags (lower)
		[]byte{0xff},                   // character set
		[]byte{0x02, 0x00},             // status flags
		[]byte{0xff, 0xdf},             // capability flags (upper)
		[]byte{0x15},                   // auth-plugin-data length
		make([]byte, 10),               // reserved
		[]byte("ijklmnopqrst\x00"),     // auth-plugin-data part 2
		[]byte("caching_sha2_password\x00"),
	)
	n := len(body)
	return appCat([]byte{byte(n), byte(n >> 8), byte(n >> 16), 0x00}, body) // length, sequence 0
}

func TestMySQL(t *testing.T) {
	a := newAppConv(t, 6, 40000, 3306)
	a.s2c(mysqlGreeting("8.0.36"))
	a.wantDPI("MySQL")
	b := newAppConv(t, 6, 40000, 13306)
	b.s2c(mysqlGreeting("10.11.6-MariaDB-0+deb12u1"))
	b.wantDPI("MySQL")

	// Near misses: sequence number 1, reserved bytes set, protocol 9.
	for _, mut := range []func([]byte){
		func(p []byte) { p[3] = 1 },
		func(p []byte) { p[4+1+7+4+8+1+2+1+2+2+1+3] = 1 },
		func(p []byte) { p[4] = 9 },
	} {
		p := mysqlGreeting("8.0.36")
		mut(p)
		c := newAppConv(t, 6, 40000, 3306)
		c.s2c(p)
		c.wantDPI("")
	}
}

func TestPostgreSQL(t *testing.T) {
	ssl := []byte{0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f} // SSLRequest: length 8, code 80877103
	a := newAppConv(t, 6, 58574, 60102)
	a.c2s(ssl).s2c([]byte("S"))
	a.wantDPI("PostgreSQL")

	startup := appCat(
		[]byte{0x00, 0x00, 0x00, 0x23}, // length 35
		[]byte{0x00, 0x03, 0x00, 0x00}, // protocol 3.0
		[]byte("user\x00postgres\x00database\x00db\x00\x00"),
	)
	auth := []byte{'R', 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04} // AuthenticationMD5Password
	b := newAppConv(t, 6, 40000, 5432)
	b.c2s(startup).wantDPI("")
	b.s2c(auth).wantDPI("PostgreSQL")

	// Near misses: a wrong answer to SSLRequest, a wrong startup length,
	// a server speaking first.
	c := newAppConv(t, 6, 40000, 5432)
	c.c2s(ssl).s2c([]byte("X"))
	c.wantDPI("")
	bad := append([]byte(nil), startup...)
	bad[3] = 0x24
	d := newAppConv(t, 6, 40000, 5432)
	d.c2s(bad).s2c(auth)
	d.wantDPI("")
	e := newAppConv(t, 6, 40000, 5432)
	e.s2c([]byte("S")).c2s(ssl)
	e.wantDPI("")
}
