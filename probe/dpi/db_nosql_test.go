package dpi

import "testing"

func TestRedis(t *testing.T) {
	a := newAppConv(t, 6, 40000, 6379)
	a.c2s([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")) // SET k v
	a.wantDPI("")
	a.s2c([]byte("+OK\r\n"))
	a.wantDPI("RESP")

	// Near misses: an inline command, a reply without CRLF.
	b := newAppConv(t, 6, 40000, 6379)
	b.c2s([]byte("PING\r\n")).s2c([]byte("+PONG\r\n"))
	b.wantDPI("")
	c := newAppConv(t, 6, 40000, 6379)
	c.c2s([]byte("*1\r\n$4\r\nPING\r\n")).s2c([]byte("+PONG"))
	c.wantDPI("")
}

// mongoMsg builds a MongoDB OP_MSG with a small BSON body.
func mongoMsg(reqID, respTo uint32) []byte {
	body := appCat(
		[]byte{0, 0, 0, 0}, // flagBits
		[]byte{0},          // section kind 0: body
		[]byte{0x13, 0, 0, 0, 0x10, 'p', 'i', 'n', 'g', 0, 1, 0, 0, 0, 0x02, 0, 0, 0, 0}, // BSON
	)
	n := uint32(16 + len(body))
	le := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	return appCat(le(n), le(reqID), le(respTo), le(2013), body) // header: length, requestID, responseTo, OP_MSG
}

func TestMongoDB(t *testing.T) {
	a := newAppConv(t, 6, 40000, 27017)
	a.c2s(mongoMsg(7, 0)).wantDPI("")
	a.s2c(mongoMsg(99, 7)).wantDPI("MongoDB")

	// Near misses: the reply answers another request; a request with a
	// responseTo; a length that does not match.
	b := newAppConv(t, 6, 40000, 27017)
	b.c2s(mongoMsg(7, 0)).s2c(mongoMsg(99, 8))
	b.wantDPI("")
	c := newAppConv(t, 6, 40000, 27017)
	c.c2s(mongoMsg(7, 3)).s2c(mongoMsg(99, 7))
	c.wantDPI("")
	req := mongoMsg(7, 0)
	req[0]++
	d := newAppConv(t, 6, 40000, 27017)
	d.c2s(req).s2c(mongoMsg(99, 7))
	d.wantDPI("")
}
