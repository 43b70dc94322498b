package capture_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
)

type rec struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// udpFrame builds an Ethernet/IPv4/UDP frame whose payload is n bytes.
func udpFrame(t testing.TB, i, n int) []byte {
	t.Helper()
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: net.IP{10, 0, 0, byte(i)}, DstIP: net.IP{10, 0, 1, 1}}
	u := &layers.UDP{SrcPort: layers.UDPPort(1000 + i), DstPort: 53}
	if err := u.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, byte(i)}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 0xff}, EthernetType: layers.EthernetTypeIPv4},
		ip, u, gopacket.Payload(bytes.Repeat([]byte{byte(i)}, n)))
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// testRecords returns frames of various sizes; record 3 is cut to a snap
// length of 64 bytes.
func testRecords(t testing.TB) []rec {
	var rs []rec
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		f := udpFrame(t, i+1, 10+i*100)
		ci := gopacket.CaptureInfo{Timestamp: base.Add(time.Duration(i) * 1500 * time.Microsecond), CaptureLength: len(f), Length: len(f)}
		if i == 3 {
			f = f[:64]
			ci.CaptureLength = 64
		}
		rs = append(rs, rec{f, ci})
	}
	return rs
}

func writePcap(t testing.TB, path string, link layers.LinkType, nanos bool, rs []rec) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if nanos {
		w = pcapgo.NewWriterNanos(&b)
	}
	if err := w.WriteFileHeader(65536, link); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := w.WritePacket(r.ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writePcapng(t testing.TB, path string, link layers.LinkType, rs []rec) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriter(&b, link)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := w.WritePacket(r.ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readAll reads a source to its end.
func readAll(t testing.TB, s capture.Source) ([]rec, error) {
	t.Helper()
	var out []rec
	for {
		data, ci, err := s.ReadPacket()
		if err != nil {
			return out, err
		}
		out = append(out, rec{append([]byte(nil), data...), ci})
	}
}

func checkRecords(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !bytes.Equal(g.data, w.data) || g.ci.CaptureLength != w.ci.CaptureLength || g.ci.Length != w.ci.Length || !g.ci.Timestamp.Equal(w.ci.Timestamp) {
			t.Errorf("record %d: got %d/%d bytes at %v, want %d/%d at %v", i, g.ci.CaptureLength, g.ci.Length, g.ci.Timestamp, w.ci.CaptureLength, w.ci.Length, w.ci.Timestamp)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rs := testRecords(t)
	for _, tc := range []struct {
		name, format string
		write        func(path string)
	}{
		{"micro.pcap", "pcap", func(p string) { writePcap(t, p, layers.LinkTypeEthernet, false, rs) }},
		{"nano.pcap", "pcap", func(p string) { writePcap(t, p, layers.LinkTypeEthernet, true, rs) }},
		{"capture.pcapng", "pcapng", func(p string) { writePcapng(t, p, layers.LinkTypeEthernet, rs) }},
		{"no-extension", "pcapng", func(p string) { writePcapng(t, p, layers.LinkTypeEthernet, rs) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			tc.write(path)
			s, err := capture.Open(path) // a regular file: OpenFile
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fs := s.(*capture.FileSource)
			if fs.Format() != tc.format || s.LinkType() != layers.LinkTypeEthernet || s.Name() != path {
				t.Fatalf("format %s link %v name %s", fs.Format(), s.LinkType(), s.Name())
			}
			got, err := readAll(t, s)
			if err != io.EOF {
				t.Fatalf("end: %v", err)
			}
			checkRecords(t, got, rs)
			if _, _, err := s.ReadPacket(); err != io.EOF {
				t.Fatalf("after the end: %v", err)
			}
			if s.Stats() != 0 || fs.Errors() != 0 || fs.Packets() != uint64(len(rs)) {
				t.Fatalf("stats %d errors %d packets %d", s.Stats(), fs.Errors(), fs.Packets())
			}
			// The frames decode.
			d := decode.NewDecoder(s.LinkType())
			var p decode.Packet
			for i, r := range got {
				err := d.Decode(r.data, r.ci, &p)
				if i == 3 {
					if err != nil || p.SrcPort != uint16(1000+i+1) || len(p.Payload) != 64-42 || p.Len != r.ci.Length {
						t.Fatalf("snapped record: %v %+v", err, p)
					}
					continue
				}
				if err != nil || p.SrcPort != uint16(1000+i+1) || len(p.Payload) != 10+i*100 {
					t.Fatalf("record %d: %v %+v", i, err, p)
				}
			}
		})
	}
}

func TestFileZeroCopyReuse(t *testing.T) {
	// ReadPacket reuses its buffer: no allocation per record in steady state.
	path := filepath.Join(t.TempDir(), "many.pcap")
	var rs []rec
	for i := 0; i < 2000; i++ {
		f := udpFrame(t, i%200, 100)
		rs = append(rs, rec{f, gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: len(f), Length: len(f)}})
	}
	for _, format := range []string{"pcap", "pcapng"} {
		if format == "pcap" {
			writePcap(t, path, layers.LinkTypeEthernet, false, rs)
		} else {
			writePcapng(t, path, layers.LinkTypeEthernet, rs)
		}
		s, err := capture.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ { // warm up
			if _, _, err := s.ReadPacket(); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(1000, func() {
			if _, _, err := s.ReadPacket(); err != nil {
				t.Fatal(err)
			}
		})
		s.Close()
		if allocs != 0 {
			t.Errorf("%s: ReadPacket allocates %v times per record", format, allocs)
		}
	}
}

func TestFileTruncatedTail(t *testing.T) {
	dir := t.TempDir()
	rs := testRecords(t)
	last := rs[len(rs)-1]
	for _, format := range []string{"pcap", "pcapng"} {
		path := filepath.Join(dir, "full."+format)
		var full []byte
		// Size of the last record on disk.
		var lastSize int
		if format == "pcap" {
			full = writePcap(t, path, layers.LinkTypeEthernet, false, rs)
			lastSize = 16 + len(last.data)
		} else {
			full = writePcapng(t, path, layers.LinkTypeEthernet, rs)
			lastSize = 32 + (len(last.data)+3)/4*4
		}
		for _, cut := range []int{1, 3, 4, lastSize - 20, lastSize - 16, lastSize - 8, lastSize - 1, lastSize} {
			name := fmt.Sprintf("%s-cut%d", format, cut)
			t.Run(name, func(t *testing.T) {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, full[:len(full)-cut], 0o644); err != nil {
					t.Fatal(err)
				}
				s, err := capture.OpenFile(p)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				got, err := readAll(t, s)
				if err != io.EOF {
					t.Fatalf("end: %v", err)
				}
				checkRecords(t, got, rs[:len(rs)-1])
				fs := s.(*capture.FileSource)
				wantErrs := uint64(1)
				if cut == lastSize { // the file ends on a record boundary
					wantErrs = 0
				}
				if fs.Errors() != wantErrs || s.Stats() != wantErrs {
					t.Fatalf("errors %d stats %d, want %d (%v)", fs.Errors(), s.Stats(), wantErrs, fs.LastError())
				}
				if wantErrs == 1 && !strings.Contains(fs.LastError().Error(), p) {
					t.Fatalf("last error does not name the file: %v", fs.LastError())
				}
			})
		}
	}
}

func TestFileMalformed(t *testing.T) {
	dir := t.TempDir()
	rs := testRecords(t)
	pcapBytes := writePcap(t, filepath.Join(dir, "ok.pcap"), layers.LinkTypeEthernet, false, rs)
	ngBytes := writePcapng(t, filepath.Join(dir, "ok.pcapng"), layers.LinkTypeEthernet, rs)
	shbLen := int(binary.LittleEndian.Uint32(ngBytes[4:8]))
	idbLen := int(binary.LittleEndian.Uint32(ngBytes[shbLen+4:]))
	epb := shbLen + idbLen // first enhanced packet block

	patch := func(b []byte, off int, v uint32) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[off:], v)
		return c
	}
	for _, tc := range []struct {
		name     string
		content  []byte
		openFail bool // else the error comes from ReadPacket
	}{
		{"empty", nil, true},
		{"short", []byte{0xd4, 0xc3}, true},
		{"text", []byte("this is not a capture file, just some text\n"), true},
		{"pcap-header-only-part", pcapBytes[:20], true},
		{"pcap-bad-version", patch(pcapBytes, 4, 0x00070007), true},
		{"pcap-huge-caplen", patch(pcapBytes, 24+8, 0x7fffffff), false},
		{"pcapng-bad-bom", patch(ngBytes, 8, 0x01020304), true},
		{"pcapng-no-idb", ngBytes[:shbLen], true},
		{"pcapng-bad-block-length", patch(ngBytes, epb+4, 5), false},
		{"pcapng-huge-block-length", patch(ngBytes, epb+4, 0x7ffffff0), false},
		{"pcapng-huge-caplen", patch(ngBytes, epb+20, 0x7fffffff), false},
		{"pcapng-caplen-beyond-block", patch(ngBytes, epb+20, 4000), false},
		{"pcapng-bad-interface", patch(ngBytes, epb+8, 7), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := capture.OpenFile(p)
			if tc.openFail {
				if err == nil {
					s.Close()
					t.Fatal("OpenFile succeeded")
				}
				if !strings.Contains(err.Error(), p) || !errors.Is(err, capture.ErrFormat) {
					t.Fatalf("error %q does not name the file or wrap ErrFormat", err)
				}
				t.Logf("%v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = readAll(t, s)
			if err == io.EOF || err == nil || !strings.Contains(err.Error(), p) || !errors.Is(err, capture.ErrFormat) {
				t.Fatalf("error %v: want a format error naming the file", err)
			}
			t.Logf("%v", err)
			if _, _, err2 := s.ReadPacket(); err2 != err {
				t.Fatalf("error is not sticky: %v", err2)
			}
		})
	}
}

func TestFileOtherFormats(t *testing.T) {
	dir := t.TempDir()
	frame := udpFrame(t, 1, 20)
	ts := time.Unix(1700000000, 5000).UTC()

	t.Run("pcap-big-endian", func(t *testing.T) {
		var b bytes.Buffer
		h := []uint32{0xa1b2c3d4, 0x00020004, 0, 0, 65535, 1}
		for i, v := range h {
			if i == 1 {
				binary.Write(&b, binary.BigEndian, uint16(2))
				binary.Write(&b, binary.BigEndian, uint16(4))
				continue
			}
			binary.Write(&b, binary.BigEndian, v)
		}
		for _, v := range []uint32{uint32(ts.Unix()), 5, uint32(len(frame)), uint32(len(frame) + 4)} {
			binary.Write(&b, binary.BigEndian, v)
		}
		b.Write(frame)
		p := filepath.Join(dir, "be.pcap")
		os.WriteFile(p, b.Bytes(), 0o644)
		s, err := capture.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := readAll(t, s)
		if err != io.EOF || len(got) != 1 || !bytes.Equal(got[0].data, frame) || got[0].ci.Length != len(frame)+4 || !got[0].ci.Timestamp.Equal(ts) {
			t.Fatalf("%v %+v", err, got)
		}
	})

	sll2 := make([]byte, 20)
	binary.BigEndian.PutUint16(sll2, 0x0800)
	sll2[11] = 6
	sll2Frame := append(sll2, frame[14:]...)

	t.Run("pcap-sll2", func(t *testing.T) {
		p := filepath.Join(dir, "sll2.pcap")
		b := writePcap(t, p, layers.LinkTypeEthernet, false, []rec{{sll2Frame, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(sll2Frame), Length: len(sll2Frame)}}})
		binary.LittleEndian.PutUint32(b[20:], 276)
		os.WriteFile(p, b, 0o644)
		checkSLL2(t, p, sll2Frame)
	})
	t.Run("pcapng-sll2", func(t *testing.T) {
		p := filepath.Join(dir, "sll2.pcapng")
		b := writePcapng(t, p, decode.LinkTypeLinuxSLL2, []rec{{sll2Frame, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(sll2Frame), Length: len(sll2Frame)}}})
		shbLen := int(binary.LittleEndian.Uint32(b[4:8]))
		binary.LittleEndian.PutUint16(b[shbLen+8:], 276) // the IDB link type
		os.WriteFile(p, b, 0o644)
		checkSLL2(t, p, sll2Frame)
	})
	t.Run("pcap-link-300", func(t *testing.T) {
		p := filepath.Join(dir, "l300.pcap")
		b := writePcap(t, p, layers.LinkTypeEthernet, false, nil)
		binary.LittleEndian.PutUint32(b[20:], 300)
		os.WriteFile(p, b, 0o644)
		if _, err := capture.OpenFile(p); err == nil || !strings.Contains(err.Error(), "link type 300") {
			t.Fatalf("link type 300: %v", err)
		}
	})
	t.Run("pcapng-sll", func(t *testing.T) {
		p := filepath.Join(dir, "sll.pcapng")
		sll := make([]byte, 16)
		binary.BigEndian.PutUint16(sll[4:], 6)
		binary.BigEndian.PutUint16(sll[14:], 0x0800)
		f := append(sll, frame[14:]...)
		writePcapng(t, p, layers.LinkTypeLinuxSLL, []rec{{f, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(f), Length: len(f)}}})
		s, err := capture.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		data, ci, err := s.ReadPacket()
		if err != nil || s.LinkType() != layers.LinkTypeLinuxSLL {
			t.Fatal(err, s.LinkType())
		}
		var pk decode.Packet
		if err := decode.NewDecoder(s.LinkType()).Decode(data, ci, &pk); err != nil || pk.SrcPort != 1001 {
			t.Fatalf("%v %+v", err, pk)
		}
	})
}

