package probe

import (
	"net/netip"
	"sync"
)

// NameCache maps addresses to the names DNS answers gave them (the
// "address cache" of spec A.4.1). It is bounded: when full, an arbitrary
// entry is evicted, which keeps memory flat under DNS floods.
type NameCache struct {
	mu    sync.RWMutex
	max   int
	names map[netip.Addr]string
}

// NewNameCache makes a cache holding at most max entries.
func NewNameCache(max int) *NameCache {
	return &NameCache{max: max, names: make(map[netip.Addr]string)}
}

// Learn records name for addr; the first name learned for an address wins,
// as ntopng keeps the first positive answer.
func (c *NameCache) Learn(addr netip.Addr, name string) {
	addr = addr.Unmap()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.names[addr]; ok {
		return
	}
	if len(c.names) >= c.max {
		for k := range c.names {
			delete(c.names, k)
			break
		}
	}
	c.names[addr] = name
}

// Lookup returns the name learned for addr.
func (c *NameCache) Lookup(addr netip.Addr) (string, bool) {
	c.mu.RLock()
	n, ok := c.names[addr.Unmap()]
	c.mu.RUnlock()
	return n, ok
}

// Len is the number of cached names.
func (c *NameCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.names)
}
