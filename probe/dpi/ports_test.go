package dpi

import (
	"slices"
	"testing"
)

func TestPortsLoad(t *testing.T) {
	pt, err := parsePorts(portsTSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(pt.tcp) < 100 || len(pt.udp) < 60 {
		t.Errorf("only %d TCP and %d UDP ports", len(pt.tcp), len(pt.udp))
	}
	for _, bad := range []string{
		"NoSuchProto\t80\t-\n",
		"HTTP\t80\n",
		"HTTP\t0\t-\n",
		"HTTP\t70000\t-\n",
		"HTTP\t90-80\t-\n",
		"HTTP\tx\t-\n",
		"HTTP\t80\t-\nHTTP\t81\t-\n",
	} {
		if _, err := parsePorts([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	pt, err = parsePorts([]byte("HTTP\t80,6000-6002\t-\nTLS\t443\t-\nHTTP_Proxy\t80\t-\n"))
	if err != nil {
		t.Fatal(err)
	}
	if pt.tcp[6001] != ProtoHTTP || pt.tcp[80] != 131 {
		t.Errorf("range or later-wins: %d %d", pt.tcp[6001], pt.tcp[80])
	}
}

func TestGuessByPort(t *testing.T) {
	for _, c := range []struct {
		l4       uint8
		cli, srv uint16
		want     ProtoID
	}{
		{6, 40000, 443, 91},   // TLS
		{17, 40000, 443, 188}, // QUIC
		{6, 40000, 22, 92},    // SSH
		{17, 5353, 5353, 8},   // MDNS
		{6, 445, 40000, 41},   // SMBv23: the later of SMBv1/SMBv23 wins port 445
		{6, 8080, 50000, 131}, // HTTP_Proxy wins 8080 over HTTP_Connect
		{6, 110, 179, 2},      // both known: the lower port (POP3) first
		{17, 51681, 3478, 38}, // Skype_TeamsCall wins 3478 over STUN
		{6, 40000, 40001, 0},
		{1, 0, 0, 0},
		{6, 0, 0, 0},
	} {
		if got := guessByPort(c.l4, c.cli, c.srv); got != c.want {
			t.Errorf("guessByPort(%d, %d, %d) = %d, want %d", c.l4, c.cli, c.srv, got, c.want)
		}
	}
}

func TestDefaultPorts(t *testing.T) {
	tcp, udp := defaultPorts(ProtoDNS)
	if !slices.Equal(tcp, []uint16{53}) || !slices.Equal(udp, []uint16{53}) {
		t.Errorf("DNS: %v %v", tcp, udp)
	}
	tcp, udp = defaultPorts(41) // SMBv23 keeps 445 in its own list
	if !slices.Contains(tcp, 445) || udp != nil {
		t.Errorf("SMBv23: %v %v", tcp, udp)
	}
	if tcp, udp := defaultPorts(ProtoUnknown); tcp != nil || udp != nil {
		t.Errorf("Unknown: %v %v", tcp, udp)
	}
}
