package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/afpacket"
	"github.com/google/gopacket/layers"
)

// Ring geometry of live captures: 64 blocks of 1 MiB (a block must hold
// the largest frame, GRO/TSO aggregates included).
const (
	liveBlockSize   = 1 << 20
	liveNumBlocks   = 64
	liveFrameSize   = 1 << 11
	liveBlockTimout = 20 * time.Millisecond
	// livePollTimeout bounds how long ReadPacket waits in the kernel before
	// checking whether Close was called.
	livePollTimeout = 100 * time.Millisecond
)

// ErrPermission is wrapped by OpenLive when the process may not open a
// packet socket (it also matches os.ErrPermission through the cause).
var ErrPermission = errors.New("capturing needs root or CAP_NET_RAW")

// ErrNoInterface is wrapped by OpenLive for an unknown interface name.
var ErrNoInterface = errors.New("no such network interface")

// LiveSource captures from a Linux interface through an AF_PACKET
// TPACKET_V3 ring (gopacket/afpacket), without copying frames.
type LiveSource struct {
	name    string
	link    layers.LinkType
	snaplen int

	mu     sync.Mutex   // serialises ring access between ReadPacket and Close
	life   sync.RWMutex // held for writing by Close, for reading by Stats
	tp     *afpacket.TPacket
	closed atomic.Bool

	vlanBuf []byte // frame with its VLAN tag re-inserted
	drops   atomic.Uint64
}

// OpenLive opens interface ifname for capture. snaplen <= 0 means
// DefaultSnaplen; longer frames are cut (ci.Length keeps the original
// length). Ethernet and loopback interfaces give LinkTypeEthernet frames
// (with the 802.1Q tag the kernel stripped re-inserted, as libpcap does);
// other interfaces (tun, ppp, ip tunnels) give raw IP (LinkTypeRaw).
// Promiscuous mode is not enabled. Without root/CAP_NET_RAW it fails with
// an error like "interface eth0: capturing needs root or CAP_NET_RAW:
// operation not permitted".
func OpenLive(ifname string, snaplen int) (Source, error) {
	s, err := openLive(ifname, snaplen)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func openLive(ifname string, snaplen int) (*LiveSource, error) {
	if snaplen <= 0 || snaplen > DefaultSnaplen {
		snaplen = DefaultSnaplen
	}
	if ifname == "" {
		return nil, fmt.Errorf("interface name is empty")
	}
	if _, err := net.InterfaceByName(ifname); err != nil {
		return nil, fmt.Errorf("interface %s: %w", ifname, ErrNoInterface)
	}
	s := &LiveSource{name: ifname, snaplen: snaplen}
	socktype := afpacket.SocketRaw
	switch arphrdType(ifname) {
	case syscall.ARPHRD_ETHER, syscall.ARPHRD_LOOPBACK, -1:
		s.link = layers.LinkTypeEthernet
	default:
		// No (or no Ethernet) link header: let the kernel strip whatever
		// there is and deliver the network layer.
		s.link = layers.LinkTypeRaw
		socktype = afpacket.SocketDgram
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(ifname),
		afpacket.OptFrameSize(liveFrameSize),
		afpacket.OptBlockSize(liveBlockSize),
		afpacket.OptNumBlocks(liveNumBlocks),
		afpacket.OptBlockTimeout(liveBlockTimout),
		afpacket.OptPollTimeout(livePollTimeout),
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		socktype,
	)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("interface %s: %w: %w", ifname, ErrPermission, err)
		}
		if strings.Contains(err.Error(), "no such network interface") {
			return nil, fmt.Errorf("interface %s: %w", ifname, ErrNoInterface)
		}
		return nil, fmt.Errorf("interface %s: opening packet socket: %w", ifname, err)
	}
	s.tp = tp
	s.vlanBuf = make([]byte, snaplen+4)
	return s, nil
}

