package decode_test

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ntopng-go/ntopng/probe/decode"
)

const referencePcap = "/work/shared/conformance/e2e/pcap/test_01.pcap"

type frame struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// loadPcap reads a classic pcap file into memory.
func loadPcap(tb testing.TB, path string) (layers.LinkType, []frame) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("reference capture not available: %v", err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var frames []frame
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		frames = append(frames, frame{data, ci})
	}
	return r.LinkType(), frames
}

func BenchmarkDecode(b *testing.B) {
	link, frames := loadPcap(b, referencePcap)
	d := decode.NewDecoder(link)
	var p decode.Packet
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		fr := &frames[n]
		_ = d.Decode(fr.data, fr.ci, &p)
		if n++; n == len(frames) {
			n = 0
		}
	}
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "pkts/s")
	}
}

// TestReferencePcap decodes the reference capture: 5000 frames, no
// decode error, and the sum of the counted lengths of IP frames.
func TestReferencePcap(t *testing.T) {
	link, frames := loadPcap(t, referencePcap)
	if len(frames) != 5000 {
		t.Fatalf("%d frames, want 5000", len(frames))
	}
	d := decode.NewDecoder(link)
	var p decode.Packet
	var ipLen, wire, ipFrames int
	errs := map[error]int{}
	for _, fr := range frames {
		if err := d.Decode(fr.data, fr.ci, &p); err != nil {
			errs[err]++
		}
		wire += p.WireLen
		if p.IPVersion != 0 {
			ipFrames++
			ipLen += p.Len
		}
	}
	t.Logf("link %v: %d frames, %d IP frames, sum WireLen %d, sum Len (IP) %d, errors %v", link, len(frames), ipFrames, wire, ipLen, errs)
	if wire+24*len(frames) != 3744757 {
		t.Errorf("interface bytes %d, want 3744757 (spec A.1)", wire+24*len(frames))
	}
}
