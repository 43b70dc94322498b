package engine

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gaissmai/bart"
)

// Blacklists are address lists of blacklisted hosts: every *.txt or
// *.list file of a folder (the data dir's blacklists/), one address or
// CIDR per line, '#' starting a comment. Reload re-reads the folder when
// a file changed, so lists can be updated without a restart.
type Blacklists struct {
	dir   string
	mu    sync.RWMutex
	table *bart.Lite
	stamp string // names, sizes and mtimes of the files last read
	n     int
}

// NewBlacklists reads the lists of dir (a missing folder is empty).
func NewBlacklists(dir string) *Blacklists {
	b := &Blacklists{dir: dir, table: new(bart.Lite)}
	b.Reload()
	return b
}

// Contains reports whether a is blacklisted. A nil list contains nothing.
func (b *Blacklists) Contains(a netip.Addr) bool {
	if b == nil {
		return false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.table.Contains(a.Unmap())
}

// Len is the number of entries read.
func (b *Blacklists) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.n
}

// Reload re-reads the folder if a file was added, removed or changed, and
// reports whether it did. Unparsable lines are skipped.
func (b *Blacklists) Reload() bool {
	if b == nil {
		return false
	}
	files, stamp := b.files()
	b.mu.RLock()
	same := stamp == b.stamp
	b.mu.RUnlock()
	if same {
		return false
	}
	t := new(bart.Lite)
	n := 0
	for _, f := range files {
		n += readList(f, t)
	}
	b.mu.Lock()
	b.table, b.stamp, b.n = t, stamp, n
	b.mu.Unlock()
	return true
}

func (b *Blacklists) files() ([]string, string) {
	var files []string
	var sb strings.Builder
	for _, pat := range []string{"*.txt", "*.list"} {
		m, _ := filepath.Glob(filepath.Join(b.dir, pat))
		for _, f := range m {
			st, err := os.Stat(f)
			if err != nil || st.IsDir() {
				continue
			}
			files = append(files, f)
			sb.WriteString(f + "|" + st.ModTime().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(st.Size(), 10) + "\n")
		}
	}
	return files, sb.String()
}

func readList(path string, t *bart.Lite) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if p, err := netip.ParsePrefix(line); err == nil {
			t.Insert(p.Masked())
			n++
		} else if a, err := netip.ParseAddr(line); err == nil {
			a = a.Unmap()
			t.Insert(netip.PrefixFrom(a, a.BitLen()))
			n++
		}
	}
	return n
}
