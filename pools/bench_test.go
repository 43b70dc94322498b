package pools

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// BenchmarkMatcher10k is the cost of putting one host in its pool with 10k
// members configured (9k prefixes of /16 to /32, 1k MACs), as the probe
// pays it once per new host and once per host after every pool change.
func BenchmarkMatcher10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 9))
	members := map[int][]string{}
	var macs [][6]byte
	for i := 0; i < 10000; i++ {
		id := 2 + i%100
		if i%10 == 0 {
			mac := [6]byte{2, 0, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}
			macs = append(macs, mac)
			members[id] = append(members[id], fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]))
			continue
		}
		members[id] = append(members[id], fmt.Sprintf("10.%d.%d.%d/%d", rng.IntN(256), rng.IntN(256), rng.IntN(256), 16+rng.IntN(17)))
	}
	m, err := NewMatcher(members)
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 4096)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
	}
	for _, c := range []struct {
		name string
		mac  func(i int) [6]byte
	}{
		{"by-address", func(int) [6]byte { return [6]byte{2, 0xff, 0, 0, 0, 1} }},
		{"by-MAC", func(i int) [6]byte { return macs[i%len(macs)] }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			hits := 0
			for i := 0; b.Loop(); i++ {
				if m.PoolOf(c.mac(i), addrs[i%len(addrs)], 0) != 0 {
					hits++
				}
			}
			b.ReportMetric(float64(hits)/float64(b.N), "hit-ratio")
		})
	}
}
