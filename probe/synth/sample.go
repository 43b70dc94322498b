package synth

import (
	"io"
	"net"
	"time"
)

// SampleStart is the timestamp of the sample capture's first frame.
var SampleStart = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// SampleLocalNet is the local network of the sample capture.
const SampleLocalNet = "192.168.1.0/24"

// WriteSample writes the bundled sample capture: two hosts of a home LAN
// resolving names, browsing over TLS and HTTP, syncing time, pinging and
// announcing themselves over mDNS. The returned Writer holds the truth.
func WriteSample(out io.Writer) (*Writer, error) {
	w, err := NewWriter(out, SampleStart)
	if err != nil {
		return nil, err
	}
	gw := net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	for _, ip := range []string{"192.168.1.1", "93.184.216.34", "142.250.180.4", "157.240.20.35", "104.16.132.229", "167.99.215.164", "216.239.35.0", "151.101.1.140"} {
		w.SetMAC(ip, gw)
	}
	laptop, phone, dns := "192.168.1.10", "192.168.1.20", "192.168.1.1"
	type site struct{ name, addr string }
	sites := []site{
		{"www.example.org", "93.184.216.34"},
		{"www.google.com", "142.250.180.4"},
		{"www.facebook.com", "157.240.20.35"},
		{"www.cloudflare.com", "104.16.132.229"},
		{"www.ntop.org", "167.99.215.164"},
		{"www.reddit.com", "151.101.1.140"},
	}
	steps := []func() error{}
	id := uint16(0x1200)
	for round, client := range []string{laptop, phone} {
		for i, s := range sites {
			s, client := s, client
			id++
			qid := id
			cport := uint16(50000 + round*100 + i)
			steps = append(steps, func() error {
				_, err := w.UDPExchange(client, dns, cport, 53, DNSQuery(qid, s.name, 1), DNSResponse(qid, s.name, s.addr), s.name)
				return err
			})
			tport := uint16(40000 + round*100 + i)
			steps = append(steps, func() error {
				_, err := w.TCPSession(client, s.addr, tport, 443,
					[][]byte{TLSClientHello(s.name), TLSServerData(200)},
					[][]byte{TLSServerData(1400), TLSServerData(1400), TLSServerData(900)}, s.name)
				return err
			})
		}
	}
	steps = append(steps,
		func() error {
			_, err := w.TCPSession(laptop, "93.184.216.34", 41000, 80,
				[][]byte{HTTPGet("www.example.org", "/index.html")}, [][]byte{HTTPOK(1200)}, "www.example.org")
			return err
		},
		func() error {
			// NTP client request (mode 3) and server reply (mode 4).
			req := make([]byte, 48)
			req[0] = 0x23
			resp := make([]byte, 48)
			resp[0] = 0x24
			_, err := w.UDPExchange(laptop, "216.239.35.0", 123, 123, req, resp, "")
			return err
		},
		func() error { _, err := w.Ping(phone, dns, 7, 1); return err },
		func() error { _, err := w.Ping(laptop, "93.184.216.34", 9, 1); return err },
	)
	for i, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
		if i%4 == 3 {
			w.Advance(2 * time.Second)
		}
	}
	return w, nil
}
