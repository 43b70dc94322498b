package capture_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
)

const (
	referencePcap = "/work/shared/conformance/e2e/pcap/test_01.pcap"
	dpiCorpus     = "/work/shared/conformance/dpi/pcap"
)

type tally struct {
	frames, ipFrames, wire, ipLen int
	errs                          map[string]int // "kind" and "kind@layer"
}

func decodeFile(t *testing.T, path string) (tally, *capture.FileSource, error) {
	t.Helper()
	s, err := capture.OpenFile(path)
	if err != nil {
		return tally{}, nil, err
	}
	defer s.Close()
	fs := s.(*capture.FileSource)
	d := decode.NewDecoder(s.LinkType())
	var p decode.Packet
	tl := tally{errs: map[string]int{}}
	for {
		data, ci, err := s.ReadPacket()
		if err == io.EOF {
			return tl, fs, nil
		}
		if err != nil {
			return tl, fs, err
		}
		tl.frames++
		derr := d.Decode(data, ci, &p)
		if derr != nil {
			kind := strings.TrimPrefix(derr.Error(), "decode: ")
			tl.errs[kind]++
			tl.errs[fmt.Sprintf("%s@%v", kind, d.ErrorLayer())]++
		}
		tl.wire += p.WireLen
		if p.IPVersion != 0 {
			tl.ipFrames++
			tl.ipLen += p.Len
		}
	}
}

func TestReferenceCapture(t *testing.T) {
	if _, err := os.Stat(referencePcap); err != nil {
		t.Skipf("reference capture not available: %v", err)
	}
	tl, fs, err := decodeFile(t, referencePcap)
	if err != nil {
		t.Fatal(err)
	}
	if tl.frames != 5000 || fs.Errors() != 0 {
		t.Fatalf("%d frames (%d unreadable), want 5000", tl.frames, fs.Errors())
	}
	if len(tl.errs) != 0 {
		t.Errorf("decode errors: %v", tl.errs)
	}
	t.Logf("%s: %v, %d frames, %d IP frames, sum WireLen %d, sum Len of IP frames %d", referencePcap, fs.LinkType(), tl.frames, tl.ipFrames, tl.wire, tl.ipLen)
}

// TestDPICorpus reads and decodes every capture of the DPI corpus and
// reports what could not be decoded. It fails only on unreadable files.
func TestDPICorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dpiCorpus, "*"))
	if len(files) == 0 {
		t.Skipf("no DPI corpus in %s", dpiCorpus)
	}
	total := tally{errs: map[string]int{}}
	links := map[string]int{}
	formats := map[string]int{}
	var bad []string
	for _, f := range files {
		tl, fs, err := decodeFile(t, f)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", filepath.Base(f), err))
			if fs == nil {
				continue
			}
		}
		links[fmt.Sprintf("%v(%d)", fs.LinkType(), fs.RawLinkType())]++
		formats[fs.Format()]++
		if fs.Errors() != 0 {
			t.Logf("%s: %d unreadable record(s): %v", filepath.Base(f), fs.Errors(), fs.LastError())
		}
		total.frames += tl.frames
		total.ipFrames += tl.ipFrames
		for k, v := range tl.errs {
			total.errs[k] += v
			if !strings.Contains(k, "@") && v > 0 && testing.Verbose() {
				t.Logf("  %-45s %-22s %d/%d frames", filepath.Base(f), k, v, tl.frames)
			}
		}
	}
	keys := make([]string, 0, len(total.errs))
	for k := range total.errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d files (%v), link types %v: %d frames, %d IP frames", len(files), formats, links, total.frames, total.ipFrames)
	for _, k := range keys {
		t.Logf("  decode errors %-40s %d", k, total.errs[k])
	}
	for _, b := range bad {
		t.Errorf("%s", b)
	}
}

// BenchmarkReadDecode reads and decodes the reference capture from disk
// (file source + decoder, the packet path up to the flow table).
func BenchmarkReadDecode(b *testing.B) {
	if _, err := os.Stat(referencePcap); err != nil {
		b.Skipf("reference capture not available: %v", err)
	}
	var p decode.Packet
	b.ReportAllocs()
	n := 0
	for n < b.N {
		b.StopTimer()
		s, err := capture.OpenFile(referencePcap)
		if err != nil {
			b.Fatal(err)
		}
		d := decode.NewDecoder(s.LinkType())
		b.StartTimer()
		for ; n < b.N; n++ {
			data, ci, err := s.ReadPacket()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			_ = d.Decode(data, ci, &p)
		}
		b.StopTimer()
		s.Close()
	}
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(b.N)/sec, "pkts/s")
	}
}
