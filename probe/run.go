package probe

import (
	"context"
	"errors"
	"io"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/decode"
)

// Source is what the capture loop needs from a packet source.
type Source interface {
	ReadPacket() (data []byte, ci gopacket.CaptureInfo, err error)
	LinkType() layers.LinkType
	Stats() (drops uint64)
}

// ErrIdle may be returned by live sources when no packet arrived within
// their read timeout; the loop then runs housekeeping on the wall clock.
var ErrIdle = errors.New("probe: no packet within the read timeout")

// Capture reads src until it ends or ctx is cancelled, feeding the
// interface. A file input (PacketClock) is finalised with EndOfInput when
// it ends. It returns the source error that stopped it, nil at a clean end.
func (ifc *Interface) Capture(ctx context.Context, src Source) error {
	dec := decode.NewDecoder(src.LinkType())
	var p decode.Packet
	var err error
	for ctx.Err() == nil {
		var data []byte
		var ci gopacket.CaptureInfo
		data, ci, err = src.ReadPacket()
		if err != nil {
			if errors.Is(err, ErrIdle) || isTimeout(err) {
				ifc.Tick()
				ifc.SetDrops(src.Stats())
				err = nil
				continue
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			break
		}
		ifc.ProcessFrame(dec, &p, data, ci)
	}
	ifc.SetDrops(src.Stats())
	if ifc.cfg.PacketClock {
		ifc.EndOfInput()
	} else {
		ifc.flushCounters()
	}
	return err
}

// ProcessFrame decodes one captured frame with dec into p and accounts it:
// a decoded (or unsupported, counted as such) packet is processed, a
// frame that does not decode counts as truncated or malformed.
func (ifc *Interface) ProcessFrame(dec *decode.Decoder, p *decode.Packet, data []byte, ci gopacket.CaptureInfo) {
	switch err := dec.Decode(data, ci, p); {
	case err == nil, errors.Is(err, decode.ErrUnsupported):
		ifc.ProcessPacket(p)
	default:
		ifc.DecodeFailed(p, errors.Is(err, decode.ErrTruncated))
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