// arphrdType returns the ARPHRD_* type of an interface, -1 if unknown.
func arphrdType(ifname string) int {
	b, err := os.ReadFile("/sys/class/net/" + ifname + "/type")
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// ErrIdle is returned by a live source's ReadPacket when no frame arrived
// within the poll timeout (100 ms). It reports Timeout() == true; callers
// simply read again.
var ErrIdle error = idleError{}

type idleError struct{}

func (idleError) Error() string   { return "capture: no packet within the poll timeout" }
func (idleError) Timeout() bool   { return true }
func (idleError) Temporary() bool { return true }

// ReadPacket waits for the next frame. It returns io.EOF once Close has
// been called (also when Close is called while it waits), and ErrIdle when
// nothing arrived within the poll timeout.
func (s *LiveSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	for {
		if s.closed.Load() {
			return nil, gopacket.CaptureInfo{}, io.EOF
		}
		s.mu.Lock()
		if s.tp == nil {
			s.mu.Unlock()
			return nil, gopacket.CaptureInfo{}, io.EOF
		}
		data, ci, err := s.tp.ZeroCopyReadPacketData()
		s.mu.Unlock()
		switch {
		case err == afpacket.ErrTimeout:
			// Hand control back so the caller can run its timers on a
			// quiet link.
			return nil, gopacket.CaptureInfo{}, ErrIdle
		case err != nil:
			if s.closed.Load() {
				return nil, gopacket.CaptureInfo{}, io.EOF
			}
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return nil, gopacket.CaptureInfo{}, fmt.Errorf("interface %s: %w", s.name, err)
		}
		if s.link == layers.LinkTypeEthernet && len(ci.AncillaryData) > 0 && len(data) >= 12 {
			for _, a := range ci.AncillaryData {
				if v, ok := a.(afpacket.AncillaryVLAN); ok {
					data = s.insertVLAN(data, v.VLAN)
					ci.Length += 4
					break
				}
			}
			ci.AncillaryData = nil
		}
		if len(data) > s.snaplen {
			data = data[:s.snaplen]
		}
		ci.CaptureLength = len(data)
		if ci.Length < ci.CaptureLength {
			ci.Length = ci.CaptureLength
		}
		return data, ci, nil
	}
}

// insertVLAN rebuilds the 802.1Q header the NIC/kernel stripped (the
// priority bits are not reported by afpacket and are 0).
func (s *LiveSource) insertVLAN(data []byte, vlan int) []byte {
	n := len(data) + 4
	if n > len(s.vlanBuf) {
		n = len(s.vlanBuf)
	}
	b := s.vlanBuf[:n]
	copy(b, data[:12])
	b[12], b[13] = 0x81, 0x00
	b[14], b[15] = byte(vlan>>8)&0x0f, byte(vlan)
	copy(b[16:], data[12:])
	return b
}

// LinkType returns LinkTypeEthernet or LinkTypeRaw (see OpenLive).
func (s *LiveSource) LinkType() layers.LinkType { return s.link }

// Name returns the interface name.
func (s *LiveSource) Name() string { return s.name }

// Stats returns the number of frames the kernel dropped because the ring
// was full, since the source was opened.
func (s *LiveSource) Stats() uint64 {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.tp != nil && !s.closed.Load() {
		if _, v3, err := s.tp.SocketStats(); err == nil {
			// SocketStats accumulates the kernel counters (which reset on
			// every read) in the TPacket.
			s.drops.Store(uint64(v3.Drops()))
		}
	}
	return s.drops.Load()
}

// Close stops the capture: a ReadPacket waiting in another goroutine
// returns io.EOF within the poll timeout (100 ms). The frame returned by
// the last ReadPacket must not be used after Close.
func (s *LiveSource) Close() error {
	s.closed.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.life.Lock()
	defer s.life.Unlock()
	if s.tp != nil {
		if _, v3, err := s.tp.SocketStats(); err == nil {
			s.drops.Store(uint64(v3.Drops()))
		}
		s.tp.Close()
		s.tp = nil
	}
	return nil
}
