// Package capture provides packet sources: pcap and pcapng files read in
// pure Go (gopacket/pcapgo) and live Linux interfaces read through a
// memory-mapped AF_PACKET ring (gopacket/afpacket). Sources hand out
// zero-copy frames: the data returned by ReadPacket is only valid until the
// next ReadPacket or Close call.
package capture

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Source is a stream of frames of one link type.
type Source interface {
	// ReadPacket returns the next frame. data is owned by the Source and
	// valid until the next ReadPacket or Close call. At the end of a file
	// it returns io.EOF (and keeps returning it).
	ReadPacket() (data []byte, ci gopacket.CaptureInfo, err error)
	// LinkType is the link type of every frame (see decode.NewDecoder).
	LinkType() layers.LinkType
	// Name is the file path or the interface name.
	Name() string
	// Stats returns the number of frames lost so far: kernel drops for a
	// live interface, unreadable records (a truncated tail) for a file.
	Stats() (drops uint64)
	// Close releases the source. Data returned by ReadPacket must not be
	// used any more once Close has been called.
	Close() error
}

// DefaultSnaplen is the snap length Open uses for live interfaces, and the
// largest record accepted from a file (tcpdump's MAXIMUM_SNAPLEN).
const DefaultSnaplen = 262144

// Open opens name as a capture file when it is an existing regular file,
// otherwise as a live interface (with DefaultSnaplen). A name that looks
// like a path (contains a path separator or ends in .pcap, .pcapng or .cap)
// but does not exist is reported as a missing file, not as a missing
// interface.
func Open(name string) (Source, error) {
	fi, err := os.Stat(name)
	if err == nil && fi.Mode().IsRegular() {
		return OpenFile(name)
	}
	if err != nil && looksLikePath(name) {
		return nil, fmt.Errorf("capture file %s: %w", name, unwrapPathError(err))
	}
	if err == nil && fi.IsDir() {
		return nil, fmt.Errorf("capture file %s: is a directory", name)
	}
	return OpenLive(name, DefaultSnaplen)
}

func looksLikePath(name string) bool {
	if strings.ContainsRune(name, os.PathSeparator) || strings.ContainsRune(name, '/') {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pcap", ".pcapng", ".cap", ".gz":
		return true
	}
	return false
}

// unwrapPathError drops the *PathError wrapper (whose message repeats the
// path) and keeps the cause, e.g. "no such file or directory".
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
