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

// httpMethod returns the method constant named by verb, or "".
func httpMethod(verb []byte) string {
	for _, m := range httpMethods {
		if string(verb) == m {
			return m
		}
	}
	return ""
}

// httpRequest is what parseHTTPRequest extracts. The byte slices alias the
// payload.
type httpRequest struct {
	method      string
	target      []byte // request target ("/index.html?q=1")
	host        []byte // as sent, port included
	ua          []byte
	contentType []byte
	hasUA       bool // a User-Agent header was present (possibly empty)
	complete    bool // the header block ended in this payload
	log4j       bool // a header value carries a JNDI lookup ("${jndi:")
}

// parseHTTPRequest recognises "METHOD SP target ..." and collects the
// headers the classifier uses.
func parseHTTPRequest(b []byte) (httpRequest, bool) {
	var req httpRequest
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || sp > 10 {
		return req, false
	}
	if req.method = httpMethod(b[:sp]); req.method == "" {
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
		req.target = line[sp+1 : i]
	} else {
		req.target = line[sp+1:]
	}
	if complete {
		_, req.complete = httpHeaders(rest, func(name, value []byte) {
			switch {
			case req.host == nil && bytes.EqualFold(name, []byte("Host")):
				req.host = value
			case !req.hasUA && bytes.EqualFold(name, []byte("User-Agent")):
				req.ua, req.hasUA = value, true
			case req.contentType == nil && bytes.EqualFold(name, []byte("Content-Type")):
				req.contentType = value
			}
			if bytes.Contains(value, []byte("${jndi:")) {
				req.log4j = true
			}
		})
	}
	return req, true
}

// httpHeaders calls fn with the trimmed name and value of each header line
// of b (the bytes after the start line), up to the empty line that ends the
// block. It returns the bytes after that line (the start of the body) and
// whether the block ended within b.
func httpHeaders(b []byte, fn func(name, value []byte)) (body []byte, complete bool) {
	rest, more := b, true
	for n := 0; more && n < httpMaxHeaderLines; n++ {
		var line []byte
		line, rest, more = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			if more {
				return rest, true
			}
			return nil, false
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok {
			fn(bytes.TrimSpace(name), bytes.TrimSpace(value))
		}
	}
	return nil, false
}

// httpResponse is what parseHTTPResponseHeaders extracts.
type httpResponse struct {
	status      uint16
	contentType []byte
	server      []byte
	body        []byte // start of the body, when the headers end in this payload
}

