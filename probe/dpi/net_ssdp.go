package dpi

import "bytes"

// SSDP (UPnP discovery) is HTTP over UDP: M-SEARCH and NOTIFY requests to
// 239.255.255.250:1900 and unicast "200 OK" answers to an M-SEARCH, sent
// from an ephemeral port, so the answers are recognised on any port.

var (
	ssdpSearch = []byte("M-SEARCH * HTTP/1.")
	ssdpNotify = []byte("NOTIFY * HTTP/1.")
	ssdpOK     = []byte("HTTP/1.1 200 OK\r\n")
)

func dissectSSDP(c *ctx) verdict {
	b := c.payload
	if len(b) < len(ssdpOK) || (b[0] != 'M' && b[0] != 'N' && b[0] != 'H') {
		return notMine
	}
	request := bytes.HasPrefix(b, ssdpSearch) || bytes.HasPrefix(b, ssdpNotify)
	if !request && !bytes.HasPrefix(b, ssdpOK) {
		return notMine
	}
	c.set(protoSSDP)
	if request {
		ssdpHeaders(c, b)
	}
	return matched
}

// ssdpHeaders records the Host and User-Agent headers of a request, as
// nDPI reports them.
func ssdpHeaders(c *ctx, b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			return
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		key, val := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case len(val) == 0:
		case bytes.EqualFold(key, []byte("Host")):
			c.st.ServerName = string(val)
		case bytes.EqualFold(key, []byte("User-Agent")):
			c.st.HTTPUserAgent = string(val)
		}
	}
}

const protoSSDP ProtoID = 12 // SSDP
