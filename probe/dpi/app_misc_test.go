package dpi

import "testing"

func TestAppSignatures(t *testing.T) {
	tests := []struct {
		name             string
		cliPort, srvPort uint16
		fromServer       bool
		payload          []byte
		want             string
	}{
		{"ajp cping", 38856, 8009, false, []byte{0x12, 0x34, 0x00, 0x01, 0x0a}, "AJP"}, // magic, length 1, CPING
		{"ajp cpong", 38856, 8009, true, []byte{'A', 'B', 0x00, 0x01, 0x09}, "AJP"},    // magic, length 1, CPONG
		{"ajp bad type", 38856, 8009, false, []byte{0x12, 0x34, 0x00, 0x01, 0x09}, ""},
		{"ajp bad length", 38856, 8009, false, []byte{0x12, 0x34, 0x00, 0x00, 0x0a}, ""},
		{"amqp header", 44000, 5672, false, []byte("AMQP\x00\x00\x09\x01"), "AMQP"},
		{"amqp basic.publish", 44205, 5672, false, appCat(
			[]byte{0x01, 0x00, 0x01},       // method frame, channel 1
			[]byte{0x00, 0x00, 0x00, 0x0b}, // size 11
			[]byte{0x00, 0x3c, 0x00, 0x28}, // class 60 (basic), method 40 (publish)
			[]byte{0, 0, 0, 0, 0, 0, 0},    // arguments
			[]byte{0xce}), "AMQP"},         // frame end
		{"amqp no frame end", 44205, 5672, false, appCat(
			[]byte{0x01, 0x00, 0x01}, []byte{0x00, 0x00, 0x00, 0x0b}, []byte{0x00, 0x3c, 0x00, 0x28},
			[]byte{0, 0, 0, 0, 0, 0, 0}, []byte{0xcd}), ""},
		{"citrix ica", 45225, 1494, true, []byte("\x7f\x7fICA\x00"), "Citrix"},
		{"citrix near miss", 45225, 1494, true, []byte("\x7f\x7fICB\x00"), ""},
		{"drda excsat", 4847, 50000, false, appCat(
			[]byte{0x00, 0x0e, 0xd0, 0x41, 0x00, 0x01}, // DSS: length 14, magic, request, correlation 1
			[]byte{0x00, 0x08, 0x10, 0x41},             // DDM length 8, EXCSAT
			[]byte{0x00, 0x04, 0x11, 0x5e}), "DRDA"},   // parameter
		{"drda short chain", 4847, 50000, false, appCat(
			[]byte{0x00, 0x0e, 0xd0, 0x41, 0x00, 0x01}, []byte{0x00, 0x08, 0x10, 0x41}, []byte{0x00, 0x04, 0x11}), ""},
		{"jsonrpc", 36646, 8080, false, []byte(`{"jsonrpc": "2.0", "method": "echo", "params": ["x"], "id": 1}`), "JSON-RPC"},
		{"json", 36646, 8081, false, []byte(`{"method": "echo", "params": ["x"], "id": 1}`), ""},
		{"whois", 44188, 43, false, []byte("example.com\r\n"), "Whois-DAS"},
		{"whois text", 44188, 43, false, []byte("Domain Name: x\r\n"), ""},
		{"cisco vpn", 10000, 10000, false, []byte{0x01, 0x02, 0x03}, "CiscoVPN"},
		{"cisco vpn 443", 40000, 443, false, []byte{0x17, 0x01, 0x00, 0x00, 0x00, 0x10}, "CiscoVPN"},
	}
	for _, tt := range tests {
		a := newAppConv(t, 6, tt.cliPort, tt.srvPort)
		if tt.fromServer {
			a.s2c(tt.payload)
		} else {
			a.c2s(tt.payload)
		}
		if got := a.label(); got != tt.want && !(tt.want == "" && a.st.Result.Confidence != ConfidenceDPI) {
			t.Errorf("%s: %q (confidence %d), want %q", tt.name, got, a.st.Result.Confidence, tt.want)
		}
	}
}

func TestWhoisServerName(t *testing.T) {
	a := newAppConv(t, 6, 44188, 43)
	a.c2s([]byte("Example.COM\r\n"))
	if a.st.ServerName != "example.com" {
		t.Errorf("server name %q", a.st.ServerName)
	}
}

