package engine

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// BenchmarkPacketPathChecks replays a capture (NTOPNG_BENCH_PCAP, else the
// conformance capture) through an interface, with every check of the
// default configuration running in the engine (on) or no engine (off).
// Packets are timed until the engine has checked them all, so the figure
// includes the cost of the checks, not only of handing flows over.
func BenchmarkPacketPathChecks(b *testing.B) {
	path := os.Getenv("NTOPNG_BENCH_PCAP")
	if path == "" {
		path = "../../../shared/conformance/e2e/pcap/test_01.pcap"
	}
	src, err := capture.OpenFile(path)
	if err != nil {
		b.Skipf("no benchmark capture (%v); set NTOPNG_BENCH_PCAP", err)
	}
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
	link := src.LinkType()
	src.Close()
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			fx := newFixture(b)
			reg := dpi.NewRegistry()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			total := 0
			for done := 0; done < b.N; {
				b.StopTimer()
				ifc := probe.New(probe.Config{Name: "bench", Registry: reg, PacketClock: true})
				ctx, cancel := context.WithCancel(context.Background())
				var e *Engine
				if on {
					e = New(Options{Store: fx.store, Checks: fx.checks, Registry: reg})
					e.Attach(ifc)
					e.Start(ctx)
				}
				dec := decode.NewDecoder(link)
				var p decode.Packet
				b.StartTimer()
				for i := range frames {
					if done == b.N {
						break
					}
					switch err := dec.Decode(frames[i], cis[i], &p); {
					case err == nil, errors.Is(err, decode.ErrUnsupported):
						ifc.ProcessPacket(&p)
					default:
						ifc.DecodeFailed(&p, errors.Is(err, decode.ErrTruncated))
					}
					done++
					total++
				}
				if e != nil {
					e.Drain(ctx)
				}
				b.StopTimer()
				cancel()
				if e != nil {
					e.Wait()
				}
			}
			b.ReportMetric(float64(total)/time.Since(start).Seconds(), "pkts/s")
		})
	}
}
