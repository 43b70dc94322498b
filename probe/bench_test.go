package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/pools"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// benchFrames loads a capture in memory: NTOPNG_BENCH_PCAP (for example the
// mixed capture of ../shared/bench/make-mixed-pcap), else the conformance
// e2e capture when present.
func benchFrames(b *testing.B) ([][]byte, []gopacket.CaptureInfo, layers.LinkType) {
	path := os.Getenv("NTOPNG_BENCH_PCAP")
	if path == "" {
		path = "../../shared/conformance/e2e/pcap/test_01.pcap"
	}
	src, err := capture.OpenFile(path)
	if err != nil {
		b.Skipf("no benchmark capture (%v); set NTOPNG_BENCH_PCAP", err)
	}
	defer src.Close()
	var frames [][]byte
	var cis []gopacket.CaptureInfo
	for {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		frames = append(frames, append([]byte(nil), data...))
		cis = append(cis, ci)
	}
	return frames, cis, src.LinkType()
}

// BenchmarkPacketPath measures decode + table update per packet over a
// whole capture, replayed into fresh tables every pass (so flow and host
// creation is included, as in a real file run).
func BenchmarkPacketPath(b *testing.B) { packetPath(b, nil) }

// BenchmarkPacketPathPools10k is BenchmarkPacketPath with 10k host pool
// members configured: every new host is matched against them.
func BenchmarkPacketPathPools10k(b *testing.B) {
	m, err := pools.NewMatcher(benchPoolMembers(10000))
	if err != nil {
		b.Fatal(err)
	}
	packetPath(b, m)
}

// benchPoolMembers spreads n members over 100 pools: prefixes of every
// length from /16 to /32 inside 10.0.0.0/8 and 192.168.0.0/16 (where the
// bench traffic lives), IPv6 prefixes and MACs.
func benchPoolMembers(n int) map[int][]string {
	out := map[int][]string{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		var m string
		switch i % 10 {
		case 0:
			m = fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))
		case 1:
			m = fmt.Sprintf("2001:db8:%x:%x::/64", rng.IntN(65536), rng.IntN(65536))
		default:
			first := []int{10, 192}[rng.IntN(2)]
			second := rng.IntN(256)
			if first == 192 {
				second = 168
			}
			bits := 16 + rng.IntN(17)
			m = fmt.Sprintf("%d.%d.%d.%d/%d", first, second, rng.IntN(256), rng.IntN(256), bits)
		}
		id := 2 + i%100
		out[id] = append(out[id], m)
	}
	return out
}

