package decode_test

import (
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/decode"
)

// fuzzLinks are the link types the fuzzer picks from (first input byte).
var fuzzLinks = []layers.LinkType{
	layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, decode.LinkTypeLinuxSLL2,
	layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6,
	layers.LinkTypeNull, layers.LinkTypeLoop, layers.LinkTypePPP,
}

func FuzzDecode(f *testing.F) {
	for _, c := range frameCases(f) {
		for i, lt := range fuzzLinks {
			if lt == c.link {
				f.Add(uint8(i), uint16(c.wire), c.frame)
			}
		}
	}
	decoders := make([]*decode.Decoder, len(fuzzLinks))
	for i, lt := range fuzzLinks {
		decoders[i] = decode.NewDecoder(lt)
	}
	f.Fuzz(func(t *testing.T, link uint8, wire uint16, data []byte) {
		d := decoders[int(link)%len(decoders)]
		var p decode.Packet
		err := d.Decode(data, gopacket.CaptureInfo{CaptureLength: len(data), Length: int(wire)}, &p)
		switch err {
		case nil, decode.ErrTruncated, decode.ErrMalformed, decode.ErrUnsupported:
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if p.WireLen < len(data) || p.Len > p.WireLen || p.Len < 0 {
			t.Fatalf("WireLen %d Len %d for %d bytes (wire %d)", p.WireLen, p.Len, len(data), wire)
		}
		if len(p.Payload) > 0 {
			// The payload must lie inside the frame.
			off := cap(data) - cap(p.Payload)
			if off < 0 || off+len(p.Payload) > len(data) {
				t.Fatalf("payload outside the frame: off %d len %d frame %d", off, len(p.Payload), len(data))
			}
		}
		if p.IPVersion != 0 && p.IPVersion != 4 && p.IPVersion != 6 {
			t.Fatalf("IPVersion %d", p.IPVersion)
		}
		if p.IPVersion == 4 && (!p.Src.Is4() || !p.Dst.Is4()) || p.IPVersion == 6 && (!p.Src.Is6() || !p.Dst.Is6()) {
			t.Fatalf("addresses %v %v for IPv%d", p.Src, p.Dst, p.IPVersion)
		}
		if p.HasTransport && p.IPVersion == 0 {
			t.Fatalf("transport without IP")
		}
		if p.FragOffset != 0 && (!p.Fragment || p.HasTransport) {
			t.Fatalf("fragment fields %+v", p)
		}
	})
}
