package rest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/lua"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// benchHosts is the host table size of the endpoint benchmarks.
const benchHosts = 100_000

// udpTemplate is an Ethernet/IPv4/UDP frame whose source address the
// benchmark rewrites (bytes 26..29) to make one host per address.
func udpTemplate(tb testing.TB) []byte {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(192, 168, 1, 10)}
	udp := &layers.UDP{SrcPort: 40000, DstPort: 9999}
	_ = udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, eth, ip, udp, gopacket.Payload(make([]byte, 64))); err != nil {
		tb.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// feedHosts sends one packet from each of n remote addresses (10.x.y.z)
// to a local host, starting at source index from, and advances ts.
func feedHosts(ifc *probe.Interface, dec *decode.Decoder, frame []byte, from, n int, ts *time.Time) {
	var p decode.Packet
	for i := from; i < from+n; i++ {
		binary.BigEndian.PutUint32(frame[26:30], 10<<24|uint32(i%benchHosts+1))
		*ts = ts.Add(10 * time.Microsecond)
		ci := gopacket.CaptureInfo{Timestamp: *ts, CaptureLength: len(frame), Length: len(frame)}
		if dec.Decode(frame, ci, &p) == nil {
			ifc.ProcessPacket(&p)
		}
	}
}

// BenchmarkHostEndpoints100k measures get/host/active (a page of 10 sorted
// by traffic) and get/host/data over HTTP with 100k hosts in the table,
// while the capture goroutine keeps processing packets. Besides ns/op it
// reports the p50 and p99 latencies in milliseconds.
func BenchmarkHostEndpoints100k(b *testing.B) {
	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "bench", Registry: reg, PacketClock: true,
		MaxHosts: 2 * benchHosts, MaxFlows: 2 * benchHosts,
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}, nil)})
	dec := decode.NewDecoder(layers.LinkTypeEthernet)
	frame := udpTemplate(b)
	ts := time.Unix(1_700_000_000, 0)
	feedHosts(ifc, dec, frame, 0, benchHosts, &ts)
	if n := ifc.NumHostsTotal(); n < benchHosts {
		b.Fatalf("only %d hosts", n)
	}

	ts2 := serveInterface(b, ifc, reg, 4)

	// The writer keeps updating the table during the measurement.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i += 1000 {
			feedHosts(ifc, dec, frame, i, 1000, &ts)
		}
	}()
	defer func() { cancel(); wg.Wait() }()

	for _, c := range []struct{ name, path string }{
		{"host-active-page10-by-traffic", "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=10&sortColumn=traffic&sortOrder=desc"},
		{"host-data", "/lua/rest/v1/get/host/data.lua?ifid=0&host=192.168.1.10"},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				resp, err := http.Get(ts2.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: HTTP %d", c.path, resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
}

// serveInterface serves the project's scripts over ifc (no login) until
// the test ends.
func serveInterface(tb testing.TB, ifc *probe.Interface, reg *dpi.Registry, pool int) *httptest.Server {
	tb.Helper()
	app := &lua.App{Interfaces: []*probe.Interface{ifc}, Registry: reg, Version: "test", Start: time.Now()}
	root := scriptsRoot(tb)
	rt := lua.New(lua.Config{ModulesDir: filepath.Join(root, "lua", "modules"), PoolSize: pool, Timeout: 30 * time.Second,
		Installers: []lua.Installer{lua.Bindings(app)}})
	s := New(Config{ScriptsDir: root, DisableLogin: true, Runtime: rt})
	s.cfg.Logger.SetOutput(io.Discard)
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return ts
}
