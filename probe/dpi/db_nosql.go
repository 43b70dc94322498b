package dpi

// NoSQL databases: Redis (RESP) and MongoDB (wire protocol).

// dissectRedis recognises RESP, the Redis serialization protocol: the
// client sends commands as arrays of bulk strings ("*3\r\n$3\r\nSET\r\n..."),
// the server answers with a simple string, error, integer, bulk string or
// array, each line ending with CRLF.
func dissectRedis(c *ctx) verdict {
	b := c.payload
	var bit uint64
	if c.fromClient() {
		if !redisCommand(b) {
			return notMine
		}
		bit = 1
	} else {
		if len(b) < 3 || !endsCRLF(b) {
			return notMine
		}
		switch b[0] {
		case '+', '-', ':', '$', '*':
		default:
			return notMine
		}
		bit = 2
	}
	st := c.scratch()
	*st |= bit
	if *st != 3 {
		if c.dirPkts() > 1 {
			return notMine // one side keeps talking: not a request/reply exchange
		}
		return needMore
	}
	c.set(protoRESP)
	return matched
}

// redisCommand reports whether b starts with a RESP array of bulk strings:
// "*", a count, CRLF, "$".
func redisCommand(b []byte) bool {
	if len(b) < 8 || b[0] != '*' || !endsCRLF(b) {
		return false
	}
	i := 1
	for i < len(b) && i < 6 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i > 1 && i+2 < len(b) && b[i] == '\r' && b[i+1] == '\n' && b[i+2] == '$'
}

// MongoDB opcodes.
const (
	mongoOpReply      = 1
	mongoOpUpdate     = 2001
	mongoOpDelete     = 2006
	mongoOpCompressed = 2012
	mongoOpMsg        = 2013
)

const mongoMaxMessage = 48 << 20

// dissectMongoDB recognises a MongoDB request (a 16-byte header: length,
// request id, responseTo 0, opcode) answered by a reply whose responseTo is
// the request's id.
func dissectMongoDB(c *ctx) verdict {
	b := c.payload
	if len(b) < 16 {
		return notMine
	}
	n, reqID, respTo, op := appLE32(b), appLE32(b[4:]), appLE32(b[8:]), appLE32(b[12:])
	if n < 16 || n > mongoMaxMessage {
		return notMine
	}
	if c.fromClient() {
		if c.dirPkts() > 1 {
			return needMore
		}
		if int(n) != len(b) || respTo != 0 || !(op >= mongoOpUpdate && op <= mongoOpDelete && op != 2003 ||
			op == mongoOpCompressed || op == mongoOpMsg) {
			return notMine
		}
		*c.scratch() = 1<<32 | uint64(reqID)
		return needMore
	}
	sent := appPeek(c)
	if sent == 0 || uint32(sent) != respTo ||
		op != mongoOpReply && op != mongoOpMsg && op != mongoOpCompressed {
		return notMine
	}
	c.set(protoMongoDB)
	return matched
}
