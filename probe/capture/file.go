package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ntopng-go/ntopng/probe/decode"
)

// File format magic numbers (first four bytes of the file).
const (
	magicPcapMicroLE = 0xa1b2c3d4 // read as little endian
	magicPcapNanoLE  = 0xa1b23c4d
	magicPcapMicroBE = 0xd4c3b2a1 // a big-endian file read as little endian
	magicPcapNanoBE  = 0x4d3cb2a1
	magicPcapng      = 0x0a0d0d0a // section header block type, palindromic
	magicGzip        = 0x8b1f     // first two bytes, read as little endian
)

// linkTypeSLL2 is LINKTYPE_LINUX_SLL2 as written in file headers.
const linkTypeSLL2 = 276

// FileSource reads a pcap or pcapng file. Besides Source it reports the
// records it could not read (Errors, LastError).
type FileSource struct {
	path   string
	f      *os.File
	format string // "pcap" or "pcapng"
	link   layers.LinkType
	rawLnk uint32
	zc     interface {
		ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	guard   *ngGuard   // pcapng only
	pguard  *pcapGuard // pcap only (not gzip-compressed)
	packets uint64
	errors  uint64
	lastErr error
	err     error // sticky: io.EOF or a fatal error
}

// ErrFormat is wrapped by the errors of OpenFile and ReadPacket for files
// that are not (or no longer) valid pcap/pcapng.
var ErrFormat = errors.New("not a valid pcap or pcapng file")

// OpenFile opens a pcap (micro- or nanosecond, either byte order, also
// gzip-compressed) or pcapng file, detected by its magic number. Errors
// name the file.
func OpenFile(path string) (Source, error) {
	s, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func openFile(path string) (*FileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture file %s: %w", path, unwrapPathError(err))
	}
	s := &FileSource{path: path, f: f}
	if err := s.open(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *FileSource) fail(format string, args ...any) error {
	return fmt.Errorf("capture file %s: "+format, append([]any{s.path}, args...)...)
}

func (s *FileSource) open() error {
	var head [24]byte
	n, err := io.ReadFull(s.f, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return s.fail("%w", err)
	}
	if n < 4 {
		return s.fail("%w: file too short (%d bytes)", ErrFormat, n)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return s.fail("%w", err)
	}
	magic := binary.LittleEndian.Uint32(head[:4])
	switch {
	case magic == magicPcapMicroLE || magic == magicPcapNanoLE || magic == magicPcapMicroBE || magic == magicPcapNanoBE:
		if n < 24 {
			return s.fail("%w: pcap header truncated (%d bytes)", ErrFormat, n)
		}
		var bo binary.ByteOrder = binary.LittleEndian
		if magic == magicPcapMicroBE || magic == magicPcapNanoBE {
			bo = binary.BigEndian
		}
		g := &pcapGuard{r: bufio.NewReaderSize(s.f, readBufferSize), bo: bo, off: 24}
		if _, err := s.f.Seek(24, io.SeekStart); err != nil {
			return s.fail("%w", err)
		}
		if bo.Uint16(head[4:6]) == 2 {
			// libpcap reads any 2.x file, pcapgo only 2.4; before 2.3
			// caplen and len were swapped, 2.3 files may have them
			// either way.
			switch minor := bo.Uint16(head[6:8]); {
			case minor < 3:
				g.swap = swapAlways
			case minor == 3:
				g.swap = swapIfNeeded
			}
			bo.PutUint16(head[6:8], 4)
		}
		g.head = head[:]
		s.pguard = g
		// Only the low 16 bits are the link type (libpcap's LT_LINKTYPE);
		// the upper bits may carry the FCS length.
		return s.openPcap(g, bo.Uint32(head[20:24])&0xffff)
	case uint16(magic) == magicGzip:
		// pcapgo decompresses gzip-compressed pcap files itself.
		return s.openPcap(s.f, 0)
	case magic == magicPcapng:
		return s.openPcapng()
	}
	return s.fail("%w: unknown magic number 0x%08x", ErrFormat, magic)
}

// setLink maps the link type number of a file header to layers.LinkType
// (an uint8 in gopacket): 276 (Linux SLL2) becomes decode.LinkTypeLinuxSLL2,
// other numbers above 255 are refused instead of being silently aliased.
func (s *FileSource) setLink(raw uint32) error {
	s.rawLnk = raw
	switch {
	case raw == linkTypeSLL2:
		s.link = decode.LinkTypeLinuxSLL2
	case raw > 255:
		return s.fail("link type %d is not supported", raw)
	default:
		s.link = layers.LinkType(raw)
	}
	return nil
}

func (s *FileSource) openPcap(in io.Reader, rawLink uint32) error {
	s.format = "pcap"
	r, err := pcapgo.NewReader(in)
	if err != nil {
		return s.fail("%w: %v", ErrFormat, err)
	}
	if rawLink == 0 {
		rawLink = uint32(r.LinkType())
	}
	if err := s.setLink(rawLink); err != nil {
		return err
	}
	// Accept records up to DefaultSnaplen whatever the header says, like
	// tcpdump and Wireshark do (some writers do not honour their own snap
	// length), and never size the read buffer from a corrupt header.
	r.SetSnaplen(DefaultSnaplen)
	s.zc = r
	return nil
}

func (s *FileSource) openPcapng() error {
	s.format = "pcapng"
	s.guard = &ngGuard{r: s.f, firstLink: -1}
	r, err := pcapgo.NewNgReader(bufio.NewReaderSize(s.guard, readBufferSize), pcapgo.NgReaderOptions{SkipUnknownVersion: true})
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return s.fail("%w: no interface description block", ErrFormat)
		}
		return s.fail("%w: %v", ErrFormat, err)
	}
	raw := uint32(r.LinkType())
	if s.guard.firstLink >= 0 {
		raw = uint32(s.guard.firstLink)
	}
	if err := s.setLink(raw); err != nil {
		return err
	}
	s.zc = r
	return nil
}

