package dpi

import (
	"net/netip"
	"testing"
)

var webServer = netip.MustParseAddr("198.51.100.35") // documentation range: no service

// httpGetFacebook is an HTTP/1.1 GET with a Host header carrying a port.
var httpGetFacebook = []byte("GET /index.html HTTP/1.1\r\n" +
	"Host: WWW.Facebook.com:8080\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
	"Accept: */*\r\n" +
	"\r\n")

// httpResponseOK is the start of an HTTP/1.1 200 response.
var httpResponseOK = []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

// httpPostOCSP is an OCSP request sent over HTTP.
var httpPostOCSP = []byte("POST / HTTP/1.1\r\nhost: ocsp.digicert.com\r\n" +
	"Content-Type: application/ocsp-request\r\nContent-Length: 83\r\n\r\n")

// httpServer is an address of no known service, so that labels come from
// the request alone.
var httpServer = netip.MustParseAddr("198.51.100.80")

func httpPacket(payload []byte, dir Direction) *Packet {
	p := &Packet{L4Proto: 6, Src: client, Dst: httpServer, SrcPort: 41000, DstPort: 80, Payload: payload}
	if dir == ServerToClient {
		p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
		p.Dir = ServerToClient
	}
	return p
}

func TestHTTPRequestResponse(t *testing.T) {
	r := NewRegistry()
	e := NewEngine(r, nil)
	var st State
	e.Inspect(&st, httpPacket(httpGetFacebook, ClientToServer))
	if got := r.Name(st.Result); got != "HTTP.Facebook" {
		t.Errorf("name %q, want HTTP.Facebook", got)
	}
	if st.ServerName != "www.facebook.com" || st.HTTPMethod != "GET" ||
		st.HTTPUserAgent != "Mozilla/5.0 (X11; Linux x86_64)" || st.Done {
		t.Errorf("state after request: %+v", st)
	}
	e.Inspect(&st, httpPacket(httpResponseOK, ServerToClient))
	if st.HTTPStatus != 200 || !st.Done {
		t.Errorf("state after response: %+v", st)
	}
	if st.Result.Category != 6 {
		t.Errorf("category %d, want 6 (SocialNetwork)", st.Result.Category)
	}
}

func TestHTTPVariants(t *testing.T) {
	r := NewRegistry()
	tests := []struct {
		name, payload, want, server string
	}{
		{"ocsp", string(httpPostOCSP), "HTTP.OCSP", "ocsp.digicert.com"},
		{"plain", "GET / HTTP/1.0\r\nHost: example.net\r\n\r\n", "HTTP", "example.net"},
		{"no host", "GET / HTTP/1.0\r\n\r\n", "HTTP", ""},
		{"ntop", "HEAD /x HTTP/1.1\r\nHost: packages.ntop.org\r\n\r\n", "HTTP.ntop", "packages.ntop.org"},
		{"connect", "CONNECT www.google.com:443 HTTP/1.1\r\nHost: www.google.com:443\r\n\r\n", "HTTP_Connect.Google", "www.google.com"},
		{"truncated line", "GET /a-very-long-path", "HTTP", ""},
		{"response first", "HTTP/1.1 404 Not Found\r\n\r\n", "HTTP", ""},
	}
	for _, tt := range tests {
		e := NewEngine(r, nil)
		var st State
		e.Inspect(&st, httpPacket([]byte(tt.payload), ClientToServer))
		if got := r.Name(st.Result); got != tt.want || st.ServerName != tt.server {
			t.Errorf("%s: %q server %q, want %q %q", tt.name, got, st.ServerName, tt.want, tt.server)
		}
	}
}

func TestHTTPParsers(t *testing.T) {
	for in, want := range map[string]uint16{
		"HTTP/1.1 200 OK\r\n": 200, "HTTP/1.0 304\r\n": 304, "HTTP/2 101 x": 101,
		"HTTP/1.1 20": 0, "HTTP/1.1 2x0 OK": 0, "HTTP/1.1 2000": 0, "HTTPS/1.1 200": 0, "": 0,
	} {
		code, ok := parseHTTPResponse([]byte(in))
		if code != want || ok != (want != 0) {
			t.Errorf("parseHTTPResponse(%q) = %d, %v", in, code, ok)
		}
	}
	for _, in := range []string{"GETX / HTTP/1.1\r\n", "GET / FTP/1.1\r\n", " GET / HTTP/1.1\r\n",
		"get / HTTP/1.1\r\n", "GET", "SSH-2.0-OpenSSH\r\n"} {
		if _, ok := parseHTTPRequest([]byte(in)); ok {
			t.Errorf("parseHTTPRequest(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{
		"Example.COM:8080": "example.com", "example.com": "example.com",
		"[2001:DB8::1]:80": "2001:db8::1", "[::1]": "::1", "::1": "::1", "": "",
		"10.0.0.1:81": "10.0.0.1",
	} {
		if got := httpHost([]byte(in)); got != want {
			t.Errorf("httpHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzHTTP(f *testing.F) {
	f.Add(httpGetFacebook)
	f.Add(httpResponseOK)
	f.Add(httpPostOCSP)
	f.Add([]byte("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"))
	e := NewEngine(NewRegistry(), nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		if req, ok := parseHTTPRequest(b); ok {
			httpHost(req.host)
		}
		parseHTTPResponse(b)
		var st State
		e.Inspect(&st, httpPacket(b, ClientToServer))
		e.Inspect(&st, httpPacket(b, ServerToClient))
	})
}
