package decode_test

import (
	"encoding/binary"
	"os"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/decode"
)

const referencePcap = "/work/shared/conformance/e2e/pcap/test_01.pcap"

type frame struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// loadPcap reads a classic little-endian microsecond pcap file into memory
// (the decode tests do not depend on the capture package).
func loadPcap(tb testing.TB, path string) (layers.LinkType, []frame) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("reference capture not available: %v", err)
	}
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		tb.Fatalf("%s: not a little-endian microsecond pcap", path)
	}
	link := layers.LinkType(binary.LittleEndian.Uint32(b[20:24]))
	var frames []frame
	for off := 24; off+16 <= len(b); {
		h := b[off : off+16]
		caplen := int(binary.LittleEndian.Uint32(h[8:]))
		if off+16+caplen > len(b) {
			tb.Fatalf("%s: truncated record at %d", path, off)
		}
		frames = append(frames, frame{
			data: b[off+16 : off+16+caplen],
			ci: gopacket.CaptureInfo{
				Timestamp:     time.Unix(int64(binary.LittleEndian.Uint32(h[0:])), int64(binary.LittleEndian.Uint32(h[4:]))*1000),
				CaptureLength: caplen,
				Length:        int(binary.LittleEndian.Uint32(h[12:])),
			},
		})
		off += 16 + caplen
	}
	return link, frames
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
