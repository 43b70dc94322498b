package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestEndToEndLiveVeth runs the binary on the host end of a veth pair whose
// peer lives in a network namespace the test creates and removes. The test
// sends UDP datagrams from the host to the namespace (whose kernel answers
// with ICMP port unreachable) and checks the REST answers; nothing is sent
// once the datagrams are out, so the counters must still be published on
// the quiet link.
func TestEndToEndLiveVeth(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (network namespaces and AF_PACKET sockets)")
	}
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("live capture test needs the ip command (iproute2)")
	}
	id := os.Getpid() % 100000
	ns := fmt.Sprintf("ntpe%d", id)
	host, peer := fmt.Sprintf("ntpeH%d", id), fmt.Sprintf("ntpeN%d", id)
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Skipf("cannot set up the test network (%v): %s %s", args, err, out)
		}
	}
	sh(ipCmd, "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command(ipCmd, "netns", "del", ns).Run() })
	sh(ipCmd, "link", "add", host, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { _ = exec.Command(ipCmd, "link", "del", host).Run() })
	sh(ipCmd, "link", "set", peer, "netns", ns)
	sh(ipCmd, "addr", "add", "10.198.0.1/24", "dev", host)
	sh(ipCmd, "link", "set", host, "up")
	sh(ipCmd, "netns", "exec", ns, ipCmd, "addr", "add", "10.198.0.2/24", "dev", peer)
	sh(ipCmd, "netns", "exec", ns, ipCmd, "link", "set", peer, "up")

	p := start(t, "-i", host, "-m", "10.198.0.0/24")
	// Wait for the REST server, then send.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", p.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // capture socket bound
	// An unconnected socket: the ICMP unreachable answers must not turn
	// into write errors.
	conn, err := net.ListenPacket("udp4", "10.198.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dst := &net.UDPAddr{IP: net.ParseIP("10.198.0.2"), Port: 9999}
	const n = 5
	for i := 0; i < n; i++ {
		if _, err := conn.WriteTo([]byte(fmt.Sprintf("ntopng-go live e2e %d", i)), dst); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn.Close()

	// The UDP flow must appear with its n datagrams, without further traffic.
	var found map[string]any
	for time.Now().Before(deadline) && found == nil {
		_, env := p.get(t, "/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=100&verbose=true&l4proto=17", "admin", "admin")
		for _, f := range env["rsp"].(map[string]any)["data"].([]any) {
			m := f.(map[string]any)
			if m["server"].(map[string]any)["port"] == float64(9999) && m["packets"] == float64(n) {
				found = m
			}
		}
		if found == nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if found == nil {
		t.Fatalf("UDP flow with %d packets not reported; output:\n%s", n, p.out)
	}
	if c := found["client"].(map[string]any); c["ip"] != "10.198.0.1" {
		t.Errorf("client %v", c["ip"])
	}
	// Interface counters are published by the capture loop's housekeeping,
	// which must keep running although the link is now quiet.
	var r map[string]any
	for time.Now().Before(deadline) {
		_, env := p.get(t, "/lua/rest/v1/get/interface/data.lua?ifid=0", "admin", "admin")
		r = env["rsp"].(map[string]any)
		if r["packets"].(float64) >= 2*n { // datagrams and their ICMP answers
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r["ifname"] != host || r["packets"].(float64) < 2*n {
		t.Errorf("interface %v packets %v, want at least %d", r["ifname"], r["packets"], 2*n)
	}
	_, env := p.get(t, "/lua/rest/v1/get/host/data.lua?ifid=0&host=10.198.0.2", "admin", "admin")
	if env["rc_str"] != "OK" || env["rsp"].(map[string]any)["localhost"] != true {
		t.Errorf("peer host: %v", env["rc_str"])
	}
}