// ReadPacket returns the next record. At the end of the file it returns
// io.EOF; a record cut by the end of the file is counted (Errors, Stats)
// and also ends the file with io.EOF. Other damage returns an error that
// names the file and wraps ErrFormat; it is sticky.
func (s *FileSource) ReadPacket() (data []byte, ci gopacket.CaptureInfo, err error) {
	if s.err != nil {
		return nil, gopacket.CaptureInfo{}, s.err
	}
	defer func() {
		// pcapgo is plain Go parsing untrusted input: never let a bug
		// there take the process down.
		if r := recover(); r != nil {
			s.err = s.fail("%w: record %d: %v", ErrFormat, s.packets+1, r)
			data, ci, err = nil, gopacket.CaptureInfo{}, s.err
		}
	}()
	data, ci, err = s.zc.ZeroCopyReadPacketData()
	if err == nil {
		s.packets++
		return data, ci, nil
	}
	switch {
	case (err == io.EOF || err == io.ErrUnexpectedEOF) && !s.midRecord(ci):
		s.err = io.EOF // clean end
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		s.errors++
		s.lastErr = s.fail("record %d truncated by the end of the file", s.packets+1)
		s.err = io.EOF
	default:
		s.err = s.fail("%w: record %d: %v", ErrFormat, s.packets+1, err)
	}
	return nil, gopacket.CaptureInfo{}, s.err
}

// midRecord reports whether the file ended inside a record.
func (s *FileSource) midRecord(ci gopacket.CaptureInfo) bool {
	switch {
	case s.guard != nil:
		return s.guard.midBlock()
	case s.pguard != nil:
		return s.pguard.partial
	}
	// gzip-compressed pcap: a complete record header was read.
	return ci.CaptureLength != 0
}

// LinkType returns the link type of the file (of its first interface for
// pcapng; packets of interfaces with another link type are skipped).
func (s *FileSource) LinkType() layers.LinkType { return s.link }

// RawLinkType returns the link type number as written in the file.
func (s *FileSource) RawLinkType() uint32 { return s.rawLnk }

// Format returns "pcap" or "pcapng".
func (s *FileSource) Format() string { return s.format }

