package lua

import (
	"math"
	"testing"
)

func TestPageBounds(t *testing.T) {
	cases := []struct{ total, page, per, start, end int }{
		{100, 1, 10, 0, 10},
		{100, 10, 10, 90, 100},
		{100, 11, 10, 100, 100},
		{5, 1, 10, 0, 5},
		{5, 0, 10, 0, 5},
		{5, -3, 10, 0, 5},
		{5, 1, 0, 0, 0},
		{5, 1, -1, 0, 0},
		{5, 2, 1, 1, 2},
		{100, 99999999999, 99999999999, 100, 100},
		{100, 1, 1000000000, 0, 100},
		{100, math.MaxInt, math.MaxInt, 100, 100},
		{100, 2, math.MaxInt, 100, 100},
	}
	for _, c := range cases {
		s, e := pageBounds(c.total, c.page, c.per)
		if s != c.start || e != c.end {
			t.Errorf("pageBounds(%d, %d, %d) = %d, %d; want %d, %d", c.total, c.page, c.per, s, e, c.start, c.end)
		}
	}
}