func packetPath(b *testing.B, resolver PoolResolver) {
	frames, cis, link := benchFrames(b)
	reg := dpi.NewRegistry()
	b.ReportAllocs()
	b.ResetTimer()
	var total int
	start := time.Now()
	for done := 0; done < b.N; {
		b.StopTimer()
		ifc := New(Config{Name: "bench", Registry: reg, PacketClock: true})
		if resolver != nil {
			ifc.SetPools(resolver)
		}
		dec := decode.NewDecoder(link)
		var p decode.Packet
		b.StartTimer()
		for i := range frames {
			if done == b.N {
				break
			}
			ifc.ProcessFrame(dec, &p, frames[i], cis[i])
			done++
			total++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "pkts/s")
}

func BenchmarkSteadyState(b *testing.B) {
	frames, cis, link := benchFrames(b)
	reg := dpi.NewRegistry()
	ifc := New(Config{Name: "bench", Registry: reg, PacketClock: true})
	dec := decode.NewDecoder(link)
	var p decode.Packet
	feed := func(i int) {
		ci := cis[i%len(frames)]
		if err := dec.Decode(frames[i%len(frames)], ci, &p); err == nil || errors.Is(err, decode.ErrUnsupported) {
			ifc.ProcessPacket(&p)
		}
	}
	for i := range frames { // warm up: create every flow and host
		feed(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		feed(i)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pkts/s")
}

// heapAfter runs fn and returns the live heap growth it caused.
func heapAfter(fn func() any) float64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	keep := fn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc)
}

// BenchmarkMemoryPerFlow reports the heap cost of one TCP flow (two fixed
// hosts, n flows differing by client port) and of one remote host (n
// remote servers, one flow each, minus the flow cost).
func BenchmarkMemoryPerEntry(b *testing.B) {
	const n = 50000
	reg := dpi.NewRegistry()
	run := func(manyHosts bool) *Interface {
		ifc := New(Config{Name: "mem", Registry: reg, PacketClock: true, LocalNets: NewLocalNets(nil, nil)})
		dec := decode.NewDecoder(layers.LinkTypeEthernet)
		var p decode.Packet
		ts := time.Unix(1700000000, 0)
		for i := 0; i < n; i++ {
			dst := "10.1.0.1"
			sport := uint16(1024 + i%60000)
			if manyHosts {
				dst = netipFrom(i)
				sport = 40000
			}
			data := frame(b, "10.0.0.1", dst, sport, 443, decode.TCPFlagSYN, false, nil)
			_ = dec.Decode(data, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, &p)
			ifc.ProcessPacket(&p)
		}
		return ifc
	}
	for it := 0; it < b.N; it++ {
		flowsOnly := heapAfter(func() any { return run(false) })
		withHosts := heapAfter(func() any { return run(true) })
		perFlow := flowsOnly / n
		b.ReportMetric(perFlow, "B/flow")
		b.ReportMetric(withHosts/n-perFlow, "B/host")
	}
}

func netipFrom(i int) string {
	return "10." + itoa3(2+i>>16) + "." + itoa3((i>>8)&255) + "." + itoa3(i&255)
}

func itoa3(n int) string {
	const d = "0123456789"
	if n < 10 {
		return d[n : n+1]
	}
	if n < 100 {
		return d[n/10:n/10+1] + d[n%10:n%10+1]
	}
	return d[n/100:n/100+1] + d[(n/10)%10:(n/10)%10+1] + d[n%10:n%10+1]
}

// BenchmarkCaptureFile reads a whole capture file through Capture, as the
// program does with -i file (reader, decoder, tables, end of input).
func BenchmarkCaptureFile(b *testing.B) {
	path := os.Getenv("NTOPNG_BENCH_PCAP")
	if path == "" {
		path = "../../shared/conformance/e2e/pcap/test_01.pcap"
	}
	reg := dpi.NewRegistry()
	b.ReportAllocs()
	var pkts uint64
	start := time.Now()
	for i := 0; i < b.N; i++ {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Skipf("no benchmark capture: %v", err)
		}
		ifc := New(Config{Name: "bench", Registry: reg, PacketClock: true})
		if err := ifc.Capture(context.Background(), src); err != nil {
			b.Fatal(err)
		}
		src.Close()
		pkts += ifc.Counters().Packets
	}
	b.ReportMetric(float64(pkts)/time.Since(start).Seconds(), "pkts/s")
}

// BenchmarkClassify measures the classifier alone over a whole capture:
// each packet is given to its flow's state exactly as the packet path does
// (until the flow is classified), and ns/op is per packet of the capture,
// so it compares directly with BenchmarkPacketPath.
func BenchmarkClassify(b *testing.B) {
	frames, cis, link := benchFrames(b)
	type fkey struct {
		a, b  netip.AddrPort
		proto uint8
	}
	type pkt struct {
		flow int
		p    dpi.Packet
	}
	// Decode once; payloads are copied since the decoder reuses buffers.
	var pkts []pkt
	flows := map[fkey]int{}
	clients := []netip.AddrPort{}
	dec := decode.NewDecoder(link)
	var p decode.Packet
	for i := range frames {
		if err := dec.Decode(frames[i], cis[i], &p); err != nil || !p.Src.IsValid() {
			continue
		}
		src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
		k := fkey{src, dst, p.L4Proto}
		if dst.Addr().Less(src.Addr()) || (dst.Addr() == src.Addr() && dst.Port() < src.Port()) {
			k.a, k.b = dst, src
		}
		id, ok := flows[k]
		if !ok {
			id = len(clients)
			flows[k] = id
			clients = append(clients, src)
		}
		dir := dpi.ClientToServer
		if src != clients[id] {
			dir = dpi.ServerToClient
		}
		pkts = append(pkts, pkt{id, dpi.Packet{L4Proto: p.L4Proto, Src: p.Src, Dst: p.Dst,
			SrcPort: p.SrcPort, DstPort: p.DstPort, Dir: dir, TCPFlags: p.TCPFlags,
			Payload: append([]byte(nil), p.Payload...), TimeUs: cis[i].Timestamp.UnixMicro()}})
	}
	reg := dpi.NewRegistry()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		e := dpi.NewEngine(reg, nil)
		states := make([]dpi.State, len(clients))
		b.StartTimer()
		for i := range pkts {
			if done == b.N {
				break
			}
			if st := &states[pkts[i].flow]; !st.Done {
				e.Inspect(st, &pkts[i].p)
			}
			done++
		}
	}
}
