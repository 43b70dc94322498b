package lua

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// volumeOf returns the size and free bytes of the file system holding dir
// and the device it is mounted from (from /proc/self/mounts).
func volumeOf(dir string) (size, free uint64, dev string, ok bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, "", false
	}
	size = st.Blocks * uint64(st.Bsize)
	free = st.Bavail * uint64(st.Bsize)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return size, free, "", true
	}
	if f, err := os.Open("/proc/self/mounts"); err == nil {
		defer f.Close()
		best := -1
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 2 {
				continue
			}
			mp := fs[1]
			if (abs == mp || strings.HasPrefix(abs, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > best {
				best, dev = len(mp), fs[0]
			}
		}
	}
	return size, free, dev, true
}
