package lua

import (
	"math"
	"strconv"
)

// maxPlainInt is the first integral magnitude that C's printf("%.14g")
// no longer prints as a plain integer: 1e14 has 15 digits, one more than the
// precision, so it becomes "1e+14". Every integral float64 strictly below it
// is exact (it is far below 2^53) and has at most 14 digits.
const maxPlainInt = 1e14

// FormatNumber appends f to dst the way ntopng's JSON shows a Lua number,
// i.e. exactly like C printf("%.14g") (the format Lua uses for tostring):
//
//   - integral values below 1e14 in magnitude are printed without a decimal
//     point or exponent (3, -7, 21475341296, 99999999999999);
//   - anything else gets at most 14 significant digits, trailing zeros removed,
//     in exponent form when the decimal exponent is < -4 or >= 14, with a sign
//     and at least two exponent digits (5.2767765737372e-05, 1e+14, 1e+15,
//     1.2345678901234e+14, 0.37000000476837 for float32(0.37) widened);
//   - negative zero prints as "-0", as in C.
//
// NaN and ±Inf: ntopng's serializer (dkjson) writes them as null, which is
// also the only valid JSON choice, so FormatNumber appends "null" for them.
// (Lua's own tostring would give "nan"/"inf", which is not JSON.)
func FormatNumber(dst []byte, f float64) []byte {
	if f != f || f > math.MaxFloat64 || f < -math.MaxFloat64 {
		return append(dst, "null"...)
	}
	// Fast path: integral values that %.14g prints as plain integers.
	if f > -maxPlainInt && f < maxPlainInt {
		if i := int64(f); float64(i) == f && (i != 0 || !math.Signbit(f)) {
			return strconv.AppendInt(dst, i, 10)
		}
	}
	// strconv's 'g' with an explicit precision follows the C rules: it
	// rounds to 14 significant digits (correctly, ties to even, as glibc
	// does), drops trailing zeros, switches to exponent form when the
	// exponent is < -4 or >= the precision, and always writes the exponent
	// with a sign and at least two digits ("e-05", "e+15", "e+300").
	// This equivalence is checked against C output in number_test.go.
	return strconv.AppendFloat(dst, f, 'g', 14, 64)
}

// appendKeyNumber appends the text of a numeric table key as Lua 5.3+'s
// tostring() renders it when dkjson stringifies object keys: Lua normalises
// float keys with an integral value to integer keys, which print in full;
// other keys print with %.14g.
func appendKeyNumber(dst []byte, f float64) []byte {
	switch {
	case f != f:
		return append(dst, "nan"...)
	case f > math.MaxFloat64:
		return append(dst, "inf"...)
	case f < -math.MaxFloat64:
		return append(dst, "-inf"...)
	}
	if f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 {
		if i := int64(f); float64(i) == f {
			return strconv.AppendInt(dst, i, 10)
		}
	}
	return strconv.AppendFloat(dst, f, 'g', 14, 64)
}
