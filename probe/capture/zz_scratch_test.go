package capture_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
)

func TestScratchUnsupported(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dpiCorpus, "*"))
	for _, f := range files {
		s, err := capture.OpenFile(f)
		if err != nil {
			continue
		}
		d := decode.NewDecoder(s.LinkType())
		var p decode.Packet
		seen := map[string]int{}
		for i := 1; ; i++ {
			data, ci, err := s.ReadPacket()
			if err == io.EOF {
				break
			}
			derr := d.Decode(data, ci, &p)
			if derr == nil {
				continue
			}
			k := fmt.Sprintf("%v@%v layers=%v", derr, d.ErrorLayer(), d.Decoded())
			if p.HasEthernet && len(data) >= 14 {
				k += fmt.Sprintf(" ethertype=%04x", binary.BigEndian.Uint16(data[12:14]))
			}
			if seen[k] == 0 {
				n := len(data)
				if n > 80 {
					n = 80
				}
				t.Logf("%s #%d %s len=%d wire=%d %x", filepath.Base(f), i, k, len(data), ci.Length, data[:n])
			}
			seen[k]++
		}
		s.Close()
	}
}