// Name returns the file path.
func (s *FileSource) Name() string { return s.path }

// Stats returns the number of records that could not be read.
func (s *FileSource) Stats() uint64 { return s.errors }

// Errors returns the number of records that could not be read (a record
// truncated by the end of the file).
func (s *FileSource) Errors() uint64 { return s.errors }

// LastError describes the last unreadable record (nil if none).
func (s *FileSource) LastError() error { return s.lastErr }

// Packets returns the number of records read so far.
func (s *FileSource) Packets() uint64 { return s.packets }

// Close closes the file.
func (s *FileSource) Close() error {
	if s.err == nil {
		s.err = io.EOF
	}
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Length swapping of old pcap versions.
const (
	swapNever = iota
	swapAlways
	swapIfNeeded
)

// pcapGuard sits between the file and pcapgo's pcap reader and follows the
// record structure: it hands over the file header (with the minor version
// set to 4), fixes the record headers of old versions (swapped lengths) and
// of writers that store a capture length larger than the original length,
// rejects capture lengths above DefaultSnaplen before pcapgo sizes a buffer
// from them, and tells whether the file ended inside a record.
type pcapGuard struct {
	r       *bufio.Reader
	bo      binary.ByteOrder
	swap    int
	head    []byte // header bytes still to hand over
	hbuf    [16]byte
	rem     int   // body bytes of the current record still to hand over
	off     int64 // file offset of the next record
	partial bool  // the file ended inside a record
	err     error
}

func (g *pcapGuard) Read(p []byte) (int, error) {
	if len(g.head) > 0 {
		n := copy(p, g.head)
		g.head = g.head[n:]
		return n, nil
	}
	if g.err != nil {
		return 0, g.err
	}
	if g.rem == 0 {
		n, err := io.ReadFull(g.r, g.hbuf[:])
		if err != nil {
			if n > 0 || err != io.EOF {
				g.partial = true
			}
			g.err = io.EOF
			return 0, io.EOF
		}
		h := g.hbuf[:]
		caplen, wirelen := g.bo.Uint32(h[8:12]), g.bo.Uint32(h[12:16])
		if g.swap == swapAlways || (g.swap == swapIfNeeded && caplen > wirelen) {
			caplen, wirelen = wirelen, caplen
		}
		if caplen > DefaultSnaplen {
			g.err = fmt.Errorf("record at offset %d: capture length %d exceeds %d", g.off, caplen, DefaultSnaplen)
			return 0, g.err
		}
		if wirelen < caplen {
			wirelen = caplen
		}
		g.bo.PutUint32(h[8:12], caplen)
		g.bo.PutUint32(h[12:16], wirelen)
		g.rem = int(caplen)
		g.off += 16 + int64(caplen)
		g.head = h
		n = copy(p, g.head)
		g.head = g.head[n:]
		return n, nil
	}
	if len(p) > g.rem {
		p = p[:g.rem]
	}
	n, err := g.r.Read(p)
	g.rem -= n
	if err == io.EOF && g.rem > 0 {
		g.partial = true
	}
	if n > 0 {
		err = nil
	}
	return n, err
}

// pcapng block types checked by ngGuard.
const (
	ngBlockIDB = 0x00000001
	ngBlockOPB = 0x00000002 // obsolete packet block
	ngBlockSPB = 0x00000003
	ngBlockEPB = 0x00000006
	ngBlockSHB = 0x0a0d0d0a
	ngBOM      = 0x1a2b3c4d
	// maxNgBlock bounds a block's length: a corrupt length must not make
	// the reader skip or allocate gigabytes.
	maxNgBlock = 64 << 20
)

// ngGuard sits between the file and pcapgo's pcapng reader and follows the
// block structure of the byte stream: it rejects corrupt block lengths and
// capture lengths (pcapgo would allocate or read whatever they say), it
// remembers the untruncated link type of the first interface, and it tells
// whether the file ended in the middle of a block (a truncated record)
// rather than at a block boundary.
type ngGuard struct {
	r         io.Reader
	hdr       [28]byte
	n         int    // bytes of the current block header collected
	need      int    // header bytes to collect before the next check
	rem       uint64 // bytes of the current block after the collected header
	typ       uint32
	length    uint32
	big       bool
	firstLink int
	off       int64 // file offset of the current block
	err       error
}

func (g *ngGuard) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *ngGuard) u16(b []byte) uint16 {
	if g.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

// midBlock reports whether the bytes seen so far end inside a block.
func (g *ngGuard) midBlock() bool { return g.n > 0 || g.rem > 0 }

func (g *ngGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if k, bad := g.scan(p[:n]); bad != nil {
		g.err = fmt.Errorf("block at offset %d: %v", g.off, bad)
		if k == 0 {
			return 0, g.err
		}
		return k, nil
	}
	return n, err
}

// scan follows the block structure over b. On a violation it returns the
// number of bytes before the offending block header byte and the problem.
func (g *ngGuard) scan(b []byte) (int, error) {
	if g.need == 0 {
		g.need = 8
	}
	for i := 0; i < len(b); {
		if g.rem > 0 {
			k := uint64(len(b) - i)
			if k > g.rem {
				k = g.rem
			}
			i += int(k)
			g.rem -= k
			continue
		}
		g.hdr[g.n] = b[i]
		g.n++
		i++
		if g.n < g.need {
			continue
		}
		if err := g.check(); err != nil {
			return i - 1, err
		}
		if g.n < g.need { // the check asked for more header bytes
			continue
		}
		// Header fully checked: skip the rest of the block.
		g.rem = uint64(g.length) - uint64(g.n)
		g.off += int64(g.length)
		g.n, g.need = 0, 8
	}
	return len(b), nil
}

// check validates the g.n header bytes collected; it may raise g.need.
func (g *ngGuard) check() error {
	h := g.hdr[:g.n]
	if g.n == 8 {
		g.typ = binary.LittleEndian.Uint32(h[0:4]) // SHB type is palindromic
		if g.typ == ngBlockSHB {
			g.need = 12 // the byte-order magic decides how to read the length
			return nil
		}
		g.typ = g.u32(h[0:4])
		g.length = g.u32(h[4:8])
		if err := g.checkLength(12); err != nil {
			return err
		}
		switch g.typ {
		case ngBlockEPB, ngBlockOPB:
			g.need = 28
			return g.checkLength(32)
		case ngBlockSPB:
			g.need = 12
			return g.checkLength(16)
		case ngBlockIDB:
			g.need = 10
			return g.checkLength(20)
		}
		return nil
	}
	switch g.typ {
	case ngBlockSHB:
		switch {
		case binary.BigEndian.Uint32(h[8:12]) == ngBOM:
			g.big = true
		case binary.LittleEndian.Uint32(h[8:12]) == ngBOM:
			g.big = false
		default:
			return errors.New("bad byte-order magic in section header")
		}
		g.length = g.u32(h[4:8])
		return g.checkLength(28)
	case ngBlockEPB, ngBlockOPB:
		caplen := g.u32(h[20:24])
		if caplen > DefaultSnaplen || uint64(caplen) > uint64(g.length)-32 {
			return fmt.Errorf("capture length %d does not fit (block length %d, maximum %d)", caplen, g.length, DefaultSnaplen)
		}
	case ngBlockSPB:
		if origlen := g.u32(h[8:12]); origlen > DefaultSnaplen && uint64(origlen) > uint64(g.length)-16 {
			return fmt.Errorf("simple packet length %d does not fit (block length %d)", origlen, g.length)
		}
	case ngBlockIDB:
		if g.firstLink < 0 {
			g.firstLink = int(g.u16(h[8:10]))
		}
	}
	return nil
}

func (g *ngGuard) checkLength(min uint32) error {
	if g.length < min || g.length%4 != 0 || g.length > maxNgBlock {
		return fmt.Errorf("bad block length %d for block type 0x%08x", g.length, g.typ)
	}
	return nil
}

// readBufferSize is the file read buffer: large reads keep the number of
// system calls per packet negligible.
const readBufferSize = 1 << 20