func checkSLL2(t *testing.T, path string, frame []byte) {
	t.Helper()
	s, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.LinkType() != decode.LinkTypeLinuxSLL2 || s.(*capture.FileSource).RawLinkType() != 276 {
		t.Fatalf("link type %v raw %d", s.LinkType(), s.(*capture.FileSource).RawLinkType())
	}
	data, ci, err := s.ReadPacket()
	if err != nil || !bytes.Equal(data, frame) {
		t.Fatalf("%v %x", err, data)
	}
	var p decode.Packet
	if err := decode.NewDecoder(s.LinkType()).Decode(data, ci, &p); err != nil || p.SrcPort != 1001 || p.IPVersion != 4 {
		t.Fatalf("%v %+v", err, p)
	}
}

func TestOpenNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{filepath.Join(dir, "missing.pcap"), "missing.pcapng", filepath.Join(dir, "missing")} {
		_, err := capture.Open(name)
		if err == nil || !strings.Contains(err.Error(), "capture file "+name+": no such file or directory") {
			t.Errorf("Open(%q): %v", name, err)
		}
	}
	if _, err := capture.Open(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Open(dir): %v", err)
	}
	// Neither a file nor an interface.
	_, err := capture.Open("ntpgo-none0")
	if err == nil || !errors.Is(err, capture.ErrNoInterface) || err.Error() != "interface ntpgo-none0: no such network interface" {
		t.Errorf("Open(unknown interface): %v", err)
	}
}
