package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
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
					ifc.ProcessFrame(dec, &p, frames[i], cis[i])
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

// BenchmarkFlowAlertRate measures how many flow alerts per second the
// engine raises and stores (SQLite, WAL, one transaction per alerted
// flow): a capture of DNS flows for DGA-looking names, each raising
// alert_ndpi_suspicious_dga_domain, read and checked to the end.
func BenchmarkFlowAlertRate(b *testing.B) {
	const flows = 2000
	path := filepath.Join(b.TempDir(), "dga.pcap")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w, err := synth.NewWriter(f, time.Unix(1700000000, 0))
	if err != nil {
		b.Fatal(err)
	}
	w.Step = time.Millisecond
	for i := range flows {
		name := fmt.Sprintf("xq%dzvkjwptbrmhg%d.com", i, i*7919)
		if _, err := w.UDPExchange("192.168.1.10", "192.168.1.1", uint16(10000+i), 53,
			synth.DNSQuery(uint16(i), name, 1), synth.DNSResponse(uint16(i), name, "203.0.113.9"), name); err != nil {
			b.Fatal(err)
		}
	}
	f.Close()
	b.ReportAllocs()
	b.ResetTimer()
	alertsStored := 0
	var checking time.Duration // reading and checking only, not the set-up
	for range b.N {
		b.StopTimer()
		fx := newFixture(b)
		reg := dpi.NewRegistry()
		ifc := probe.New(probe.Config{Name: "bench", Registry: reg, PacketClock: true})
		e := New(Options{Store: fx.store, Checks: fx.checks, Registry: reg})
		e.Attach(ifc)
		ctx, cancel := context.WithCancel(context.Background())
		e.Start(ctx)
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		if err := ifc.Capture(ctx, src); err != nil {
			b.Fatal(err)
		}
		e.Drain(ctx)
		checking += time.Since(began)
		b.StopTimer()
		cancel()
		e.Wait()
		src.Close()
		_, n, err := fx.store.Query(context.Background(), alertdb.FamilyFlow, alertdb.Filter{Length: 1})
		if err != nil || n < flows {
			b.Fatalf("%d flow alerts stored (%v), want at least %d", n, err, flows)
		}
		alertsStored += n
		b.StartTimer()
	}
	b.ReportMetric(float64(alertsStored)/checking.Seconds(), "alerts/s")
}
