package probe

import (
	"math"
	"math/bits"
)

// hll is the HyperLogLog estimator ntopng uses for "number of distinct X"
// values (spec A.10): MurmurHash3 x86_32 with a fixed seed, 2^b one-byte
// registers. Reproducing the estimator, not just the idea, makes the
// reported numbers identical to the reference.
type hll struct {
	b   uint8
	reg []uint8
}

const hllSeed = 0x5f61767a

func newHLL(b uint8) hll { return hll{b: b, reg: make([]uint8, 1<<b)} }

func (h *hll) add(data []byte) {
	if h.reg == nil {
		return
	}
	x := murmur3(data, hllSeed)
	idx := x >> (32 - h.b)
	// rank = 1 + trailing zeros of the hash, counting at most 32-b positions.
	tz := uint8(bits.TrailingZeros32(x))
	if tz > 32-h.b {
		tz = 32 - h.b
	}
	rank := 1 + tz
	if rank > h.reg[idx] {
		h.reg[idx] = rank
	}
}

func (h *hll) reset() {
	for i := range h.reg {
		h.reg[i] = 0
	}
}

func (h *hll) count() uint64 {
	if h.reg == nil {
		return 0
	}
	m := float64(len(h.reg))
	var alpha float64
	switch h.b {
	case 4:
		alpha = 0.673
	case 5:
		alpha = 0.697
	case 6:
		alpha = 0.709
	default:
		alpha = 0.7213 / (1 + 1.079/m)
	}
	sum := 0.0
	zeros := 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	} else if e > 4294967296.0/30 {
		e = -4294967296.0 * math.Log(1-e/4294967296.0)
	}
	if e < 0 {
		return 0
	}
	return uint64(e)
}

func murmur3(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) / 4
	for i := 0; i < n; i++ {
		k := uint32(data[i*4]) | uint32(data[i*4+1])<<8 | uint32(data[i*4+2])<<16 | uint32(data[i*4+3])<<24
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	tail := data[n*4:]
	var k uint32
	switch len(tail) {
	case 3:
		k ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(tail[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}