func TestFastCGI(t *testing.T) {
	begin := appCat(
		[]byte{0x01, 0x01, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00}, // version 1, BEGIN_REQUEST, id 1, length 8
		[]byte{0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // role RESPONDER, flags, reserved
	)
	params := appCat(
		[]byte{0x01, 0x04, 0x00, 0x01, 0x00, 0x1f, 0x01, 0x00}, // version 1, PARAMS, id 1, length 31, padding 1
		[]byte{0x0b, 0x04}, []byte("SERVER_NAME"), []byte("host"),
		[]byte{0x09, 0x03}, []byte("HTTP_HOST"), []byte("osm"),
		[]byte{0x00}, // padding
	)
	a := newAppConv(t, 6, 38254, 9000)
	a.c2s(begin).wantDPI("FastCGI")
	a.c2s(params)
	if a.st.ServerName != "osm" || !a.st.Done {
		t.Errorf("server name %q, done %v", a.st.ServerName, a.st.Done)
	}

	bad := append([]byte(nil), begin...)
	bad[9] = 9 // unknown role
	b := newAppConv(t, 6, 38254, 9000)
	b.c2s(bad).wantDPI("")
}

func TestJSONRPCYieldsToMining(t *testing.T) {
	a := newAppConv(t, 6, 36646, 8080)
	a.c2s([]byte(`{"jsonrpc": "2.0", "method": "echo", "id": 1}`))
	if !a.st.Done || a.dpiLabel() != "JSON-RPC" {
		t.Errorf("plain JSON-RPC: %+v", a.st.Result)
	}
	// A Stratum login is JSON-RPC too, but nDPI calls it Mining.
	b := newAppConv(t, 6, 36647, 8080)
	b.c2s([]byte(`{"id": 1, "jsonrpc": "2.0", "method": "mining.subscribe", "params": []}`))
	if got := b.dpiLabel(); got == "JSON-RPC" {
		t.Errorf("mining call labelled %q", got)
	}
}

func TestSOCKS(t *testing.T) {
	a := newAppConv(t, 6, 37904, 1080)
	a.c2s([]byte{0x05, 0x02, 0x00, 0x01}) // version 5, 2 methods: no auth, GSSAPI
	a.wantDPI("")
	a.s2c([]byte{0x05, 0x00}) // version 5, no authentication
	a.wantDPI("SOCKS")

	b := newAppConv(t, 6, 40000, 9050)
	b.c2s(appCat([]byte{0x04, 0x01, 0x00, 0x50, 0x5d, 0xb8, 0xd8, 0x22}, []byte("user\x00"))) // SOCKS4 CONNECT 93.184.216.34:80
	b.s2c([]byte{0x00, 0x5a, 0x00, 0x50, 0x5d, 0xb8, 0xd8, 0x22})                             // request granted
	b.wantDPI("SOCKS")

	// Near misses: a method count that does not match, a reply of the
	// wrong version.
	c := newAppConv(t, 6, 40000, 1080)
	c.c2s([]byte{0x05, 0x03, 0x00, 0x01}).s2c([]byte{0x05, 0x00})
	c.wantDPI("")
	d := newAppConv(t, 6, 40000, 1080)
	d.c2s([]byte{0x05, 0x02, 0x00, 0x01}).s2c([]byte{0x04, 0x00})
	d.wantDPI("")
}

func TestIRC(t *testing.T) {
	a := newAppConv(t, 6, 45921, 6667)
	a.c2s([]byte("USER alice +iw alice :Alice\r\n"))
	a.c2s([]byte("NICK alice\r\n"))
	a.wantDPI("")
	a.s2c([]byte(":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"))
	a.wantDPI("IRC")
	a.wantRisk(RiskClearTextCredentials)
	if a.st.Info == nil || a.st.Info.Text != "alice" {
		t.Errorf("user %+v", a.st.Info)
	}

	// Near miss: FTP's USER answered with a numeric reply without prefix.
	b := newAppConv(t, 6, 45921, 6667)
	b.c2s([]byte("USER alice\r\n")).s2c([]byte("331 Password required\r\n"))
	if got := b.dpiLabel(); got == "IRC" {
		t.Error("labelled IRC")
	}
}

func TestUsenet(t *testing.T) {
	a := newAppConv(t, 6, 55630, 119)
	a.s2c([]byte("200 Leafnode NNTP Daemon, version 1.11 running\r\n"))
	a.c2s([]byte("MODE READER\r\n"))
	a.wantDPI("Usenet")

	// Near misses: an SMTP greeting, a client command that is not NNTP.
	b := newAppConv(t, 6, 55630, 119)
	b.s2c([]byte("220 mail ESMTP\r\n")).c2s([]byte("MODE READER\r\n"))
	if got := b.dpiLabel(); got == "Usenet" {
		t.Error("labelled Usenet")
	}
	c := newAppConv(t, 6, 55630, 119)
	c.s2c([]byte("200 ready\r\n")).c2s([]byte("EHLO x\r\n"))
	c.wantDPI("")
}
