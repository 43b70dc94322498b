package probe

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/pools"
)

func matcher(t testing.TB, members map[int][]string) *pools.Matcher {
	t.Helper()
	m, err := pools.NewMatcher(members)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func poolOf(t *testing.T, ifc *Interface, ip string) int {
	t.Helper()
	d, ok := ifc.HostDetail(HostKey{IP: netip.MustParseAddr(ip)})
	if !ok {
		t.Fatalf("no host %s", ip)
	}
	return d.PoolID()
}

func TestHostsFollowPools(t *testing.T) {
	f := newFeeder(t, "10.0.0.0/8")
	f.ifc.SetPools(matcher(t, map[int][]string{2: {"10.0.0.0/24"}}))
	f.feed(frame(t, "10.0.0.1", "10.1.0.1", 40000, 80, 0x02, false, nil), 0)
	f.feed(frame(t, "10.0.0.2", "8.8.8.8", 40001, 53, 0, true, []byte("q")), time.Second)
	if poolOf(t, f.ifc, "10.0.0.1") != 2 || poolOf(t, f.ifc, "10.1.0.1") != 0 || poolOf(t, f.ifc, "8.8.8.8") != 0 {
		t.Fatal("new hosts not in their pools")
	}

	// A pool change moves the hosts in memory at once; the MAC member
	// (the client's source MAC) wins over the prefixes.
	f.ifc.SetPools(matcher(t, map[int][]string{3: {"10.1.0.0/16"}, 4: {"10.0.0.2/32@0"}, 5: {macA.String()}}))
	for ip, want := range map[string]int{"10.0.0.1": 5, "10.0.0.2": 5, "10.1.0.1": 3, "8.8.8.8": 0} {
		if got := poolOf(t, f.ifc, ip); got != want {
			t.Errorf("%s in pool %d, want %d", ip, got, want)
		}
	}
	f.ifc.SetPools(matcher(t, map[int][]string{3: {"10.1.0.0/16"}, 4: {"10.0.0.2/32@0"}}))
	if poolOf(t, f.ifc, "10.0.0.2") != 4 || poolOf(t, f.ifc, "10.0.0.1") != 0 {
		t.Error("hosts did not leave the MAC pool")
	}

	flt := NoHostFilter()
	flt.Pool = 4
	if hs := f.ifc.Hosts(flt, false, nil); len(hs) != 1 || hs[0].Key.IP.String() != "10.0.0.2" || hs[0].Pool != 4 {
		t.Errorf("hosts of pool 4: %+v", hs)
	}
	flt.Pool = 0
	if hs := f.ifc.Hosts(flt, false, nil); len(hs) != 2 {
		t.Errorf("hosts of pool 0: %d, want 2", len(hs))
	}
	ff := NoFlowFilter()
	ff.Pool = 3
	if fs := f.ifc.Flows(ff); len(fs) != 1 || fs[0].SrvIP.String() != "10.1.0.1" {
		t.Errorf("flows of pool 3: %+v", fs)
	}
	ps := f.ifc.PoolStats(nil)
	if ps[3] == nil || ps[3].Hosts != 1 || ps[0].Hosts != 2 || ps[4].Hosts != 1 {
		t.Errorf("pool stats: %+v", ps)
	}
	vis := Visibility(func(a netip.Addr) bool { return a.String() == "8.8.8.8" })
	if ps := f.ifc.PoolStats(vis); len(ps) != 1 || ps[0].Hosts != 1 {
		t.Errorf("pool stats seen by a restricted user: %+v", ps)
	}
}

// TestSetPoolsWhileCapturing changes pools while the capture goroutine
// creates hosts (run with -race): every host ends in the pool of the last
// matcher, whichever happened first.
func TestSetPoolsWhileCapturing(t *testing.T) {
	f := newFeeder(t)
	frames := make([][]byte, 500)
	for i := range frames {
		frames[i] = frame(t, netipFrom(i), "192.0.2.1", 40000, 80, 0x02, false, nil)
	}
	last := matcher(t, map[int][]string{7: {"10.0.0.0/8"}})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			f.ifc.SetPools(matcher(t, map[int][]string{2 + i%3: {"10.0.0.0/8"}}))
		}
		f.ifc.SetPools(last)
	}()
	for _, fr := range frames {
		f.feed(fr, time.Millisecond)
	}
	wg.Wait()
	flt := NoHostFilter()
	flt.Pool = 7
	if n := len(f.ifc.Hosts(flt, false, nil)); n != len(frames) {
		t.Errorf("%d of %d hosts in the last pool", n, len(frames))
	}
}

// BenchmarkSetPools100k is the cost of moving 100k hosts in memory after a
// pool change (10k members configured).
func BenchmarkSetPools100k(b *testing.B) {
	f := newFeeder(b)
	for i := 0; i < 100000; i++ {
		f.feed(frame(b, netipFrom(i), "192.0.2.1", 40000, 80, 0x02, false, nil), time.Microsecond)
	}
	m := matcher(b, benchPoolMembers(10000))
	b.ReportAllocs()
	for b.Loop() {
		f.ifc.SetPools(m)
	}
}
