package lua

import (
	"math/rand"
	"net/netip"
	"sort"
	"testing"

	"github.com/ntopng-go/ntopng/probe"
)

// TestSortPrefixMatchesFullSort checks the partial sort of host pages
// against a full sort, for every page size, in both orders.
func TestSortPrefixMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	hosts := make([]probe.HostSummary, 500)
	for i := range hosts {
		hosts[i].Key = probe.HostKey{IP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})}
		hosts[i].BytesSent = uint64(rng.Intn(50)) // many ties, broken by IP
	}
	for _, desc := range []bool{false, true} {
		less := hostLess("column_traffic")
		if desc {
			asc := less
			less = func(a, b *probe.HostSummary) bool { return asc(b, a) }
		}
		want := append([]probe.HostSummary(nil), hosts...)
		sort.Slice(want, func(i, j int) bool { return less(&want[i], &want[j]) })
		for _, k := range []int{0, 1, 2, 10, 37, 62, 63, 100, 500} {
			got := append([]probe.HostSummary(nil), hosts...)
			rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
			sortPrefix(got, k, less)
			for i := 0; i < k; i++ {
				if got[i].Key != want[i].Key {
					t.Fatalf("desc=%v k=%d: position %d is %v, want %v", desc, k, i, got[i].Key, want[i].Key)
				}
			}
		}
	}
}
