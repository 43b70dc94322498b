//go:build !linux

package lua

// volumeOf is only implemented on Linux.
func volumeOf(string) (size, free uint64, dev string, ok bool) { return 0, 0, "", false }