// parseHTTPResponseHeaders parses a response's status line and the headers
// the classifier uses.
func parseHTTPResponseHeaders(b []byte) (httpResponse, bool) {
	var rsp httpResponse
	code, ok := parseHTTPResponse(b)
	if !ok {
		return rsp, false
	}
	rsp.status = code
	if _, rest, ok := bytes.Cut(b, []byte("\n")); ok {
		rsp.body, _ = httpHeaders(rest, func(name, value []byte) {
			switch {
			case rsp.contentType == nil && bytes.EqualFold(name, []byte("Content-Type")):
				rsp.contentType = value
			case rsp.server == nil && bytes.EqualFold(name, []byte("Server")):
				rsp.server = value
			}
		})
	}
	return rsp, true
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
// until the response headers are known, which may refine the label (a
// content type naming a protocol carried over HTTP) and add risks.
func dissectHTTP(c *ctx) verdict {
	st := c.st
	if rsp, ok := parseHTTPResponseHeaders(c.payload); ok {
		if st.flags&flagHTTPResp == 0 {
			st.flags |= flagHTTPResp
			st.HTTPStatus = rsp.status
			if st.flags&flagHTTPReq == 0 {
				c.set(ProtoHTTP)
			}
			httpResponseFacts(c, &rsp)
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
		if c.pkts() < 3 && mayStartHTTP(c.payload) {
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
	host := httpHost(req.host)
	if game := gameHTTPApp(req.method, req.target, req.ua, req.host); game != ProtoUnknown {
		// A game's updater: nDPI reports the game alone.
		st.ServerName = host
		c.set(game)
	} else if !c.setByName(master, host) {
		if app := httpRequestApp(&req); app != ProtoUnknown {
			c.setPair(master, app)
		}
	}
	httpRequestFacts(c, &req, host)
	if st.flags&flagHTTPResp != 0 {
		return matched
	}
	return matchedMore
}

// mayStartHTTP reports whether a payload that is not (yet) a complete
// request line could still become one: a method name in progress. Other
// payloads rule HTTP out at once.
func mayStartHTTP(b []byte) bool {
	if len(b) > 10 {
		return false
	}
	for _, m := range httpMethods {
		if len(b) <= len(m) && string(b) == m[:len(b)] {
			return true
		}
	}
	return false
}

// Sub-protocols nDPI recognises inside HTTP from the request or response.
const (
	httpSubIPP           ProtoID = 6
	httpSubWindowsUpdate ProtoID = 147
	httpSubBitTorrent    ProtoID = 37
	httpSubSOAP          ProtoID = 253
	httpSubMpegDash      ProtoID = 291
	httpSubJSONRPC       ProtoID = 375
)

// httpRequestApp names the protocol an HTTP request carries when its
// target, user agent or content type says so.
func httpRequestApp(req *httpRequest) ProtoID {
	path, _, _ := bytes.Cut(req.target, []byte("?"))
	switch {
	case bytes.HasPrefix(req.ua, []byte("Windows-Update-Agent")),
		bytes.HasPrefix(req.ua, []byte("Microsoft-Delivery-Optimization")):
		return httpSubWindowsUpdate
	case bytes.HasPrefix(req.ua, []byte("CUPS/")), bytes.HasPrefix(path, []byte("/ipp")),
		bytes.HasPrefix(req.contentType, []byte("application/ipp")):
		return httpSubIPP
	case bytes.Contains(req.target, []byte("/announce?info_hash=")),
		bytes.Contains(req.target, []byte("/scrape?info_hash=")):
		return httpSubBitTorrent
	case bytes.HasPrefix(req.contentType, []byte("application/soap+xml")):
		return httpSubSOAP
	case bytes.HasPrefix(req.contentType, []byte("application/json-rpc")):
		return httpSubJSONRPC
	case bytes.HasSuffix(path, []byte(".mpd")), bytes.HasSuffix(path, []byte(".m4s")),
		bytes.HasSuffix(path, []byte(".mp4")):
		return httpSubMpegDash
	}
	return ProtoUnknown
}

// httpRequestFacts records the request metadata and its risks.
func httpRequestFacts(c *ctx, req *httpRequest, host string) {
	in := c.info()
	in.HTTP.URL = string(req.target)
	in.HTTP.RequestCT = string(req.contentType)
	switch {
	case !req.hasUA || len(req.ua) == 0:
		c.risk(RiskHTTPSuspiciousUserAgent)
	case suspiciousUserAgent(req.ua):
		c.risk(RiskHTTPSuspiciousUserAgent)
	case isCrawler(req.ua):
		c.risk(RiskHTTPCrawlerBot)
	}
	if req.log4j {
		c.risk(RiskHTTPSuspiciousHeader)
	}
	for _, r := range urlAttacks(req.target) {
		c.risk(r)
	}
}

// httpResponseFacts records the response metadata and its risks.
func httpResponseFacts(c *ctx, rsp *httpResponse) {
	in := c.info()
	in.HTTP.ContentType = string(rsp.contentType)
	in.HTTP.Server = string(rsp.server)
	if rsp.status >= 400 {
		c.risk(RiskErrorCode)
	}
	if obsoleteHTTPServer(rsp.server) {
		c.risk(RiskHTTPObsoleteServer)
	}
	if isBinaryContentType(rsp.contentType) {
		c.risk(RiskBinaryDataTransfer)
		if bytes.HasPrefix(rsp.body, []byte("MZ")) {
			c.risk(RiskBinaryAppTransfer) // a Windows executable
		}
	}
	if bytes.HasPrefix(rsp.contentType, []byte("application/json-rpc")) && c.st.Result.Master == ProtoUnknown {
		c.setPair(ProtoHTTP, httpSubJSONRPC)
	}
}
