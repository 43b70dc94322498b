package dpi

import "bytes"

// HTTP/1.x: the request line and the Host and User-Agent headers of
// requests, the status code of responses.

// httpMethods are the request methods recognised, as constants so that
// storing the method in a State does not allocate.
var httpMethods = [...]string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
	"TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "REPORT", "SEARCH", "NOTIFY", "M-SEARCH", "SUBSCRIBE",
}

const httpMaxHeaderLines = 100

// httpRequest is what parseHTTPRequest extracts. The byte slices alias the
// payload.
type httpRequest struct {
	method string
	host   []byte // as sent, port included
	ua     []byte
}

// parseHTTPRequest recognises "METHOD SP target ..." and collects the Host
// and User-Agent headers found in the payload.
func parseHTTPRequest(b []byte) (httpRequest, bool) {
	var req httpRequest
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || sp > 10 {
		return req, false
	}
	for _, m := range httpMethods {
		if string(b[:sp]) == m {
			req.method = m
			break
		}
	}
	if req.method == "" {
		return req, false
	}
	line, rest, complete := bytes.Cut(b, []byte("\n"))
	if complete {
		line = bytes.TrimSuffix(line, []byte("\r"))
		// A complete request line ends with " HTTP/x.y".
		i := bytes.LastIndexByte(line, ' ')
		if i <= sp || !bytes.HasPrefix(line[i+1:], []byte("HTTP/")) {
			return req, false
		}
	}
	for n := 0; complete && n < httpMaxHeaderLines; n++ {
		line, rest, complete = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case req.host == nil && bytes.EqualFold(bytes.TrimSpace(name), []byte("Host")):
			req.host = value
		case req.ua == nil && bytes.EqualFold(bytes.TrimSpace(name), []byte("User-Agent")):
			req.ua = value
		}
	}
	return req, true
}

// parseHTTPResponse recognises "HTTP/x.y NNN" and returns the status code.
func parseHTTPResponse(b []byte) (uint16, bool) {
	if !bytes.HasPrefix(b, []byte("HTTP/")) {
		return 0, false
	}
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 || sp > 10 || len(b) < sp+4 {
		return 0, false
	}
	var code uint16
	for _, c := range b[sp+1 : sp+4] {
		if c < '0' || c > '9' {
			return 0, false
		}
		code = code*10 + uint16(c-'0')
	}
	if len(b) > sp+4 && b[sp+4] != ' ' && b[sp+4] != '\r' && b[sp+4] != '\n' {
		return 0, false
	}
	return code, true
}

// httpHost is the Host header value without port, lower-case.
func httpHost(h []byte) string {
	if len(h) == 0 {
		return ""
	}
	if h[0] == '[' { // IPv6 literal
		if i := bytes.IndexByte(h, ']'); i > 0 {
			return lowerASCII(h[1:i])
		}
		return lowerASCII(h)
	}
	if i := bytes.LastIndexByte(h, ':'); i >= 0 && bytes.IndexByte(h[:i], ':') < 0 {
		h = h[:i]
	}
	return lowerASCII(h)
}

var httpDissectors = []dissector{
	{name: "HTTP", l4: onTCP, tcpPorts: []uint16{80, 8080, 3128}, run: dissectHTTP},
}

// dissectHTTP recognises an HTTP request or response. The flow is
// classified on the request (its Host names the service) and inspected
// until the response status is known.
func dissectHTTP(c *ctx) verdict {
	st := c.st
	if code, ok := parseHTTPResponse(c.payload); ok {
		if st.flags&flagHTTPResp == 0 {
			st.flags |= flagHTTPResp
			st.HTTPStatus = code
			if st.flags&flagHTTPReq == 0 {
				c.set(ProtoHTTP)
			}
		}
		if st.flags&flagHTTPReq != 0 {
			return matched
		}
		return matchedMore
	}
	req, ok := parseHTTPRequest(c.payload)
	if !ok {
		if st.flags&(flagHTTPReq|flagHTTPResp) != 0 {
			return matchedMore // request body or continuation
		}
		if c.pkts() < 3 {
			return needMore
		}
		return notMine
	}
	if st.flags&flagHTTPReq != 0 {
		return matchedMore // a later request of a keep-alive connection
	}
	st.flags |= flagHTTPReq
	st.HTTPMethod = req.method
	if len(req.ua) > 0 {
		st.HTTPUserAgent = string(req.ua)
	}
	master := ProtoHTTP
	if req.method == "CONNECT" {
		master = protoHTTPConnect
	}
	c.setByName(master, httpHost(req.host))
	if st.flags&flagHTTPResp != 0 {
		return matched
	}
	return matchedMore
}
