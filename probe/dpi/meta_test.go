package dpi

import "testing"

func TestMeta(t *testing.T) {
	dns := Result{App: ProtoDNS}
	http := Result{Master: ProtoHTTP, App: 126} // HTTP.Google
	// DNS query, id 0x1234, RD, one question "a.io" type AAAA.
	query := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 2, 'i', 'o', 0, 0, 28, 0, 1}
	// The same as a response with rcode 3 (NXDOMAIN).
	resp := append([]byte{}, query...)
	resp[2], resp[3] = 0x81, 0x83
	cases := []struct {
		name    string
		res     Result
		l4      uint8
		payload []byte
		want    PacketMeta
	}{
		{"dns query", dns, 17, query, PacketMeta{Kind: MetaDNSQuery, DNSQType: 28}},
		{"dns error reply", dns, 17, resp, PacketMeta{Kind: MetaDNSResponse, DNSQType: 28, DNSRcode: 3}},
		{"dns over tcp", dns, 6, append([]byte{0, byte(len(query))}, query...), PacketMeta{Kind: MetaDNSQuery, DNSQType: 28}},
		{"http get", http, 6, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), PacketMeta{Kind: MetaHTTPRequest, HTTPVerb: HTTPGet}},
		{"http options", http, 6, []byte("OPTIONS * HTTP/1.1\r\n\r\n"), PacketMeta{Kind: MetaHTTPRequest, HTTPVerb: HTTPOther}},
		{"http 404", http, 6, []byte("HTTP/1.1 404 Not Found\r\n\r\n"), PacketMeta{Kind: MetaHTTPResponse, HTTPStatus: 404}},
		{"http body segment", http, 6, []byte("<html>..."), PacketMeta{}},
		{"tls is not counted", Result{App: ProtoTLS}, 6, []byte{0x16, 3, 1, 0, 5}, PacketMeta{}},
		{"short dns", dns, 17, []byte{1, 2, 3}, PacketMeta{}},
	}
	for _, c := range cases {
		if got := Meta(c.res, &Packet{L4Proto: c.l4, Payload: c.payload}); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func FuzzMeta(f *testing.F) {
	f.Add(uint8(17), []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1})
	f.Add(uint8(6), []byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add(uint8(6), []byte("HTTP/1.0 200 OK\r\n"))
	f.Fuzz(func(t *testing.T, l4 uint8, payload []byte) {
		for _, r := range []Result{{App: ProtoDNS}, {Master: ProtoHTTP}} {
			_ = Meta(r, &Packet{L4Proto: l4, Payload: payload})
		}
	})
}
