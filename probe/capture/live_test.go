package capture_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/decode"
)

// helperEnv makes the test binary act as a UDP sender (run inside the
// network namespace by TestLiveVeth).
const helperEnv = "NTOPNG_CAPTURE_TEST_SEND"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(sendUDP(spec))
	}
	if spec := os.Getenv(helperRawEnv); spec != "" {
		os.Exit(sendTagged(spec))
	}
	if os.Getenv("NTOPNG_CAPTURE_TEST_OPENLIVE") != "" {
		_, err := capture.OpenLive(os.Getenv("NTOPNG_CAPTURE_TEST_OPENLIVE"), 0)
		fmt.Println(err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperRawEnv makes the test binary send 802.1Q-tagged UDP frames
// through a packet socket ("count;ifname;dstmac").
const helperRawEnv = "NTOPNG_CAPTURE_TEST_SEND_TAGGED"

func sendTagged(spec string) int {
	parts := strings.Split(spec, ";")
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "bad spec", spec)
		return 2
	}
	var count int
	fmt.Sscanf(parts[0], "%d", &count)
	ifi, err := net.InterfaceByName(parts[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dst, err := net.ParseMAC(parts[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer syscall.Close(fd)
	for i := 0; i < count; i++ {
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP{10, 199, 42, 2}, DstIP: net.IP{10, 199, 42, 1}}
		u := &layers.UDP{SrcPort: 4242, DstPort: 9999}
		u.SetNetworkLayerForChecksum(ip)
		buf := gopacket.NewSerializeBuffer()
		err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			&layers.Ethernet{SrcMAC: ifi.HardwareAddr, DstMAC: dst, EthernetType: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: 42, Type: layers.EthernetTypeIPv4},
			ip, u, gopacket.Payload(fmt.Sprintf("ntopng-go capture test %d", i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := syscall.Sendto(fd, buf.Bytes(), 0, &syscall.SockaddrLinklayer{Ifindex: ifi.Index}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0
}

// sendUDP sends count datagrams to each "ip:port" of the comma separated
// spec ("count;addr,addr").
func sendUDP(spec string) int {
	var count int
	var addrs string
	if _, err := fmt.Sscanf(spec, "%d;%s", &count, &addrs); err != nil {
		fmt.Fprintln(os.Stderr, "bad spec", spec, err)
		return 2
	}
	// Unconnected: the ICMP port unreachable answers must not fail the
	// next writes.
	c, err := net.ListenPacket("udp4", ":0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	for _, a := range strings.Split(addrs, ",") {
		ua, err := net.ResolveUDPAddr("udp4", a)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for i := 0; i < count; i++ {
			if _, err := c.WriteTo([]byte(fmt.Sprintf("ntopng-go capture test %d", i)), ua); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return 0
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestLiveVeth captures on the host end of a veth pair whose other end
// lives in a network namespace created (and removed) by the test; UDP
// datagrams are sent from inside the namespace, untagged through its IP
// stack and tagged with VLAN 42 through a packet socket.
func TestLiveVeth(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (network namespaces and AF_PACKET sockets)")
	}
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("live capture test needs the ip command (iproute2)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	id := os.Getpid() % 100000
	ns := fmt.Sprintf("ntpgo%d", id)
	host, peer := fmt.Sprintf("ntpH%d", id), fmt.Sprintf("ntpN%d", id)

	run(t, ipCmd, "netns", "add", ns)
	t.Cleanup(func() { exec.Command(ipCmd, "netns", "del", ns).Run() })
	run(t, ipCmd, "link", "add", host, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { exec.Command(ipCmd, "link", "del", host).Run() })
	run(t, ipCmd, "link", "set", peer, "netns", ns)
	run(t, ipCmd, "addr", "add", "10.199.0.1/24", "dev", host)
	run(t, ipCmd, "link", "set", host, "up")
	inNS := func(args ...string) { run(t, append([]string{ipCmd, "netns", "exec", ns}, args...)...) }
	inNS(ipCmd, "link", "set", "lo", "up")
	inNS(ipCmd, "addr", "add", "10.199.0.2/24", "dev", peer)
	inNS(ipCmd, "link", "set", peer, "up")
	hostIf, err := net.InterfaceByName(host)
	if err != nil {
		t.Fatal(err)
	}

	src, err := capture.OpenLive(host, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.LinkType() != layers.LinkTypeEthernet || src.Name() != host {
		t.Fatalf("link type %v name %s", src.LinkType(), src.Name())
	}

	const count = 5
	type seen struct{ plain, tagged int }
	results := make(chan seen, 1)
	go func() {
		d := decode.NewDecoder(src.LinkType())
		var p decode.Packet
		var s seen
		for s.plain < count || s.tagged < count {
			data, ci, err := src.ReadPacket()
			if errors.Is(err, capture.ErrIdle) {
				continue
			}
			if err != nil {
				if err != io.EOF {
					t.Errorf("ReadPacket: %v", err)
				}
				break
			}
			if d.Decode(data, ci, &p) != nil || p.L4Proto != 17 || p.DstPort != 9999 {
				continue
			}
			want := fmt.Sprintf("ntopng-go capture test %d", map[bool]int{true: s.tagged, false: s.plain}[p.VLAN == 42])
			if string(p.Payload) != want || p.Len != ci.Length || p.WireLen != ci.Length || !p.HasEthernet {
				t.Errorf("unexpected packet %+v (%q, want %q)", p, p.Payload, want)
			}
			switch {
			case p.VLAN == 0 && p.Src == netip.MustParseAddr("10.199.0.2") && p.Dst == netip.MustParseAddr("10.199.0.1"):
				s.plain++
			case p.VLAN == 42 && p.Src == netip.MustParseAddr("10.199.42.2") && p.Dst == netip.MustParseAddr("10.199.42.1"):
				s.tagged++
			default:
				t.Errorf("unexpected packet %+v", p)
			}
		}
		results <- s
	}()

	// Untagged datagrams through the namespace's IP stack, then VLAN 42
	// frames written on the peer's packet socket (the 8021q module may be
	// unavailable; the kernel moves the received tag out of the frame and
	// the source must put it back).
	sender := exec.Command(ipCmd, "netns", "exec", ns, exe, "-test.run=^$")
	sender.Env = append(os.Environ(), fmt.Sprintf("%s=%d;10.199.0.1:9999", helperEnv, count))
	if out, err := sender.CombinedOutput(); err != nil {
		t.Fatalf("sender: %v\n%s", err, out)
	}
	sender = exec.Command(ipCmd, "netns", "exec", ns, exe, "-test.run=^$")
	sender.Env = append(os.Environ(), fmt.Sprintf("%s=%d;%s;%s", helperRawEnv, count, peer, hostIf.HardwareAddr))
	if out, err := sender.CombinedOutput(); err != nil {
		t.Fatalf("tagged sender: %v\n%s", err, out)
	}

	select {
	case s := <-results:
		if s.plain != count || s.tagged != count {
			t.Fatalf("captured %d untagged and %d VLAN 42 datagrams, want %d each", s.plain, s.tagged, count)
		}
	case <-time.After(10 * time.Second):
		src.Close() // unblocks the reader: ReadPacket returns io.EOF
		s := <-results
		t.Fatalf("timeout: captured %d untagged and %d VLAN 42 datagrams, want %d each", s.plain, s.tagged, count)
	}
	if drops := src.Stats(); drops != 0 {
		t.Errorf("%d drops", drops)
	}

	// Close from another goroutine stops a blocked ReadPacket.
	done := make(chan error, 1)
	go func() {
		for {
			if _, _, err := src.ReadPacket(); err != nil && !errors.Is(err, capture.ErrIdle) {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != io.EOF {
			t.Fatalf("ReadPacket after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not stop ReadPacket")
	}
	src.Close() // idempotent
}

func TestOpenLiveErrors(t *testing.T) {
	_, err := capture.OpenLive("ntpgo-none0", 0)
	if !errors.Is(err, capture.ErrNoInterface) || err.Error() != "interface ntpgo-none0: no such network interface" {
		t.Fatalf("unknown interface: %v", err)
	}
	if os.Geteuid() != 0 {
		// Unprivileged: the permission error is what we get.
		_, err := capture.OpenLive("lo", 0)
		if !errors.Is(err, capture.ErrPermission) || !errors.Is(err, os.ErrPermission) ||
			err.Error() != "interface lo: capturing needs root or CAP_NET_RAW: operation not permitted" {
			t.Fatalf("unprivileged: %v", err)
		}
		return
	}
	// As root, check the message by running a copy of this binary as
	// nobody.
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "ntpgo-capture")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/capture.test", bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dir+"/capture.test", "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NTOPNG_CAPTURE_TEST_OPENLIVE=lo")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("cannot run the test binary as nobody: %v %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "interface lo: capturing needs root or CAP_NET_RAW: operation not permitted" {
		t.Fatalf("unprivileged OpenLive: %q", got)
	}
}
